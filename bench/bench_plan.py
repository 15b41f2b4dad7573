"""Benchmark: the plan's pages on the server at 100, 2,000 and 20,000 tasks (issue 15).

Builds each plan (bench/plan_fixture.py) on a scratch database (SQLite, or BENCH_DATABASE_URL),
then times through the test client, as the manager, the work plan, the Gantt page, the forecast
and the plan's CSV and XLSX downloads, with the SQL queries each ran and its size. Prints the
medians of interleaved runs and, at 20,000 tasks, each beside its goal (≤ 500 ms). It asserts
nothing about time. Run with `make bench` or `.venv/bin/python bench/bench_plan.py [sizes...]`.
"""

from __future__ import annotations

import random
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient
from goals import Figure, interleaved_medians, print_figures
from plan_fixture import bench_app, build_plan, database_name
from sqlalchemy import event

from tracker.extensions import db

SIZES = (100, 2000, 20000)
GOAL_SIZE = 20000
GOAL_MS = 500
PAGES = {
    "work plan": "/projects/{slug}/plan/tasks",
    "Gantt": "/projects/{slug}/plan/timeline",
    "forecast": "/projects/{slug}/plan/forecast",
    "plan CSV": "/projects/{slug}/plan/export?format=csv",
    "plan XLSX": "/projects/{slug}/plan/export?format=xlsx",
}


def _getter(client: FlaskClient, url: str) -> Callable[[], bytes]:
    return lambda: client.get(url).get_data()


def main(sizes: tuple[int, ...]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(Path(tmp))
        rng = random.Random(2010)
        with app.app_context():
            plans = []
            for size in sizes:
                project, manager = build_plan(size, rng)
                plans.append((size, project.slug, manager.id))
            engine = db.engine
        print(f"Plan pages on the server, {database_name(app)}: median ms of 5 interleaved runs")
        header = f"{'tasks':>6} {'page':<10} {'ms':>8} {'queries':>8} {'KB':>8}"
        print(header)
        print("-" * len(header))
        figures = []
        for size, slug, manager_id in plans:
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = str(manager_id)
                session["_fresh"] = True
            queries: dict[str, int] = {}
            sizes_kb: dict[str, float] = {}
            for name, url in PAGES.items():
                count = [0]

                def counter(*args: object, count: list[int] = count) -> None:
                    count[0] += 1

                event.listen(engine, "before_cursor_execute", counter)
                response = client.get(url.format(slug=slug))
                body = response.get_data()
                event.remove(engine, "before_cursor_execute", counter)
                if response.status_code != 200:
                    print(f"{url} answered {response.status_code}", file=sys.stderr)
                    return 1
                queries[name], sizes_kb[name] = count[0], len(body) / 1024
            medians = interleaved_medians(
                {name: _getter(client, url.format(slug=slug)) for name, url in PAGES.items()}
            )
            for name, ms in medians.items():
                print(f"{size:>6} {name:<10} {ms:>8.1f} {queries[name]:>8} {sizes_kb[name]:>8.0f}")
                if size == GOAL_SIZE:
                    figures.append(Figure(f"{name} at {size:,} tasks", ms, "ms", GOAL_MS))
        if figures:
            print()
            print_figures("Server time at 20,000 tasks (goal: ≤ 500 ms each)", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main(tuple(int(a) for a in sys.argv[1:]) or SIZES))
