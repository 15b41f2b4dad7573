"""One function per event, heard when the service where it happens announces it after its flush
(tracker.happenings; `register` listens): each names whom it concerns (recipients.py), says
what happened and who did it, and links to the page where it is seen or done. The messages are
sent only if the transaction commits."""

from __future__ import annotations

from tracker.auth.models import Person
from tracker.evidence.models import EvidenceItem, EvidenceStatus, GapAction
from tracker.extensions import db
from tracker.happenings import listen
from tracker.issues.models import ChangeRequest, ChangeStatus
from tracker.mail import recipients
from tracker.mail.notify import Event, absolute_url, tell
from tracker.plan.models import StageReview
from tracker.projects.models import Project
from tracker.reports.models import HighlightReport

SUMMARY_LENGTH = 200


def _project(project_id: int) -> Project:
    project = db.session.get(Project, project_id)
    assert project is not None
    return project


def _summary(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= SUMMARY_LENGTH else text[: SUMMARY_LENGTH - 1] + "…"


def _event(
    project_id: int,
    *,
    subject: str,
    happened: str,
    endpoint: str,
    link_text: str,
    details: tuple[str, ...] = (),
    **values: object,
) -> Event:
    """The event in the project, linking to `endpoint` (with the project's slug and `values`)."""
    project = _project(project_id)
    return Event(
        project=project,
        subject=subject,
        happened=happened,
        link=absolute_url(endpoint, slug=project.slug, **values),
        link_text=link_text,
        details=details,
    )


def stage_review_requested(review: StageReview, *, by: Person) -> None:
    stage = f"stage {review.stage.number} ({review.stage.name})"
    event = _event(
        review.stage.project_id,
        subject=f"Review of {stage} to decide",
        happened=f"{by.name} asked for your decision on the review of {stage}.",
        endpoint="plan.review_decide",
        link_text="Decide the review",
        review_id=review.id,
    )
    tell(recipients.stage_review_requested(review), event, actor=by)


def stage_review_decided(review: StageReview, *, by: Person) -> None:
    stage = f"stage {review.stage.number} ({review.stage.name})"
    decision = review.decision.label.lower() if review.decision else "decided"
    event = _event(
        review.stage.project_id,
        subject=f"Review of {stage}: {decision}",
        happened=f"{by.name} decided the review of {stage}: {decision}.",
        endpoint="plan.stage_review",
        link_text="See the decision",
        review_id=review.id,
    )
    tell(recipients.stage_review_decided(review), event, actor=by)


def _change_event(change: ChangeRequest, subject: str, happened: str, link_text: str) -> Event:
    return _event(
        change.project_id,
        subject=f"Change request {change.number} {subject}",
        happened=happened,
        endpoint="issues.change",
        link_text=link_text,
        details=(_summary(change.description),),
        change_id=change.id,
    )


def change_raised(change: ChangeRequest, *, by: Person) -> None:
    event = _change_event(
        change, "raised", f"{by.name} raised change request {change.number}.", "See the change"
    )
    tell(recipients.change_to_decide(change), event, actor=by)


def change_assessed(change: ChangeRequest, *, by: Person) -> None:
    event = _change_event(
        change,
        "to decide",
        f"{by.name} wrote the impact analysis of change request {change.number}.",
        "Decide the change",
    )
    tell(recipients.change_to_decide(change), event, actor=by)


def change_decided(change: ChangeRequest, *, by: Person) -> None:
    verdict = "approved" if change.status is ChangeStatus.APPROVED else "rejected"
    event = _change_event(
        change, verdict, f"{by.name} {verdict} change request {change.number}.", "See the change"
    )
    tell(recipients.change_decided(change), event, actor=by)


def _evidence_event(item: EvidenceItem, subject: str, happened: str, link_text: str) -> Event:
    """Only the item's title: never its description, files or the reviewer's comments, which
    may hold personal data."""
    return _event(
        item.project_id,
        subject=subject,
        happened=happened,
        endpoint="evidence.item",
        link_text=link_text,
        details=(f"Evidence: {item.title}",),
        item_id=item.id,
    )


def evidence_submitted(item: EvidenceItem, *, by: Person) -> None:
    event = _evidence_event(
        item,
        "Evidence to review",
        f"{by.name} submitted evidence for review.",
        "Review the evidence",
    )
    tell(recipients.evidence_submitted(item), event, actor=by)


def evidence_reviewed(item: EvidenceItem, *, by: Person) -> None:
    outcome = "accepted" if item.status is EvidenceStatus.ACCEPTED else "returned"
    event = _evidence_event(
        item,
        f"Evidence {outcome}",
        f"{by.name} {outcome} evidence"
        + (" with comments saying what it needs." if outcome == "returned" else "."),
        "See the evidence",
    )
    tell(recipients.evidence_reviewed(item), event, actor=by)


def gap_action_assigned(action: GapAction, *, by: Person | None) -> None:
    due = f", due {action.due_on:%d %b %Y}" if action.due_on else ""
    event = _event(
        action.project_id,
        subject=f"Gap action on element {action.element.code} for you",
        happened=(
            f"{by.name if by else 'Someone'} gave you a gap action on element "
            f"{action.element.code}{due}."
        ),
        endpoint="evidence.gap_actions",
        link_text="See your gap actions",
        details=(_summary(action.description),),
    )
    tell(recipients.gap_action_assigned(action), event, actor=by)


def report_issued(report: HighlightReport, *, by: Person | None) -> None:
    """A link to the report, never the report itself attached."""
    name = f"{report.kind.label} {report.number}"
    event = _event(
        report.project_id,
        subject=f"{name} issued",
        happened=f"{by.name if by else 'The project'} issued {name.lower()}"
        f" for {report.period_start:%d %b %Y} to {report.period_end:%d %b %Y}.",
        endpoint="reports.report",
        link_text="Read the report",
        report_id=report.id,
    )
    tell(recipients.report_issued(report), event, actor=by)


def register() -> None:
    """Listen to every event that sends a message (called once by create_app)."""
    for event, listener in {
        "stage_review.requested": stage_review_requested,
        "stage_review.decided": stage_review_decided,
        "change.raised": change_raised,
        "change.assessed": change_assessed,
        "change.decided": change_decided,
        "evidence.submitted": evidence_submitted,
        "evidence.reviewed": evidence_reviewed,
        "gap_action.assigned": gap_action_assigned,
        "report.issued": report_issued,
    }.items():
        listen(event, listener)
