import time

from django.core.management.base import BaseCommand, CommandError

from provinces.models import Province
from rollout.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DemoBuilder


class Command(BaseCommand):
    help = "Nạp dữ liệu minh họa: 5 kế hoạch theo các bài báo gốc và một tài khoản cho mỗi vai trò. Chạy lại an toàn."

    def handle(self, *args, **options):
        if not Province.objects.exists():
            raise CommandError("Chưa có danh mục đơn vị hành chính: chạy `python manage.py load_units` trước.")
        started = time.monotonic()
        self.stdout.write("Nạp dữ liệu minh họa …")
        DemoBuilder(stdout=self.stdout.write).build()
        self.stdout.write(self.style.SUCCESS(f"Xong trong {time.monotonic() - started:.1f} s."))
        self.stdout.write("Tài khoản minh họa (chỉ dùng để thử, mật khẩu: %s):" % DEMO_PASSWORD)
        for username, full_name, role, *_ in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<16} {role.label} — {full_name}")
