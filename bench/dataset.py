"""The national-scale dataset of the benchmark (product.md, "Budgets").

Every commune of the pre-2025 list enrolled in one plan of its province (two phases: a pilot
that has ended, an expansion under way), the eight legal steps of each enrolment with due and
done dates and review states, announcements (some lapsed), yearly maintenance, inspections,
consultants, budget lines and expenditures, users for every role, and the change history of it
all (simple-history rows dated at the events they record).

Reproducible: every choice comes from random.Random(seed); dates are placed relative to
`today` (default: the day it runs) so that there is always something due, overdue and awaiting
review. Fast: everything is built in memory and written with bulk_create in batches; the
derived fields of each enrolment are computed with rollout.models.derive_status while building
(never refresh_status per row).
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
from provinces.loading import PRE_2025_UNTIL
from provinces.models import Commune, District, Province
from rollout.choices import (
    AnnouncementKind,
    BudgetCategory,
    FundingSource,
    InspectionMode,
    InspectionResult,
    MaintenanceKind,
    PhaseKind,
    ReviewState,
    StandardVersion,
    StepKind,
    TargetKind,
)
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


def dost_username(province_code):
    return f"dost_{province_code}"


def leader_username(province_code):
    return f"lanhdao_{province_code}"


def officer_username(district_code):
    return f"huyen_{district_code}"


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


class BenchDataBuilder:
    """Build the benchmark dataset in an empty rollout (units loaded, no plan yet)."""

    def __init__(self, provinces=None, seed=SEED, today=None, district_officers=True, history=True,
                 batch_size=5000, stdout=None):
        self.province_codes = list(provinces) if provinces else None
        self.rng = random.Random(seed)
        self.today = today or timezone.localdate()
        self.with_officers = district_officers
        self.with_history = history
        self.batch_size = batch_size
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

    def _bulk(self, model, objects):
        objects = list(objects)
        model.objects.bulk_create(objects, batch_size=self.batch_size)
        key = model._meta.label
        self.report.counts[key] = self.report.counts.get(key, 0) + len(objects)
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
        key = model._meta.label
        self.report.counts[key] = self.report.counts.get(key, 0) + len(rows)
        qn = connection.ops.quote_name
        sql = f"COPY {qn(model._meta.db_table)} ({', '.join(qn(c) for _, c in columns)}) FROM STDIN"
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 50_000):
                buffer = io.StringIO()
                for row in rows[start:start + 50_000]:
                    buffer.write("\t".join(_copy_text(v) for v in row))
                    buffer.write("\n")
                buffer.seek(0)
                cursor.copy_expert(sql, buffer)

    def _copy_objects(self, model, objects):
        """COPY unsaved model instances, giving them ids from the table's sequence first."""
        objects = list(objects)
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
        if RolloutPlan.objects.exists():
            raise ValueError("the rollout is not empty: build the benchmark data in a fresh database")
        started = time.monotonic()
        with transaction.atomic():
            with self._timed("units"):
                self.load_units()
            with self._timed("users"):
                self.users()
            with self._timed("plans"):
                self.plans()
            with self._timed("enrolments"):
                self.enrolments()
            with self._timed("money"):
                self.money()
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
        for commune in Commune.objects.filter(province_id__in=ids).order_by("code").only(
            "pk", "code", "province_id", "district_id", "division_type"
        ):
            self.communes[commune.province_id].append(commune)

    def users(self):
        User = get_user_model()
        password = make_password(BENCH_PASSWORD)  # hashed once: hashing is slow on purpose
        wanted = [(ADMIN_USERNAME, Role.ADMINISTRATOR, None, None), (NATIONAL_LEADER, Role.LEADERSHIP, None, None)]
        for province in self.provinces:
            wanted.append((dost_username(province.code), Role.DOST_STAFF, province.pk, None))
            wanted.append((leader_username(province.code), Role.LEADERSHIP, province.pk, None))
        if self.with_officers:
            for district in self.districts:
                wanted.append((officer_username(district.code), Role.DISTRICT_OFFICER, district.province_id, district.pk))
        existing = set(User.objects.filter(username__in=[w[0] for w in wanted]).values_list("username", flat=True))
        if existing:
            raise ValueError(f"users already exist: {', '.join(sorted(existing)[:5])}")
        users = self._bulk(User, [
            User(username=username, password=password, email=f"{username}@bench.isotrack.local",
                 is_staff=role == Role.ADMINISTRATOR, is_superuser=role == Role.ADMINISTRATOR)
            for username, role, _, _ in wanted
        ])
        self._bulk(RoleAssignment, [
            RoleAssignment(user=user, role=role, province_id=province_id, district_id=district_id)
            for user, (_, role, province_id, district_id) in zip(users, wanted)
        ])
        by_name = {u.username: u.pk for u in users}
        self.staff_of = {p.pk: by_name[dost_username(p.code)] for p in self.provinces}
        self.officer_of = (
            {d.pk: by_name[officer_username(d.code)] for d in self.districts} if self.with_officers else {}
        )

    def plans(self):
        rng, today = self.rng, self.today
        plans, consultants = [], []
        for province in self.provinces:
            issued = today - D(days=rng.randint(800, 1000))
            starts = issued + D(days=rng.randint(10, 30))
            ends = today + D(days=rng.randint(120, 360))
            share = rng.choice([60, 70, 75, 80, 90, 100])
            plans.append(RolloutPlan(
                province=province, number=f"{PLAN_PREFIX}{rng.randint(10, 999)}/KH-UBND", issued_on=issued,
                title=f"Kế hoạch áp dụng TCVN ISO 9001:2015 tại UBND cấp xã tỉnh {province.short_name}",
                legal_basis="Quyết định 19/2014/QĐ-TTg; Thông tư 116/2015/TT-BTC (dữ liệu benchmark)",
                standard_version=StandardVersion.ISO_2015, starts_on=starts, ends_on=ends,
                target_kind=TargetKind.SHARE, target_value=share, target_date=ends,
                note="Dữ liệu sinh tự động cho benchmark quy mô toàn quốc.",
                created_by_id=self.staff_of[province.pk],
            ))
            for n in (1, 2):
                consultants.append(Consultant(
                    province=province, name=f"Công ty Tư vấn ISO {province.short_name} số {n}",
                    contact=f"0{rng.randint(200, 299)} {rng.randint(1000000, 9999999)}",
                ))
        self._bulk(RolloutPlan, plans)
        self._bulk(Consultant, consultants)
        self.plan_of = {plan.province_id: plan for plan in plans}
        self.consultants_of = {}
        for consultant in consultants:
            self.consultants_of.setdefault(consultant.province_id, []).append(consultant)

        phases = []
        self.pilot_of, self.expansion_of = {}, {}
        for province in self.provinces:
            plan = self.plan_of[province.pk]
            communes = self.communes[province.pk]
            pilot_count = max(1, round(len(communes) * rng.uniform(0.15, 0.25)))
            pilot_ends = plan.starts_on + D(days=rng.randint(270, 330))
            pilot = Phase(plan=plan, order=1, kind=PhaseKind.PILOT, name=f"Giai đoạn 1: thí điểm tại {pilot_count} xã",
                          starts_on=plan.starts_on, ends_on=pilot_ends, target_communes=pilot_count)
            expansion = Phase(plan=plan, order=2, kind=PhaseKind.EXPANSION,
                              name=f"Giai đoạn 2: nhân rộng {len(communes) - pilot_count} xã",
                              starts_on=pilot_ends + D(days=1), ends_on=plan.ends_on,
                              target_communes=len(communes) - pilot_count)
            phases += [pilot, expansion]
            self.pilot_of[province.pk], self.expansion_of[province.pk] = pilot, expansion
        self._bulk(Phase, phases)
        for plan in plans:
            self._history(plan, plan.issued_on, "+", plan.created_by_id)
        for phase in phases:
            self._history(phase, phase.plan.issued_on, "+", phase.plan.created_by_id)
        for consultant in consultants:
            plan = self.plan_of[consultant.province_id]
            self._history(consultant, plan.issued_on, "+", plan.created_by_id)

    def enrolments(self):
        """Enrol every commune: pilot communes picked at random, the rest in the expansion."""
        rng = self.rng
        built = []
        for province in self.provinces:
            communes = self.communes[province.pk]
            pilot_phase, expansion_phase = self.pilot_of[province.pk], self.expansion_of[province.pk]
            pilot_ids = {c.pk for c in rng.sample(communes, pilot_phase.target_communes)}
            for index, commune in enumerate(communes):
                phase = pilot_phase if commune.pk in pilot_ids else expansion_phase
                built.append(self.enrolment(province, phase, commune, index))
        # Enrolments first (their ids), then what hangs from them.
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
        self.built = built

    def enrolment(self, province, phase, commune, index):
        rng, today = self.rng, self.today
        plan = phase.plan
        staff_id = self.staff_of[province.pk]
        officer_id = self.officer_of.get(commune.district_id, staff_id)
        consultants = self.consultants_of[province.pk]
        total = rng.randint(90, 140)
        enrolment = Enrolment(
            plan=plan, phase=phase, commune_id=commune.pk, consultant=consultants[index % len(consultants)],
            standard_version=plan.standard_version, procedures_total=total,
            procedures_in_scope=total if rng.random() < 0.8 else rng.randint(total // 2, total),
            enrolled_on=phase.starts_on,
        )
        template, items = self.template
        enrolment.step_template = template
        dues = due_dates([item.duration_days for item in items], phase.starts_on, phase.ends_on)
        steps = [Step(kind=item.code, name=item.name, stage=item.stage, order=item.order, due_on=due)
                 for item, due in zip(items, dues)]

        # How far this commune got.
        if phase.kind == PhaseKind.PILOT:
            done_count = 8 if rng.random() < 0.75 else rng.randint(3, 7)
        else:
            span = max((phase.ends_on - phase.starts_on).days, 1)
            elapsed = min(max((today - phase.starts_on).days / span, 0), 1)
            done_count = max(0, min(8, round(10 * elapsed + rng.gauss(0, 2))))
        # A commune ahead of the schedule did its steps at its own pace, the last one a while ago.
        scale = 1.0
        if done_count:
            finished_by = today - D(days=rng.randint(20, 120))
            last_due = steps[done_count - 1].due_on
            if last_due > finished_by:
                scale = max((finished_by - phase.starts_on).days, 0) / max((last_due - phase.starts_on).days, 1)
        previous = phase.starts_on
        for position, step in enumerate(steps[:done_count]):
            planned = phase.starts_on + D(days=round((step.due_on - phase.starts_on).days * scale))
            done_on = planned + D(days=rng.randint(-10, 20 if scale == 1.0 else 5))
            done_on = min(max(done_on, previous, enrolment.enrolled_on), today)
            previous = done_on
            step.done_on = done_on
            step.evidence = f"Biên bản số {rng.randint(1, 99)}/BB-UBND ngày {done_on:%d/%m/%Y}"
            step.recorded_by_id = staff_id
            step.recorded_at = self._moment(done_on)
            last = position == done_count - 1
            roll = rng.random()
            awaiting = 0.3 if done_count < 8 else 0.05
            if last and roll < awaiting:
                step.review_state = ReviewState.AWAITING
            elif last and roll < awaiting + 0.07:
                step.review_state = ReviewState.RETURNED
                step.review_comment = "Thiếu danh sách tham dự, đề nghị bổ sung."
                step.reviewed_by_id = officer_id
                step.reviewed_at = self._moment(min(done_on + D(days=rng.randint(1, 10)), today))
            else:
                step.review_state = ReviewState.CONFIRMED
                step.reviewed_by_id = officer_id
                step.reviewed_at = self._moment(min(done_on + D(days=rng.randint(1, 10)), today))
        built = _Enrolled(enrolment, steps, staff_id=staff_id, officer_id=officer_id)

        # Announcement once every step counts as done, then a year of maintenance.
        if all(s.counts_as_done for s in steps) and rng.random() < (0.9 if phase.kind == PhaseKind.PILOT else 0.75):
            decided_on = steps[-1].done_on + D(days=rng.randint(5, 40))
            if decided_on <= today:
                announcement = Announcement(
                    kind=AnnouncementKind.FIRST, decision_number=f"{rng.randint(10, 250)}/QĐ-UBND",
                    decided_on=decided_on, standard_version=enrolment.standard_version,
                    procedures_in_scope=enrolment.procedures_in_scope, recorded_by_id=staff_id,
                )
                built.announcements.append(announcement)
                lapse_on = decided_on + D(days=rng.randint(100, 300))
                if rng.random() < 0.03 and lapse_on <= today:
                    announcement.lapsed_on = lapse_on
                    announcement.lapse_reason = "Kết quả kiểm tra: hệ thống không được duy trì."
                audit_on = decided_on + D(days=rng.randint(330, 400))
                if audit_on <= today and rng.random() < 0.7:
                    built.maintenance.append(MaintenanceActivity(
                        kind=MaintenanceKind.INTERNAL_AUDIT, done_on=audit_on, recorded_by_id=staff_id))
                    review_on = audit_on + D(days=rng.randint(7, 30))
                    if review_on <= today:
                        built.maintenance.append(MaintenanceActivity(
                            kind=MaintenanceKind.MANAGEMENT_REVIEW, done_on=review_on, recorded_by_id=staff_id))
                inspected_on = decided_on + D(days=rng.randint(60, 200))
                if inspected_on <= today and rng.random() < 0.1:
                    result = rng.choice(list(InspectionResult.values))
                    built.inspections.append(Inspection(
                        inspected_on=inspected_on, mode=rng.choice(list(InspectionMode.values)),
                        record_number=f"{rng.randint(1, 99)}/BB-SKHCN", result=result,
                        findings="" if result == InspectionResult.CONFORMING else "Chưa cập nhật quy trình theo văn bản mới.",
                        corrective_action="" if result == InspectionResult.CONFORMING else "Cập nhật quy trình, báo cáo Sở.",
                        corrective_due_on=None if result == InspectionResult.CONFORMING
                        else add_months(inspected_on, 2),
                        recorded_by_id=staff_id,
                    ))
        enrolment.status, enrolment.current_step, enrolment.next_due_on = derived_fields(
            steps, built.announcements, built.maintenance
        )
        duties = upkeep_duties(built.announcements, built.maintenance, province.pk, self.upkeep_rules)
        enrolment.upkeep_due_on = duties[0].due_on if duties else None
        return built

    def enrolment_history(self, b):
        """The change history of one enrolment: created, each step recorded and reviewed, announced."""
        enrolment = b.enrolment
        self._history(enrolment, enrolment.enrolled_on, "+", b.staff_id,
                      status="planned", current_step=StepKind.SURVEY, next_due_on=b.steps[0].due_on)
        for step in b.steps:
            self._history(step, enrolment.enrolled_on, "+", b.staff_id, done_on=None, evidence="",
                          recorded_by_id=None, recorded_at=None, review_state=ReviewState.NOT_RECORDED,
                          review_comment="", reviewed_by_id=None, reviewed_at=None)
            if step.done_on:
                self._history(step, step.done_on, "~", b.staff_id, review_state=ReviewState.AWAITING,
                              review_comment="", reviewed_by_id=None, reviewed_at=None)
                if step.reviewed_at:
                    self._history(step, step.reviewed_at.date(), "~", b.officer_id)
        for announcement in b.announcements:
            self._history(announcement, announcement.decided_on, "+", b.staff_id, lapsed_on=None, lapse_reason="")
            if announcement.lapsed_on:
                self._history(announcement, announcement.lapsed_on, "~", b.staff_id)
        for record in (*b.maintenance, *b.inspections):
            day = getattr(record, "done_on", None) or record.inspected_on
            self._history(record, day, "+", b.staff_id)
        last_event = max([s.done_on for s in b.steps if s.done_on] + [a.decided_on for a in b.announcements]
                         + [enrolment.enrolled_on])
        if last_event > enrolment.enrolled_on:
            self._history(enrolment, last_event, "~", b.staff_id)

    def money(self):
        """Budget lines per phase, paid in two or three instalments; support paid to some communes."""
        rng, today = self.rng, self.today
        lines = []
        for province in self.provinces:
            for phase in (self.pilot_of[province.pk], self.expansion_of[province.pk]):
                per_commune = phase.target_communes
                for category, source, unit in (
                    (BudgetCategory.CONSULTING, FundingSource.SCIENCE, 16_000_000),
                    (BudgetCategory.COMMUNE_SUPPORT, FundingSource.PROVINCE, 5_000_000),
                    (BudgetCategory.EVALUATION, FundingSource.SCIENCE, 2_000_000),
                ):
                    lines.append(BudgetLine(plan=phase.plan, phase=phase, category=category, funding_source=source,
                                            amount=int(round(unit * per_commune * rng.uniform(0.8, 1.2), -6)),
                                            description=f"{category.label} — {phase.name}"))
                if phase.kind == PhaseKind.PILOT:
                    lines.append(BudgetLine(plan=phase.plan, phase=phase, category=BudgetCategory.FRAMEWORK,
                                            funding_source=FundingSource.SCIENCE,
                                            amount=rng.randint(80, 150) * 1_000_000,
                                            description="Xây dựng khung tài liệu cho UBND cấp xã"))
        self._bulk(BudgetLine, lines)
        spending = []
        for line in lines:
            phase = line.phase
            share = rng.uniform(0.6, 0.98) if phase.ends_on < today else rng.uniform(0.2, 0.6)
            payments = rng.randint(2, 3)
            for n in range(payments):
                day = min(phase.starts_on + (phase.ends_on - phase.starts_on) * (n + 1) // (payments + 1), today)
                spending.append(Expenditure(
                    plan=line.plan, phase=phase, budget_line=line, amount=int(round(line.amount * share / payments, -6)),
                    spent_on=day, document_ref=f"{rng.randint(100, 999)}/HĐ-SKHCN",
                    description=f"{line.get_category_display()} — đợt {n + 1}",
                ))
        support = {(l.plan_id, l.phase_id): l for l in lines if l.category == BudgetCategory.COMMUNE_SUPPORT}
        for b in self.built:
            if b.announcements and rng.random() < 0.3:
                e = b.enrolment
                spending.append(Expenditure(
                    plan=e.plan, phase=e.phase, budget_line=support[(e.plan_id, e.phase_id)], commune_id=e.commune_id,
                    amount=rng.randint(3, 8) * 1_000_000, spent_on=b.announcements[0].decided_on,
                    document_ref=f"{rng.randint(100, 999)}/QĐ-SKHCN", description="Hỗ trợ xã sau công bố",
                ))
        self._bulk(Expenditure, spending)
        for record in (*lines, *spending):
            self._history(record, getattr(record, "spent_on", None) or record.plan.issued_on, "+",
                          self.staff_of[record.plan.province_id])

    def write_history(self):
        for historical, rows in self.history.items():
            self._copy(historical, self._history_columns(historical), rows)
        self.history = {}
