"""An extract made while a dose is being saved neither loses nor doubles it: the high-water mark
waits for the dose's transaction, and the next extract starts after it."""

import datetime
import threading
import time

import pytest
from django.db import connection, transaction

from cvms.core.errors import ServiceError
from cvms.recipients.tests.factories import RecipientFactory
from cvms.reporting.cvrs_extract import EXTRACT_LOCK, cvrs_extract_create
from cvms.reporting.models import ReportEvent
from cvms.reporting.tests.cvrs_fixtures import give_fixture, lot_fixture, media_fixture  # noqa: F401 (fixtures)

DAY = datetime.date(2026, 11, 30)


@pytest.mark.django_db(transaction=True)
def test_an_extract_waits_for_a_dose_being_saved_and_reports_it_once(give, media):
    recipient = RecipientFactory()
    saved, commit = threading.Event(), threading.Event()
    doses, extracts = [], []

    def save_slowly():
        try:
            with transaction.atomic():
                doses.append(give(recipient))
                saved.set()
                commit.wait(10)
        finally:
            connection.close()

    def extract():
        try:
            extracts.append(cvrs_extract_create(report_date=DAY))
        finally:
            connection.close()

    saver = threading.Thread(target=save_slowly)
    saver.start()
    assert saved.wait(10)
    extractor = threading.Thread(target=extract)
    extractor.start()
    time.sleep(0.5)
    assert extractor.is_alive() and not extracts  # waiting for the dose's transaction
    commit.set()
    saver.join(10), extractor.join(10)
    (first,) = extracts
    assert first.until_event == ReportEvent.objects.get().pk and first.written == 1
    assert cvrs_extract_create(report_date=DAY).written == 0


@pytest.mark.django_db(transaction=True)
def test_two_extracts_at_once_are_refused_rather_than_doubled(give, media):
    give()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [EXTRACT_LOCK])
    refusals = []

    def extract():
        try:
            cvrs_extract_create(report_date=DAY)
        except ServiceError as refusal:
            refusals.append(str(refusal))
        finally:
            connection.close()

    thread = threading.Thread(target=extract)
    thread.start()
    thread.join(10)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [EXTRACT_LOCK])
    assert refusals == ["Another CVRS extract is being made; try again when it is done."]
    assert cvrs_extract_create(report_date=DAY).written == 1
