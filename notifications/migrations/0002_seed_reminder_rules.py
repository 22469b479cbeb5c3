"""The default reminder rules and send time; administrators change them in the admin."""

import datetime

from django.db import migrations

RULES = [
    # kind, lead days, repeat while overdue (days), escalate to leadership after (days), due month, due day
    ("step", "14, 7, 1", 7, 30, None, None),
    ("phase_end", "30, 14, 7", 0, None, None, None),
    ("audit", "30, 14, 7", 7, None, None, None),
    ("review", "30, 14, 7", 7, None, None, None),
    # Agencies' reports are consolidated in November; the province reports to the Ministry
    # before 15 December (Decision 19/2014/QĐ-TTg).
    ("report_nov", "14, 7, 1", 0, None, 11, 30),
    ("report_dec", "14, 7, 1", 0, None, 12, 15),
]


def seed(apps, schema_editor):
    ReminderRule = apps.get_model("notifications", "ReminderRule")
    ReminderSettings = apps.get_model("notifications", "ReminderSettings")
    for kind, leads, every, escalate, month, day in RULES:
        ReminderRule.objects.get_or_create(
            kind=kind,
            defaults=dict(
                lead_days=leads,
                overdue_every_days=every,
                escalate_after_days=escalate,
                due_month=month,
                due_day=day,
            ),
        )
    ReminderSettings.objects.get_or_create(pk=1, defaults={"send_time": datetime.time(7, 0)})


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
