"""Every id a form takes is one of the project's own: another project's id, or one that does
not exist, is refused with a message beside the field, and nothing is saved (never a 500)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import (
    MeetingFactory,
    PersonFactory,
    StaffResourceFactory,
    TaskFactory,
    make_project,
    member,
)
from tracker.budget.models import BudgetLine, FundingSource, SpendEntry, StaffTime
from tracker.evidence.models import Element, EvidenceItem, GapAction
from tracker.extensions import db
from tracker.issues.models import IssueLogEntry
from tracker.plan.models import Task, TaskDependency
from tracker.projects.models import Role
from tracker.reports.models import HighlightReport
from tracker.risks.models import Risk

HUGE = "99999999999999999999"
MISSING = "987654"


def budget_line(project) -> BudgetLine:
    """A budget line of `project` from a new funding source, not yet added to the session."""
    source = FundingSource(
        project_id=project.id, code="SF", name="Service First", allocation_pence=1
    )
    return BudgetLine(
        project_id=project.id,
        source=source,
        product="Training",
        unit_cost_pence=1,
        provision_pence=1,
    )


def _records(project) -> dict[str, int]:
    """One of each record a form chooses by id, in `project`."""
    person = PersonFactory()
    member(person, project, Role.WS_LEAD)
    line = budget_line(project)
    source = line.source
    db.session.add(line)
    resource = StaffResourceFactory(project=project, days_each=5)
    meeting = MeetingFactory(project=project, held_on=dt.date(2030, 1, 1))
    task = TaskFactory(project=project)
    db.session.commit()
    return {
        "person": person.id,
        "source": source.id,
        "line": line.id,
        "resource": resource.id,
        "meeting": meeting.id,
        "task": task.id,
        "stage": project.stages[0].id,
        "stream": project.work_streams[0].id,
        # An element of the seed's standard (the one the first project uses), for evidence.
        "element": db.session.execute(db.select(Element.id).filter_by(code="1.1.1")).scalar(),
    }


def _date(day: dt.date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


TASK = {
    "activity": "Workshop",
    "start_date": ["1", "12", "2009"],
    "target_finish": ["28", "2", "2010"],  # the last day of stage 1: a task fits in its stage
    "progress": "on_track",
}

# (path, the form's other fields, the id field and the record kind it takes, the table it saves)
CASES = [
    (
        "evidence/new",
        {"title": "Survey", "elements": "{element}", "link_url": "https://intranet/survey"},
        "work_stream",
        "stream",
        EvidenceItem,
    ),
    (
        "budget/lines/new",
        {"product": "Training", "quantity": "1", "unit_cost": "10"},
        "source",
        "source",
        BudgetLine,
    ),
    (
        "budget/spend/new",
        {"spent_on": ["1", "2", "2010"], "amount": "10"},
        "line",
        "line",
        SpendEntry,
    ),
    (
        "staff/record",
        {"month": ["2", "2010"], "days": "1", "resource": "{resource}"},
        "person",
        "person",
        StaffTime,
    ),
    (
        "staff/record",
        {"month": ["3", "2010"], "days": "1", "person": "{person}"},
        "resource",
        "resource",
        StaffTime,
    ),
    (
        "issues/new",
        {"description": "Late", "identified_on": ["1", "2", "2010"], "status": "open"},
        "author",
        "person",
        IssueLogEntry,
    ),
    (
        "risks/new",
        {
            "description": "Staff leave",
            "probability": "M",
            "impact": "H",
            "countermeasures": "Share",
            "action_date": ["31", "3", "2010"],
            "status": "open",
        },
        "owner",
        "person",
        Risk,
    ),
    (
        "plan/tasks/new",
        TASK | {"code": "9.9", "work_stream": "0"},
        "stage",
        "stage",
        Task,
    ),
    (
        "plan/tasks/new",
        TASK | {"code": "9.8", "stage": "{stage}"},
        "work_stream",
        "stream",
        Task,
    ),
    (
        "reports/new-work-stream",
        {"period_start": ["1", "3", "2010"], "period_end": ["31", "3", "2010"]},
        "work_stream",
        "stream",
        HighlightReport,
    ),
    (
        "standard/elements/1.1.1/gap-actions/new",
        {"description": "Survey again", "status": "open"},
        "owner",
        "person",
        GapAction,
    ),
    ("plan/dependencies/add", {"successor": "t{task}"}, "predecessor", "t", TaskDependency),
]


@pytest.fixture
def two_projects(db, project):
    from pathlib import Path

    from tracker.evidence.models import Standard
    from tracker.seeding import load_seed

    load_seed(Path(__file__).resolve().parent.parent / "seed")
    project.standard_id = db.session.execute(db.select(Standard.id)).scalars().first()
    other = make_project()
    return _records(project), _records(other)


def _filled(fields: dict, ours: dict[str, int]) -> dict:
    """The form's other fields, with "{kind}" in a value replaced by our record's id."""
    return {
        name: value.format(**ours) if isinstance(value, str) else value
        for name, value in fields.items()
    }


def _count(model: type) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


@pytest.mark.parametrize(("path", "fields", "field", "kind", "model"), CASES)
def test_a_form_refuses_an_id_that_is_not_the_projects_own(
    client, login_as, project, two_projects, path, fields, field, kind, model
):
    ours, theirs = two_projects
    login_as(Role.MANAGER)
    filled = _filled(fields, ours)
    if kind == "t":  # a dependency names a task as "t<id>"
        foreign = [f"t{theirs['task']}", f"t{MISSING}", f"t{HUGE}", "t1x"]
    else:
        foreign = [str(theirs[kind]), MISSING, HUGE, "abc"]
    before = _count(model)
    for value in foreign:
        response = client.post(
            f"/projects/{project.slug}/{path}",
            data=filled | {field: value},
            content_type="multipart/form-data",
        )
        assert response.status_code == 400, (path, field, value, response.status_code)
        error = response.text.split(f'id="{field}-error"', 1)
        assert len(error) == 2, (path, field, value)  # the message is beside the field
        after = _count(model)
        assert after == before, (path, field, value)


def test_the_forms_still_take_the_projects_own_ids(client, login_as, project, two_projects):
    """The refusals above are of the foreign id, not of the rest of the form."""
    ours, _ = two_projects
    login_as(Role.MANAGER)
    for path, fields, field, kind, model in CASES:
        if kind == "t":
            continue  # a task cannot wait for itself; tests/test_timeline_views.py adds one
        data = _filled(fields, ours) | {field: str(ours[kind])}
        before = _count(model)
        response = client.post(
            f"/projects/{project.slug}/{path}", data=data, content_type="multipart/form-data"
        )
        assert response.status_code == 302, (path, field, response.text[-3000:])
        after = _count(model)
        assert after == before + 1, path
