"""Withdrawn records leave every list, count, figure, chart, readiness, budget total and report
(issue 13): on the seeded project, what the tracker works out with records withdrawn is what it
works out when those records were never there."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from tests.factories import EvidenceItemFactory, MilestoneFactory, PersonFactory, member
from tests.helpers import sign_in
from tests.html import text_of
from tracker.budget.figures import budget_summary, load_sources
from tracker.budget.models import BudgetLine, SpendEntry
from tracker.database import INCLUDE_WITHDRAWN, utcnow
from tracker.evidence.models import Element, EvidenceItem, EvidenceStatus, GapAction
from tracker.evidence.readiness import project_readiness, readiness_dict
from tracker.extensions import db as _db
from tracker.issues.log import issue_log
from tracker.issues.models import IssueLogEntry
from tracker.plan.milestones import project_milestones
from tracker.plan.models import Milestone, Task
from tracker.projects.models import Project, Role
from tracker.reports.dashboard import gather_dashboard
from tracker.reports.snapshots import snapshot
from tracker.risks.models import Risk
from tracker.risks.services import heat_map, project_risks
from tracker.withdrawal.kinds import KINDS
from tracker.withdrawal.services import withdraw

ON = dt.date(2010, 2, 26)


def _first_free(model: type, project: Project, **where: object) -> object:
    """The first record of `model` in the project that may be withdrawn (no dependants)."""
    kind = next(kind for kind in KINDS.values() if kind.model is model)
    rows = _db.session.execute(
        _db.select(model).filter_by(**where).where(kind.in_project(project.id))
    ).scalars()
    return next(row for row in rows if kind.refusal(row) is None)


def _figures(project: Project) -> dict:
    """Everything derived from the records, as plain values."""
    _db.session.expire_all()
    board = gather_dashboard(project, frozenset({Role.MANAGER}), ON)
    risks = project_risks(project)
    return {
        "report": snapshot(project, ON),
        "readiness": readiness_dict(project_readiness(project, ON)),
        "budget": dataclasses.asdict(budget_summary(project).totals),
        "risks": sorted(r.number for r in risks),
        "heat": heat_map(risks).total,
        "issues": sorted(e.number for e in issue_log(project)),
        "milestones": [m.name for m in project_milestones(project)],
        "dashboard_budget": dataclasses.asdict(board.budget.totals),
        "dashboard_months": [m.actual_pence for m in board.months],
        "dashboard_risks": len(board.risks),
        "dashboard_issues": len(board.open_issues),
        "dashboard_milestones": [row.milestone.name for row in board.milestones],
        "tasks": _db.session.execute(
            _db.select(_db.func.count(Task.id)).where(Task.project_id == project.id)
        ).scalar_one(),
        "evidence": _db.session.execute(
            _db.select(_db.func.count(EvidenceItem.id)).where(EvidenceItem.project_id == project.id)
        ).scalar_one(),
    }


def _mistakes(project: Project) -> list:
    """A record of each kind, each free to withdraw: the spend before its line."""
    line = (
        _db.session.execute(
            _db.select(BudgetLine)
            .where(BudgetLine.project_id == project.id, BudgetLine.spend.any())
            .order_by(BudgetLine.id)
        )
        .scalars()
        .first()
    )
    return [
        *line.spend,
        line,
        _first_free(Task, project),
        _first_free(Milestone, project, name="Entered twice"),
        _first_free(Risk, project),
        _first_free(IssueLogEntry, project),
        _first_free(EvidenceItem, project),
    ]


def test_withdrawn_records_count_as_never_there(db, seeded):
    manager = PersonFactory()
    member(manager, seeded, Role.MANAGER)
    # The seeded milestones are all reached or awaited: one added by mistake.
    MilestoneFactory(project=seeded, name="Entered twice", scheduled_finish=dt.date(2010, 3, 15))
    element = _db.session.execute(_db.select(Element).filter_by(code="1.1.1")).scalar_one()
    EvidenceItemFactory(
        project=seeded, title="Survey", status=EvidenceStatus.ACCEPTED, elements=[element]
    )
    before = _figures(seeded)
    mistakes = _mistakes(seeded)
    identities = [(type(record), record.id) for record in mistakes]
    for record in mistakes:
        withdraw(record, "Entered by mistake", manager, utcnow())
    withdrawn = _figures(seeded)
    changed = ("report", "budget", "risks", "issues", "milestones", "tasks")
    for key in (*changed, "evidence", "dashboard_milestones"):
        assert withdrawn[key] != before[key], key
    for model, record_id in identities:  # the spend before its line
        found = _db.session.execute(
            _db.select(model).where(model.id == record_id).execution_options(**INCLUDE_WITHDRAWN)
        ).scalar_one()
        _db.session.delete(found)
        _db.session.flush()
    assert _figures(seeded) == withdrawn


def test_withdrawn_spend_leaves_the_budget_totals(db, seeded):
    manager = PersonFactory()
    member(manager, seeded, Role.MANAGER)
    entry = _db.session.execute(_db.select(SpendEntry).order_by(SpendEntry.id)).scalars().first()
    spent = budget_summary(seeded).totals.actual_pence
    withdraw(entry, "Entered twice", manager, utcnow())
    _db.session.expire_all()
    assert budget_summary(seeded).totals.actual_pence == spent - entry.amount_pence
    loaded = load_sources(seeded)
    assert all(s.id != entry.id for source in loaded for line in source.lines for s in line.spend)


def test_withdrawn_records_leave_the_pages_exports_and_api(db, client, seeded):
    manager = PersonFactory()
    member(manager, seeded, Role.MANAGER)
    risk = _first_free(Risk, seeded)
    action = _db.session.execute(_db.select(GapAction)).scalars().first()
    withdraw(risk, "Entered twice", manager, utcnow())
    if action is not None:
        withdraw(action, "Entered twice", manager, utcnow())
    from tracker.api.services import create_token  # noqa: PLC0415

    _, token = create_token(manager, "figures", utcnow())
    _db.session.commit()
    sign_in(client, manager)
    slug = seeded.slug
    log = text_of(client.get(f"/projects/{slug}/risks"))
    assert risk.description not in log
    export = client.get(f"/projects/{slug}/risks/export?format=csv").get_data(as_text=True)
    assert risk.description not in export
    dashboard = text_of(client.get(f"/projects/{slug}/dashboard"))
    assert risk.description not in dashboard
    api = client.get(f"/api/v1/projects/{slug}/risks", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    assert risk.description not in json.dumps(api.get_json())
    if action is not None:
        assert action.description not in text_of(client.get(f"/projects/{slug}/gap-actions"))
    listed = text_of(client.get(f"/projects/{slug}/withdrawn"))
    assert risk.description in listed


def test_withdrawn_records_leave_the_counts_on_the_project_home(db, client, project):
    from tests.factories import RiskFactory, TaskFactory  # noqa: PLC0415

    manager = PersonFactory()
    member(manager, project, Role.MANAGER)
    RiskFactory(project=project)
    TaskFactory(project=project)
    withdraw(RiskFactory(project=project), "Entered twice", manager, utcnow())
    withdraw(TaskFactory(project=project), "Entered twice", manager, utcnow())
    _db.session.commit()
    sign_in(client, manager)
    home = text_of(client.get(f"/projects/{project.slug}/"))
    assert "Work plan tasks 1 " in home and "Risks 1 " in home
