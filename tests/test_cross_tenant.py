"""Cross-tenant harness: every URL of every portal and of the API, visited by people of another
tenant (GET, and POST where GET is not allowed). A URL that takes an object must answer 403 or
404; a URL that takes none must not show
tenant A's data. A new URL is covered the moment it is added: if it takes a parameter this file
does not know, the harness fails and asks for an entry in ``TENANT_A_OBJECTS``."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cvms.dashboards.figures import FIGURE_KEYS
from cvms.dashboards.jurisdiction_figures import FIGURE_KEYS as JURISDICTION_FIGURE_KEYS

PORTAL_NAMESPACES = {"enrollment", "provider_portal", "recipient_portal", "organization_portal", "helpdesk", "api",
                     "fhir"}

#: URL parameter name -> how to find tenant A's object for it.
def _welcome_token(a):
    from cvms.recipients.tests.factories import RecipientFactory
    from cvms.recipients.welcome import welcome_token

    waiting = RecipientFactory(source_location=a.location, portal_username="waiting@example.com.covid19vaccine")
    return welcome_token(waiting)


def _email_change_token(a):
    from cvms.recipients.email_change import email_change_token

    return email_change_token(recipient=a.recipient, new_email="rita.new@example.com")


def _agreement(a):
    """Tenant A's provider agreement, signed and waiting for review, with one location."""
    from enrollment.models import Agreement, AgreementVersion, VersionKind
    from enrollment.tests.factories import complete_version, sign

    agreement = Agreement.objects.filter(organization=a.organization).first()
    if agreement is None:
        agreement = Agreement.objects.create(organization=a.organization, created_by=a.org_admin)
        version = AgreementVersion.objects.create(agreement=agreement, number=1, kind=VersionKind.ENROLLMENT,
                                                  legal_name=a.organization.name)
        sign(complete_version(version, a.org_admin), a.org_admin)
    return agreement


def _lot(a):
    """Tenant A's lot with doses received (one ledger entry)."""
    import datetime

    from cvms.inventory.models import InventoryLot
    from cvms.inventory.services.stock import lot_receive
    from cvms.inventory.tests.factories import VaccineProductFactory

    lot = InventoryLot.objects.filter(location=a.location).first()
    return lot or lot_receive(location=a.location, product=VaccineProductFactory(), lot_number="TENANTA1",
                              expiration_date=datetime.date.today() + datetime.timedelta(days=90), doses=6)


def _offer(a):
    """Tenant A's open marketplace offer, with a pending request from tenant A's other location."""
    import datetime

    from django.utils import timezone

    from cvms.accounts.models import Role
    from cvms.accounts.services import membership_grant
    from cvms.inventory.models import MarketplaceOffer
    from cvms.inventory.services.marketplace import offer_post, offer_request
    from cvms.inventory.services.stock import lot_receive
    from cvms.inventory.tests.factories import VaccineProductFactory

    offer = MarketplaceOffer.objects.filter(location=a.location).first()
    if offer is None:
        lot = lot_receive(location=a.location, product=VaccineProductFactory(), lot_number="XT1",
                          expiration_date=timezone.localdate() + datetime.timedelta(days=30), doses=10,
                          actor=a.manager)
        offer = offer_post(lot=lot, doses=10, actor=a.manager)
        membership_grant(user=a.coordinator, role=Role.VACCINE_COORDINATOR, location=a.other_location)
        offer_request(offer=offer, location=a.other_location, doses=2, actor=a.coordinator)
    return offer


def _transfer(a):
    """A transfer request between tenant A's two locations."""
    import datetime

    from django.utils import timezone

    from cvms.inventory.models import Transfer
    from cvms.inventory.services.stock import lot_receive
    from cvms.inventory.services.transfers import transfer_request
    from cvms.inventory.tests.factories import VaccineProductFactory

    transfer = Transfer.objects.filter(from_location=a.location).first()
    if transfer is None:
        lot = lot_receive(location=a.location, product=VaccineProductFactory(), lot_number="XT1",
                          expiration_date=timezone.localdate() + datetime.timedelta(days=30), doses=6, actor=a.manager)
        for location in (a.location, a.other_location):
            location.is_active = True
            location.save(update_fields=["is_active"])
        transfer = transfer_request(lot=lot, to_location=a.other_location, doses=2, reason="x", actor=a.manager)
    return transfer


def _recipient(a):
    """A recipient registered at tenant A's location."""
    from cvms.recipients.models import Recipient
    from cvms.recipients.tests.factories import RecipientFactory

    return Recipient.objects.filter(source_location=a.location).first() or RecipientFactory(source_location=a.location)


def _immunization(a):
    """A dose given at tenant A's location."""
    from cvms.immunizations.models import Immunization
    from cvms.immunizations.services.administer import immunization_record

    dose = Immunization.objects.filter(location=a.location).first()
    return dose or immunization_record(recipient=_recipient(a), lot=_lot(a), given_by=a.vaccinator)


def _checkin(a):
    """Someone waiting in tenant A's check-in queue."""
    from cvms.immunizations.models import CheckIn
    from cvms.immunizations.services.checkin import checkin_open

    waiting = CheckIn.objects.filter(location=a.location).first()
    return waiting or checkin_open(location=a.location, recipient=_recipient(a), actor=a.front_desk)


def _appointment(a):
    """Tenant A's recipient's appointment at tenant A's location, tomorrow."""
    import datetime

    from django.utils import timezone

    from cvms.appointments.models import Appointment
    from cvms.appointments.services import appointment_book, schedule_create
    from cvms.inventory.tests.factories import VaccineProductFactory

    appointment = Appointment.objects.filter(recipient=a.recipient).first()
    if appointment is None:
        day = timezone.localdate() + datetime.timedelta(days=1)
        schedule = schedule_create(actor=a.manager, location=a.location, product=VaccineProductFactory(),
                                   dose_number=1, weekdays=list(range(7)), opens_at=datetime.time(9),
                                   closes_at=datetime.time(10), slot_minutes=30, capacity=2, first_day=day,
                                   last_day=day)
        appointment = appointment_book(recipient=a.recipient, slot=schedule.slots.first())
    return appointment


def _employee_upload(a):
    """Tenant A's employer's upload of its employees, finished with a failed row."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cvms.uploads.models import RecipientUpload, UploadChannel
    from cvms.uploads.services.employers import employee_upload_create
    from cvms.uploads.services.intake import upload_confirm

    upload = RecipientUpload.objects.filter(organization=a.employer, location=None).first()
    if upload is None:
        text = "FirstName,LastName,Date of birth,Email\nEmma,Ployee,01/02/1990,emma@example.com\nBad,,,\n"
        upload = employee_upload_create(file=SimpleUploadedFile("staff.csv", text.encode()), filename="staff.csv",
                                        channel=UploadChannel.LOW_VOLUME, employer=a.employer,
                                        uploaded_by=a.employer_coordinator, attested=True)
        upload = upload_confirm(upload=upload, actor=a.employer_coordinator)
    return upload


def _coordinator_invitation(a):
    """An open invitation to be an Organization Coordinator of tenant A's employer."""
    from cvms.accounts.models import Invitation, Role
    from cvms.accounts.services import invitation_send

    invitation = Invitation.objects.filter(organization=a.employer, role=Role.ORG_COORDINATOR).first()
    return invitation or invitation_send(email="second.coordinator@example.com", role=Role.ORG_COORDINATOR,
                                         organization=a.employer, actor=a.employer_coordinator)


def _department(a):
    """The health department of tenant A's county (Wake), serving that county alone."""
    from cvms.organizations.choices import OrganizationKind
    from cvms.organizations.models import Organization
    from cvms.organizations.tests.factories import OrganizationFactory

    return (Organization.objects.filter(kind=OrganizationKind.LOCAL_HEALTH_DEPARTMENT, county="Wake").first()
            or OrganizationFactory(name="Wake County Health Department", county="Wake", served_counties=["Wake"],
                                   kind=OrganizationKind.LOCAL_HEALTH_DEPARTMENT))


def _case(a):
    """A help desk case tenant A's manager filed, with a file: only they follow it in My Lists."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from helpdesk.models import Case
    from helpdesk.services import case_open

    case = Case.objects.filter(requester=a.manager).first()
    return case or case_open(actor=a.manager, channel="provider", request_type="other", description="Help",
                             provider_organization=a.organization.name,
                             attachments=[SimpleUploadedFile("note.txt", b"hello")])


TENANT_A_OBJECTS = {
    "location_id": lambda a: a.location.pk,
    "agreement_id": lambda a: _agreement(a).pk,
    "version_id": lambda a: _agreement(a).versions.get(number=1).pk,
    "number": lambda a: _agreement(a).versions.get(number=1).number,
    "version_location_id": lambda a: _agreement(a).versions.get(number=1).locations.first().pk,
    "organization_id": lambda a: a.organization.pk,
    "upload_id": lambda a: a.upload.pk,
    "lot_id": lambda a: _lot(a).pk,
    "entry_id": lambda a: _lot(a).ledger.first().pk,
    "offer_id": lambda a: _offer(a).pk,
    "request_id": lambda a: _offer(a).requests.get().pk,
    "transfer_id": lambda a: _transfer(a).pk,
    "recipient_id": lambda a: _recipient(a).pk,
    "immunization_id": lambda a: _immunization(a).pk,
    # The FHIR API's Patient: a recipient of tenant A's organization.
    "patient_id": lambda a: _recipient(a).pk,
    "checkin_id": lambda a: _checkin(a).pk,
    # A recipient's own appointment: nobody else's account opens, moves, cancels or downloads it.
    "appointment_id": lambda a: _appointment(a).pk,
    # A paper form's language: the form is the location's, so the location decides who may have it.
    "language": lambda a: "es",
    # A welcome link is a bearer link for one recipient; nobody signed in may use it.
    "token": _welcome_token,
    # An employer and its upload of employees: only its own coordinators reach them.
    "employer_id": lambda a: a.employer.pk,
    "employee_upload_id": lambda a: _employee_upload(a).pk,
    # One of tenant A's employer's employees (its removal request page).
    "employee_id": lambda a: a.recipient.pk,
    "invitation_id": lambda a: _coordinator_invitation(a).pk,
    # The link that confirms a recipient's new email works for that recipient's account only.
    "email_token": lambda a: _email_change_token(a),
    # Knowledge base articles are public once published; a draft is read by nobody outside admin.
    "slug": lambda a: _draft_article().slug,
    # A help desk case and its files: its requester's own, nobody else's (agents work it in admin).
    "case_number": lambda a: _case(a).number,
    "attachment_id": lambda a: _case(a).attachments.first().pk,
    # A dashboard figure's CSV: every figure is checked by test_no_dashboard_csv_reaches_another_tenant
    # and test_no_jurisdiction_dashboard_reaches_another_department_or_role.
    "figure": lambda a: "doses",
    # A health department's dashboard: its own staff's alone.
    "department_id": lambda a: _department(a).pk,
}


def _draft_article():
    from helpdesk.tests.factories import KnowledgeArticleFactory

    return KnowledgeArticleFactory(slug="tenant-a-draft", published=False)


def _walk(patterns, namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and namespace in PORTAL_NAMESPACES and entry.name:
            yield f"{namespace}:{entry.name}", sorted(entry.pattern.converters)


PORTAL_URLS = sorted(_walk(get_resolver().url_patterns))
OBJECT_URLS = [(name, params) for name, params in PORTAL_URLS if params]
LIST_URLS = [name for name, params in PORTAL_URLS if not params]

#: Everyone of tenant B, plus people with no tenant at all.
OTHER_TENANT_ACTORS = ["manager", "coordinator", "vaccinator", "front_desk", "org_admin", "employer_coordinator",
                       "recipient_user"]


def _actors(tenant_b, outsider, agent):
    people = {name: getattr(tenant_b, name) for name in OTHER_TENANT_ACTORS}
    people.update(outsider=outsider, agent=agent)
    return people


def test_harness_sees_every_portal():
    namespaces = {name.split(":")[0] for name, _ in PORTAL_URLS}
    assert namespaces == PORTAL_NAMESPACES
    assert OBJECT_URLS, "the harness found no object URL to check"


@pytest.mark.parametrize("name,params", OBJECT_URLS, ids=[n for n, _ in OBJECT_URLS])
def test_object_urls_refuse_other_tenants(client, tenant_a, tenant_b, outsider, agent, name, params):
    unknown = [p for p in params if p not in TENANT_A_OBJECTS]
    assert not unknown, f"{name} takes {unknown}: add tenant A's object for it to TENANT_A_OBJECTS"
    url = reverse(name, kwargs={p: TENANT_A_OBJECTS[p](tenant_a) for p in params})
    for who, user in _actors(tenant_b, outsider, agent).items():
        client.force_login(user)
        status = client.get(url).status_code
        if status == 405:  # a POST-only view: the POST must be refused too
            status = client.post(url).status_code
        assert status in (403, 404), f"{who} of another tenant got {status} at {url}"


@pytest.mark.parametrize("name", LIST_URLS)
def test_list_urls_do_not_show_other_tenants_data(client, tenant_a, tenant_b, outsider, agent, name):
    url = reverse(name)
    secrets = [tenant_a.organization.name, tenant_a.location.name, tenant_a.location.provider_pin,
               tenant_a.recipient.last_name, tenant_a.employer.name, tenant_a.manager.email]
    for who, user in _actors(tenant_b, outsider, agent).items():
        client.force_login(user)
        response = client.get(url)
        assert response.status_code < 500, f"{who} got {response.status_code} at {url}"
        body = response.content.decode(errors="replace")
        leaked = [s for s in secrets if s in body]
        assert not leaked, f"{who} of another tenant saw {leaked} at {url}"


def test_vaccines_gov_settings_refuse_other_organizations_and_front_desk_saves(client, tenant_a, tenant_b):
    from cvms.vaccines_gov.models import LocationSettings

    url = reverse("provider_portal:vaccines_gov", kwargs={"location_id": TENANT_A_OBJECTS["location_id"](tenant_a)})
    form = {"public_display": "on", "public_phone": "9195550100", "walkins_accepted": "on"}
    for user in (tenant_b.manager, tenant_b.coordinator):
        client.force_login(user)
        assert client.get(url).status_code == 404 and client.post(url, form).status_code == 404
    client.force_login(tenant_a.front_desk)
    assert client.get(url).status_code == 200  # the location's own Front Desk reads the settings
    assert client.post(url, form).status_code == 404
    assert not LocationSettings.objects.exists()


def test_the_public_scheduling_feed_shows_no_location_that_does_not_book_online(client, tenant_a, tenant_b):
    """The feed's files are public; a location appears only once it opts in to online booking."""
    url = reverse("scheduling_slots", kwargs={"location_id": TENANT_A_OBJECTS["location_id"](tenant_a)})
    for user in (None, tenant_b.manager, tenant_a.manager):
        if user is not None:
            client.force_login(user)
        assert client.get(url).status_code == 404
    body = client.get(reverse("scheduling_locations")).content.decode()
    assert tenant_a.location.name not in body and tenant_a.location.provider_pin not in body


def test_organization_invitation_pages_refuse_another_countys_health_department(client, tenant_a, lhd_wake,
                                                                                lhd_durham, state_reviewer):
    """Tenant A's employer, invited by the Wake County Health Department: Durham's staff and
    another employer's coordinator get 404 on its pages; Wake's and the state's get them."""
    from cvms.organizations.models import Organization

    Organization.objects.filter(pk=tenant_a.employer.pk).update(
        invited_by=Organization.objects.get(name="Wake County Health Department"), invited_at="2026-01-04T10:00Z")
    invitation = _coordinator_invitation(tenant_a)
    pages = [("organization_portal:team", {"organization_id": tenant_a.employer.pk}),
             ("organization_portal:invitation_resend", {"invitation_id": invitation.pk}),
             ("organization_portal:invitation_withdraw", {"invitation_id": invitation.pk})]
    client.force_login(lhd_durham)
    for name, kwargs in pages:
        url = reverse(name, kwargs=kwargs)
        assert client.get(url).status_code in (404, 405) and client.post(url).status_code == 404, url
    listing = client.get(reverse("organization_portal:invited")).content.decode()
    assert tenant_a.employer.name not in listing
    for user in (lhd_wake, state_reviewer, tenant_a.employer_coordinator):
        client.force_login(user)
        assert client.get(reverse(*pages[0][:1], kwargs=pages[0][1])).status_code == 200
    client.force_login(lhd_wake)
    assert tenant_a.employer.name in client.get(reverse("organization_portal:invited")).content.decode()


@pytest.mark.parametrize("figure", FIGURE_KEYS)
def test_no_dashboard_csv_reaches_another_tenant(client, tenant_a, tenant_b, outsider, agent, figure):
    url = reverse("provider_portal:dashboard_csv", kwargs={"location_id": tenant_a.location.pk, "figure": figure})
    for who, user in _actors(tenant_b, outsider, agent).items():
        client.force_login(user)
        status = client.get(url).status_code
        assert status in (403, 404), f"{who} of another tenant got {status} at {url}"


def _jurisdiction_urls(department, figure):
    if figure is None:
        return [reverse("organization_portal:department_dashboard", args=[department.pk]),
                reverse("organization_portal:state_dashboard")]
    return [reverse("organization_portal:department_dashboard_csv", args=[department.pk, figure]),
            reverse("organization_portal:state_dashboard_csv", args=[figure])]


@pytest.mark.parametrize("figure", [None, *JURISDICTION_FIGURE_KEYS])
def test_no_jurisdiction_dashboard_reaches_another_department_or_role(client, tenant_a, agent, lhd_wake, lhd_durham,
                                                                      figure):
    """Wake's dashboard and the state's, page and every CSV: Durham's staff get 404 on Wake's;
    providers, organization administrators, employer coordinators, recipients and help desk agents
    (of Wake's own tenant) get neither; health department staff do not get the state's."""
    department_url, state_url = _jurisdiction_urls(lhd_wake.memberships.get().organization, figure)
    client.force_login(lhd_durham)
    assert client.get(department_url).status_code == 404
    people = {"provider": tenant_a.manager, "org_admin": tenant_a.org_admin,
              "employer_coordinator": tenant_a.employer_coordinator, "recipient": tenant_a.recipient_user,
              "agent": agent}
    for who, user in people.items():
        client.force_login(user)
        for url in (department_url, state_url):
            status = client.get(url).status_code
            assert status in (403, 404), f"{who} got {status} at {url}"
    client.force_login(lhd_wake)
    assert client.get(state_url).status_code == 403
    assert client.get(department_url).status_code == 200


def test_a_department_serving_wake_is_refused_durham_and_shown_none_of_its_figures(client, tenant_a, tenant_b,
                                                                                  lhd_wake):
    """Durham's doses, deliveries and employer are in the database; Wake's department never sees them."""
    import datetime

    from django.utils import timezone

    from cvms.immunizations.tests.history_fixtures import give, local, receive
    from cvms.organizations.models import Location, Organization

    wake = lhd_wake.memberships.get().organization
    Organization.objects.filter(pk=wake.pk).update(served_counties=["Wake"])
    Location.objects.filter(pk=tenant_b.location.pk).update(county="Durham", name="Durham Clinic")
    Organization.objects.filter(pk=tenant_b.employer.pk).update(county="Durham", invited_by=wake,
                                                                invited_at=timezone.now())
    give(tenant_b, receive(tenant_b, "DU1", doses=77), local(timezone.localdate() - datetime.timedelta(days=1)))
    client.force_login(lhd_wake)
    secrets = ["Durham Clinic", tenant_b.employer.name]
    for figure in (None, *JURISDICTION_FIGURE_KEYS):
        url = _jurisdiction_urls(wake, figure)[0]
        refused = client.get(f"{url}?county=Durham")
        assert refused.status_code == 400 and "county" in refused.context["form"].errors, url
        assert refused.context["tables"] == []
        answer = client.get(url)
        body = (b"".join(answer.streaming_content) if answer.streaming else answer.content).decode()
        for response_body in (refused.content.decode(), body):
            leaked = [secret for secret in secrets if secret in response_body]
            assert not leaked, f"Wake's department saw {leaked} at {url}"
        if figure is None:
            tables = {table.key: table for table in answer.context["tables"]}
            assert tables["doses"].rows == [] and tables["county"].rows == [["Wake", 0]]
            assert all(row[1] == "Wake" for row in tables["delivered"].rows)
