"""Fixed, named users and places for the whole suite.

The official unit list (all 10,051 communes) is loaded once per test session into the test
database; tests then build small rollouts on real units with the factories below.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.choices import Role
from accounts.models import RoleAssignment
from provinces.editions import TWO_TIER
from provinces.models import Commune, District, Province, ReviewArea
from rollout import actions
from rollout.choices import PhaseKind, StandardVersion, TargetKind
from rollout.models import Phase, RolloutPlan

PASSWORD = "mat-khau-thu-nghiem"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_units", verbosity=0, stdout=open("/dev/null", "w"))


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: a test's rollback takes the data version back to the
    stamp of the session's start, under which another test may have cached other figures."""
    from django.core.cache import cache

    cache.clear()


# -- places -------------------------------------------------------------------------------
def _province(code):
    return Province.objects.get(code=code, valid_until__isnull=False)


@pytest.fixture
def lam_dong(db):
    return _province("68")


@pytest.fixture
def lang_son(db):
    return _province("20")


@pytest.fixture
def lam_ha(lam_dong):
    return District.objects.get(province=lam_dong, short_name="Lâm Hà")


@pytest.fixture
def da_lat(lam_dong):
    return District.objects.get(province=lam_dong, short_name="Đà Lạt")


# -- users ----------------------------------------------------------------------------------
def make_user(username, role=None, province=None, district=None, area=None, **extra):
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.vn", **extra
    )
    if role:
        unit = district or area
        RoleAssignment.objects.create(
            user=user,
            role=role,
            province=province or (unit.province if unit else None),
            district=district,
            area=area,
        )
    return user


@pytest.fixture
def admin_user(db):
    return make_user("quantri", Role.ADMINISTRATOR, is_staff=True, is_superuser=True)


@pytest.fixture
def dost_lamdong(lam_dong):
    return make_user("dost_lamdong", Role.DOST_STAFF, province=lam_dong)


@pytest.fixture
def dost_langson(lang_son):
    return make_user("dost_langson", Role.DOST_STAFF, province=lang_son)


@pytest.fixture
def officer_lamha(lam_ha):
    return make_user("huyen_lamha", Role.DISTRICT_OFFICER, district=lam_ha)


@pytest.fixture
def officer_dalat(da_lat):
    return make_user("huyen_dalat", Role.DISTRICT_OFFICER, district=da_lat)


@pytest.fixture
def leader_lamdong(lam_dong):
    return make_user("lanhdao_lamdong", Role.LEADERSHIP, province=lam_dong)


@pytest.fixture
def leader_national(db):
    return make_user("lanhdao_quocgia", Role.LEADERSHIP)


@pytest.fixture
def no_role_user(db):
    return make_user("chua_phan_quyen")


# -- today's map (from 01/07/2025) -------------------------------------------------------------
@pytest.fixture
def lam_dong_today(db):
    """Lâm Đồng as it is today: formed from Lâm Đồng, Đắk Nông and Bình Thuận (124 communes)."""
    return Province.objects.of_edition(TWO_TIER).get(code="68")


@pytest.fixture
def dost_lamdong_today(lam_dong_today):
    return make_user("dost_lamdong_nay", Role.DOST_STAFF, province=lam_dong_today)


@pytest.fixture
def leader_lamdong_today(lam_dong_today):
    return make_user("lanhdao_lamdong_nay", Role.LEADERSHIP, province=lam_dong_today)


@pytest.fixture
def lamdong_areas(lam_dong_today, admin_user):
    """Today's Lâm Đồng grouped into review areas from its former districts, by name."""
    actions.create_areas_from_districts(lam_dong_today, by=admin_user)
    return {area.name: area for area in ReviewArea.objects.filter(province=lam_dong_today)}


@pytest.fixture
def officer_area_lamha(lamdong_areas):
    return make_user("khuvuc_lamha", Role.DISTRICT_OFFICER, area=lamdong_areas["Lâm Hà"])


@pytest.fixture
def lamdong_2026_plan(lam_dong_today):
    """A plan of today's Lâm Đồng running from the start of 2026 to the end of 2027, one phase."""
    plan = make_plan(
        lam_dong_today,
        number="12/KH-UBND",
        issued_on=datetime.date(2026, 1, 5),
        starts_on=datetime.date(2026, 1, 5),
        ends_on=datetime.date(2027, 12, 31),
        target_kind=TargetKind.COUNT,
        target_value=60,
        target_date=datetime.date(2027, 12, 31),
    )
    make_phase(plan, 1, PhaseKind.EXPANSION, name="Xây dựng lại sau sắp xếp", target_communes=60)
    return plan


# -- rollouts -------------------------------------------------------------------------------
def make_plan(province, number="174/KH-UBND", **fields):
    defaults = dict(
        issued_on=datetime.date(2018, 1, 15),
        title="Kế hoạch áp dụng ISO 9001 tại UBND cấp xã",
        standard_version=StandardVersion.ISO_2015,
        starts_on=datetime.date(2018, 1, 15),
        ends_on=datetime.date(2020, 12, 31),
        target_kind=TargetKind.SHARE,
        target_value=70,
        target_date=datetime.date(2020, 12, 31),
    )
    defaults.update(fields)
    return RolloutPlan.objects.create(province=province, number=number, **defaults)


def make_phase(plan, order=1, kind=PhaseKind.PILOT, **fields):
    defaults = dict(
        name=f"Giai đoạn {order}",
        starts_on=plan.starts_on,
        ends_on=plan.ends_on,
        target_communes=24,
    )
    defaults.update(fields)
    return Phase.objects.create(plan=plan, order=order, kind=kind, **defaults)


def enrol_communes(phase, communes, **fields):
    """Enrol on the phase's first day unless told otherwise (the test world is the rollout of 2018)."""
    fields.setdefault("enrolled_on", phase.starts_on)
    return [actions.enrol(phase, commune, **fields) for commune in communes]


@pytest.fixture
def lamdong_plan(lam_dong):
    plan = make_plan(lam_dong, number="MH-68/KH-UBND", target_kind=TargetKind.COUNT, target_value=145)
    make_phase(plan, 1, PhaseKind.PILOT, starts_on=datetime.date(2018, 3, 1), ends_on=datetime.date(2018, 12, 31))
    return plan


@pytest.fixture
def lamdong_pilot(lamdong_plan, lam_ha, da_lat):
    """A pilot phase of Lâm Đồng with 3 communes of Lâm Hà and 2 of Đà Lạt enrolled."""
    phase = lamdong_plan.phases.get(order=1)
    communes = list(Commune.objects.filter(district=lam_ha).order_by("code")[:3])
    communes += list(Commune.objects.filter(district=da_lat).order_by("code")[:2])
    enrol_communes(phase, communes, procedures_total=100, procedures_in_scope=100)
    return phase


@pytest.fixture
def langson_plan(lang_son):
    plan = make_plan(
        lang_son,
        number="174/KH-UBND",
        issued_on=datetime.date(2017, 10, 16),
        starts_on=datetime.date(2017, 10, 16),
        standard_version=StandardVersion.ISO_2008,
    )
    phase = make_phase(plan, 1, PhaseKind.PILOT, target_communes=50)
    enrol_communes(phase, Commune.objects.filter(province=lang_son).order_by("code")[:3])
    return plan


def login(client, user):
    client.force_login(user)
    return client
