#!/usr/bin/env bash
# Restore an archive of scripts/backup.sh: the database into DATABASE_URL, the uploaded files
# into MEDIA_ROOT.
#
#   DATABASE_URL=postgres://… bash scripts/restore.sh [--clean] ARCHIVE
#   make restore ARCHIVE=var/backups/isotrack-….tar [RESTORE_ARGS=--clean]
#
# Without --clean the database must hold no tables and MEDIA_ROOT no files, so a restore never
# mixes with data already there by mistake. With --clean the archive replaces them: the
# database's public schema is dropped and rebuilt from the archive, and MEDIA_ROOT is emptied.
# Stop everything that writes (web, worker, beat) first, and run `manage.py migrate` after: an
# archive made by an older version lacks the newer migrations.
#
# Steps:
# 1. Check the archive: its manifest, the dump's SHA-256, and that pg_restore can read the dump.
# 2. Restore the database in one transaction: if anything fails, the database is left as it was.
# 3. Put the uploaded files in MEDIA_ROOT.
#
# Environment: DATABASE_URL (required), MEDIA_ROOT (default var/media).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() { echo "[restore] ERROR: $*" >&2; exit 1; }
usage() { echo "usage: DATABASE_URL=postgres://… $0 [--clean] ARCHIVE" >&2; exit 2; }

clean=0
archive=""
for arg in "$@"; do
    case "$arg" in
        --clean) clean=1 ;;
        -h | --help) usage ;;
        -*) echo "[restore] unknown option $arg" >&2; usage ;;
        *) [ -z "$archive" ] || usage; archive="$arg" ;;
    esac
done
[ -n "$archive" ] || usage
[ -f "$archive" ] || die "no archive at $archive."
case "${DATABASE_URL:-}" in
    postgres://* | postgresql://*) ;;
    "") die "set DATABASE_URL=postgres://user:password@host:port/name (the database to restore into)." ;;
    *) die "DATABASE_URL is not a PostgreSQL URL (postgres://…)." ;;
esac
command -v pg_restore >/dev/null && command -v psql >/dev/null \
    || die "pg_restore and psql not found (Debian: apt-get install postgresql-client)."
media_root="${MEDIA_ROOT:-var/media}"

work="$(mktemp -d "${TMPDIR:-/tmp}/isotrack-restore.XXXXXXXX")"
trap 'rm -rf "$work"' EXIT

# 1. The archive.
tar -xf "$archive" -C "$work" manifest.txt database.dump \
    || die "$archive is not an isotrack backup (no manifest.txt and database.dump)."
expected="$(sed -n 's/^database.dump sha256: //p' "$work/manifest.txt")"
actual="$(sha256sum "$work/database.dump" | cut -d' ' -f1)"
[ -n "$expected" ] && [ "$expected" = "$actual" ] || die "database.dump does not match the SHA-256 of its manifest."
pg_restore --list "$work/database.dump" >/dev/null || die "pg_restore cannot read database.dump."
sed 's/^/[restore]   /' "$work/manifest.txt" >&2

# What is there already.
psql_() { psql -X -q -v ON_ERROR_STOP=1 --dbname="$DATABASE_URL" "$@"; }
tables="$(psql_ -tA -c "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'")" \
    || die "cannot connect to the database of DATABASE_URL."
files=0
[ -d "$media_root" ] && files="$(find "$media_root" -type f | wc -l)"
if [ "$clean" = 0 ] && { [ "$tables" != 0 ] || [ "$files" != 0 ]; }; then
    die "the database has $tables tables and $media_root $files files: restore into an empty database, or pass --clean to replace them."
fi

# 2. The database, all or nothing: COMMIT is sent only once pg_restore has written all of it;
#    psql stopping on an error, or reaching the end without COMMIT, rolls everything back.
echo "[restore] database …" >&2
{
    echo "BEGIN;"
    echo "SET client_min_messages = warning;"  # not one NOTICE per table dropped
    if [ "$clean" = 1 ]; then
        echo "DROP SCHEMA IF EXISTS public CASCADE;"
        echo "CREATE SCHEMA public;"
    fi
    pg_restore --no-owner --no-privileges --file=- "$work/database.dump"
    echo "COMMIT;"
} | psql_ >/dev/null

# 3. The uploaded files.
echo "[restore] uploaded files into $media_root …" >&2
mkdir -p "$media_root"
if [ "$clean" = 1 ]; then
    find "$media_root" -mindepth 1 -delete
fi
tar -xf "$archive" -C "$media_root" --strip-components=1 media
echo "[restore] done: $archive restored. Next: python manage.py migrate" >&2
