"""The plan at the size the issue names: 2,000 tasks and 3,000 dependencies.

The work plan, the Gantt chart and the forecast are built with the same number of SQL queries
for that plan as for a plan of ten tasks. The rows are inserted in bulk, so the test stays quick.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, insert, select

from tests.factories import PersonFactory, member
from tracker.extensions import db
from tracker.plan.models import Milestone, Progress, Stage, Task, TaskDependency, task_responsible
from tracker.projects.models import Project, Role


def bulk_plan(project: Project, tasks: int, dependencies: int) -> None:
    """`tasks` tasks spread over the stages and work streams, each with a person responsible,
    `dependencies` finish-to-start links (each from an earlier task to a later one, so there is
    no circle) and a milestone per stage waiting for that stage's last task."""
    stages = list(
        db.session.execute(
            select(Stage).where(Stage.project_id == project.id).order_by(Stage.number)
        ).scalars()
    )
    streams = project.work_streams
    people = [PersonFactory() for _ in range(3)]
    for person in people:
        member(person, project, Role.WS_MEMBER)
    db.session.flush()
    first_position = (
        db.session.execute(
            select(func.count(Task.id)).where(Task.project_id == project.id)
        ).scalar_one()
        + 1
    )
    db.session.execute(
        insert(Task),
        [
            {
                "project_id": project.id,
                "stage_id": stages[n % len(stages)].id,
                "code": f"B{first_position + n}",
                "activity": f"Bulk task {n}",
                "work_stream_id": streams[n % len(streams)].id,
                "start_date": dt.date(2010, 1, 1) + dt.timedelta(days=n % 300),
                "target_finish": dt.date(2010, 1, 8) + dt.timedelta(days=n % 300),
                "progress": list(Progress)[n % len(Progress)],
                "position": first_position + n,
            }
            for n in range(tasks)
        ],
    )
    ids = list(
        db.session.execute(
            select(Task.id)
            .where(Task.project_id == project.id, Task.position >= first_position)
            .order_by(Task.position)
        ).scalars()
    )
    db.session.execute(
        insert(task_responsible),
        [{"task_id": task_id, "person_id": people[n % 3].id} for n, task_id in enumerate(ids)],
    )
    pairs = [(ids[k - 1], ids[k]) for k in range(1, len(ids))]
    pairs += [(ids[k - 2], ids[k]) for k in range(2, len(ids))]
    assert len(pairs) >= dependencies
    db.session.execute(
        insert(TaskDependency),
        [
            {
                "project_id": project.id,
                "predecessor_id": before,
                "successor_task_id": after,
                "lag_days": n % 3,
            }
            for n, (before, after) in enumerate(pairs[:dependencies])
        ],
    )
    for stage in stages:
        milestone = Milestone(
            project_id=project.id,
            stage_id=stage.id,
            name=f"Stage {stage.number} complete ({tasks} tasks)",
            scheduled_finish=stage.end_date,
        )
        db.session.add(milestone)
        db.session.flush()
        last = ids[-len(stages) + stage.number - 1]
        db.session.add(
            TaskDependency(
                project_id=project.id, predecessor_id=last, successor_milestone_id=milestone.id
            )
        )
    db.session.commit()


PAGES = [
    "tasks",
    "tasks?status=late",
    "timeline",
    "timeline?page=5",
    "forecast",
    "export?format=csv",
    "export?format=xlsx",
]


@pytest.mark.parametrize("role", [Role.MANAGER, Role.WS_LEAD])
def test_work_plan_gantt_and_forecast_queries_do_not_grow_with_2000_tasks(
    client, login_as, project, count_queries, role
):
    login_as(role)

    def counts() -> list[int]:
        found = []
        for page in PAGES:
            with count_queries as counted:
                response = client.get(f"/projects/{project.slug}/plan/{page}")
            assert response.status_code == 200, page
            found.append(counted.count)
        return found

    bulk_plan(project, 10, 15)
    small = counts()
    bulk_plan(project, 1990, 2985)
    assert db.session.execute(select(func.count(Task.id))).scalar_one() == 2000
    assert db.session.execute(select(func.count(TaskDependency.id))).scalar_one() == 3000 + 10
    large = counts()
    assert large == small, dict(zip(PAGES, zip(small, large, strict=True), strict=True))
    # The big plan is really on the pages.
    html = client.get(f"/projects/{project.slug}/plan/timeline").get_data(as_text=True)
    assert "2000 tasks and 10 milestones" in html
