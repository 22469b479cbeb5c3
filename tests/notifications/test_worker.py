"""Runs that need committed data: two concurrent runs, and a real Celery worker on a real Redis.

pytest-django runs these after the other tests and empties every table after each one, so they
build their own data, unit list and reminder rules included.
"""

import importlib
import os
import subprocess
import sys
import threading
import time
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection

from accounts.choices import Role
from notifications.models import Digest, Notification, ReminderRule, ReminderRun
from notifications.delivery import deliver_digest
from notifications.reminders import run_reminders
from notifications.tasks import run_reminders_for_day
from provinces.models import Commune, District, Province
from rollout.models import Step
from tests.conftest import enrol_communes, make_phase, make_plan, make_user

from .conftest import D

DAY = D(2018, 6, 1)
BASE_DIR = Path(settings.BASE_DIR)


def build_rollout():
    """Units, rules, four responsible people and five enrolled communes with steps due or late."""
    if not Province.objects.exists():
        call_command("load_units", verbosity=0, stdout=StringIO())
    if not ReminderRule.objects.exists():
        importlib.import_module("notifications.migrations.0002_seed_reminder_rules").seed(apps, None)
    lam_dong = Province.objects.get(code="68", valid_until__isnull=False)
    lam_ha = District.objects.get(province=lam_dong, short_name="Lâm Hà")
    da_lat = District.objects.get(province=lam_dong, short_name="Đà Lạt")
    people = [
        make_user("dost_lamdong", Role.DOST_STAFF, province=lam_dong),
        make_user("huyen_lamha", Role.DISTRICT_OFFICER, district=lam_ha),
        make_user("huyen_dalat", Role.DISTRICT_OFFICER, district=da_lat),
        make_user("lanhdao_lamdong", Role.LEADERSHIP, province=lam_dong),
    ]
    make_user("quantri", Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    plan = make_plan(lam_dong, number="MH-68/KH-UBND")
    phase = make_phase(plan, 1, starts_on=D(2018, 3, 1), ends_on=D(2018, 12, 31))
    communes = list(Commune.objects.filter(district=lam_ha).order_by("code")[:3])
    communes += list(Commune.objects.filter(district=da_lat).order_by("code")[:2])
    enrol_communes(phase, communes)
    steps = Step.objects.filter(enrolment__phase=phase)
    steps.update(due_on=D(2030, 1, 1))
    steps.filter(kind="survey").update(due_on=D(2018, 4, 20))  # 42 days late: escalated
    steps.filter(kind="training").update(due_on=D(2018, 6, 6))
    return people


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_digest_once():
    people = build_rollout()
    expected = run_reminders(DAY, dry_run=True).notifications
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(run_reminders(DAY, deliver=deliver_digest))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sum(len(result.digests) for result in results) == len(people)
    assert Digest.objects.count() == len(people)
    assert Notification.objects.count() == expected
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)


def worker_database_url():
    db = connection.settings_dict
    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.celery_e2e
@pytest.mark.django_db(transaction=True)
def test_daily_job_runs_end_to_end_through_a_celery_worker_on_redis(tmp_path):
    people = build_rollout()
    expected = {user.username: len(items) for user, items in run_reminders(DAY, dry_run=True).digests}
    outbox = tmp_path / "mail"
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "isotrack.settings.test",
        "DATABASE_URL": worker_database_url(),
        "EMAIL_FILE_PATH": str(outbox),
        "SITE_URL": "https://isotrack.example.gov.vn",
    }
    celery = BASE_DIR / ".venv" / "bin" / "celery"
    command = [
        str(celery) if celery.exists() else sys.executable,
        *([] if celery.exists() else ["-m", "celery"]),
        "-A",
        "isotrack",
        "worker",
        "--pool=solo",
        "-l",
        "info",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    with open(log_path, "w") as log:
        worker = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        run_reminders_for_day.delay(DAY.isoformat())
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if Digest.objects.filter(emailed_at__isnull=False).count() >= len(people):
                break
            assert worker.poll() is None, "the worker stopped:\n" + log_path.read_text()[-3000:]
            time.sleep(0.5)
        else:
            pytest.fail("no digests e-mailed within 90 s:\n" + log_path.read_text()[-3000:])
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()

    assert ReminderRun.objects.get(day=DAY).finished_at is not None
    for user in people:
        assert Notification.objects.filter(user=user).count() == expected[user.username]
    assert Digest.objects.count() == len(people)
    messages = [path.read_text(encoding="utf-8") for path in sorted(outbox.iterdir())]
    text = "\n".join(messages)
    for user in people:
        assert text.count(f"To: {user.email}") == 1
    assert "https://isotrack.example.gov.vn/xa/" in text
    assert "Bước triển khai quá hạn" in text and "Quá hạn lâu, cần lãnh đạo chỉ đạo" in text
