import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class UploadChannel(models.TextChoices):
    LOW_VOLUME = "low_volume", _("Low Volume")
    HIGH_VOLUME = "high_volume", _("High Volume")
    BACKEND = "backend", _("Back-end (help desk or ops)")
    API = "api", _("API")


class UploadStatus(models.TextChoices):
    PREVIEW = "preview", _("Awaiting review")
    QUEUED = "queued", _("Queued")
    PROCESSING = "processing", _("Processing")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Failed")


def _original_path(upload, filename):
    return f"recipient-uploads/{upload.created_at:%Y/%m}/{upload.token}/original{_extension(filename)}"


def _failed_path(upload, filename):
    return f"recipient-uploads/{upload.created_at:%Y/%m}/{upload.token}/failed-records.csv"


def _extension(filename: str) -> str:
    lower = filename.lower()
    if lower.endswith((".xlsx", ".xlsm")):
        return ".xlsx"
    return ".txt" if lower.endswith((".txt", ".tsv")) else ".csv"


class RecipientUpload(models.Model):
    """One uploaded recipient file, kept with who, when, where, progress, counts and the
    failed-records file. ``rows_done`` is the checkpoint a resumed run starts from and
    ``checkpoint_line`` the file line it covers; ``attempts`` counts the runs, which are bounded."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=16, choices=UploadChannel.choices)
    status = models.CharField(_("status"), max_length=16, choices=UploadStatus.choices, db_index=True)
    location = models.ForeignKey("organizations.Location", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="recipient_uploads")
    organization = models.ForeignKey("organizations.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="recipient_uploads")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("uploaded by"))
    uploaded_by_label = models.CharField(_("uploaded by"), max_length=255)
    original_file = models.FileField(_("original file"), upload_to=_original_path, max_length=255, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    columns = models.JSONField(_("columns"), default=list)
    send_welcome = models.BooleanField(_("send welcome emails"), default=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    checkpoint_line = models.PositiveIntegerField(_("processed through line"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    failed_count = models.PositiveIntegerField(_("failed"), default=0)
    failed_file = models.FileField(_("failed-records file"), upload_to=_failed_path, max_length=255, blank=True)
    error_message = models.CharField(_("error"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    #: An employer's upload: who attested that the file lists only people who live or work in
    #: the state (FAQ 18), when, and the words they attested, as they read them.
    attested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("attested by"))
    attested_at = models.DateTimeField(_("attested"), null=True, blank=True)
    attestation = models.CharField(_("attestation"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="upload_employer_recent_idx",
                                condition=Q(location__isnull=True))]
        constraints = [
            models.CheckConstraint(condition=Q(location__isnull=False) | Q(organization__isnull=False),
                                   name="upload_has_owner"),
            # An employer's file (one with no location) is loaded only on its uploader's attestation.
            models.CheckConstraint(
                condition=Q(location__isnull=False)
                | Q(attested_by__isnull=False, attested_at__isnull=False) & ~Q(attestation=""),
                name="upload_employer_attested"),
            models.CheckConstraint(condition=Q(rows_done__lte=F("total_rows")), name="upload_progress_bounded"),
            models.CheckConstraint(condition=Q(created_count=F("rows_done") - F("failed_count")),
                                   name="upload_counts_add_up"),
        ]
        verbose_name = _("recipient upload")
        verbose_name_plural = _("recipient uploads")

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def percent_done(self) -> int:
        if not self.total_rows:  # not counted yet (the worker counts High Volume and API files)
            return 100 if self.is_finished else 0
        return round(100 * self.rows_done / self.total_rows)

    @property
    def saved_summary(self) -> str:
        """Which rows a stopped upload saved (the checkpoint) and which it did not, in the active language."""
        if not self.rows_done:
            return str(_("No row of the file was saved."))
        return _("Lines 2 to %(line)s were processed: %(created)s recipients created, %(failed)s rows failed. "
                 "Nothing from line %(next)s on was saved: upload the file again to load the rest (rows already "
                 "loaded are not loaded twice).") % {"line": self.checkpoint_line, "created": self.created_count,
                                                     "failed": self.failed_count, "next": self.checkpoint_line + 1}

    @property
    def is_finished(self) -> bool:
        return self.status in (UploadStatus.COMPLETED, UploadStatus.CANCELLED, UploadStatus.FAILED)


class UploadError(models.Model):
    """A row that was not loaded: its line, its problems and its cells as uploaded. Problems are
    codes with their values (see ``validation.MESSAGES``), worded in the reader's language."""

    upload = models.ForeignKey(RecipientUpload, on_delete=models.CASCADE, related_name="errors")
    line = models.PositiveIntegerField(_("line"))
    problems = models.JSONField(_("problems"), default=list)
    values = models.JSONField(default=list)

    class Meta:
        ordering = ["upload", "line"]
        constraints = [models.UniqueConstraint(fields=["upload", "line"], name="upload_error_line_unique")]

    def __str__(self):
        return self.message

    @property
    def message(self) -> str:
        """``Line <n>: `` and every problem, in the active language."""
        from cvms.uploads.validation import line_message

        return line_message(self.line, self.problems)
