"""Withdrawing records added by mistake and restoring them (issue 13): the rules at their edges,
each kind withdrawn and restored through the pages, who may, and bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import (
    BudgetLineFactory,
    ChangeEffectFactory,
    ChangeRequestFactory,
    EvidenceItemFactory,
    GapActionFactory,
    IssueLogEntryFactory,
    MeetingFactory,
    MilestoneFactory,
    RiskFactory,
    SpendEntryFactory,
    TaskDependencyFactory,
    TaskFactory,
    make_element,
)
from tests.html import error_summary, text_of
from tracker.audit import AuditEvent
from tracker.database import INCLUDE_WITHDRAWN, utcnow
from tracker.extensions import db as _db
from tracker.issues.changes import next_change_number
from tracker.issues.models import ChangeStatus, EffectTarget, EntryType, IssueLogEntry
from tracker.numbering import next_log_number
from tracker.plan.models import Task
from tracker.plan.tasks import TaskValues, task_problems
from tracker.projects.models import Role
from tracker.risks.models import Risk
from tracker.rules import RuleRefused
from tracker.withdrawal import rules
from tracker.withdrawal.kinds import KINDS
from tracker.withdrawal.services import restore, withdraw

NOW = dt.datetime(2010, 3, 1, 9, 0, tzinfo=dt.UTC)


def _withdrawn(record) -> object:
    """The record as saved now, withdrawn or not."""
    return _db.session.execute(
        _db.select(type(record))
        .where(type(record).id == record.id)
        .execution_options(**INCLUDE_WITHDRAWN)
    ).scalar_one()


# The rules at their edges -------------------------------------------------------------------


def test_a_task_that_others_wait_for_is_refused_with_their_names(db, project):
    first = TaskFactory(project=project, code="1.1", activity="Workshop")
    second = TaskFactory(project=project, code="1.2", activity="Survey")
    alone = TaskFactory(project=project, code="1.3")
    TaskDependencyFactory(project=project, predecessor_id=first.id, successor_task_id=second.id)
    assert rules.task_refusal(first) == (
        "Remove its dependencies first: task 1.2 Survey waits for it"
    )
    assert rules.task_refusal(second) == (
        "Remove its dependencies first: it waits for task 1.1 Workshop"
    )
    assert rules.task_refusal(alone) is None


def test_a_milestone_reached_or_awaited_is_refused(db, project):
    reached = MilestoneFactory(project=project, actual_finish=dt.date(2010, 3, 1))
    awaited = MilestoneFactory(project=project, name="Stage 1 review")
    waiting = TaskFactory(project=project, code="2.1", activity="Plan stage 2")
    TaskDependencyFactory(
        project=project, predecessor_milestone_id=awaited.id, successor_task_id=waiting.id
    )
    free = MilestoneFactory(project=project)
    assert "reached on 1 Mar 2010" in rules.milestone_refusal(reached)
    assert "task 2.1 Plan stage 2 waits for it" in rules.milestone_refusal(awaited)
    assert rules.milestone_refusal(free) is None


def _moving(project, task: Task, status: ChangeStatus, **effect: object):
    """A change request in `status` that moves the task's target finish to 1 Jun 2010."""
    change = ChangeRequestFactory(project=project, status=status)
    ChangeEffectFactory(
        change_request=change,
        target=EffectTarget.TASK,
        target_id=task.id,
        field="target_finish",
        new_date=dt.date(2010, 6, 1),
        **effect,
    )
    return change


def test_a_record_a_pending_change_would_move_is_refused(db, project):
    task = TaskFactory(project=project)
    change = _moving(project, task, ChangeStatus.ASSESSED)
    assert f"Change request {change.number}, not yet decided, would change it" == (
        rules.task_refusal(task)
    )
    change.status = ChangeStatus.REJECTED
    assert rules.task_refusal(task) is None


@pytest.mark.parametrize(
    ("status", "refused"),
    [
        (ChangeStatus.RAISED, False),
        (ChangeStatus.ASSESSED, False),
        (ChangeStatus.APPROVED, True),
        (ChangeStatus.REJECTED, True),
    ],
)
def test_only_an_undecided_change_request_may_be_withdrawn(db, project, status, refused):
    change = ChangeRequestFactory(project=project, status=status)
    assert (rules.change_refusal(change) is not None) is refused


def test_a_budget_line_with_spend_is_refused_until_the_spend_is_withdrawn(db, project):
    line = BudgetLineFactory(project=project)
    assert rules.budget_line_refusal(line) is None
    entry = SpendEntryFactory(line=line, amount_pence=120000)
    assert rules.budget_line_refusal(line) == (
        "£1,200.00 of spend is recorded against it (1 entry): withdraw the spend first"
    )
    withdraw(entry, "Entered twice", _person(project), NOW)
    assert rules.budget_line_refusal(line) is None


def _person(project):
    from tests.factories import PersonFactory, member

    person = PersonFactory()
    member(person, project, Role.MANAGER)
    return person


def test_the_issue_entry_of_a_change_request_goes_with_the_request(db, project):
    entry = IssueLogEntryFactory(project=project, type=EntryType.REQUEST_FOR_CHANGE)
    change = ChangeRequestFactory(project=project, issue_entry=entry)
    assert "withdraw the change request" in rules.issue_refusal(entry)
    withdraw(change, "Raised twice", _person(project), NOW)
    assert _withdrawn(entry).is_withdrawn
    assert "restore the change request" in rules.issue_restore_refusal(entry)
    restore(change, _person(project))
    assert not _withdrawn(entry).is_withdrawn


def test_withdrawing_and_restoring_happen_once(db, project):
    risk = RiskFactory(project=project)
    person = _person(project)
    with pytest.raises(RuleRefused, match="Enter why"):
        withdraw(risk, "   ", person, NOW)
    withdraw(risk, "Entered twice", person, NOW)
    with pytest.raises(RuleRefused, match="already been withdrawn"):
        withdraw(risk, "Again", person, NOW)
    restore(risk, person)
    with pytest.raises(RuleRefused, match="already been restored"):
        restore(risk, person)


def test_spend_comes_back_only_onto_a_line_in_the_budget(db, project):
    line = BudgetLineFactory(project=project, product="Workshop")
    entry = SpendEntryFactory(line=line, amount_pence=100)
    person = _person(project)
    withdraw(entry, "Wrong line", person, NOW)
    withdraw(line, "Not needed", person, NOW)
    with pytest.raises(RuleRefused, match="Workshop, is withdrawn: restore the line first"):
        restore(entry, person)
    restore(line, person)
    restore(entry, person)


def test_numbers_of_withdrawn_records_stay_taken(db, project):
    person = _person(project)
    risk = RiskFactory(project=project)
    entry = IssueLogEntryFactory(project=project)
    change = ChangeRequestFactory(project=project)
    for record in (risk, entry, change):
        withdraw(record, "Mistake", person, NOW)
    assert next_log_number(Risk, project.id) == "02"
    assert next_log_number(IssueLogEntry, project.id) == "02"
    assert next_change_number(project.id) == 2
    assert RiskFactory(project=project).number == "02"


# Through the pages ------------------------------------------------------------------------------


def _records(project) -> dict[str, object]:
    """One record of every kind, none with anything depending on it."""
    line = BudgetLineFactory(project=project, product="Leaflets")
    records = {
        "task": TaskFactory(project=project, code="9.9", activity="Sent twice"),
        "milestone": MilestoneFactory(project=project, name="Sent twice"),
        "risk": RiskFactory(project=project),
        "issue": IssueLogEntryFactory(project=project),
        "change": ChangeRequestFactory(project=project),
        "budget-line": BudgetLineFactory(project=project),
        "spend": SpendEntryFactory(line=line, amount_pence=4200),
        "evidence": EvidenceItemFactory(project=project),
        "gap-action": GapActionFactory(project=project, element=make_element()),
        "meeting": MeetingFactory(project=project),
    }
    _db.session.commit()
    return records


@pytest.mark.parametrize("word", list(KINDS))
def test_each_kind_is_withdrawn_and_restored_through_the_pages(db, client, login_as, project, word):
    records = _records(project)
    record = records[word]
    kind = KINDS[word]
    manager = login_as(Role.MANAGER)
    address = f"/projects/{project.slug}/withdraw/{word}/{record.id}"
    confirm = client.get(address)
    assert confirm.status_code == 200
    assert f"Withdraw this {kind.name}" in text_of(confirm)
    assert "It is kept, not deleted" in text_of(confirm)

    sent = client.post(address, data={"reason": "Entered twice"})
    assert sent.status_code == 302
    assert sent.location.endswith(f"/projects/{project.slug}" + _tail(kind.listing))
    saved = _withdrawn(record)
    assert saved.is_withdrawn and saved.withdrawn_reason == "Entered twice"
    shown = _db.select(kind.model).where(kind.model.id == record.id)
    assert _db.session.execute(shown).first() is None  # gone from every query

    listed = client.get(f"/projects/{project.slug}/withdrawn?kind={word}")
    assert "Entered twice" in text_of(listed)
    assert kind.describe(saved) in text_of(listed)
    history = f"/projects/{project.slug}/history/{kind.model.__tablename__}/{record.id}"
    assert "Because of: Withdrawn: Entered twice" in text_of(client.get(history))
    again = client.post(address, data={"reason": "Entered twice"})
    assert again.status_code == 400  # a stale page: nothing done twice
    assert "already been withdrawn" in text_of(again)

    back = client.post(f"/projects/{project.slug}/withdrawn/{word}/{record.id}/restore")
    assert back.status_code == 302
    assert not _withdrawn(record).is_withdrawn
    events = _db.session.execute(
        _db.select(AuditEvent)
        .where(AuditEvent.table_name == kind.model.__tablename__)
        .where(AuditEvent.record_id == record.id, AuditEvent.action == "update")
        .order_by(AuditEvent.id)
    ).scalars()
    causes = [event.cause for event in events]
    assert causes[-2:] == ["Withdrawn: Entered twice", f"Restored by {manager.name}"]


def _tail(endpoint: str) -> str:
    return {
        "plan.work_plan": "/plan/tasks",
        "plan.milestones": "/plan/milestones",
        "risks.log": "/risks",
        "issues.log": "/issues",
        "issues.changes": "/changes",
        "budget.overview": "/budget",
        "evidence.library_page": "/evidence",
        "evidence.gap_actions": "/gap-actions",
        "projects.home": "/",
    }[endpoint]


def test_an_empty_reason_is_refused_beside_its_field(db, client, login_as, project):
    risk = RiskFactory(project=project)
    _db.session.commit()
    login_as(Role.MANAGER)
    refused = client.post(f"/projects/{project.slug}/withdraw/risk/{risk.id}", data={"reason": ""})
    assert refused.status_code == 400
    assert error_summary(refused) == ["Enter why it is being withdrawn"]
    assert not _withdrawn(risk).is_withdrawn


def test_a_record_others_depend_on_is_refused_with_what_depends(db, client, login_as, project):
    line = BudgetLineFactory(project=project)
    SpendEntryFactory(line=line, amount_pence=5000)
    _db.session.commit()
    login_as(Role.SUPPORT)
    address = f"/projects/{project.slug}/withdraw/budget-line/{line.id}"
    shown = client.get(address)
    assert "£50.00 of spend is recorded against it" in text_of(shown)
    refused = client.post(address, data={"reason": "Not needed"})
    assert refused.status_code == 400
    assert error_summary(refused) == [
        "This budget line cannot be withdrawn. £50.00 of spend is recorded against it "
        "(1 entry): withdraw the spend first."
    ]
    assert not _withdrawn(line).is_withdrawn


def test_a_record_of_another_project_is_not_found(db, client, login_as, project):
    from tests.factories import make_project

    other = make_project()
    risk = RiskFactory(project=other)
    _db.session.commit()
    login_as(Role.MANAGER)
    assert client.get(f"/projects/{project.slug}/withdraw/risk/{risk.id}").status_code == 404
    assert client.get(f"/projects/{project.slug}/withdraw/nothing/1").status_code == 404
    restore_other = f"/projects/{project.slug}/withdrawn/risk/{risk.id}/restore"
    assert client.post(restore_other).status_code == 404


# Who may --------------------------------------------------------------------------------------


def test_those_who_edit_a_kind_withdraw_it_and_only_the_manager_restores(
    db, client, login_as, project
):
    risk = RiskFactory(project=project)
    _db.session.commit()
    login_as(Role.SUPPORT)
    assert (
        client.post(
            f"/projects/{project.slug}/withdraw/risk/{risk.id}", data={"reason": "Twice"}
        ).status_code
        == 302
    )
    assert client.get(f"/projects/{project.slug}/withdrawn").status_code == 403
    restore_risk = f"/projects/{project.slug}/withdrawn/risk/{risk.id}/restore"
    assert client.post(restore_risk).status_code == 403
    login_as(Role.WS_LEAD)
    assert client.get(f"/projects/{project.slug}/withdraw/risk/{risk.id}").status_code == 403


def test_a_lead_withdraws_their_own_streams_evidence_only(db, client, login_as, project):
    own = EvidenceItemFactory(project=project, work_stream=project.work_streams[0])
    other = EvidenceItemFactory(project=project, work_stream=project.work_streams[1])
    _db.session.commit()
    login_as(Role.WS_LEAD)  # leads the first work stream
    assert client.get(f"/projects/{project.slug}/withdraw/evidence/{own.id}").status_code == 200
    assert client.get(f"/projects/{project.slug}/withdraw/evidence/{other.id}").status_code == 403


def test_the_withdraw_links_are_on_the_records_pages(db, client, login_as, project):
    records = _records(project)
    login_as(Role.MANAGER)
    slug = project.slug
    pages = {
        "task": f"/projects/{slug}/plan/tasks/{records['task'].id}/edit",
        "milestone": f"/projects/{slug}/plan/milestones/{records['milestone'].id}/edit",
        "risk": f"/projects/{slug}/risks/{records['risk'].id}",
        "issue": f"/projects/{slug}/issues/{records['issue'].id}/edit",
        "change": f"/projects/{slug}/changes/{records['change'].id}",
        "budget-line": f"/projects/{slug}/budget/lines/{records['budget-line'].id}/edit",
        "spend": f"/projects/{slug}/budget",
        "evidence": f"/projects/{slug}/evidence/{records['evidence'].id}",
        "gap-action": f"/projects/{slug}/gap-actions/{records['gap-action'].id}/edit",
    }
    for word, page in pages.items():
        html = client.get(page).get_data(as_text=True)
        assert f"/projects/{slug}/withdraw/{word}/{records[word].id}" in html, word


def test_a_withdrawn_tasks_code_is_still_taken(db, project):
    task = TaskFactory(project=project, code="1.1")
    withdraw(task, "Mistake", _person(project), utcnow())
    values = TaskValues(code="1.1", stage=project.stages[0], activity="Again")
    problems = task_problems(project, None, values, project.stages, today=dt.date(2010, 3, 1))
    assert "A task with the code 1.1 already exists" in [p.message for p in problems]


def test_records_reached_through_a_withdrawn_one_do_not_break(db, client, login_as, project):
    """A decided change that moved a task now withdrawn, and a file of a withdrawn item."""
    from tests.factories import EvidenceFileFactory  # noqa: PLC0415

    task = TaskFactory(project=project)
    change = _moving(
        project, task, ChangeStatus.APPROVED, old_date=dt.date(2010, 5, 1), applied_at=NOW
    )
    item = EvidenceItemFactory(project=project)
    stored = EvidenceFileFactory(item=item, original_name="survey.pdf")
    person = _person(project)
    withdraw(task, "Mistake", person, NOW)
    withdraw(item, "Mistake", person, NOW)
    _db.session.commit()
    login_as(Role.MANAGER)
    assert client.get(f"/projects/{project.slug}/changes/{change.id}").status_code == 200
    assert client.get(f"/projects/{project.slug}/changes").status_code == 200
    assert client.get(f"/projects/{project.slug}/evidence/{item.id}").status_code == 404
    download = f"/projects/{project.slug}/evidence/files/{stored.id}"
    assert client.get(download).status_code == 404


def test_withdraw_url_names_the_page_of_each_kind(app, db, project):
    from flask import g  # noqa: PLC0415

    from tracker.withdrawal.views import withdraw_url  # noqa: PLC0415

    meeting = MeetingFactory(project=project)
    line = BudgetLineFactory(project=project)
    with app.test_request_context():
        g.project = project
        assert withdraw_url(meeting) == f"/projects/{project.slug}/withdraw/meeting/{meeting.id}"
        assert withdraw_url(line) == f"/projects/{project.slug}/withdraw/budget-line/{line.id}"


def test_the_withdrawn_list_filters_by_kind_and_a_second_restore_changes_nothing(
    db, client, login_as, project
):
    risk = RiskFactory(project=project, description="Staff turnover")
    meeting = MeetingFactory(project=project)
    person = _person(project)
    withdraw(risk, "Entered twice", person, NOW)
    withdraw(meeting, "Wrong date", person, NOW)
    _db.session.commit()
    login_as(Role.MANAGER)
    every = text_of(client.get(f"/projects/{project.slug}/withdrawn"))
    assert "2 withdrawn records" in every and "Staff turnover" in every
    meetings = text_of(client.get(f"/projects/{project.slug}/withdrawn?kind=meeting"))
    assert "1 withdrawn meeting" in meetings and "Staff turnover" not in meetings
    restore_risk = f"/projects/{project.slug}/withdrawn/risk/{risk.id}/restore"
    assert client.post(restore_risk).status_code == 302
    again = client.post(restore_risk, follow_redirects=True)
    assert "This risk has already been restored" in text_of(again)
    assert not _withdrawn(risk).is_withdrawn


def test_a_meeting_that_decided_a_change_or_holds_a_review_is_refused(db, project):
    from tests.factories import StageReviewFactory  # noqa: PLC0415

    decided = MeetingFactory(project=project)
    holding = MeetingFactory(project=project)
    free = MeetingFactory(project=project)
    change = ChangeRequestFactory(project=project, status=ChangeStatus.APPROVED, meeting=decided)
    StageReviewFactory(stage=project.stages[0], meeting=holding)
    assert rules.meeting_refusal(decided) == f"Change request {change.number} was decided at it"
    assert rules.meeting_refusal(holding) == "The stage 1 review is held at it"
    assert rules.meeting_refusal(free) is None
