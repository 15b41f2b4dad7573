"""The plan the benchmarks measure, shared by every bench of the timeline: a project of `size`
tasks in five stages over 16 months, 1.5 finish-to-start dependencies per task (3,000 at 2,000
tasks), 40 people, ten work streams, a milestone per stage linking one stage to the next, and a
baseline. As issue 15 describes the plan Redmine was measured on.

`bench_app` makes the app on a scratch database: a new SQLite file in `folder`, or the PostgreSQL
database named by BENCH_DATABASE_URL, emptied first (never point it at a database you keep).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
from pathlib import Path

import flask_migrate
from flask import Flask
from sqlalchemy import insert, text

from tracker import create_app
from tracker.auth.models import Person
from tracker.config import TestConfig
from tracker.extensions import db
from tracker.plan.baselines import load_plan, save_baseline
from tracker.plan.models import Milestone, Progress, Stage, Task, TaskDependency, task_responsible
from tracker.projects.models import Membership, Project, Role, WorkStream

DEPENDENCIES_PER_TASK = 1.5
PEOPLE = 40


def bench_app(folder: Path) -> Flask:
    """The app on a scratch database, migrated to the latest revision."""
    logging.getLogger("alembic").setLevel(logging.WARNING)
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder / 'bench.sqlite'}"

    class BenchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        UPLOAD_FOLDER = str(folder / "uploads")

    app = create_app(BenchConfig)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        flask_migrate.upgrade()
    return app


def database_name(app: Flask) -> str:
    with app.app_context():
        return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(
            db.engine.dialect.name, db.engine.dialect.name
        )


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
        for n in range(PEOPLE)
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
