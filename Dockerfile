# syntax=docker/dockerfile:1
# isotrack — production image: gunicorn on 0.0.0.0:8000, static files
# collected at build time and served by WhiteNoise.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=isotrack.settings.production

WORKDIR /app

RUN groupadd --system --gid 1000 app \
 && useradd --system --uid 1000 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

# Dependencies first (pinned in pyproject.toml) so code changes reuse this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml','rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

# The project itself.
COPY . .
RUN pip install --no-deps .

# Static files at build time. Production settings insist on these variables;
# the values below exist only for this step and are not kept in the image.
RUN DJANGO_SECRET_KEY=collectstatic-only \
    DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    DJANGO_ALLOWED_HOSTS=localhost \
    REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput \
 && rm -f /tmp/collectstatic.sqlite3 \
 && mkdir -p /app/var \
 && chown app:app /app/var

USER app

EXPOSE 8000

CMD ["gunicorn", "isotrack.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--error-logfile", "-"]
