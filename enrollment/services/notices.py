"""Emails about a version's progress: to the organization's administrators, and to the state's
reviewers when a version waits for them."""

from django.conf import settings
from django.urls import reverse

from cvms.accounts.models import Membership, Role
from cvms.core.mail import build_email, send_many
from cvms.core.outbox import outbox_enqueue
from enrollment.models import AgreementVersion


def agreement_notice_queue(*, version: AgreementVersion, event: str) -> None:
    """Queue the notice of ``event``, sent once the caller's transaction commits."""
    from enrollment.tasks import send_agreement_notice

    outbox_enqueue(task=send_agreement_notice, args=(version.pk, event))


def agreement_notice_send(*, version_id: int, event: str) -> int:
    """Email the organization's administrators that ``event`` happened to a version; on a
    submission, tell the state's reviewers that it waits for them."""
    version = AgreementVersion.objects.select_related("agreement__organization").get(pk=version_id)
    agreement = version.agreement
    context = {"version": version, "event": event, "organization": agreement.organization,
               "url": settings.SITE_URL + reverse("enrollment:agreement", args=[agreement.pk])}
    admins = Membership.objects.active().filter(role=Role.ORG_ADMIN, organization=agreement.organization)
    messages = [build_email(template_prefix="enrollment/email/agreement_notice", context=context,
                            to=[m.user.email], language=m.user.preferred_language)
                for m in admins.select_related("user")]
    if event in ("submitted", "resubmitted"):
        review = {**context, "url": settings.SITE_URL + reverse("enrollment:review", args=[version.pk])}
        reviewers = Membership.objects.active().filter(role=Role.STATE_STAFF).select_related("user")
        messages += [build_email(template_prefix="enrollment/email/review_waiting", context=review,
                                 to=[m.user.email], language=m.user.preferred_language) for m in reviewers]
    return send_many(messages) if messages else 0
