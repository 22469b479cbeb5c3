"""The daily schedule: beat every 15 minutes, sending once the administrators' send time passed."""

import datetime
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from isotrack.celery import app
from notifications import tasks
from notifications.models import Digest, Notification, ReminderRun, ReminderSettings
from rollout.models import Step

from .conftest import D, at, set_due

TODAY = D(2018, 6, 1)


@pytest.fixture
def due_step(far_future, dost_lamdong, officer_lamha):
    step = Step.objects.filter(enrolment__phase=far_future, enrolment__commune__district__short_name="Lâm Hà").first()
    set_due([step], TODAY + datetime.timedelta(days=3))
    return step


def test_beat_runs_the_reminder_task_every_15_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["deadline-reminders"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks and entry["schedule"] == 15 * 60


def test_daily_task_waits_for_the_send_time_then_runs_once(due_step, django_capture_on_commit_callbacks):
    with at(TODAY, 6, 55):
        assert tasks.run_due_reminders() == "not-yet"
    assert not Digest.objects.exists()
    with at(TODAY, 7, 5):
        assert tasks.run_due_reminders() == "2 digests"
    assert ReminderRun.objects.get(day=TODAY).finished_at is not None
    with at(TODAY, 7, 20):
        assert tasks.run_due_reminders() == "done"
    assert Digest.objects.count() == 2


def test_administrators_move_the_send_time(due_step):
    schedule = ReminderSettings.load()
    schedule.send_time = datetime.time(9, 30)
    schedule.save()
    with at(TODAY, 9, 0):
        assert tasks.run_due_reminders() == "not-yet"
    with at(TODAY, 9, 45):
        assert tasks.run_due_reminders() == "2 digests"


def test_disabled_schedule_sends_nothing(due_step):
    ReminderSettings.objects.filter(pk=1).update(is_enabled=False)
    with at(TODAY, 12):
        assert tasks.run_due_reminders() == "not-yet"


def test_command_dry_run_prints_what_it_would_send_and_writes_nothing(due_step):
    out = StringIO()
    with at(TODAY):
        call_command("send_reminders", "--date", "2018-06-01", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "dost_lamdong" in text and "huyen_lamha" in text and "sẽ gửi 1 mục" in text
    assert "Đào tạo" in text or "Khảo sát" in text
    assert not Digest.objects.exists() and not Notification.objects.exists()


def test_command_sends_then_sends_nothing_for_the_same_date(due_step, mailoutbox, django_capture_on_commit_callbacks):
    out = StringIO()
    with at(TODAY), django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--date", "2018-06-01", stdout=out)
    assert "dost_lamdong <dost_lamdong@example.vn>: đã gửi 1 mục" in out.getvalue()
    assert "[2/2] dost_lamdong: 1, huyen_lamha: 1" in out.getvalue()
    assert len(mailoutbox) == 2
    out = StringIO()
    with at(TODAY), django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--date", "2018-06-01", stdout=out)
    assert "0 bản tin" in out.getvalue()
    assert len(mailoutbox) == 2


def test_command_rejects_a_bad_date():
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "01/06/2018")


def test_a_late_worker_still_sends_the_days_digests(due_step):
    with at(TODAY, 22, 40):  # the worker was down all morning
        assert tasks.run_due_reminders() == "2 digests"


def test_a_run_that_crashed_is_run_again_by_the_next_tick(due_step, monkeypatch):
    from notifications import reminders

    def crash(*args, **kwargs):
        raise ConnectionError("database went away")

    real = reminders.build_digests
    monkeypatch.setattr(reminders, "build_digests", crash)
    with at(TODAY, 7, 5), pytest.raises(ConnectionError):
        tasks.run_due_reminders()
    assert ReminderRun.objects.get(day=TODAY).finished_at is None
    monkeypatch.setattr(reminders, "build_digests", real)
    with at(TODAY, 7, 20):
        assert tasks.run_due_reminders() == "2 digests"
