"""An employer's employee upload (issue 14, FAQ 18): the provider upload's engine, limits and
emails, on the coordinator's attestation that the file lists only people who live or work in the
state. The attestation is stored with the upload; the database refuses an employer's upload
without one (``upload_employer_attested``)."""

from django.conf import settings
from django.utils.translation import gettext as _

from cvms.core.errors import ServiceError
from cvms.organizations.choices import OrganizationKind
from cvms.uploads.models import RecipientUpload, UploadChannel
from cvms.uploads.services.intake import upload_create

#: The channels an employer uploads through: the provider portal's two tabs.
EMPLOYER_CHANNELS = (UploadChannel.LOW_VOLUME, UploadChannel.HIGH_VOLUME)


def attestation_text() -> str:
    """The words a coordinator attests to, naming the state, in the active language."""
    return _("I attest that this file lists only people who live or work in %(state)s.") % {
        "state": settings.CVMS_JURISDICTION_NAME}


def employee_upload_create(*, file, filename: str, channel: UploadChannel, employer, uploaded_by,
                           attested: bool) -> RecipientUpload:
    """Check and keep an employer's file of employees, as ``upload_create`` does a provider's. Refused
    (nothing kept) when the uploader did not attest, or when ``employer`` is not an employer."""
    if employer.kind != OrganizationKind.EMPLOYER:
        raise ServiceError(_("Only an employer uploads employees."))
    if channel not in EMPLOYER_CHANNELS:
        raise ServiceError(_("Choose Low Volume or High Volume."))
    if not attested:
        raise ServiceError(
            _("Confirm that the file lists only people who live or work in %(state)s before you upload it.")
            % {"state": settings.CVMS_JURISDICTION_NAME}, field="attest")
    return upload_create(file=file, filename=filename, channel=channel, organization=employer,
                         uploaded_by=uploaded_by, attestation=attestation_text())
