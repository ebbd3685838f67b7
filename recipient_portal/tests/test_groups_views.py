"""Find My Group in the Recipient Portal: the questions, the group they find and whether it is
being vaccinated now, in English and Spanish; only the signed-in recipient's own answers."""

import re

import pytest
from django.urls import reverse

from cvms.core.models import AuditLog
from cvms.eligibility.choices import LivingSetting
from cvms.eligibility.models import EligibilityAnswers
from cvms.eligibility.services import eligibility_answer
from cvms.eligibility.tests.helpers import nc_groups

QUESTIONS = reverse("recipient_portal:group_questions")
RESULT = reverse("recipient_portal:group")


@pytest.fixture
def rita(client, tenant_a):
    nc_groups()
    client.force_login(tenant_a.recipient_user)
    return tenant_a.recipient


def test_the_home_page_links_to_find_my_group(client, rita):
    assert f'href="{RESULT}"' in client.get(reverse("recipient_portal:home")).content.decode()


def test_before_answering_the_group_page_leads_to_the_questions(client, rita):
    response = client.get(RESULT)
    assert response.status_code == 302 and response["Location"] == QUESTIONS


def test_a_grocery_worker_answers_and_is_told_her_group_is_being_vaccinated_now(client, rita):
    body = client.get(QUESTIONS).content.decode()
    assert "date of birth on your record" in body and 'name="industry"' in body
    response = client.post(QUESTIONS, {"industry": "retail", "living_setting": "home"}, follow=True)
    body = response.content.decode()
    assert 'data-group="3" data-open="true"' in body
    assert "You are in Group 3: Frontline essential workers." in body
    assert "Group 3: Frontline essential workers is being vaccinated now." in body
    answers = EligibilityAnswers.objects.get(recipient=rita)
    assert answers.industry == "retail" and answers.answered_by == rita.user
    assert AuditLog.objects.filter(action="eligibility.answers.saved", actor=rita.user).exists()


def test_someone_in_a_group_not_open_yet_is_told_so(client, rita):
    response = client.post(QUESTIONS, {"industry": "none", "living_setting": "home"}, follow=True)
    body = response.content.decode()
    assert 'data-group="5" data-open="false"' in body and "is not being vaccinated yet" in body
    assert EligibilityAnswers.objects.get(recipient=rita).industry == ""


def test_the_questions_show_the_earlier_answers_to_change_them(client, rita):
    eligibility_answer(recipient=rita, industry="", conditions=["diabetes", "heart"],
                       living_setting=LivingSetting.SHELTER, actor=None)
    body = client.get(QUESTIONS).content.decode()
    checked = re.findall(r'name="(\w+)" value="(\w+)" id="[^"]+" checked', body)
    assert sorted(checked) == [("conditions", "diabetes"), ("conditions", "heart"), ("industry", "none"),
                               ("living_setting", "shelter")]


def test_missing_answers_are_named_on_the_page_never_a_500(client, rita):
    response = client.post(QUESTIONS, {"conditions": ["hiccups"]})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Where do you work? This field is required." in body
    assert "Where do you live? This field is required." in body
    assert "Do you have any of these conditions? Select a valid choice." in body
    assert not EligibilityAnswers.objects.filter(recipient=rita).exists()


def test_find_my_group_is_in_spanish_for_a_spanish_speaker(client, rita):
    client.cookies["django_language"] = "es"
    body = client.get(QUESTIONS).content.decode()
    assert '<html lang="es"' in body
    body = client.post(QUESTIONS, {"industry": "healthcare", "living_setting": "home"}, follow=True).content.decode()
    assert "Grupo 1: Trabajadores de la salud y cuidado a largo plazo" in body


def test_a_recipient_sees_only_their_own_group(client, rita, tenant_b):
    eligibility_answer(recipient=tenant_b.recipient, industry="healthcare", conditions=[],
                       living_setting=LivingSetting.HOME, actor=None)
    client.post(QUESTIONS, {"industry": "retail", "living_setting": "home"})
    client.force_login(tenant_b.recipient_user)
    body = client.get(RESULT).content.decode()
    assert 'data-group="1"' in body and 'data-group="3"' not in body
    assert EligibilityAnswers.objects.get(recipient=rita).group.order == 3


def test_find_my_group_asks_anonymous_people_to_sign_in_and_refuses_providers(client, tenant_a, db):
    for url in (QUESTIONS, RESULT):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    client.force_login(tenant_a.manager)
    assert client.get(QUESTIONS).status_code == 403 and client.get(RESULT).status_code == 403


def test_the_group_page_answers_only_get_and_the_questions_refuse_other_methods(client, rita):
    assert client.post(RESULT).status_code == 405
    assert client.put(QUESTIONS).status_code == 405
