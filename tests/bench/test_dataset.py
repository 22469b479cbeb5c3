"""The benchmark's dataset builder, run at a small scale so that it cannot rot unnoticed."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils.timezone import localdate

from accounts.choices import Role
from accounts.models import RoleAssignment
from accounts.system import SYSTEM_USERNAME
from bench.dataset import LAST_OLD_DAY, BenchDataBuilder, area_officer_username, derived_fields
from provinces.editions import REFORM_2025
from provinces.models import Commune, District, Province, ReviewArea
from rollout.choices import EndReason, ReviewState, Status
from rollout.models import (
    Announcement,
    BudgetLine,
    Enrolment,
    Expenditure,
    Inspection,
    MaintenanceActivity,
    RolloutPlan,
    Step,
    derive_status,
)
from rollout.querysets import formed_from_announced

TODAY = datetime.date(2026, 11, 22)
PROVINCES = ("68", "20")  # Lâm Đồng, Lạng Sơn before 2025; today's Lâm Đồng (with Đắk Nông, Bình Thuận) and Lạng Sơn


@pytest.fixture
def built(db):
    call_command(
        "build_bench_data", provinces=",".join(PROVINCES), today=TODAY, carry_over_share=0.3, stdout=io.StringIO()
    )


def old_communes(codes=PROVINCES):
    return Commune.objects.filter(province__code__in=codes, province__valid_until=REFORM_2025)


def provinces_of_today():
    return Province.objects.filter(predecessors__code__in=PROVINCES, predecessors__valid_until=REFORM_2025).distinct()


def test_every_old_commune_was_enrolled_once_and_ended_by_the_reorganisation(built):
    communes = old_communes()
    old = Enrolment.objects.filter(commune__in=communes)
    assert old.count() == communes.count()
    assert set(old.values_list("commune_id", flat=True)) == set(communes.values_list("pk", flat=True))
    assert not old.annotate(n=Count("steps")).exclude(n=8).exists()
    assert set(old.values_list("status", "ended_on", "end_reason").distinct()) == {
        (Status.ENDED, REFORM_2025, EndReason.REORGANISATION)
    }
    assert not RolloutPlan.objects.filter(province__valid_until=REFORM_2025, closed_on__isnull=True).exists()
    # Announcements in force on the last day stopped with the commune; a few had lapsed before.
    assert Announcement.objects.filter(enrolment__in=old, lapse_cause="reorganisation", lapsed_on=REFORM_2025).exists()
    assert not Announcement.objects.filter(enrolment__in=old, lapsed_on__isnull=True).exists()


def test_nothing_is_recorded_on_an_old_commune_after_its_abolition(built):
    old = Q(enrolment__commune__valid_until=REFORM_2025)
    assert not Step.objects.filter(old, done_on__gt=LAST_OLD_DAY).exists()
    assert not Step.objects.filter(old, reviewed_at__date__gt=LAST_OLD_DAY).exists()
    assert not Announcement.objects.filter(old, decided_on__gt=LAST_OLD_DAY).exists()
    assert not MaintenanceActivity.objects.filter(old, done_on__gt=LAST_OLD_DAY).exists()
    assert not Inspection.objects.filter(old, inspected_on__gt=LAST_OLD_DAY).exists()
    assert not Expenditure.objects.filter(plan__province__valid_until=REFORM_2025, spent_on__gt=LAST_OLD_DAY).exists()
    assert not Enrolment.objects.filter(commune__valid_until=REFORM_2025, enrolled_on__gte=REFORM_2025).exists()


def test_most_communes_of_today_are_enrolled_in_their_provinces_plan(built):
    today = provinces_of_today()
    assert set(today.values_list("code", flat=True)) == {"68", "20"}
    communes = Commune.objects.filter(province__in=today)
    enrolments = Enrolment.objects.filter(commune__in=communes)
    assert enrolments.count() == enrolments.values("commune").distinct().count()  # once each
    assert enrolments.count() >= 0.75 * communes.count()
    assert not enrolments.exclude(plan__province=F("commune__province")).exists()
    for province in today:
        plan = RolloutPlan.objects.get(province=province)
        assert plan.closed_on is None and plan.issued_on > REFORM_2025
        assert list(plan.phases.order_by("order").values_list("order", flat=True)) == [1, 2]
        assert plan.phases.get(order=1).starts_on <= TODAY <= plan.phases.get(order=2).ends_on
    assert not enrolments.annotate(n=Count("steps")).exclude(n=8).exists()
    # Something in every state the pages and the reminder job deal with.
    statuses = set(enrolments.values_list("status", flat=True))
    assert {Status.PLANNED, Status.BUILDING, Status.APPLYING, Status.ANNOUNCED} <= statuses
    steps = Step.objects.filter(enrolment__in=enrolments)
    assert steps.filter(review_state=ReviewState.AWAITING).exists()
    assert steps.filter(review_state=ReviewState.CONFIRMED).exists()
    assert steps.filter(done_on__isnull=True, due_on__lt=TODAY).exists()  # overdue
    assert steps.filter(done_on__isnull=True, due_on__gt=TODAY).exists()  # the second phase, ahead
    assert BudgetLine.objects.filter(plan__province__in=today).exists()
    assert Expenditure.objects.filter(plan__province__in=today).exists()


def test_a_share_is_carried_over_from_announced_predecessors_and_some_announce_again(built):
    carried = Enrolment.objects.filter(carried_from__isnull=False).distinct()
    assert carried.exists()
    for enrolment in carried.prefetch_related("carried_from__commune", "steps"):
        assert enrolment.commune in Commune.objects.filter(formed_from_announced())
        for old in enrolment.carried_from.all():
            assert old.commune in enrolment.commune.predecessors.all()
            assert old.announcements.filter(lapse_cause="reorganisation").exists()
        carried_steps = [s for s in enrolment.steps.all() if "Kế thừa hồ sơ" in s.evidence]
        assert carried_steps and all(s.done_on == enrolment.enrolled_on for s in carried_steps)
    assert carried.filter(status__in=[Status.ANNOUNCED, Status.MAINTAINING]).exists()
    # Their history starts on the day they were enrolled, recorded by the province's DOST.
    first = carried.order_by("pk").first()
    created = first.history.earliest("history_date")
    assert localdate(created.history_date) == first.enrolled_on and created.history_user == first.plan.created_by


def test_stored_status_current_step_and_due_date_agree_with_the_records(built):
    enrolments = Enrolment.objects.prefetch_related("steps", "announcements", "maintenance")
    for enrolment in enrolments:
        stored = (enrolment.status, enrolment.current_step, enrolment.next_due_on, enrolment.upkeep_due_on)
        if not enrolment.ended_on:
            assert enrolment.status == derive_status(
                list(enrolment.steps.all()), list(enrolment.announcements.all()), list(enrolment.maintenance.all())
            )
        enrolment.refresh_status(save=False)
        assert (enrolment.status, enrolment.current_step, enrolment.next_due_on, enrolment.upkeep_due_on) == stored, (
            enrolment.pk
        )


def test_records_pass_the_models_validation(built):
    for enrolment in Enrolment.objects.order_by("pk")[:50]:
        enrolment.full_clean()
    for enrolment in Enrolment.objects.filter(commune__valid_from=REFORM_2025).order_by("pk")[:50]:
        enrolment.full_clean()
    for step in Step.objects.filter(done_on__isnull=False).order_by("-pk")[:200]:
        step.full_clean()
        assert step.done_on <= TODAY
    for announcement in Announcement.objects.order_by("-pk")[:50]:
        announcement.full_clean()


def test_users_hold_one_role_each_in_their_area(built):
    districts = District.objects.filter(province__code__in=PROVINCES, province__valid_until=REFORM_2025).count()
    areas = ReviewArea.objects.filter(province__in=provinces_of_today())
    assert areas.count() > 10
    # admin, national leader, DOST and leader per province of today, old district officers,
    # area officers, and the account the reorganisation job records its changes under.
    assert get_user_model().objects.count() == 2 + 2 * 2 + districts + areas.count() + 1
    assert RoleAssignment.objects.filter(role=Role.DOST_STAFF, province__valid_from=REFORM_2025).count() == 2
    assert RoleAssignment.objects.filter(role=Role.DISTRICT_OFFICER, district__isnull=False).count() == districts
    assert set(
        RoleAssignment.objects.filter(role=Role.DISTRICT_OFFICER, area__isnull=False).values_list("area", flat=True)
    ) == set(areas.values_list("pk", flat=True))
    assert RoleAssignment.objects.filter(role=Role.LEADERSHIP, province__isnull=True).count() == 1
    assert get_user_model().objects.get(username="admin").is_superuser
    lam_ha = areas.get(province__code="68", name="Lâm Hà")
    assert RoleAssignment.objects.get(user__username=area_officer_username("68", "Lâm Hà")).area == lam_ha
    assert get_user_model().objects.filter(username=SYSTEM_USERNAME).exists()
    # Every commune of today is in a review area made from its former district.
    assert not Commune.objects.filter(province__in=provinces_of_today(), area__isnull=True).exists()


def test_history_records_each_step_from_creation_to_review(built):
    steps = Step.objects.count()
    done = Step.objects.filter(done_on__isnull=False).count()
    assert Step.history.filter(history_type="+").count() == steps
    assert Step.history.filter(history_type="~").count() >= done
    assert not Step.history.filter(history_user__isnull=True).exists()
    step = (
        Step.objects.filter(review_state=ReviewState.CONFIRMED, enrolment__commune__valid_until=REFORM_2025)
        .order_by("pk")
        .first()
    )
    states = list(step.history.order_by("history_date", "history_id").values_list("review_state", flat=True))
    assert states == [ReviewState.NOT_RECORDED, ReviewState.AWAITING, ReviewState.CONFIRMED]
    assert Enrolment.history.count() >= 2 * Enrolment.objects.filter(ended_on__isnull=False).count()
    # The reorganisation is dated the day the map changed.
    assert {localdate(h.history_date) for h in Enrolment.history.filter(history_user__username=SYSTEM_USERNAME)} == {
        REFORM_2025
    }


def test_the_same_seed_builds_the_same_data(db):
    def fingerprint():
        return list(
            Enrolment.objects.order_by(
                "commune__valid_from", "commune__code", "carried_from__commune__code"
            ).values_list(
                "commune__code", "phase__order", "status", "current_step", "next_due_on", "carried_from__commune__code"
            )
        )

    prints = []
    for _ in range(2):
        with transaction.atomic():
            BenchDataBuilder(provinces=["20"], today=TODAY, history=False, carry_over_share=0.3).build()
            prints.append(fingerprint())
            transaction.set_rollback(True)
    assert prints[0] == prints[1]
    assert len(prints[0]) > old_communes(["20"]).count()


def test_refuses_a_database_that_already_has_a_rollout(built):
    with pytest.raises(CommandError, match="not empty"):
        call_command("build_bench_data", provinces="68", today=TODAY, stdout=io.StringIO())


def test_refuses_a_day_before_the_map_of_today_has_run_a_while(db):
    with pytest.raises(CommandError, match="after the reorganisation"):
        call_command("build_bench_data", provinces="20", today=datetime.date(2025, 8, 1), stdout=io.StringIO())
    assert not RolloutPlan.objects.exists()


def test_derived_fields_follow_refresh_status_on_unsaved_records():
    from rollout.models import Step as StepModel

    steps = [
        StepModel(kind=k, order=i, due_on=datetime.date(2024, 1, i))
        for i, k in enumerate(
            ["survey", "steering", "training", "documents", "issue", "audit", "review", "effective"], 1
        )
    ]
    steps[0].done_on, steps[0].review_state = datetime.date(2024, 1, 1), ReviewState.CONFIRMED
    steps[1].done_on, steps[1].review_state = datetime.date(2024, 1, 2), ReviewState.RETURNED
    assert derived_fields(steps, [], []) == (Status.BUILDING, "steering", datetime.date(2024, 1, 2))


def test_an_unknown_province_code_is_refused(db):
    with pytest.raises(CommandError, match="99"):
        call_command("build_bench_data", provinces="68,99", today=TODAY, stdout=io.StringIO())
    assert not RolloutPlan.objects.exists()
