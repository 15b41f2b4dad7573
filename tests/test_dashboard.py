"""The dashboard: what it shows, to whom, and in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import (
    BudgetLineFactory,
    ChangeRequestFactory,
    EvidenceItemFactory,
    IssueLogEntryFactory,
    MilestoneFactory,
    PersonFactory,
    RiskFactory,
    SpendEntryFactory,
    StageReviewFactory,
    TaskFactory,
)
from tests.helpers import sign_in_as
from tests.html import parse, text_of
from tracker.issues.models import (
    ChangeStatus,
    EntryStatus,
    IssueLogEntry,
)
from tracker.plan.models import Milestone
from tracker.plan.stages import stage_statuses
from tracker.projects.models import Role
from tracker.reports.dashboard import next_milestones, open_entries
from tracker.reports.dashboard_charts import stage_figure, stage_summary
from tracker.risks.models import Level

TODAY = dt.date(2010, 3, 15)
ASKED = dt.datetime(2010, 3, 26, tzinfo=dt.UTC)  # a stage review asked for


def d(day: int, month: int, year: int = 2010) -> dt.date:
    return dt.date(year, month, day)


# Rules -------------------------------------------------------------------------------------


def test_the_stage_chart_spans_the_project_and_shows_today_only_within_it(project):
    stages = list(project.stages)
    statuses = stage_statuses(stages)
    during = stage_figure(stages, statuses, [], stages[0].start_date + dt.timedelta(days=3))
    start, end = during.layout.xaxis.range
    assert start < stages[0].start_date.isoformat() and end > stages[-1].end_date.isoformat()
    assert [a.text for a in during.layout.annotations] == ["Status date"]
    years_later = stages[-1].end_date + dt.timedelta(days=5 * 365)
    after = stage_figure(stages, statuses, [], years_later)
    assert tuple(after.layout.xaxis.range) == (start, end)  # not stretched to today
    assert not after.layout.annotations and not after.layout.shapes
    summary = stage_summary(stages, statuses, [], years_later)
    assert "is after the last date the chart shows" in summary


def test_next_milestones_are_the_unreached_ones_soonest_first(project):
    reached = Milestone(name="Started", scheduled_finish=d(1, 1), actual_finish=d(2, 1))
    late = Milestone(name="Stage 1", scheduled_finish=d(5, 3), baseline_finish=d(26, 2))
    later = Milestone(name="Stage 2", scheduled_finish=d(1, 10))
    rows = next_milestones([later, reached, late], TODAY, count=5)
    assert [r.milestone.name for r in rows] == ["Stage 1", "Stage 2"]
    assert (rows[0].variance, rows[0].overdue) == (7, True)
    assert (rows[1].variance, rows[1].overdue) == (None, False)
    assert len(next_milestones([late, later], TODAY, count=1)) == 1


def test_open_entries_leave_out_closed_ones():
    entries = [
        IssueLogEntry(number="1", status=EntryStatus.OPEN),
        IssueLogEntry(number="2", status=EntryStatus.CLOSED),
    ]
    assert [e.number for e in open_entries(entries)] == ["1"]


def test_the_dashboard_lists_every_kind_of_waiting_work_and_for_whom(db, project):
    from tracker.evidence.access import Viewer
    from tracker.queue.services import waiting_in

    StageReviewFactory(
        stage=project.stages[0], requested_at=dt.datetime(2010, 3, 10, tzinfo=dt.UTC)
    )
    for number, status in enumerate(
        (ChangeStatus.RAISED, ChangeStatus.ASSESSED, ChangeStatus.APPROVED), start=1
    ):
        ChangeRequestFactory(project=project, number=number, status=status, raised_on=d(1, 3))
    owner = PersonFactory(name="Olive Owner")
    TaskFactory(
        project=project, code="1.1", activity="Plan", target_finish=d(20, 3), responsible=[owner]
    )
    RiskFactory(project=project, number="7", owner=owner, review_by=d(14, 3))
    db.session.flush()
    reader = Viewer(person_id=0, roles=frozenset({Role.EMT}), stream_ids=frozenset())
    found = waiting_in(project, reader, TODAY)
    assert [(w.title, w.waits_for) for w in found] == [
        ("Assess change request 1", "Project manager, Project support officer"),
        ("Decide change request 2", "Project manager"),
        ("Decide the stage 1 review (Stage 1)", "Project sponsor"),
        (
            f"Review risk 7: {found[3].title.split(': ', 1)[1]}",
            "Project manager, Project support officer",
        ),
        ("1.1 Plan", "Olive Owner"),
    ]


# The page ----------------------------------------------------------------------------------


def _add_lots(db, project, n: int) -> None:
    """n tasks, risks, issue log entries, milestones, change requests and spend entries."""
    owner = PersonFactory()
    line = BudgetLineFactory(project=project, unit_cost_pence=1, provision_pence=n)
    for i in range(n):
        stage = project.stages[i % 5]
        TaskFactory(project=project, stage=stage, code=f"{n}.{i}")
        RiskFactory(project=project, probability=Level.H, impact=Level.M, owner=owner)
        IssueLogEntryFactory(project=project, identified_on=d(1, 2), author=owner)
        MilestoneFactory(project=project, stage=stage, scheduled_finish=d(1, 4))
        ChangeRequestFactory(project=project, status=ChangeStatus.ASSESSED, requested_by=owner)
        SpendEntryFactory(line=line, spent_on=d(1, 2), amount_pence=1)
    StageReviewFactory(
        stage=project.stages[0], requested_at=dt.datetime(2010, 3, 26, tzinfo=dt.UTC)
    )
    db.session.commit()


def test_dashboard_runs_a_fixed_number_of_queries(db, client, login_as, project, count_queries):
    login_as(Role.MANAGER)
    url = f"/projects/{project.slug}/dashboard"
    with count_queries as empty:
        assert client.get(url).status_code == 200
    _add_lots(db, project, 3)
    with count_queries as few:
        assert client.get(url).status_code == 200
    _add_lots(db, project, 60)
    with count_queries as many:
        response = client.get(url)
    assert response.status_code == 200
    assert few.count == many.count, (few.count, many.count)
    # The waiting list (tracker/queue) reads evidence, risks, tasks and gap actions too.
    assert empty.count <= few.count <= 36


def test_dashboard_shows_the_project_at_a_glance(db, client, login_as, seeded):
    sign_in_as(client, seeded, Role.EMT)
    page = client.get(f"/projects/{seeded.slug}/dashboard").text
    for heading in (
        "Stage in progress",
        "Next milestones",
        "Decisions awaiting someone",
        "Top risks",
        "Open issue log entries",
        "Evidence readiness",
        "Spend against plan",
    ):
        assert heading in page, heading
    soup = parse(page)
    assert soup.select_one("#stage-chart") and "The stages (the chart as a table)" in page
    assert soup.select_one("#spend-chart") and soup.select_one("#spend-by-month")
    assert soup.select_one("#readiness-chart")
    assert "Readiness by criterion (the chart as a table)" in page
    assert "Elements by criterion and compliance. criterion 1: 0 fully, 11 partially" in page
    assert "Risks not closed: probability (rows) by impact (columns)" in page
    # The seed's stage 4 milestone, dated 2010 for 2011, is flagged as on the milestone table.
    assert "Dates to check" in page
    assert "The scheduled finish (18 Feb 2010) is before stage 4 starts (1 Jan 2011)" in page
    # Nothing to edit for the EMT: no export link.
    assert "Export the whole project" not in page


def test_an_assessor_sees_no_budget(client, login_as, project):
    login_as(Role.ASSESSOR)  # nor the dashboard: the project's internals are not theirs
    page = client.get(f"/projects/{project.slug}/dashboard")
    assert page.status_code == 403
    assert "Spend against plan" not in page.text and "spend-chart" not in page.text


def test_the_dashboard_is_in_the_navigation_after_project_home(client, login_as, project):
    login_as(Role.LEAD_MEMBER)
    menu = parse(client.get(f"/projects/{project.slug}/")).select("#navigation li a")
    items = [(text_of(link), link["href"]) for link in menu]
    texts = [text for text, _ in items]
    dashboard = items.index(("Dashboard", f"/projects/{project.slug}/dashboard"))
    assert texts.index("Project home") < dashboard < texts.index("Plan")


def test_statuses_show_the_colour_reason_and_rule(db, client, login_as, project):
    baseline = dt.date(2010, 2, 28)
    MilestoneFactory(
        project=project,
        name="Stage 1 milestone",
        baseline_finish=baseline,
        scheduled_finish=baseline + dt.timedelta(days=31),
    )
    db.session.commit()
    login_as(Role.SPONSOR)
    page = client.get(f"/projects/{project.slug}/dashboard").text
    assert "Stage 1 milestone is 31 days behind its baseline" in page
    assert "The rule: Red when a milestone is more than 14 days behind its baseline" in page


@pytest.mark.parametrize("role", [Role.EMT, Role.LEAD_MEMBER, Role.WS_MEMBER])
def test_every_role_reads_the_dashboard(client, login_as, project, role):
    login_as(role)
    assert client.get(f"/projects/{project.slug}/dashboard").status_code == 200


def test_members_only(client, login_as, project):
    login_as(None)
    assert client.get(f"/projects/{project.slug}/dashboard").status_code == 403


def test_the_seeded_dashboard_runs_a_fixed_number_of_queries_with_evidence(
    db, client, seeded, count_queries
):
    """With a standard, readiness is worked out from the evidence: more items (each linked to
    elements) and more of everything else cost no more queries."""
    from tracker.evidence.models import Element, EvidenceStatus

    sign_in_as(client, seeded, Role.MANAGER)
    url = f"/projects/{seeded.slug}/dashboard"
    elements = db.session.execute(db.select(Element)).scalars().all()

    def more(n: int) -> None:
        _add_lots(db, seeded, n)
        for i in range(n):
            EvidenceItemFactory(
                project=seeded,
                work_stream=seeded.work_streams[i % 3],
                status=EvidenceStatus.ACCEPTED,
                elements=elements[i % 50 : i % 50 + 3],
            )
        db.session.commit()

    more(7)  # task codes 7.x and 60.x: the seed has stages 1 to 5 only
    with count_queries as few:
        assert client.get(url).status_code == 200
    more(60)
    with count_queries as many:
        page = client.get(url)
    assert page.status_code == 200 and parse(page).select_one("#readiness-chart")
    assert many.count == few.count, many.statements
