"""The years after the announcement: legal changes, yearly inspection plans, the review of
corrective action reports and the lapse a non-conforming inspection proposes, and on each
enrolment the upkeep facts beside its status (the nearest upkeep deadline, a scope changed
since the announcement). Announced enrolments get their upkeep deadline from their records
and the national periods (no province has its own yet, and no legal change is recorded)."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def add_months(day, months):
    import calendar
    import datetime

    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def backfill_upkeep(apps, schema_editor):
    Enrolment = apps.get_model("rollout", "Enrolment")
    PeriodRule = apps.get_model("rollout", "PeriodRule")
    months = dict(
        PeriodRule.objects.filter(province__isnull=True, valid_until__isnull=True).values_list("kind", "months")
    )
    changed = []
    enrolments = Enrolment.objects.filter(
        status__in=["announced", "maintaining"], ended_on__isnull=True, archived_at__isnull=True
    ).prefetch_related("announcements", "maintenance")
    for enrolment in enrolments:
        in_force = [
            a.decided_on for a in enrolment.announcements.all() if a.archived_at is None and a.lapsed_on is None
        ]
        if not in_force:
            continue
        dues = []
        for kind in ("audit", "review"):
            if kind in months:
                since = max(
                    [
                        max(in_force),
                        *(m.done_on for m in enrolment.maintenance.all() if m.kind == kind and m.archived_at is None),
                    ]
                )
                dues.append(add_months(since, months[kind]))
        if dues:
            enrolment.upkeep_due_on = min(dues)
            changed.append(enrolment)
    Enrolment.objects.bulk_update(changed, ["upkeep_due_on"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("provinces", "0003_lineage_and_review_areas"),
        ("rollout", "0006_rules_and_step_templates"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalInspectionPlan",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "archived_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="lưu trữ lúc"),
                ),
                ("archive_reason", models.TextField(blank=True, editable=False, verbose_name="lý do lưu trữ")),
                ("created_at", models.DateTimeField(blank=True, editable=False, verbose_name="tạo lúc")),
                ("updated_at", models.DateTimeField(blank=True, editable=False, verbose_name="cập nhật lúc")),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                ("year", models.PositiveSmallIntegerField(verbose_name="năm")),
                (
                    "number",
                    models.CharField(
                        blank=True, help_text="Ví dụ: 45/KH-UBND", max_length=50, verbose_name="số kế hoạch"
                    ),
                ),
                ("approved_on", models.DateField(blank=True, null=True, verbose_name="ngày phê duyệt")),
                ("note", models.TextField(blank=True, verbose_name="ghi chú")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
            ],
            options={
                "verbose_name": "historical kế hoạch kiểm tra năm",
                "verbose_name_plural": "historical kế hoạch kiểm tra năm",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalInspectionPlanItem",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "archived_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="lưu trữ lúc"),
                ),
                ("archive_reason", models.TextField(blank=True, editable=False, verbose_name="lý do lưu trữ")),
                ("created_at", models.DateTimeField(blank=True, editable=False, verbose_name="tạo lúc")),
                ("updated_at", models.DateTimeField(blank=True, editable=False, verbose_name="cập nhật lúc")),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                (
                    "mode",
                    models.CharField(
                        choices=[("on_site", "Kiểm tra trực tiếp"), ("documents", "Kiểm tra qua hồ sơ")],
                        default="on_site",
                        max_length=10,
                        verbose_name="hình thức",
                    ),
                ),
                (
                    "planned_month",
                    models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="tháng dự kiến"),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
            ],
            options={
                "verbose_name": "historical đơn vị được kiểm tra",
                "verbose_name_plural": "historical đơn vị được kiểm tra",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalLegalChange",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "archived_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="lưu trữ lúc"),
                ),
                ("archive_reason", models.TextField(blank=True, editable=False, verbose_name="lý do lưu trữ")),
                ("created_at", models.DateTimeField(blank=True, editable=False, verbose_name="tạo lúc")),
                ("updated_at", models.DateTimeField(blank=True, editable=False, verbose_name="cập nhật lúc")),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                (
                    "document",
                    models.CharField(
                        help_text="Số, ký hiệu và trích yếu, ví dụ: Quyết định 1234/QĐ-UBND công bố danh mục TTHC sửa đổi.",
                        max_length=200,
                        verbose_name="văn bản",
                    ),
                ),
                ("effective_on", models.DateField(verbose_name="có hiệu lực từ")),
                ("note", models.TextField(blank=True, verbose_name="nội dung thay đổi")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
            ],
            options={
                "verbose_name": "historical thay đổi văn bản pháp luật",
                "verbose_name_plural": "historical thay đổi văn bản pháp luật",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="InspectionPlan",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "archived_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="lưu trữ lúc"),
                ),
                ("archive_reason", models.TextField(blank=True, editable=False, verbose_name="lý do lưu trữ")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="tạo lúc")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="cập nhật lúc")),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                ("year", models.PositiveSmallIntegerField(verbose_name="năm")),
                (
                    "number",
                    models.CharField(
                        blank=True, help_text="Ví dụ: 45/KH-UBND", max_length=50, verbose_name="số kế hoạch"
                    ),
                ),
                ("approved_on", models.DateField(blank=True, null=True, verbose_name="ngày phê duyệt")),
                ("note", models.TextField(blank=True, verbose_name="ghi chú")),
            ],
            options={
                "verbose_name": "kế hoạch kiểm tra năm",
                "verbose_name_plural": "kế hoạch kiểm tra năm",
                "ordering": ["-year", "province__name"],
            },
        ),
        migrations.CreateModel(
            name="InspectionPlanItem",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "archived_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="lưu trữ lúc"),
                ),
                ("archive_reason", models.TextField(blank=True, editable=False, verbose_name="lý do lưu trữ")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="tạo lúc")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="cập nhật lúc")),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                (
                    "mode",
                    models.CharField(
                        choices=[("on_site", "Kiểm tra trực tiếp"), ("documents", "Kiểm tra qua hồ sơ")],
                        default="on_site",
                        max_length=10,
                        verbose_name="hình thức",
                    ),
                ),
                (
                    "planned_month",
                    models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="tháng dự kiến"),
                ),
            ],
            options={
                "verbose_name": "đơn vị được kiểm tra",
                "verbose_name_plural": "đơn vị được kiểm tra",
                "ordering": ["inspection_plan", "commune__name"],
            },
        ),
        migrations.CreateModel(
            name="LegalChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "archived_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="lưu trữ lúc"),
                ),
                ("archive_reason", models.TextField(blank=True, editable=False, verbose_name="lý do lưu trữ")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="tạo lúc")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="cập nhật lúc")),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                (
                    "document",
                    models.CharField(
                        help_text="Số, ký hiệu và trích yếu, ví dụ: Quyết định 1234/QĐ-UBND công bố danh mục TTHC sửa đổi.",
                        max_length=200,
                        verbose_name="văn bản",
                    ),
                ),
                ("effective_on", models.DateField(verbose_name="có hiệu lực từ")),
                ("note", models.TextField(blank=True, verbose_name="nội dung thay đổi")),
            ],
            options={
                "verbose_name": "thay đổi văn bản pháp luật",
                "verbose_name_plural": "thay đổi văn bản pháp luật",
                "ordering": ["-effective_on", "-pk"],
            },
        ),
        migrations.AddField(
            model_name="enrolment",
            name="needs_reannouncement",
            field=models.BooleanField(default=False, editable=False, verbose_name="cần công bố lại"),
        ),
        migrations.AddField(
            model_name="enrolment",
            name="scope_changed_on",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="thay đổi phạm vi từ"),
        ),
        migrations.AddField(
            model_name="enrolment",
            name="upkeep_due_on",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="hạn duy trì gần nhất"),
        ),
        migrations.AddField(
            model_name="historicalenrolment",
            name="needs_reannouncement",
            field=models.BooleanField(default=False, editable=False, verbose_name="cần công bố lại"),
        ),
        migrations.AddField(
            model_name="historicalenrolment",
            name="scope_changed_on",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="thay đổi phạm vi từ"),
        ),
        migrations.AddField(
            model_name="historicalenrolment",
            name="upkeep_due_on",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="hạn duy trì gần nhất"),
        ),
        migrations.AddField(
            model_name="historicalinspection",
            name="corrective_comment",
            field=models.TextField(blank=True, verbose_name="ý kiến về báo cáo khắc phục"),
        ),
        migrations.AddField(
            model_name="historicalinspection",
            name="corrective_review",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Chưa có báo cáo"),
                    ("awaiting", "Chờ Sở xem xét"),
                    ("accepted", "Đã chấp nhận"),
                    ("returned", "Trả lại để bổ sung"),
                ],
                default="",
                max_length=10,
                verbose_name="xem xét báo cáo khắc phục",
            ),
        ),
        migrations.AddField(
            model_name="historicalinspection",
            name="corrective_reviewed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="xem xét lúc"),
        ),
        migrations.AddField(
            model_name="historicalinspection",
            name="corrective_reviewed_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="người xem xét báo cáo khắc phục",
            ),
        ),
        migrations.AddField(
            model_name="historicalinspection",
            name="lapse_decided_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="quyết định lúc"),
        ),
        migrations.AddField(
            model_name="historicalinspection",
            name="lapse_decided_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="người quyết định",
            ),
        ),
        migrations.AddField(
            model_name="historicalinspection",
            name="lapse_note",
            field=models.TextField(blank=True, verbose_name="ý kiến về đề xuất"),
        ),
        migrations.AddField(
            model_name="historicalinspection",
            name="lapse_proposal",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Không"),
                    ("proposed", "Đề xuất hết hiệu lực, chờ Sở quyết định"),
                    ("confirmed", "Đã xác nhận hết hiệu lực"),
                    ("dismissed", "Không chấp nhận đề xuất"),
                ],
                default="",
                max_length=10,
                verbose_name="đề xuất hết hiệu lực",
            ),
        ),
        migrations.AddField(
            model_name="inspection",
            name="corrective_comment",
            field=models.TextField(blank=True, verbose_name="ý kiến về báo cáo khắc phục"),
        ),
        migrations.AddField(
            model_name="inspection",
            name="corrective_review",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Chưa có báo cáo"),
                    ("awaiting", "Chờ Sở xem xét"),
                    ("accepted", "Đã chấp nhận"),
                    ("returned", "Trả lại để bổ sung"),
                ],
                default="",
                max_length=10,
                verbose_name="xem xét báo cáo khắc phục",
            ),
        ),
        migrations.AddField(
            model_name="inspection",
            name="corrective_reviewed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="xem xét lúc"),
        ),
        migrations.AddField(
            model_name="inspection",
            name="corrective_reviewed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="người xem xét báo cáo khắc phục",
            ),
        ),
        migrations.AddField(
            model_name="inspection",
            name="lapse_decided_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="quyết định lúc"),
        ),
        migrations.AddField(
            model_name="inspection",
            name="lapse_decided_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="người quyết định",
            ),
        ),
        migrations.AddField(
            model_name="inspection",
            name="lapse_note",
            field=models.TextField(blank=True, verbose_name="ý kiến về đề xuất"),
        ),
        migrations.AddField(
            model_name="inspection",
            name="lapse_proposal",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Không"),
                    ("proposed", "Đề xuất hết hiệu lực, chờ Sở quyết định"),
                    ("confirmed", "Đã xác nhận hết hiệu lực"),
                    ("dismissed", "Không chấp nhận đề xuất"),
                ],
                default="",
                max_length=10,
                verbose_name="đề xuất hết hiệu lực",
            ),
        ),
        migrations.AddIndex(
            model_name="enrolment",
            index=models.Index(
                condition=models.Q(("upkeep_due_on__isnull", False)),
                fields=["upkeep_due_on"],
                name="enrolment_upkeep_due_idx",
            ),
        ),
        migrations.AddField(
            model_name="historicalinspectionplan",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalinspectionplan",
            name="history_user",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="historicalinspectionplan",
            name="province",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="provinces.province",
                verbose_name="tỉnh",
            ),
        ),
        migrations.AddField(
            model_name="historicalinspectionplanitem",
            name="commune",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="provinces.commune",
                verbose_name="xã",
            ),
        ),
        migrations.AddField(
            model_name="historicalinspectionplanitem",
            name="history_user",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="historicallegalchange",
            name="history_user",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="historicallegalchange",
            name="province",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="provinces.province",
                verbose_name="tỉnh",
            ),
        ),
        migrations.AddField(
            model_name="historicallegalchange",
            name="recorded_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="người ghi nhận",
            ),
        ),
        migrations.AddField(
            model_name="inspectionplan",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="inspectionplan",
            name="province",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="inspection_plans",
                to="provinces.province",
                verbose_name="tỉnh",
            ),
        ),
        migrations.AddField(
            model_name="historicalinspectionplanitem",
            name="inspection_plan",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="rollout.inspectionplan",
                verbose_name="kế hoạch kiểm tra",
            ),
        ),
        migrations.AddField(
            model_name="inspectionplanitem",
            name="commune",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="provinces.commune", verbose_name="xã"
            ),
        ),
        migrations.AddField(
            model_name="inspectionplanitem",
            name="inspection_plan",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="items",
                to="rollout.inspectionplan",
                verbose_name="kế hoạch kiểm tra",
            ),
        ),
        migrations.AddField(
            model_name="legalchange",
            name="province",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="legal_changes",
                to="provinces.province",
                verbose_name="tỉnh",
            ),
        ),
        migrations.AddField(
            model_name="legalchange",
            name="recorded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="người ghi nhận",
            ),
        ),
        migrations.AddConstraint(
            model_name="inspectionplan",
            constraint=models.UniqueConstraint(
                condition=models.Q(("archived_at__isnull", True)),
                fields=("province", "year"),
                name="inspection_plan_once_a_year",
                violation_error_message="Tỉnh đã có kế hoạch kiểm tra của năm này.",
            ),
        ),
        migrations.AddConstraint(
            model_name="inspectionplan",
            constraint=models.CheckConstraint(
                condition=models.Q(("year__gte", 2014), ("year__lte", 2100)),
                name="inspection_plan_year_valid",
                violation_error_message="Năm không hợp lệ.",
            ),
        ),
        migrations.AddConstraint(
            model_name="inspectionplanitem",
            constraint=models.UniqueConstraint(
                condition=models.Q(("archived_at__isnull", True)),
                fields=("inspection_plan", "commune"),
                name="inspection_item_once_per_plan",
                violation_error_message="Xã đã có trong kế hoạch kiểm tra.",
            ),
        ),
        migrations.AddConstraint(
            model_name="inspectionplanitem",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("planned_month__isnull", True),
                    models.Q(("planned_month__gte", 1), ("planned_month__lte", 12)),
                    _connector="OR",
                ),
                name="inspection_item_month_valid",
                violation_error_message="Tháng dự kiến từ 1 đến 12.",
            ),
        ),
        migrations.RunPython(backfill_upkeep, migrations.RunPython.noop),
    ]
