"""Demonstration data: the five seed rollouts of the articles, on the real GSO units, and
the map of today they live on since the reorganisation of 01/07/2025.

Figures stated by the articles (plan numbers and dates, commune counts, budgets) are used
as they are; step progress and expenditures are plausible inventions, fixed by a seed so
every run builds the same data. Plans are marked `is_demo`.

1. the five rollouts of 2014–2021 on the pre-2025 units;
2. the reorganisation ends them (rollout.actions.end_abolished), as it would a real province's;
3. the provinces each became (Lâm Đồng, Lạng Sơn, Vĩnh Long, Hưng Yên, Phú Thọ) get review
   areas made from their former districts;
4. today's Lâm Đồng has a 2026 plan on its 124 communes that carries over the work of some
   announced predecessors, with rules of its own (an earlier November report date, a lower
   cap, a step template with "Áp dụng mô hình khung") and the years after the announcement
   (a legal change to fold in, a commune late in its upkeep, a scope changed since the
   announcement, a yearly inspection plan short of its one third on site, a corrective action
   report due, a lapse proposed by a non-conforming inspection).
"""

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from accounts.models import RoleAssignment
from accounts.system import system_user
from provinces.editions import PRE_2025, TWO_TIER
from provinces.models import Commune, District, Province, ReviewArea

from . import actions
from notifications.choices import RuleKind
from notifications.models import ReminderRule

from .choices import (
    ANNOUNCED_STATUSES,
    AnnouncementKind,
    BudgetCategory,
    CapItem,
    CapLevel,
    CapPerformer,
    FundingSource,
    InspectionMode,
    InspectionResult,
    MaintenanceKind,
    PhaseKind,
    ReviewState,
    Stage,
    StandardVersion,
    TargetKind,
)
from .models import (
    Consultant,
    FundingCap,
    RolloutPlan,
    StepTemplate,
)

D = datetime.date
DEMO_PASSWORD = "demo-iso-9001"
DEMO_ACCOUNTS = [
    # username, full name, role, where: ("province", code) of today, ("district", code) of the
    # pre-2025 map, ("area", province code, name) of today's map, or None
    ("admin", "Quản trị hệ thống", Role.ADMINISTRATOR, None),
    ("dost_lamdong", "Nguyễn Thị Hoa (Sở KH&CN Lâm Đồng)", Role.DOST_STAFF, ("province", "68")),
    ("huyen_lamha", "Trần Văn Bình (UBND huyện Lâm Hà, trước 01/07/2025)", Role.DISTRICT_OFFICER, ("district", "676")),
    (
        "khuvuc_lamdong",
        "Phạm Thị Lan (theo dõi khu vực Lâm Hà, Lâm Đồng)",
        Role.DISTRICT_OFFICER,
        ("area", "68", "Lâm Hà"),
    ),
    ("lanhdao_lamdong", "Lê Minh Quang (Lãnh đạo UBND tỉnh Lâm Đồng)", Role.LEADERSHIP, ("province", "68")),
]
# The provinces of today the five seed provinces went into.
TODAY_PROVINCES = ["68", "20", "86", "33", "25"]


@dataclass
class PhaseSpec:
    kind: str
    name: str
    starts_on: datetime.date
    ends_on: datetime.date
    target: int
    budget: list  # (category, source, amount, description)
    communes: list = field(default_factory=list)  # filled by the province's builder
    progress: float = 0.8  # share of communes that finished every step
    announce: bool = True
    announcement_kind: str = AnnouncementKind.FIRST


def _pick(rng, items, count):
    items = sorted(items, key=lambda c: c.code)
    return sorted(rng.sample(items, min(count, len(items))), key=lambda c: c.code)


def _communes(province, district_names=None):
    qs = Commune.objects.filter(province=province).select_related("district")
    if district_names:
        qs = qs.filter(district__short_name__in=district_names)
    return list(qs.order_by("code"))


class DemoBuilder:
    def __init__(self, stdout=None, today=None):
        self.rng = random.Random(9001)
        self.today = today or timezone.localdate()
        self.write = stdout or (lambda message: None)
        self.staff = None
        self.reviewer = None  # reviews the seed rollouts' steps (the districts' officers, in the articles)

    @transaction.atomic
    def build(self):
        self.users()
        self.staff = get_user_model().objects.get(username="dost_lamdong")
        self.reviewer = get_user_model().objects.get(username="huyen_lamha")
        for builder in (self.lam_dong, self.lang_son, self.ben_tre, self.hung_yen, self.vinh_phuc):
            builder()
        ended = actions.end_abolished(self.today, by=system_user())
        self.write(
            "  Sắp xếp ĐVHC 01/07/2025: {} xã tham gia kết thúc, {} công bố thôi hiệu lực, {} kế hoạch đóng.".format(
                *ended
            )
        )
        for code in TODAY_PROVINCES:
            self.areas(self.province_today(code))
        self.assignments()
        self.lam_dong_today()

    # -- accounts -------------------------------------------------------------------------
    def users(self):
        User = get_user_model()
        for username, full_name, role, _where in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(username=username)
            if created:
                # Vietnamese names read family name first: keep the whole name as written.
                user.first_name = full_name
                user.email = f"{username}@isotrack.local"
                user.set_password(DEMO_PASSWORD)
                user.is_staff = role == Role.ADMINISTRATOR
                user.is_superuser = role == Role.ADMINISTRATOR
                user.save()

    def assignments(self):
        """Each demo account's one role and area (an account of an earlier demo keeps no other)."""
        users = {u.username: u for u in get_user_model().objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS])}
        for username, _full_name, role, where in DEMO_ACCOUNTS:
            area = {"province": None, "district": None, "area": None}
            if where and where[0] == "province":
                area["province"] = self.province_today(where[1])
            elif where and where[0] == "district":
                area["district"] = District.objects.of_edition(PRE_2025).get(code=where[1])
                area["province"] = area["district"].province
            elif where and where[0] == "area":
                area["area"] = ReviewArea.objects.get(province=self.province_today(where[1]), name=where[2])
                area["province"] = area["area"].province
            kept, _created = RoleAssignment.objects.get_or_create(user=users[username], role=role, **area)
            users[username].assignments.exclude(pk=kept.pk).delete()

    def province(self, code):
        """A province of the pre-2025 map, where the seed rollouts took place."""
        return Province.objects.of_edition(PRE_2025).get(code=code)

    def province_today(self, code):
        return Province.objects.of_edition(TWO_TIER).get(code=code)

    def areas(self, province):
        """Review areas from the former districts, through the action DOST staff use."""
        if not ReviewArea.objects.filter(province=province).exists():
            created = actions.create_areas_from_districts(province, by=self.staff)
            self.write(f"  {province.short_name}: {len(created)} khu vực theo dõi tạo từ các huyện cũ.")

    # -- one plan ---------------------------------------------------------------------------
    def plan(self, province, number, **fields):
        """Create the plan unless a demo plan with that number exists (so reruns change nothing)."""
        if RolloutPlan.objects.filter(province=province, number=number, is_demo=True).exists():
            self.write(f"  {province.short_name}: kế hoạch {number} đã có, bỏ qua.")
            return None
        return actions.create_plan(by=self.staff, province=province, number=number, is_demo=True, **fields)

    def phases(self, plan, specs, consultant_names):
        consultants = [
            Consultant.objects.filter(province=plan.province, name=name).first()
            or actions.create_consultant(plan.province, by=self.staff, name=name)
            for name in consultant_names
        ]
        for order, spec in enumerate(specs, start=1):
            phase = actions.create_phase(
                plan,
                by=self.staff,
                order=order,
                kind=spec.kind,
                name=spec.name,
                starts_on=spec.starts_on,
                ends_on=spec.ends_on,
                target_communes=spec.target,
            )
            lines = [
                actions.create_budget_line(
                    plan,
                    by=self.staff,
                    phase=phase,
                    category=category,
                    funding_source=source,
                    amount=amount,
                    description=description,
                )
                for category, source, amount, description in spec.budget
            ]
            self.progress_phase(plan, phase, spec, consultants, lines)
        self.write(f"  {plan.province.short_name}: {plan.number} — {plan.enrolments.count()} xã.")

    def progress_phase(self, plan, phase, spec, consultants, lines):
        """Enrol the phase's communes and record their progress through the same actions as the
        pages: steps recorded by the DOST and reviewed by the district, announcements, yearly
        audits. A commune that extends or converts a system announced before the plan records
        that earlier announcement first, as DOST staff would when the plan starts."""
        rng = self.rng
        finished = round(len(spec.communes) * spec.progress)
        reviewer = self.reviewer
        for index, commune in enumerate(spec.communes):
            total = rng.randint(90, 140)
            before_plan = spec.announcement_kind != AnnouncementKind.FIRST
            enrolment = actions.enrol(
                phase,
                commune,
                by=self.staff,
                consultant=consultants[index % len(consultants)],
                procedures_total=total,
                procedures_in_scope=total if not before_plan else total // 3,
                enrolled_on=phase.starts_on,
                standard_version=StandardVersion.ISO_2008
                if spec.announcement_kind == AnnouncementKind.CONVERSION
                else None,
            )
            if before_plan:
                actions.record_announcement(
                    enrolment,
                    by=self.staff,
                    decision_number=f"{rng.randint(10, 250)}/QĐ-UBND",
                    decided_on=phase.starts_on,
                    incomplete_reason="Hệ thống đã công bố trước kế hoạch này.",
                    scope_note="Phạm vi công bố trước khi mở rộng hoặc chuyển đổi.",
                )
            steps = list(enrolment.steps.order_by("order"))
            done_count = len(steps) if index < finished else rng.randint(0, len(steps) - 1)
            entries = {}
            for position, step in enumerate(steps[:done_count]):
                done_on = max(
                    min(step.due_on + datetime.timedelta(days=rng.randint(-10, 20)), self.today), enrolment.enrolled_on
                )
                evidence = f"Biên bản số {rng.randint(1, 99)}/BB-UBND"
                # The district has reviewed most older steps; the latest ones still await it.
                roll = rng.random()
                if index < finished or position < done_count - 1 or roll < 0.6:
                    entries[step.kind] = (done_on, evidence, ReviewState.CONFIRMED, "")
                elif roll < 0.7:
                    entries[step.kind] = (
                        done_on,
                        evidence,
                        ReviewState.RETURNED,
                        "Thiếu danh sách tham dự, đề nghị bổ sung.",
                    )
                else:
                    entries[step.kind] = (done_on, evidence, ReviewState.AWAITING, "")
            if entries:
                actions.record_progress(enrolment, entries, by=self.staff, reviewer=reviewer)
            if spec.announce and done_count == len(steps):
                last_done = max(done_on for done_on, *_rest in entries.values())
                decided_on = min(last_done + datetime.timedelta(days=rng.randint(5, 30)), self.today)
                actions.record_announcement(
                    enrolment,
                    by=self.staff,
                    kind=spec.announcement_kind,
                    decision_number=f"{rng.randint(10, 250)}/QĐ-UBND",
                    decided_on=decided_on,
                    procedures_in_scope=total if before_plan else None,
                )
                audit_on = decided_on + datetime.timedelta(days=rng.randint(330, 400))
                if audit_on <= min(self.today, PRE_2025.valid_until) and rng.random() < 0.7:
                    actions.record_maintenance(
                        enrolment, kind=MaintenanceKind.INTERNAL_AUDIT, done_on=audit_on, by=self.staff
                    )
        self.expenditures(plan, phase, spec, lines)

    def expenditures(self, plan, phase, spec, lines):
        """Spend most of each line in two or three payments within the phase."""
        for line in lines:
            share = self.rng.uniform(0.7, 0.98)
            payments = self.rng.randint(2, 3)
            for n in range(payments):
                amount = round(line.amount * share / payments, -6)
                day = phase.starts_on + (phase.ends_on - phase.starts_on) * (n + 1) // (payments + 1)
                actions.create_expenditure(
                    plan,
                    by=self.staff,
                    phase=phase,
                    budget_line=line,
                    amount=amount,
                    spent_on=min(day, self.today),
                    document_ref=f"{self.rng.randint(100, 999)}/HĐ-SKHCN",
                    description=f"{line.get_category_display()} — đợt {n + 1}",
                )

    # -- the five provinces -----------------------------------------------------------------------
    def lam_dong(self):
        province = self.province("68")
        plan = self.plan(
            province,
            "MH-68/KH-UBND",
            issued_on=D(2018, 1, 15),
            title="Triển khai áp dụng HTQLCL theo TCVN ISO 9001:2015 tại UBND các xã, phường, thị trấn giai đoạn 2018–2020",
            legal_basis="Quyết định 19/2014/QĐ-TTg; Thông tư 116/2015/TT-BTC",
            standard_version=StandardVersion.ISO_2015,
            starts_on=D(2018, 1, 15),
            ends_on=D(2020, 12, 31),
            target_kind=TargetKind.COUNT,
            target_value=145,
            target_date=D(2020, 12, 31),
            note="147 xã, phường; 2 thị trấn đã áp dụng. Số kế hoạch là số minh họa.",
        )
        if plan is None:
            return
        communes = _communes(province)
        # Two towns already apply ISO: left out of the plan.
        towns = [c for c in communes if c.division_type == "thi_tran"][:2]
        rest = [c for c in communes if c not in towns]
        lam_ha = [c for c in rest if c.district.short_name == "Lâm Hà"]
        pilot = lam_ha[:4] + _pick(self.rng, [c for c in rest if c not in lam_ha], 20)
        pilot = sorted(pilot, key=lambda c: c.code)
        expansion = [c for c in rest if c not in pilot]
        specs = [
            PhaseSpec(
                PhaseKind.PILOT,
                "Giai đoạn 1: thí điểm tại 24 xã",
                D(2018, 3, 1),
                D(2018, 12, 31),
                24,
                [
                    (BudgetCategory.CONSULTING, FundingSource.SCIENCE, 400_000_000, "Thuê tư vấn, đào tạo ISO 9001"),
                    (
                        BudgetCategory.FRAMEWORK,
                        FundingSource.SCIENCE,
                        120_000_000,
                        "Xây dựng khung tài liệu cho UBND cấp xã",
                    ),
                    (BudgetCategory.COMMUNE_SUPPORT, FundingSource.SCIENCE, 130_000_000, "Hỗ trợ các xã triển khai"),
                    (BudgetCategory.EVALUATION, FundingSource.SCIENCE, 50_000_000, "Thuê đơn vị kiểm tra, đánh giá"),
                ],
                communes=pilot,
                progress=0.85,
            ),
            PhaseSpec(
                PhaseKind.EXPANSION,
                "Giai đoạn 2: nhân rộng 121 xã còn lại",
                D(2019, 1, 1),
                D(2020, 12, 31),
                121,
                [
                    (BudgetCategory.CONSULTING, FundingSource.SCIENCE, 1_200_000_000, "Tư vấn, đào tạo cho 121 xã"),
                    (BudgetCategory.COMMUNE_SUPPORT, FundingSource.PROVINCE, 650_000_000, "Hỗ trợ các xã triển khai"),
                    (BudgetCategory.EVALUATION, FundingSource.SCIENCE, 150_000_000, "Kiểm tra, đánh giá sau công bố"),
                ],
                communes=expansion,
                progress=0.55,
            ),
        ]
        self.phases(
            plan,
            specs,
            [
                "Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng Lâm Đồng",
                "Công ty Tư vấn Quản lý Cao Nguyên (minh họa)",
            ],
        )

    def lang_son(self):
        province = self.province("20")
        plan = self.plan(
            province,
            "174/KH-UBND",
            issued_on=D(2017, 10, 16),
            title="Triển khai thí điểm và nhân rộng áp dụng HTQLCL theo TCVN ISO 9001:2008 tại UBND cấp xã",
            legal_basis="Chỉ thị 03/CT-UBND ngày 17/07/2017 của UBND tỉnh Lạng Sơn; Quyết định 19/2014/QĐ-TTg",
            standard_version=StandardVersion.ISO_2008,
            starts_on=D(2017, 10, 16),
            ends_on=D(2020, 12, 31),
            target_kind=TargetKind.SHARE,
            target_value=70,
            target_date=D(2020, 12, 31),
            note="Thí điểm tại 50 UBND xã thuộc 10 huyện; đánh giá sau 3 tháng áp dụng rồi nhân rộng.",
        )
        if plan is None:
            return
        communes = _communes(province)
        districts = sorted({c.district.short_name for c in communes if c.district.division_type == "huyen"})
        pilot = []
        for name in districts[:10]:
            pilot += _pick(self.rng, [c for c in communes if c.district.short_name == name], 5)
        expansion = _pick(self.rng, [c for c in communes if c not in pilot], 60)
        specs = [
            PhaseSpec(
                PhaseKind.PILOT,
                "Thí điểm tại 50 UBND xã",
                D(2017, 11, 1),
                D(2018, 6, 30),
                50,
                [
                    (
                        BudgetCategory.CONSULTING,
                        FundingSource.SCIENCE,
                        900_000_000,
                        "Tư vấn, đào tạo nhận thức và viết tài liệu",
                    ),
                    (
                        BudgetCategory.EVALUATION,
                        FundingSource.SCIENCE,
                        100_000_000,
                        "Hướng dẫn đánh giá nội bộ, đánh giá sau 3 tháng",
                    ),
                ],
                communes=pilot,
                progress=0.9,
            ),
            PhaseSpec(
                PhaseKind.EXPANSION,
                "Nhân rộng đến năm 2020",
                D(2018, 7, 1),
                D(2020, 12, 31),
                86,
                [
                    (BudgetCategory.CONSULTING, FundingSource.SCIENCE, 1_500_000_000, "Tư vấn cho các xã nhân rộng"),
                    (BudgetCategory.COMMUNE_SUPPORT, FundingSource.LOCAL, 300_000_000, "Kinh phí của các xã"),
                ],
                communes=expansion,
                progress=0.6,
            ),
        ]
        self.phases(plan, specs, ["Chi cục Tiêu chuẩn Đo lường Chất lượng Lạng Sơn"])

    def ben_tre(self):
        province = self.province("83")
        plan = self.plan(
            province,
            "5149/KH-UBND",
            issued_on=D(2016, 9, 30),
            title="Áp dụng HTQLCL theo TCVN ISO 9001:2008 tại UBND cấp xã giai đoạn 2017–2019",
            legal_basis="Quyết định 1709/QĐ-UBND ngày 31/07/2017 về thuê tư vấn; kinh phí sự nghiệp khoa học và công nghệ",
            standard_version=StandardVersion.ISO_2008,
            starts_on=D(2017, 1, 1),
            ends_on=D(2019, 12, 31),
            target_kind=TargetKind.COUNT,
            target_value=45,
            target_date=D(2019, 12, 31),
            note="Đến 08/2017: 45 UBND xã — 11 xã của Chợ Lách mở rộng phạm vi ra toàn bộ TTHC; 34 xã của Giồng Trôm và Mỏ Cày Bắc.",
        )
        if plan is None:
            return
        specs = [
            PhaseSpec(
                PhaseKind.EXTENSION,
                "Mở rộng phạm vi tại 11 xã huyện Chợ Lách",
                D(2017, 8, 1),
                D(2018, 6, 30),
                11,
                [
                    (
                        BudgetCategory.CONSULTING,
                        FundingSource.SCIENCE,
                        176_000_000,
                        "Tư vấn mở rộng phạm vi (11 × 16 triệu)",
                    ),
                ],
                communes=_communes(province, ["Chợ Lách"]),
                progress=1.0,
                announcement_kind=AnnouncementKind.REANNOUNCEMENT,
            ),
            PhaseSpec(
                PhaseKind.PILOT,
                "Xây dựng tại 34 xã Giồng Trôm và Mỏ Cày Bắc",
                D(2017, 8, 1),
                D(2019, 12, 31),
                34,
                [
                    (
                        BudgetCategory.CONSULTING,
                        FundingSource.SCIENCE,
                        897_600_000,
                        "Tư vấn xây dựng (34 × 26,4 triệu)",
                    ),
                ],
                communes=_communes(province, ["Giồng Trôm", "Mỏ Cày Bắc"]),
                progress=0.8,
            ),
        ]
        self.phases(plan, specs, ["Công ty Tư vấn ISO Đồng Khởi (minh họa)"])

    def hung_yen(self):
        province = self.province("33")
        plan = self.plan(
            province,
            "MH-33/KH-UBND",
            issued_on=D(2019, 10, 4),
            title="Xây dựng, áp dụng, duy trì và cải tiến HTQLCL theo TCVN ISO 9001:2015 giai đoạn 2020–2021",
            legal_basis="Quyết định 19/2014/QĐ-TTg; phạm vi 100% TTHC",
            standard_version=StandardVersion.ISO_2015,
            starts_on=D(2020, 1, 1),
            ends_on=D(2021, 12, 31),
            target_kind=TargetKind.COUNT,
            target_value=60,
            target_date=D(2020, 12, 31),
            note="104 đơn vị đã công bố theo 2008 và 2015. Năm 2020: xây dựng tại 60 xã và 5 đơn vị cấp tỉnh; chuyển đổi "
            "2008 → 2015 tại 36 cơ quan cấp huyện và sở, ngành. Số kế hoạch là số minh họa.",
        )
        if plan is None:
            return
        communes = _communes(province)
        build = _pick(self.rng, communes, 60)
        convert = _pick(self.rng, [c for c in communes if c not in build], 30)
        specs = [
            PhaseSpec(
                PhaseKind.EXPANSION,
                "Năm 2020: xây dựng tại 60 xã",
                D(2020, 1, 1),
                D(2020, 12, 31),
                60,
                [
                    (
                        BudgetCategory.CONSULTING,
                        FundingSource.PROVINCE,
                        1_584_000_000,
                        "Tư vấn xây dựng (60 × 26,4 triệu)",
                    ),
                ],
                communes=build,
                progress=0.75,
            ),
            PhaseSpec(
                PhaseKind.CONVERSION,
                "Năm 2021: chuyển đổi 2008 → 2015",
                D(2021, 1, 1),
                D(2021, 12, 31),
                30,
                [
                    (BudgetCategory.CONSULTING, FundingSource.PROVINCE, 480_000_000, "Tư vấn chuyển đổi phiên bản"),
                ],
                communes=convert,
                progress=0.7,
                announcement_kind=AnnouncementKind.CONVERSION,
            ),
        ]
        self.phases(plan, specs, ["Công ty Tư vấn Phố Hiến (minh họa)"])

    def vinh_phuc(self):
        province = self.province("26")
        plan = self.plan(
            province,
            "MH-26/KH-UBND",
            issued_on=D(2014, 6, 1),
            title="Áp dụng HTQLCL theo TCVN ISO 9001:2008 tại các cơ quan hành chính và UBND cấp xã",
            legal_basis="Quyết định 19/2014/QĐ-TTg",
            standard_version=StandardVersion.ISO_2008,
            starts_on=D(2014, 6, 1),
            ends_on=D(2016, 12, 31),
            target_kind=TargetKind.SHARE,
            target_value=100,
            target_date=D(2016, 12, 31),
            base_communes=127,
            note="Cuối 2016: 123/127 UBND xã đã công bố theo 2008. Mục tiêu đến 2020: 100% cơ quan áp dụng ISO điện tử "
            "và chuyển sang phiên bản 2015. Số kế hoạch là số minh họa.",
        )
        if plan is None:
            return
        communes = _communes(province)
        specs = [
            PhaseSpec(
                PhaseKind.EXPANSION,
                "Áp dụng tại toàn bộ UBND cấp xã",
                D(2014, 7, 1),
                D(2016, 12, 31),
                127,
                [
                    (BudgetCategory.CONSULTING, FundingSource.SCIENCE, 2_540_000_000, "Tư vấn xây dựng và áp dụng"),
                    (BudgetCategory.EVALUATION, FundingSource.SCIENCE, 200_000_000, "Kiểm tra, đánh giá"),
                ],
                communes=communes,
                progress=0.97,
            ),
        ]
        self.phases(plan, specs, ["Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng Vĩnh Phúc"])

    # -- the map of today ---------------------------------------------------------------------------
    def lam_dong_today(self):
        """Today's Lâm Đồng (formed from Lâm Đồng, Đắk Nông and Bình Thuận): a 2026 plan on its
        124 communes. The first phase carries over the work of communes formed from announced
        ones, which review their procedures and announce again; others start afresh."""
        from .lineage import done_in_all, predecessor_enrolments
        from .querysets import formed_from_announced

        province = self.province_today("68")
        today = self.today
        plan = self.plan(
            province,
            "MH-15/KH-UBND",
            issued_on=D(2026, 1, 12),
            title="Xây dựng, áp dụng HTQLCL theo TCVN ISO 9001:2015 tại UBND các xã, phường, đặc khu sau sắp xếp "
            "đơn vị hành chính, giai đoạn 2026–2027",
            legal_basis="Nghị quyết 202/2025/QH15; Quyết định 19/2014/QĐ-TTg; Thông tư 116/2015/TT-BTC",
            standard_version=StandardVersion.ISO_2015,
            starts_on=D(2026, 1, 15),
            ends_on=D(2027, 12, 31),
            target_kind=TargetKind.SHARE,
            target_value=100,
            target_date=D(2027, 12, 31),
            note="124 xã, phường, đặc khu hình thành từ 3 tỉnh cũ. Số kế hoạch là số minh họa.",
        )
        if plan is None:
            return
        staff = self.staff
        self.lam_dong_rules(province)
        officer = get_user_model().objects.get(username="khuvuc_lamdong")
        communes = list(Commune.objects.filter(province=province).order_by("code"))
        formed = list(Commune.objects.filter(province=province).filter(formed_from_announced()).order_by("code"))
        carried, fresh = formed[:30], [c for c in communes if c not in formed][:16]
        first = actions.create_phase(
            plan,
            by=staff,
            order=1,
            kind=PhaseKind.EXPANSION,
            name="Năm 2026: kế thừa và công bố lại, thí điểm xã mới",
            starts_on=D(2026, 2, 1),
            ends_on=D(2026, 12, 31),
            target_communes=len(carried) + len(fresh),
        )
        actions.create_phase(
            plan,
            by=staff,
            order=2,
            kind=PhaseKind.EXPANSION,
            name="Năm 2027: nhân rộng các xã còn lại",
            starts_on=D(2027, 1, 1),
            ends_on=D(2027, 12, 31),
            target_communes=len(communes) - len(carried) - len(fresh),
        )
        line = actions.create_budget_line(
            plan,
            by=staff,
            phase=first,
            category=BudgetCategory.CONSULTING,
            funding_source=FundingSource.SCIENCE,
            amount=1_200_000_000,
            description="Tư vấn rà soát, xây dựng lại HTQLCL sau sắp xếp",
        )
        actions.create_budget_line(
            plan,
            by=staff,
            phase=first,
            category=BudgetCategory.COMMUNE_SUPPORT,
            funding_source=FundingSource.PROVINCE,
            amount=400_000_000,
            description="Hỗ trợ các xã rà soát TTHC",
        )
        actions.create_expenditure(
            plan,
            by=staff,
            phase=first,
            budget_line=line,
            amount=360_000_000,
            spent_on=min(D(2026, 4, 20), today),
            document_ref="215/HĐ-SKHCN",
            description="Tạm ứng hợp đồng tư vấn — đợt 1",
        )
        enrolled_on = min(D(2026, 3, 2), today)
        for index, commune in enumerate(carried):
            predecessors = list(predecessor_enrolments(commune, staff))
            total = self.rng.randint(150, 260)
            enrolment = actions.carry_over(
                first,
                commune,
                predecessors=predecessors,
                done_kinds=done_in_all(predecessors),
                by=staff,
                enrolled_on=enrolled_on,
                procedures_total=total,
                procedures_in_scope=total,
            )
            self._progress_today(enrolment, index, staff, officer)
        for index, commune in enumerate(fresh):
            total = self.rng.randint(150, 260)
            enrolment = actions.enrol(
                first,
                commune,
                by=staff,
                enrolled_on=min(D(2026, 4, 1), today),
                procedures_total=total,
                procedures_in_scope=total,
            )
            for step in list(enrolment.steps.order_by("order"))[: index % 4]:
                day = min(step.due_on - datetime.timedelta(days=5), today)
                if day >= enrolment.enrolled_on:
                    actions.record_step(step, done_on=day, by=staff, evidence=f"Biên bản số {index + 1}/BB-UBND")
        self.write(
            f"  {province.short_name} (hiện nay): {plan.number} — {len(carried)} xã kế thừa, "
            f"{len(fresh)} xã xây dựng mới."
        )
        self.lam_dong_upkeep(province, plan)

    def _progress_today(self, enrolment, index, staff, officer):
        """A carried-over commune: the area officer confirms the carried steps, the rest are
        done, and a third have announced again."""
        today = self.today
        reviewer = officer if enrolment.commune.area and enrolment.commune.area.name == "Lâm Hà" else staff
        steps = list(enrolment.steps.order_by("order"))
        for step in steps:
            if step.review_state == ReviewState.AWAITING and index % 5:
                actions.review_step(step, by=reviewer, confirm=True)
        remaining = [s for s in steps if not s.counts_as_done]
        day = enrolment.enrolled_on
        for position, step in enumerate(remaining):
            if index % 3 == 2 and position == len(remaining) - 1:
                break  # still at work
            day = min(day + datetime.timedelta(days=self.rng.randint(10, 30)), today)
            actions.record_step(step, done_on=day, by=staff, evidence=f"Biên bản số {index + 1}/BB-UBND")
        if index % 3 == 0 and all(s.counts_as_done for s in enrolment.steps.all()):
            actions.record_announcement(
                enrolment,
                by=staff,
                decision_number=f"{self.rng.randint(10, 90)}/QĐ-UBND",
                decided_on=min(day + datetime.timedelta(days=10), today),
            )

    # -- rules of today's Lâm Đồng and the years after its announcements --------------------------
    def lam_dong_rules(self, province):
        """Rules today's Lâm Đồng sets for itself from 2026, through the rules page's actions:
        its communes report by 20/11 (its staff are reminded of that date; other provinces keep
        30/11), a consultant's first build costs it at most 24.000.000 ₫ a commune (under the
        national 26.400.000 ₫), and its communes add a step to adopt the province's model
        document framework."""
        staff, since = self.staff, D(2026, 1, 1)
        actions.create_rule(
            ReminderRule,
            by=staff,
            province=province,
            valid_from=since,
            kind=RuleKind.NOVEMBER_REPORT,
            lead_days="14, 7, 1",
            overdue_every_days=0,
            due_month=11,
            due_day=20,
            legal_basis="Văn bản MH-210/SKHCN: các xã gửi báo cáo trước 20/11 (minh họa)",
        )
        actions.create_rule(
            FundingCap,
            by=staff,
            province=province,
            valid_from=since,
            item=CapItem.FIRST_BUILD,
            level=CapLevel.COMMUNE,
            performer=CapPerformer.CONSULTANT,
            amount=24_000_000,
            legal_basis="Quyết định MH-88/QĐ-UBND của UBND tỉnh Lâm Đồng (minh họa)",
        )
        national = StepTemplate.objects.national_default()
        template = actions.copy_template(
            national, by=staff, province=province, name="Mẫu Lâm Đồng 2026: 9 bước, có áp dụng mô hình khung"
        )
        items = [
            {
                "order": item.order,
                "code": item.code,
                "name": item.name,
                "stage": item.stage,
                "duration_days": item.duration_days,
            }
            for item in national.items.order_by("order")
        ]
        # After the documents are written: adopt the province's model framework, then issue them.
        items.insert(
            4,
            {
                "order": 4,
                "code": "mo-hinh-khung",
                "name": "Áp dụng mô hình khung của tỉnh",
                "stage": Stage.BUILD,
                "duration_days": 20,
            },
        )
        for order, item in enumerate(items, start=1):
            item["order"] = order
        template.refresh_from_db()
        actions.update_template(
            template,
            by=staff,
            version=template.version,
            name=template.name,
            note="Mô hình khung tài liệu của Sở KH&CN Lâm Đồng (minh họa).",
            items=items,
        )

    def lam_dong_upkeep(self, province, plan):
        """The years after the announcement in today's Lâm Đồng, relative to the demo's day: a
        legal change most announced communes folded in and one did not ("duy trì quá hạn" once
        three months have passed), an internal audit, a scope changed since the announcement, a
        yearly inspection plan one on-site inspection short of its third, a corrective action
        report due and a lapse proposed by a non-conforming inspection."""
        staff, today = self.staff, self.today
        announced = list(
            plan.enrolments.filter(status__in=ANNOUNCED_STATUSES).select_related("commune").order_by("commune__code")
        )
        if len(announced) < 6:
            return
        first = min(e.announcements.get().decided_on for e in announced)
        effective_on = min(max(D(2026, 6, 1), first + datetime.timedelta(days=1)), today)
        change = actions.record_legal_change(
            province,
            by=staff,
            document="Quyết định MH-1450/QĐ-UBND công bố danh mục TTHC cấp xã sửa đổi (minh họa)",
            effective_on=effective_on,
            note="Sửa đổi 12 TTHC lĩnh vực hộ tịch, đất đai sau sắp xếp đơn vị hành chính.",
        )
        late, *others = [e for e in announced if e.announcements.get().decided_on < change.effective_on] or [None]
        folded_on = min(change.effective_on + datetime.timedelta(days=40), today)
        for enrolment in others:
            actions.record_maintenance(
                enrolment,
                kind=MaintenanceKind.LEGAL_UPDATE,
                done_on=folded_on,
                by=staff,
                note=f"Cập nhật theo {change.document}",
            )
        audited = announced[1]
        audit_on = min(audited.announcements.get().decided_on + datetime.timedelta(days=150), today)
        actions.record_maintenance(
            audited,
            kind=MaintenanceKind.INTERNAL_AUDIT,
            done_on=audit_on,
            by=staff,
            note="Đánh giá nội bộ lần đầu sau công bố",
        )
        rescoped = announced[2]
        rescoped.refresh_from_db()
        actions.update_enrolment(
            rescoped, version=rescoped.version, by=staff, procedures_in_scope=rescoped.procedures_in_scope - 6
        )
        inspection_plan = actions.create_inspection_plan(
            province,
            by=staff,
            year=today.year,
            number=f"MH-{today.year}/KH-SKHCN",
            approved_on=min(D(today.year, 3, 1), today),
            note="Kiểm tra việc duy trì HTQLCL tại các xã đã công bố (minh họa).",
        )
        inspected = announced[:7]
        actions.add_to_inspection_plan(
            inspection_plan, [e.commune for e in inspected[:2]], by=staff, mode=InspectionMode.ON_SITE, planned_month=10
        )
        actions.add_to_inspection_plan(
            inspection_plan,
            [e.commune for e in inspected[2:]],
            by=staff,
            mode=InspectionMode.DOCUMENTS,
            planned_month=11,
        )
        for enrolment, result, action in (
            (inspected[3], InspectionResult.CORRECTIONS, "Cập nhật quy trình chứng thực theo văn bản mới, báo cáo Sở."),
            (inspected[4], InspectionResult.NONCONFORMING, "Xây dựng lại quy trình, đánh giá nội bộ lại."),
            (inspected[5], InspectionResult.CONFORMING, ""),
        ):
            decided_on = enrolment.announcements.get().decided_on
            inspected_on = max(min(today - datetime.timedelta(days=20), D(today.year, 11, 5)), decided_on)
            actions.record_inspection(
                enrolment,
                by=staff,
                inspected_on=inspected_on,
                mode=InspectionMode.DOCUMENTS,
                record_number="MH-12/BB-SKHCN",
                result=result,
                corrective_action=action,
                findings="" if not action else "Quy trình chưa cập nhật văn bản mới.",
            )
        self.write(
            f"  {province.short_name} (hiện nay): quy tắc riêng, thay đổi pháp luật hạn "
            f"{change.effective_on:%d/%m/%Y}, {inspection_plan} ({len(inspected)} xã), "
            f"{late.commune.name if late else '—'} chưa cập nhật."
        )
