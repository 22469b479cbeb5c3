"""The benchmark's dataset builder, run at a small scale so that it cannot rot unnoticed."""
import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count

from accounts.choices import Role
from accounts.models import RoleAssignment
from bench.dataset import BenchDataBuilder, derived_fields
from provinces.loading import PRE_2025_UNTIL
from provinces.models import Commune, District
from rollout.choices import ReviewState, Status
from rollout.models import (
    Announcement,
    BudgetLine,
    Enrolment,
    Expenditure,
    Phase,
    RolloutPlan,
    Step,
    derive_status,
)

TODAY = datetime.date(2024, 6, 30)
PROVINCES = ("68", "20")  # Lâm Đồng, Lạng Sơn


@pytest.fixture
def built(db):
    call_command("build_bench_data", provinces=",".join(PROVINCES), today=TODAY, stdout=io.StringIO())


def pre_2025_communes(codes):
    return Commune.objects.filter(province__code__in=codes, province__valid_until=PRE_2025_UNTIL)


def test_every_commune_of_the_chosen_provinces_is_enrolled_once_with_eight_steps(built):
    communes = pre_2025_communes(PROVINCES)
    assert Enrolment.objects.count() == communes.count()
    assert set(Enrolment.objects.values_list("commune_id", flat=True)) == set(communes.values_list("pk", flat=True))
    assert RolloutPlan.objects.count() == 2
    assert Phase.objects.count() == 4
    assert Step.objects.count() == 8 * communes.count()
    assert not Enrolment.objects.annotate(n=Count("steps")).exclude(n=8).exists()
    # Something in every state the pages and the reminder job deal with.
    statuses = set(Enrolment.objects.values_list("status", flat=True))
    assert {Status.BUILDING, Status.APPLYING, Status.ANNOUNCED} <= statuses
    assert Step.objects.filter(review_state=ReviewState.AWAITING).exists()
    assert Step.objects.filter(review_state=ReviewState.RETURNED).exists()
    assert Step.objects.filter(done_on__isnull=True, due_on__lt=TODAY).exists()  # overdue
    assert Announcement.objects.exists()
    assert BudgetLine.objects.exists() and Expenditure.objects.exists()


def test_stored_status_current_step_and_due_date_agree_with_the_records(built):
    enrolments = Enrolment.objects.prefetch_related("steps", "announcements", "maintenance")
    for enrolment in enrolments:
        stored = (enrolment.status, enrolment.current_step, enrolment.next_due_on, enrolment.upkeep_due_on)
        assert enrolment.status == derive_status(
            list(enrolment.steps.all()), list(enrolment.announcements.all()), list(enrolment.maintenance.all())
        )
        enrolment.refresh_status(save=False)
        assert (enrolment.status, enrolment.current_step, enrolment.next_due_on, enrolment.upkeep_due_on) == stored, \
            enrolment.pk


def test_records_pass_the_models_validation(built):
    for enrolment in Enrolment.objects.order_by("pk")[:50]:
        enrolment.full_clean()
    for step in Step.objects.filter(done_on__isnull=False).order_by("pk")[:200]:
        step.full_clean()
        assert step.done_on <= TODAY
    for announcement in Announcement.objects.order_by("pk")[:50]:
        announcement.full_clean()


def test_users_hold_one_role_each_in_their_area(built):
    districts = District.objects.filter(province__code__in=PROVINCES, province__valid_until=PRE_2025_UNTIL).count()
    assert get_user_model().objects.count() == 2 + 2 * len(PROVINCES) + districts
    assert RoleAssignment.objects.filter(role=Role.DOST_STAFF).count() == len(PROVINCES)
    assert RoleAssignment.objects.filter(role=Role.DISTRICT_OFFICER).count() == districts
    assert RoleAssignment.objects.filter(role=Role.LEADERSHIP, province__isnull=True).count() == 1
    assert get_user_model().objects.get(username="admin").is_superuser


def test_history_records_each_step_from_creation_to_review(built):
    steps = Step.objects.count()
    done = Step.objects.filter(done_on__isnull=False).count()
    assert Step.history.filter(history_type="+").count() == steps
    assert Step.history.filter(history_type="~").count() >= done
    assert not Step.history.filter(history_user__isnull=True).exists()
    step = Step.objects.filter(review_state=ReviewState.CONFIRMED).order_by("pk").first()
    states = list(step.history.order_by("history_date", "history_id").values_list("review_state", flat=True))
    assert states == [ReviewState.NOT_RECORDED, ReviewState.AWAITING, ReviewState.CONFIRMED]
    assert Enrolment.history.count() >= Enrolment.objects.count()


def test_the_same_seed_builds_the_same_data(db):
    def fingerprint():
        return sorted(Enrolment.objects.values_list("commune__code", "phase__order", "status", "current_step",
                                                    "next_due_on"))

    prints = []
    for _ in range(2):
        with transaction.atomic():
            BenchDataBuilder(provinces=["68"], today=TODAY, history=False).build()
            prints.append(fingerprint())
            transaction.set_rollback(True)
    assert prints[0] == prints[1]
    assert len(prints[0]) == pre_2025_communes(["68"]).count()


def test_refuses_a_database_that_already_has_a_rollout(built):
    with pytest.raises(CommandError, match="not empty"):
        call_command("build_bench_data", provinces="68", today=TODAY, stdout=io.StringIO())


def test_derived_fields_follow_refresh_status_on_unsaved_records():
    from rollout.models import Step as StepModel

    steps = [StepModel(kind=k, order=i, due_on=datetime.date(2024, 1, i)) for i, k in
             enumerate(["survey", "steering", "training", "documents", "issue", "audit", "review", "effective"], 1)]
    steps[0].done_on, steps[0].review_state = datetime.date(2024, 1, 1), ReviewState.CONFIRMED
    steps[1].done_on, steps[1].review_state = datetime.date(2024, 1, 2), ReviewState.RETURNED
    assert derived_fields(steps, [], []) == (Status.BUILDING, "steering", datetime.date(2024, 1, 2))


def test_an_unknown_province_code_is_refused(db):
    with pytest.raises(CommandError, match="99"):
        call_command("build_bench_data", provinces="68,99", today=TODAY, stdout=io.StringIO())
    assert not RolloutPlan.objects.exists()
