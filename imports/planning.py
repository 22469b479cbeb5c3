"""The preview of an import: for each row of the sheet, the commune it names, and what
confirming would create or change, with every problem in the row's own words.

Nothing is written here. The state of the records (enrolments, steps, announcements) is
read once for the plans concerned, and rows are planned against it one after another, each
row seeing what the rows above it would write (two rows naming the same commune agree or
conflict). The rules are those of rollout.actions and the forms, checked ahead so that the
preview shows every problem at once; the actions check them again when the rows are written.

A row's operations (ImportRow.operations), written by imports.actions.apply_batch:
  {"op": "enrol", "phase": id, "enrolled_on": "YYYY-MM-DD"}
  {"op": "step", "kind": StepKind, "done_on": "YYYY-MM-DD"}
  {"op": "announce", "decision_number": text, "decided_on": "YYYY-MM-DD", "incomplete_reason": text}
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from isotrack.text import fold
from provinces.matching import CommuneMatcher
from provinces.models import Commune, CommuneSuccession, ProvinceSuccession
from rollout.choices import ReviewState, StepKind
from rollout.models import Announcement, Enrolment, Phase, RolloutPlan, Step

from .choices import RowOutcome
from .columns import BY_KEY, DATE_FIELDS, IGNORE, STEP_FIELDS
from .reading import shown

STEP_LABELS = dict(StepKind.choices)
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y")


def day(value):
    return value.strftime("%d/%m/%Y")


def parse_date(value):
    """A cell as a date: a date cell, or text dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy,
    dd.mm.yyyy, yyyy-mm-dd); None when it is no date."""
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for pattern in DATE_FORMATS:
        try:
            parsed = datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a day, not a moment)
        except ValueError:
            continue
        if 1900 < parsed.year < 2100:
            return parsed
    return None


def plan_key(text):
    return re.sub(r"\s+", "", fold(str(text or "")))


def decision_key(text):
    return re.sub(r"\s+", "", fold(str(text or "")))


@dataclass
class Record:
    """What is recorded (or will be, by rows above) for one commune in one plan."""

    enrolment: object = None  # an Enrolment, or None while only planned
    phase: object = None
    enrolled_on: datetime.date = None
    steps: dict = field(default_factory=dict)  # kind -> done_on (counting as done)
    announcements: list = field(default_factory=list)  # (decision number, decided_on)
    from_row: int = None  # the row that plans its enrolment


class World:
    """Everything a preview compares rows with, read in a fixed number of queries:
    the communes and plans the user may import into, the lineage, the records."""

    def __init__(self, user, province=None, plan=None, phase=None):
        from accounts.scope import scope_of

        self.user, self.plan, self.phase = user, plan, phase
        self.today = timezone.localdate()
        scope = scope_of(user)
        provinces = None
        if province is not None:
            linked = ProvinceSuccession.objects.filter(Q(predecessor=province) | Q(successor=province))
            provinces = {province.pk} | {p for pair in linked.values_list("predecessor", "successor") for p in pair}
        communes = Commune.objects.visible_to(user).select_related("district", "area", "province")
        plans = RolloutPlan.objects.visible_to(user).active().select_related("province")
        if provinces is not None:
            communes = communes.filter(province__in=provinces)
            plans = plans.filter(province__in=provinces)
        if plan is not None:
            plans = plans.filter(pk=plan.pk)
        self.province = province
        self.matcher = CommuneMatcher(communes)
        self.communes = {c.pk: c for c in self.matcher.communes}
        self.plans = [p for p in plans if scope.can_edit_rollout(p.province_id)]
        self.plans_by_key = defaultdict(list)
        for p in self.plans:
            self.plans_by_key[plan_key(p.number)].append(p)
        self.phases = defaultdict(list)
        for ph in Phase.objects.active().filter(plan__in=self.plans).order_by("order"):
            self.phases[ph.plan_id].append(ph)
        self.successors, self.predecessors = defaultdict(list), defaultdict(list)
        for link in CommuneSuccession.objects.filter(
            Q(predecessor__in=self.communes) | Q(successor__in=self.communes)
        ).values_list("predecessor_id", "successor_id", "whole"):
            old, new, whole = link
            self.successors[old].append((new, whole))
            self.predecessors[new].append(old)
        self.records = self._records()

    def _records(self):
        records = {}
        enrolments = Enrolment.objects.counted().filter(plan__in=self.plans).select_related("phase")
        by_id = {}
        for enrolment in enrolments:
            record = Record(enrolment=enrolment, phase=enrolment.phase, enrolled_on=enrolment.enrolled_on)
            records[(enrolment.plan_id, enrolment.commune_id)] = record
            by_id[enrolment.pk] = record
        steps = (
            Step.objects.active()
            .filter(enrolment__plan__in=self.plans, enrolment__archived_at__isnull=True, done_on__isnull=False)
            .exclude(review_state=ReviewState.RETURNED)
            .values_list("enrolment_id", "kind", "done_on")
        )
        for enrolment_id, kind, done_on in steps:
            if enrolment_id in by_id:
                by_id[enrolment_id].steps[kind] = done_on
        announcements = (
            Announcement.objects.active()
            .filter(enrolment__plan__in=self.plans)
            .values_list("enrolment_id", "decision_number", "decided_on")
        )
        for enrolment_id, number, decided_on in announcements:
            if enrolment_id in by_id:
                by_id[enrolment_id].announcements.append((number, decided_on))
        return records

    def commune(self, pk):
        return self.communes.get(pk)

    def into(self, commune, plan):
        """The communes of `plan`'s province that `commune` stands for: itself, or through the
        2025 lineage its successors (a name from before 01/07/2025 in a plan of today) or its
        predecessors (a name of today in a plan of the pre-2025 map)."""
        if commune.province_id == plan.province_id:
            return [commune]
        linked = (
            [new for new, _whole in self.successors[commune.pk]]
            if commune.valid_until
            else self.predecessors[commune.pk]
        )
        return [
            self.communes[pk]
            for pk in linked
            if pk in self.communes and self.communes[pk].province_id == plan.province_id
        ]


@dataclass
class Planned:
    """One row of the preview, before it is saved as an ImportRow."""

    number: int
    written: dict
    outcome: str = RowOutcome.SAME
    commune: object = None
    plan: object = None
    operations: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    candidates: list = field(default_factory=list)

    def error(self, column, text):
        self.problems.append({"column": column, "text": text, "kind": "error"})

    def conflict(self, column, text):
        self.problems.append({"column": column, "text": text, "kind": "conflict"})

    @property
    def has_errors(self):
        return any(p["kind"] == "error" for p in self.problems)


class Planner:
    """Plans the rows of one sheet against a World, in order."""

    def __init__(self, world, headers, mapping, choices=None):
        self.world = world
        self.columns = {}  # field -> (index, heading as written)
        for index, key in enumerate(mapping):
            if key and key != IGNORE and key not in self.columns and key in BY_KEY:
                self.columns[key] = (index, headers[index] if index < len(headers) else "")
        self.choices = {int(k): v for k, v in (choices or {}).items()}

    def heading(self, key):
        return self.columns[key][1] if key in self.columns else str(BY_KEY[key].label)

    def plan(self, number, values):
        cells = {key: values[index] for key, (index, _heading) in self.columns.items() if index < len(values)}
        row = Planned(number, {key: shown(value) for key, value in cells.items() if value is not None})
        dates = self._dates(row, cells)
        has_data = bool(dates) or any(cells.get(k) is not None for k in ("decision_number", "incomplete_reason"))
        if cells.get("code") is None and cells.get("name") is None:
            if has_data or cells.get("plan") is not None:
                row.error(self.heading("name"), _("Thiếu tên hoặc mã xã."))
            else:
                row.outcome = RowOutcome.EMPTY
            return self._finish(row)
        plans = self._plans(row, cells)
        target = self._commune(row, cells, plans)
        if target is None or row.has_errors:
            return self._finish(row)
        commune, plan = target
        row.commune, row.plan = commune, plan
        if plan is None:
            if has_data:
                row.error(
                    self.heading("plan"), _("Chưa rõ kế hoạch: ghi số kế hoạch, hoặc chọn kế hoạch khi tải tệp lên.")
                )
            else:
                row.outcome = RowOutcome.EMPTY
            return self._finish(row)
        self._progress(row, cells, dates, commune, plan)
        return self._finish(row)

    # -- cells ----------------------------------------------------------------------------------
    def _dates(self, row, cells):
        dates = {}
        for key in DATE_FIELDS:
            value = cells.get(key)
            if value is None:
                continue
            parsed = parse_date(value)
            if parsed is None:
                row.error(
                    self.heading(key), _("{value} không phải là ngày (ghi dd/mm/yyyy).").format(value=shown(value))
                )
            else:
                dates[key] = parsed
        return dates

    def _plans(self, row, cells):
        chosen = self.world.plan
        written = cells.get("plan")
        if written is None:
            return [chosen] if chosen else []
        found = self.world.plans_by_key.get(plan_key(written), [])
        if chosen and chosen not in found:
            row.error(
                self.heading("plan"),
                _("Kế hoạch {written} không phải kế hoạch đã chọn ({number}).").format(
                    written=shown(written), number=chosen.number
                ),
            )
        elif not found:
            row.error(
                self.heading("plan"),
                _("Không có kế hoạch số {written} mà bạn được nhập dữ liệu.").format(written=shown(written)),
            )
        return found

    def _commune(self, row, cells, plans):
        """(commune, plan) named by the row, or None with the row's problem or candidates set."""
        world = self.world
        code, name = cells.get("code"), cells.get("name")
        code_text = "" if code is None else shown(code)
        name_text = "" if name is None else shown(name)
        column = self.heading("name" if name is not None else "code")
        chosen = self.choices.get(row.number)
        if chosen and world.commune(chosen):
            found, note = [world.commune(chosen)], ""
            row.notes.append(_("Xã do người nhập chọn."))
        else:
            found, note = world.matcher.find(
                code=code_text, name=name_text, parents=[shown(cells.get("parent")), shown(cells.get("province"))]
            )
        if note == "code-name":
            by_code = world.matcher.by_written_code(code_text)
            row.candidates = [c.pk for c in by_code + world.matcher.by_written_name(name_text)]
            row.error(
                self.heading("code"),
                _("Mã xã {code} là {commune}, không phải “{name}”.").format(
                    code=code_text, commune="; ".join(c.label for c in by_code), name=name_text
                ),
            )
            return None
        if note == "code" and found:
            row.notes.append(_("Không có xã mang mã {code}: tìm theo tên.").format(code=code_text))
        if not found:
            suggestions = world.matcher.suggestions(name_text) if name_text else []
            row.candidates = [c.pk for c in suggestions]
            where = world.province or _("phạm vi của bạn")
            row.error(
                column,
                _("Không tìm thấy xã “{written}” trong {where}.").format(written=name_text or code_text, where=where),
            )
            return None
        if not plans:
            if len(found) > 1:
                return self._choose(row, column, found)
            return found[0], None
        pairs = []
        for plan in plans:
            direct = [c for c in found if c.province_id == plan.province_id]
            for commune in direct or [t for c in found for t in world.into(c, plan)]:
                if (commune, plan) not in pairs:
                    pairs.append((commune, plan))
        if not pairs:
            row.error(
                column,
                _("{commune} không thuộc tỉnh của kế hoạch {number}.").format(
                    commune="; ".join(c.label for c in found), number=plans[0].number
                ),
            )
            return None
        if len(pairs) > 1:
            return self._choose(row, column, [commune for commune, _plan in pairs])
        commune, plan = pairs[0]
        if note == "parent":
            # One commune of that name, but not in the district or province written: ask.
            return self._choose(
                row,
                self.heading("parent"),
                [commune],
                _("{commune} không thuộc “{written}” như bảng ghi.").format(
                    commune=commune.label, written=shown(cells.get("parent") or cells.get("province"))
                ),
            )
        if not chosen and commune not in found:
            old = [c for c in found if commune in world.into(c, plan)]
            row.notes.append(
                _("Tên theo danh mục cũ: {old} → {new}.").format(old="; ".join(c.label for c in old), new=commune.label)
            )
        return commune, plan

    def _choose(self, row, column, communes, text=None):
        seen = []
        for commune in communes:
            if commune.pk not in seen:
                seen.append(commune.pk)
        row.candidates = seen
        row.outcome = RowOutcome.CHOOSE
        row.problems.append(
            {
                "column": column,
                "kind": "choose",
                "text": text
                or _("Có {count} xã trùng tên: chọn một xã, hoặc ghi thêm huyện, khu vực hay tỉnh vào bảng.").format(
                    count=len(seen)
                ),
            }
        )
        return None

    # -- records --------------------------------------------------------------------------------
    def _progress(self, row, cells, dates, commune, plan):
        world = self.world
        key = (plan.pk, commune.pk)
        record = world.records.get(key)
        new = record is None
        if new:
            record = self._new_enrolment(row, cells, dates, commune, plan)
            if record is None:
                return
        else:
            self._same_enrolment(row, cells, dates, record)
        steps = {}
        for key_name in STEP_FIELDS:
            done_on = dates.get(key_name)
            if done_on is None:
                continue
            kind = key_name.split(":", 1)[1]
            recorded = record.steps.get(kind)
            column = self.heading(key_name)
            if recorded == done_on:
                continue
            if recorded is not None:
                row.conflict(
                    column,
                    _("Hồ sơ ghi bước này hoàn thành ngày {recorded}, bảng ghi {written}.").format(
                        recorded=day(recorded), written=day(done_on)
                    ),
                )
            elif done_on > world.today:
                row.error(column, _("Ngày hoàn thành không được ở tương lai."))
            elif record.enrolled_on and done_on < record.enrolled_on:
                row.error(
                    column,
                    _("Ngày hoàn thành không được trước ngày xã được đưa vào kế hoạch ({day}).").format(
                        day=day(record.enrolled_on)
                    ),
                )
            else:
                steps[kind] = done_on
                row.operations.append({"op": "step", "kind": kind, "done_on": done_on.isoformat()})
        self._announcement(row, cells, dates, record, steps)
        if row.has_errors or any(p["kind"] == "conflict" for p in row.problems):
            return
        record.steps.update(steps)
        for op in row.operations:
            if op["op"] == "announce":
                record.announcements.append((op["decision_number"], datetime.date.fromisoformat(op["decided_on"])))
        if new:
            world.records[key] = record

    def _phase(self, row, cells, plan):
        phases = self.world.phases.get(plan.pk, [])
        written = cells.get("phase")
        if written is not None:
            matches = [p for p in phases if fold(p.name) == fold(shown(written))]
            if not matches:
                row.error(
                    self.heading("phase"),
                    _("Kế hoạch {number} không có giai đoạn “{written}”.").format(
                        number=plan.number, written=shown(written)
                    ),
                )
                return None
            return matches[0]
        if self.world.phase is not None and self.world.phase.plan_id == plan.pk:
            return self.world.phase
        if len(phases) == 1:
            return phases[0]
        row.error(
            self.heading("phase"), _("Cần ghi giai đoạn để đưa xã vào kế hoạch {number}.").format(number=plan.number)
        )
        return None

    def _new_enrolment(self, row, cells, dates, commune, plan):
        phase = self._phase(row, cells, plan)
        if phase is None:
            return None
        enrolled_on = dates.get("enrolled_on")
        if enrolled_on is None:
            # The phase's first day, or the earliest date the row records, if earlier.
            enrolled_on = min([phase.starts_on] + [d for k, d in dates.items() if k != "decided_on"])
            row.notes.append(_("Ngày đưa vào kế hoạch: {day}.").format(day=day(enrolled_on)))
        column = self.heading("enrolled_on")
        if not plan.is_open:
            row.error(
                self.heading("plan"), _("Kế hoạch {number} đã đóng, không thêm xã được nữa.").format(number=plan.number)
            )
        elif enrolled_on > phase.ends_on:
            row.error(
                column,
                _(
                    "Giai đoạn “{phase}” đã kết thúc ngày {end}: chọn ngày đưa vào kế hoạch trong thời "
                    "gian của giai đoạn, hoặc một giai đoạn khác."
                ).format(phase=phase.name, end=day(phase.ends_on)),
            )
        elif not commune.is_current(enrolled_on):
            row.error(
                column, _("{commune} không tồn tại vào ngày {day}.").format(commune=commune, day=day(enrolled_on))
            )
        row.operations.append({"op": "enrol", "phase": phase.pk, "enrolled_on": enrolled_on.isoformat()})
        return Record(phase=phase, enrolled_on=enrolled_on, from_row=row.number)

    def _same_enrolment(self, row, cells, dates, record):
        written_phase = cells.get("phase")
        if written_phase is not None and fold(shown(written_phase)) != fold(record.phase.name):
            row.conflict(
                self.heading("phase"),
                _("Xã đang ở giai đoạn “{recorded}”, bảng ghi “{written}”.").format(
                    recorded=record.phase.name, written=shown(written_phase)
                ),
            )
        written_day = dates.get("enrolled_on")
        if written_day and written_day != record.enrolled_on:
            row.conflict(
                self.heading("enrolled_on"),
                _("Hồ sơ ghi ngày đưa vào kế hoạch {recorded}, bảng ghi {written}.").format(
                    recorded=day(record.enrolled_on), written=day(written_day)
                ),
            )
        if record.from_row:
            row.notes.append(_("Cùng xã với dòng {n}.").format(n=record.from_row))

    def _announcement(self, row, cells, dates, record, new_steps):
        number = cells.get("decision_number")
        decided_on = dates.get("decided_on")
        if number is None and "decided_on" not in dates:
            return
        if number is None:
            row.error(self.heading("decision_number"), _("Cần ghi số quyết định công bố cùng với ngày công bố."))
            return
        if decided_on is None:
            if cells.get("decided_on") is None:
                row.error(self.heading("decided_on"), _("Cần ghi ngày công bố cùng với số quyết định."))
            return
        number = shown(number)
        if any(decision_key(n) == decision_key(number) and d == decided_on for n, d in record.announcements):
            return
        if record.announcements:
            recorded = "; ".join(_("{number} ngày {day}").format(number=n, day=day(d)) for n, d in record.announcements)
            row.conflict(
                self.heading("decided_on"),
                _("Hồ sơ đã có quyết định công bố {recorded}; bảng ghi {number} ngày {day}.").format(
                    recorded=recorded, number=number, day=day(decided_on)
                ),
            )
            return
        if decided_on > self.world.today:
            row.error(self.heading("decided_on"), _("Ngày quyết định không được ở tương lai."))
            return
        if len(number) > 50:
            row.error(self.heading("decision_number"), _("Số quyết định dài quá 50 ký tự."))
            return
        reason = shown(cells.get("incomplete_reason")).strip()
        done = set(record.steps) | set(new_steps)
        missing = [STEP_LABELS[kind] for kind in StepKind.values if kind not in done]
        if missing and not reason:
            row.error(
                self.heading("incomplete_reason"),
                _("Chưa hoàn thành các bước: {steps}. Cần ghi lý do nếu vẫn công bố.").format(
                    steps=", ".join(str(label) for label in missing)
                ),
            )
            return
        row.operations.append(
            {
                "op": "announce",
                "decision_number": number,
                "decided_on": decided_on.isoformat(),
                "incomplete_reason": reason,
            }
        )

    def _finish(self, row):
        kinds = {p["kind"] for p in row.problems}
        if "error" in kinds:
            row.outcome = RowOutcome.ERROR
        elif "choose" in kinds:
            row.outcome = RowOutcome.CHOOSE
        elif "conflict" in kinds:
            row.outcome = RowOutcome.CONFLICT
        elif row.outcome == RowOutcome.EMPTY:
            pass
        elif any(op["op"] == "enrol" for op in row.operations):
            row.outcome = RowOutcome.CREATE
        elif row.operations:
            row.outcome = RowOutcome.CHANGE
        else:
            row.outcome = RowOutcome.SAME
        if row.outcome not in (RowOutcome.CREATE, RowOutcome.CHANGE):
            row.operations = []
        return row


def describe(operations, phases=None):
    """What a row's operations do, as sentences for the preview and the command."""
    lines = []
    for op in operations:
        if op["op"] == "enrol":
            phase = (phases or {}).get(op["phase"])
            lines.append(
                _("Đưa vào kế hoạch, giai đoạn “{phase}”, ngày {day}").format(
                    phase=phase.name if phase else op["phase"], day=day(datetime.date.fromisoformat(op["enrolled_on"]))
                )
            )
        elif op["op"] == "step":
            lines.append(
                _("{step}: hoàn thành ngày {day}").format(
                    step=STEP_LABELS[op["kind"]], day=day(datetime.date.fromisoformat(op["done_on"]))
                )
            )
        elif op["op"] == "announce":
            lines.append(
                _("Công bố: quyết định {number} ngày {day}").format(
                    number=op["decision_number"], day=day(datetime.date.fromisoformat(op["decided_on"]))
                )
            )
    return lines
