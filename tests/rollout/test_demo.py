import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.scope import scope_of
from provinces.editions import REFORM_2025, TWO_TIER
from provinces.models import Commune, Province, ReviewArea
from rollout.choices import Status
from rollout.models import Announcement, BudgetLine, Enrolment, RolloutPlan

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data, loaded once for this module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def test_demo_data_holds_the_articles_figures_and_loads_once(demo):
    plans = {
        p.province.code: p
        for p in RolloutPlan.objects.filter(province__valid_until__isnull=False).select_related("province")
    }
    assert set(plans) == {"68", "20", "83", "33", "26"}
    assert all(p.is_demo for p in RolloutPlan.objects.all())

    lam_dong = plans["68"]
    pilot, expansion = lam_dong.phases.order_by("order")
    assert (pilot.target_communes, expansion.target_communes) == (24, 121)
    assert BudgetLine.objects.filter(phase=pilot).aggregate(total=Sum("amount"))["total"] == 700_000_000
    assert BudgetLine.objects.filter(phase=expansion).aggregate(total=Sum("amount"))["total"] == 2_000_000_000
    assert pilot.enrolments.count() == 24

    lang_son = plans["20"]
    assert (lang_son.number, lang_son.issued_on.isoformat(), lang_son.target_value) == ("174/KH-UBND", "2017-10-16", 70)
    lang_son_pilot = lang_son.phases.get(order=1).enrolments
    assert lang_son_pilot.count() == 50
    assert lang_son_pilot.values("commune__district").distinct().count() == 10

    ben_tre = plans["83"]
    assert ben_tre.number == "5149/KH-UBND"
    districts = set(ben_tre.enrolments.values_list("commune__district__short_name", flat=True))
    assert districts == {"Chợ Lách", "Giồng Trôm", "Mỏ Cày Bắc"}
    assert ben_tre.enrolments.count() == 45

    assert plans["33"].phases.filter(kind="conversion").exists()
    vinh_phuc = Announcement.objects.filter(enrolment__plan=plans["26"])
    assert vinh_phuc.values("enrolment__commune").distinct().count() >= 110
    # In force until the reorganisation, then ended by it (not lapsed by a failure).
    assert set(vinh_phuc.values_list("lapse_cause", "lapsed_on").distinct()) == {("reorganisation", REFORM_2025)}

    # Every stored status agrees with the records.
    for enrolment in Enrolment.objects.prefetch_related("steps", "announcements", "maintenance")[:200]:
        stored = enrolment.status
        assert stored == enrolment.refresh_status(save=False)

    # The reorganisation ended the seed rollouts: enrolments, announcements and plans of 2025's abolished units.
    assert not Enrolment.objects.filter(commune__valid_until__isnull=False, ended_on__isnull=True).exists()
    assert set(Enrolment.objects.filter(commune__valid_until__isnull=False).values_list("status", flat=True)) == {
        Status.ENDED
    }
    assert all(p.closed_on for p in plans.values())

    # Today's Lâm Đồng: review areas from its former districts, a 2026 plan carrying over announced predecessors.
    today_lam_dong = Province.objects.of_edition(TWO_TIER).get(code="68")
    assert ReviewArea.objects.filter(province=today_lam_dong, name="Lâm Hà").exists()
    assert not Commune.objects.filter(province=today_lam_dong, area__isnull=True).exists()
    plan_2026 = RolloutPlan.objects.get(province=today_lam_dong)
    carried = plan_2026.enrolments.filter(carried_from__isnull=False).distinct()
    assert carried.count() == 30
    assert carried.filter(status__in=[Status.ANNOUNCED, Status.MAINTAINING]).exists()
    for province in ("20", "86", "33", "25"):
        assert ReviewArea.objects.filter(province__code=province, province__valid_until__isnull=True).exists()

    # Demo accounts with their areas: Lâm Đồng's DOST and leadership are today's, and read the three old provinces.
    users = {u.username: scope_of(u) for u in get_user_model().objects.all()}
    old_three = set(today_lam_dong.predecessors.values_list("pk", flat=True))
    assert users["admin"].is_admin
    assert users["dost_lamdong"].staff_provinces == {today_lam_dong.pk} | old_three
    assert lam_dong.province_id in old_three
    assert len(users["huyen_lamha"].districts) == 1 and not users["huyen_lamha"].read_provinces
    assert users["lanhdao_lamdong"].read_provinces == {today_lam_dong.pk} | old_three
    assert not users["lanhdao_lamdong"].staff_provinces
    assert [str(a) for a in ReviewArea.objects.filter(pk__in=users["khuvuc_lamdong"].areas)] == ["Khu vực Lâm Hà"]

    before = (RolloutPlan.objects.count(), Enrolment.objects.count(), BudgetLine.objects.count())
    call_command("load_demo", stdout=io.StringIO())
    assert (RolloutPlan.objects.count(), Enrolment.objects.count(), BudgetLine.objects.count()) == before


def _user(username):
    return get_user_model().objects.get(username=username)


def test_demo_district_officer_sees_only_lam_ha_everywhere(demo, client):
    from openpyxl import load_workbook

    from provinces.models import Commune

    client.force_login(_user("huyen_lamha"))
    lam_ha = Commune.objects.filter(district__short_name="Lâm Hà", province__code="68")
    listing = client.get("/xa/")
    assert listing.context["page"].paginator.count == lam_ha.count() == 16
    assert {c.district.short_name for c in listing.context["page"].object_list} == {"Lâm Hà"}
    sheet = load_workbook(io.BytesIO(client.get("/xa/xuat-excel/").getvalue())).active
    assert sheet.max_row - 1 == 16
    district_options = listing.context["filter"].form.fields["district"].queryset
    assert [d.short_name for d in district_options] == ["Lâm Hà"]
    queue = client.get("/xac-nhan/")
    assert queue.status_code == 200
    assert all(s.enrolment.commune.district.short_name == "Lâm Hà" for s in queue.context["page"].object_list)
    home = client.get("/", follow=True)
    assert "Lâm Hà" in home.content.decode()
    other = Commune.objects.get(province__code="68", district__short_name="Đà Lạt", code="24769")
    assert client.get(f"/xa/{other.pk}/").status_code == 404


def test_demo_dost_lamdong_cannot_open_anything_of_lang_son(demo, client):
    client.force_login(_user("dost_lamdong"))
    lang_son = RolloutPlan.objects.get(province__code="20")
    enrolment = lang_son.enrolments.first()
    for url in [
        f"/ke-hoach/{lang_son.pk}/",
        f"/ke-hoach/{lang_son.pk}/sua/",
        f"/xa/{enrolment.commune_id}/",
        f"/xa/tham-gia/{enrolment.pk}/sua/",
        f"/tong-quan/?province={lang_son.province_id}",
        f"/xa/buoc/{enrolment.steps.first().pk}/",
    ]:
        assert client.get(url).status_code == 404, url
    assert lang_son not in client.get("/ke-hoach/").context["plans"]
    assert client.get(f"/xa/?province={lang_son.province_id}").context["page"].paginator.count == 0


def test_demo_leadership_can_change_nothing(demo, client):
    client.force_login(_user("lanhdao_lamdong"))
    plan = RolloutPlan.objects.get(province__code="68", province__valid_until__isnull=True)
    enrolment = plan.enrolments.first()
    step = enrolment.steps.first()
    for url in [
        f"/ke-hoach/{plan.pk}/sua/",
        "/ke-hoach/them/",
        f"/xa/tham-gia/{enrolment.pk}/sua/",
        f"/xa/buoc/{step.pk}/",
        f"/xa/tham-gia/{enrolment.pk}/cong-bo/",
        f"/xac-nhan/buoc/{step.pk}/",
    ]:
        assert client.post(url, {}).status_code == 403, url
    assert client.get(f"/ke-hoach/{plan.pk}/").status_code == 200


def test_demo_reminders_after_the_reform_name_no_unit_of_the_ended_edition(demo):
    """The reminder run of today speaks only of what is alive: no abolished commune, no
    closed plan, nothing thousands of days overdue."""
    import datetime

    from notifications.selection import collect_items

    day = datetime.date(2026, 11, 26)
    items = [item for items in collect_items(day).values() for item in items]
    assert items, "the 2026 plan of today's Lâm Đồng has deadlines"
    commune_ids = {int(item.url.strip("/").split("/")[-1]) for item in items if item.url.startswith("/xa/")}
    assert not Commune.objects.filter(pk__in=commune_ids, valid_until__isnull=False).exists()
    assert all("trước 01/07/2025" not in item.title for item in items)
    assert all(item.due_on > datetime.date(2025, 7, 1) for item in items if item.section != "report")


def test_demo_shows_one_example_of_each_rule_and_of_the_years_after_the_announcement(demo, client):
    """Today's Lâm Đồng's own rules and upkeep, Bến Tre's extension and Vĩnh Phúc's base."""
    import datetime

    from notifications.models import ReminderRule
    from rollout.choices import CapItem, PhaseKind
    from rollout.models import FundingCap, InspectionPlan, LegalChange, StepTemplate
    from rollout.models.upkeep import on_site_short

    today_lam_dong = Province.objects.of_edition(TWO_TIER).get(code="68")
    assert ReminderRule.objects.get(province=today_lam_dong, kind="report_nov").due_day == 20
    assert FundingCap.objects.get(province=today_lam_dong).amount == 24_000_000
    template = StepTemplate.objects.active().get(province=today_lam_dong)
    assert "mo-hinh-khung" in template.items.values_list("code", flat=True)
    plan_2026 = RolloutPlan.objects.get(province=today_lam_dong)
    assert set(plan_2026.enrolments.values_list("step_template", flat=True)) == {template.pk}
    change = LegalChange.objects.get(province=today_lam_dong)
    late = plan_2026.enrolments.filter(upkeep_due_on__lt=timezone.localdate())
    assert change.effective_on + datetime.timedelta(days=93) >= timezone.localdate() or late.exists()
    assert plan_2026.enrolments.filter(needs_reannouncement=True).count() == 1
    inspection_plan = InspectionPlan.objects.for_list().get(province=today_lam_dong)
    assert (inspection_plan.planned, inspection_plan.on_site) == (7, 2)
    assert on_site_short(inspection_plan.planned, inspection_plan.on_site) == 1
    inspections = [i for e in plan_2026.enrolments.all() for i in e.inspections.all()]
    assert any(i.corrective_open for i in inspections)
    assert any(i.lapse_proposal == "proposed" for i in inspections)

    ben_tre = RolloutPlan.objects.get(province__code="83", province__valid_until__isnull=False)
    extension = ben_tre.phases.get(kind=PhaseKind.EXTENSION)
    client.force_login(_user("admin"))
    phases = {p.pk: p for p in client.get(f"/ke-hoach/{ben_tre.pk}/").context["phases"]}
    assert phases[extension.pk].cap.item == CapItem.EXTENSION and phases[extension.pk].cap.amount == 16_000_000
    vinh_phuc = RolloutPlan.objects.get(province__code="26", province__valid_until__isnull=False)
    page = client.get(f"/ke-hoach/{vinh_phuc.pk}/")
    assert (vinh_phuc.base_communes, page.context["target"]) == (127, 127)
    assert "Kế hoạch tính trên 127 xã; danh mục đơn vị hành chính hiện có 121 xã." in page.content.decode()
