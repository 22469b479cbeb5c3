"""gunicorn settings of the production image (`gunicorn -c gunicorn.conf.py`), from the environment.

GUNICORN_WORKERS  processes; default 2 × CPUs + 1 (gunicorn's own advice), counting the CPUs this
                  container may run on, so one slow page (an export, a yearly report) never holds
                  up everyone else.
GUNICORN_THREADS  threads per process (default 2): a request waiting on the database or on a slow
                  client leaves the process free for another. Each thread keeps its own database
                  connection, so workers × threads stays well below PostgreSQL's max_connections.
GUNICORN_TIMEOUT  seconds before a stuck request's worker is restarted (default 60: the national
                  export and an Excel import preview take up to 20 s on two cores).
GUNICORN_BIND     address to listen on (default 0.0.0.0:8000).
"""

import os


def _cpus():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _positive(name, default):
    value = int(os.environ.get(name) or default)
    if value < 1:
        raise ValueError(f"{name} must be at least 1 (it is {value}).")
    return value


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = _positive("GUNICORN_WORKERS", 2 * _cpus() + 1)
threads = _positive("GUNICORN_THREADS", 2)
timeout = _positive("GUNICORN_TIMEOUT", 60)
# A worker is replaced after this many requests, so a slow leak never grows for weeks.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
