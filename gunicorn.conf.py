"""gunicorn's settings for production: `gunicorn -c gunicorn.conf.py` (README, "Running in
production"). Options on the command line and these environment variables override them.

Chosen by measurement (bench/bench_load.py: 50 simulated people, 2 workers, PostgreSQL on the
same 2-core machine). Threaded workers (gthread, 2, 4 or 8 threads) served no more pages per
second than sync workers, and often fewer: the pages are CPU-bound Python there (the GIL lets one
thread run at a time), and a kept-alive connection stays with the worker that accepted it, so
the two workers' loads are uneven. So: sync workers, and more of them, (2 × cores) + 1 as
gunicorn advises. The code is safe under threads (tests/test_threads.py; nothing per request is
kept outside the request's context), so where PostgreSQL is on another machine and requests wait
longer for it, try GUNICORN_THREADS=4 (gthread) and measure with bench/bench_load.py.
"""

from __future__ import annotations

import os

wsgi_app = "tracker:create_app()"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1) + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# A request slower than this is ended and its worker replaced (the slowest pages, the Gantt
# chart of 20,000 tasks, take a few seconds; prepared downloads run in the background worker).
timeout = 60
