"""The seeded demo judged at its status date, 26 Feb 2010, the date of Project Document V1.2:
a newcomer sees the project as it stood that day, as the February highlight report describes
it, not 23 late tasks and a red schedule for them. And its budget headline is the project
budget of section 10.2, the corporate training budget beside it."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import PersonFactory, member
from tests.helpers import sign_in, sign_in_as
from tests.html import parse, text_of
from tests.pages import manager_pages, seeded_records
from tracker.api.services import create_token
from tracker.budget.figures import budget_summary
from tracker.database import utcnow
from tracker.projects.models import Role
from tracker.projects.status import status_date
from tracker.reports.dashboard import gather_dashboard

D = dt.date
STATUS_DATE = D(2010, 2, 26)


@pytest.fixture
def today_is(monkeypatch):
    monkeypatch.setattr("tracker.projects.status.london_today", lambda: D(2026, 12, 5))


def _late_tasks(client, project) -> str:
    page = text_of(client.get(f"/projects/{project.slug}/plan/tasks?status=late"))
    return page.split(" match")[0].rsplit(" ", 2)[-2]


def test_the_demo_is_judged_at_the_date_of_its_project_document(seeded, today_is):
    assert seeded.status_date == STATUS_DATE
    assert status_date(seeded) == STATUS_DATE


def test_no_task_is_late_at_the_status_date_where_23_are_today(client, db, seeded, today_is):
    sign_in_as(client, seeded, Role.MANAGER)
    assert _late_tasks(client, seeded) == "0"
    seeded.status_date = None
    db.session.commit()
    assert _late_tasks(client, seeded) == "23"


def test_the_schedule_status_is_judged_at_the_status_date(seeded, today_is):
    board = gather_dashboard(seeded, frozenset({Role.MANAGER}), status_date(seeded))
    schedule = next(s for s in board.rag if s.key == "schedule")
    # Red only for the month change request 1 added to stage 1 (decided that day), as the
    # February report's schedule status says; no task is late.
    assert schedule.rag == "red"
    assert (
        schedule.reason
        == "Stage 1 - Organisational Preparation Complete is 31 days behind its baseline"
    )
    # The spend chart runs over the project's months, with actual spend up to the status date.
    assert board.months[0].month == D(2009, 12, 1) and board.months[-1].month == D(2011, 3, 1)
    assert board.months[-1].planned_to_date_pence == 2_260_000  # the project budget's provision
    assert [m.actual_to_date_pence for m in board.months if m.month == D(2010, 2, 1)] == [120_000]


def test_the_dashboard_shows_the_status_date_and_the_project_budget(client, seeded, today_is):
    sign_in_as(client, seeded, Role.MANAGER)
    page = parse(client.get(f"/projects/{seeded.slug}/dashboard"))
    assert text_of(page.select_one("#status-date-line")).startswith(
        "Figures as at 26 February 2010 (status date)"
    )
    assert "The project's status at its status date, 26 Feb 2010" in text_of(page)
    assert text_of(page.select_one("#project-budget")).startswith(
        "Project budget: £22,600.00 allocated, £1,200.00 spent, £21,400.00 remaining."
    )
    assert text_of(page.select_one("#budget-beside")) == (
        "Beside the project budget, Corporate Training Budget Allocation: £5,000.00 allocated, "
        "£900.00 spent, £4,100.00 remaining."
    )
    assert "£27,600" not in text_of(page) and "£25,500" not in text_of(page)


def test_the_risk_trend_runs_within_the_project_to_the_status_date(client, db, seeded, today_is):
    sign_in_as(client, seeded, Role.ASSURANCE)

    def months() -> list[str]:
        rows = parse(client.get(f"/projects/{seeded.slug}/risks/trend")).select("tbody tr")
        return [text_of(row.select_one("th, td")) for row in rows]

    assert months() == ["Feb 2010"]  # the risk log of V1.2 is dated 26 Feb 2010
    seeded.status_date = D(2010, 6, 15)
    db.session.commit()
    assert months() == ["Jun 2010", "May 2010", "Apr 2010", "Mar 2010", "Feb 2010"]
    seeded.status_date = None  # today, long after the project: it stops at the project's end
    db.session.commit()
    assert len(months()) == 14 and months()[0] == "Mar 2011"


def test_the_budget_splits_the_project_budget_from_the_money_beside_it(seeded):
    summary = budget_summary(seeded)
    assert [s.source.code for s in summary.beside] == ["CT"]
    project_budget = summary.project_budget
    assert (
        project_budget.provision_pence,
        project_budget.actual_pence,
        project_budget.remaining_pence,
    ) == (2_260_000, 120_000, 2_140_000)
    assert summary.as_dict()["project_budget"]["remaining_pence"] == 2_140_000
    assert summary.as_dict()["total"]["provision_pence"] == 2_760_000  # every source, as before


def test_the_api_gives_the_status_date_and_the_project_budget(client, db, seeded, today_is):
    person = PersonFactory()
    member(person, seeded, Role.SPONSOR)
    _, token = create_token(person, "reporting", utcnow())
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    base = f"/api/v1/projects/{seeded.slug}"
    project = client.get(base, headers=headers).json
    assert (project["status_date"], project["status_date_set"]) == ("2010-02-26", True)
    budget = client.get(f"{base}/budget", headers=headers).json
    assert budget["project_budget"] == {
        "allocation_pence": 2_260_000,
        "provision_pence": 2_260_000,
        "actual_pence": 120_000,
        "remaining_pence": 2_140_000,
    }
    assert {s["code"]: s["in_project_budget"] for s in budget["sources"]} == {
        "SF": True,
        "CT": False,
    }
    tasks = client.get(f"{base}/tasks", headers=headers).json["items"]
    assert not [t for t in tasks if t["progress"] == "late"]


def test_every_page_of_the_project_says_which_date_it_judges_at(app, client, db, seeded):
    manager = PersonFactory()
    member(manager, seeded, Role.MANAGER)
    values, particular = seeded_records(seeded, manager)
    db.session.commit()
    sign_in(client, manager)
    missing, checked = [], 0
    for url in manager_pages(app, values, particular):
        response = client.get(url)
        if not url.startswith(f"/projects/{seeded.slug}/") or response.status_code != 200:
            continue
        checked += 1
        line = parse(response).select_one("#status-date-line")
        if line is None or not text_of(line).startswith("Figures as at 26 February 2010"):
            missing.append(url)
    assert checked > 50 and not missing, "\n".join(missing)  # every page, not a few
