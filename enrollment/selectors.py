from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from cvms.core.models import AuditLog
from enrollment.models import OPEN, Agreement, AgreementVersion, VersionStatus

HISTORY_LABELS = {
    "enrollment.agreement.started": _("Enrollment started"),
    "enrollment.agreement.submitted": _("Signed and submitted"),
    "enrollment.agreement.resubmitted": _("Corrected and resubmitted"),
    "enrollment.agreement.returned": _("Returned for changes"),
    "enrollment.agreement.rejected": _("Rejected"),
    "enrollment.agreement.approved": _("Approved"),
    "enrollment.amendment.started": _("Amendment started"),
}


def agreement_history(agreement: Agreement) -> list[AuditLog]:
    """The agreement's transitions, oldest first, each with a ``label`` for people."""
    entries = list(AuditLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Agreement), object_id=str(agreement.pk),
        action__in=list(HISTORY_LABELS),
    ).order_by("at", "pk"))
    for entry in entries:
        entry.label = HISTORY_LABELS[entry.action]
    return entries


def open_version(agreement: Agreement) -> AgreementVersion | None:
    return agreement.versions.filter(status__in=sorted(OPEN)).first()


def current_version(agreement: Agreement) -> AgreementVersion | None:
    """The version the organization works on: the open one, else the one in force, else the newest."""
    return open_version(agreement) or agreement.approved_version or agreement.versions.first()


def review_queue(*, status: str = "", county: str = "", provider_type: str = ""):
    """Versions the state reviews (never drafts), oldest submission first, filtered."""
    versions = (AgreementVersion.objects.exclude(status=VersionStatus.DRAFT)
                .select_related("agreement__organization")
                .annotate(location_count=Count("locations", distinct=True)))
    if status:
        versions = versions.filter(status=status)
    if county:
        versions = versions.filter(Q(county__iexact=county.strip()) | Q(locations__county__iexact=county.strip()))
    if provider_type:
        versions = versions.filter(provider_type=provider_type)
    return versions.distinct().order_by("submitted_at", "pk")
