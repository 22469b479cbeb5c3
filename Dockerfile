# syntax=docker/dockerfile:1
# isotrack — production image: gunicorn on 0.0.0.0:8000 (gunicorn.conf.py), static files and
# the English catalogue prepared at build time, pg_dump/pg_restore for backups.
#
# Debian 12 (bookworm) because its postgresql-client is version 15, the same as the database
# server of docker-compose.yml: pg_dump and pg_restore then match the server they talk to.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# -- build: dependencies, compiled catalogue, collected static files ------------------------
FROM ${PYTHON_IMAGE} AS build

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH

# GNU gettext's msgfmt compiles locale/*/LC_MESSAGES/django.po; only this stage needs it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/*

# Dependencies first (pinned in pyproject.toml) so code changes reuse this layer. The project
# itself is not pip-installed: it runs from /app, where its templates, static files and
# catalogue are.
RUN python -m venv /opt/venv
WORKDIR /app
COPY pyproject.toml ./
COPY requirements/data.txt requirements/data.txt
# requirements/data.txt: official unit data read as files, installed without its parser's
# dependencies (see provinces/sources.py).
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml','rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && pip install --no-deps -r requirements/data.txt \
 && rm /tmp/requirements.txt

COPY . .

# Production settings insist on these variables; the values exist only for this step.
RUN export DJANGO_SETTINGS_MODULE=isotrack.settings.production \
        DJANGO_SECRET_KEY=build-only \
        DATABASE_URL=sqlite:////tmp/build.sqlite3 \
        DJANGO_ALLOWED_HOSTS=localhost \
        DJANGO_BEHIND_TLS=false \
        REDIS_URL=redis://localhost:6379/0 \
 && python manage.py compilemessages \
 && test -s locale/en/LC_MESSAGES/django.mo \
 && python manage.py collectstatic --noinput \
 && rm -f /tmp/build.sqlite3

# -- the image that runs: web, worker, beat, init and backup ---------------------------------
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=isotrack.settings.production \
    MEDIA_ROOT=/app/var/media \
    BACKUP_DIR=/app/var/backups

RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1000 app \
 && useradd --system --uid 1000 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app

# Uploaded files and backups live in volumes mounted here; a new volume takes this ownership.
RUN mkdir -p /app/var/media /app/var/backups \
 && chown -R app:app /app/var

USER app

EXPOSE 8000

CMD ["gunicorn", "isotrack.wsgi:application", "--config", "gunicorn.conf.py"]
