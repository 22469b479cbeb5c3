"""The national-scale dataset of the benchmark (product.md, "Budgets"): the country as it is in 2026.

1. **Before 01/07/2025**: every commune of the pre-2025 list enrolled in one plan of its
   province (a pilot that ended, an expansion under way when the reform came), the eight legal
   steps of each enrolment with due and done dates and review states, announcements (some
   lapsed), yearly maintenance, inspections, consultants, budget lines and expenditures, all
   dated before the reorganisation: nothing is recorded on an old commune after its abolition.
2. **The reorganisation** through `rollout.actions.end_abolished`, as Celery beat applies it:
   old enrolments end, their announcements stop being in force, the old plans close.
3. **Today's map**: every province of today (the ones the chosen old provinces went into)
   gets review areas from its former districts (`actions.create_areas_from_districts`) with an
   officer each, and a plan of its own with two phases in which most of its communes are
   enrolled. A share of the communes formed from announced ones are carried over with
   `actions.carry_over` (then reviewed, completed, some announced again); the others start
   afresh, with steps, review states and announcements like the old ones.
4. Users for every role: a DOST officer and a leader per province of today (its DOST carries
   the records of the provinces it was formed from, so they recorded the old rollouts too), an
   officer per review area, the old district officers (who keep their history), a national
   leader and an administrator; the change history of it all (simple-history rows dated at
   the events they record).

Reproducible: every choice comes from random.Random(seed); dates are placed relative to `today`
(default: the day it runs, which must be a while after the reform) so that there is always
something due, overdue and awaiting review. Fast: apart from the two actions of the reform and
the carried-over share, everything is built in memory and written with bulk_create and COPY;
the derived fields of each enrolment are computed with rollout.models.derive_status while
building (never refresh_status per row).
"""

import contextlib
import datetime
import io
import random
import time
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts.choices import Role
from accounts.models import RoleAssignment
from accounts.system import system_user
from isotrack.text import fold
from provinces.editions import REFORM_2025
from provinces.loading import PRE_2025_UNTIL
from provinces.models import Commune, CommuneSuccession, District, Province, ProvinceSuccession, ReviewArea
from rollout import actions
from rollout.choices import (
    AnnouncementKind,
    BudgetCategory,
    FundingSource,
    InspectionMode,
    InspectionResult,
    MaintenanceKind,
    PhaseKind,
    ReviewState,
    Stage,
    StandardVersion,
    StepKind,
    TargetKind,
)
from rollout.forms.enrolment import done_in_all
from rollout.lineage import predecessor_enrolments
from rollout.models import (
    Announcement,
    BudgetLine,
    Consultant,
    Enrolment,
    Expenditure,
    Inspection,
    MaintenanceActivity,
    Phase,
    RolloutPlan,
    Step,
    StepTemplate,
    UpkeepRules,
    derive_status,
    upkeep_duties,
)
from rollout.models.rules import add_months
from rollout.models.templates import due_dates

SEED = 19_2014  # Decision 19/2014/QĐ-TTg
BENCH_PASSWORD = "isotrack-bench"
PLAN_PREFIX = "BENCH-"
ADMIN_USERNAME = "admin"
NATIONAL_LEADER = "lanhdao_quocgia"
D = datetime.timedelta
# The old rollouts are recorded up to the last day of the pre-2025 map.
LAST_OLD_DAY = REFORM_2025 - D(days=1)
# Today's plans start a month after the reform at the earliest and need a few months to run.
EARLIEST_TODAY = REFORM_2025 + D(days=90)
# Of the enrolled communes of today formed from an announced one, the share whose DOST carries
# the old work over, and at least MIN_CARRIED a province (one action call each: the slowest part
# of the build).
CARRY_OVER_SHARE = 0.03
MIN_CARRIED = 3


def dost_username(province_code):
    """DOST staff of a province of today."""
    return f"dost_{province_code}"


def leader_username(province_code):
    """Leadership of a province of today."""
    return f"lanhdao_{province_code}"


def officer_username(district_code):
    """The officer of a pre-2025 district."""
    return f"huyen_{district_code}"


def area_officer_username(province_code, area_name):
    """The officer of a review area of a province of today: khuvuc_68_lam_ha."""
    return f"khuvuc_{province_code}_{fold(area_name).replace(' ', '_')}"


def derived_fields(steps, announcements, maintenance):
    """(status, current_step, next_due_on) of an enrolment, as Enrolment.refresh_status computes them.

    `steps` are the enrolment's Step objects (saved or not), `announcements` and `maintenance`
    its Announcement and MaintenanceActivity objects.
    """
    steps = sorted(steps, key=lambda s: s.order)
    status = derive_status(steps, list(announcements), list(maintenance))
    open_steps = [s for s in steps if not s.counts_as_done]
    current_step = open_steps[0].kind if open_steps else ""
    due = [s.due_on for s in open_steps if s.due_on]
    return status, current_step, (min(due) if due else None)


def _copy_text(value):
    """A value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


@dataclass
class BuildReport:
    seconds: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)

    @property
    def total_seconds(self):
        return sum(self.seconds.values())


@dataclass
class _Enrolled:
    """An enrolment being built, with the records that hang from it."""

    enrolment: Enrolment
    steps: list
    announcements: list = field(default_factory=list)
    maintenance: list = field(default_factory=list)
    inspections: list = field(default_factory=list)
    staff_id: int = None
    officer_id: int = None


@dataclass
class _Rollout:
    """One era's plans: by province, with their two phases, consultants and enrolments."""

    as_of: datetime.date  # the last day anything is recorded
    plan_of: dict = field(default_factory=dict)
    first_of: dict = field(default_factory=dict)
    second_of: dict = field(default_factory=dict)
    consultants_of: dict = field(default_factory=dict)
    built: list = field(default_factory=list)


class BenchDataBuilder:
    """Build the benchmark dataset in an empty rollout (both editions of the units loaded, no plan yet).

    `provinces` are codes of pre-2025 provinces (default: all 63); the provinces of today they
    went into are built with them.
    """

    def __init__(
        self,
        provinces=None,
        seed=SEED,
        today=None,
        district_officers=True,
        history=True,
        batch_size=5000,
        stdout=None,
        carry_over_share=CARRY_OVER_SHARE,
    ):
        self.province_codes = list(provinces) if provinces else None
        self.rng = random.Random(seed)
        self.today = today or timezone.localdate()
        self.with_officers = district_officers
        self.with_history = history
        self.batch_size = batch_size
        self.carry_over_share = carry_over_share
        self.write = stdout or (lambda message: None)
        self.report = BuildReport()
        self.history = {}  # historical model -> list of row tuples
        self._columns = {}
        self._historical = {}
        self.tz = timezone.get_current_timezone()
        self._template = None
        self._upkeep_rules = None

    @property
    def upkeep_rules(self):
        if self._upkeep_rules is None:
            self._upkeep_rules = UpkeepRules()
        return self._upkeep_rules

    @property
    def template(self):
        """The national step template (and its steps), which every benchmark enrolment follows."""
        if self._template is None:
            template = StepTemplate.objects.active().national().get()
            self._template = (template, list(template.items.order_by("order")))
        return self._template

    # -- helpers ----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _timed(self, name):
        started = time.monotonic()
        yield
        elapsed = time.monotonic() - started
        self.report.seconds[name] = self.report.seconds.get(name, 0) + elapsed
        self.write(f"  {name}: {elapsed:.1f} s")

    def _count(self, model, n):
        key = model._meta.label
        self.report.counts[key] = self.report.counts.get(key, 0) + n

    def _bulk(self, model, objects):
        objects = list(objects)
        model.objects.bulk_create(objects, batch_size=self.batch_size)
        self._count(model, len(objects))
        return objects

    def _moment(self, day, hour=None):
        """An aware datetime during office hours of `day`."""
        hour = self.rng.randint(8, 16) if hour is None else hour
        return datetime.datetime.combine(day, datetime.time(hour, self.rng.randint(0, 59)), tzinfo=self.tz)

    def _history(self, obj, day, kind, user_id, **changes):
        """Queue a historical row of `obj` as it was on `day` (simple-history's table)."""
        if not self.with_history:
            return
        model = type(obj)
        if model not in self._historical:  # the `history` descriptor builds a manager at each access
            self._historical[model] = model.history.model
        historical = self._historical[model]
        columns = self._history_columns(historical)
        values = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}
        when = self._moment(day)
        values["updated_at"] = when
        values.update(changes)
        values.update(history_date=when, history_type=kind, history_user_id=user_id, history_change_reason=None)
        self.history.setdefault(historical, []).append(tuple(values[attname] for attname, _ in columns))

    def _history_columns(self, historical):
        """(attname, column) of a historical table, its own key left to the database."""
        if historical not in self._columns:
            self._columns[historical] = [
                (f.attname, f.column) for f in historical._meta.concrete_fields if f.attname != "history_id"
            ]
        return self._columns[historical]

    def _copy(self, model, columns, rows):
        """Write `rows` (tuples in the order of `columns`) with PostgreSQL's COPY."""
        rows = list(rows)
        self._count(model, len(rows))
        qn = connection.ops.quote_name
        sql = f"COPY {qn(model._meta.db_table)} ({', '.join(qn(c) for _, c in columns)}) FROM STDIN"
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 50_000):
                buffer = io.StringIO()
                for row in rows[start : start + 50_000]:
                    buffer.write("\t".join(_copy_text(v) for v in row))
                    buffer.write("\n")
                buffer.seek(0)
                cursor.copy_expert(sql, buffer)

    def _copy_objects(self, model, objects):
        """COPY unsaved model instances, giving them ids from the table's sequence first."""
        objects = list(objects)
        if not objects:
            return objects
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, len(objects)],
            )
            for obj, (pk,) in zip(objects, cursor.fetchall()):
                obj.pk = pk
        now = timezone.now()
        for obj in objects:
            obj.created_at = obj.updated_at = now
        columns = [(f.attname, f.column) for f in model._meta.concrete_fields]
        self._copy(model, columns, (tuple(getattr(o, a) for a, _ in columns) for o in objects))
        return objects

    # -- the build ------------------------------------------------------------------------------
    def build(self):
        if connection.vendor != "postgresql":
            raise ValueError("the benchmark dataset is written with PostgreSQL's COPY: set DATABASE_URL=postgres://…")
        if self.today < EARLIEST_TODAY:
            raise ValueError(
                f"the benchmark dataset is the country after the reorganisation of 01/07/2025: "
                f"`today` must be {EARLIEST_TODAY:%d/%m/%Y} or later"
            )
        if RolloutPlan.objects.exists():
            raise ValueError("the rollout is not empty: build the benchmark data in a fresh database")
        started = time.monotonic()
        with transaction.atomic():
            with self._timed("units"):
                self.load_units()
            with self._timed("users"):
                self.users()
            self.old = _Rollout(as_of=min(self.today, LAST_OLD_DAY))
            with self._timed("plans before 2025"):
                self.old_plans()
            with self._timed("enrolments before 2025"):
                self.old_enrolments()
            with self._timed("money before 2025"):
                self.money(self.old)
            with self._timed("reorganisation (end_abolished)"):
                self.reorganise()
            with self._timed("review areas"):
                self.review_areas()
            self.new = _Rollout(as_of=self.today)
            with self._timed("plans of today"):
                self.new_plans()
            with self._timed("carried over (carry_over)"):
                self.carry_over()
            with self._timed("enrolments of today"):
                self.new_enrolments()
            with self._timed("money of today"):
                self.money(self.new)
            with self._timed("history"):
                self.write_history()
        with self._timed("analyze"):
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.report.seconds["total"] = time.monotonic() - started
        return self.report

    def load_units(self):
        provinces = Province.objects.filter(valid_until=PRE_2025_UNTIL).order_by("code")
        if self.province_codes:
            provinces = provinces.filter(code__in=self.province_codes)
        self.provinces = list(provinces)
        if not self.provinces:
            raise ValueError("no province of the pre-2025 list: run `manage.py load_units` first")
        missing = set(self.province_codes or ()) - {p.code for p in self.provinces}
        if missing:
            raise ValueError(f"no province of the pre-2025 list has the code {', '.join(sorted(missing))}")
        ids = [p.pk for p in self.provinces]
        self.districts = list(District.objects.filter(province_id__in=ids).order_by("code"))
        self.communes = {p.pk: [] for p in self.provinces}
        self.old_commune = {}
        for commune in Commune.objects.filter(province_id__in=ids).select_related("district").order_by("code"):
            self.communes[commune.province_id].append(commune)
            self.old_commune[commune.pk] = commune
        # The provinces of today the chosen ones went into, and their communes.
        self.successor_of = dict(
            ProvinceSuccession.objects.filter(predecessor_id__in=ids).values_list("predecessor_id", "successor_id")
        )
        if len(self.successor_of) < len(ids):
            raise ValueError("the lineage of the 2025 reorganisation is missing: run `manage.py load_units`")
        self.today_provinces = list(Province.objects.filter(pk__in=set(self.successor_of.values())).order_by("code"))
        self.today_ids = [p.pk for p in self.today_provinces]
        self.formed_from = {}  # commune of today -> [old communes], each (old commune id, whole)
        for predecessor, successor, whole in CommuneSuccession.objects.filter(
            successor__province_id__in=self.today_ids
        ).values_list("predecessor_id", "successor_id", "whole"):
            self.formed_from.setdefault(successor, []).append((predecessor, whole))

    def users(self):
        User = get_user_model()
        password = make_password(BENCH_PASSWORD)  # hashed once: hashing is slow on purpose
        wanted = [(ADMIN_USERNAME, Role.ADMINISTRATOR, None, None), (NATIONAL_LEADER, Role.LEADERSHIP, None, None)]
        for province in self.today_provinces:
            wanted.append((dost_username(province.code), Role.DOST_STAFF, province.pk, None))
            wanted.append((leader_username(province.code), Role.LEADERSHIP, province.pk, None))
        if self.with_officers:
            for district in self.districts:
                wanted.append(
                    (officer_username(district.code), Role.DISTRICT_OFFICER, district.province_id, district.pk)
                )
        existing = set(User.objects.filter(username__in=[w[0] for w in wanted]).values_list("username", flat=True))
        if existing:
            raise ValueError(f"users already exist: {', '.join(sorted(existing)[:5])}")
        self.password = password
        users = self._bulk(
            User,
            [
                User(
                    username=username,
                    password=password,
                    email=f"{username}@bench.isotrack.local",
                    is_staff=role == Role.ADMINISTRATOR,
                    is_superuser=role == Role.ADMINISTRATOR,
                )
                for username, role, _, _ in wanted
            ],
        )
        self._bulk(
            RoleAssignment,
            [
                RoleAssignment(user=user, role=role, province_id=province_id, district_id=district_id)
                for user, (_, role, province_id, district_id) in zip(users, wanted)
            ],
        )
        by_name = {u.username: u for u in users}
        self.staff_user = {p.pk: by_name[dost_username(p.code)] for p in self.today_provinces}
        # The DOST of today holds the records of the provinces it was formed from: its staff
        # recorded them (their old Departments merged into it).
        self.staff_of = {p.pk: self.staff_user[p.pk].pk for p in self.today_provinces}
        self.staff_of.update({old: self.staff_of[new] for old, new in self.successor_of.items()})
        self.officer_of = (
            {d.pk: by_name[officer_username(d.code)].pk for d in self.districts} if self.with_officers else {}
        )

    # -- before 01/07/2025 ----------------------------------------------------------------------------
    def old_plans(self):
        rng, era = self.rng, self.old
        as_of = era.as_of
        plans, consultants = [], []
        for province in self.provinces:
            issued = as_of - D(days=rng.randint(800, 1000))
            starts = issued + D(days=rng.randint(10, 30))
            ends = as_of + D(days=rng.randint(120, 360))
            share = rng.choice([60, 70, 75, 80, 90, 100])
            plans.append(
                RolloutPlan(
                    province=province,
                    number=f"{PLAN_PREFIX}{rng.randint(10, 999)}/KH-UBND",
                    issued_on=issued,
                    title=f"Kế hoạch áp dụng TCVN ISO 9001:2015 tại UBND cấp xã tỉnh {province.short_name}",
                    legal_basis="Quyết định 19/2014/QĐ-TTg; Thông tư 116/2015/TT-BTC (dữ liệu benchmark)",
                    standard_version=StandardVersion.ISO_2015,
                    starts_on=starts,
                    ends_on=ends,
                    target_kind=TargetKind.SHARE,
                    target_value=share,
                    target_date=ends,
                    note="Dữ liệu sinh tự động cho benchmark quy mô toàn quốc.",
                    created_by_id=self.staff_of[province.pk],
                )
            )
            consultants += self._consultants(province)
        self._plans_and_consultants(era, plans, consultants)

        phases = []
        for province in self.provinces:
            plan = era.plan_of[province.pk]
            communes = self.communes[province.pk]
            pilot_count = max(1, round(len(communes) * rng.uniform(0.15, 0.25)))
            pilot_ends = plan.starts_on + D(days=rng.randint(270, 330))
            pilot = Phase(
                plan=plan,
                order=1,
                kind=PhaseKind.PILOT,
                name=f"Giai đoạn 1: thí điểm tại {pilot_count} xã",
                starts_on=plan.starts_on,
                ends_on=pilot_ends,
                target_communes=pilot_count,
            )
            expansion = Phase(
                plan=plan,
                order=2,
                kind=PhaseKind.EXPANSION,
                name=f"Giai đoạn 2: nhân rộng {len(communes) - pilot_count} xã",
                starts_on=pilot_ends + D(days=1),
                ends_on=plan.ends_on,
                target_communes=len(communes) - pilot_count,
            )
            phases += [pilot, expansion]
            era.first_of[province.pk], era.second_of[province.pk] = pilot, expansion
        self._phases(phases)

    def _consultants(self, province):
        rng = self.rng
        return [
            Consultant(
                province=province,
                name=f"Công ty Tư vấn ISO {province.short_name} số {n}",
                contact=f"0{rng.randint(200, 299)} {rng.randint(1000000, 9999999)}",
            )
            for n in (1, 2)
        ]

    def _plans_and_consultants(self, era, plans, consultants):
        self._bulk(RolloutPlan, plans)
        self._bulk(Consultant, consultants)
        era.plan_of.update({plan.province_id: plan for plan in plans})
        for consultant in consultants:
            era.consultants_of.setdefault(consultant.province_id, []).append(consultant)
        for plan in plans:
            self._history(plan, plan.issued_on, "+", plan.created_by_id)
        for consultant in consultants:
            plan = era.plan_of[consultant.province_id]
            self._history(consultant, plan.issued_on, "+", plan.created_by_id)

    def _phases(self, phases):
        self._bulk(Phase, phases)
        for phase in phases:
            self._history(phase, phase.plan.issued_on, "+", phase.plan.created_by_id)

    def old_enrolments(self):
        """Enrol every commune: pilot communes picked at random, the rest in the expansion."""
        rng, era = self.rng, self.old
        for province in self.provinces:
            communes = self.communes[province.pk]
            pilot_phase, expansion_phase = era.first_of[province.pk], era.second_of[province.pk]
            pilot_ids = {c.pk for c in rng.sample(communes, pilot_phase.target_communes)}
            for index, commune in enumerate(communes):
                phase = pilot_phase if commune.pk in pilot_ids else expansion_phase
                era.built.append(
                    self.enrolment(era, phase, commune, index, officer_id=self.officer_of.get(commune.district_id))
                )
        self._write_enrolments(era.built)
        # Communes announced on their last day: the starting point of the provinces of today.
        self.announced_old = {
            b.enrolment.commune_id for b in era.built if any(a.lapsed_on is None for a in b.announcements)
        }

    def _write_enrolments(self, built):
        """Enrolments first (their ids), then what hangs from them, then their history."""
        self._bulk(Enrolment, [b.enrolment for b in built])
        for b in built:
            for record in (*b.steps, *b.announcements, *b.maintenance, *b.inspections):
                record.enrolment = b.enrolment
        self._copy_objects(Step, [s for b in built for s in b.steps])
        self._bulk(Announcement, [a for b in built for a in b.announcements])
        self._bulk(MaintenanceActivity, [m for b in built for m in b.maintenance])
        self._bulk(Inspection, [i for b in built for i in b.inspections])
        for b in built:
            self.enrolment_history(b)

    def enrolment(self, era, phase, commune, index, *, officer_id=None, enrolled_on=None):
        """An enrolment of `commune` in `phase` with its records, as far as it got by `era.as_of`."""
        rng, today = self.rng, era.as_of
        plan = phase.plan
        staff_id = self.staff_of[plan.province_id]
        officer_id = officer_id or staff_id
        consultants = era.consultants_of[plan.province_id]
        total = rng.randint(90, 140)
        enrolled_on = enrolled_on or phase.starts_on
        enrolment = Enrolment(
            plan=plan,
            phase=phase,
            commune=commune,
            consultant=consultants[index % len(consultants)],
            standard_version=plan.standard_version,
            procedures_total=total,
            procedures_in_scope=total if rng.random() < 0.8 else rng.randint(total // 2, total),
            enrolled_on=enrolled_on,
        )
        template, items = self.template
        enrolment.step_template = template
        dues = due_dates([item.duration_days for item in items], max(phase.starts_on, enrolled_on), phase.ends_on)
        steps = [
            Step(kind=item.code, name=item.name, stage=item.stage, order=item.order, due_on=due)
            for item, due in zip(items, dues)
        ]
        built = _Enrolled(enrolment, steps, staff_id=staff_id, officer_id=officer_id)

        # How far this commune got: most of a phase that has ended, its share of the time of one under way.
        if phase.starts_on > today:
            done_count = 0
        elif phase.ends_on <= today:
            done_count = 8 if rng.random() < 0.75 else rng.randint(3, 7)
        else:
            span = max((phase.ends_on - phase.starts_on).days, 1)
            elapsed = min(max((today - phase.starts_on).days / span, 0), 1)
            done_count = max(0, min(8, round(10 * elapsed + rng.gauss(0, 2))))
        self._record_steps(built, steps[:done_count], phase.starts_on, today)
        self._announce(built, phase.kind == PhaseKind.PILOT, today)
        self._derive(built)
        return built

    def _derive(self, built):
        """The enrolment's stored status, current step, nearest due date and upkeep deadline, as
        Enrolment.refresh_status computes them."""
        enrolment = built.enrolment
        enrolment.status, enrolment.current_step, enrolment.next_due_on = derived_fields(
            built.steps, built.announcements, built.maintenance
        )
        duties = (
            upkeep_duties(built.announcements, built.maintenance, enrolment.plan.province_id, self.upkeep_rules)
            if enrolment.ended_on is None
            else []
        )
        enrolment.upkeep_due_on = duties[0].due_on if duties else None

    def _record_steps(self, built, steps, starts_on, today):
        """Record `steps` done between `starts_on` and `today`, each reviewed (or not yet) by the officer.

        A commune ahead of the schedule did its steps at its own pace, the last one a while ago."""
        rng = self.rng
        if not steps:
            return
        enrolled_on = built.enrolment.enrolled_on
        scale = 1.0
        finished_by = today - D(days=rng.randint(20, 120))
        last_due = steps[-1].due_on
        if last_due > finished_by:
            scale = max((finished_by - starts_on).days, 0) / max((last_due - starts_on).days, 1)
        previous = max(starts_on, enrolled_on)
        # The last step of a finished sequence has usually been reviewed; a step in the middle often waits.
        awaiting = 0.05 if sum(1 for s in built.steps if s.done_on) + len(steps) >= len(built.steps) else 0.3
        for position, step in enumerate(steps):
            planned = starts_on + D(days=round((step.due_on - starts_on).days * scale))
            done_on = planned + D(days=rng.randint(-10, 20 if scale == 1.0 else 5))
            done_on = min(max(done_on, previous, enrolled_on), today)
            previous = done_on
            step.done_on = done_on
            step.evidence = f"Biên bản số {rng.randint(1, 99)}/BB-UBND ngày {done_on:%d/%m/%Y}"
            step.recorded_by_id = built.staff_id
            step.recorded_at = self._moment(done_on)
            last = position == len(steps) - 1
            roll = rng.random()
            if last and roll < awaiting:
                step.review_state = ReviewState.AWAITING
            elif last and roll < awaiting + 0.07:
                step.review_state = ReviewState.RETURNED
                step.review_comment = "Thiếu danh sách tham dự, đề nghị bổ sung."
                step.reviewed_by_id = built.officer_id
                step.reviewed_at = self._moment(min(done_on + D(days=rng.randint(1, 10)), today))
            else:
                step.review_state = ReviewState.CONFIRMED
                step.reviewed_by_id = built.officer_id
                step.reviewed_at = self._moment(min(done_on + D(days=rng.randint(1, 10)), today))

    def _announce(self, built, likely, today):
        """An announcement once every step counts as done, then a year of maintenance."""
        rng, steps = self.rng, built.steps
        if not (all(s.counts_as_done for s in steps) and rng.random() < (0.9 if likely else 0.75)):
            return
        enrolment, staff_id = built.enrolment, built.staff_id
        decided_on = max(s.done_on for s in steps) + D(days=rng.randint(5, 40))
        if decided_on > today:
            return
        announcement = Announcement(
            kind=AnnouncementKind.FIRST,
            decision_number=f"{rng.randint(10, 250)}/QĐ-UBND",
            decided_on=decided_on,
            standard_version=enrolment.standard_version,
            procedures_in_scope=enrolment.procedures_in_scope,
            recorded_by_id=staff_id,
        )
        built.announcements.append(announcement)
        lapse_on = decided_on + D(days=rng.randint(100, 300))
        if rng.random() < 0.03 and lapse_on <= today:
            announcement.lapsed_on = lapse_on
            announcement.lapse_reason = "Kết quả kiểm tra: hệ thống không được duy trì."
        audit_on = decided_on + D(days=rng.randint(330, 400))
        if audit_on <= today and rng.random() < 0.7:
            built.maintenance.append(
                MaintenanceActivity(kind=MaintenanceKind.INTERNAL_AUDIT, done_on=audit_on, recorded_by_id=staff_id)
            )
            review_on = audit_on + D(days=rng.randint(7, 30))
            if review_on <= today:
                built.maintenance.append(
                    MaintenanceActivity(
                        kind=MaintenanceKind.MANAGEMENT_REVIEW, done_on=review_on, recorded_by_id=staff_id
                    )
                )
        inspected_on = decided_on + D(days=rng.randint(60, 200))
        if inspected_on <= today and rng.random() < 0.1:
            result = rng.choice(list(InspectionResult.values))
            built.inspections.append(
                Inspection(
                    inspected_on=inspected_on,
                    mode=rng.choice(list(InspectionMode.values)),
                    record_number=f"{rng.randint(1, 99)}/BB-SKHCN",
                    result=result,
                    findings=""
                    if result == InspectionResult.CONFORMING
                    else "Chưa cập nhật quy trình theo văn bản mới.",
                    corrective_action=""
                    if result == InspectionResult.CONFORMING
                    else "Cập nhật quy trình, báo cáo Sở.",
                    corrective_due_on=None if result == InspectionResult.CONFORMING else add_months(inspected_on, 2),
                    recorded_by_id=staff_id,
                )
            )

    def enrolment_history(self, b):
        """The change history of one enrolment: created, each step recorded and reviewed, announced."""
        enrolment = b.enrolment
        self._history(
            enrolment,
            enrolment.enrolled_on,
            "+",
            b.staff_id,
            status="planned",
            current_step=StepKind.SURVEY,
            next_due_on=b.steps[0].due_on,
        )
        for step in b.steps:
            self._history(
                step,
                enrolment.enrolled_on,
                "+",
                b.staff_id,
                done_on=None,
                evidence="",
                recorded_by_id=None,
                recorded_at=None,
                review_state=ReviewState.NOT_RECORDED,
                review_comment="",
                reviewed_by_id=None,
                reviewed_at=None,
            )
            if step.done_on:
                self._history(
                    step,
                    step.done_on,
                    "~",
                    b.staff_id,
                    review_state=ReviewState.AWAITING,
                    review_comment="",
                    reviewed_by_id=None,
                    reviewed_at=None,
                )
                if step.reviewed_at:
                    self._history(step, step.reviewed_at.date(), "~", b.officer_id)
        for announcement in b.announcements:
            self._history(announcement, announcement.decided_on, "+", b.staff_id, lapsed_on=None, lapse_reason="")
            if announcement.lapsed_on:
                self._history(announcement, announcement.lapsed_on, "~", b.staff_id)
        for record in (*b.maintenance, *b.inspections):
            day = getattr(record, "done_on", None) or record.inspected_on
            self._history(record, day, "+", b.staff_id)
        last_event = max(
            [s.done_on for s in b.steps if s.done_on]
            + [a.decided_on for a in b.announcements]
            + [enrolment.enrolled_on]
        )
        if last_event > enrolment.enrolled_on:
            self._history(enrolment, last_event, "~", b.staff_id)

    # -- 01/07/2025 -------------------------------------------------------------------------------
    def reorganise(self):
        """The reorganisation as Celery beat applies it: old enrolments end, their announcements
        stop being in force, the old plans close (history by the system account)."""
        self.write_history()  # the action reads the records it ends
        system = system_user()
        started = time.monotonic()
        ended = actions.end_abolished(self.today, by=system)
        self.write(f"    end_abolished: {time.monotonic() - started:.1f} s")
        self.write("    {} enrolments ended, {} announcements ended, {} plans closed".format(*ended))
        # The job ran the night the map changed: its history rows are dated then.
        with connection.cursor() as cursor:
            for model in (Enrolment, Announcement, RolloutPlan):
                cursor.execute(
                    f"UPDATE {model.history.model._meta.db_table} SET history_date = %s WHERE history_user_id = %s",
                    [datetime.datetime.combine(REFORM_2025, datetime.time(0, 15), tzinfo=self.tz), system.pk],
                )

    def review_areas(self):
        """Each province of today groups its communes into areas made from its former districts
        (through the action DOST staff use), each with an officer."""
        User = get_user_model()
        for province in self.today_provinces:
            actions.create_areas_from_districts(province, by=self.staff_user[province.pk])
        areas = list(
            ReviewArea.objects.filter(province_id__in=self.today_ids)
            .select_related("province")
            .order_by("province__code", "name")
        )
        self._count(ReviewArea, len(areas))
        users = self._bulk(
            User,
            [
                User(
                    username=area_officer_username(area.province.code, area.name),
                    password=self.password,
                    email=f"{area_officer_username(area.province.code, area.name)}@bench.isotrack.local",
                )
                for area in areas
            ],
        )
        self._bulk(
            RoleAssignment,
            [
                RoleAssignment(user=user, role=Role.DISTRICT_OFFICER, province_id=area.province_id, area=area)
                for user, area in zip(users, areas)
            ],
        )
        self.area_officer_of = {area.pk: user.pk for area, user in zip(areas, users)}
        self.today_communes = {p.pk: [] for p in self.today_provinces}
        for commune in Commune.objects.filter(province_id__in=self.today_ids).order_by("code"):
            self.today_communes[commune.province_id].append(commune)

    # -- the map of today ----------------------------------------------------------------------------
    def new_plans(self):
        """A plan per province of today, with a first phase (carried-over and first communes)
        near its end and a second phase starting; most communes enrolled in one of them."""
        rng, era = self.rng, self.new
        today = era.as_of
        plans, consultants = [], []
        for province in self.today_provinces:
            issued = max(REFORM_2025 + D(days=30), today - D(days=rng.randint(280, 330)))
            starts = issued + D(days=rng.randint(10, 30))
            ends = starts + D(days=rng.randint(650, 730))
            plans.append(
                RolloutPlan(
                    province=province,
                    number=f"{PLAN_PREFIX}{rng.randint(10, 999)}/KH-UBND",
                    issued_on=issued,
                    title=f"Kế hoạch xây dựng, áp dụng HTQLCL theo TCVN ISO 9001:2015 tại UBND cấp xã sau sắp xếp "
                    f"đơn vị hành chính, {province.name}",
                    legal_basis="Nghị quyết 202/2025/QH15; Quyết định 19/2014/QĐ-TTg (dữ liệu benchmark)",
                    standard_version=StandardVersion.ISO_2015,
                    starts_on=starts,
                    ends_on=ends,
                    target_kind=TargetKind.SHARE,
                    target_value=rng.choice([80, 90, 100]),
                    target_date=ends,
                    note="Dữ liệu sinh tự động cho benchmark quy mô toàn quốc (bản đồ hành chính hiện hành).",
                    created_by_id=self.staff_of[province.pk],
                )
            )
            consultants += self._consultants(province)
        self._plans_and_consultants(era, plans, consultants)

        phases = []
        self.first_communes, self.second_communes = {}, {}
        for province in self.today_provinces:
            plan = era.plan_of[province.pk]
            communes = self.today_communes[province.pk]
            share = rng.uniform(0.8, 0.95)
            enrolled = [c for c in communes if rng.random() < share]
            first = [c for c in enrolled if rng.random() < (0.6 if self._from_announced(c) else 0.3)]
            second = [c for c in enrolled if c not in set(first)]
            self.first_communes[province.pk], self.second_communes[province.pk] = first, second
            first_ends = min(plan.starts_on + D(days=rng.randint(330, 400)), plan.ends_on - D(days=60))
            phase_1 = Phase(
                plan=plan,
                order=1,
                kind=PhaseKind.PILOT,
                name=f"Giai đoạn 1: kế thừa, công bố lại và thí điểm tại {len(first)} xã",
                starts_on=plan.starts_on,
                ends_on=first_ends,
                target_communes=len(first),
            )
            phase_2 = Phase(
                plan=plan,
                order=2,
                kind=PhaseKind.EXPANSION,
                name=f"Giai đoạn 2: nhân rộng {len(second)} xã",
                starts_on=first_ends + D(days=1),
                ends_on=plan.ends_on,
                target_communes=len(second),
            )
            phases += [phase_1, phase_2]
            era.first_of[province.pk], era.second_of[province.pk] = phase_1, phase_2
        self._phases(phases)

    def _from_announced(self, commune):
        return any(old in self.announced_old for old, _whole in self.formed_from.get(commune.pk, ()))

    def carry_over(self):
        """A share of the first phase's communes formed from announced ones: the DOST carries over
        their announced predecessors' work with `actions.carry_over` (the build steps, or every
        step), then the area officer reviews them, the rest is done, and some announce again."""
        rng, era = self.rng, self.new
        today = era.as_of
        self.carried = set()
        carried = []
        for province in self.today_provinces:
            phase = era.first_of[province.pk]
            staff = self.staff_user[province.pk]
            build_codes = {item.code for item in self.template[1] if item.stage == Stage.BUILD}
            eligible = [c for c in self.first_communes[province.pk] if self._from_announced(c)]
            chosen = {c.pk for c in eligible if rng.random() < self.carry_over_share / 0.6}
            for commune in eligible:  # at least MIN_CARRIED, the first ones
                if len(chosen) >= MIN_CARRIED:
                    break
                chosen.add(commune.pk)
            for commune in eligible:
                if commune.pk not in chosen:
                    continue
                predecessors = [e for e in predecessor_enrolments(commune, staff) if e.commune_id in self.announced_old]
                if not predecessors:
                    continue
                done = done_in_all(predecessors)
                done_kinds = done if rng.random() < 0.3 else [k for k in done if k in build_codes]
                enrolled_on = min(phase.starts_on + D(days=rng.randint(0, 30)), today)
                total = rng.randint(150, 260)
                enrolment = actions.carry_over(
                    phase,
                    commune,
                    predecessors=predecessors,
                    done_kinds=done_kinds,
                    by=staff,
                    enrolled_on=enrolled_on,
                    consultant=era.consultants_of[province.pk][len(carried) % 2],
                    procedures_total=total,
                    procedures_in_scope=total,
                )
                carried.append(enrolment)
                self.carried.add(commune.pk)
        self._count(Enrolment, len(carried))
        self.progress_carried(carried)

    def progress_carried(self, enrolments):
        """What happened since: the area officer reviews the carried steps, the commune does the
        rest at its pace, and some announce again (bulk, with their history). The actions ran
        today: their history rows and timestamps are dated on the day they stand for."""
        rng, today = self.rng, self.new.as_of
        ids = [e.pk for e in enrolments]
        self._date_action_history(ids)
        enrolments = list(
            Enrolment.objects.filter(pk__in=ids).select_related("commune").prefetch_related("steps").order_by("pk")
        )
        built_list, steps_changed = [], []
        for enrolment in enrolments:
            staff_id = self.staff_of[enrolment.commune.province_id]
            officer_id = self.area_officer_of.get(enrolment.commune.area_id, staff_id)
            steps = sorted(enrolment.steps.all(), key=lambda s: s.order)
            built = _Enrolled(enrolment, steps, staff_id=staff_id, officer_id=officer_id)
            built_list.append(built)
            for step in steps:
                if step.review_state != ReviewState.AWAITING:
                    continue
                step.recorded_at = self._moment(step.done_on)
                if rng.random() < 0.9:
                    step.review_state = ReviewState.CONFIRMED
                    step.reviewed_by_id = officer_id
                    step.reviewed_at = self._moment(min(step.done_on + D(days=rng.randint(3, 30)), today))
                    self._history(step, step.reviewed_at.date(), "~", officer_id)
                steps_changed.append(step)
            remaining = [s for s in steps if not s.done_on]
            if remaining and rng.random() < 0.8:
                start = max([s.done_on for s in steps if s.done_on] + [enrolment.enrolled_on])
                done = remaining if rng.random() < 0.6 else remaining[: rng.randint(0, len(remaining) - 1)]
                self._record_steps(built, done, start, today)
                for step in done:
                    self._history(
                        step,
                        step.done_on,
                        "~",
                        staff_id,
                        review_state=ReviewState.AWAITING,
                        review_comment="",
                        reviewed_by_id=None,
                        reviewed_at=None,
                    )
                    if step.reviewed_at:
                        self._history(step, step.reviewed_at.date(), "~", officer_id)
                steps_changed += done
            self._announce(built, True, today)
            for record in (*built.announcements, *built.maintenance, *built.inspections):
                record.enrolment = enrolment
        Step.objects.bulk_update(
            steps_changed,
            [
                "done_on",
                "evidence",
                "recorded_by",
                "recorded_at",
                "review_state",
                "review_comment",
                "reviewed_by",
                "reviewed_at",
            ],
            batch_size=1000,
        )
        self._bulk(Announcement, [a for b in built_list for a in b.announcements])
        self._bulk(MaintenanceActivity, [m for b in built_list for m in b.maintenance])
        self._bulk(Inspection, [i for b in built_list for i in b.inspections])
        for b in built_list:
            e = b.enrolment
            for announcement in b.announcements:
                self._history(announcement, announcement.decided_on, "+", b.staff_id)
            for record in (*b.maintenance, *b.inspections):
                self._history(record, getattr(record, "done_on", None) or record.inspected_on, "+", b.staff_id)
            self._derive(b)
            last_event = max(
                [s.done_on for s in b.steps if s.done_on] + [a.decided_on for a in b.announcements] + [e.enrolled_on]
            )
            self._history(e, last_event, "~", b.staff_id)
        Enrolment.objects.bulk_update(
            [b.enrolment for b in built_list],
            ["status", "current_step", "next_due_on", "upkeep_due_on"],
            batch_size=1000,
        )
        self.new.built += built_list

    def _date_action_history(self, enrolment_ids):
        """Date the history rows carry_over wrote for these enrolments (and their steps) on the
        enrolment day, when the DOST would have recorded them, and name who did (an action run
        outside a request leaves the user of a plain save unrecorded)."""
        if not enrolment_ids:
            return
        with connection.cursor() as cursor:
            for historical, key in ((Enrolment.history.model, "id"), (Step.history.model, "enrolment_id")):
                cursor.execute(
                    f"UPDATE {historical._meta.db_table} AS h "
                    f"SET history_date = (e.enrolled_on + time '09:30') AT TIME ZONE %s, "
                    f"history_user_id = COALESCE(h.history_user_id, p.created_by_id) "
                    f"FROM {Enrolment._meta.db_table} AS e JOIN {RolloutPlan._meta.db_table} AS p ON p.id = e.plan_id "
                    f"WHERE h.{key} = e.id AND e.id = ANY(%s)",
                    [str(self.tz), enrolment_ids],
                )

    def new_enrolments(self):
        """The other communes enrolled in today's plans: the first phase's under way, the
        second's named in the plan from its start and not begun yet."""
        era = self.new
        fresh = []
        for province in self.today_provinces:
            phase_1, phase_2 = era.first_of[province.pk], era.second_of[province.pk]
            for index, commune in enumerate(self.first_communes[province.pk]):
                if commune.pk not in self.carried:
                    fresh.append(
                        self.enrolment(
                            era, phase_1, commune, index, officer_id=self.area_officer_of.get(commune.area_id)
                        )
                    )
            for index, commune in enumerate(self.second_communes[province.pk]):
                fresh.append(
                    self.enrolment(
                        era,
                        phase_2,
                        commune,
                        index,
                        enrolled_on=phase_2.plan.starts_on,
                        officer_id=self.area_officer_of.get(commune.area_id),
                    )
                )
        self._write_enrolments(fresh)
        era.built += fresh

    def money(self, era):
        """Budget lines per phase, paid in two or three instalments; support paid to some communes."""
        rng, today = self.rng, era.as_of
        lines = []
        for province_id, first in era.first_of.items():
            for phase in (first, era.second_of[province_id]):
                per_commune = phase.target_communes
                for category, source, unit in (
                    (BudgetCategory.CONSULTING, FundingSource.SCIENCE, 16_000_000),
                    (BudgetCategory.COMMUNE_SUPPORT, FundingSource.PROVINCE, 5_000_000),
                    (BudgetCategory.EVALUATION, FundingSource.SCIENCE, 2_000_000),
                ):
                    lines.append(
                        BudgetLine(
                            plan=phase.plan,
                            phase=phase,
                            category=category,
                            funding_source=source,
                            amount=int(round(unit * max(per_commune, 1) * rng.uniform(0.8, 1.2), -6)),
                            description=f"{category.label} — {phase.name}",
                        )
                    )
                if phase.order == 1:
                    lines.append(
                        BudgetLine(
                            plan=phase.plan,
                            phase=phase,
                            category=BudgetCategory.FRAMEWORK,
                            funding_source=FundingSource.SCIENCE,
                            amount=rng.randint(80, 150) * 1_000_000,
                            description="Xây dựng khung tài liệu cho UBND cấp xã",
                        )
                    )
        self._bulk(BudgetLine, lines)
        spending = []
        for line in lines:
            phase = line.phase
            if phase.starts_on > today:
                continue
            share = rng.uniform(0.6, 0.98) if phase.ends_on < today else rng.uniform(0.2, 0.6)
            payments = rng.randint(2, 3)
            for n in range(payments):
                day = min(phase.starts_on + (phase.ends_on - phase.starts_on) * (n + 1) // (payments + 1), today)
                spending.append(
                    Expenditure(
                        plan=line.plan,
                        phase=phase,
                        budget_line=line,
                        amount=int(round(line.amount * share / payments, -6)),
                        spent_on=day,
                        document_ref=f"{rng.randint(100, 999)}/HĐ-SKHCN",
                        description=f"{line.get_category_display()} — đợt {n + 1}",
                    )
                )
        support = {(b.plan_id, b.phase_id): b for b in lines if b.category == BudgetCategory.COMMUNE_SUPPORT}
        for b in era.built:
            if b.announcements and rng.random() < 0.3:
                e = b.enrolment
                spending.append(
                    Expenditure(
                        plan=e.plan,
                        phase=e.phase,
                        budget_line=support[(e.plan_id, e.phase_id)],
                        commune_id=e.commune_id,
                        amount=rng.randint(3, 8) * 1_000_000,
                        spent_on=b.announcements[0].decided_on,
                        document_ref=f"{rng.randint(100, 999)}/QĐ-SKHCN",
                        description="Hỗ trợ xã sau công bố",
                    )
                )
        self._bulk(Expenditure, spending)
        for record in (*lines, *spending):
            self._history(
                record,
                getattr(record, "spent_on", None) or record.plan.issued_on,
                "+",
                self.staff_of[record.plan.province_id],
            )

    def write_history(self):
        for historical, rows in self.history.items():
            self._copy(historical, self._history_columns(historical), rows)
        self.history = {}
