"""Reporting to CDC: the outbox of immunization events (written in the transaction of the record
itself) and the CVRS extracts made from it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReportEventKind(models.TextChoices):
    CREATED = "created", _("New record")
    CHANGED = "changed", _("Changed record")
    DELETED = "deleted", _("Deleted record")


class ReportEvent(models.Model):
    """One change of an immunization that reporting must carry out. Append-only; an extract
    takes the events after the previous extract's high-water mark (``CvrsExtract.until_event``)."""

    immunization = models.ForeignKey("immunizations.Immunization", on_delete=models.PROTECT, related_name="+",
                                     db_index=False)
    kind = models.CharField(_("kind"), max_length=8, choices=ReportEventKind.choices)
    created_at = models.DateTimeField(_("when"))

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ReportEventKind.values), name="report_event_known_kind"),
        ]
        indexes = [
            # "Since the last extract" is a range of ids; the immunizations of that range are read
            # with it, and one immunization's events by this index.
            models.Index(fields=["immunization", "id"], name="report_event_immunization_idx"),
        ]
        verbose_name = _("report event")
        verbose_name_plural = _("report events")

    def __str__(self):
        return f"{self.get_kind_display()}: immunization {self.immunization_id}"


class CvrsExtractType(models.TextChoices):
    REDACTED = "redacted", _("Redacted")
    IDENTIFIED = "identified", _("Identified")


class CvrsExtract(models.Model):
    """One CDC CVRS extract: the records of the events in ``(since_event, until_event]``, in files
    kept in the private storage (``files``: name, storage path, kind and records of each)."""

    created_at = models.DateTimeField(_("made"), auto_now_add=True)
    report_date = models.DateField(_("date reported"))
    extract_type = models.CharField(_("type"), max_length=10, choices=CvrsExtractType.choices)
    since_event = models.BigIntegerField(_("after event"))
    until_event = models.BigIntegerField(_("up to event"))
    written = models.PositiveIntegerField(_("records written"))
    invalid = models.PositiveIntegerField(_("invalid records"))
    files = models.JSONField(_("files"), default=list)
    #: The records left out: vax_event_id, immunization id and the problems (field and value) of each.
    invalid_records = models.JSONField(_("invalid records (details)"), default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_index=False, verbose_name=_("made by"))

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(until_event__gte=models.F("since_event")),
                                   name="cvrs_extract_window_forward"),
            models.CheckConstraint(condition=Q(extract_type__in=CvrsExtractType.values),
                                   name="cvrs_extract_known_type"),
        ]
        indexes = [
            # The previous extract of a type (its high-water mark), and the files of a day.
            models.Index(fields=["extract_type", "-until_event"], name="cvrs_extract_type_last_idx"),
            models.Index(fields=["report_date"], name="cvrs_extract_date_idx"),
        ]
        verbose_name = _("CVRS extract")
        verbose_name_plural = _("CVRS extracts")

    def __str__(self):
        return f"CVRS {self.extract_type} {self.report_date.isoformat()} (#{self.pk})"


class SubmissionAction(models.TextChoices):
    """RXA-21: what the message does to the registry's copy of the dose."""

    ADD = "A", _("Add")
    UPDATE = "U", _("Update")
    DELETE = "D", _("Delete")


#: The action each kind of event reports.
EVENT_ACTION = {ReportEventKind.CREATED: SubmissionAction.ADD, ReportEventKind.CHANGED: SubmissionAction.UPDATE,
                ReportEventKind.DELETED: SubmissionAction.DELETE}


class SubmissionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    ACCEPTED = "accepted", _("Accepted")
    ACCEPTED_WITH_ERRORS = "accepted_errors", _("Accepted with errors")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")


class RegistrySubmission(models.Model):
    """One VXU to send to the state registry: written in the transaction of the report event it
    carries (or by a resend), sent by ``vxu_send.vxu_submission_send`` and retried with back-off
    until the registry answers AA or AE, or the attempts run out. The control id (MSH-10) is kept
    before the first attempt, so every attempt sends the same message id."""

    immunization = models.ForeignKey("immunizations.Immunization", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("immunization"))
    event = models.ForeignKey(ReportEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              db_index=False, verbose_name=_("report event"))
    action = models.CharField(_("action"), max_length=1, choices=SubmissionAction.choices)
    status = models.CharField(_("status"), max_length=16, choices=SubmissionStatus.choices,
                              default=SubmissionStatus.PENDING)
    created_at = models.DateTimeField(_("created"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    #: While pending: when it is due (after a claim, when a worker that died with it is given up on).
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    control_id = models.CharField(_("message control id"), max_length=20, blank=True)
    ack_code = models.CharField(_("acknowledgement code"), max_length=2, blank=True)
    ack_text = models.CharField(_("acknowledgement text"), max_length=2000, blank=True)
    last_error = models.CharField(_("last error"), max_length=2000, blank=True)
    sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    resent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", db_index=False, verbose_name=_("resent by"))

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=SubmissionStatus.values),
                                   name="registry_submission_known_status"),
            models.CheckConstraint(condition=Q(action__in=SubmissionAction.values),
                                   name="registry_submission_known_action"),
            models.CheckConstraint(condition=Q(attempts__gte=0), name="registry_submission_attempts_not_negative"),
            models.CheckConstraint(condition=~Q(status="pending") | Q(next_attempt_at__isnull=False),
                                   name="registry_submission_pending_has_due_time"),
            models.UniqueConstraint(fields=["event"], name="registry_submission_one_per_event"),
        ]
        indexes = [
            # What is due (beat), and one immunization's submissions in order.
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="registry_submission_due_idx"),
            models.Index(fields=["status", "-id"], name="registry_submission_status_idx"),
        ]
        permissions = [("resend_registrysubmission", _("Can resend a VXU to the state registry"))]
        verbose_name = _("registry submission")
        verbose_name_plural = _("registry submissions")

    def __str__(self):
        return f"VXU {self.action} immunization {self.immunization_id} (#{self.pk})"
