"""The check-in search box: a name, a date of birth, an email, a phone, and combinations, over
every recipient in the state."""

import datetime

import pytest

from cvms.recipients.search import search_terms
from cvms.recipients.selectors import FIND_LIMIT, recipients_find
from cvms.recipients.tests.factories import RecipientFactory

TODAY = datetime.date(2026, 6, 1)
BORN = datetime.date(1985, 3, 14)


def names(found) -> list[str]:
    return [f"{r.first_name} {r.last_name}" for r in found]


@pytest.fixture
def people(db):
    RecipientFactory(first_name="John", last_name="Smith", date_of_birth=BORN, email="john.smith@example.com",
                     phone="9195550100", city="Raleigh", county="Wake")
    RecipientFactory(first_name="Jane", last_name="Smith", date_of_birth=datetime.date(1990, 7, 4),
                     email="jane@example.com", phone="")
    RecipientFactory(first_name="Adam", last_name="Smithers", date_of_birth=BORN, email="adam@example.com")
    RecipientFactory(first_name="Mary Ann", last_name="Goldsmith", date_of_birth=datetime.date(1970, 1, 2))
    RecipientFactory(first_name="José", last_name="Peña-O'Neil", date_of_birth=datetime.date(1962, 12, 30),
                     email="jose@example.com", phone="7045550199")
    RecipientFactory(first_name="Smith", last_name="Jones", date_of_birth=datetime.date(2001, 5, 5))
    RecipientFactory(first_name="Maria", last_name="de la Cruz", date_of_birth=datetime.date(1999, 9, 9))


class TestReadingTheBox:
    @pytest.mark.parametrize("typed", ["3/14/1985", "03/14/1985", "03/14/85", "3-14-1985", "1985-03-14",
                                       "3.14.1985"])
    def test_a_date_of_birth_in_any_common_form(self, typed):
        assert search_terms(typed, today=TODAY).born == BORN

    def test_a_two_digit_year_is_never_in_the_future(self):
        assert search_terms("1/2/10", today=TODAY).born == datetime.date(2010, 1, 2)
        assert search_terms("1/2/30", today=TODAY).born == datetime.date(1930, 1, 2)

    @pytest.mark.parametrize("typed", ["9195550100", "919-555-0100", "(919) 555-0100", "919.555.0100",
                                       "+1 919 555 0100", "1-919-555-0100", "919 555 0100"])
    def test_a_phone_number_in_any_common_form(self, typed):
        assert search_terms(typed, today=TODAY).phone == "9195550100"

    def test_a_date_that_is_not_one_is_named(self):
        terms = search_terms("smith 13/45/1985", today=TODAY)
        assert terms.born is None and terms.words == ["smith"]
        assert terms.notes == ["13/45/1985 is not a date. Type a date of birth as 3/14/1985."]

    def test_last_comma_first(self):
        terms = search_terms("Smith, John", today=TODAY)
        assert (terms.last, terms.first, terms.words) == ("smith", "john", [])

    def test_nul_bytes_and_full_width_letters_are_folded(self):
        assert search_terms("Ｓｍｉｔｈ\x00 ３/１４/１９８５", today=TODAY).words == ["smith"]
        assert search_terms("Ｓｍｉｔｈ\x00 ３/１４/１９８５", today=TODAY).born == BORN


class TestFinding:
    def test_a_last_name_finds_everyone_whose_last_name_begins_with_it_exact_first(self, people):
        found, _terms = recipients_find("smith")
        assert names(found) == ["Jane Smith", "John Smith", "Adam Smithers"]

    def test_first_then_last_name(self, people):
        assert names(recipients_find("john smith")[0]) == ["John Smith"]

    def test_last_then_first_name_and_with_a_comma(self, people):
        assert names(recipients_find("smith john")[0]) == ["John Smith"]
        assert names(recipients_find("Smith, Jo")[0]) == ["John Smith"]

    def test_the_likeliest_reading_comes_first(self, people):
        # "smith jones": the last name Jones with first name Smith, before the Smiths named J….
        assert names(recipients_find("smith jones")[0]) == ["Smith Jones"]

    def test_two_word_names(self, people):
        assert names(recipients_find("mary ann goldsmith")[0]) == ["Mary Ann Goldsmith"]
        assert names(recipients_find("maria de la cruz")[0]) == ["Maria de la Cruz"]
        assert names(recipients_find("de la cruz")[0]) == ["Maria de la Cruz"]

    def test_accents_hyphens_and_apostrophes_do_not_matter(self, people):
        assert names(recipients_find("jose pena")[0]) == ["José Peña-O'Neil"]
        assert names(recipients_find("PEÑA-O'NEIL")[0]) == ["José Peña-O'Neil"]
        assert names(recipients_find("pena oneil")[0]) == ["José Peña-O'Neil"]

    def test_a_date_of_birth(self, people):
        assert names(recipients_find("3/14/1985")[0]) == ["John Smith", "Adam Smithers"]

    def test_a_name_and_a_date_of_birth(self, people):
        assert names(recipients_find("smith 3/14/1985")[0]) == ["John Smith", "Adam Smithers"]
        assert names(recipients_find("smith 1985-03-14 adam")[0]) == ["Adam Smithers"]

    def test_an_email_whole_or_begun(self, people):
        assert names(recipients_find("John.Smith@Example.com")[0]) == ["John Smith"]
        assert names(recipients_find("jane@")[0]) == ["Jane Smith"]

    def test_a_phone_in_any_form(self, people):
        assert names(recipients_find("(704) 555-0199")[0]) == ["José Peña-O'Neil"]
        assert names(recipients_find("+1 919.555.0100")[0]) == ["John Smith"]

    def test_a_phone_stored_with_its_country_code(self, people):
        RecipientFactory(first_name="Kay", last_name="Long", phone="13365550123")
        assert names(recipients_find("336-555-0123")[0]) == ["Kay Long"]

    def test_a_phone_and_a_name_narrow_each_other(self, people):
        assert names(recipients_find("smith 919-555-0100")[0]) == ["John Smith"]
        assert recipients_find("jones 919-555-0100")[0] == []

    def test_results_show_only_name_date_of_birth_and_place(self, people):
        found = recipients_find("john smith")[0][0]
        assert (found.city, found.county) == ("Raleigh", "Wake")
        assert {"email", "phone", "address_line1"} <= found.get_deferred_fields()

    def test_at_most_a_screenful_of_results(self, db):
        for n in range(FIND_LIMIT + 5):
            RecipientFactory(last_name="Many", first_name=f"Person{n:02d}")
        found = recipients_find("many")[0]
        assert len(found) == FIND_LIMIT and found[0].first_name == "Person00"

    def test_like_wildcards_match_nothing_special(self, people):
        assert recipients_find("%@%")[0] == []
        assert recipients_find("_")[0] == []

    def test_nothing_searchable_finds_nobody(self, people):
        assert recipients_find("   ")[0] == []
        assert recipients_find("12")[0] == []
