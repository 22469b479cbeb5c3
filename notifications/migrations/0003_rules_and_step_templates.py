"""Reminder rules with a province and a validity period (a province of today may set its own
for its staff), their history, and the rules of the new reminders: legal changes to fold in
and corrective action reports owed after an inspection. On PostgreSQL two rows of one kind
for one province (or nationally) may not overlap in time."""

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models


NEW_RULES = [
    # kind, lead days, repeat while overdue (days)
    ("legal", "30, 14, 7", 7),
    ("corrective", "14, 7, 1", 7),
]


def seed(apps, schema_editor):
    ReminderRule = apps.get_model("notifications", "ReminderRule")
    for kind, leads, every in NEW_RULES:
        ReminderRule.objects.get_or_create(
            kind=kind, province=None, valid_from=None, defaults=dict(lead_days=leads, overdue_every_days=every)
        )


def add_no_overlap(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        "ALTER TABLE notifications_reminderrule ADD CONSTRAINT notifications_reminderrule_no_overlap EXCLUDE USING "
        "gist (kind WITH =, COALESCE(province_id, 0) WITH =, daterange(valid_from, valid_until, '[)') WITH &&)"
    )


def remove_no_overlap(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE notifications_reminderrule DROP CONSTRAINT IF EXISTS notifications_reminderrule_no_overlap"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_seed_reminder_rules"),
        ("provinces", "0003_lineage_and_review_areas"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="reminderrule",
            options={
                "ordering": ["kind", "province_id", "valid_from"],
                "verbose_name": "quy tắc nhắc hạn",
                "verbose_name_plural": "quy tắc nhắc hạn",
            },
        ),
        migrations.AddField(
            model_name="reminderrule",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now, verbose_name="tạo lúc"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="reminderrule",
            name="legal_basis",
            field=models.CharField(
                blank=True, help_text="Văn bản quy định mức hoặc thời hạn này.", max_length=200, verbose_name="căn cứ"
            ),
        ),
        migrations.AddField(
            model_name="reminderrule",
            name="province",
            field=models.ForeignKey(
                blank=True,
                help_text="Để trống: quy định chung toàn quốc.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="provinces.province",
                verbose_name="tỉnh",
            ),
        ),
        migrations.AddField(
            model_name="reminderrule",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="cập nhật lúc"),
        ),
        migrations.AddField(
            model_name="reminderrule",
            name="valid_from",
            field=models.DateField(
                blank=True, help_text="Để trống: áp dụng từ trước đến nay.", null=True, verbose_name="áp dụng từ ngày"
            ),
        ),
        migrations.AddField(
            model_name="reminderrule",
            name="valid_until",
            field=models.DateField(
                blank=True,
                help_text="Để trống: đang áp dụng, chưa có ngày kết thúc.",
                null=True,
                verbose_name="áp dụng đến trước ngày",
            ),
        ),
        migrations.AddField(
            model_name="reminderrule",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AlterField(
            model_name="notification",
            name="section",
            field=models.CharField(
                choices=[
                    ("escalated", "Quá hạn lâu, cần lãnh đạo chỉ đạo"),
                    ("step_overdue", "Bước triển khai quá hạn"),
                    ("step_due", "Bước triển khai sắp đến hạn"),
                    ("corrective", "Báo cáo khắc phục sau kiểm tra"),
                    ("yearly", "Duy trì hằng năm"),
                    ("legal", "Cập nhật thay đổi văn bản pháp luật"),
                    ("phase_end", "Giai đoạn sắp kết thúc"),
                    ("report", "Báo cáo định kỳ"),
                ],
                max_length=12,
                verbose_name="nhóm",
            ),
        ),
        migrations.AlterField(
            model_name="reminderrule",
            name="kind",
            field=models.CharField(
                choices=[
                    ("step", "Bước triển khai đến hạn, quá hạn"),
                    ("phase_end", "Giai đoạn sắp kết thúc"),
                    ("audit", "Đánh giá nội bộ hằng năm"),
                    ("review", "Xem xét của lãnh đạo hằng năm"),
                    ("legal", "Cập nhật thay đổi văn bản pháp luật"),
                    ("corrective", "Báo cáo khắc phục sau kiểm tra"),
                    ("report_nov", "Tổng hợp báo cáo tháng 11"),
                    ("report_dec", "Báo cáo Bộ KH&CN tháng 12"),
                ],
                max_length=12,
                verbose_name="loại nhắc hạn",
            ),
        ),
        migrations.CreateModel(
            name="HistoricalReminderRule",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "valid_from",
                    models.DateField(
                        blank=True,
                        help_text="Để trống: áp dụng từ trước đến nay.",
                        null=True,
                        verbose_name="áp dụng từ ngày",
                    ),
                ),
                (
                    "valid_until",
                    models.DateField(
                        blank=True,
                        help_text="Để trống: đang áp dụng, chưa có ngày kết thúc.",
                        null=True,
                        verbose_name="áp dụng đến trước ngày",
                    ),
                ),
                (
                    "legal_basis",
                    models.CharField(
                        blank=True,
                        help_text="Văn bản quy định mức hoặc thời hạn này.",
                        max_length=200,
                        verbose_name="căn cứ",
                    ),
                ),
                ("created_at", models.DateTimeField(blank=True, editable=False, verbose_name="tạo lúc")),
                ("updated_at", models.DateTimeField(blank=True, editable=False, verbose_name="cập nhật lúc")),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("step", "Bước triển khai đến hạn, quá hạn"),
                            ("phase_end", "Giai đoạn sắp kết thúc"),
                            ("audit", "Đánh giá nội bộ hằng năm"),
                            ("review", "Xem xét của lãnh đạo hằng năm"),
                            ("legal", "Cập nhật thay đổi văn bản pháp luật"),
                            ("corrective", "Báo cáo khắc phục sau kiểm tra"),
                            ("report_nov", "Tổng hợp báo cáo tháng 11"),
                            ("report_dec", "Báo cáo Bộ KH&CN tháng 12"),
                        ],
                        max_length=12,
                        verbose_name="loại nhắc hạn",
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="đang dùng")),
                (
                    "lead_days",
                    models.CharField(
                        default="14, 7, 1",
                        help_text='Các mốc nhắc trước hạn, cách nhau bởi dấu phẩy, ví dụ "14, 7, 1".',
                        max_length=50,
                        verbose_name="nhắc trước hạn (ngày)",
                    ),
                ),
                (
                    "overdue_every_days",
                    models.PositiveSmallIntegerField(
                        default=7,
                        help_text="0: không nhắc sau khi đã quá hạn.",
                        verbose_name="nhắc lại khi quá hạn, mỗi (ngày)",
                    ),
                ),
                (
                    "escalate_after_days",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Để trống: không báo lãnh đạo. Chỉ dùng cho bước triển khai.",
                        null=True,
                        verbose_name="báo lãnh đạo khi quá hạn quá (ngày)",
                    ),
                ),
                (
                    "due_month",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Chỉ dùng cho báo cáo định kỳ hằng năm.",
                        null=True,
                        verbose_name="tháng đến hạn",
                    ),
                ),
                (
                    "due_day",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Chỉ dùng cho báo cáo định kỳ hằng năm.",
                        null=True,
                        verbose_name="ngày đến hạn",
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "province",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Để trống: quy định chung toàn quốc.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="provinces.province",
                        verbose_name="tỉnh",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical quy tắc nhắc hạn",
                "verbose_name_plural": "historical quy tắc nhắc hạn",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(add_no_overlap, remove_no_overlap),
    ]
