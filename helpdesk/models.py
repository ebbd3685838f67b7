"""Help desk cases: a request for help from a provider (signed in) or a recipient (the public form),
its messages (replies to the requester and the agents' internal notes) and its attachments. Cases
change only through ``helpdesk.services``; the database holds what it can (statuses, a requester
who can be answered, a resolution time for a resolved case, one case number each)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

#: The PostgreSQL sequence case numbers are drawn from (``helpdesk.services.case_number_next``).
CASE_NUMBER_SEQUENCE = "helpdesk_case_number_seq"
CASE_NUMBER_PREFIX = "CS"
#: Shown in Provider Organization the first time a provider files a case (the help desk guide).
GENERIC_PROVIDER = "Generic Vaccine Provider"


class RequestType(models.TextChoices):
    PROVIDER_ENROLLMENT = "provider_enrollment", _("Provider enrollment")
    PORTAL_ACCESS = "portal_access", _("Portal access and sign-in")
    INVENTORY = "inventory", _("Inventory")
    VACCINE_ADMINISTRATION = "vaccine_administration", _("Vaccine administration")
    TRANSFERS = "transfers", _("Transfers and redistribution")
    MARKETPLACE = "marketplace", _("Vaccine Marketplace")
    VACCINES_GOV = "vaccines_gov", _("Vaccines.gov")
    REPORTS = "reports", _("Reports")
    RECIPIENT_BULK_UPLOAD = "recipient_bulk_upload", _("Recipient Bulk Upload")
    RECIPIENT_CORRECTION = "recipient_correction", _("Recipient record correction")
    RECIPIENT_REMOVAL = "recipient_removal", _("Remove a recipient")
    HCP_ONBOARDING = "hcp_onboarding", _("HCP User Onboarding")
    VACCINE_RECORD = "vaccine_record", _("My vaccination record")
    RECIPIENT_PORTAL = "recipient_portal", _("COVID-19 Vaccine Portal sign-in")
    APPOINTMENTS = "appointments", _("Appointments and finding a vaccine")
    OTHER = "other", _("Other")


#: What a provider picks on the Get Help form (HCP onboarding has a form of its own).
PROVIDER_REQUEST_TYPES = [
    RequestType.PROVIDER_ENROLLMENT, RequestType.PORTAL_ACCESS, RequestType.INVENTORY,
    RequestType.VACCINE_ADMINISTRATION, RequestType.TRANSFERS, RequestType.MARKETPLACE, RequestType.VACCINES_GOV,
    RequestType.REPORTS, RequestType.RECIPIENT_BULK_UPLOAD, RequestType.RECIPIENT_CORRECTION,
    RequestType.RECIPIENT_REMOVAL, RequestType.OTHER,
]
#: What a recipient picks on the public form.
RECIPIENT_REQUEST_TYPES = [
    RequestType.VACCINE_RECORD, RequestType.RECIPIENT_CORRECTION, RequestType.RECIPIENT_PORTAL,
    RequestType.APPOINTMENTS, RequestType.OTHER,
]


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In Progress")
    AWAITING_INFO = "awaiting_info", _("Awaiting Information")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


#: Statuses a case is still being worked in.
OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.IN_PROGRESS, CaseStatus.AWAITING_INFO)


class Priority(models.TextChoices):
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


class Channel(models.TextChoices):
    PROVIDER = "provider", _("Vaccine Provider")
    RECIPIENT = "recipient", _("Vaccine Recipient")
    ORGANIZATION = "organization", _("Organization")


class CaseQuerySet(models.QuerySet):
    def for_requester(self, user):
        return self.filter(requester=user) if user.is_authenticated else self.none()

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Case(models.Model):
    number = models.CharField(_("case number"), max_length=16, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    request_type = models.CharField(_("request type"), max_length=32, choices=RequestType.choices)
    description = models.CharField(_("description of request"), max_length=4000)
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.NEW)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    # Who asked: a signed-in user, or (the public recipient form) a name with an email or a phone.
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="helpdesk_cases", verbose_name=_("requester"))
    requester_name = models.CharField(_("requester name"), max_length=200, blank=True)
    requester_email = models.CharField(_("requester email"), max_length=254, blank=True)
    requester_phone = models.CharField(_("requester phone"), max_length=15, blank=True)
    language = models.CharField(_("language"), max_length=5, default="en")
    provider_organization = models.CharField(_("provider organization"), max_length=200, blank=True)
    secondary_organization = models.BooleanField(_("secondary organization"), default=False)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="helpdesk_assigned_cases", verbose_name=_("assigned to"))
    location = models.ForeignKey("organizations.Location", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("location"))
    # A recipient removed on request (the case that asked, often) leaves the case and its history.
    recipient = models.ForeignKey("recipients.Recipient", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("recipient"))
    upload = models.ForeignKey("uploads.RecipientUpload", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("upload"))
    #: The request about a recipient record this case follows (a recipient's correction, an
    #: employer's removal: ``helpdesk.requests``); staff act on the request, which resolves the case.
    recipient_request = models.OneToOneField("recipients.RecipientRequest", null=True, blank=True,
                                             on_delete=models.SET_NULL, related_name="case",
                                             verbose_name=_("request about a recipient record"))
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    due_at = models.DateTimeField(_("due"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.CheckConstraint(condition=Q(number__regex=r"^CS[0-9]{7,}$"), name="case_number_format"),
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values), name="case_status_known"),
            models.CheckConstraint(condition=Q(priority__in=Priority.values), name="case_priority_known"),
            models.CheckConstraint(condition=Q(request_type__in=RequestType.values), name="case_request_type_known"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="case_channel_known"),
            models.CheckConstraint(condition=~Q(description=""), name="case_description_not_empty"),
            models.CheckConstraint(condition=Q(requester_phone__regex=r"^[0-9]*$"), name="case_phone_digits"),
            # Someone the help desk can answer: an account, or a name with an email or a phone.
            models.CheckConstraint(
                condition=Q(requester__isnull=False) | (~Q(requester_name="") & (~Q(requester_email="")
                                                                                 | ~Q(requester_phone=""))),
                name="case_requester_reachable"),
            # Resolved and closed cases say when they were resolved; open ones were not.
            models.CheckConstraint(
                condition=Q(status__in=[CaseStatus.RESOLVED, CaseStatus.CLOSED], resolved_at__isnull=False)
                | Q(status__in=OPEN_STATUSES, resolved_at__isnull=True),
                name="case_resolved_has_time"),
            models.CheckConstraint(condition=Q(status=CaseStatus.CLOSED, closed_at__isnull=False)
                                   | (~Q(status=CaseStatus.CLOSED) & Q(closed_at__isnull=True)),
                                   name="case_closed_has_time"),
        ]
        indexes = [
            models.Index(fields=["requester", "-created_at"], name="case_requester_recent_idx"),
            models.Index(fields=["status", "request_type", "due_at"], name="case_queue_idx"),
            models.Index(fields=["assignee", "status"], name="case_assignee_idx"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def requester_label(self) -> str:
        return self.requester_name or (self.requester.email if self.requester_id else "")

    @property
    def requester_address(self) -> str:
        """Where emails about the case go ("" when the requester gave only a phone)."""
        return self.requester_email or (self.requester.email if self.requester_id else "")


class MessageKind(models.TextChoices):
    REQUESTER = "requester", _("From the requester")
    REPLY = "reply", _("Reply to the requester")
    INFO_REQUEST = "info_request", _("Request for information")
    RESOLUTION = "resolution", _("Resolution notes")
    INTERNAL = "internal", _("Internal note")


#: What the requester reads of a case's history (internal notes are the agents' own).
REQUESTER_VISIBLE = (MessageKind.REQUESTER, MessageKind.REPLY, MessageKind.INFO_REQUEST, MessageKind.RESOLUTION)
#: Messages the requester is emailed.
EMAILED = (MessageKind.REPLY, MessageKind.INFO_REQUEST, MessageKind.RESOLUTION)


class CaseMessage(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=16, choices=MessageKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("author"))
    author_label = models.CharField(_("author"), max_length=254)
    body = models.CharField(_("message"), max_length=4000)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=MessageKind.values), name="case_message_kind_known"),
            models.CheckConstraint(condition=~Q(body=""), name="case_message_not_empty"),
        ]

    def __str__(self):
        return f"{self.case} {self.get_kind_display()}"

    @property
    def requester_visible(self) -> bool:
        return self.kind in REQUESTER_VISIBLE


def _attachment_path(attachment, filename):
    return f"helpdesk/{attachment.case.created_at:%Y/%m}/{attachment.case.number}/{attachment.token}"


class CaseAttachment(models.Model):
    """A file sent with a case or a reply. Stored privately under a random name; ``name`` is the
    file's own name made safe, given back on download to those who may see the case."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(CaseMessage, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="attachments")
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=255)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("uploaded by"))
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("case attachment")
        verbose_name_plural = _("case attachments")
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="case_attachment_named")]

    def __str__(self):
        return self.name


from helpdesk.kb_models import *  # noqa: E402,F401,F403
from helpdesk.registration_models import *  # noqa: E402,F401,F403
