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
    assert {p["key"] for p in PAGES} >= {"healthz", "dashboard", "national", "commune_list", "commune_detail",
                                          "plan_detail", "district", "commune_export"}
    assert all(p["label"] for p in PAGES)
    assert sum(1 for p in PAGES if p.get("floor")) == 1


RESULTS = {
    "date": "2026-11-22 05:00 UTC", "commit": "abc1234",
    "machine": {"nproc": 2, "cpu": "CPU", "memory_gb": 4.0, "postgresql": "15.18", "python": "3.11.7"},
    "dataset": {"enrolled_communes": 10051, "plans": 63, "steps": 80408, "announcements": 2000, "expenditures": 1000,
                "step_history_rows": 170000, "enrolment_history_rows": 20000, "users": 824, "database_mb": 90},
    "dataset_build_seconds": 50.0,
    "method": {"requests_per_page": 30, "workers": 2},
    "pages": {
        "healthz": {"label": "/healthz/", "present": True, "statuses": [200], "queries": 3, "queries_min": 3,
                    "server_ms": {"median": 2.0, "p95": 3.0}, "client_ms": {"median": 3.0, "p95": 4.0},
                    "ratio_to_floor": 1.0},
        "dashboard": {"label": "Dashboard", "present": True, "statuses": [200], "queries": 12, "queries_min": 12,
                      "server_ms": {"median": 80.0, "p95": 90.0}, "client_ms": {"median": 82.0, "p95": 95.0},
                      "ratio_to_floor": 40.0, "budget_ms": 50, "first_load_bytes": 150000},
        "national": {"label": "National", "present": False, "budget_ms": 150},
        "dashboard_small": {"label": "Small dashboard", "present": True, "statuses": [200], "queries": 14,
                            "server_ms": {"median": 10.0, "p95": 12.0}, "same_queries_as": "dashboard"},
    },
    "load": {"dashboard": {"label": "Dashboard", "concurrency": 8, "seconds": 10.0, "requests": 200, "errors": 0,
                           "rps": 20.0, "latency_ms": {"median": 300.0, "p95": 400.0}}},
    "first_load": {"page": "/tai-khoan/dang-nhap/", "budget_bytes": 204800, "total_bytes": 60000,
                   "items": [{"url": "/tai-khoan/dang-nhap/", "bytes": 3000, "encoding": "identity"}]},
    "reminders": {"present": False, "note": "no command", "budget_seconds": 5.0},
}


def test_report_shows_figures_budgets_and_what_is_missing():
    text = report.table(RESULTS)
    assert "not present" in text
    assert "≤ 50 ms ✗ (+30 ms)" in text
    section = report.markdown(RESULTS)
    assert "| Dashboard | 200 | 12 | 80.0 | 90.0 |" in section
    assert "Dashboard ≤ 50 ms: **not met**, 80.0 ms (30.0 ms over)." in section
    assert "National ≤ 150 ms: not measured (page not present)." in section
    assert "First load ≤ 200 KB: met (largest 146 KB, Dashboard)." in section
    assert "Reminder job ≤ 5 s: not measured (no command)." in section
    assert "Queries independent of data size: **not met** (Small dashboard: 14, Dashboard: 12)." in section


def test_report_compares_with_the_previous_run():
    previous = copy.deepcopy(RESULTS)
    previous["pages"]["dashboard"]["server_ms"]["median"] = 100.0
    deltas = report.compare(previous, RESULTS)
    assert deltas["dashboard"] == "-20.0 ms, -20%"
    assert "-20.0 ms" in report.table(RESULTS, deltas)


def test_reminder_job_is_timed_twice_and_the_second_run_must_send_nothing(db, monkeypatch):
    import django.core.management as management
    from django.core import mail

    from bench.run import reminder_job
    from notifications import reminders

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
    monkeypatch.setattr(reminders, "deliver_digest", fake_deliver_digest)
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
