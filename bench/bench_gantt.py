"""Benchmark: the Gantt chart drawn in headless Chromium at 2,000 and 20,000 tasks (issue 15).

Builds each plan (bench/plan_fixture.py) on a scratch database (SQLite, or BENCH_DATABASE_URL),
serves the app on a loopback port from a thread, signs the manager in by a session cookie, and
measures in Debian's Chromium, driven by Playwright, the time from navigation start until the
chart is drawn: the `gantt-drawn` performance mark that static/js/gantt.js sets once Plotly has
drawn (or, on pages older than that mark, the moment the bars and axis are in the page). Also the
page's size, its DOM node count and the server's time for the page. Prints medians of the runs
beside the goals (≤ 1.0 s at 2,000 tasks, ≤ 3.0 s at 20,000). Asserts nothing about time.

Run with `.venv/bin/python bench/bench_gantt.py [sizes...]`.

Measured on the shared 2-core machine (SQLite, load average 2-8, so noisy), drawn / server / page:
before (a full Plotly figure of every row, every row in the table) 8.7 s / 0.8 s / 2.6 MB at 2,000
tasks and 139 s / 17 s (contended; 5.3 s quiet) / 26.5 MB with 512,000 DOM nodes at 20,000; after
(30 rows drawn, plotly.js's basic bundle, the table in pages of 200) 1.16 s / 0.35 s / 415 KB at
2,000 and 4.3 s / 3.1 s / 2.9 MB with 3,243 DOM nodes at 20,000, where the browser's own part,
from the end of the response to the chart drawn, is about 0.5 s and the rest is the server's
loading of the plan (load_plan, timeline_rows and the forecast).
"""

from __future__ import annotations

import logging
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from goals import Figure, print_figures
from plan_fixture import bench_app, build_plan, database_name
from playwright.sync_api import BrowserContext, sync_playwright
from werkzeug.serving import make_server

SIZES = (2000, 20000)
GOALS_MS = {2000: 1000, 20000: 3000}
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

# Resolves with milliseconds since navigation start once the chart is drawn.
DRAWN = """() => {
  const mark = performance.getEntriesByName("gantt-drawn")[0];
  if (mark) return mark.startTime;
  const chart = document.getElementById("gantt-chart");
  if (chart && !chart.hasAttribute("data-gantt-drawn") && chart.querySelector(".xtick")
      && chart.querySelector(".barlayer .point")) return performance.now();
  return null;
}"""


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


def session_cookie(app: Flask, person_id: int) -> tuple[str, str]:
    """The name and value of a session cookie that signs `person_id` in."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(person_id)
        session["_fresh"] = True
    name = app.config.get("SESSION_COOKIE_NAME", "session")
    cookie = client.get_cookie(name)
    assert cookie is not None
    return name, cookie.value


PHASES = """() => {
  const n = performance.getEntriesByType("navigation")[0];
  const start = performance.getEntriesByName("gantt-start")[0];
  return [n.responseStart, n.responseEnd, n.domInteractive, start ? start.startTime : 0];
}"""


def draw_once(context: BrowserContext, url: str) -> tuple[float, int, list[float]]:
    """Milliseconds until the chart is drawn, the DOM node count, and the moments the response
    started and ended, the DOM was read and gantt.js began to draw."""
    page = context.new_page()
    try:
        response = page.goto(url, wait_until="commit", timeout=300_000)
        assert response is not None and response.ok, url
        handle = page.wait_for_function(DRAWN, timeout=300_000, polling="raf")
        drawn_ms = float(handle.json_value())
        nodes = int(page.evaluate("() => document.getElementsByTagName('*').length"))
        return drawn_ms, nodes, page.evaluate(PHASES)
    finally:
        page.close()


def server_ms(app: Flask, person_id: int, path: str) -> tuple[float, float]:
    """The server's median milliseconds for the page, and the page's KB."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(person_id)
        session["_fresh"] = True
    body = client.get(path).get_data()  # warm-up
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        assert client.get(path).status_code == 200
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), len(body) / 1024


def main(sizes: tuple[int, ...]) -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(Path(tmp))
        rng = random.Random(2010)
        with app.app_context():
            plans = [(size, *build_plan(size, rng)) for size in sizes]
            plans = [(size, project.slug, manager.id) for size, project, manager in plans]
        print(f"The Gantt in headless Chromium, {database_name(app)}: median of {RUNS} runs")
        header = (
            f"{'tasks':>6} {'drawn ms':>9} {'server ms':>10} {'KB':>8} {'DOM nodes':>10}"
            "  browser phases (ms): response start, end, DOM read, gantt.js starts"
        )
        print(header)
        print("-" * len(header))
        figures = []
        with serving(app) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox"], headless=True
            )
            for size, slug, manager_id in plans:
                path = f"/projects/{slug}/plan/timeline"
                name, value = session_cookie(app, manager_id)
                context = browser.new_context(base_url=base)
                context.add_cookies([{"name": name, "value": value, "url": base}])
                draw_once(context, path)  # warm-up: caches plotly.js
                runs = [draw_once(context, path) for _ in range(RUNS)]
                context.close()
                drawn = statistics.median(r[0] for r in runs)
                nodes = runs[-1][1]
                phases = [statistics.median(r[2][n] for r in runs) for n in range(4)]
                server, kb = server_ms(app, manager_id, path)
                print(
                    f"{size:>6} {drawn:>9.0f} {server:>10.0f} {kb:>8.0f} {nodes:>10}  "
                    + ", ".join(f"{p:.0f}" for p in phases)
                )
                figures.append(
                    Figure(f"Gantt drawn at {size:,} tasks", drawn, "ms", GOALS_MS.get(size))
                )
                figures.append(
                    Figure(
                        f"Gantt server time at {size:,} tasks",
                        server,
                        "ms",
                        500 if size >= 20000 else None,
                    )
                )
                figures.append(Figure(f"Gantt page at {size:,} tasks", kb, "KB"))
            browser.close()
        print()
        print_figures("The Gantt chart (goals: drawn ≤ 1.0 s at 2,000, ≤ 3.0 s at 20,000)", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main(tuple(int(a) for a in sys.argv[1:]) or SIZES))
