"""The reminders' time and batch come from the environment, and bad values are refused by name."""

from cvms.core.tests.test_settings import _manage, _setting


def test_beat_sends_both_reminders_at_the_configured_time():
    schedule = _setting("CELERY_BEAT_SCHEDULE", CVMS_REMINDERS_AT="21:30")
    for task in ("send_day_before_reminders", "send_dose_reminders"):
        assert f"'task': 'cvms.appointments.tasks.{task}', 'schedule': <crontab: 30 21 " in schedule


def test_a_bad_reminder_time_or_batch_is_refused_by_name():
    result = _manage("check", CVMS_REMINDERS_AT="25:00")
    assert result.returncode != 0 and "CVMS_REMINDERS_AT" in result.stderr
    result = _manage("check", CVMS_REMINDER_BATCH="0")
    assert result.returncode != 0 and "CVMS_REMINDER_BATCH must be at least 1" in result.stderr
