#!/usr/bin/env bash
# Back up isotrack: the PostgreSQL database and the uploaded files, in one archive.
#
#   DATABASE_URL=postgres://… bash scripts/backup.sh        (or `make backup`)
#
# Writes $BACKUP_DIR/isotrack-YYYYMMDD-HHMMSSZ.tar (UTC time of the backup) holding
#   database.dump   pg_dump in its custom format (compressed; pg_restore reads it)
#   media/          every file under MEDIA_ROOT (uploaded evidence), as stored
#   manifest.txt    when, from which database, the dump's SHA-256 and the number of files
# and prints its path. The archive appears only once complete (written under a temporary name,
# then renamed), so a crash never leaves a half archive that looks whole.
#
# Environment:
#   DATABASE_URL  postgres://user:password@host:port/name (required)
#   MEDIA_ROOT    uploaded files (default var/media; may be missing or empty)
#   BACKUP_DIR    where archives go (default var/backups)
#   BACKUP_KEEP   when set, only the newest N archives are kept
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() { echo "[backup] ERROR: $*" >&2; exit 1; }

case "${DATABASE_URL:-}" in
    postgres://* | postgresql://*) ;;
    "") die "set DATABASE_URL=postgres://user:password@host:port/name (the database to back up)." ;;
    *) die "DATABASE_URL is not a PostgreSQL URL (postgres://…); only PostgreSQL is backed up." ;;
esac
command -v pg_dump >/dev/null || die "pg_dump not found (Debian: apt-get install postgresql-client)."

media_root="${MEDIA_ROOT:-var/media}"
backup_dir="${BACKUP_DIR:-var/backups}"
mkdir -p "$backup_dir"

stamp="$(date -u +%Y%m%d-%H%M%SZ)"
archive="$backup_dir/isotrack-$stamp.tar"
[ ! -e "$archive" ] || die "$archive already exists."

work="$(mktemp -d "${TMPDIR:-/tmp}/isotrack-backup.XXXXXXXX")"
trap 'rm -rf "$work" "$archive.partial"' EXIT

echo "[backup] pg_dump …" >&2
pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$work/database.dump"

media_files=0
if [ -d "$media_root" ]; then
    media_files="$(find "$media_root" -type f | wc -l)"
else
    media_root="$work/media"  # nothing uploaded yet: an empty media/ all the same
    mkdir -p "$media_root"
fi
{
    echo "isotrack backup"
    echo "created: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    # The URL without its password.
    echo "database: $(echo "$DATABASE_URL" | sed -E 's#(://[^:/@]*):[^@]*@#\1@#')"
    echo "pg_dump: $(pg_dump --version)"
    echo "database.dump sha256: $(sha256sum "$work/database.dump" | cut -d' ' -f1)"
    echo "media files: $media_files"
} >"$work/manifest.txt"

# The uploaded files straight from MEDIA_ROOT (no copy), named media/… inside the archive.
tar -cf "$archive.partial" -C "$work" manifest.txt database.dump
tar -rf "$archive.partial" -C "$media_root" --transform 's,^\.,media,S' .
mv "$archive.partial" "$archive"
echo "[backup] $archive ($(du -h "$archive" | cut -f1), $media_files uploaded files)" >&2

if [ -n "${BACKUP_KEEP:-}" ]; then
    # Names sort by time; drop all but the newest BACKUP_KEEP.
    find "$backup_dir" -maxdepth 1 -name 'isotrack-*.tar' | sort -r | tail -n +"$((BACKUP_KEEP + 1))" |
        while read -r old; do
            rm -f "$old"
            echo "[backup] removed $old (BACKUP_KEEP=$BACKUP_KEEP)" >&2
        done
fi
echo "$archive"
