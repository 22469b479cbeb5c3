from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.system import system_user
from isotrack.cli import iso_date
from rollout import actions


class Command(BaseCommand):
    help = (
        "Kết thúc triển khai tại các đơn vị hành chính đã bị bãi bỏ (sắp xếp ĐVHC): xã tham gia kết thúc, công bố "
        "thôi hiệu lực, kế hoạch của tỉnh cũ đóng lại, từ ngày đơn vị không còn. Chạy lại không thay đổi gì. "
        "Celery beat chạy việc này hằng ngày."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", type=iso_date, help="Ngày xét (YYYY-MM-DD), mặc định hôm nay.")
        parser.add_argument("--user", help="Tên đăng nhập ghi vào lịch sử thay đổi (mặc định: tài khoản hệ thống).")

    def handle(self, *args, date=None, user=None, **options):
        if user:
            try:
                by = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"Không có người dùng {user}.")
        else:
            by = system_user()
        day = date or timezone.localdate()
        enrolments, announcements, plans = actions.end_abolished(day, by=by)
        self.stdout.write(
            self.style.SUCCESS(
                f"Ngày {day:%d/%m/%Y}: {enrolments} xã tham gia kết thúc do sắp xếp ĐVHC, {announcements} công bố thôi "
                f"hiệu lực, {plans} kế hoạch của tỉnh cũ được đóng."
            )
        )
