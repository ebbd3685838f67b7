from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Value
from django.db.models.functions import Concat, Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: The text an audit search matches (actor, action, object), trigram-indexed as one expression.
AUDIT_SEARCH_TEXT = Upper(Concat("actor_label", Value(" "), "action", Value(" "), "object_repr", Value(" "),
                                 "object_id"))


class AuditLogQuerySet(models.QuerySet):
    def search(self, text: str):
        """Every word appears in the actor, the action, the object or its id, ignoring case."""
        query = self.alias(search_text=AUDIT_SEARCH_TEXT)
        for word in text.split()[:5]:
            query = query.filter(search_text__contains=word.upper())
        return query


class AuditLog(models.Model):
    """One row per state change made by a person or an integration. Append-only."""

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(
        _("actor"), max_length=255, help_text=_("Who acted: a user's email or an integration's name.")
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    changes = models.JSONField(_("changed fields"), default=dict, blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="audit_object_idx"),
            GinIndex(OpClass(AUDIT_SEARCH_TEXT, name="gin_trgm_ops"), name="audit_search_trgm"),
            # What one person did, newest first (admin's search by an email).
            models.Index(fields=["actor_label", "-at"], name="audit_actor_idx"),
        ]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"


class OutboxMessage(models.Model):
    """A Celery task recorded in the transaction of the work that needs it (``cvms.core.outbox``).
    Published to the broker once that transaction commits; a row still unsent (the broker was
    down, the process died after the commit) is published by the relay."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0, help_text="Publications that failed.")
    last_error = models.CharField(max_length=255, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["id"], condition=models.Q(sent_at__isnull=True), name="outbox_unsent_idx"),
            models.Index(fields=["sent_at"], condition=models.Q(sent_at__isnull=False), name="outbox_sent_idx"),
        ]

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"


class DowntimeNotice(models.Model):
    """A scheduled maintenance window (FAQ 5): provider users are emailed when it is saved, and
    every page shows a banner from ``notice_from`` until the window ends (``cvms.core.downtime``)."""

    notice_from = models.DateTimeField(_("show the banner from"))
    starts_at = models.DateTimeField(_("downtime starts"))
    ends_at = models.DateTimeField(_("downtime ends"))
    message_en = models.CharField(_("message in English"), max_length=500)
    message_es = models.CharField(_("message in Spanish"), max_length=500)
    #: Raised each time the times change: emails about earlier times that are not sent yet are dropped.
    times_version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                   name="downtime_ends_after_start"),
            models.CheckConstraint(condition=models.Q(notice_from__lte=models.F("starts_at")),
                                   name="downtime_notice_before_start"),
        ]
        indexes = [models.Index(fields=["ends_at"], name="downtime_ends_idx")]
        verbose_name = _("downtime notice")
        verbose_name_plural = _("downtime notices")

    def __str__(self):
        return f"{timezone.localtime(self.starts_at):%Y-%m-%d %H:%M} – {timezone.localtime(self.ends_at):%H:%M}"

    def message(self, language: str) -> str:
        return self.message_es if language == "es" and self.message_es else self.message_en


class DowntimeEmail(models.Model):
    """One provider user to email about one notice at one version of its times: written when the
    notice is saved, claimed by the batch that sends it (so each is sent once), and dropped with
    the notice or when its times change before it was sent."""

    notice = models.ForeignKey(DowntimeNotice, on_delete=models.CASCADE, related_name="emails")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    times_version = models.PositiveIntegerField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notice", "user", "times_version"],
                                               name="downtime_email_once")]
