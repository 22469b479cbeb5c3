"""Backup and restore (scripts/backup.sh, scripts/restore.sh) on the suite's PostgreSQL server.

The tests with a rollout are transactional, since the scripts read what the test has committed:
pytest-django runs them after the other tests and empties every table after each, so they load
the unit list again when it is gone.
"""

import datetime
import os
import subprocess
from io import StringIO

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from provinces.models import Province
from rollout import actions
from tests.production import ROOT, database_url

committed = pytest.mark.django_db(transaction=True)
RESTORED = "isotrack_restored"


@pytest.fixture
def units(transactional_db):
    if not Province.objects.exists():
        call_command("load_units", verbosity=0, stdout=StringIO())


@pytest.fixture
def rollout(units, lamdong_pilot, dost_lamdong, officer_lamha):
    """The Lâm Đồng pilot with history: Lâm Hà's first commune has recorded and confirmed two steps."""
    enrolment = lamdong_pilot.enrolments.filter(commune__district__short_name="Lâm Hà").order_by("pk").first()
    for step in list(enrolment.steps.order_by("order"))[:2]:
        actions.record_step(
            step, done_on=datetime.date(2018, 4, step.order), evidence=f"Biên bản {step.order}/BB", by=dost_lamdong
        )
        actions.review_step(step, by=officer_lamha, confirm=True)
    return lamdong_pilot


@pytest.fixture
def restored_database():
    """An empty database on the suite's server, dropped afterwards."""

    def drop():
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{RESTORED}" WITH (FORCE)')

    drop()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{RESTORED}"')
    yield database_url(RESTORED)
    drop()


@pytest.fixture
def media(tmp_path):
    """Uploaded files as Django's file storage keeps them, names with Vietnamese letters included."""
    root = tmp_path / "media"
    (root / "minh-chung" / "2018").mkdir(parents=True)
    (root / "minh-chung" / "2018" / "biên-bản-khảo-sát.pdf").write_bytes(b"%PDF-1.4 evidence\n")
    (root / "quyết-định.pdf").write_bytes(b"%PDF-1.4 decision\n")
    return root


def run(script, *args, **env):
    inherited = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DATABASE_URL", "MEDIA_ROOT", "BACKUP_DIR", "BACKUP_KEEP")
    }
    return subprocess.run(
        ["bash", f"scripts/{script}", *args], cwd=ROOT, env={**inherited, **env}, capture_output=True, text=True
    )


def backup(tmp_path, media):
    result = run("backup.sh", DATABASE_URL=database_url(), MEDIA_ROOT=str(media), BACKUP_DIR=str(tmp_path / "backups"))
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def table_contents(url):
    """Every table of the public schema: its row count and a digest of all its rows; and each
    sequence's position (so that new rows after a restore get new ids)."""
    with psycopg2.connect(url) as db, db.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [name for (name,) in cursor.fetchall()]
        contents = {}
        for table in tables:
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM \"{table}\" t"
            )
            contents[table] = cursor.fetchone()
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
        contents["sequences"] = sorted(cursor.fetchall())
    return contents


def files_under(root):
    return {path.relative_to(root): path.read_bytes() for path in root.rglob("*") if path.is_file()}


@committed
def test_backup_restores_every_record_and_its_history_into_a_new_database(rollout, tmp_path, media, restored_database):
    archive = backup(tmp_path, media)
    assert archive.startswith(str(tmp_path / "backups" / "isotrack-")) and archive.endswith(".tar")

    restored_media = tmp_path / "restored-media"
    result = run("restore.sh", archive, DATABASE_URL=restored_database, MEDIA_ROOT=str(restored_media))
    assert result.returncode == 0, result.stderr

    original, restored = table_contents(database_url()), table_contents(restored_database)
    assert restored == original
    # Not an empty comparison: the rollout and its history are there.
    assert original["rollout_enrolment"][0] == 5 and original["rollout_step"][0] == 40
    for history in ("rollout_historicalenrolment", "rollout_historicalstep", "rollout_historicalphase"):
        assert original[history][0] > 0, history
    assert original["rollout_historicalstep"][0] > original["rollout_step"][0]  # recorded, then confirmed
    assert files_under(restored_media) == files_under(media) and len(files_under(media)) == 2


@committed
def test_restore_refuses_a_database_in_use_unless_asked_to_replace_it(rollout, tmp_path, media, restored_database):
    archive = backup(tmp_path, media)
    restored_media = tmp_path / "restored-media"
    env = {"DATABASE_URL": restored_database, "MEDIA_ROOT": str(restored_media)}
    assert run("restore.sh", archive, **env).returncode == 0
    with psycopg2.connect(restored_database) as db, db.cursor() as cursor:
        cursor.execute("DELETE FROM rollout_historicalstep")
    (restored_media / "written-after.pdf").write_bytes(b"%PDF-1.4 later\n")

    refused = run("restore.sh", archive, **env)
    assert refused.returncode != 0 and "--clean" in refused.stderr
    assert table_contents(restored_database)["rollout_historicalstep"][0] == 0

    replaced = run("restore.sh", "--clean", archive, **env)
    assert replaced.returncode == 0, replaced.stderr
    assert table_contents(restored_database) == table_contents(database_url())
    assert files_under(restored_media) == files_under(media)


@pytest.mark.django_db
def test_backup_keeps_only_the_newest_archives_when_asked(tmp_path, media):
    backups = tmp_path / "backups"
    backups.mkdir()
    for stamp in ("20260101-000000Z", "20260102-000000Z", "20260103-000000Z"):
        (backups / f"isotrack-{stamp}.tar").write_bytes(b"")
    result = run(
        "backup.sh", DATABASE_URL=database_url(), MEDIA_ROOT=str(media), BACKUP_DIR=str(backups), BACKUP_KEEP="2"
    )
    assert result.returncode == 0, result.stderr
    kept = sorted(path.name for path in backups.iterdir())
    assert kept == ["isotrack-20260103-000000Z.tar", result.stdout.strip().rsplit("/", 1)[1]]


def test_backup_refuses_a_database_that_is_not_postgresql(tmp_path, media):
    result = run(
        "backup.sh",
        DATABASE_URL="sqlite:///var/db.sqlite3",
        MEDIA_ROOT=str(media),
        BACKUP_DIR=str(tmp_path / "backups"),
    )
    assert result.returncode != 0 and "PostgreSQL" in result.stderr
    assert not (tmp_path / "backups").exists() or not any((tmp_path / "backups").iterdir())
