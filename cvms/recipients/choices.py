"""Coded values of recipients. Codes follow CDC CVRS value sets where one exists."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from cvms.organizations.choices import Industry  # noqa: F401 (an employee's industry is their employer's)


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    UNKNOWN = "U", _("Unknown or not reported")


class Race(models.TextChoices):
    AMERICAN_INDIAN = "1002-5", _("American Indian or Alaska Native")
    ASIAN = "2028-9", _("Asian")
    BLACK = "2054-5", _("Black or African American")
    PACIFIC_ISLANDER = "2076-8", _("Native Hawaiian or Other Pacific Islander")
    WHITE = "2106-3", _("White")
    OTHER = "2131-1", _("Other race")
    UNKNOWN = "UNK", _("Unknown")
    POLICY = "POL", _("Prefer not to say")


class Ethnicity(models.TextChoices):
    HISPANIC = "2135-2", _("Hispanic or Latino")
    NOT_HISPANIC = "2186-5", _("Not Hispanic or Latino")
    UNKNOWN = "UNK", _("Unknown")
    POLICY = "POL", _("Prefer not to say")


class RecipientSource(models.TextChoices):
    BULK_UPLOAD = "bulk_upload", _("Bulk upload")
    SELF_REGISTRATION = "self_registration", _("Self-registration")
    WALK_IN = "walk_in", _("Walk-in")
    ORGANIZATION_UPLOAD = "organization_upload", _("Organization upload")
    HELPDESK = "helpdesk", _("Help desk")


#: Why a welcome email failed: codes stored on the recipient with their values, worded when read.
WELCOME_FAILURES = {
    "invalid_address": gettext_noop("The address cannot be used for email: %(value)s"),
    "refused": gettext_noop("The mail server refused it: %(reply)s"),
    "unbuildable": gettext_noop("The message could not be built: %(error)s"),
    "unreachable": gettext_noop("The mail server could not be reached after several tries."),
}


class WelcomeEmailStatus(models.TextChoices):
    NOT_SENT = "not_sent", _("Not sent")
    #: Vaccinated: queued with the others due within a minute (``welcome_emails_queue_due``).
    DUE = "due", _("Due")
    PENDING = "pending", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class ContactPreference(models.TextChoices):
    """How a recipient wants to hear from the program (reminders, confirmations)."""

    EMAIL = "email", _("Email")
    TEXT = "text", _("Text message")
    PHONE = "phone", _("Phone call")
    NONE = "none", _("Do not contact me")


class HealthAnswer(models.TextChoices):
    """An answer to a health question of the registration form."""

    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNSAID = "unsaid", _("Prefer not to say")


#: The COVID-19 vaccine screening questions of the registration form: column -> question.
HEALTH_QUESTIONS = {
    "severe_allergy": _("Have you ever had a severe allergic reaction (such as anaphylaxis) to a vaccine or an "
                        "injectable medicine?"),
    "pregnant": _("Are you pregnant or breastfeeding?"),
    "bleeding_disorder": _("Do you have a bleeding disorder, or do you take a blood thinner?"),
    "immunocompromised": _("Do you have a weakened immune system, or take medicine that weakens it?"),
    "recent_covid": _("In the last 90 days, have you had COVID-19 or been treated with monoclonal antibodies or "
                      "convalescent plasma for it?"),
    "recent_vaccine": _("Have you had any other vaccine in the last 14 days?"),
}


class RequestKind(models.TextChoices):
    """What a request about a recipient record asks staff to do."""

    CORRECTION = "correction", _("Correction")
    REMOVAL = "removal", _("Removal")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    DECLINED = "declined", _("Declined")


class CorrectionSubject(models.TextChoices):
    """What part of the record a correction is about (FAQ 31, 34)."""

    NAME = "name", _("My legal name")
    DATE_OF_BIRTH = "date_of_birth", _("My date of birth")
    DOSE = "dose", _("A vaccination (dose) on my record")
