"""Dates recorded within the project's span: the rules at their edges, the spend and issue
forms that refuse a date outside it, and the date a new record's form opens on."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import BudgetLineFactory, IssueLogEntryFactory
from tests.html import field_error, parse
from tracker.extensions import db as _db
from tracker.issues.models import IssueLogEntry
from tracker.projects.models import Role
from tracker.projects.span import check_in_span, clamp_to_span, in_span, new_entry_date
from tracker.rules import RuleRefused

D = dt.date
DAY = dt.timedelta(days=1)


def test_the_span_includes_its_first_and_last_days(project):
    assert in_span(project, project.start_date) and in_span(project, project.end_date)
    assert not in_span(project, project.start_date - DAY)
    assert not in_span(project, project.end_date + DAY)
    check_in_span(project, project.end_date, what="Date spent", field="spent_on")
    with pytest.raises(RuleRefused) as refused:
        check_in_span(project, project.end_date + DAY, what="Date spent", field="spent_on")
    assert refused.value.field == "spent_on"
    assert refused.value.message == (
        "Date spent must be within the project's dates (1 Dec 2009 to 31 Mar 2011)"
    )


def test_a_new_record_opens_on_the_status_date_or_today_within_the_span(project):
    assert clamp_to_span(project, project.start_date - DAY) == project.start_date
    assert clamp_to_span(project, project.end_date + DAY) == project.end_date
    assert clamp_to_span(project, D(2010, 6, 1)) == D(2010, 6, 1)
    assert new_entry_date(project, D(2026, 12, 5)) == project.end_date
    assert new_entry_date(project, D(2010, 6, 1)) == D(2010, 6, 1)
    project.status_date = D(2010, 2, 26)
    assert new_entry_date(project, D(2026, 12, 5)) == D(2010, 2, 26)
    project.status_date = D(2009, 1, 1)
    assert new_entry_date(project, D(2026, 12, 5)) == project.start_date


def parts(day: dt.date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def test_forms_open_on_the_status_date(client, login_as, project):
    login_as(Role.MANAGER)
    project.status_date = D(2010, 2, 26)
    BudgetLineFactory(project=project)
    _db.session.commit()
    for path in ("budget/spend/new", "issues/new"):
        page = client.get(f"/projects/{project.slug}/{path}")
        name = "spent_on" if "spend" in path else "identified_on"
        boxes = parse(page).select(f'input[name="{name}"]')
        assert [box.get("value") for box in boxes] == ["26", "02", "2010"]


def test_an_issue_dated_outside_the_project_is_refused_and_nothing_is_saved(
    client, login_as, project
):
    manager = login_as(Role.MANAGER)
    data = {
        "description": "Assessor costs",
        "identified_on": parts(project.end_date + DAY),
        "author": str(manager.id),
        "resolution": "",
        "status": "open",
    }
    response = client.post(f"/projects/{project.slug}/issues/new", data=data)
    assert response.status_code == 400
    assert "within the project's dates" in field_error(response, "identified_on")
    assert _db.session.execute(_db.select(IssueLogEntry)).first() is None

    entry = IssueLogEntryFactory(project=project, identified_on=D(2010, 1, 5))
    _db.session.commit()
    data |= {"identified_on": parts(project.start_date - DAY), "row_version": entry.row_version}
    response = client.post(f"/projects/{project.slug}/issues/{entry.id}/edit", data=data)
    assert response.status_code == 400
    assert "within the project's dates" in field_error(response, "identified_on")
    _db.session.expire_all()
    assert _db.session.get(IssueLogEntry, entry.id).identified_on == D(2010, 1, 5)
