"""Rule data with a province and a validity period, and step templates.

1. funding caps, period rules (audits, reviews, legal changes, corrective action) and the cap
   each kind of phase is judged by: national rows valid from always, and may be set per
   province of today for a period; on PostgreSQL two rows of one rule for one province (or
   nationally) may not overlap in time (an exclusion constraint; SQLite: the actions check);
2. the national default step template: the eight steps of Decision 19/2014, with their stage
   and a default duration; existing steps keep their due dates and get their name and stage,
   existing enrolments are linked to the template.
"""

import django.db.models.deletion
import django.db.models.functions.comparison
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models


PERIODS = [
    # kind, months, basis
    ("audit", 12, "Quyết định 19/2014/QĐ-TTg: đánh giá nội bộ ít nhất mỗi năm một lần"),
    ("review", 12, "Quyết định 19/2014/QĐ-TTg: xem xét của lãnh đạo ít nhất mỗi năm một lần"),
    ("legal", 3, "Quyết định 19/2014/QĐ-TTg: cập nhật thay đổi văn bản pháp luật trong 3 tháng"),
    ("corrective", 2, "Thông tư 26/2014/TT-BKHCN: báo cáo khắc phục trong 2 tháng sau kiểm tra"),
]
PHASE_CAPS = [
    ("pilot", "build"),
    ("expansion", "build"),
    ("extension", "extension"),
    ("conversion", "extension"),
    ("maintenance", "maintenance"),
]
STEPS = [
    # code, name, stage, days
    ("survey", "Khảo sát, đánh giá thực trạng", "build", 30),
    ("steering", "Lập kế hoạch, thành lập Ban chỉ đạo ISO", "build", 15),
    ("training", "Đào tạo nhận thức", "build", 30),
    ("documents", "Xây dựng tài liệu, quy trình", "build", 60),
    ("issue", "Xem xét, ban hành tài liệu", "build", 30),
    ("audit", "Đánh giá nội bộ", "apply", 90),
    ("review", "Xem xét của lãnh đạo", "apply", 30),
    ("effective", "Xác nhận hiệu lực của hệ thống", "apply", 15),
]
NO_OVERLAP = {
    "rollout_fundingcap": "item WITH =, level WITH =, performer WITH =",
    "rollout_periodrule": "kind WITH =",
    "rollout_phasecapitem": "phase_kind WITH =",
}


def seed(apps, schema_editor):
    PeriodRule = apps.get_model("rollout", "PeriodRule")
    PhaseCapItem = apps.get_model("rollout", "PhaseCapItem")
    FundingCap = apps.get_model("rollout", "FundingCap")
    StepTemplate = apps.get_model("rollout", "StepTemplate")
    StepTemplateItem = apps.get_model("rollout", "StepTemplateItem")
    Step = apps.get_model("rollout", "Step")
    Enrolment = apps.get_model("rollout", "Enrolment")
    for kind, months, basis in PERIODS:
        PeriodRule.objects.get_or_create(
            kind=kind, province=None, valid_from=None, defaults={"months": months, "legal_basis": basis}
        )
    for phase_kind, item in PHASE_CAPS:
        PhaseCapItem.objects.get_or_create(
            phase_kind=phase_kind,
            province=None,
            valid_from=None,
            defaults={"cap_item": item, "legal_basis": "Thông tư 116/2015/TT-BTC"},
        )
    FundingCap.objects.filter(legal_basis="").update(legal_basis="Thông tư 116/2015/TT-BTC")
    template, _created = StepTemplate.objects.get_or_create(
        province=None,
        plan=None,
        archived_at=None,
        defaults={"name": "Mẫu chung: 8 bước theo Quyết định 19/2014/QĐ-TTg"},
    )
    for order, (code, name, stage, days) in enumerate(STEPS, start=1):
        StepTemplateItem.objects.get_or_create(
            template=template, code=code, defaults={"order": order, "name": name, "stage": stage, "duration_days": days}
        )
        Step.objects.filter(kind=code).update(name=name, stage=stage)
    Enrolment.objects.filter(step_template__isnull=True).update(step_template=template)


def add_no_overlap(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for table, key in NO_OVERLAP.items():
        schema_editor.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {table}_no_overlap EXCLUDE USING gist "
            f"({key}, COALESCE(province_id, 0) WITH =, daterange(valid_from, valid_until, '[)') WITH &&)"
        )


def remove_no_overlap(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in NO_OVERLAP:
        schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {table}_no_overlap")


class Migration(migrations.Migration):
    dependencies = [
        ("provinces", "0003_lineage_and_review_areas"),
        ("rollout", "0005_plan_created_by_label"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalPeriodRule",
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
                            ("audit", "Chu kỳ đánh giá nội bộ"),
                            ("review", "Chu kỳ xem xét của lãnh đạo"),
                            ("legal", "Thời hạn cập nhật thay đổi văn bản pháp luật"),
                            ("corrective", "Thời hạn báo cáo khắc phục sau kiểm tra"),
                        ],
                        max_length=12,
                        verbose_name="thời hạn",
                    ),
                ),
                ("months", models.PositiveSmallIntegerField(verbose_name="số tháng")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
            ],
            options={
                "verbose_name": "historical quy định thời hạn",
                "verbose_name_plural": "historical quy định thời hạn",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalPhaseCapItem",
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
                    "phase_kind",
                    models.CharField(
                        choices=[
                            ("pilot", "Thí điểm"),
                            ("expansion", "Nhân rộng"),
                            ("extension", "Mở rộng phạm vi"),
                            ("conversion", "Chuyển đổi phiên bản"),
                            ("maintenance", "Duy trì"),
                        ],
                        max_length=12,
                        verbose_name="loại giai đoạn",
                    ),
                ),
                (
                    "cap_item",
                    models.CharField(
                        choices=[
                            ("build", "Xây dựng và áp dụng lần đầu"),
                            ("extension", "Mở rộng phạm vi"),
                            ("maintenance", "Duy trì (mỗi năm)"),
                        ],
                        max_length=12,
                        verbose_name="áp mức chi của",
                    ),
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
                "verbose_name": "historical mức chi theo loại giai đoạn",
                "verbose_name_plural": "historical mức chi theo loại giai đoạn",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalStepTemplate",
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
                ("name", models.CharField(max_length=200, verbose_name="tên mẫu")),
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
                "verbose_name": "historical mẫu các bước triển khai",
                "verbose_name_plural": "historical mẫu các bước triển khai",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalStepTemplateItem",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("order", models.PositiveSmallIntegerField(verbose_name="thứ tự")),
                (
                    "code",
                    models.SlugField(
                        help_text="Chữ thường không dấu, số, gạch ngang; ví dụ: mo-hinh-khung. Không đổi sau khi đã dùng.",
                        max_length=20,
                        verbose_name="mã bước",
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="tên bước")),
                (
                    "stage",
                    models.CharField(
                        choices=[("build", "Xây dựng"), ("apply", "Áp dụng")],
                        max_length=10,
                        verbose_name="giai đoạn của hệ thống",
                    ),
                ),
                (
                    "duration_days",
                    models.PositiveSmallIntegerField(
                        help_text="Số ngày dự kiến, tính nối tiếp từ bước trước.", verbose_name="thời gian (ngày)"
                    ),
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
                "verbose_name": "historical bước trong mẫu",
                "verbose_name_plural": "historical các bước trong mẫu",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="PeriodRule",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
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
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="tạo lúc")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="cập nhật lúc")),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("audit", "Chu kỳ đánh giá nội bộ"),
                            ("review", "Chu kỳ xem xét của lãnh đạo"),
                            ("legal", "Thời hạn cập nhật thay đổi văn bản pháp luật"),
                            ("corrective", "Thời hạn báo cáo khắc phục sau kiểm tra"),
                        ],
                        max_length=12,
                        verbose_name="thời hạn",
                    ),
                ),
                ("months", models.PositiveSmallIntegerField(verbose_name="số tháng")),
            ],
            options={
                "verbose_name": "quy định thời hạn",
                "verbose_name_plural": "quy định thời hạn",
                "ordering": ["kind", "province_id", "valid_from"],
            },
        ),
        migrations.CreateModel(
            name="PhaseCapItem",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
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
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="tạo lúc")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="cập nhật lúc")),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                (
                    "phase_kind",
                    models.CharField(
                        choices=[
                            ("pilot", "Thí điểm"),
                            ("expansion", "Nhân rộng"),
                            ("extension", "Mở rộng phạm vi"),
                            ("conversion", "Chuyển đổi phiên bản"),
                            ("maintenance", "Duy trì"),
                        ],
                        max_length=12,
                        verbose_name="loại giai đoạn",
                    ),
                ),
                (
                    "cap_item",
                    models.CharField(
                        choices=[
                            ("build", "Xây dựng và áp dụng lần đầu"),
                            ("extension", "Mở rộng phạm vi"),
                            ("maintenance", "Duy trì (mỗi năm)"),
                        ],
                        max_length=12,
                        verbose_name="áp mức chi của",
                    ),
                ),
            ],
            options={
                "verbose_name": "mức chi theo loại giai đoạn",
                "verbose_name_plural": "mức chi theo loại giai đoạn",
                "ordering": ["phase_kind", "province_id", "valid_from"],
            },
        ),
        migrations.CreateModel(
            name="StepTemplate",
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
                ("name", models.CharField(max_length=200, verbose_name="tên mẫu")),
                ("note", models.TextField(blank=True, verbose_name="ghi chú")),
            ],
            options={
                "verbose_name": "mẫu các bước triển khai",
                "verbose_name_plural": "mẫu các bước triển khai",
                "ordering": ["province_id", "plan_id", "-created_at"],
            },
        ),
        migrations.CreateModel(
            name="StepTemplateItem",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("order", models.PositiveSmallIntegerField(verbose_name="thứ tự")),
                (
                    "code",
                    models.SlugField(
                        help_text="Chữ thường không dấu, số, gạch ngang; ví dụ: mo-hinh-khung. Không đổi sau khi đã dùng.",
                        max_length=20,
                        verbose_name="mã bước",
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="tên bước")),
                (
                    "stage",
                    models.CharField(
                        choices=[("build", "Xây dựng"), ("apply", "Áp dụng")],
                        max_length=10,
                        verbose_name="giai đoạn của hệ thống",
                    ),
                ),
                (
                    "duration_days",
                    models.PositiveSmallIntegerField(
                        help_text="Số ngày dự kiến, tính nối tiếp từ bước trước.", verbose_name="thời gian (ngày)"
                    ),
                ),
            ],
            options={
                "verbose_name": "bước trong mẫu",
                "verbose_name_plural": "các bước trong mẫu",
                "ordering": ["template", "order"],
            },
        ),
        migrations.AlterModelOptions(
            name="fundingcap",
            options={
                "ordering": ["level", "item", "performer", "province_id", "valid_from"],
                "verbose_name": "mức chi tối đa",
                "verbose_name_plural": "mức chi tối đa",
            },
        ),
        migrations.RemoveConstraint(
            model_name="fundingcap",
            name="cap_unique",
        ),
        migrations.AddField(
            model_name="fundingcap",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now, verbose_name="tạo lúc"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="fundingcap",
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
            model_name="fundingcap",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="cập nhật lúc"),
        ),
        migrations.AddField(
            model_name="fundingcap",
            name="valid_from",
            field=models.DateField(
                blank=True, help_text="Để trống: áp dụng từ trước đến nay.", null=True, verbose_name="áp dụng từ ngày"
            ),
        ),
        migrations.AddField(
            model_name="fundingcap",
            name="valid_until",
            field=models.DateField(
                blank=True,
                help_text="Để trống: đang áp dụng, chưa có ngày kết thúc.",
                null=True,
                verbose_name="áp dụng đến trước ngày",
            ),
        ),
        migrations.AddField(
            model_name="fundingcap",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="historicalfundingcap",
            name="created_at",
            field=models.DateTimeField(
                blank=True, default=django.utils.timezone.now, editable=False, verbose_name="tạo lúc"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historicalfundingcap",
            name="province",
            field=models.ForeignKey(
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
        migrations.AddField(
            model_name="historicalfundingcap",
            name="updated_at",
            field=models.DateTimeField(
                blank=True, default=django.utils.timezone.now, editable=False, verbose_name="cập nhật lúc"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historicalfundingcap",
            name="valid_from",
            field=models.DateField(
                blank=True, help_text="Để trống: áp dụng từ trước đến nay.", null=True, verbose_name="áp dụng từ ngày"
            ),
        ),
        migrations.AddField(
            model_name="historicalfundingcap",
            name="valid_until",
            field=models.DateField(
                blank=True,
                help_text="Để trống: đang áp dụng, chưa có ngày kết thúc.",
                null=True,
                verbose_name="áp dụng đến trước ngày",
            ),
        ),
        migrations.AddField(
            model_name="historicalfundingcap",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="historicalrolloutplan",
            name="base_communes",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Số xã, phường, thị trấn của tỉnh theo kế hoạch, để tính chỉ tiêu tỷ lệ. Để trống: theo danh mục đơn vị hành chính.",
                null=True,
                verbose_name="số xã làm căn cứ",
            ),
        ),
        migrations.AddField(
            model_name="historicalstep",
            name="name",
            field=models.CharField(default="", max_length=200, verbose_name="bước"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historicalstep",
            name="stage",
            field=models.CharField(
                choices=[("build", "Xây dựng"), ("apply", "Áp dụng")],
                default="build",
                max_length=10,
                verbose_name="giai đoạn của hệ thống",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="rolloutplan",
            name="base_communes",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Số xã, phường, thị trấn của tỉnh theo kế hoạch, để tính chỉ tiêu tỷ lệ. Để trống: theo danh mục đơn vị hành chính.",
                null=True,
                verbose_name="số xã làm căn cứ",
            ),
        ),
        migrations.AddField(
            model_name="step",
            name="name",
            field=models.CharField(default="", max_length=200, verbose_name="bước"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="step",
            name="stage",
            field=models.CharField(
                choices=[("build", "Xây dựng"), ("apply", "Áp dụng")],
                default="build",
                max_length=10,
                verbose_name="giai đoạn của hệ thống",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="enrolment",
            name="current_step",
            field=models.CharField(blank=True, editable=False, max_length=20, verbose_name="bước hiện tại"),
        ),
        migrations.AlterField(
            model_name="fundingcap",
            name="legal_basis",
            field=models.CharField(
                blank=True, help_text="Văn bản quy định mức hoặc thời hạn này.", max_length=200, verbose_name="căn cứ"
            ),
        ),
        migrations.AlterField(
            model_name="historicalenrolment",
            name="current_step",
            field=models.CharField(blank=True, editable=False, max_length=20, verbose_name="bước hiện tại"),
        ),
        migrations.AlterField(
            model_name="historicalfundingcap",
            name="legal_basis",
            field=models.CharField(
                blank=True, help_text="Văn bản quy định mức hoặc thời hạn này.", max_length=200, verbose_name="căn cứ"
            ),
        ),
        migrations.AlterField(
            model_name="historicalphase",
            name="kind",
            field=models.CharField(
                choices=[
                    ("pilot", "Thí điểm"),
                    ("expansion", "Nhân rộng"),
                    ("extension", "Mở rộng phạm vi"),
                    ("conversion", "Chuyển đổi phiên bản"),
                    ("maintenance", "Duy trì"),
                ],
                max_length=12,
                verbose_name="loại giai đoạn",
            ),
        ),
        migrations.AlterField(
            model_name="historicalstep",
            name="kind",
            field=models.CharField(max_length=20, verbose_name="mã bước"),
        ),
        migrations.AlterField(
            model_name="phase",
            name="kind",
            field=models.CharField(
                choices=[
                    ("pilot", "Thí điểm"),
                    ("expansion", "Nhân rộng"),
                    ("extension", "Mở rộng phạm vi"),
                    ("conversion", "Chuyển đổi phiên bản"),
                    ("maintenance", "Duy trì"),
                ],
                max_length=12,
                verbose_name="loại giai đoạn",
            ),
        ),
        migrations.AlterField(
            model_name="step",
            name="kind",
            field=models.CharField(max_length=20, verbose_name="mã bước"),
        ),
        migrations.AddField(
            model_name="historicalperiodrule",
            name="history_user",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="historicalperiodrule",
            name="province",
            field=models.ForeignKey(
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
        migrations.AddField(
            model_name="historicalphasecapitem",
            name="history_user",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="historicalphasecapitem",
            name="province",
            field=models.ForeignKey(
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
        migrations.AddField(
            model_name="historicalsteptemplate",
            name="history_user",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="historicalsteptemplate",
            name="plan",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="rollout.rolloutplan",
                verbose_name="kế hoạch",
            ),
        ),
        migrations.AddField(
            model_name="historicalsteptemplate",
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
            model_name="historicalsteptemplateitem",
            name="history_user",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="periodrule",
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
            model_name="phasecapitem",
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
            model_name="steptemplate",
            name="copied_from",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="rollout.steptemplate",
                verbose_name="sao chép từ",
            ),
        ),
        migrations.AddField(
            model_name="steptemplate",
            name="plan",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="step_templates",
                to="rollout.rolloutplan",
                verbose_name="kế hoạch",
            ),
        ),
        migrations.AddField(
            model_name="steptemplate",
            name="province",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="step_templates",
                to="provinces.province",
                verbose_name="tỉnh",
            ),
        ),
        migrations.AddField(
            model_name="historicalsteptemplateitem",
            name="template",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="rollout.steptemplate",
                verbose_name="mẫu",
            ),
        ),
        migrations.AddField(
            model_name="historicalsteptemplate",
            name="copied_from",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="rollout.steptemplate",
                verbose_name="sao chép từ",
            ),
        ),
        migrations.AddField(
            model_name="enrolment",
            name="step_template",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="enrolments",
                to="rollout.steptemplate",
                verbose_name="mẫu các bước",
            ),
        ),
        migrations.AddField(
            model_name="historicalenrolment",
            name="step_template",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="rollout.steptemplate",
                verbose_name="mẫu các bước",
            ),
        ),
        migrations.AddField(
            model_name="steptemplateitem",
            name="template",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="items",
                to="rollout.steptemplate",
                verbose_name="mẫu",
            ),
        ),
        migrations.AddConstraint(
            model_name="periodrule",
            constraint=models.CheckConstraint(
                condition=models.Q(("months__gte", 1), ("months__lte", 60)),
                name="period_rule_months_valid",
                violation_error_message="Số tháng phải từ 1 đến 60.",
            ),
        ),
        migrations.AddConstraint(
            model_name="steptemplate",
            constraint=models.UniqueConstraint(
                django.db.models.functions.comparison.Coalesce("province", models.Value(0)),
                django.db.models.functions.comparison.Coalesce("plan", models.Value(0)),
                condition=models.Q(("archived_at__isnull", True)),
                name="step_template_one_in_use_per_owner",
                violation_error_message="Đã có một mẫu đang dùng cho nơi này.",
            ),
        ),
        migrations.AddConstraint(
            model_name="steptemplate",
            constraint=models.CheckConstraint(
                condition=models.Q(("plan__isnull", True), ("province__isnull", False), _connector="OR"),
                name="step_template_plan_has_province",
            ),
        ),
        migrations.AddConstraint(
            model_name="steptemplateitem",
            constraint=models.UniqueConstraint(
                fields=("template", "code"),
                name="step_template_item_code_once",
                violation_error_message="Mã bước bị trùng trong mẫu.",
            ),
        ),
        migrations.AddConstraint(
            model_name="steptemplateitem",
            constraint=models.UniqueConstraint(
                fields=("template", "order"),
                name="step_template_item_order_once",
                violation_error_message="Thứ tự bước bị trùng trong mẫu.",
            ),
        ),
        migrations.AddConstraint(
            model_name="steptemplateitem",
            constraint=models.CheckConstraint(
                condition=models.Q(("duration_days__gte", 1), ("duration_days__lte", 730)),
                name="step_template_item_duration_valid",
                violation_error_message="Thời gian của một bước từ 1 đến 730 ngày.",
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(add_no_overlap, remove_no_overlap),
    ]
