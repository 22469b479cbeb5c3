"""On PostgreSQL, a code may not belong to two units whose validity periods overlap.

SQLite (the quick start) has no exclusion constraints; there the model's clean() and the
loader check the same rule, and the partial unique constraint covers units still in force.
"""

from django.db import migrations

TABLES = ("provinces_province", "provinces_district", "provinces_commune")


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for table in TABLES:
        schema_editor.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {table}_code_no_overlap "
            f"EXCLUDE USING gist (code WITH =, daterange(valid_from, valid_until, '[)') WITH &&)"
        )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {table}_code_no_overlap")


class Migration(migrations.Migration):
    dependencies = [("provinces", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
