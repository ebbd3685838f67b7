from cvms.eligibility.models import EligibilityAnswers


def recipient_answers(recipient) -> EligibilityAnswers | None:
    """The recipient's Find My Group answers with their group, or None before they answer."""
    return EligibilityAnswers.objects.select_related("group").filter(recipient=recipient).first()
