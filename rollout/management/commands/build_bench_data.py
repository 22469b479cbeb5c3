from django.core.management.base import BaseCommand, CommandError

from isotrack.cli import iso_date


class Command(BaseCommand):
    help = (
        "Dựng dữ liệu benchmark quy mô toàn quốc (bench/dataset.py): triển khai trên bản đồ trước 2025, sắp xếp "
        "ĐVHC 01/07/2025, rồi triển khai trên bản đồ hiện hành (khu vực theo dõi, kế hoạch 2026, xã kế thừa hồ sơ), "
        "người dùng và lịch sử thay đổi. Chỉ dùng trên một cơ sở dữ liệu riêng, chưa có kế hoạch nào (make bench tự tạo)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--provinces",
            help="Mã tỉnh trước 2025, cách nhau bằng dấu phẩy (mặc định: cả 63 tỉnh), "
            "ví dụ 68,20; kèm các tỉnh hiện nay được hình thành từ các tỉnh này.",
        )
        parser.add_argument("--seed", type=int, help="Hạt giống ngẫu nhiên (mặc định cố định).")
        parser.add_argument("--today", type=iso_date, help="Ngày làm mốc (YYYY-MM-DD), mặc định hôm nay.")
        parser.add_argument("--no-history", action="store_true", help="Không ghi lịch sử thay đổi.")
        parser.add_argument("--no-district-officers", action="store_true", help="Không tạo cán bộ huyện.")
        parser.add_argument(
            "--carry-over-share",
            type=float,
            help="Tỷ lệ xã hiện nay (hình thành từ xã đã công bố) được kế thừa hồ sơ (mặc định 0,05).",
        )

    def handle(
        self,
        *args,
        provinces=None,
        seed=None,
        today=None,
        no_history=False,
        no_district_officers=False,
        carry_over_share=None,
        **options,
    ):
        try:
            from bench.dataset import CARRY_OVER_SHARE, SEED, BenchDataBuilder
        except ImportError as error:
            raise CommandError("Lệnh này chạy từ mã nguồn đầy đủ (thư mục bench/): dùng `make bench`.") from error

        codes = [c.strip() for c in provinces.split(",") if c.strip()] if provinces else None
        builder = BenchDataBuilder(
            provinces=codes,
            seed=SEED if seed is None else seed,
            today=today,
            history=not no_history,
            district_officers=not no_district_officers,
            stdout=self.stdout.write,
            carry_over_share=CARRY_OVER_SHARE if carry_over_share is None else carry_over_share,
        )
        try:
            report = builder.build()
        except ValueError as error:
            raise CommandError(str(error)) from error
        counts = ", ".join(f"{label.split('.')[-1]} {count}" for label, count in sorted(report.counts.items()))
        self.stdout.write(self.style.SUCCESS(f"Xong trong {report.seconds['total']:.1f} s: {counts}"))
