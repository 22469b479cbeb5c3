"""The benchmark driver: `python -m bench.run` (scripts/bench.sh calls it after building the data).

1. Finds the dataset's ids (Lâm Đồng, Lâm Hà, a commune, a plan) and signs the users in by
   creating their sessions in the database (the site is served over plain HTTP on loopback,
   so the cookie is sent by hand).
2. Starts gunicorn (2 workers, production settings, bench.wsgi adding Server-Timing and
   X-Bench-Queries) on a free port of 127.0.0.1.
3. Measures each page of bench.pages: server and client time (median, p95), queries, ratio
   to the /healthz/ floor, bytes of a first load; throughput under bounded concurrent load;
   then the reminder job (time, queries, second run sends nothing).
4. Prints the table, writes bench/results.json (comparing with the previous one) and the
   README section between <!-- bench:start --> and <!-- bench:end -->.
"""

import argparse
import datetime
import gzip
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
README = ROOT / "README.md"
START_MARK, END_MARK = "<!-- bench:start -->", "<!-- bench:end -->"


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# -- HTTP ---------------------------------------------------------------------------------------------
class Client:
    def __init__(self, port):
        self.port = port

    def get(self, path, cookie=None, gzip_ok=False, timeout=120):
        """`cookie`: a session key, or an API token ("isk_…", sent as Authorization: Bearer)."""
        headers = {"Host": f"127.0.0.1:{self.port}", "User-Agent": "isotrack-bench"}
        if cookie and cookie.startswith("isk_"):
            headers["Authorization"] = f"Bearer {cookie}"
        elif cookie:
            headers["Cookie"] = f"sessionid={cookie}"
        if gzip_ok:
            headers["Accept-Encoding"] = "gzip"
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
        elapsed_ms = (time.perf_counter() - started) * 1000
        timing = response.getheader("Server-Timing", "")
        match = re.search(r"app;dur=([0-9.]+)", timing)
        sql = re.search(r"sql;dur=([0-9.]+)", timing)
        queries = response.getheader("X-Bench-Queries")
        slowest = response.getheader("X-Bench-Slowest", "")
        return {
            "status": response.status,
            "client_ms": elapsed_ms,
            "server_ms": float(match.group(1)) if match else None,
            "sql_ms": float(sql.group(1)) if sql else None,
            "slowest_query": _slowest(slowest),
            "queries": int(queries) if queries is not None else None,
            "body": body,
            "encoding": response.getheader("Content-Encoding", ""),
            "content_type": response.getheader("Content-Type", ""),
            "location": response.getheader("Location", ""),
        }


def _slowest(header):
    if not header:
        return None
    ms, _, sql = header.partition(" ")
    return {"ms": float(ms), "sql": urllib.parse.unquote(sql)}


def percentile(values, share):
    values = sorted(values)
    if not values:
        return None
    index = min(len(values) - 1, max(0, round(share * (len(values) - 1))))
    return values[index]


# -- assets of a page -------------------------------------------------------------------------------
class _AssetParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.assets = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and "stylesheet" in (attrs.get("rel") or "") and attrs.get("href"):
            self.assets.append(attrs["href"])
        elif tag == "link" and (attrs.get("rel") or "") in ("preload", "icon") and attrs.get("href"):
            self.assets.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.assets.append(attrs["src"])
        elif tag == "img" and attrs.get("src") and not attrs["src"].startswith("data:"):
            self.assets.append(attrs["src"])


def first_load(client, path, html_response, cookie=None):
    """Bytes on the wire (bodies, compressed as served) of a page and what it references:
    stylesheets, scripts, images, and the fonts/images its stylesheets use."""
    items = [{"url": path, "bytes": len(html_response["body"]), "encoding": html_response["encoding"] or "identity"}]
    html = html_response["body"]
    if html_response["encoding"] == "gzip":
        html = gzip.decompress(html)
    parser = _AssetParser()
    parser.feed(html.decode("utf-8", "replace"))
    queue = [urllib.parse.urljoin(path, a) for a in parser.assets]
    seen = set()
    while queue:
        url = queue.pop(0)
        parsed = urllib.parse.urlparse(url)
        if parsed.netloc and parsed.netloc not in (f"127.0.0.1:{client.port}",):
            items.append({"url": url, "bytes": 0, "encoding": "external (not fetched)"})
            continue
        local = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        if local in seen:
            continue
        seen.add(local)
        response = client.get(local, cookie=cookie, gzip_ok=True)
        items.append(
            {
                "url": local,
                "bytes": len(response["body"]),
                "encoding": response["encoding"] or "identity",
                "status": response["status"],
            }
        )
        if "css" in response["content_type"]:
            text = response["body"]
            if response["encoding"] == "gzip":
                text = gzip.decompress(text)
            for ref in re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", text.decode("utf-8", "replace")):
                if not ref.startswith("data:"):
                    queue.append(urllib.parse.urljoin(local, ref))
    return {"total_bytes": sum(i["bytes"] for i in items), "items": items}


# -- the server ----------------------------------------------------------------------------------------
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn as production runs it (`gunicorn.conf.py`), serving bench.wsgi on 127.0.0.1.

    `workers`/`threads` None: the production defaults of gunicorn.conf.py."""

    def __init__(self, log_path, workers=None, threads=None):
        self.port = free_port()
        self.workers = workers
        self.threads = threads
        self.log_path = log_path
        self.process = None

    def __enter__(self):
        env = dict(
            os.environ,
            BENCH="1",
            DJANGO_SETTINGS_MODULE="isotrack.settings.production",
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            GUNICORN_TIMEOUT="300",
        )
        if self.workers:
            env["GUNICORN_WORKERS"] = str(self.workers)
        if self.threads:
            env["GUNICORN_THREADS"] = str(self.threads)
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn),
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "bench.wsgi:application",
            "--error-logfile",
            str(self.log_path),
            "--access-logfile",
            "/dev/null",
            "--log-level",
            "warning",
        ]
        log(f"gunicorn on 127.0.0.1:{self.port} ({self.describe()}), log {self.log_path}")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        client = Client(self.port)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}); see {self.log_path}")
            try:
                if client.get("/healthz/", timeout=5)["status"] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz/ within 60 s")

    def describe(self):
        return f"{self.workers or 'default'} workers × {self.threads or 'default'} threads (gunicorn.conf.py)"

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def server_settings(workers=None, threads=None):
    """The workers and threads gunicorn.conf.py gives for these overrides (what the bench served with)."""
    import runpy

    saved = {k: os.environ.get(k) for k in ("GUNICORN_WORKERS", "GUNICORN_THREADS")}
    try:
        for key, value in (("GUNICORN_WORKERS", workers), ("GUNICORN_THREADS", threads)):
            if value:
                os.environ[key] = str(value)
        config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return {"workers": config["workers"], "threads": config["threads"]}


# -- Django side -----------------------------------------------------------------------------------------
def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def targets():
    """Ids (and users) the pages need, from the dataset: today's Lâm Đồng and the largest province
    of today, the Lâm Hà review area and its officer, Lâm Đồng's plan of today, and a commune of
    today's Lâm Đồng that carried over its predecessors' work (announced again, if one has)."""
    from provinces.editions import TWO_TIER
    from provinces.models import Province, ReviewArea
    from rollout.choices import Status
    from rollout.models import Enrolment, RolloutPlan

    from django.utils.timezone import localdate

    from .pages import AREA_OFFICER, LAM_DONG, LAM_HA, LARGEST

    today = Province.objects.of_edition(TWO_TIER)
    lam_dong = today.get(code=LAM_DONG)
    largest = today.get(code=LARGEST)
    lam_ha = ReviewArea.objects.filter(province=lam_dong, name=LAM_HA).first()
    plan = RolloutPlan.objects.filter(province=lam_dong).order_by("-issued_on", "pk").first()
    carried = Enrolment.objects.filter(plan__province=lam_dong, carried_from__isnull=False).distinct()
    enrolment = (
        carried.filter(status__in=[Status.MAINTAINING, Status.ANNOUNCED]).order_by("commune__code").first()
        or carried.order_by("commune__code").first()
        or Enrolment.objects.filter(plan__province=lam_dong).order_by("commune__code").first()
    )
    return {
        "lam_dong": lam_dong.pk,
        "largest": largest.pk,
        "lam_ha": lam_ha.pk if lam_ha else 0,
        "lam_ha_officer": AREA_OFFICER,
        "plan": plan.pk if plan else 0,
        "commune": enrolment.commune_id if enrolment else 0,
        "last_year": localdate().year - 1,
    }


def page_user(page, ids):
    """The username a page is opened by (placeholders filled from the dataset), or None."""
    return page["user"].format(**ids) if page.get("user") else None


def sessions_for(username, count):
    """`count` distinct signed-in sessions of `username`, as `count` people of one office would have."""
    return [session_for(username, index) for index in range(count)]


def session_for(username, index=0, cache={}):
    """A signed-in session of `username`, created directly in the session store."""
    if (username, index) in cache:
        return cache[(username, index)]
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model

    user = get_user_model().objects.get(username=username)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    cache[(username, index)] = store.session_key
    return store.session_key


def token_for(username, cache={}):
    """A read-only API token of `username`, created through the API's action as its page does."""
    if username not in cache:
        from django.contrib.auth import get_user_model

        from api.actions import create_token

        user = get_user_model().objects.get(username=username)
        cache[username] = create_token(user, name=f"bench {time.time_ns()}", kind="read")[1]
    return cache[username]


def credential(username, token):
    """What signs a page's user in: an API token for an API page, else a session."""
    return token_for(username) if token else session_for(username)


def resolve(page, ids):
    """The path of a page, or None when its URL name does not reverse (not built yet).

    `url_name` may be a list of alternatives (the first that reverses wins), and so may `args`.
    """
    from django.urls import NoReverseMatch, reverse

    def fill(value):
        return str(value).format(**ids)

    names = page["url_name"] if isinstance(page["url_name"], (list, tuple)) else [page["url_name"]]
    for name in names:
        for args in page.get("args", [[]]):
            try:
                path = reverse(name, args=[fill(a) for a in args])
            except NoReverseMatch:
                continue
            query = list(page.get("query", []))
            if not args and page.get("query_if_no_args"):
                query += page["query_if_no_args"]
            if query:
                path += "?" + urllib.parse.urlencode([(k, fill(v)) for k, v in query])
            return path
    return None


def dataset_summary():
    from django.contrib.auth import get_user_model
    from django.db import connection

    from provinces.editions import PRE_2025, TWO_TIER
    from provinces.models import Commune, ReviewArea
    from rollout.models import Announcement, Enrolment, Expenditure, RolloutPlan, Step

    def enrolled(edition):
        return Enrolment.objects.filter(**edition.unit_filter("commune__")).values("commune").distinct().count()

    counts = {
        "plans": RolloutPlan.objects.count(),
        "plans_open": RolloutPlan.objects.filter(closed_on__isnull=True).count(),
        "enrolled_communes": Enrolment.objects.values("commune").distinct().count(),
        "enrolled_pre_2025": enrolled(PRE_2025),
        "enrolled_today": enrolled(TWO_TIER),
        "carried_over": Enrolment.objects.filter(carried_from__isnull=False).distinct().count(),
        "communes_in_db": Commune.objects.count(),
        "communes_today": Commune.objects.of_edition(TWO_TIER).count(),
        "review_areas": ReviewArea.objects.count(),
        "steps": Step.objects.count(),
        "announcements": Announcement.objects.count(),
        "expenditures": Expenditure.objects.count(),
        "step_history_rows": Step.history.count(),
        "enrolment_history_rows": Enrolment.history.count(),
        "users": get_user_model().objects.count(),
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        counts["database_mb"] = round(cursor.fetchone()[0] / 1024 / 1024)
    return counts


def dashboard_build(ids, rounds=15):
    """Median time of a province dashboard's build without its cache (reports.views.build_dashboard,
    in this process, on the same database), for the largest province of today and Lâm Đồng."""
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.utils import timezone

    from provinces.models import Province
    from reports.views import build_dashboard

    from .dataset import leader_username
    from .pages import DASHBOARD_BUILD_BUDGET_MS, LAM_DONG, LARGEST

    result = {"budget_ms": DASHBOARD_BUILD_BUDGET_MS, "provinces": {}}
    today = timezone.localdate()
    for code, key in ((LARGEST, "largest"), (LAM_DONG, "lam_dong")):
        province = Province.objects.get(pk=ids[key])
        user = get_user_model().objects.get(username=leader_username(code))
        build_dashboard(user, province, None, today)  # warm: the scope, the content types, the plan cache
        samples, queries = [], 0
        for _ in range(rounds):
            calls = [0]

            def count(execute, sql, params, many, context):
                calls[0] += 1
                return execute(sql, params, many, context)

            started = time.perf_counter()
            with connection.execute_wrapper(count):
                build_dashboard(user, province, None, today)
            samples.append((time.perf_counter() - started) * 1000)
            queries = calls[0]
        reset_queries()
        result["provinces"][key] = {
            "label": province.name,
            "median_ms": round(statistics.median(samples), 2),
            "queries": queries,
        }
    return result


# -- measurements ------------------------------------------------------------------------------------------
def measure_page(client, path, cookie, requests, max_seconds, warmup):
    # Asked for as a browser does, accepting gzip: the server time includes compressing the page.
    for _ in range(warmup):
        client.get(path, cookie=cookie, gzip_ok=True)
    samples = []
    started = time.monotonic()
    for _ in range(requests):
        samples.append(client.get(path, cookie=cookie, gzip_ok=True))
        if len(samples) >= 5 and time.monotonic() - started > max_seconds:
            break
    statuses = sorted({s["status"] for s in samples})
    server = [s["server_ms"] for s in samples if s["server_ms"] is not None]
    client_ms = [s["client_ms"] for s in samples]
    queries = [s["queries"] for s in samples if s["queries"] is not None]
    sql_ms = [s["sql_ms"] for s in samples if s["sql_ms"] is not None]
    slowest = max((s["slowest_query"] for s in samples if s["slowest_query"]), key=lambda q: q["ms"], default=None)
    return {
        "n": len(samples),
        "statuses": statuses,
        "server_ms": {"median": round(statistics.median(server), 2), "p95": round(percentile(server, 0.95), 2)}
        if server
        else None,
        "client_ms": {"median": round(statistics.median(client_ms), 2), "p95": round(percentile(client_ms, 0.95), 2)},
        "sql_ms": {"median": round(statistics.median(sql_ms), 2)} if sql_ms else None,
        "slowest_query": slowest,
        "queries": max(queries) if queries else None,
        "queries_min": min(queries) if queries else None,
        "html_bytes": len(samples[-1]["body"]),
        "last": samples[-1],
    }


def load_test(client, path, cookies, concurrency, seconds):
    """`concurrency` threads requesting `path` back to back for `seconds`, each with its own session
    (`cookies`, one per thread, or None); each request on a new connection."""
    latencies, errors, lock = [], [0], threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(cookie):
        while time.monotonic() < stop_at:
            try:
                result = client.get(path, cookie=cookie, gzip_ok=True)
                ok = result["status"] == 200
            except OSError:
                ok, result = False, None
            with lock:
                if ok:
                    latencies.append(result["client_ms"])
                else:
                    errors[0] += 1

    started = time.monotonic()
    threads = [
        threading.Thread(target=worker, args=((cookies or [None] * concurrency)[i % len(cookies or [None])],))
        for i in range(concurrency)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return {
        "tool": "python threads",
        "concurrency": concurrency,
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "errors": errors[0],
        "rps": round(len(latencies) / elapsed, 1),
        "latency_ms": {"median": round(statistics.median(latencies), 1), "p95": round(percentile(latencies, 0.95), 1)}
        if latencies
        else None,
    }


WRK_SCRIPT = """
threads = {}
setup = function(thread)
  table.insert(threads, thread)
end

not200 = 0
response = function(status, headers, body)
  if status ~= 200 then not200 = not200 + 1 end
end

counter = 0
request = function()
  counter = counter + 1
  wrk.headers["Accept-Encoding"] = "gzip"
  if #cookies > 0 then
    wrk.headers["Cookie"] = "sessionid=" .. cookies[(counter % #cookies) + 1]
  end
  return wrk.format(nil)
end

done = function(summary, latency, requests)
  local e = summary.errors
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("not200") end
  io.write(string.format(
    "BENCH_JSON {\\"requests\\": %d, \\"duration_us\\": %d, \\"p50_us\\": %d, \\"p95_us\\": %d, "
    .. "\\"non2xx\\": %d, \\"socket_errors\\": %d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    bad, e.connect + e.read + e.write + e.timeout))
end
"""


def load_test_wrk(wrk, port, path, cookies, concurrency, seconds, work_dir):
    """The same bounded load with wrk (C, far lighter on the 2 cores than Python threads),
    requests taking the sessions of `cookies` in turn."""
    script = Path(work_dir) / "bench-wrk.lua"
    listed = ", ".join(f'"{c}"' for c in cookies or [])
    script.write_text(f"cookies = {{{listed}}}\n" + WRK_SCRIPT)
    command = [
        wrk,
        "-t",
        str(min(2, concurrency)),
        "-c",
        str(concurrency),
        "-d",
        f"{seconds:g}s",
        "--timeout",
        "30s",
        "-s",
        str(script),
    ]
    command.append(f"http://127.0.0.1:{port}{path}")
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    line = next((row for row in output.splitlines() if row.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary: {output[-500:]}")
    data = json.loads(line.split(" ", 1)[1])
    elapsed = data["duration_us"] / 1e6
    ok = data["requests"] - data["non2xx"]
    return {
        "tool": "wrk",
        "concurrency": concurrency,
        "seconds": round(elapsed, 1),
        "requests": ok,
        "errors": data["non2xx"] + data["socket_errors"],
        "rps": round(ok / elapsed, 1),
        "latency_ms": {"median": round(data["p50_us"] / 1000, 1), "p95": round(data["p95_us"] / 1000, 1)},
    }


def reminder_job():
    """Run the reminder job twice over the whole dataset: time, queries, what each run sent."""
    from django.apps import apps
    from django.core import mail
    from django.core.management import get_commands
    from django.db import connection
    from django.utils import timezone

    if "send_reminders" not in get_commands():
        return {"present": False, "note": "no `send_reminders` command yet (notifications app not merged)"}
    from notifications import delivery, reminders

    try:
        models = list(apps.get_app_config("notifications").get_models())
    except LookupError:
        models = []
    mail.outbox = []

    def rows():
        return {m._meta.label: m.objects.count() for m in models}

    runs = []
    today = timezone.localdate().isoformat()
    for _ in range(2):
        before, sent_before = rows(), len(mail.outbox)
        calls = [0]

        def count(execute, sql, params, many, context):
            calls[0] += 1
            return execute(sql, params, many, context)

        # The job as beat runs it: select, write digests and inbox entries, queue one e-mail
        # task per digest. Workers then send the e-mails in parallel; their cost is timed
        # apart (delivery_seconds), one after the other as a single worker would.
        queued = []
        started = time.perf_counter()
        try:
            with connection.execute_wrapper(count):
                reminders.run_reminders(timezone.localdate(), deliver=queued.append)
            seconds = time.perf_counter() - started
            delivery_started = time.perf_counter()
            for digest_id in queued:
                delivery.deliver_digest(digest_id)
            delivery_seconds = time.perf_counter() - delivery_started
        except Exception as error:  # report it with the other figures rather than lose them
            return {"present": True, "error": f"{type(error).__name__}: {error}", "runs": runs}
        after = rows()
        runs.append(
            {
                "seconds": round(seconds, 3),
                "delivery_seconds": round(delivery_seconds, 3),
                "queries": calls[0],
                "emails": len(mail.outbox) - sent_before,
                "new_rows": {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)},
            }
        )
    second = runs[1]
    return {
        "present": True,
        "date": today,
        "runs": runs,
        "second_run_sends_nothing": second["emails"] == 0 and not second["new_rows"],
    }


def import_preview(rows=10_000):
    """Read and preview a sheet of `rows` rows as an administrator would import the national
    list: built here from the dataset's records (code, name, district, province, plan, phase,
    enrolment day, the steps' done dates), with one row in ten given a new step date, written
    as .xlsx, uploaded and previewed in this process (what the Celery task runs). Times the
    preview alone and the whole (building the workbook excluded); writes nothing."""
    import io as _io

    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import get_commands
    from openpyxl import Workbook

    if "import_progress" not in get_commands():
        return {"present": False, "note": "no imports app yet"}
    from imports import actions as import_actions
    from rollout.choices import StepKind
    from rollout.models import Enrolment, Step
    from rollout.views.communes import EXPORT_COLUMNS

    from .dataset import ADMIN_USERNAME

    enrolments = list(
        Enrolment.objects.counted()
        .select_related("commune__district", "commune__province", "plan", "phase")
        .order_by("pk")[:rows]
    )
    done = {}
    for enrolment_id, kind, done_on in (
        Step.objects.filter(enrolment__in=enrolments, done_on__isnull=False)
        .exclude(review_state="returned")
        .values_list("enrolment_id", "kind", "done_on")
    ):
        done.setdefault(enrolment_id, {})[kind] = done_on
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Danh sách xã")
    sheet.append([str(title) for title, _width in EXPORT_COLUMNS])
    for index, e in enumerate(enrolments):
        steps = dict(done.get(e.pk, {}))
        if index % 10 == 0:
            missing = [kind for kind in StepKind.values if kind not in steps]
            if missing:
                steps[missing[0]] = e.enrolled_on
        c = e.commune
        sheet.append(
            [
                c.code,
                c.name,
                c.district.name if c.district_id else "",
                c.province.name,
                e.plan.number,
                e.phase.name,
                "",
                "",
                None,
                "",
                e.enrolled_on,
                *[steps.get(k) for k in StepKind.values],
                "",
                None,
                "",
            ]
        )
    out = _io.BytesIO()
    book.save(out)
    admin = get_user_model().objects.get(username=ADMIN_USERNAME)
    started = time.perf_counter()
    batch = import_actions.upload(user=admin, uploaded=SimpleUploadedFile("bench.xlsx", out.getvalue()))
    read_started = time.perf_counter()
    batch = import_actions.preview(batch)
    finished = time.perf_counter()
    result = {
        "present": True,
        "rows": batch.rows_total,
        "status": batch.status,
        "counts": batch.counts,
        "bytes": len(out.getvalue()),
        "seconds": round(finished - started, 2),
        "preview_seconds": round(finished - read_started, 2),
    }
    batch.rows.all().delete()
    batch.file.delete(save=False)
    batch.delete()
    return result


def machine():
    info = {"nproc": os.cpu_count(), "python": platform.python_version()}
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        info["postgresql"] = cursor.fetchone()[0].split()[0]
    return info


def commit():
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        return sha + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# -- the run -------------------------------------------------------------------------------------------------
def run(options):
    setup_django()
    from django.urls import reverse

    from .pages import (
        FIRST_LOAD_BUDGET_BYTES,
        IMPORT_BUDGET_SECONDS,
        LOAD_CONCURRENCY,
        MAX_QUERIES,
        PAGES,
        REMINDER_BUDGET_SECONDS,
        SIGN_IN_URL_NAME,
    )

    options.concurrency = options.concurrency or LOAD_CONCURRENCY

    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else None
    ids = targets()
    log(f"dataset ids: {ids}")
    served = server_settings(options.workers, options.threads)
    results = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit(),
        "machine": machine(),
        "dataset": dataset_summary(),
        "dataset_build_seconds": options.build_seconds,
        "method": {
            "requests_per_page": options.requests,
            "warmup": options.warmup,
            **served,
            "settings": "isotrack.settings.production under gunicorn (gunicorn.conf.py) on 127.0.0.1",
            "server_time": "Server-Timing from bench.wsgi: Django handler time, request to response ready",
            "load": f"{', '.join(str(c) for c in options.concurrency)} concurrent connections for "
            f"{options.load_seconds:g} s each (wrk when installed, else Python threads), a session per "
            f"connection",
        },
        "targets": {"max_queries": MAX_QUERIES, "load_concurrency": list(options.concurrency)},
        "pages": {},
        "load": {},
    }
    pages = [p for p in PAGES if not options.only or p["key"] in options.only or p.get("floor")]
    for page in pages:
        path = resolve(page, ids)
        results["pages"][page["key"]] = {
            "label": page["label"],
            "url_name": page["url_name"],
            "present": bool(path),
            "path": path,
            "budget_ms": page.get("budget_ms"),
            "ratio_target": page.get("ratio"),
            "same_queries_as": page.get("same_queries_as"),
        }
    users = {page["key"]: (page_user(page, ids), bool(page.get("token"))) for page in pages}
    cookies = {user: credential(*user) for user in users.values() if user[0]}
    log_path = Path(options.log_dir) / "gunicorn.log"
    with Server(log_path, options.workers, options.threads) as server:
        client = Client(server.port)
        for page in pages:
            entry = results["pages"][page["key"]]
            if not entry["present"]:
                log(f"{page['label']}: not present ({page['url_name']} does not reverse)")
                continue
            cookie = cookies.get(users[page["key"]])
            measured = measure_page(
                client,
                entry["path"],
                cookie,
                min(options.requests, page.get("max_requests", 10**6)),
                options.max_seconds,
                options.warmup,
            )
            last = measured.pop("last")
            entry.update(measured)
            if last["status"] == 200 and page.get("assets", True) and "html" in last["content_type"]:
                html = client.get(entry["path"], cookie=cookie, gzip_ok=True)
                loaded = first_load(client, entry["path"], html, cookie)
                entry["first_load_bytes"] = loaded["total_bytes"]
            log(f"{page['label']}: {entry['statuses']} server {entry['server_ms']} ms, {entry['queries']} queries")
        floor = results["pages"]["healthz"].get("server_ms")
        for entry in results["pages"].values():
            if floor and entry.get("server_ms"):
                entry["ratio_to_floor"] = round(entry["server_ms"]["median"] / floor["median"], 1)

        # First page load of the sign-in page (anonymous), asset by asset.
        sign_in = reverse(SIGN_IN_URL_NAME)
        loaded = first_load(client, sign_in, client.get(sign_in, gzip_ok=True))
        results["first_load"] = {"page": sign_in, "budget_bytes": FIRST_LOAD_BUDGET_BYTES, **loaded}
        log(f"first load of {sign_in}: {loaded['total_bytes']} bytes")

        wrk = shutil.which("wrk") if options.load_tool in ("auto", "wrk") else None
        if options.load_tool == "wrk" and not wrk:
            raise RuntimeError("--load-tool wrk: wrk is not installed (apt-get install wrk)")
        for page in pages:
            entry = results["pages"][page["key"]]
            if not page.get("load"):
                continue
            if not (entry["present"] and entry.get("statuses") == [200]):
                results["load"][page["key"]] = {"label": page["label"], "present": False}
                continue
            runs = []
            for concurrency in options.concurrency:
                log(f"load: {page['label']} ({concurrency} clients, {options.load_seconds:g} s)")
                user = users[page["key"]][0]  # a session: load is measured on the pages
                load_cookies = sessions_for(user, concurrency) if user else None
                if wrk:
                    runs.append(
                        load_test_wrk(
                            wrk,
                            server.port,
                            entry["path"],
                            load_cookies,
                            concurrency,
                            options.load_seconds,
                            options.log_dir,
                        )
                    )
                else:
                    runs.append(load_test(client, entry["path"], load_cookies, concurrency, options.load_seconds))
            results["load"][page["key"]] = {"label": page["label"], "runs": runs}

    if not options.only or "dashboard" in options.only:
        log("dashboard build without its cache …")
        results["dashboard_build"] = dashboard_build(ids)

    if not options.only or "reminders" in options.only:
        log("reminder job …")
        results["reminders"] = reminder_job()
    else:
        results["reminders"] = {"present": False, "note": "not run (--only)"}
    results["reminders"]["budget_seconds"] = REMINDER_BUDGET_SECONDS

    if not options.only or "import" in options.only:
        log("import of 10,000 rows (read + preview) …")
        try:
            results["import"] = import_preview()
        except Exception as error:  # report it with the other figures rather than lose them
            results["import"] = {"present": True, "error": f"{type(error).__name__}: {error}"}
    else:
        results["import"] = {"present": False, "note": "not run (--only)"}
    results["import"]["budget_seconds"] = IMPORT_BUDGET_SECONDS

    from .report import compare, markdown, table

    deltas = compare(previous, results)
    text = table(results, deltas)
    print(text)
    if options.only:
        log("--only: a partial run; bench/results.json and README.md left as they are")
    elif not options.no_write:
        RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        write_readme(markdown(results))
        log(f"wrote {RESULTS.relative_to(ROOT)} and the README section")
    return results


def write_readme(section):
    text = README.read_text()
    if START_MARK not in text or END_MARK not in text:
        log("README.md has no bench markers; section not written")
        return
    head, rest = text.split(START_MARK, 1)
    _, tail = rest.split(END_MARK, 1)
    README.write_text(f"{head}{START_MARK}\n{section.strip()}\n{END_MARK}{tail}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", 30)))
    parser.add_argument("--warmup", type=int, default=4)
    parser.add_argument("--max-seconds", type=float, default=30.0, help="stop sampling a page after this long")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py's)")
    parser.add_argument("--threads", type=int, default=None, help="threads per worker (default: gunicorn.conf.py's)")
    parser.add_argument(
        "--concurrency",
        type=lambda text: tuple(int(c) for c in text.split(",")),
        default=os.environ.get("BENCH_CONCURRENCY") or None,
        help="concurrent clients of the load test, comma-separated (default 8,32)",
    )
    parser.add_argument("--load-seconds", type=float, default=float(os.environ.get("BENCH_LOAD_SECONDS", 10)))
    parser.add_argument(
        "--load-tool",
        choices=["auto", "wrk", "python"],
        default=os.environ.get("BENCH_LOAD_TOOL", "auto"),
        help="wrk when installed (auto), else a pool of Python threads",
    )
    parser.add_argument("--build-seconds", type=float, default=None, help="dataset build time, for the report")
    parser.add_argument("--log-dir", default=os.environ.get("TMPDIR", "/tmp"))
    parser.add_argument("--no-write", action="store_true", help="print only; keep results.json and README")
    parser.add_argument(
        "--only",
        type=lambda text: set(text.split(",")),
        default=None,
        help="measure only these page keys of bench/pages.py (comma-separated), e.g. dashboard,national",
    )
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
