"""A location's county is one of the jurisdiction's, spelt as its list spells it: the health
department's and the state's dashboards count a location by it."""

import pytest

from enrollment.forms import LocationForm

LOCATION = {"name": "Main Clinic", "location_type": "pharmacy", "address_line1": "1 Main St", "city": "Raleigh",
            "state": "NC", "zip_code": "27601", "phone": "9195550111"}


@pytest.mark.parametrize("typed, stored",
                         [("Wake", "Wake"), ("wake county", "Wake"), ("  new   HANOVER ", "New Hanover")])
def test_a_county_of_the_list_is_stored_as_the_list_spells_it(db, typed, stored):
    form = LocationForm(data={**LOCATION, "county": typed})
    form.is_valid()
    assert "county" not in form.errors
    assert form.cleaned_data["county"] == stored


def test_a_county_not_on_the_list_is_refused_naming_the_field(db):
    form = LocationForm(data={**LOCATION, "county": "Wak"})
    assert not form.is_valid()
    assert form.errors["county"] == ["Enter a county of North Carolina, such as Alamance."]


def test_without_a_list_any_county_is_taken(db, settings):
    settings.CVMS_COUNTIES = []
    form = LocationForm(data={**LOCATION, "county": "Springfield"})
    form.is_valid()
    assert form.cleaned_data["county"] == "Springfield"
