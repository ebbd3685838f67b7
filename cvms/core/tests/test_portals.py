"""The portal registry: portals fill it in as they start; the core reads it and names none of them."""

import pathlib
import re

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from cvms.core import portals as registry
from cvms.core.portals import Portal, portal_register, portals

PORTAL_APPS = ("enrollment", "provider_portal", "recipient_portal", "organization_portal", "helpdesk")


def test_every_portal_app_registers_its_portal_in_order():
    assert [p.key for p in portals()] == ["enrollment", "provider", "recipient", "organization", "helpdesk"]
    assert [p.url for p in portals()] == ["/enroll/", "/provider/", "/recipient/", "/organization/", "/helpdesk/"]


def test_every_role_works_in_exactly_one_portal():
    from cvms.accounts.models import Role

    claimed = [role for p in portals() for role in p.roles]
    assert sorted(claimed) == sorted(str(r) for r in Role)


def test_two_portals_cannot_claim_one_role(monkeypatch):
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    with pytest.raises(ImproperlyConfigured, match="recipient"):
        portal_register(Portal(key="clinic", name="Clinic", description="", url_name="home",
                               roles=frozenset({"recipient"}), order=99))


def test_a_visiting_role_sees_the_portal_but_lands_in_its_own(monkeypatch):
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    portal_register(Portal(key="oversight", name="Oversight", description="", url_name="home", order=99,
                           roles=frozenset(), visiting_roles=frozenset({"state_staff"})))
    assert "oversight" in [p.key for p in registry.portals_for(signed_in=True, roles={"state_staff"})]
    assert "oversight" not in [p.key for p in registry.portal_homes_for({"state_staff"})]
    assert "oversight" not in [p.key for p in registry.portals_for(signed_in=True, roles={"vaccinator"})]


@pytest.mark.parametrize("package", ["cvms/core", "cvms/accounts"])
def test_the_core_names_no_portal_url_and_imports_no_portal(package):
    names = "|".join(PORTAL_APPS)
    offenders = []
    for path in (pathlib.Path(settings.BASE_DIR) / package).rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        source = path.read_text()
        if re.search(rf"""["'](?:{names}):""", source) or re.search(rf"^\s*(?:from|import) (?:{names})\b", source,
                                                                     re.M):
            offenders.append(str(path.relative_to(settings.BASE_DIR)))
    assert offenders == []
