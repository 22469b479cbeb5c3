import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications import delivery, reminders


class Command(BaseCommand):
    help = (
        "Gửi bản tin nhắc hạn của một ngày (mặc định: hôm nay). Chạy lại không gửi trùng. "
        "Send the day's reminder digests; running it again sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD (mặc định: hôm nay, giờ Việt Nam)")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ in những gì sẽ gửi, không ghi, không gửi.")
        parser.add_argument(
            "--queue", action="store_true", help="Đưa e-mail vào hàng đợi Celery thay vì gửi ngay trong lệnh này."
        )

    def handle(self, *args, date=None, dry_run=False, queue=False, verbosity=1, **options):
        try:
            day = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date: expected YYYY-MM-DD, got {date!r}")
        failures = []

        def deliver_now(digest_id):
            try:
                delivery.deliver_digest(digest_id)
            except Exception as error:  # recorded on the digest; the next run sends it again
                failures.append((digest_id, error))

        log = self.stdout.write if verbosity >= 1 else None
        started = time.perf_counter()
        result = reminders.run_reminders(day, dry_run=dry_run, deliver=None if queue else deliver_now, log=log)
        elapsed = time.perf_counter() - started
        verb = "sẽ gửi" if dry_run else "đã gửi"
        for user, items in result.digests:
            self.stdout.write(f"{user.get_username()} <{user.email or '-'}>: {verb} {len(items)} mục")
            if verbosity >= 2 or dry_run:
                for item in items:
                    self.stdout.write(f"    [{item.section}/{item.window}] {item.title} — {item.detail}")
        if result.skipped_users:
            self.stdout.write(f"{result.skipped_users} người đã có bản tin ngày {day:%d/%m/%Y}, bỏ qua.")
        for digest_id, error in failures:
            self.stderr.write(f"E-mail của bản tin #{digest_id} chưa gửi được ({error}); lần chạy sau sẽ gửi lại.")
        summary = (
            f"{'[thử] ' if dry_run else ''}Ngày {day:%d/%m/%Y}: {len(result.digests)} bản tin, "
            f"{result.notifications} mục, {0 if dry_run else result.emails_queued} e-mail, {elapsed:.2f} s"
        )
        self.stdout.write(self.style.SUCCESS(summary))
