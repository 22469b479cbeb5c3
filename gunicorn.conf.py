"""gunicorn settings of the production image (`gunicorn -c gunicorn.conf.py`), from the environment.

GUNICORN_WORKERS  processes; default 2 × CPUs + 1 (gunicorn's own advice), counting the CPUs this
                  container may run on, so one slow page (an export, a yearly report) never holds
                  up everyone else.
GUNICORN_THREADS  threads per process (default 1: gunicorn's sync worker). Chosen by measurement
                  (`make bench`, 2 cores, 8 and 32 clients keeping their connections open): with
                  threads, each process keeps the connections it accepted, so under load some
                  queue while others idle, and two threads of one process take turns on its one
                  interpreter lock; 5 × 2 then served 16-20% fewer pages at 32 clients than at 8,
                  and 5 × 1 threaded 6-8% fewer. The sync worker takes a connection only when
                  free, one request each: as many pages at 32 clients as at 8, and a third of the
                  95th-percentile latency. It wants a buffering proxy in front (the TLS
                  terminator: nginx buffers by default) when clients send or read slowly; more
                  threads (a threaded worker) serve such clients directly, at that cost. Each
                  thread keeps its own database connection, so workers × threads stays well below
                  PostgreSQL's max_connections.
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
threads = _positive("GUNICORN_THREADS", 1)
timeout = _positive("GUNICORN_TIMEOUT", 60)
# A worker is replaced after this many requests, so a slow leak never grows for weeks.
max_requests = 2000
max_requests_jitter = 200
# The application is loaded once, in the master: a worker replaced after max_requests is forked from
# it in milliseconds instead of importing Django again (about a second of one core, under load).
preload_app = True
accesslog = "-"
errorlog = "-"
