"""Baselines: saving a named copy of the plan's dates, and comparing the plan with it."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.plan.baselines import (
    PlanData,
    baseline_finishes,
    compare,
    load_plan,
    save_baseline,
    snapshot,
)
from tracker.plan.models import Milestone, PlanBaseline, Progress, Stage, Task, TaskDependency
from tracker.rules import RuleRefused


def item(kind, id_, code, name, start, finish):
    return {
        "kind": kind,
        "id": id_,
        "code": code,
        "name": name,
        "start": start,
        "finish": finish,
    }


BASE = [
    item("stage", 1, "S1", "Organisational Preparation", "2009-12-01", "2010-03-31"),
    item("task", 10, "1.1", "Getting Started Workshop", "2009-12-01", "2010-01-31"),
    item("task", 11, "1.2", "Self Assessment", "2009-12-01", "2010-02-28"),
    item("task", 12, "1.3", "Journey Mapping", "2009-12-01", "2010-02-28"),
    item("milestone", 5, None, "Stage 1 complete", None, "2010-02-28"),
]


def test_compare_says_what_moved_and_by_how_many_days():
    current = [dict(i) for i in BASE]
    current[2]["finish"] = "2010-03-31"  # 1.2 moved a month
    current[4]["finish"] = "2010-03-31"  # the milestone too
    current[0]["start"] = "2009-11-25"  # the stage starts earlier
    del current[3]  # 1.3 removed
    current.append(item("task", 13, "1.6", "Corporate Evidence", "2010-01-01", "2010-03-31"))
    result = compare(BASE, current)
    stages, tasks, milestones = result.kinds
    assert [c.label for c in tasks.moved] == ["1.2 Self Assessment"]
    assert tasks.moved[0].finish_moved == 31 and tasks.moved[0].start_moved == 0
    assert [c.label for c in tasks.removed] == ["1.3 Journey Mapping"]
    assert [c.label for c in tasks.added] == ["1.6 Corporate Evidence"]
    assert tasks.unchanged == 1
    assert milestones.moved[0].finish_moved == 31
    assert stages.moved[0].start_moved == -6 and stages.moved[0].finish_moved == 0
    assert result.has_changes
    assert (result.count("moved"), result.count("added"), result.count("removed")) == (3, 1, 1)


def test_an_unchanged_plan_compares_as_unchanged():
    result = compare(BASE, [dict(i) for i in BASE])
    assert not result.has_changes
    assert [k.unchanged for k in result.kinds] == [1, 3, 1]


def test_records_entered_again_are_matched_by_code_or_name():
    current = [dict(i, id=i["id"] + 100) for i in BASE]
    current[1]["finish"] = "2010-02-05"
    result = compare(BASE, current)
    tasks = result.kinds[1]
    assert not tasks.added and not tasks.removed
    assert tasks.moved[0].label == "1.1 Getting Started Workshop"
    assert tasks.moved[0].finish_moved == 5
    assert result.kinds[2].unchanged == 1  # the milestone, by name


def test_dates_that_appear_or_disappear_count_as_moved_without_a_day_count():
    current = [dict(i) for i in BASE]
    current[1]["start"] = None
    result = compare(BASE, current)
    change = result.kinds[1].moved[0]
    assert change.start_moved is None
    assert change.finish_moved == 0


def _plan(db, project):
    stage = db.session.execute(
        db.select(Stage).filter_by(project_id=project.id, number=1)
    ).scalar_one()
    db.session.add_all(
        [
            Task(
                project_id=project.id,
                stage_id=stage.id,
                code="1.1",
                activity="Getting Started Workshop",
                start_date=dt.date(2009, 12, 1),
                target_finish=dt.date(2010, 1, 31),
            ),
            Milestone(
                project_id=project.id,
                stage_id=stage.id,
                name="Stage 1 complete",
                scheduled_finish=dt.date(2010, 3, 31),
            ),
        ]
    )
    db.session.flush()
    return load_plan(project)


def test_save_baseline_keeps_a_copy_of_every_date(db, project, login_as):
    person = login_as(None)
    plan = _plan(db, project)
    baseline = save_baseline(plan, "  V1.2   26 Feb 2010 ", dt.date(2010, 2, 26), person)
    db.session.commit()
    assert baseline.name == "V1.2 26 Feb 2010"
    assert baseline.taken_by_id == person.id
    kinds = [i["kind"] for i in baseline.items]
    assert kinds.count("stage") == 5 and kinds.count("task") == 1 and kinds.count("milestone") == 1
    task_item = next(i for i in baseline.items if i["kind"] == "task")
    assert task_item["start"] == "2009-12-01" and task_item["finish"] == "2010-01-31"
    # The copy does not follow later changes to the plan.
    task = db.session.execute(db.select(Task)).scalar_one()
    task.target_finish = dt.date(2010, 2, 14)
    db.session.commit()
    stored = db.session.get(PlanBaseline, baseline.id)
    assert next(i for i in stored.items if i["kind"] == "task")["finish"] == "2010-01-31"
    moved = compare(stored.items, snapshot(load_plan(project))).kinds[1].moved
    assert moved[0].finish_moved == 14
    # Baseline dates are looked up by the chart's keys.
    finishes = baseline_finishes(stored)
    assert finishes[f"t{task.id}"] == (dt.date(2009, 12, 1), dt.date(2010, 1, 31))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter a name for the baseline"),
        ("   ", "Enter a name for the baseline"),
        ("x" * 201, "200 characters or fewer"),
        ("v1.2 26 FEB 2010", "There is already a baseline called"),
    ],
)
def test_a_baseline_name_is_required_and_unique_in_the_project(db, project, name, message):
    plan = _plan(db, project)
    save_baseline(plan, "V1.2 26 Feb 2010", dt.date(2010, 2, 26), None)
    with pytest.raises(RuleRefused, match=message):
        save_baseline(plan, name, dt.date(2010, 2, 27), None)


def test_a_name_saved_a_moment_earlier_is_refused_beside_the_name(db, project):
    plan = _plan(db, project)
    with db.session.no_autoflush:  # someone else's baseline, not yet seen by the check
        db.session.add(
            PlanBaseline(project_id=project.id, name="V1.3", taken_on=dt.date(2010, 3, 1), items=[])
        )
        with pytest.raises(RuleRefused) as refused:
            save_baseline(plan, "V1.3", dt.date(2010, 3, 1), None)
    assert (refused.value.message, refused.value.field) == (
        "There is already a baseline with this name: choose another name",
        "name",
    )
    db.session.rollback()


def test_the_same_name_may_be_used_in_another_project(db, project):
    from tests.factories import make_project

    save_baseline(_plan(db, project), "V1.2", dt.date(2010, 2, 26), None)
    other = make_project()
    assert save_baseline(load_plan(other), "V1.2", dt.date(2010, 2, 26), None).id


def test_the_seeded_baseline_compares_with_the_seeded_plan(seeded, db):
    """The seed writes its baseline in the same shape: nothing has moved since."""
    baseline = db.session.execute(
        db.select(PlanBaseline).where(PlanBaseline.project_id == seeded.id)
    ).scalar_one()
    result = compare(baseline.items, snapshot(load_plan(seeded)))
    assert not result.has_changes, result


@pytest.mark.parametrize("as_of", [None, dt.date(2026, 12, 1)])
def test_a_task_marked_complete_without_an_actual_finish_does_not_move(as_of):
    """Done is done: neither a late predecessor nor the date of the forecast moves it."""
    day = dt.date
    late = Task(id=1, code="1.1", start_date=day(2010, 1, 1), target_finish=day(2010, 1, 31))
    late.actual_finish, late.progress = day(2010, 3, 1), Progress.COMPLETE
    done = Task(id=2, code="1.2", start_date=day(2010, 2, 1), target_finish=day(2010, 2, 28))
    done.actual_finish, done.progress = None, Progress.COMPLETE
    waiting = Task(id=3, code="1.3", start_date=day(2010, 3, 1), target_finish=day(2010, 3, 31))
    waiting.actual_finish, waiting.progress = None, Progress.ON_TRACK
    links = [
        TaskDependency(predecessor_id=1, successor_task_id=2, lag_days=0),
        TaskDependency(predecessor_id=2, successor_task_id=3, lag_days=0),
    ]
    plan = PlanData(None, [], [], [late, done, waiting], [], links)  # type: ignore[arg-type]
    result = plan.forecast(as_of=as_of)
    assert (result["t2"].finish, result["t2"].slip) == (day(2010, 2, 28), 0)
    # The unfinished task is still pushed by the date of the forecast, when one is given.
    assert result["t3"].finish == (as_of or day(2010, 3, 31))
