"""Every page of the seeded project, each pointed at a real record: for the tests that walk
them all (tests/browser/test_every_page_axe.py, tests/test_every_page_robust.py)."""

from __future__ import annotations

import datetime as dt
import io

from flask import Flask

from tracker.audit import AuditEvent
from tracker.auth.models import Person
from tracker.budget.models import BudgetLine, FundingSource, SpendEntry, StaffResource
from tracker.evidence.access import Viewer
from tracker.evidence.files import store_upload
from tracker.evidence.models import AssessmentRound, Element, GapAction
from tracker.evidence.services import add_item
from tracker.evidence.storage import storage
from tracker.extensions import db
from tracker.issues.models import ChangeRequest, IssueLogEntry
from tracker.permissions import PERMISSIONS, SIGNED_IN
from tracker.plan.models import (
    Milestone,
    PlanBaseline,
    ReviewCondition,
    ReviewDecision,
    StageReview,
    Task,
)
from tracker.prepared.kinds import EVIDENCE_PACK
from tracker.prepared.models import PreparedDownload, PreparedStatus
from tracker.projects.models import Meeting, Project, Role, Service, WorkStream
from tracker.reports.models import HighlightReport, ReportStatus
from tracker.reports.services import new_draft
from tracker.risks.models import Risk
from tracker.withdrawal.services import withdraw

# Endpoints that answer with a file, not a page.
DOWNLOADS = frozenset(
    {
        "budget.lines_export",
        "budget.spend_export",
        "budget.staff_export",
        "calendars.meeting_ics",
        "evidence.download",
        "evidence.pack",
        "issues.changes_export",
        "issues.log_export",
        "plan.export",
        "reports.audit_export",
        "reports.evidence_export",
        "reports.gap_actions_export",
        "reports.milestones_export",
        "reports.report_pdf_download",
        "prepared.file",
        "risks.export",
        "risks.reviews_export",
        "transfer.export_download",
    }
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NOW = dt.datetime(2010, 4, 1, 9, 0, tzinfo=dt.UTC)


def _first(model: type, **where: object) -> object:
    return db.session.execute(db.select(model).filter_by(**where)).scalars().first()


def _prepared_pack(project: Project, manager: Person) -> PreparedDownload:
    """The manager's assessor's pack, as the worker leaves it when ready (its file is
    published when the caller commits)."""
    store = storage()
    key = store.new_key()
    with store.open_writer(key) as out:
        out.write(b"PK\x05\x06" + bytes(18))  # an empty ZIP
    ready = PreparedDownload(
        project=project,
        kind=EVIDENCE_PACK,
        requested_by_id=manager.id,
        requested_at=NOW,
        status=PreparedStatus.READY,
        storage_key=key,
        finished_at=NOW,
    )
    db.session.add(ready)
    return ready


def seeded_records(project: Project, manager: Person) -> tuple[dict, dict]:
    """Values for the routes' arguments, each a real record of the seeded project, and the
    values particular to one endpoint (where one argument name means different records)."""
    stream = project.work_streams[0]
    reviews = db.session.execute(
        db.select(StageReview).join(StageReview.stage).order_by(StageReview.id)
    ).scalars()
    approved, waiting = list(reviews)[:2]
    approved.requested_at = approved.decided_at = NOW
    approved.decision = ReviewDecision.APPROVED_WITH_CONDITIONS
    approved.conditions.append(ReviewCondition(text="Report the survey results in April"))
    waiting.requested_at = NOW
    waiting.summary = "Evidence gathered for stage 2"
    upload = store_upload(io.BytesIO(PDF), "Customer survey 2009.pdf", storage(), max_bytes=10**6)
    item = add_item(
        project,
        manager,
        Viewer(manager.id, frozenset({Role.MANAGER}), frozenset()),
        title="Customer survey 2009",
        description="The 2009 survey of customers at the contact centre",
        work_stream_id=stream.id,
        elements=[_first(Element, code="1.1.1")],
        evidence_date=dt.date(2009, 6, 1),
        review_by=None,
        link_url=None,
        personal_data=False,
        retain_until=None,
        stored=upload,
        now=NOW,
    )
    element = _first(Element, code="1.2.1")
    action = GapAction(project_id=project.id, element_id=element.id, description="Survey again")
    draft = new_draft(project, manager, dt.date(2010, 3, 1), dt.date(2010, 3, 31), NOW.date())
    db.session.add(action)
    # One withdrawn record, so that the withdrawn list has a row to restore.
    mistake = GapAction(project_id=project.id, element_id=element.id, description="Sent twice")
    db.session.add(mistake)
    db.session.flush()
    withdraw(mistake, "Entered twice", manager, NOW)
    risk = _first(Risk, project_id=project.id)
    issued = _first(HighlightReport, project_id=project.id, status=ReportStatus.ISSUED)
    event = _first(AuditEvent, table_name="risk", record_id=risk.id)
    prepared = _prepared_pack(project, manager)
    db.session.flush()
    assert event is not None, "the seeded risk has no audit trail to show"
    values = {
        "slug": project.slug,
        "task_id": _first(Task, project_id=project.id, work_stream_id=stream.id).id,
        "milestone_id": _first(Milestone, project_id=project.id).id,
        "stage_id": project.stages[0].id,
        "resource_id": _first(StaffResource, project_id=project.id).id,
        "review_id": approved.id,
        "condition_id": approved.conditions[0].id,
        "baseline_id": _first(PlanBaseline, project_id=project.id).id,
        "risk_id": risk.id,
        "entry_id": _first(IssueLogEntry, project_id=project.id).id,
        "change_id": _first(ChangeRequest, project_id=project.id).id,
        "line_id": _first(BudgetLine, project_id=project.id).id,
        "source_id": _first(FundingSource, project_id=project.id).id,
        "item_id": item.id,
        "file_id": item.files[0].id,
        "action_id": action.id,
        "round_id": _first(AssessmentRound, project_id=project.id).id,
        "code": "1.1.1",
        "report_id": issued.id,
        "meeting_id": _first(Meeting, project_id=project.id).id,
        "work_stream_id": stream.id,
        "service_id": _first(Service, project_id=project.id).id,
        "table": "risk",
        "record_id": risk.id,
        "download_id": prepared.id,
    }
    particular = {
        **_withdrawal_pages(values, item.id),
        "reports.report_edit": {"report_id": draft.id},
        "plan.review_decide": {"review_id": waiting.id},
        # A stream the seed gives elements to (the first stream, CORP, has none).
        **{
            endpoint: {"work_stream_id": _first(WorkStream, project_id=project.id, code="AH").id}
            for endpoint in ("evidence.stream_owes_page", "evidence.stream_elements_edit")
        },
    }
    return values, particular


def _withdrawal_pages(values: dict, item_id: int) -> dict:
    """Each withdrawal page pointed at a record of its kind."""
    spend = db.session.execute(db.select(SpendEntry)).scalars().first()
    ids = {
        "task": values["task_id"],
        "milestone": values["milestone_id"],
        "risk": values["risk_id"],
        "issue": values["entry_id"],
        "change": values["change_id"],
        "budget_line": values["line_id"],
        "spend": spend.id,
        "evidence": item_id,
        "gap_action": values["action_id"],
        "meeting": values["meeting_id"],
    }
    return {f"withdrawal.withdraw_{word}": {"record_id": id_} for word, id_ in ids.items()}


def manager_pages(
    app: Flask, values: dict, particular: dict, *, downloads: bool = False
) -> list[str]:
    """Every GET page a project manager may reach (and the downloads, with `downloads`), with
    its arguments filled in from `seeded_records`."""
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or (rule.endpoint in DOWNLOADS and not downloads):
            continue
        if rule.endpoint.split(".")[0] in {"static", "api", "assets"}:
            continue
        action = app.view_functions[rule.endpoint].required_action
        if action != SIGNED_IN and Role.MANAGER not in PERMISSIONS.get(action, ()):
            continue
        arguments = values | particular.get(rule.endpoint, {})
        urls.append(
            adapter.build(rule.endpoint, {name: arguments[name] for name in rule.arguments})
        )
    return urls
