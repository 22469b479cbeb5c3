"""The funding caps of Circular 116/2015/TT-BTC, per agency, as rule data editable in the admin."""

from django.db import migrations

CAPS = [
    # item, level, performer, amount in VND
    ("build", "district", "consultant", 33_000_000),
    ("build", "district", "self", 40_000_000),
    ("extension", "district", "consultant", 20_000_000),
    ("extension", "district", "self", 25_000_000),
    # Commune level: 80% of the district level.
    ("build", "commune", "consultant", 26_400_000),
    ("build", "commune", "self", 32_000_000),
    ("extension", "commune", "consultant", 16_000_000),
    ("extension", "commune", "self", 20_000_000),
    ("maintenance", "district", "any", 15_000_000),
    ("maintenance", "commune", "any", 15_000_000),
]


def load(apps, schema_editor):
    FundingCap = apps.get_model("rollout", "FundingCap")
    for item, level, performer, amount in CAPS:
        FundingCap.objects.get_or_create(item=item, level=level, performer=performer, defaults={"amount": amount})


class Migration(migrations.Migration):
    dependencies = [("rollout", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
