"""The CSE template (seed/cse_template.toml) laid over a new project's dates."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.factories import ProjectFactory
from tracker.budget.models import BudgetLine, FundingSource
from tracker.evidence.models import Criterion, Element, SubCriterion
from tracker.plan.models import Milestone, Stage, Task
from tracker.setup.template import day_at, instantiate, load_template, spread_stages

START, END = dt.date(2026, 4, 1), dt.date(2027, 7, 31)


def test_the_template_has_the_five_stages_of_the_programme_with_products_and_tasks():
    template = load_template()
    assert [s.name for s in template.stages] == [
        "Organisational Preparation",
        "Meeting, Evidencing & Reviewing Criteria",
        "Pre Assessment, Gap Analysis & Correction",
        "Assessment & Verification",
        "Project Review & Ongoing Certification",
    ]
    assert all(s.products and s.tasks for s in template.stages)


def test_day_at_ends_and_middle():
    assert day_at(START, END, 0) == START
    assert day_at(START, END, 1) == END
    assert day_at(dt.date(2026, 1, 1), dt.date(2026, 1, 11), 0.5) == dt.date(2026, 1, 6)


def test_stages_follow_each_other_and_cover_the_span():
    ranges = spread_stages([0.25, 0.38, 0.19, 0.10, 0.08], START, END)
    assert ranges[0][0] == START and ranges[-1][1] == END
    for (_, last), (first, _) in zip(ranges, ranges[1:], strict=False):
        assert first == last + dt.timedelta(days=1)
    assert all(first <= last for first, last in ranges)


def test_a_span_too_short_gives_each_stage_a_day():
    ranges = spread_stages([0.5, 0.5, 0.0], START, START + dt.timedelta(days=1))
    assert all(first <= last for first, last in ranges)
    assert len({first for first, _ in ranges}) == 3


def test_a_template_whose_spans_do_not_add_up_is_refused(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        '[standard]\nseed = "project.toml"\n[[stages]]\nnumber = 1\nname = "One"\nspan = 0.5\n'
    )
    with pytest.raises(ValueError, match="add up to 1"):
        load_template(path)


def test_instantiation_spreads_dates_and_attaches_the_standard(db):
    project = ProjectFactory(start_date=START, end_date=END)
    instantiate(project, load_template())
    stages = db.session.execute(select(Stage).order_by(Stage.number)).scalars().all()
    assert len(stages) == 5
    assert stages[0].start_date == START and stages[-1].end_date == END
    assert all(s.products for s in stages)
    tasks = db.session.execute(select(Task)).scalars().all()
    by_stage = {s.id: s for s in stages}
    for task in tasks:
        stage = by_stage[task.stage_id]
        assert stage.start_date <= task.start_date <= task.target_finish <= stage.end_date
    assert {t.code for t in tasks} >= {"1.1", "2.1", "3.1", "4.1", "5.1"}
    (corporate,) = project.work_streams
    assert [t.activity for t in tasks if t.work_stream_id == corporate.id] == ["Corporate Evidence"]
    milestones = db.session.execute(select(Milestone).order_by(Milestone.position)).scalars()
    assert [m.scheduled_finish for m in milestones] == [s.end_date for s in stages]
    elements = db.session.execute(
        select(func.count(Element.id))
        .join(SubCriterion)
        .join(Criterion)
        .where(Criterion.standard_id == project.standard_id)
    ).scalar_one()
    assert elements == 57
    assert db.session.execute(select(func.count(BudgetLine.id))).scalar_one() == 0
    assert db.session.execute(select(func.count(FundingSource.id))).scalar_one() == 0


def test_a_second_project_shares_the_installed_standard(db):
    first = ProjectFactory(start_date=START, end_date=END)
    instantiate(first, load_template())
    second = ProjectFactory(start_date=START, end_date=END)
    instantiate(second, load_template())
    assert first.standard_id == second.standard_id
    assert db.session.execute(select(func.count(Element.id))).scalar_one() == 57
