"""Editing the plan's structure until it is baselined: stages and milestones, their date rules,
the days no stage covers, and a task edit taken past its stage's end (change control)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import MilestoneFactory, StageFactory, TaskFactory
from tests.html import field_error, text_of
from tracker.extensions import db as _db
from tracker.permissions import PERMISSIONS
from tracker.plan.models import Milestone, PlanBaseline, Stage, Task
from tracker.plan.stages import worsens_stage_overrun
from tracker.plan.structure import stage_date_problems, uncovered_project_days
from tracker.projects.models import Role

D = dt.date
DAY = dt.timedelta(days=1)


def parts(day: dt.date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def stage_data(name: str, start: dt.date, end: dt.date, **extra: object) -> dict:
    return {"name": name, "start_date": parts(start), "end_date": parts(end)} | extra


def stages_url(project, path: str = "") -> str:
    return f"/projects/{project.slug}/plan/stages{path}"


def numbers(project) -> dict[str, int]:
    _db.session.expire_all()
    rows = _db.session.execute(_db.select(Stage).filter_by(project_id=project.id)).scalars()
    return {s.name: s.number for s in rows}


def baseline(project) -> None:
    _db.session.add(PlanBaseline(project_id=project.id, name="V1.2", taken_on=D(2010, 2, 26)))
    _db.session.commit()


# The rules, at their edges ---------------------------------------------------------------------


def test_stage_dates_at_the_edges(project):
    stages = project.stages  # five of 90 days from 1 Dec 2009, to 23 Feb 2011
    last = stages[-1]
    after = last.end_date + DAY
    messages = [p.message for p in stage_date_problems(project, None, after, after, stages)]
    assert messages == []  # one day, straight after the last stage
    [problem] = stage_date_problems(project, None, after, after - DAY, stages)
    assert (problem.field, problem.message) == (
        "end_date",
        "End date must be the same as or after the start date",
    )
    assert stage_date_problems(project, None, after, project.end_date, stages) == []
    [problem] = stage_date_problems(project, None, after, project.end_date + DAY, stages)
    assert problem.field == "end_date"
    assert "within the project's dates (1 Dec 2009 to 31 Mar 2011)" in problem.message
    [problem] = stage_date_problems(project, None, last.end_date, project.end_date, stages)
    assert problem.field == "start_date"
    assert "overlap stage 5" in problem.message
    first = stages[0]
    [problem] = stage_date_problems(project, first, first.start_date - DAY, first.end_date, stages)
    assert problem.field == "start_date"
    assert stage_date_problems(project, first, first.start_date, first.end_date, stages) == []


def test_uncovered_project_days(project):
    stages = project.stages
    assert uncovered_project_days(project) == [(stages[-1].end_date + DAY, project.end_date)]
    stages[-1].end_date = project.end_date
    assert uncovered_project_days(project, stages) == []
    stages[0].start_date += DAY
    stages[2].end_date -= DAY
    assert uncovered_project_days(project, stages) == [
        (project.start_date, project.start_date),
        (stages[2].end_date + DAY, stages[2].end_date + DAY),
    ]
    assert uncovered_project_days(project, []) == [(project.start_date, project.end_date)]


def test_a_task_past_its_stage_end_is_one_rule():
    end = D(2010, 3, 31)
    assert not worsens_stage_overrun(end, end, None, end)  # the stage's last day fits
    assert worsens_stage_overrun(end + DAY, end, None, end)
    assert not worsens_stage_overrun(end + DAY, end + DAY, None, end)  # the stage moves too
    assert not worsens_stage_overrun(end + DAY * 5, end, end + DAY * 10, end)  # an old slip
    assert not worsens_stage_overrun(end + DAY * 10, end, end + DAY * 10, end)
    assert worsens_stage_overrun(end + DAY * 11, end, end + DAY * 10, end)


# Stages through the pages ----------------------------------------------------------------------


def test_manager_adds_changes_and_moves_a_stage(client, login_as, project):
    login_as(Role.MANAGER)
    page = client.get(stages_url(project))
    assert page.status_code == 200
    assert "No stage covers 24 Feb 2011 to 31 Mar 2011" in text_of(page)
    last = project.stages[-1]
    response = client.post(
        stages_url(project, "/new"),
        data=stage_data(
            "Stage 6 Assessment",
            last.end_date + DAY,
            project.end_date,
            products="Assessment report\n\n  Award  \n",
        ),
    )
    assert response.status_code == 302, text_of(response)
    stage = _db.session.execute(_db.select(Stage).filter_by(name="Stage 6 Assessment")).scalar_one()
    assert (stage.number, stage.products) == (6, "Assessment report\nAward")
    assert "No stage covers" not in text_of(client.get(stages_url(project)))

    edit = stages_url(project, f"/{stage.id}/edit")
    assert client.get(edit).status_code == 200
    version = stage.row_version
    response = client.post(
        edit,
        data=stage_data("Assessment", stage.start_date, stage.end_date, row_version=version),
    )
    assert response.status_code == 302, text_of(response)

    response = client.post(
        stages_url(project, f"/{stage.id}/move"),
        data={"direction": "up", "row_version": version + 1},
    )
    assert response.status_code == 302, text_of(response)
    assert numbers(project)["Assessment"] == 5
    assert numbers(project)["Stage 5"] == 6
    assert "Stage 6 starts before the stage numbered before it" in text_of(
        client.get(stages_url(project))
    )


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (D(2011, 3, 1), D(2011, 2, 28), "end_date", "End date must be the same as or after"),
        (D(2011, 3, 1), D(2011, 4, 1), "end_date", "End date must be within the project's dates"),
        (D(2011, 2, 20), D(2011, 3, 31), "start_date", "The stage would overlap stage 5"),
    ],
)
def test_bad_stage_dates_are_refused_beside_the_field(
    client, login_as, project, start, end, field, message
):
    login_as(Role.SUPPORT)
    before = numbers(project)
    response = client.post(stages_url(project, "/new"), data=stage_data("Extra", start, end))
    assert response.status_code == 400
    assert message in (field_error(response, field) or "")
    assert "There is a problem" in text_of(response)
    assert numbers(project) == before


def test_a_stale_stage_edit_is_refused_and_nothing_is_saved(client, login_as, project):
    login_as(Role.MANAGER)
    stage = project.stages[0]
    read_at = stage.row_version
    stage.name = "Renamed by someone else"
    _db.session.commit()
    response = client.post(
        stages_url(project, f"/{stage.id}/edit"),
        data=stage_data("Mine", stage.start_date, stage.end_date, row_version=read_at),
    )
    assert response.status_code == 409
    assert numbers(project).get("Renamed by someone else") == 1
    moved = client.post(
        stages_url(project, f"/{stage.id}/move"), data={"direction": "down", "row_version": read_at}
    )
    assert moved.status_code == 409
    assert "changed by someone else" in text_of(moved)
    assert numbers(project)["Renamed by someone else"] == 1


def test_once_baselined_stages_move_only_through_change_control(client, login_as, project):
    login_as(Role.MANAGER)
    baseline(project)
    stage = project.stages[0]
    page = client.get(stages_url(project))
    assert "only through a change request" in text_of(page)
    assert "Move up" not in text_of(page) and "Move down" not in text_of(page)
    assert "Add a stage" not in text_of(page)
    edit = stages_url(project, f"/{stage.id}/edit")
    assert "its dates move only through a change request" in text_of(client.get(edit))
    moved_end = stage_data("Stage 1", stage.start_date, stage.end_date + DAY)
    response = client.post(edit, data=moved_end)
    assert response.status_code == 400
    assert "only through a change request" in field_error(response, "end_date")
    added = client.post(
        stages_url(project, "/new"), data=stage_data("Extra", D(2011, 3, 1), D(2011, 3, 31))
    )
    assert added.status_code == 409
    moved = client.post(stages_url(project, f"/{stage.id}/move"), data={"direction": "down"})
    assert moved.status_code == 409
    assert numbers(project) == {f"Stage {n}": n for n in range(1, 6)}
    renamed = stage_data("Organisational preparation", stage.start_date, stage.end_date)
    assert client.post(edit, data=renamed | {"products": "Project plan"}).status_code == 302
    assert numbers(project)["Organisational preparation"] == 1


@pytest.mark.parametrize("role", list(Role))
def test_stage_routes_follow_the_permission_table(client, login_as, project, role):
    login_as(role)
    stage = project.stages[0]
    may_view = role in PERMISSIONS["plan.view"]
    may_edit = role in PERMISSIONS["plan.edit"]
    assert client.get(stages_url(project)).status_code == (200 if may_view else 403)
    for path in ("/new", f"/{stage.id}/edit"):
        assert client.get(stages_url(project, path)).status_code == (200 if may_edit else 403)
    moved = client.post(stages_url(project, f"/{stage.id}/move"), data={"direction": "down"})
    assert moved.status_code == (302 if may_edit else 403)
    assert numbers(project)["Stage 1"] == (2 if may_edit else 1)


# Milestones ------------------------------------------------------------------------------------


def milestone_names(project) -> list[str]:
    _db.session.expire_all()
    return [
        m.name
        for m in _db.session.execute(
            _db.select(Milestone)
            .filter_by(project_id=project.id)
            .order_by(Milestone.position, Milestone.id)
        ).scalars()
    ]


def test_manager_adds_and_orders_milestones_until_the_plan_is_baselined(client, login_as, project):
    login_as(Role.MANAGER)
    MilestoneFactory(project=project, name="First", scheduled_finish=D(2010, 2, 1), position=1)
    _db.session.commit()
    url = f"/projects/{project.slug}/plan/milestones/new"
    outside = client.post(
        url, data={"name": "Too late", "stage": "0", "scheduled_finish": parts(D(2011, 4, 1))}
    )
    assert outside.status_code == 400
    assert "within the project's dates" in field_error(outside, "scheduled_finish")
    response = client.post(
        url,
        data={
            "name": "Award",
            "stage": str(project.stages[-1].id),
            "scheduled_finish": parts(project.end_date),
        },
    )
    assert response.status_code == 302, text_of(response)
    assert milestone_names(project) == ["First", "Award"]
    award = _db.session.execute(_db.select(Milestone).filter_by(name="Award")).scalar_one()
    move = f"/projects/{project.slug}/plan/milestones/{award.id}/move"
    stale = client.post(move, data={"direction": "up", "row_version": award.row_version + 1})
    assert stale.status_code == 302
    assert milestone_names(project) == ["First", "Award"]
    client.post(move, data={"direction": "up", "row_version": award.row_version})
    assert milestone_names(project) == ["Award", "First"]
    baseline(project)
    assert "no longer be added" in text_of(client.get(f"/projects/{project.slug}/plan/milestones"))
    assert client.post(move, data={"direction": "down"}).status_code == 302
    assert milestone_names(project) == ["Award", "First"]
    refused = client.post(
        url, data={"name": "Late", "stage": "0", "scheduled_finish": parts(D(2010, 5, 1))}
    )
    assert refused.status_code == 409
    assert milestone_names(project) == ["Award", "First"]


# A task edit past its stage's end goes through change control -------------------------------


def test_a_task_edit_past_its_stage_end_is_refused_with_a_way_to_raise_a_change(
    client, login_as, project
):
    login_as(Role.MANAGER)
    stage = project.stages[0]
    task = TaskFactory(
        project=project,
        stage=stage,
        code="1.1",
        activity="Workshop",
        start_date=stage.start_date,
        target_finish=stage.end_date,
    )
    _db.session.commit()
    data = {
        "code": "1.1",
        "stage": str(stage.id),
        "activity": "Workshop",
        "start_date": parts(stage.start_date),
        "target_finish": parts(stage.end_date + DAY),
        "actual_finish": ["", "", ""],
        "progress": "on_track",
        "work_stream": "0",
        "row_version": str(task.row_version),
    }
    response = client.post(f"/projects/{project.slug}/plan/tasks/{task.id}/edit", data=data)
    assert response.status_code == 400
    assert "raise a change request to move the end of the stage" in field_error(
        response, "target_finish"
    )
    assert f"/projects/{project.slug}/changes/new" in response.get_data(as_text=True)
    _db.session.expire_all()
    assert _db.session.get(Task, task.id).target_finish == stage.end_date
    data["target_finish"] = parts(stage.end_date - DAY)
    response = client.post(f"/projects/{project.slug}/plan/tasks/{task.id}/edit", data=data)
    assert response.status_code == 302, text_of(response)


def test_the_dashboard_flags_project_days_no_stage_covers(client, login_as, project):
    login_as(Role.MANAGER)
    page = client.get(f"/projects/{project.slug}/dashboard")
    assert "No stage covers 24 Feb 2011 to 31 Mar 2011" in text_of(page)


def test_a_milestone_edit_moves_its_date_only_within_the_project_until_baselined(
    client, login_as, project
):
    login_as(Role.MANAGER)
    milestone = MilestoneFactory(project=project, name="First", scheduled_finish=D(2010, 2, 1))
    _db.session.commit()
    url = f"/projects/{project.slug}/plan/milestones/{milestone.id}/edit"

    def post(day: dt.date, notes: str):
        _db.session.expire_all()
        version = _db.session.get(Milestone, milestone.id).row_version
        data = {"scheduled_finish": parts(day), "actual_finish": ["", "", ""], "notes": notes}
        return client.post(url, data=data | {"row_version": version})

    outside = post(project.end_date + DAY, "Too late")
    assert outside.status_code == 400
    assert "within the project's dates" in field_error(outside, "scheduled_finish")
    assert post(project.end_date, "Moved").status_code == 302
    baseline(project)
    assert "moves only through a change request" in text_of(client.get(url))
    refused = post(D(2010, 3, 1), "Moved again")
    assert refused.status_code == 400
    assert "only through a change request" in field_error(refused, "scheduled_finish")
    assert post(project.end_date, "Notes still change").status_code == 302
    _db.session.expire_all()
    saved = _db.session.get(Milestone, milestone.id)
    assert (saved.scheduled_finish, saved.notes) == (project.end_date, "Notes still change")


def test_the_stages_page_runs_a_fixed_number_of_queries(client, login_as, project, count_queries):
    login_as(Role.MANAGER)

    def count() -> int:
        with count_queries as queries:
            assert client.get(stages_url(project)).status_code == 200
        return queries.count

    few = count()
    last = project.stages[-1].end_date
    for n in range(1, 6):  # five more stages of a week each, after the last
        first = last + DAY + dt.timedelta(days=7 * (n - 1))
        StageFactory(project=project, number=5 + n, start_date=first, end_date=first + DAY * 6)
    _db.session.commit()
    assert count() == few


def test_a_stage_end_is_not_brought_before_its_tasks_finish(client, login_as, project):
    login_as(Role.MANAGER)
    stage = project.stages[0]
    TaskFactory(project=project, stage=stage, code="1.1", target_finish=stage.end_date - DAY)
    _db.session.commit()
    edit = stages_url(project, f"/{stage.id}/edit")
    early = client.post(
        edit, data=stage_data("Stage 1", stage.start_date, stage.end_date - DAY * 2)
    )
    assert early.status_code == 400
    assert field_error(early, "end_date").startswith("Task 1.1 finishes on ")
    assert (
        client.post(
            edit, data=stage_data("Stage 1", stage.start_date, stage.end_date - DAY)
        ).status_code
        == 302
    )
