import time

from django.core.management.base import BaseCommand, CommandError

from isotrack.cli import iso_date
from provinces.loading import PRE_2025_UNTIL, EditionLoader, bundled_edition_path, read_edition


class Command(BaseCommand):
    help = (
        "Nạp danh mục đơn vị hành chính chính thức (GSO). Mặc định: bản trước 01/07/2025 do gói "
        "vietnam-provinces 0.6.0 cung cấp (63 tỉnh, 696 huyện, 10.051 xã). Chạy lại không thay đổi gì."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", help="Tệp JSON cùng cấu trúc (tỉnh → huyện → xã) của một bản danh mục khác.")
        parser.add_argument("--valid-from", type=iso_date, help="Ngày bản danh mục bắt đầu có hiệu lực (YYYY-MM-DD).")
        parser.add_argument("--valid-until", type=iso_date, help="Ngày bản danh mục hết hiệu lực (YYYY-MM-DD), không tính.")

    def handle(self, *args, file=None, valid_from=None, valid_until=None, **options):
        if file:
            path = file
        else:
            path = bundled_edition_path()
            valid_until = valid_until or PRE_2025_UNTIL
        started = time.monotonic()
        self.stdout.write(f"Đọc {path} …")
        try:
            data = read_edition(path)
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"Không đọc được tệp danh mục {path}: {error}") from error
        loader = EditionLoader(valid_from=valid_from, valid_until=valid_until, progress=self.stdout.write)
        try:
            report = loader.load(data)
        except (ValueError, KeyError) as error:
            raise CommandError(f"Không nạp được danh mục: {error}") from error
        elapsed = time.monotonic() - started
        labels = {"province": "tỉnh", "district": "huyện", "commune": "xã"}
        summary = ", ".join(f"{count} {labels[label]}" for label, count in report.total.items())
        state = "đã cập nhật" if report.changed else "không có thay đổi"
        self.stdout.write(self.style.SUCCESS(f"Xong trong {elapsed:.1f} s: {summary} ({state})."))
