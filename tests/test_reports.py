"""Highlight reports: the status rules, drafting from live data, issuing, freezing, correcting."""

from __future__ import annotations

import datetime as dt
import re
import zlib
from decimal import Decimal

import pytest

from tests.factories import (
    BudgetLineFactory,
    ChangeEffectFactory,
    ChangeRequestFactory,
    EvidenceItemFactory,
    FundingSourceFactory,
    IssueLogEntryFactory,
    MeetingFactory,
    MembershipFactory,
    MilestoneFactory,
    PersonFactory,
    RiskFactory,
    RiskReviewFactory,
    SpendEntryFactory,
    StaffResourceFactory,
    StaffTimeFactory,
    TaskFactory,
    member,
)
from tests.helpers import sign_in
from tests.html import definitions, parse
from tracker.budget.models import BudgetLine, SpendEntry
from tracker.issues.models import (
    ChangeRequest,
    ChangeStatus,
    EffectTarget,
    EntryStatus,
    EntryType,
    IssueLogEntry,
)
from tracker.plan.models import Milestone, Progress, Task
from tracker.projects.models import Role
from tracker.reports.drafting import (
    change_impact,
    key_issues,
    key_risks,
    next_period_end,
    products_completed,
    products_next,
)
from tracker.reports.models import HighlightReport, ReportKind, ReportStatus
from tracker.reports.statuses import budget_status, resource_status, schedule_status, status_text
from tracker.reports.stream_drafting import stream_days
from tracker.risks.models import Level, Risk, RiskReview, RiskStatus

TODAY = dt.date(2010, 3, 15)
MARCH_26 = dt.date(2010, 3, 26)


@pytest.mark.parametrize(
    ("days_behind", "rag"), [(0, "green"), (1, "amber"), (14, "amber"), (15, "red")]
)
def test_schedule_status_by_the_worst_milestone(db, project, days_behind: int, rag: str) -> None:
    baseline = dt.date(2010, 2, 28)
    MilestoneFactory(
        project=project,
        name="Stage 1 complete",
        baseline_finish=baseline,
        scheduled_finish=baseline + dt.timedelta(days=days_behind),
    )
    db.session.commit()
    status = schedule_status(project, TODAY)
    assert status.rag == rag
    assert "more than 14 days behind its baseline" in status.rule


def test_a_late_task_makes_the_schedule_amber(db, project) -> None:
    TaskFactory(
        project=project, target_finish=TODAY - dt.timedelta(days=1), progress=Progress.ON_TRACK
    )
    db.session.commit()
    status = schedule_status(project, TODAY)
    assert status.rag == "amber" and "1 task is late" in status.reason


def _budget(db, project, provision: int, spent: int) -> None:
    source = FundingSourceFactory(project=project, allocation_pence=provision)
    line = BudgetLineFactory(project=project, source=source, unit_cost_pence=provision)
    if spent:
        SpendEntryFactory(line=line, spent_on=TODAY, amount_pence=spent)
    db.session.commit()


@pytest.mark.parametrize(
    ("spent", "rag"), [(0, "green"), (90_000, "green"), (90_001, "amber"), (100_001, "red")]
)
def test_budget_status_by_what_is_left(db, project, spent: int, rag: str) -> None:
    _budget(db, project, 100_000, spent)
    assert budget_status(project, TODAY).rag == rag


def _without_csrf(page: str) -> str:
    """The page with its per-response values masked: a CSRF token carries the second it was
    made, and the Content-Security-Policy nonce is new on every response."""
    soup = parse(page)
    for tag in soup.select("[nonce]"):
        tag["nonce"] = ""
    for tag in soup.select('[name="csrf_token"][value]'):
        tag["value"] = ""
    return str(soup)


def _person(db, project, role):
    person = PersonFactory()
    member(person, project, role)
    db.session.commit()
    return person


def test_the_seeds_february_report_is_issued_and_reads_like_appendix_5(db, client, seeded):
    sign_in(client, _person(db, seeded, Role.EMT))
    report = db.session.execute(db.select(HighlightReport)).scalar_one()
    listing = client.get(f"/projects/{seeded.slug}/reports").text
    assert "Issued 26 Feb 2010" in listing
    page = client.get(f"/projects/{seeded.slug}/reports/{report.id}").text
    for heading in ("Schedule Status", "Budget Status", "Key Project Issues"):
        assert heading in page
    assert "£21,400 remains in the total project budget." in page
    # The header block of appendix 5, and the figures and tables the report was issued with.
    for label, value in (
        ("Project Name", "Customer Service Excellence"),
        ("Period Covered", "29 Jan 2010 to 26 Feb 2010"),
        ("Date Issued", "26 Feb 2010"),
        ("Produced By", "Paul Knight"),
        ("Budget allocated", "£22,600.00"),
        ("Budget remaining", "£21,400.00"),
    ):
        assert any(k == label and v.startswith(value) for k, v in definitions(page)), label
    assert "Work plan as issued" in page and "Changed from Feb 10" in page
    assert "Corporate Training Budget Allocation, as issued" in page
    pdf = client.get(f"/projects/{seeded.slug}/reports/{report.id}/pdf")
    assert pdf.data.startswith(b"%PDF") and pdf.headers["Content-Disposition"].startswith(
        "attachment"
    )
    text = pdf_text(pdf.data)
    for words in (
        "Highlight report 1: 29 Jan 2010 to 26 Feb 2010",
        "Period Covered:",
        "Produced By:",
        "Paul Knight",
        "Budget remaining: \xa321,400.00",
        "Work plan as issued",
        "Changed from Feb 10",
    ):
        assert words in text, words


def pdf_text(data: bytes) -> str:
    """The text of a PDF written by fpdf2 with its core fonts: each string shown, inflated."""
    shown = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            content = zlib.decompress(stream)
        except zlib.error:
            continue
        shown += [s.decode("latin-1") for s in re.findall(rb"\((.*?)(?<!\\)\) ?Tj", content)]
    return "\n".join(shown)


def test_the_manager_drafts_edits_and_issues_and_the_issued_report_stays_frozen(db, client, seeded):
    manager = _person(db, seeded, Role.MANAGER)
    sign_in(client, manager)
    base = f"/projects/{seeded.slug}/reports"
    bad = client.post(
        f"{base}/new", data={"period_start": ["1", "3", "2010"], "period_end": ["1", "2", "2010"]}
    )
    assert (
        bad.status_code == 400 and "The end of the period must be on or after its start" in bad.text
    )
    response = client.post(
        f"{base}/new", data={"period_start": ["27", "2", "2010"], "period_end": ["31", "3", "2010"]}
    )
    assert response.status_code == 302
    report = db.session.execute(
        db.select(HighlightReport).filter_by(status=ReportStatus.DRAFT)
    ).scalar_one()
    keys = [s["key"] for s in report.sections]
    assert keys[:3] == ["schedule_status", "budget_status", "resource_status"]
    budget = next(s for s in report.sections if s["key"] == "budget_status")
    # Drafted from the live budget: the project budget, and the training budget beside it.
    assert budget["text"].startswith("£1,200.00 spent of £22,600.00; £21,400.00 left.")
    assert "Corporate Training Budget Allocation: £900.00 spent of £5,000.00" in budget["text"]

    # The EMT does not see drafts.
    sign_in(client, _person(db, seeded, Role.EMT))
    assert client.get(f"{base}/{report.id}").status_code == 404
    sign_in(client, manager)

    edit = client.post(
        f"{base}/{report.id}/edit",
        data={"status-schedule_status": "amber", "text-schedule_status": "Stage 1 extended."},
    )
    assert edit.status_code == 302
    assert client.post(f"{base}/{report.id}/issue").status_code == 302
    db.session.refresh(report)
    assert report.status is ReportStatus.ISSUED and report.number == 2  # the seed's is 1
    assert report.snapshot["budget_status"]["spent"] == 120_000  # the project budget's
    client.get(f"{base}/{report.id}")  # shows (and clears) the "issued" message
    page_before = _without_csrf(client.get(f"{base}/{report.id}").text)

    pdf_before = pdf_text(client.get(f"{base}/{report.id}/pdf").data)

    # Later data (spend, the plan, the risk log, milestones) does not change the issued report.
    line = db.session.execute(db.select(BudgetLine)).scalars().first()
    SpendEntryFactory(line=line, spent_on=dt.date(2010, 4, 1), amount_pence=50_000)
    for task in db.session.execute(db.select(Task)).scalars():
        task.actual_finish, task.progress = dt.date(2010, 3, 20), Progress.COMPLETE
    for risk in db.session.execute(db.select(Risk)).scalars():
        risk.status = RiskStatus.CLOSED
    for milestone in db.session.execute(db.select(Milestone)).scalars():
        milestone.scheduled_finish += dt.timedelta(days=60)
    db.session.commit()
    assert _without_csrf(client.get(f"{base}/{report.id}").text) == page_before
    assert pdf_text(client.get(f"{base}/{report.id}/pdf").data) == pdf_before
    # Issued twice, or changed after issue: refused, with a message.
    again = client.post(f"{base}/{report.id}/issue", follow_redirects=True)
    assert "Highlight report 2 was issued on" in again.text
    assert "cannot be changed: issue a correction instead" in again.text
    db.session.refresh(report)
    assert report.number == 2
    client.post(f"{base}/{report.id}/edit", data={"text-schedule_status": "Rewritten"})
    db.session.refresh(report)
    assert report.sections[0]["text"] == "Stage 1 extended."

    # A correction is a new report naming the old one; both pages say so.
    assert client.post(f"{base}/{report.id}/correct").status_code == 302
    fixed = db.session.execute(
        db.select(HighlightReport).filter_by(corrects_id=report.id)
    ).scalar_one()
    client.post(f"{base}/{fixed.id}/issue")
    db.session.refresh(fixed)
    assert fixed.number == 3
    assert f"Highlight report {report.number}" in client.get(f"{base}/{fixed.id}").text
    assert "This report has been corrected by" in client.get(f"{base}/{report.id}").text


def test_only_planners_write_reports(db, client, seeded):
    sign_in(client, _person(db, seeded, Role.SPONSOR))
    base = f"/projects/{seeded.slug}/reports"
    assert client.get(f"{base}/new").status_code == 403
    sign_in(client, _person(db, seeded, Role.WS_LEAD))
    assert client.get(base).status_code == 200
    assert (
        client.post(
            f"{base}/new",
            data={"period_start": ["1", "3", "2010"], "period_end": ["31", "3", "2010"]},
        ).status_code
        == 403
    )


def test_the_meeting_pack_gathers_what_the_meeting_decides_and_reads(db, client, seeded):
    from tracker.projects.models import MeetingKind

    meeting = MeetingFactory(project=seeded, kind=MeetingKind.PROJECT_GROUP, held_on=MARCH_26)
    db.session.commit()
    sign_in(client, _person(db, seeded, Role.SPONSOR))
    listing = client.get(f"/projects/{seeded.slug}/meetings").text
    assert "Pack for 26 Mar 2010" in listing
    page = client.get(f"/projects/{seeded.slug}/meetings/{meeting.id}/pack").text
    assert "Highlight report 1, 29 Jan 2010 to 26 Feb 2010" in page  # the seed's report
    assert "EMQC have not provided confirmation of Assessor Costs." in page  # the issue log
    assert "Other Council Priorities" in page  # the risk log
    sign_in(client, _person(db, seeded, Role.EMT))
    assert client.get(f"/projects/{seeded.slug}/meetings/{meeting.id}/pack").status_code == 403


def test_reports_pages_run_a_fixed_number_of_queries(db, client, seeded, count_queries):
    from tracker.projects.models import MeetingKind
    from tracker.risks.models import Level

    meeting = MeetingFactory(project=seeded, kind=MeetingKind.PROJECT_GROUP, held_on=MARCH_26)
    db.session.commit()
    sign_in(client, _person(db, seeded, Role.MANAGER))
    report = db.session.execute(db.select(HighlightReport)).scalar_one()
    pages = [
        f"/projects/{seeded.slug}/reports",
        f"/projects/{seeded.slug}/reports/{report.id}",
        f"/projects/{seeded.slug}/meetings/{meeting.id}/pack",
    ]

    def counts() -> list[int]:
        found = []
        for page in pages:
            with count_queries as counted:
                assert client.get(page).status_code == 200
            found.append(counted.count)
        return found

    few = counts()
    for _ in range(60):
        RiskFactory(project=seeded, probability=Level.H, impact=Level.L)
        IssueLogEntryFactory(project=seeded, identified_on=dt.date(2010, 3, 1))
    db.session.commit()
    assert counts() == few


def test_a_lead_drafts_and_issues_their_streams_report_and_the_manager_sees_it(db, client, seeded):
    from tracker.evidence.models import EvidenceStatus

    seeded.status_date = dt.date(2010, 3, 31)  # as at the end of March, when its report is due
    stream, other = seeded.work_streams[0], seeded.work_streams[1]
    lead = MembershipFactory(project=seeded, role=Role.WS_LEAD, work_stream=stream).person
    outsider = MembershipFactory(project=seeded, role=Role.WS_LEAD, work_stream=other).person
    owned = RiskFactory(
        project=seeded, number="S1", probability=Level.H, impact=Level.M, owner=lead
    )
    RiskFactory(project=seeded, number="S2", probability=Level.H, impact=Level.H, owner=outsider)
    resource = StaffResourceFactory(project=seeded, role_name="Lead", days_each=20)
    for person, month, days in (
        (lead, dt.date(2010, 2, 1), "1"),
        (lead, dt.date(2010, 3, 1), "2.5"),
        (outsider, dt.date(2010, 3, 1), "9"),
    ):
        StaffTimeFactory(resource=resource, person=person, month=month, days=days)
    for number, author in (("S1", lead), ("S2", outsider)):
        IssueLogEntryFactory(
            project=seeded,
            number=number,
            description="Survey late.",
            identified_on=dt.date(2010, 3, 3),
            author=author,
        )
    EvidenceItemFactory(
        project=seeded, work_stream=stream, title="Survey", status=EvidenceStatus.SUBMITTED
    )
    db.session.commit()
    sign_in(client, lead)
    base = f"/projects/{seeded.slug}/reports"
    form = client.get(f"{base}/new-work-stream").text
    assert stream.name in form and other.name not in form
    assert "the staff days, risks and issues are those its people recorded" in form
    period = {"period_start": ["1", "3", "2010"], "period_end": ["31", "3", "2010"]}
    refused = client.post(f"{base}/new-work-stream", data={**period, "work_stream": str(other.id)})
    assert refused.status_code == 400 and "Select one of your work streams" in refused.text
    response = client.post(
        f"{base}/new-work-stream", data={**period, "work_stream": str(stream.id)}
    )
    assert response.status_code == 302
    report = db.session.execute(
        db.select(HighlightReport).filter_by(work_stream_id=stream.id)
    ).scalar_one()
    assert [s["heading"] for s in report.sections] == [
        "Schedule Status",
        "Resource Status",
        "Products completed during this period",
        "Products to be completed during the next period",
        "Risks",
        "Issues",
    ]
    assert "Evidence in the library: 1 submitted." in report.sections[2]["text"]
    # Resources, risks and issues are drafted from what the stream's people recorded, owned and
    # raised; the project's other risks and issues, and the manager's (who leads this stream
    # too), are not the stream's.
    sections = {s["key"]: s["text"] for s in report.sections}
    # The edit page states the stream's rules, not the project report's.
    edit_page = client.get(f"{base}/{report.id}/edit").text
    assert "Amber when a task of the work stream is late" in edit_page
    assert "the plan&#39;s staff days are by role, not by work stream" in edit_page
    assert "days behind its baseline" not in edit_page
    assert sections["resource_status"] == (
        "2.5 staff days recorded by the work stream's people in the period; "
        "3.5 since the project began."
    )
    assert sections["risks"] == f"Risk S1: {owned.description} (score 6)"
    assert sections["issues"] == "S1: Survey late."
    client.post(f"{base}/{report.id}/edit", data={"text-risks": "Staff time is short."})
    assert client.post(f"{base}/{report.id}/issue").status_code == 302
    db.session.refresh(report)
    assert report.status is ReportStatus.ISSUED
    # It keeps the stream's rows of the work plan, not the project's budget and milestones.
    stream_codes = sorted(
        db.session.execute(db.select(Task.code).filter_by(work_stream_id=stream.id)).scalars()
    )
    assert stream_codes and sorted(r["code"] for r in report.snapshot["work_plan"]) == stream_codes
    page = client.get(f"{base}/{report.id}").text
    assert "Work plan as issued" in page and "Budget allocated" not in page
    assert "Milestones as issued" not in page

    sign_in(client, _person(db, seeded, Role.MANAGER))
    listing = client.get(base).text
    assert "Work stream reports issued, by month" in listing
    assert "Mar 2010" in listing and "Reported" in listing


def test_the_quarterly_report_is_drafted_for_the_emt(db, client, seeded):
    sign_in(client, _person(db, seeded, Role.MANAGER))
    base = f"/projects/{seeded.slug}/reports"
    assert client.post(f"{base}/new-quarterly", data={"year": "2010"}).status_code == 400
    response = client.post(f"{base}/new-quarterly", data={"year": "2010", "quarter": "1"})
    assert response.status_code == 302
    quarterly = db.session.execute(
        db.select(HighlightReport).filter_by(status=ReportStatus.DRAFT)
    ).scalar_one()
    assert (quarterly.period_start, quarterly.period_end) == (
        dt.date(2010, 1, 1),
        dt.date(2010, 3, 31),
    )
    brief = next(s for s in quarterly.sections if s["key"] == "monthly_reports")
    assert brief["text"].startswith("Report 1 (29 Jan 2010 to 26 Feb 2010)")
    readiness = next(s for s in quarterly.sections if s["key"] == "readiness")
    assert "Does not yet meet the rule for accreditation" in readiness["text"]
    client.post(f"{base}/{quarterly.id}/issue")
    sign_in(client, _person(db, seeded, Role.LEAD_MEMBER))
    page = client.get(f"{base}/{quarterly.id}").text
    assert "Quarterly highlight report 1" in page and "Monthly reports this quarter" in page
    assert "Issue the report" not in page


def test_an_issued_quarterly_report_keeps_its_charts_as_issued(db, client, seeded):
    sign_in(client, _person(db, seeded, Role.MANAGER))
    base = f"/projects/{seeded.slug}/reports"
    client.post(f"{base}/new-quarterly", data={"year": "2010", "quarter": "1"})
    quarterly = db.session.execute(
        db.select(HighlightReport).filter_by(status=ReportStatus.DRAFT)
    ).scalar_one()
    client.post(f"{base}/{quarterly.id}/issue")
    page = client.get(f"{base}/{quarterly.id}").text
    assert 'data-plotly-for="spend-chart"' in page
    assert "Planned against actual spend, month by month" in page  # its table alternative
    assert 'data-plotly-for="stage-chart"' in page and "The stages, as issued" in page
    assert "1. Organisational Preparation" in page
    assert 'data-plotly-for="readiness-chart"' in page
    assert "Readiness by criterion (the chart as a table)" in page
    assert "Elements by criterion and compliance. criterion 1: 0 fully, 11 partially" in page
    pdf = pdf_text(client.get(f"{base}/{quarterly.id}/pdf").data)
    assert "Readiness by criterion, as issued" in pdf and "Partially compliant" in pdf
    assert "The stages, as issued" in pdf
    db.session.refresh(quarterly)
    assert quarterly.snapshot["readiness"]["by_criterion"]["4"] == {
        "full": 0,
        "partial": 13,
        "none": 0,
    }
    line = db.session.execute(db.select(BudgetLine)).scalars().first()
    db.session.add(SpendEntry(line=line, spent_on=dt.date(2010, 1, 5), amount_pence=77_700))
    db.session.commit()
    assert "£777.00" not in client.get(f"{base}/{quarterly.id}").text


# The drafting rules, against hand-made data -------------------------------------------------


def test_next_period_is_the_next_calendar_month_or_as_many_days_again():
    assert next_period_end(dt.date(2010, 2, 1), dt.date(2010, 2, 28)) == dt.date(2010, 3, 31)
    assert next_period_end(dt.date(2010, 12, 1), dt.date(2010, 12, 31)) == dt.date(2011, 1, 31)
    # 29 Jan to 26 Feb is 29 days; the next 29 days run from 27 Feb to 27 Mar.
    assert next_period_end(dt.date(2010, 1, 29), dt.date(2010, 2, 26)) == dt.date(2010, 3, 27)


def _task(code: str, target: dt.date | None, finished: dt.date | None = None) -> Task:
    return Task(
        code=code,
        activity=f"Task {code}",
        target_finish=target,
        actual_finish=finished,
        progress=Progress.COMPLETE if finished else Progress.ON_TRACK,
    )


def test_products_completed_are_the_tasks_finished_in_the_period():
    tasks = [
        _task("1.1", dt.date(2010, 1, 31), finished=dt.date(2010, 1, 31)),
        _task("1.2", dt.date(2010, 2, 28), finished=dt.date(2010, 2, 1)),
        _task("1.3", dt.date(2010, 2, 28), finished=dt.date(2010, 2, 28)),
        _task("1.4", dt.date(2010, 2, 28)),
    ]
    done = products_completed(tasks, dt.date(2010, 2, 1), dt.date(2010, 2, 28))
    assert done == [
        "1.2 Task 1.2 (finished 1 Feb 2010)",
        "1.3 Task 1.3 (finished 28 Feb 2010)",
    ]


def test_products_next_are_unfinished_tasks_due_by_the_end_of_the_next_period():
    tasks = [
        _task("1.1", dt.date(2010, 1, 15)),  # overdue: still to be completed
        _task("1.2", dt.date(2010, 3, 31)),
        _task("1.3", dt.date(2010, 4, 1)),  # after the next period
        _task("1.4", dt.date(2010, 3, 1), finished=dt.date(2010, 2, 20)),
        _task("1.5", None),
    ]
    due = products_next(tasks, dt.date(2010, 2, 1), dt.date(2010, 2, 28))
    assert due == ["1.1 Task 1.1 (due 15 Jan 2010)", "1.2 Task 1.2 (due 31 Mar 2010)"]


def _risk(number: str, probability: Level, impact: Level, **values) -> Risk:
    return Risk(
        number=number,
        description=f"Risk {number}",
        probability=probability,
        impact=impact,
        status=values.pop("status", RiskStatus.OPEN),
        **values,
    )


def test_key_risks_are_the_highest_scores_and_any_reviewed_in_the_period():
    feb = dt.datetime(2010, 2, 10, tzinfo=dt.UTC)
    first = dt.datetime(2009, 12, 1, tzinfo=dt.UTC)
    risks = [_risk(f"{n:02}", Level.H, Level.H) for n in range(1, 6)]
    changed = _risk("06", Level.L, Level.L)
    changed.reviews = [
        RiskReview(reviewed_at=first, probability=Level.M, impact=Level.L),
        RiskReview(reviewed_at=feb, probability=Level.L, impact=Level.L),
    ]
    only_created = _risk("07", Level.L, Level.M)
    only_created.reviews = [RiskReview(reviewed_at=feb, probability=Level.L, impact=Level.M)]
    closed = _risk("08", Level.H, Level.H, status=RiskStatus.CLOSED)
    lines = key_risks(
        [only_created, changed, closed, *risks], dt.date(2010, 2, 1), dt.date(2010, 2, 28)
    )
    assert lines[:5] == [f"Risk {n:02}: Risk {n:02} (score 9)" for n in range(1, 6)]
    assert lines[5:] == ["Risk 06 changed in the period: Risk 06"]


def _entry(
    number: str, status: EntryStatus, identified: dt.date, updated: dt.date, **values
) -> IssueLogEntry:
    """An issue log entry (an issue, described by its number unless `values` say otherwise)."""
    return IssueLogEntry(
        number=number,
        type=EntryType.ISSUE,
        description=values.pop("description", f"Issue {number}"),
        status=status,
        identified_on=identified,
        last_updated_on=updated,
        **values,
    )


def test_key_issues_are_open_ones_and_those_raised_or_resolved_in_the_period():
    jan, feb, mar = dt.date(2010, 1, 1), dt.date(2010, 2, 26), dt.date(2010, 3, 5)
    entries = [
        _entry("01", EntryStatus.OPEN, jan, jan),
        _entry("02", EntryStatus.CLOSED, jan, feb),  # resolved in the period
        _entry("03", EntryStatus.CLOSED, jan, jan),  # resolved before it
        _entry("04", EntryStatus.CLOSED, feb, mar),  # raised in the period
    ]
    assert key_issues(entries, dt.date(2010, 2, 1), dt.date(2010, 2, 28)) == [
        "01: Issue 01",
        "02: Issue 02 (Resolved)",
        "04: Issue 04 (Resolved)",
    ]


def test_change_impact_lists_every_change_approved_in_the_period_minor_ones_included(db, project):
    stage = project.stages[0]
    task = TaskFactory(project=project, stage=stage, code="1.1", activity="Workshop")

    def approved(number: int, on: dt.datetime, **values) -> ChangeRequest:
        return ChangeRequestFactory(
            project=project, number=number, status=ChangeStatus.APPROVED, decided_at=on, **values
        )

    feb = dt.datetime(2010, 2, 10, 12, tzinfo=dt.UTC)
    ChangeEffectFactory(
        change_request=approved(1, feb),
        target=EffectTarget.TASK,
        target_id=task.id,
        field="target_finish",
        old_date=dt.date(2010, 3, 31),
        new_date=dt.date(2010, 3, 15),
        applied_at=feb,
    )
    approved(2, feb, changes_requirements=True)
    approved(3, dt.datetime(2010, 3, 2, tzinfo=dt.UTC))  # after the period
    db.session.commit()
    start, end = dt.date(2010, 2, 1), dt.date(2010, 2, 28)
    assert change_impact(project, start, end) == [
        "Change request 1 (minor): Task 1.1 Workshop: target finish: 31 Mar 2010 to 15 Mar 2010",
        "Change request 2 (major): no change to dates or budget",
    ]
    assert change_impact(project, dt.date(2010, 4, 1), dt.date(2010, 4, 30)) == ["None to report."]


def test_resource_status_by_days_used_against_the_plan(db, project):
    project.start_date, project.end_date = dt.date(2010, 1, 1), dt.date(2010, 12, 31)
    resource = StaffResourceFactory(project=project, role_name="Officer", days_each=100)
    officer = PersonFactory()
    db.session.commit()
    assert resource_status(project, dt.date(2010, 7, 1)).rag == "green"
    StaffTimeFactory(resource=resource, person=officer, month=dt.date(2010, 2, 1), days=60)
    db.session.commit()
    ahead = resource_status(project, dt.date(2010, 7, 1))  # 60 used, about 50 planned by now
    assert ahead.rag == "amber" and "ahead of the" in ahead.reason
    StaffTimeFactory(resource=resource, person=officer, month=dt.date(2010, 3, 1), days=41)
    db.session.commit()
    over = resource_status(project, dt.date(2010, 7, 1))
    assert over.rag == "red" and "Officer" in over.reason


def test_a_status_drafted_after_its_period_says_when_it_was_judged():
    from tracker.reports.statuses import Status

    status = Status("green", "No task is late", "rule")
    end = dt.date(2010, 2, 28)
    assert status_text(status, end, end) == "No task is late."
    assert status_text(status, end, dt.date(2010, 3, 1)) == (
        "No task is late. As at 1 Mar 2010, when this was drafted."
    )


def test_stream_days_count_the_periods_months_and_all_months():
    feb, mar = dt.date(2010, 2, 1), dt.date(2010, 3, 1)
    days = [(dt.date(2010, 1, 1), Decimal("2")), (feb, Decimal("1.5")), (mar, Decimal("4"))]
    assert stream_days(days, feb, dt.date(2010, 2, 28)).startswith("1.5 staff days")
    # A period starting mid-month takes its first month; one ending on the 1st takes that month.
    assert stream_days(days, dt.date(2010, 2, 15), mar).startswith("5.5 staff days")
    assert stream_days(days, dt.date(2010, 4, 1), dt.date(2010, 4, 30)).startswith("0 staff")
    assert "7.5 since the project began" in stream_days(days, feb, dt.date(2010, 2, 28))
    assert stream_days([], feb, mar) == "No staff days recorded by the work stream's people."


def _add_many(db, project, n: int) -> None:
    """n more tasks, risks (each reviewed), issue log entries, evidence items and changes; the
    risks and entries are a work stream member's, so the stream report drafts them too."""
    from tracker.evidence.models import EvidenceStatus

    stream = project.work_streams[0]
    owner = MembershipFactory(project=project, role=Role.WS_MEMBER, work_stream=stream).person
    for i in range(n):
        risk = RiskFactory(project=project, probability=Level.H, impact=Level.M, owner=owner)
        RiskReviewFactory(risk=risk, reviewed_at=dt.datetime(2010, 2, 1 + i % 20, tzinfo=dt.UTC))
        TaskFactory(
            project=project,
            stage=project.stages[i % 5],
            work_stream=stream,
            code=f"B{n}.{i}",
            target_finish=dt.date(2010, 3, 1 + i % 28),
        )
        IssueLogEntryFactory(project=project, identified_on=dt.date(2010, 2, 3), author=owner)
        EvidenceItemFactory(project=project, work_stream=stream, status=EvidenceStatus.SUBMITTED)
        ChangeRequestFactory(
            project=project,
            raised_on=dt.date(2010, 2, 1),
            status=ChangeStatus.APPROVED,
            decided_at=dt.datetime(2010, 2, 15, tzinfo=dt.UTC),
        )
    db.session.commit()


def test_drafting_and_issuing_run_a_fixed_number_of_queries(db, client, seeded, count_queries):
    from tracker.auth.models import Person
    from tracker.projects.models import Project
    from tracker.reports.services import issue, new_draft

    manager_id, project_id = _person(db, seeded, Role.MANAGER).id, seeded.id
    start, end = dt.date(2010, 2, 1), dt.date(2010, 2, 28)
    stream_id = seeded.work_streams[0].id

    def counts() -> list[int]:
        found = []
        for kind, stream in (
            (ReportKind.PROJECT, None),
            (ReportKind.WORK_STREAM, stream_id),
            (ReportKind.QUARTERLY, None),
        ):
            db.session.expunge_all()  # nothing already loaded: every row comes from a query
            project, manager = (
                db.session.get(Project, project_id),
                db.session.get(Person, manager_id),
            )
            with count_queries as counted:  # one counter: read it after each block
                report = new_draft(
                    project, manager, start, end, TODAY, kind=kind, work_stream_id=stream
                )
            found.append(counted.count)
            with count_queries as counted:
                issue(report, project, TODAY, dt.datetime(2010, 3, 15, tzinfo=dt.UTC))
            found.append(counted.count)
            db.session.rollback()
        return found

    _add_many(db, db.session.get(Project, project_id), 3)
    few = counts()
    _add_many(db, db.session.get(Project, project_id), 40)
    assert counts() == few


def test_the_assessor_does_not_read_highlight_reports_which_state_the_budget(db, client, seeded):
    sign_in(client, _person(db, seeded, Role.ASSESSOR))
    report = db.session.execute(db.select(HighlightReport)).scalar_one()
    base = f"/projects/{seeded.slug}/reports"
    for url in (base, f"{base}/{report.id}", f"{base}/{report.id}/pdf"):
        assert client.get(url).status_code == 403, url
    assert f'href="{base}"' not in client.get(f"/projects/{seeded.slug}/").text
