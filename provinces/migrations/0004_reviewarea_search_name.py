from django.db import migrations, models

from isotrack.text import fold


def fold_area_names(apps, schema_editor):
    ReviewArea = apps.get_model("provinces", "ReviewArea")
    areas = list(ReviewArea.objects.all())
    for area in areas:
        area.search_name = fold(area.name)
    ReviewArea.objects.bulk_update(areas, ["search_name"])


class Migration(migrations.Migration):
    """Review areas get the folded name units have, so a commune search matches its area's name."""

    dependencies = [
        ("provinces", "0003_lineage_and_review_areas"),
    ]

    operations = [
        migrations.AddField(
            model_name="reviewarea",
            name="search_name",
            field=models.CharField(db_index=True, default="", editable=False, max_length=120),
            preserve_default=False,
        ),
        migrations.RunPython(fold_area_names, migrations.RunPython.noop),
    ]
