"""The quick start (`make run`, isotrack.settings.local) shows the site as its users get it:
the Vietnamese "not found" page rather than Django's English debug page, static files and
the site's icon served."""

import json
import os
import subprocess
import sys

from tests.production import ROOT

# Run in a process of its own: the suite's settings are already loaded in this one.
PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
answers = {}
for path in ("/khong-co-trang-nay/", "/favicon.ico", "/static/css/isotrack.css"):
    response = client.get(path)
    body = b"".join(response) if response.streaming else response.content
    answers[path] = [response.status_code, response.get("Content-Type", ""), body.decode("utf-8", "replace")[:3000]]
answers["debug"] = settings.DEBUG
print(json.dumps(answers))
"""


def quick_start_answers(tmp_path, **extra):
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_DEBUG"}
    env.update(
        DJANGO_SETTINGS_MODULE="isotrack.settings.local",
        DATABASE_URL="sqlite:///{}".format(tmp_path / "quick-start.sqlite3"),
        **extra,
    )
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_quick_start_answers_a_missing_page_with_the_vietnamese_not_found_page(tmp_path):
    answers = quick_start_answers(tmp_path)
    assert answers["debug"] is False
    status, content_type, body = answers["/khong-co-trang-nay/"]
    assert status == 404 and content_type.startswith("text/html")
    assert "Không tìm thấy trang" in body and '<html lang="vi">' in body
    assert "Page not found" not in body and "DEBUG = True" not in body


def test_the_quick_start_serves_static_files_and_the_icon(tmp_path):
    answers = quick_start_answers(tmp_path)
    status, content_type, _body = answers["/favicon.ico"]
    assert status == 200 and content_type == "image/x-icon"
    status, content_type, body = answers["/static/css/isotrack.css"]
    assert status == 200 and content_type.startswith("text/css") and ".late" in body


def test_developers_can_still_ask_for_the_debug_pages(tmp_path):
    assert quick_start_answers(tmp_path, DJANGO_DEBUG="true")["debug"] is True
