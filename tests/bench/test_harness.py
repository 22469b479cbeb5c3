"""The benchmark's measuring parts: the timing WSGI wrapper, page resolution, the report."""

import copy

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from bench import report
from bench.pages import PAGES
from bench.run import resolve
from bench.wsgi import TimingMiddleware


def test_timing_wrapper_adds_server_time_and_query_count(db):
    environ = RequestFactory().get("/healthz/").environ
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)

    # As Django's test client does: keep the test's connection open across the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = TimingMiddleware(WSGIHandler())(environ, start_response)
        body = b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert seen["status"].startswith("200")
    assert seen["headers"]["X-Bench-Queries"] == "1"  # SELECT 1
    assert seen["headers"]["Server-Timing"].startswith("app;dur=")
    assert ", sql;dur=" in seen["headers"]["Server-Timing"]
    assert "SELECT%201" in seen["headers"]["X-Bench-Slowest"]
    assert b"ok" in body


def test_a_url_name_that_does_not_exist_is_reported_as_not_present():
    assert resolve({"url_name": "reports:no_such_page"}, {}) is None
    assert resolve({"url_name": "healthz", "query": [("province", "{lam_dong}")]}, {"lam_dong": 44}) == (
        "/healthz/?province=44"
    )


def test_every_page_has_a_user_and_a_label():
    assert {p["key"] for p in PAGES} >= {
        "healthz",
        "dashboard",
        "dashboard_big",
        "national",
        "commune_list",
        "commune_list_old",
        "area",
        "commune_detail",
        "plan_detail",
        "commune_export",
    }
    assert all(p["label"] for p in PAGES)
    assert sum(1 for p in PAGES if p.get("floor")) == 1


def test_pages_are_opened_by_users_of_the_dataset():
    from bench.run import page_user

    ids = {"lam_ha_officer": "khuvuc_68_lam_ha"}
    users = {page["key"]: page_user(page, ids) for page in PAGES}
    assert users["area"] == "khuvuc_68_lam_ha"
    assert users["dashboard"] == "lanhdao_68" and users["commune_list_dost"] == "dost_68"
    assert users["healthz_anon"] is None


RESULTS = {
    "date": "2026-11-22 05:00 UTC",
    "commit": "abc1234",
    "machine": {"nproc": 2, "cpu": "CPU", "memory_gb": 4.0, "postgresql": "15.18", "python": "3.11.7"},
    "dataset": {
        "enrolled_communes": 13000,
        "enrolled_pre_2025": 10051,
        "enrolled_today": 2939,
        "carried_over": 120,
        "communes_today": 3321,
        "review_areas": 680,
        "plans": 97,
        "plans_open": 34,
        "steps": 103000,
        "announcements": 4200,
        "expenditures": 2700,
        "step_history_rows": 258000,
        "enrolment_history_rows": 24000,
        "users": 1446,
        "database_mb": 120,
    },
    "dataset_build_seconds": 50.0,
    "method": {"requests_per_page": 30, "workers": 5, "threads": 1},
    "targets": {"max_queries": 10, "load_concurrency": [8, 32]},
    "pages": {
        "healthz": {
            "label": "/healthz/",
            "present": True,
            "statuses": [200],
            "queries": 2,
            "queries_min": 2,
            "server_ms": {"median": 2.0, "p95": 3.0},
            "client_ms": {"median": 3.0, "p95": 4.0},
            "ratio_to_floor": 1.0,
        },
        "dashboard": {
            "label": "Dashboard",
            "present": True,
            "statuses": [200],
            "queries": 12,
            "queries_min": 12,
            "server_ms": {"median": 10.0, "p95": 90.0},
            "client_ms": {"median": 82.0, "p95": 95.0},
            "ratio_to_floor": 5.0,
            "ratio_target": 4,
            "first_load_bytes": 150000,
        },
        "national": {"label": "National", "present": False, "ratio_target": 6},
        "area": {
            "label": "Area",
            "present": True,
            "statuses": [200],
            "queries": 5,
            "queries_min": 5,
            "server_ms": {"median": 5.0, "p95": 6.0},
            "client_ms": {"median": 6.0, "p95": 7.0},
            "ratio_to_floor": 2.5,
            "ratio_target": 3,
        },
        "dashboard_small": {
            "label": "Small dashboard",
            "present": True,
            "statuses": [200],
            "queries": 14,
            "server_ms": {"median": 10.0, "p95": 12.0},
            "same_queries_as": "dashboard",
        },
        "export": {
            "label": "Export",
            "present": True,
            "statuses": [200],
            "queries": 6,
            "queries_min": 6,
            "server_ms": {"median": 6000.0, "p95": 6500.0},
            "client_ms": {"median": 6000.0, "p95": 6500.0},
            "ratio_to_floor": 3000.0,
            "budget_ms": 5000,
        },
    },
    "load": {
        "dashboard": {
            "label": "Dashboard",
            "runs": [
                {
                    "tool": "wrk",
                    "concurrency": 8,
                    "seconds": 10.0,
                    "requests": 200,
                    "errors": 0,
                    "rps": 20.0,
                    "latency_ms": {"median": 300.0, "p95": 400.0},
                },
                {
                    "tool": "wrk",
                    "concurrency": 32,
                    "seconds": 10.0,
                    "requests": 150,
                    "errors": 0,
                    "rps": 15.0,
                    "latency_ms": {"median": 900.0, "p95": 1400.0},
                },
            ],
        }
    },
    "dashboard_build": {
        "budget_ms": 50,
        "provinces": {
            "largest": {"label": "Thành phố Hồ Chí Minh", "median_ms": 38.0, "queries": 5},
            "lam_dong": {"label": "Tỉnh Lâm Đồng", "median_ms": 30.0, "queries": 5},
        },
    },
    "first_load": {
        "page": "/tai-khoan/dang-nhap/",
        "budget_bytes": 102400,
        "total_bytes": 60000,
        "items": [{"url": "/tai-khoan/dang-nhap/", "bytes": 3000, "encoding": "identity"}],
    },
    "reminders": {"present": False, "note": "no command", "budget_seconds": 2.0},
}


def test_report_shows_figures_against_the_floor_and_the_targets():
    text = report.table(RESULTS)
    assert "not present" in text
    assert "≤ 4× ✗ (5.0×)" in text and "≤ 3× ✓" in text and "≤ 5000 ms ✗ (+1000 ms)" in text
    section = report.markdown(RESULTS)
    assert "| Dashboard | 200 | 12 | 10.0 | 90.0 |" in section
    assert "(2.0 ms in this run)" in section
    assert "Dashboard ≤ 4× the floor: **not met**, 5.0× (10.0 ms)." in section
    assert "Area ≤ 3× the floor: met (2.5×, 5.0 ms)." in section
    assert "National ≤ 6× the floor: not measured (page not present)." in section
    assert "Export ≤ 5000 ms: **not met**, 6000.0 ms (1000.0 ms over)." in section
    assert "At most 10 queries a page: **not met** (Dashboard: 12; Small dashboard: 14)." in section
    assert (
        "Dashboard: throughput at 32 concurrent clients no lower than at 8: **not met** (15.0 against 20.0 req/s)."
    ) in section
    assert "A dashboard's uncached build ≤ 50 ms: met (Thành phố Hồ Chí Minh: 38.0 ms)." in section
    assert "First load ≤ 100 KB: **not met**, 146 KB (Dashboard), 46 KB over." in section
    assert "Reminder job ≤ 2 s: not measured (no command)." in section
    assert (
        "Queries independent of data size, once a process knows the user's roles: **not met** "
        "(Small dashboard: 14, Dashboard: 12)."
    ) in section
    assert "2,939 of today's 3,321 enrolled (120 carried over)" in section


def test_report_compares_with_the_previous_run():
    previous = copy.deepcopy(RESULTS)
    previous["pages"]["dashboard"]["server_ms"]["median"] = 20.0
    previous["load"]["dashboard"]["runs"][1]["rps"] = 10.0
    deltas = report.compare(previous, RESULTS)
    assert deltas["dashboard"] == "-10.0 ms, -50%"
    assert deltas["load:dashboard:32"] == "+5.0 req/s, +50%"
    assert "-10.0 ms" in report.table(RESULTS, deltas)


def test_results_of_a_single_load_run_still_read():
    single = {
        "label": "Dashboard",
        "tool": "wrk",
        "concurrency": 8,
        "seconds": 10.0,
        "requests": 200,
        "errors": 0,
        "rps": 20.0,
        "latency_ms": {"median": 300.0, "p95": 400.0},
    }
    assert report.load_runs(single) == [single]
    assert report.load_runs({"label": "x", "present": False}) == []


def test_reminder_job_is_timed_twice_and_the_second_run_must_send_nothing(db, monkeypatch):
    import django.core.management as management
    from django.core import mail

    from bench.run import reminder_job
    from notifications import delivery, reminders

    runs = []

    def fake_run_reminders(day, *, deliver):
        runs.append(day)
        if len(runs) == 1:  # the first run queues one digest, the second finds the day done
            deliver(41)

    def fake_deliver_digest(digest_id):
        assert digest_id == 41
        mail.send_mail("Nhắc việc", "…", None, ["dost_68@example.vn"])

    monkeypatch.setattr(management, "get_commands", lambda: {"send_reminders": "notifications"})
    monkeypatch.setattr(reminders, "run_reminders", fake_run_reminders)
    monkeypatch.setattr(delivery, "deliver_digest", fake_deliver_digest)
    result = reminder_job()
    assert result["present"] and result["second_run_sends_nothing"]
    assert [run["emails"] for run in result["runs"]] == [1, 0]
    assert all("delivery_seconds" in run for run in result["runs"])
    assert "second run" in report.reminder_line(result)


def test_reminder_job_is_reported_missing_when_there_is_no_command(monkeypatch):
    import django.core.management as management

    from bench.run import reminder_job

    monkeypatch.setattr(management, "get_commands", lambda: {})
    assert reminder_job()["present"] is False
