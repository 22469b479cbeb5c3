"""Production: the compose stack and the image (checked by reading: no Docker engine runs where the
tests do), the production settings in both TLS modes, and the site as gunicorn serves it."""

import os
import re
import runpy
import subprocess
import sys

import pytest
import yaml
from django.contrib import admin
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.urls import reverse

from tests.conftest import PASSWORD, make_user
from tests.production import HOST, ROOT, Gunicorn, production_env

LOGIN = "/tai-khoan/dang-nhap/"
ONE_YEAR = 365 * 24 * 60 * 60


# -- the stack and the image, by reading --------------------------------------------------------
@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def test_compose_file_defines_the_production_stack(services, compose):
    assert {"postgres", "redis", "init", "web", "worker", "beat", "backup"} <= set(services)
    assert "gunicorn.conf.py" in services["web"]["command"]
    assert "worker" in services["worker"]["command"] and "beat" in services["beat"]["command"]
    assert {"pgdata", "media", "backups"} <= set(compose["volumes"]), "data must live in named volumes"


def test_one_service_builds_the_image_the_others_run(services):
    builders = [name for name, service in services.items() if "build" in service]
    assert builders == ["init"]
    image = services["init"]["image"]
    for name in ("web", "worker", "beat", "backup"):
        assert services[name]["image"] == image, name


def test_init_migrates_and_loads_units_before_anything_else_starts(services):
    command = " ".join(services["init"]["command"])
    assert "migrate" in command and "load_units" in command
    assert services["init"]["restart"] == "no"
    assert services["init"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat", "backup"):
        assert services[name]["depends_on"]["init"]["condition"] == "service_completed_successfully", name


def test_every_long_running_service_has_a_health_check(services):
    for name, service in services.items():
        if name not in ("init", "buckets"):  # one-shots: compose waits for their exit status instead
            assert service.get("healthcheck", {}).get("test"), name
    assert "inspect ping" in services["worker"]["healthcheck"]["test"][1]
    assert "celerybeat-schedule" in services["beat"]["healthcheck"]["test"][1]


def test_compose_passes_the_tls_switch_and_keeps_uploads_and_backups_in_volumes(services):
    for name in ("init", "web", "worker", "beat", "backup"):
        assert "DJANGO_BEHIND_TLS" in services[name]["environment"], name
    assert "media:/app/var/media" in services["web"]["volumes"]
    assert {"media:/app/var/media", "backups:/app/var/backups"} <= set(services["backup"]["volumes"])
    assert "scripts/backup.sh" in " ".join(services["backup"]["command"])


def test_image_compiles_the_catalogue_in_a_build_stage_and_installs_the_project_once():
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.split(r"^FROM ", dockerfile, flags=re.M)[1:]
    assert len(stages) == 2, "a build stage and the image that runs"
    build, final = stages
    assert "gettext" in build and "compilemessages" in build and "collectstatic" in build
    assert "gettext" not in final, "msgfmt is needed only to build"
    assert "COPY --from=build /app /app" in final
    assert not re.search(r"pip install[^\n]*\s\.(\s|$)", dockerfile), "the project runs from /app, never pip-installed"
    assert "gunicorn.conf.py" in final and "postgresql-client" in final
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert not {"locale", "scripts", "gunicorn.conf.py", "templates", "static"} & set(ignored)


def test_compose_keeps_uploaded_files_in_a_private_versioned_bucket(services, compose):
    assert "objects" in compose["volumes"] and "objects:/data" in services["minio"]["volumes"]
    assert "ports" not in services["minio"], "the object store is reached through the application only"
    assert services["minio"]["healthcheck"]["test"]
    script = services["buckets"]["command"][0]
    assert "mc mb --ignore-existing" in script and "anonymous set none" in script and "version enable" in script
    assert services["buckets"]["depends_on"]["minio"]["condition"] == "service_healthy"
    for name in ("web", "worker", "backup"):
        environment = services[name]["environment"]
        assert {"AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} <= set(
            environment
        ), name
        assert services[name]["depends_on"]["buckets"]["condition"] == "service_completed_successfully", name


# -- gunicorn.conf.py -------------------------------------------------------------------------------
def gunicorn_config(monkeypatch, **env):
    for name in ("GUNICORN_WORKERS", "GUNICORN_THREADS", "GUNICORN_TIMEOUT", "GUNICORN_BIND"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_runs_several_workers_by_default(monkeypatch):
    config = gunicorn_config(monkeypatch)
    assert config["workers"] == 2 * len(os.sched_getaffinity(0)) + 1
    # One thread each (gunicorn's sync worker), chosen by measurement: gunicorn.conf.py.
    assert config["threads"] == 1 and "worker_class" not in config
    assert config["bind"] == "0.0.0.0:8000"


def test_gunicorn_workers_and_threads_come_from_the_environment(monkeypatch):
    config = gunicorn_config(monkeypatch, GUNICORN_WORKERS="3", GUNICORN_THREADS="4", GUNICORN_TIMEOUT="90")
    assert (config["workers"], config["threads"], config["timeout"]) == (3, 4, 90)
    with pytest.raises(ValueError, match="GUNICORN_WORKERS"):
        gunicorn_config(monkeypatch, GUNICORN_WORKERS="0")


# -- the production settings ------------------------------------------------------------------------
def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=production_env(**env), capture_output=True, text=True
    )


@pytest.mark.parametrize("behind_tls", ["true", "false"])
def test_production_settings_pass_the_deployment_checklist(behind_tls):
    result = manage("check", "--deploy", "--fail-level", "WARNING", DJANGO_BEHIND_TLS=behind_tls)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOWED_HOSTS", "DJANGO_BEHIND_TLS"])
def test_production_refuses_to_start_without_its_settings(missing):
    result = manage("check", **{missing: None})
    assert result.returncode != 0
    assert missing in result.stderr


@pytest.mark.parametrize(
    "env",
    [
        {"DJANGO_BEHIND_TLS": "yes please"},
        {"DJANGO_BEHIND_TLS": "true", "DJANGO_HSTS_PRELOAD": "maybe"},
        {"DJANGO_BEHIND_TLS": "true", "DJANGO_HSTS_PRELOAD": "true"},  # the preload list needs includeSubDomains
        {"DJANGO_SECURE_SSL_REDIRECT": "false"},  # replaced by DJANGO_BEHIND_TLS: never silently ignored
    ],
    ids=["misspelt switch", "misspelt preload", "preload alone", "old redirect switch"],
)
def test_production_refuses_a_doubtful_https_setting(env):
    result = manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def settings_value(name, **env):
    result = manage(
        "shell", "--no-imports", "-c", f"from django.conf import settings; print(repr(settings.{name}))", **env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_hsts_preload_and_subdomains_only_when_asked_for():
    assert settings_value("SECURE_HSTS_PRELOAD", DJANGO_BEHIND_TLS="true") == "False"
    assert (
        settings_value(
            "SECURE_HSTS_INCLUDE_SUBDOMAINS",
            DJANGO_BEHIND_TLS="true",
            DJANGO_HSTS_INCLUDE_SUBDOMAINS="true",
            DJANGO_HSTS_PRELOAD="true",
        )
        == "True"
    )


BUCKET = {
    "AWS_STORAGE_BUCKET_NAME": "isotrack",
    "AWS_S3_ENDPOINT_URL": "http://minio:9000",
    "AWS_ACCESS_KEY_ID": "isotrack",
    "AWS_SECRET_ACCESS_KEY": "mat-khau-minio",
}


def test_uploaded_files_go_to_the_bucket_when_one_is_named_and_to_media_root_otherwise():
    assert settings_value("STORAGES['default']['BACKEND']") == "'django.core.files.storage.FileSystemStorage'"
    assert settings_value("STORAGES['default']['BACKEND']", **BUCKET) == "'storages.backends.s3.S3Storage'"
    options = settings_value("STORAGES['default']['OPTIONS']", **BUCKET)
    assert "'default_acl': None" in options and "'endpoint_url': 'http://minio:9000'" in options
    assert "'addressing_style': 'path'" in options
    result = manage("check", **{**BUCKET, "AWS_SECRET_ACCESS_KEY": None})
    assert result.returncode != 0 and "AWS_SECRET_ACCESS_KEY" in result.stderr


# -- the site as gunicorn serves it -----------------------------------------------------------------
# Transactional (gunicorn reads what the test commits), so pytest-django runs these after the
# other tests; the two servers start once for all of them.
served = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def sites(django_db_setup, tmp_path_factory):
    """gunicorn with the production settings, one server per TLS mode, on the test database."""
    static = tmp_path_factory.mktemp("static")
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=production_env(STATIC_ROOT=str(static)),
        capture_output=True,
        text=True,
    )
    assert collected.returncode == 0, collected.stderr
    servers = {
        mode: Gunicorn(
            production_env(
                DJANGO_BEHIND_TLS=behind_tls, STATIC_ROOT=str(static), GUNICORN_WORKERS="1", GUNICORN_THREADS="2"
            ),
            tmp_path_factory.mktemp(mode) / "gunicorn.log",
        )
        for mode, behind_tls in (("intranet", "false"), ("tls", "true"))
    }
    try:
        for server in servers.values():
            server.start()
        yield {mode: server.wait_until_up() for mode, server in servers.items()}
    finally:
        for server in servers.values():
            server.stop()


def production_user(username, **fields):
    """A user whose password the production settings can check (the suite's own hasher is MD5, which
    production does not accept); few iterations, for speed."""
    hasher = PBKDF2PasswordHasher()
    user = make_user(username, **fields)
    user.password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    user.save(update_fields=["password"])
    return user


def sign_in(site, username, headers):
    """The sign-in form as a browser fills it: the page, its CSRF token and cookie, then the POST."""
    page = site.request("GET", LOGIN, headers=headers)
    assert page.status == 200, page.text[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    body = f"csrfmiddlewaretoken={token}&username={username}&password={PASSWORD}"
    response = site.request(
        "POST",
        LOGIN,
        body=body,
        cookies=page.cookies,
        headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
    )
    return page, response


@served
def test_intranet_mode_signs_in_over_plain_http(sites):
    site = sites["intranet"]
    production_user("canbo_so", first_name="Hoa")
    page, response = sign_in(site, "canbo_so", headers={})
    assert "Strict-Transport-Security" not in page.headers
    assert not page.cookies["csrftoken"]["secure"]
    assert response.status == 302, response.text[:500]
    assert response.headers["Location"] == "/"
    session = response.cookies["sessionid"]
    assert not session["secure"] and session["httponly"]
    home = site.request("GET", "/", cookies=response.cookies)
    assert home.status == 200 and "Hoa" in home.text
    # Without TLS a client's X-Forwarded-Proto is not believed.
    claimed = site.request("GET", LOGIN, headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in claimed.headers


@served
def test_behind_tls_mode_signs_in_over_https_through_the_proxy(sites):
    site = sites["tls"]
    production_user("canbo_so", first_name="Hoa")
    plain = site.request("GET", LOGIN)
    assert plain.status == 301 and plain.headers["Location"] == f"https://{HOST}{LOGIN}"
    assert site.request("GET", "/healthz/").status == 200, "the container's health check speaks plain HTTP"

    proxied = {"X-Forwarded-Proto": "https", "Origin": f"https://{HOST}"}
    page, response = sign_in(site, "canbo_so", headers=proxied)
    assert page.headers["Strict-Transport-Security"] == f"max-age={ONE_YEAR}"  # neither preload nor subdomains
    assert page.cookies["csrftoken"]["secure"]
    assert response.status == 302, response.text[:500]
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    home = site.request("GET", "/", headers=proxied, cookies=response.cookies)
    assert home.status == 200 and "Hoa" in home.text


@served
def test_site_serves_the_english_catalogue(sites):
    site = sites["intranet"]
    vietnamese = site.request("GET", LOGIN)
    assert '<html lang="vi"' in vietnamese.text and "Đăng nhập" in vietnamese.text
    for headers in ({"Accept-Language": "en"}, {"Cookie": "django_language=en"}):
        english = site.request("GET", LOGIN, headers=headers)
        assert english.status == 200
        assert '<html lang="en"' in english.text and ">Sign in</h1>" in english.text, headers
        assert "Đăng nhập" not in english.text


# -- the admin ----------------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    "model", sorted(admin.site._registry, key=lambda m: m._meta.label), ids=lambda m: m._meta.label
)
def test_every_admin_changelist_opens(admin_client, model, lamdong_pilot):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["rollout_step", "rollout_enrolment"])
def test_admin_changelists_do_not_query_per_row(
    admin_client, lamdong_pilot, lam_ha, django_assert_max_num_queries, name
):
    from provinces.models import Commune
    from tests.conftest import enrol_communes

    url = reverse(f"admin:{name}_changelist")
    # 12, and the data version and the user's roles, read again after a change (accounts.scope)
    with django_assert_max_num_queries(13):
        admin_client.get(url)
    already = lamdong_pilot.enrolments.values_list("commune", flat=True)
    enrol_communes(lamdong_pilot, Commune.objects.filter(district=lam_ha).exclude(pk__in=already)[:10])
    with django_assert_max_num_queries(13):
        admin_client.get(url)


def test_pages_go_compressed_to_a_browser_that_asks(client, leader_lamdong, lamdong_pilot):
    """GZipMiddleware: a dashboard (tens of KB of figures and links) travels compressed to a
    browser that accepts gzip, and whole to a client that does not."""
    import gzip

    client.force_login(leader_lamdong)
    plain = client.get("/tong-quan/")
    packed = client.get("/tong-quan/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain and packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    page = gzip.decompress(packed.content).decode()
    assert "Tổng quan triển khai ISO 9001" in page
    assert len(packed.content) * 3 < len(plain.content)
