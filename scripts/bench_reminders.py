"""Time the reminder job over a national-scale rollout (every pre-2025 commune enrolled).

    DATABASE_URL=postgres://… DJANGO_SETTINGS_MODULE=isotrack.settings.test \
        .venv/bin/python scripts/bench_reminders.py [--date 2026-11-22]

Builds the data once (bulk inserts, on an empty database: migrate first), then runs the job
twice for the date: the first run sends every digest (e-mails to the settings' backend), the
second must send nothing. Prints the time and number of SQL queries of each run.

Measured on 2 cores, PostgreSQL 15 (10,051 enrolments, 80,408 steps, 822 users):
  first day  817 digests, 61,237 entries: 4.4 s, 33 queries; again: nothing sent, 0.8 s
  next day   748 digests, 12,837 entries: 3.5 s, 29 queries; again: nothing sent, 1.1 s
  the e-mails, sent by the worker afterwards: 9–11 ms each.
"""
import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isotrack.settings.test")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from accounts.choices import Role  # noqa: E402
from accounts.models import RoleAssignment  # noqa: E402
from notifications.models import Digest, Notification  # noqa: E402
from notifications.reminders import deliver_digest, run_reminders  # noqa: E402
from provinces.models import Commune, District, Province  # noqa: E402
from rollout.actions import spread_due_dates  # noqa: E402
from rollout.choices import STEP_ORDER, MaintenanceKind, ReviewState, Status, StepKind  # noqa: E402
from rollout.models import Announcement, Enrolment, MaintenanceActivity, Phase, RolloutPlan, Step  # noqa: E402

D = datetime.date
PLAN_NUMBER = "BENCH/KH-UBND"


@transaction.atomic
def build():
    rng = random.Random(9001)
    User = get_user_model()
    provinces = list(Province.objects.filter(valid_until__isnull=False))
    communes = list(Commune.objects.filter(valid_until__isnull=False))
    by_province = {}
    for commune in communes:
        by_province.setdefault(commune.province_id, []).append(commune)
    users, assignments = [], []
    for province in provinces:
        for role, name in ((Role.DOST_STAFF, "dost"), (Role.LEADERSHIP, "lanhdao")):
            users.append((User(username=f"{name}_{province.code}", email=f"{name}_{province.code}@bench.vn"),
                          role, province.pk, None))
    for district in District.objects.filter(valid_until__isnull=False):
        users.append((User(username=f"huyen_{district.code}", email=f"huyen_{district.code}@bench.vn"),
                      Role.DISTRICT_OFFICER, district.province_id, district.pk))
    User.objects.bulk_create([user for user, *_rest in users])
    saved = {u.username: u for u in User.objects.filter(username__in=[user.username for user, *_ in users])}
    for user, role, province_id, district_id in users:
        assignments.append(RoleAssignment(user=saved[user.username], role=role, province_id=province_id,
                                          district_id=district_id))
    RoleAssignment.objects.bulk_create(assignments)

    plans = RolloutPlan.objects.bulk_create([
        RolloutPlan(province=p, number=PLAN_NUMBER, issued_on=D(2018, 1, 1), title="Kế hoạch đo hiệu năng",
                    starts_on=D(2018, 1, 1), ends_on=D(2027, 12, 31), target_value=70, target_date=D(2027, 12, 31))
        for p in provinces
    ])
    phases = Phase.objects.bulk_create([
        Phase(plan=plan, order=1, kind="expansion", name="Toàn tỉnh", starts_on=D(2018, 1, 1),
              ends_on=D(2026, 12, 15), target_communes=len(by_province.get(plan.province_id, [])))
        for plan in plans
    ])
    enrolments, progress = [], []
    for plan, phase in zip(plans, phases):
        for commune in by_province.get(plan.province_id, []):
            done = 8 if rng.random() < 0.6 else rng.randint(0, 7)
            status = Status.ANNOUNCED if done == 8 else (Status.PLANNED if done == 0 else Status.BUILDING)
            enrolments.append(Enrolment(plan=plan, phase=phase, commune=commune, enrolled_on=D(2018, 1, 1),
                                        status=status))
            progress.append(done)
    Enrolment.objects.bulk_create(enrolments, batch_size=2000)
    steps, announcements, activities = [], [], []
    start = D(2024, 1, 1)
    for enrolment, done in zip(enrolments, progress):
        dues = spread_due_dates(start, D(2026, 12, 15))
        for index, (kind, due) in enumerate(zip(StepKind.values, dues)):
            finished = index < done
            steps.append(Step(enrolment=enrolment, kind=kind, order=STEP_ORDER[kind], due_on=due,
                              done_on=due if finished else None,
                              review_state=ReviewState.CONFIRMED if finished else ReviewState.NOT_RECORDED))
        if done == 8:
            decided = dues[-1] if dues[-1] < D(2026, 1, 1) else D(2025, rng.randint(1, 12), rng.randint(1, 28))
            announcements.append(Announcement(enrolment=enrolment, decision_number="1/QĐ-UBND", decided_on=decided,
                                              standard_version="2015"))
            if rng.random() < 0.5:
                activities.append(MaintenanceActivity(enrolment=enrolment, kind=MaintenanceKind.INTERNAL_AUDIT,
                                                      done_on=decided + datetime.timedelta(days=rng.randint(200, 400))))
    Step.objects.bulk_create(steps, batch_size=5000)
    Announcement.objects.bulk_create(announcements, batch_size=5000)
    MaintenanceActivity.objects.bulk_create(activities, batch_size=5000)
    return len(enrolments), len(steps), len(users)


def timed_run(day, deliver):
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        result = run_reminders(day, deliver=deliver)
        elapsed = time.perf_counter() - started
    return result, elapsed, len(queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--date", default="2026-11-22")
    parser.add_argument("--profile", action="store_true", help="print where the first run spends its time")
    args = parser.parse_args()
    day = D.fromisoformat(args.date)
    if not Province.objects.exists():
        call_command("load_units", verbosity=0)
    if not RolloutPlan.objects.filter(number=PLAN_NUMBER).exists():
        started = time.perf_counter()
        enrolments, steps, users = build()
        print(f"built {enrolments} enrolments, {steps} steps, {users} users in {time.perf_counter() - started:.1f} s")
    Digest.objects.filter(day=day).delete()
    Notification.objects.filter(digest__day=day).delete()
    open_steps = Step.objects.open().count()
    print(f"open steps: {open_steps}")
    owed = []
    for attempt in ("first run", "second run"):
        if args.profile and attempt == "first run":
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
        # The job records digests and queues e-mails; the e-mails go out afterwards (Celery tasks).
        result, elapsed, queries = timed_run(day, owed.append)
        if args.profile and attempt == "first run":
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        print(f"{attempt}: {len(result.digests)} digests, {result.notifications} items, "
              f"{elapsed:.2f} s, {queries} queries")
    started = time.perf_counter()
    owed = sorted(set(owed))
    for digest_id in owed:
        deliver_digest(digest_id)
    print(f"e-mails: {len(owed)} sent in {time.perf_counter() - started:.2f} s "
          f"({(time.perf_counter() - started) / max(len(owed), 1) * 1000:.0f} ms each, by the worker)")


if __name__ == "__main__":
    main()
