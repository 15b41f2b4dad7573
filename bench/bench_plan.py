"""Benchmark: the timeline on plans of 100, 1,000 and 2,000 tasks (1.5 dependencies per task,
and the stage milestones linking one stage to the next).

Builds each plan in a temporary SQLite database, then times
- the forecast alone (forward and backward pass over the dependencies),
- loading the plan and building the Plotly figure,
- the whole Gantt page through the test client (with the number of SQL queries it ran).
It prints the figures; it asserts nothing about time. Run with `make bench` or
`.venv/bin/python bench/bench_plan.py`.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import flask_migrate
from sqlalchemy import event, insert

from tracker import create_app
from tracker.auth.models import Person
from tracker.charts import figure_json
from tracker.config import TestConfig
from tracker.extensions import db
from tracker.plan.baselines import load_plan, save_baseline
from tracker.plan.gantt import gantt_figure
from tracker.plan.models import Milestone, Progress, Stage, Task, TaskDependency, task_responsible
from tracker.plan.schedule import forecast
from tracker.plan.timeline_rows import timeline_rows
from tracker.projects.models import Membership, Project, Role, WorkStream

SIZES = (100, 1000, 2000)
DEPENDENCIES_PER_TASK = 1.5
REPEATS = 5


def timed(action: Callable[[], object], repeats: int = REPEATS) -> tuple[float, object]:
    """Median wall time in milliseconds over `repeats` runs (after one warm-up run)."""
    result = action()
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        result = action()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), result


def build_plan(size: int, rng: random.Random) -> tuple[Project, Person]:
    """A project of `size` tasks in five stages, with dependencies, milestones and a baseline.

    Rows go in with bulk inserts: the benchmark is about reading the plan, not writing it.
    """
    start = dt.date(2009, 12, 1)
    project = Project(
        slug=f"bench-{size}",
        name=f"Benchmark plan of {size} tasks",
        council="Benchmark District Council",
        start_date=start,
        end_date=start + dt.timedelta(days=480),
    )
    manager = Person(name=f"Manager {size}", initials=f"M{size}", email=f"m{size}@example.gov.uk")
    db.session.add_all([project, manager])
    db.session.flush()
    db.session.add(Membership(project_id=project.id, person_id=manager.id, role=Role.MANAGER))
    stages = [
        Stage(
            project_id=project.id,
            number=n,
            name=f"Stage {n}",
            start_date=start + dt.timedelta(days=96 * (n - 1)),
            end_date=start + dt.timedelta(days=96 * n - 1),
        )
        for n in range(1, 6)
    ]
    streams = [
        WorkStream(project_id=project.id, code=f"WS{n}", name=f"Work stream {n}", position=n)
        for n in range(10)
    ]
    people = [
        Person(name=f"Person {size}-{n}", initials=f"P{size}{n}", email=f"p{size}-{n}@example.org")
        for n in range(20)
    ]
    db.session.add_all(stages + streams + people)
    db.session.flush()

    progress = list(Progress)
    task_rows = []
    for n in range(size):
        stage = stages[n * 5 // size]
        begin = stage.start_date + dt.timedelta(days=rng.randrange(60))
        task_rows.append(
            {
                "project_id": project.id,
                "stage_id": stage.id,
                "code": f"{stage.number}.{n + 1}",
                "activity": f"Activity {n + 1} of the benchmark plan",
                "work_stream_id": streams[n % len(streams)].id,
                "start_date": begin,
                "target_finish": begin + dt.timedelta(days=rng.randrange(3, 30)),
                "progress": progress[n % len(progress)],
                "position": n,
                "detail": "",
                "responsibility_note": "",
                "comments": "",
            }
        )
    db.session.execute(insert(Task), task_rows)
    task_ids = list(
        db.session.execute(
            db.select(Task.id).where(Task.project_id == project.id).order_by(Task.position)
        ).scalars()
    )
    db.session.execute(
        insert(task_responsible),
        [{"task_id": t, "person_id": people[i % len(people)].id} for i, t in enumerate(task_ids)],
    )
    pairs: set[tuple[int, int]] = set()
    wanted = int(size * DEPENDENCIES_PER_TASK)
    while len(pairs) < wanted:
        a = rng.randrange(size - 1)
        b = min(size - 1, a + 1 + rng.randrange(40))  # earlier -> later: never a circle
        pairs.add((a, b))
    db.session.execute(
        insert(TaskDependency),
        [
            {
                "project_id": project.id,
                "predecessor_id": task_ids[a],
                "successor_task_id": task_ids[b],
                "lag_days": rng.randrange(3),
            }
            for a, b in sorted(pairs)
        ],
    )
    milestones = [
        Milestone(
            project_id=project.id,
            stage_id=stage.id,
            name=f"Stage {stage.number} complete",
            scheduled_finish=stage.end_date,
            position=stage.number,
        )
        for stage in stages
    ]
    db.session.add_all(milestones)
    db.session.flush()
    # Each stage's last task leads to the stage's milestone; the next stage's first task and
    # milestone wait for it (the stage review), as a PRINCE2 plan links its stages.
    for index, milestone in enumerate(milestones):
        last = min(size - 1, (index + 1) * size // 5 - 1)
        db.session.add(
            TaskDependency(
                project_id=project.id,
                predecessor_id=task_ids[last],
                successor_milestone_id=milestone.id,
            )
        )
        if index + 1 < len(milestones):
            db.session.add_all(
                [
                    TaskDependency(
                        project_id=project.id,
                        predecessor_milestone_id=milestone.id,
                        successor_task_id=task_ids[min(size - 1, last + 1)],
                    ),
                    TaskDependency(
                        project_id=project.id,
                        predecessor_milestone_id=milestone.id,
                        successor_milestone_id=milestones[index + 1].id,
                    ),
                ]
            )
    db.session.flush()
    save_baseline(load_plan(project), "V1.0 benchmark", dt.date(2009, 12, 1), manager)
    db.session.commit()
    return project, manager


def main() -> int:
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:

        class BenchConfig(TestConfig):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
            UPLOAD_FOLDER = str(Path(tmp) / "uploads")

        app = create_app(BenchConfig)
        rng = random.Random(2010)
        print(f"Timeline benchmark: median of {REPEATS} runs, SQLite in {tmp}")
        header = (
            f"{'tasks':>6} {'deps':>6} {'forecast ms':>12} {'load+figure ms':>15} "
            f"{'page ms':>9} {'queries':>8} {'page KB':>8}"
        )
        print(header)
        print("-" * len(header))
        with app.app_context():
            flask_migrate.upgrade()
            plans = []
            for size in SIZES:
                project, manager = build_plan(size, rng)
                plans.append((size, project.id, project.slug, manager.id))
        for size, project_id, slug, manager_id in plans:
            # Each part in its own app context, as each request of a real server has.
            with app.app_context():
                plan = load_plan(db.session.get(Project, project_id))
                items, links = plan.schedule_items(), plan.links()
                forecast_ms, _ = timed(lambda items=items, links=links: forecast(items, links))

                def figure(project_id: int = project_id) -> str:
                    loaded = load_plan(db.session.get(Project, project_id))
                    today = dt.date(2010, 6, 1)
                    rows = timeline_rows(loaded, loaded.forecast(), today=today)
                    return figure_json(gantt_figure(rows, today))

                figure_ms, _ = timed(figure)
                db.session.remove()

            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = str(manager_id)
                session["_fresh"] = True
            url = f"/projects/{slug}/plan/timeline"
            queries = 0

            def count(*args: object) -> None:
                nonlocal queries
                queries += 1

            with app.app_context():
                engine = db.engine
            event.listen(engine, "before_cursor_execute", count)
            response = client.get(url)
            event.remove(engine, "before_cursor_execute", count)
            if response.status_code != 200:
                print(f"{url} answered {response.status_code}", file=sys.stderr)
                return 1
            page_ms, response = timed(lambda url=url, client=client: client.get(url), 3)
            print(
                f"{size:>6} {len(links):>6} {forecast_ms:>12.1f} {figure_ms:>15.1f} "
                f"{page_ms:>9.1f} {queries:>8} {len(response.data) / 1024:>8.0f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
