import time

from django.core.management.base import BaseCommand, CommandError

from isotrack.cli import iso_date
from provinces.loading import EditionLoader, load_official_units, read_edition

LABELS = {"province": "tỉnh", "district": "huyện", "commune": "xã"}


class Command(BaseCommand):
    help = (
        "Nạp danh mục đơn vị hành chính chính thức (GSO): bản trước 01/07/2025 (63 tỉnh, 696 huyện, 10.051 xã; "
        "gói vietnam-provinces 0.6.0), bản từ 01/07/2025 (34 tỉnh, 3.321 xã; gói vietnamadminunits) và bảng "
        "sắp xếp cũ → mới. Chạy lại không thay đổi gì."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", help="Chỉ nạp tệp JSON cùng cấu trúc (tỉnh → huyện → xã) của một bản danh mục khác."
        )
        parser.add_argument("--valid-from", type=iso_date, help="Ngày bản danh mục bắt đầu có hiệu lực (YYYY-MM-DD).")
        parser.add_argument(
            "--valid-until", type=iso_date, help="Ngày bản danh mục hết hiệu lực (YYYY-MM-DD), không tính."
        )

    def handle(self, *args, file=None, valid_from=None, valid_until=None, **options):
        started = time.monotonic()
        try:
            if file:
                self.stdout.write(f"Đọc {file} …")
                try:
                    data = read_edition(file)
                except (OSError, ValueError) as error:
                    raise CommandError(f"Không đọc được tệp danh mục {file}: {error}") from error
                loader = EditionLoader(valid_from=valid_from, valid_until=valid_until, progress=self.stdout.write)
                reports, lineage = {file: loader.load(data)}, None
            else:
                reports, lineage = load_official_units(progress=self.stdout.write)
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"Không nạp được danh mục: {error}") from error
        elapsed = time.monotonic() - started
        parts = []
        for report in reports.values():
            parts.append(", ".join(f"{count} {LABELS[label]}" for label, count in report.total.items() if count))
        changed = any(report.changed for report in reports.values()) or bool(lineage and lineage.changed)
        if changed:
            from reports.cache import bump

            bump()  # the units changed in bulk, past the signals: figures cached before are of another map
        summary = "; ".join(parts)
        if lineage is not None:
            summary += f"; {lineage.communes} liên kết xã cũ → mới ({lineage.split} xã cũ được chia)"
            if lineage.unmatched:
                self.stdout.write(
                    f"{len(lineage.unmatched)} xã của bản trước 2025 không có trong bảng sắp xếp (đã sáp nhập "
                    f"trước 01/07/2025): " + ", ".join(f"{code} {name}" for code, name in lineage.unmatched)
                )
        state = "đã cập nhật" if changed else "không có thay đổi"
        self.stdout.write(self.style.SUCCESS(f"Xong trong {elapsed:.1f} s: {summary} ({state})."))
