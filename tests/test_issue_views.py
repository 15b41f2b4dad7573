"""The issue log and change request pages: raising, assessing, deciding, refusing, exporting."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from tests.factories import PersonFactory, member
from tests.helpers import sign_in
from tests.html import error_summary_links, field_value, hrefs, parse, text_of
from tracker.audit import AuditEvent
from tracker.budget.models import BudgetLine, FundingSource
from tracker.extensions import db as _db
from tracker.filters import london_today as today
from tracker.issues.models import (
    ChangeEffect,
    ChangeRequest,
    ChangeStatus,
    EffectTarget,
    EntryStatus,
    EntryType,
    IssueLogEntry,
)
from tracker.plan.models import Milestone, Stage, Task, TaskDependency
from tracker.projects.models import Meeting, MeetingKind, Role

D = dt.date


def page(project, path: str = "") -> str:
    return f"/projects/{project.slug}/{path}"


def stage_one(db, project) -> Stage:
    return db.session.execute(
        db.select(Stage).where(Stage.project_id == project.id, Stage.number == 1)
    ).scalar_one()


@pytest.fixture
def small_plan(db, project):
    stage = stage_one(db, project)
    task = Task(
        project_id=project.id,
        stage_id=stage.id,
        code="1.2",
        activity="Self Assessment",
        start_date=D(2010, 2, 1),
        target_finish=D(2010, 2, 28),
    )
    milestone = Milestone(
        project_id=project.id,
        stage_id=stage.id,
        name="Stage 1 - Organisational Preparation Complete",
        scheduled_finish=D(2010, 2, 28),
    )
    db.session.add_all([task, milestone])
    db.session.flush()
    db.session.add(
        TaskDependency(
            project_id=project.id, predecessor_id=task.id, successor_milestone_id=milestone.id
        )
    )
    # Changes raised in these tests are raised today, so the meeting that decides them is today's.
    group = Meeting(project_id=project.id, kind=MeetingKind.PROJECT_GROUP, held_on=today())
    source = FundingSource(
        project_id=project.id, code="SF", name="Service First", allocation_pence=22_600_00
    )
    db.session.add_all([group, source])
    db.session.flush()
    line = BudgetLine(
        project_id=project.id,
        source_id=source.id,
        product="Getting Started Workshop",
        unit_cost_pence=600_00,
        provision_pence=600_00,
    )
    db.session.add(line)
    db.session.commit()
    return {"task": task, "milestone": milestone, "meeting": group, "line": line, "stage": stage}


def raise_one(client, project, description="Extend stage 1 to 31 March 2010") -> ChangeRequest:
    response = client.post(
        page(project, "changes/new"),
        data={"description": description, "expected_benefits": "Time to finish the work"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return ChangeRequest.query.order_by(ChangeRequest.id.desc()).first()


def assess(client, project, change, **fields):
    data = {"impact_days": "5", "impact_products": "Work plan", "impact_cost": "0"} | fields
    return client.post(page(project, f"changes/{change.id}/assess"), data=data)


def propose(client, project, change, target: str, day: dt.date | None = None, amount: str = ""):
    data = {"target": target, "new_amount": amount}
    if day is not None:
        data["new_date"] = [str(day.day), str(day.month), str(day.year)]
    return client.post(page(project, f"changes/{change.id}/effects"), data=data)


def person_with(db, project, role: Role):
    person = PersonFactory()
    member(person, project, role)
    db.session.commit()
    return person


# Raising ------------------------------------------------------------------------------------


def test_any_member_raises_a_change_and_its_r_entry_links_both_ways(db, client, login_as, project):
    login_as(Role.WS_MEMBER)
    form = client.get(page(project, "changes/new"))
    assert form.status_code == 200
    assert "Description of change" in form.get_data(as_text=True)
    change = raise_one(client, project)
    entry = change.issue_entry
    assert (entry.type, entry.number, entry.status) == (
        EntryType.REQUEST_FOR_CHANGE,
        "01",
        EntryStatus.OPEN,
    )
    assert entry.last_updated_on == today()
    log = client.get(page(project, "issues")).get_data(as_text=True)
    assert f"/projects/{project.slug}/changes/{change.id}" in hrefs(log)
    assert "Change request 1" in log
    detail = client.get(page(project, f"changes/{change.id}"))
    assert f"/projects/{project.slug}/issues#entry-01" in hrefs(detail)
    assert "The project manager has not written the impact analysis yet" in text_of(detail)


def test_part_1_needs_a_description_and_benefits(client, login_as, project):
    login_as(Role.WS_LEAD)
    response = client.post(page(project, "changes/new"), data={"description": " "})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert "Enter a description of the change" in html
    assert "Enter the expected benefits of the change" in html
    assert ChangeRequest.query.count() == 0 and IssueLogEntry.query.count() == 0


def test_people_outside_the_work_cannot_raise(client, login_as, project):
    login_as(Role.EMT)
    assert client.post(page(project, "changes/new"), data={"description": "x"}).status_code == 403


# Assessing and classing -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cost", "message"),
    [
        ("-5", "The cost of the change must be £0 or more"),
        ("five pounds", "Enter the cost of the change as a number of pounds, like 600 or 600.50"),
        ("12.345", "The cost of the change must have 2 decimal places or fewer, like 600.50"),
        ("", "Enter the cost of the change, or 0 if it costs nothing"),
    ],
)
def test_bad_amounts_are_refused_with_a_clear_message(client, login_as, project, cost, message):
    login_as(Role.MANAGER)
    change = raise_one(client, project)
    response = assess(client, project, change, impact_cost=cost)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert "#impact_cost" in error_summary_links(html)  # the error summary links to the field
    assert field_value(html, "impact_cost") == cost or not cost  # what was typed is kept
    assert db_status(change) is ChangeStatus.RAISED


def db_status(change) -> ChangeStatus:
    return _db.session.get(ChangeRequest, change.id).status


def test_bad_days_are_refused(client, login_as, project):
    login_as(Role.SUPPORT)
    change = raise_one(client, project)
    for days, message in [
        ("-1", "Number of days of work must be 0 or more"),
        ("2.5", "Number of days of work must be a whole number, like 5"),
        ("", "Enter the number of days of work, or 0 if none"),
    ]:
        response = assess(client, project, change, impact_days=days)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)


def test_the_manager_assesses_and_a_later_milestone_makes_it_major(
    db, client, login_as, project, small_plan
):
    login_as(Role.MANAGER)
    change = raise_one(client, project)
    assert assess(client, project, change, impact_cost="£1,200.50").status_code == 302
    change = _db.session.get(ChangeRequest, change.id)
    assert change.impact_cost_pence == 120050 and change.status is ChangeStatus.ASSESSED
    # £1,200.50 is more than the £600.00 left.
    detail = text_of(client.get(page(project, f"changes/{change.id}")))
    assert "Major change , decided by the project sponsor" in detail
    assert "It costs £1,200.50, more than the £600.00 left in the budget" in detail
    # A new analysis at a lower cost does not make the major change minor.
    assert assess(client, project, change, impact_cost="600").status_code == 302
    detail = text_of(client.get(page(project, f"changes/{change.id}")))
    assert "Major change , decided by the project sponsor" in detail
    assert "It was raised to a major change" in detail
    # Another change, at the cost of what is left, is minor.
    change = raise_one(client, project, "Another change")
    assert assess(client, project, change, impact_cost="600").status_code == 302
    detail = text_of(client.get(page(project, f"changes/{change.id}")))
    assert "Minor change , decided by the project manager" in detail
    # A later milestone makes it major.
    milestone = small_plan["milestone"]
    response = propose(
        client, project, change, f"milestone:{milestone.id}:scheduled_finish", D(2010, 3, 31)
    )
    assert response.status_code == 302
    detail = text_of(client.get(page(project, f"changes/{change.id}")))
    assert "Major change , decided by the project sponsor at a project group meeting" in detail
    assert (
        "It moves the scheduled finish of milestone Stage 1 - Organisational Preparation Complete "
        "later, from 28 Feb 2010 to 31 Mar 2010" in detail
    )
    # The manager sees no decision form for a major change.
    assert "Record the decision" not in detail
    assert "Awaiting the decision of the project sponsor at a project group meeting" in detail


def test_a_proposal_needs_a_real_date_or_amount(client, login_as, project, small_plan):
    login_as(Role.MANAGER)
    change = raise_one(client, project)
    milestone = small_plan["milestone"]
    target = f"milestone:{milestone.id}:scheduled_finish"
    response = client.post(
        page(project, f"changes/{change.id}/effects"),
        data={"target": target, "new_date": ["31", "2", "2010"]},
    )
    assert response.status_code == 400
    assert "The new date must be a real date" in response.get_data(as_text=True)
    response = propose(client, project, change, target)
    assert response.status_code == 400 and "Enter the new date" in response.get_data(as_text=True)
    line = f"budget_line:{small_plan['line'].id}:provision_pence"
    response = propose(client, project, change, line, amount="-1")
    assert response.status_code == 400
    assert "The new provision must be £0 or more" in response.get_data(as_text=True)
    response = propose(client, project, change, "task:99999:target_finish", D(2010, 3, 1))
    assert response.status_code == 400  # not one of this project's tasks
    assert ChangeEffect.query.count() == 0


def test_the_manager_can_raise_a_minor_change_to_major_but_never_lower_it(
    client, login_as, project
):
    login_as(Role.MANAGER)
    change = raise_one(client, project)
    assert assess(client, project, change, raise_to_major="y").status_code == 302
    assert _db.session.get(ChangeRequest, change.id).raised_to_major
    form = client.get(page(project, f"changes/{change.id}/assess")).get_data(as_text=True)
    assert parse(form).select_one('[name="raise_to_major"]') is None
    assert "A major change cannot be made minor" in form
    assert assess(client, project, change).status_code == 302  # no box: stays raised
    change = _db.session.get(ChangeRequest, change.id)
    assert change.raised_to_major
    detail = text_of(client.get(page(project, f"changes/{change.id}")))
    assert "It was raised to a major change" in detail


# Deciding -------------------------------------------------------------------------------------


def test_the_sponsor_approves_a_major_change_and_the_audit_trail_names_it(
    db, client, login_as, project, small_plan
):
    manager = login_as(Role.MANAGER)
    change = raise_one(client, project)
    stage = small_plan["stage"]
    milestone = small_plan["milestone"]
    assess(client, project, change)
    propose(client, project, change, f"stage:{stage.id}:end_date", D(2010, 3, 31))
    propose(client, project, change, f"milestone:{milestone.id}:scheduled_finish", D(2010, 3, 31))
    # Stage 2 starts on 1 March: the page warns that the stages would overlap, until its start
    # moves too.
    second = _db.session.execute(
        _db.select(Stage).where(Stage.project_id == project.id, Stage.number == 2)
    ).scalar_one()
    detail = text_of(client.get(page(project, f"changes/{change.id}")))
    assert "The proposed dates break the plan in 1 place" in detail
    assert "stage 2 Stage 2 would start on 1 Mar 2010, but stage 1 Stage 1 would end" in detail
    propose(client, project, change, f"stage:{second.id}:start_date", D(2010, 4, 1))
    assert "break the plan" not in text_of(client.get(page(project, f"changes/{change.id}")))
    decide = page(project, f"changes/{change.id}/decide")
    meeting_id = str(small_plan["meeting"].id)
    approve = {"decision": "approve", "meeting": meeting_id}
    # Forged decisions: the manager on a major change, a work stream lead on any change.
    assert client.post(decide, data=approve).status_code == 403
    sign_in(client, person_with(db, project, Role.WS_LEAD))
    assert client.post(decide, data=approve).status_code == 403
    assert db_status(change) is ChangeStatus.ASSESSED

    sponsor = person_with(db, project, Role.SPONSOR)
    sign_in(client, sponsor)
    detail = client.get(page(project, f"changes/{change.id}")).get_data(as_text=True)
    assert "Record the decision" in detail and parse(detail).select_one('[name="meeting"]')
    # No meeting chosen: refused with a message beside the field.
    response = client.post(decide, data={"decision": "approve", "meeting": ""})
    assert response.status_code == 400
    assert "Select the project group meeting at which the sponsor decided" in response.get_data(
        as_text=True
    )
    response = client.post(decide, data=approve)
    assert response.status_code == 302
    change = _db.session.get(ChangeRequest, change.id)
    assert change.status is ChangeStatus.APPROVED
    assert change.decided_by_id == sponsor.id and change.meeting_id == small_plan["meeting"].id
    assert _db.session.get(Stage, stage.id).end_date == D(2010, 3, 31)
    assert _db.session.get(Stage, second.id).start_date == D(2010, 4, 1)
    assert _db.session.get(Milestone, milestone.id).scheduled_finish == D(2010, 3, 31)
    assert all(e.applied_at is not None for e in change.effects)
    events = AuditEvent.query.filter_by(cause=f"Change request {change.number}").all()
    assert {"stage", "milestone", "change_effect", "change_request"} <= {
        e.table_name for e in events
    }
    assert all(e.actor_id == sponsor.id for e in events)
    # Decided: the page shows old and new values, and no form; a second decision is refused.
    detail = text_of(client.get(page(project, f"changes/{change.id}")))
    assert "Stage 1 Stage 1: end 28 Feb 2010 31 Mar 2010" in detail
    assert "Record the decision" not in detail
    again = client.post(decide, data={"decision": "reject", "note": "Changed my mind"})
    assert again.status_code == 409
    assert "has been approved already" in again.get_data(as_text=True)
    assert db_status(change) is ChangeStatus.APPROVED
    assert manager.id != sponsor.id


def test_a_major_change_can_be_recorded_against_a_meeting_not_yet_listed(
    db, client, login_as, project
):
    login_as(Role.MANAGER)
    change = raise_one(client, project)
    assess(client, project, change, changes_requirements="y")
    sign_in(client, person_with(db, project, Role.SPONSOR))
    decide = page(project, f"changes/{change.id}/decide")
    response = client.post(decide, data={"decision": "approve", "meeting": "other"})
    assert response.status_code == 400
    assert "Enter the date of the project group meeting" in response.get_data(as_text=True)
    tomorrow = today() + dt.timedelta(days=1)
    future = [str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)]
    response = client.post(
        decide, data={"decision": "approve", "meeting": "other", "meeting_date": future}
    )
    assert response.status_code == 400
    assert "Select a meeting that has taken place" in response.get_data(as_text=True)
    assert Meeting.query.count() == 0  # the refused decision recorded no meeting
    day = today()
    response = client.post(
        decide,
        data={
            "decision": "approve",
            "meeting": "other",
            "meeting_date": [str(day.day), str(day.month), str(day.year)],
        },
    )
    assert response.status_code == 302
    meeting = Meeting.query.one()
    assert (meeting.kind, meeting.held_on) == (MeetingKind.PROJECT_GROUP, day)
    assert _db.session.get(ChangeRequest, change.id).meeting_id == meeting.id


def test_only_the_manager_raises_a_change_to_major(client, login_as, project):
    login_as(Role.SUPPORT)
    change = raise_one(client, project)
    form = client.get(page(project, f"changes/{change.id}/assess"))
    assert parse(form).select_one('[name="raise_to_major"]') is None
    assert assess(client, project, change, raise_to_major="y").status_code == 302
    assert not _db.session.get(ChangeRequest, change.id).raised_to_major


def test_the_manager_approves_a_minor_change(db, client, login_as, project, small_plan):
    manager = login_as(Role.MANAGER)
    change = raise_one(client, project)
    task = small_plan["task"]
    assess(client, project, change)
    propose(client, project, change, f"task:{task.id}:target_finish", D(2010, 2, 20))
    decide = page(project, f"changes/{change.id}/decide")
    # The sponsor does not decide minor changes: the routing sends them to the manager.
    sign_in(client, person_with(db, project, Role.SPONSOR))
    assert client.post(decide, data={"decision": "approve"}).status_code == 403
    sign_in(client, manager)
    response = client.post(decide, data={"decision": "approve", "note": "Report in March"})
    assert response.status_code == 302
    change = _db.session.get(ChangeRequest, change.id)
    assert change.status is ChangeStatus.APPROVED and change.meeting_id is None
    assert _db.session.get(Task, task.id).target_finish == D(2010, 2, 20)
    entry = change.issue_entry
    assert entry.status is EntryStatus.CLOSED and entry.last_updated_on == today()


def test_a_rejection_needs_a_reason(client, login_as, project):
    login_as(Role.MANAGER)
    change = raise_one(client, project)
    assess(client, project, change)
    decide = page(project, f"changes/{change.id}/decide")
    response = client.post(decide, data={"decision": "reject", "note": "  "})
    assert response.status_code == 400
    assert "Enter the reason for rejecting the change" in response.get_data(as_text=True)
    assert db_status(change) is ChangeStatus.ASSESSED
    assert client.post(decide, data={"decision": "reject", "note": "Not needed"}).status_code == 302
    change = _db.session.get(ChangeRequest, change.id)
    assert change.status is ChangeStatus.REJECTED and change.decision_note == "Not needed"


def test_a_change_that_breaks_a_dependency_is_refused_and_nothing_applied(
    db, client, login_as, project, small_plan
):
    login_as(Role.MANAGER)
    change = raise_one(client, project)
    task, stage = small_plan["task"], small_plan["stage"]
    line = small_plan["line"]
    assess(client, project, change)
    # Finishing 1.2 later than the milestone it leads to, and after its stage ends; also a
    # smaller provision.
    propose(client, project, change, f"task:{task.id}:target_finish", D(2010, 3, 15))
    propose(client, project, change, f"budget_line:{line.id}:provision_pence", amount="500")
    detail = text_of(client.get(page(project, f"changes/{change.id}")))
    assert "The proposed dates break the plan in 2 places" in detail
    response = client.post(
        page(project, f"changes/{change.id}/decide"), data={"decision": "approve"}
    )
    assert response.status_code == 400
    message = text_of(response)
    assert "nothing has been changed" in message
    assert (
        "Milestone Stage 1 - Organisational Preparation Complete would be reached on 28 Feb 2010, "
        "but it waits for Task 1.2 Self Assessment, which would finish on 15 Mar 2010" in message
    )
    assert (
        "Task 1.2 Self Assessment would finish on 15 Mar 2010, after stage 1 ends on "
        "28 Feb 2010" in message
    )
    assert db_status(change) is ChangeStatus.ASSESSED
    assert _db.session.get(Task, task.id).target_finish == D(2010, 2, 28)
    assert _db.session.get(BudgetLine, line.id).provision_pence == 600_00
    assert _db.session.get(Stage, stage.id).end_date == D(2010, 2, 28)
    assert all(e.applied_at is None for e in ChangeEffect.query.all())
    assert AuditEvent.query.filter_by(cause=f"Change request {change.number}").count() == 0


def test_decisions_need_the_impact_analysis_first(client, login_as, project):
    login_as(Role.MANAGER)
    change = raise_one(client, project)
    response = client.post(
        page(project, f"changes/{change.id}/decide"), data={"decision": "approve"}
    )
    assert response.status_code == 400
    assert "impact analysis (part 2) must be written" in response.get_data(as_text=True)


# The issue log ---------------------------------------------------------------------------------


def test_the_manager_adds_and_edits_an_issue_and_the_tracker_dates_it(client, login_as, project):
    manager = login_as(Role.MANAGER)
    response = client.post(
        page(project, "issues/new"),
        data={
            "description": "EMQC have not confirmed assessor costs",
            "identified_on": ["5", "1", "2010"],
            "author": str(manager.id),
            "resolution": "",
            "status": "open",
        },
    )
    assert response.status_code == 302
    entry = IssueLogEntry.query.one()
    assert (entry.number, entry.type, entry.identified_on) == ("01", EntryType.ISSUE, D(2010, 1, 5))
    assert entry.last_updated_on == today()
    entry.last_updated_on = D(2010, 1, 5)
    form = client.get(page(project, f"issues/{entry.id}/edit")).get_data(as_text=True)
    assert "last_updated" not in form  # never typed
    response = client.post(
        page(project, f"issues/{entry.id}/edit"),
        data={
            "description": entry.description,
            "identified_on": ["5", "1", "2010"],
            "author": str(manager.id),
            "resolution": "Costs confirmed (RESOLVED)",
            "status": "closed",
            "last_updated_on": "2001-01-01",  # ignored
        },
    )
    assert response.status_code == 302
    entry = IssueLogEntry.query.one()
    assert entry.status is EntryStatus.CLOSED and entry.last_updated_on == today()
    log = text_of(client.get(page(project, "issues")))
    assert "Costs confirmed (RESOLVED)" in log and "5 Jan 2010" in log


def test_an_issue_needs_a_description_and_a_real_date(client, login_as, project):
    manager = login_as(Role.MANAGER)
    response = client.post(
        page(project, "issues/new"),
        data={
            "description": "",
            "identified_on": ["30", "2", "2010"],
            "author": str(manager.id),
            "status": "open",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter a description of the issue" in html
    assert "The date identified must be a real date" in html
    assert IssueLogEntry.query.count() == 0


def test_a_work_stream_member_reads_the_log_but_cannot_edit_it(client, login_as, project):
    login_as(Role.WS_MEMBER)
    html = client.get(page(project, "issues")).get_data(as_text=True)
    assert "Add an issue or question" not in html
    assert "Raise a request for change" in html
    assert client.get(page(project, "issues/new")).status_code == 403


# The seed ------------------------------------------------------------------------------------


def test_seed_change_request_1_is_approved_with_its_effect_on_stage_1(db, client, login_as, seeded):
    from tracker.projects.models import Membership

    viewer = PersonFactory()
    db.session.add(Membership(person=viewer, project=seeded, role=Role.ASSURANCE))
    db.session.commit()
    sign_in(client, viewer)
    listing = text_of(client.get(page(seeded, "changes")))
    assert "Change request 1" in listing and "Approved" in listing
    change = ChangeRequest.query.filter_by(project_id=seeded.id, number=1).one()
    detail = client.get(page(seeded, f"changes/{change.id}"))
    assert detail.status_code == 200
    words = text_of(detail)
    assert "Approved" in words
    assert "Stage 1 Organisational Preparation: end 28 Feb 2010 31 Mar 2010" in words
    assert (
        "Milestone Stage 1 - Organisational Preparation Complete: scheduled finish "
        "28 Feb 2010 31 Mar 2010" in words
    )
    assert "Project group meeting 26 Feb 2010" in words
    assert "Major change" in words  # a later stage end: the sponsor's decision
    log = text_of(client.get(page(seeded, "issues")))
    assert "Feb 2010" in log and "Change request 1" in log


# Exports ---------------------------------------------------------------------------------------


def test_exports_of_the_log_and_the_change_requests_have_every_field(
    db, client, login_as, project, small_plan
):
    login_as(Role.MANAGER)
    change = raise_one(client, project, description="=cmd|' /C calc'!A0")
    assess(client, project, change, impact_cost="1200.50", needs_more_resources="y")
    propose(client, project, change, f"stage:{small_plan['stage'].id}:end_date", D(2010, 3, 31))

    response = client.get(page(project, "issues/export?format=csv"))
    assert response.headers["Content-Disposition"].startswith(
        f"attachment; filename={project.slug}-issue-log-"
    )
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert list(rows[0]) == [
        "Issue number",
        "Type",
        "Type meaning",
        "Description",
        "Date identified",
        "Month only",
        "Author",
        "Resolution",
        "Last updated",
        "Status",
        "Change request",
    ]
    assert rows[0]["Type"] == "R" and rows[0]["Change request"] == "1"
    assert rows[0]["Description"].startswith("'=")  # a formula is never run

    response = client.get(page(project, "changes/export?format=xlsx"))
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[1]]
    values = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert values["Cost of change (£)"] == 1200.5
    assert values["Class"] == "Major"
    assert values["Needs more resources"] == "Yes"
    assert values["Decided by (role)"] == "Project sponsor"
    assert values["Issue number"] == "01"
    assert "end: 28 Feb 2010 → 31 Mar 2010" in values["Effects on plan and budget"]
    assert values["Date raised"].date() == today()
    for name in ("Description of change", "Expected benefits", "Status", "Decision note"):
        assert name in header
    csv_response = client.get(page(project, "changes/export"))
    assert csv_response.mimetype == "text/csv"
    assert client.get(page(project, "changes/export?format=pdf")).status_code == 404


# Query counts -----------------------------------------------------------------------------------


def _fill(db, project, count: int, stage, milestone, person) -> None:
    from tracker.database import utcnow
    from tracker.issues.changes import assess_change, raise_change, set_effect
    from tracker.issues.log import add_issue

    for n in range(count):
        change = raise_change(
            project,
            description=f"Change {n}",
            expected_benefits="b",
            requested_by=person,
            on=D(2010, 2, 1),
        )
        assess_change(
            change,
            impact_days=1,
            impact_products="",
            impact_cost_pence=n,
            needs_more_resources=False,
            changes_requirements=False,
            raise_to_major=False,
            assessed_by=person,
            now=utcnow(),
        )
        set_effect(
            change,
            target=EffectTarget.STAGE,
            target_id=stage.id,
            field_name="end_date",
            new_date=D(2010, 3, 1),
            on=D(2010, 2, 1),
        )
        set_effect(
            change,
            target=EffectTarget.MILESTONE,
            target_id=milestone.id,
            field_name="scheduled_finish",
            new_date=D(2010, 3, 1),
            on=D(2010, 2, 1),
        )
        add_issue(
            project,
            description=f"Issue {n}",
            identified_on=D(2010, 1, 1),
            author_id=person.id,
            on=D(2010, 1, 1),
        )
    db.session.commit()


@pytest.mark.parametrize("path", ["issues", "changes"])
def test_the_list_pages_run_a_fixed_number_of_queries(
    db, client, login_as, project, small_plan, count_queries, path
):
    person = login_as(Role.MANAGER)
    _fill(db, project, 2, small_plan["stage"], small_plan["milestone"], person)
    with count_queries as small:
        assert client.get(page(project, path)).status_code == 200
    _fill(db, project, 20, small_plan["stage"], small_plan["milestone"], person)
    with count_queries as large:
        assert client.get(page(project, path)).status_code == 200
    assert large.count == small.count, large.statements
    assert small.count <= 12, small.statements


def test_a_change_may_move_what_the_plan_and_budget_list_with_its_value_now(
    client, login_as, project, small_plan
):
    from tracker.budget.change_targets import change_targets as budget_targets
    from tracker.filters import money
    from tracker.plan.change_targets import change_targets as plan_targets

    task, milestone, line, stage = (small_plan[k] for k in ("task", "milestone", "line", "stage"))
    plan = dict(plan_targets(project))
    assert plan[f"task:{task.id}:start_date"] == "Task 1.2 Self Assessment: start (now 1 Feb 2010)"
    assert plan[f"milestone:{milestone.id}:scheduled_finish"] == (
        "Milestone Stage 1 - Organisational Preparation Complete: "
        "scheduled finish (now 28 Feb 2010)"
    )
    assert plan[f"stage:{stage.id}:end_date"].startswith(f"Stage 1 {stage.name}: end (now ")
    assert plan[f"project:{project.id}:end_date"].startswith("Project end (now ")
    assert budget_targets(project) == [
        (
            f"budget_line:{line.id}:provision_pence",
            f"Budget line Getting Started Workshop: provision (now {money(600_00)})",
        )
    ]
    # The effect form offers them all, plan first.
    login_as(Role.MANAGER)
    change = raise_one(client, project)
    text = client.get(page(project, f"changes/{change.id}")).get_data(as_text=True)
    for value in [*plan, f"budget_line:{line.id}:provision_pence"]:
        assert f'value="{value}"' in text


def test_a_number_taken_a_moment_earlier_asks_to_save_again(client, login_as, project, monkeypatch):
    import tracker.issues.log

    manager = login_as(Role.MANAGER)
    issue = {
        "description": "EMQC have not confirmed assessor costs",
        "identified_on": ["5", "1", "2010"],
        "author": str(manager.id),
        "status": "open",
    }
    assert client.post(page(project, "issues/new"), data=issue).status_code == 302
    # Someone else took "01" between reading the log's numbers and saving.
    monkeypatch.setattr(tracker.issues.log, "next_log_number", lambda model, project_id: "01")

    response = client.post(page(project, "issues/new"), data=issue)
    assert response.status_code == 400
    assert "The issue log changed while you wrote: save again" in response.get_data(as_text=True)
    response = client.post(
        page(project, "changes/new"),
        data={"description": "Extend stage 1", "expected_benefits": "Time to finish"},
    )
    assert response.status_code == 400
    assert "The issue log changed while you wrote: send again" in response.get_data(as_text=True)
    assert IssueLogEntry.query.count() == 1 and ChangeRequest.query.count() == 0
