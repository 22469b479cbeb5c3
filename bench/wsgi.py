"""The project's WSGI application, timed: what `make bench` serves under gunicorn.

With BENCH=1 each response carries `Server-Timing: app;dur=<ms>, sql;dur=<ms>` (time spent
in Django, from the request to the response being ready, and the part of it spent waiting for
SQL), `X-Bench-Queries: <n>` (SQL queries run for it) and `X-Bench-Slowest` (the slowest
query: its time in ms, then the start of its SQL, URL-encoded). Without BENCH=1 this is the plain application. The settings are the project's
(DJANGO_SETTINGS_MODULE, isotrack.settings.production by default).
"""

import os
import time
import urllib.parse

from isotrack.wsgi import application as django_application


class _QueryCounter:
    def __init__(self):
        self.count = 0
        self.seconds = 0.0
        self.slowest = (0.0, "")

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            self.seconds += elapsed
            if elapsed > self.slowest[0]:
                self.slowest = (elapsed, sql)


class TimingMiddleware:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        from django.db import connection

        counter = _QueryCounter()
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["args"] = (status, headers, exc_info)
            return lambda data: None  # the project never writes through it (Django returns an iterable)

        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            body = self.app(environ, capture)
            # Django renders before returning; a streaming body would be timed by its first chunk only.
        elapsed_ms = (time.perf_counter() - started) * 1000
        status, headers, exc_info = captured["args"]
        headers = list(headers) + [
            ("Server-Timing", f"app;dur={elapsed_ms:.2f}, sql;dur={counter.seconds * 1000:.2f}"),
            ("X-Bench-Queries", str(counter.count)),
            ("X-Bench-Slowest", f"{counter.slowest[0] * 1000:.2f} " + urllib.parse.quote(counter.slowest[1][:400])),
        ]
        start_response(status, headers, exc_info)
        return body


application = TimingMiddleware(django_application) if os.environ.get("BENCH") == "1" else django_application
