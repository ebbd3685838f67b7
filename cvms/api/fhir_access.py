"""The only way the FHIR API fetches patients and places a caller may see: scoped to the
organizations where they work. A provider's people see the recipients loaded at, or given a dose
at, any location of their organization; anyone else's patient is not found."""

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from cvms.accounts.models import PROVIDER_ROLES, Role
from cvms.immunizations.models import Immunization
from cvms.immunizations.roles import ADMINISTER_ROLES
from cvms.organizations.models import Location
from cvms.recipients.models import Recipient

#: Who reads the organization's patients: its location roles, and its administrators.
READ_ROLES = (*PROVIDER_ROLES, Role.ORG_ADMIN)


def fhir_locations_for_user(user):
    """Every location of the organizations where ``user`` holds an active role of ``READ_ROLES``."""
    roles = [str(role) for role in READ_ROLES]
    return Location.objects.filter(
        Q(organization__memberships__user=user, organization__memberships__is_active=True,
          organization__memberships__role__in=roles)
        | Q(organization__locations__memberships__user=user, organization__locations__memberships__is_active=True,
            organization__locations__memberships__role__in=roles)
    ).distinct()


def fhir_patients_for_user(user):
    """The caller's patients, for a search: the ids loaded at and dosed at their locations, each
    read through its own index and joined, rather than every recipient in the state tested."""
    locations = fhir_locations_for_user(user).values("pk")
    ids = (Recipient.objects.filter(source_location__in=locations).order_by().values("pk")
           .union(Immunization.objects.filter(location__in=locations).order_by().values("recipient_id")))
    return Recipient.objects.filter(pk__in=ids)


def _seen_by(user) -> Q:
    """Whether ``user`` sees a recipient: for one recipient already narrowed by its id."""
    locations = fhir_locations_for_user(user).values("pk")
    dosed_here = Immunization.objects.filter(recipient=OuterRef("pk"), location__in=locations)
    return Q(source_location__in=locations) | Exists(dosed_here)


def _number(text) -> int | None:
    text = str(text)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def access_patient_by_user(user, patient_id: str) -> Recipient:
    """A patient ``user`` may see, by the id of its FHIR reference (404 for anyone else's or an
    id that is no number)."""
    patient = Recipient.objects.filter(pk=_number(patient_id)).filter(_seen_by(user)).first()
    if patient is None:
        raise Http404
    return patient


def access_administer_location_by_user(user, location_id: str) -> Location | None:
    """A location where ``user`` may record doses (vaccinator or above there), or ``None``."""
    roles = [str(role) for role in ADMINISTER_ROLES]
    return (Location.objects.filter(pk=_number(location_id), memberships__user=user, memberships__is_active=True,
                                    memberships__role__in=roles)
            .select_related("organization").first())


def fhir_doses_for_user(user, patient_id: str):
    """The doses of a patient ``user`` may see (none for anyone else's), with what a resource shows."""
    try:
        patient = access_patient_by_user(user, patient_id)
    except Http404:
        return Immunization.objects.none()
    return (patient.immunizations.select_related("lot__product", "location", "given_by")
            .order_by("administered_at", "pk"))


def access_dose_by_user(user, immunization_id: str) -> Immunization:
    """A dose of a patient ``user`` may see (404 otherwise)."""
    dose = (Immunization.objects.filter(pk=_number(immunization_id))
            .select_related("lot__product", "location", "given_by").first())
    if dose is None or not Recipient.objects.filter(pk=dose.recipient_id).filter(_seen_by(user)).exists():
        raise Http404
    return dose
