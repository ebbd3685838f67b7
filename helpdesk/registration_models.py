"""Who registered for the help desk, and with which code (imported at the end of ``models.py``)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RequesterRegistration(models.Model):
    """A help desk registration: the location whose Provider PIN was given (none for the generic
    code), and when the Help Desk user ID and temporary password were emailed (once)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="helpdesk_registration", verbose_name=_("user"))
    location = models.ForeignKey("organizations.Location", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("location"))
    generic_code = models.BooleanField(_("registered with the generic code"), default=False)
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    credentials_sent_at = models.DateTimeField(_("user ID and temporary password emailed"), null=True, blank=True)

    class Meta:
        app_label = "helpdesk"
        constraints = [
            models.CheckConstraint(
                name="requester_registration_one_code",
                condition=Q(generic_code=True, location__isnull=True) | Q(generic_code=False, location__isnull=False),
            ),
        ]
        verbose_name = _("help desk registration")
        verbose_name_plural = _("help desk registrations")

    def __str__(self):
        return f"{self.user} ({self.location or _('generic code')})"
