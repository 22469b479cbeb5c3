"""Bring a province's existing progress in from a spreadsheet, as the import page does.

    python manage.py import_progress tien-do.xlsx --province 68 --user dost_lamdong --dry-run
    python manage.py import_progress tien-do.xlsx --province "Lâm Đồng" --plan 12/KH-UBND --user dost_lamdong

Prints the preview (every row that is not unchanged, with what it creates or changes and its
problems), then, without --dry-run and when no row has an error or an ambiguous commune,
writes everything through the same actions as the pages, as the given user.
"""

import os

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.scope import scope_of
from isotrack.text import fold
from provinces.editions import BY_KEY, edition_on
from provinces.models import Province
from rollout.models import Phase, RolloutPlan

from ... import actions, reading
from ...choices import BatchStatus, RowOutcome
from ...planning import describe, plan_key


class Command(BaseCommand):
    help = "Nhập tiến độ của một tỉnh từ tệp .xlsx/.csv (xem trước, rồi ghi nếu không có --dry-run)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--province", required=True, help="mã (68) hoặc tên (Lâm Đồng) của tỉnh")
        parser.add_argument("--edition", choices=sorted(BY_KEY), help="danh mục của tỉnh (mặc định: hiện hành)")
        parser.add_argument("--plan", help="số kế hoạch, khi mọi dòng thuộc một kế hoạch")
        parser.add_argument("--user", required=True, help="tên đăng nhập của người nhập (cán bộ Sở KH&CN của tỉnh)")
        parser.add_argument("--dry-run", action="store_true", help="chỉ xem trước, không ghi gì")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"Không có người dùng {options['user']}.")
        province = self._province(options["province"], options["edition"])
        scope = scope_of(user)
        if not scope.can_edit_rollout(province.pk):
            raise CommandError(f"{user.username} không được nhập dữ liệu cho {province}.")
        plan = self._plan(options["plan"], province, user) if options["plan"] else None
        path = options["file"]
        if not os.path.isfile(path):
            raise CommandError(f"Không có tệp {path}.")
        with open(path, "rb") as handle:
            uploaded = File(handle, name=os.path.basename(path))
            try:
                batch = actions.upload(user=user, uploaded=uploaded, province=province, plan=plan)
            except reading.Refused as refused:
                raise CommandError(str(refused))
        started = timezone.now()
        batch = actions.preview(batch)
        seconds = (timezone.now() - started).total_seconds()
        if batch.status != BatchStatus.PREVIEWED:
            raise CommandError(batch.message)
        self._print_preview(batch, seconds)
        if options["dry_run"]:
            self.stdout.write("--dry-run: không ghi gì.")
            return
        if not batch.can_confirm():
            if any(batch.counts.get(o) for o in (RowOutcome.ERROR, RowOutcome.CHOOSE)):
                raise CommandError("Chưa ghi gì: sửa các dòng lỗi (hoặc ghi thêm huyện cho xã trùng tên) rồi chạy lại.")
            self.stdout.write("Không có gì mới để ghi.")
            return
        actions.start_apply(batch, user)
        batch.refresh_from_db()
        if batch.status != BatchStatus.APPLIED:
            raise CommandError(batch.message)
        self.stdout.write(self.style.SUCCESS(f"Đã ghi (lần nhập số {batch.pk}): {batch.message}"))

    def _province(self, text, edition_key):
        edition = BY_KEY[edition_key] if edition_key else edition_on()
        provinces = Province.objects.of_edition(edition)
        found = [
            p
            for p in provinces
            if p.code == text.strip().zfill(2) or fold(p.short_name) == fold(text) or fold(p.name) == fold(text)
        ]
        if len(found) != 1:
            raise CommandError(f"Không xác định được tỉnh “{text}” trong danh mục {edition.label}.")
        return found[0]

    def _plan(self, number, province, user):
        plans = [
            p
            for p in RolloutPlan.objects.visible_to(user)
            .active()
            .filter(province__in=[province.pk, *province.predecessors.values_list("pk", flat=True)])
            if plan_key(p.number) == plan_key(number)
        ]
        if len(plans) != 1:
            raise CommandError(f"Không xác định được kế hoạch số {number} của {province}.")
        return plans[0]

    def _print_preview(self, batch, seconds):
        counts = batch.counts
        self.stdout.write(f"Đọc {batch.rows_total} dòng của “{batch.original_name}” trong {seconds:.1f} s.")
        self.stdout.write("; ".join(f"{label}: {counts.get(value, 0)}" for value, label in RowOutcome.choices))
        rows = (
            batch.rows.exclude(outcome__in=[RowOutcome.SAME, RowOutcome.EMPTY])
            .select_related("commune__district", "commune__province", "plan")
            .order_by("number")
        )
        phases = Phase.objects.in_bulk(Phase.objects.filter(plan__in=rows.values("plan")).values_list("pk", flat=True))
        for row in rows.iterator(chunk_size=500):
            commune = row.commune.label if row.commune else (row.written.get("name") or row.written.get("code", ""))
            self.stdout.write(
                f"Dòng {row.number} [{row.get_outcome_display()}] {commune}"
                + (f" — {row.plan.number}" if row.plan else "")
            )
            for line in describe(row.operations, phases):
                self.stdout.write(f"    + {line}")
            for note in row.notes:
                self.stdout.write(f"    · {note}")
            for problem in row.problems:
                self.stdout.write(f"    ! cột “{problem['column']}”: {problem['text']}")
