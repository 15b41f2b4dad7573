"""The status date: the one date every figure of a project is judged at (issue 13)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import TaskFactory
from tests.html import field_error, parse, text_of
from tracker.extensions import db
from tracker.plan.models import Progress
from tracker.projects.models import Project, Role
from tracker.projects.status import set_status_date, status_date, status_date_problem
from tracker.rules import RuleRefused

D = dt.date
TODAY = D(2026, 12, 5)


@pytest.fixture
def today_is(monkeypatch):
    """Today, in the council's time zone, is 5 Dec 2026."""
    monkeypatch.setattr("tracker.projects.status.london_today", lambda: TODAY)


def _project(**fields) -> Project:
    return Project(
        slug="p",
        name="P",
        council="C",
        start_date=D(2009, 12, 1),
        end_date=D(2011, 3, 31),
        **fields,
    )


def test_without_a_status_date_figures_are_judged_at_today(today_is):
    assert status_date(_project()) == TODAY


def test_a_set_status_date_is_used_whatever_today_is(today_is):
    assert status_date(_project(status_date=D(2010, 2, 26))) == D(2010, 2, 26)


@pytest.mark.parametrize(
    ("chosen", "problem"),
    [
        (None, None),  # back to today: always allowed
        (D(2009, 12, 1), None),  # the project's first day
        (D(2011, 3, 31), None),  # its last day
        (D(2009, 11, 30), "Status date must be on or after the project's start, 1 December 2009"),
        (D(2011, 4, 1), "Status date must be on or before the project's end, 31 March 2011"),
    ],
)
def test_the_status_date_lies_within_the_project(chosen, problem):
    assert status_date_problem(_project(), chosen) == problem


def test_a_refused_status_date_changes_nothing_and_names_its_field():
    project = _project(status_date=D(2010, 2, 26))
    with pytest.raises(RuleRefused) as refused:
        set_status_date(project, D(2012, 1, 1))
    assert refused.value.field == "status_date"
    assert project.status_date == D(2010, 2, 26)
    set_status_date(project, None)
    assert project.status_date is None


# The page ------------------------------------------------------------------------------------


def _url(project: Project) -> str:
    return f"/projects/{project.slug}/status-date"


def _post(client, project, day: str = "", month: str = "", year: str = "", **extra):
    data = {"status_date": [day, month, year], "row_version": str(project.row_version)}
    return client.post(_url(project), data=data | extra)


def test_every_project_page_says_it_is_judged_at_today_until_a_date_is_set(
    client, login_as, project, today_is
):
    login_as(Role.SUPPORT)
    line = text_of(parse(client.get(f"/projects/{project.slug}/")).select_one("#status-date-line"))
    assert line == "Figures as at today, 5 December 2026"  # no link: support cannot change it
    login_as(Role.MANAGER)
    page = parse(client.get(f"/projects/{project.slug}/risks"))
    assert "Figures as at today, 5 December 2026" in text_of(page.select_one("#status-date-line"))
    assert page.select_one(f'#status-date-line a[href="{_url(project)}"]') is not None


def test_the_manager_sets_a_status_date_and_goes_back_to_today(client, login_as, project):
    login_as(Role.MANAGER)
    assert client.get(_url(project)).status_code == 200
    response = _post(client, project, "26", "2", "2010")
    assert response.status_code == 302
    db.session.refresh(project)
    assert project.status_date == D(2010, 2, 26)
    home = parse(client.get(f"/projects/{project.slug}/"))
    assert "Figures as at 26 February 2010 (status date)" in text_of(
        home.select_one("#status-date-line")
    )
    assert "judged at 26 Feb 2010" in text_of(home)  # the flashed message
    response = _post(client, project, "3", "", "", use_today="Judge at today instead")
    assert response.status_code == 302  # what was left in the date boxes is ignored
    db.session.refresh(project)
    assert project.status_date is None


@pytest.mark.parametrize(
    ("date", "message"),
    [
        (("", "", ""), "Enter the status date, or judge at today instead"),
        (
            ("30", "11", "2009"),
            "Status date must be on or after the project's start, 1 December 2009",
        ),
        (("1", "4", "2011"), "Status date must be on or before the project's end, 31 March 2011"),
        (("31", "2", "2010"), "Status date must be a real date, like 26 2 2010"),
    ],
)
def test_a_wrong_status_date_is_refused_beside_its_field(client, login_as, project, date, message):
    login_as(Role.MANAGER)
    response = _post(client, project, *date)
    assert response.status_code == 400
    assert field_error(response, "status_date") == message
    db.session.refresh(project)
    assert project.status_date is None


def test_a_status_date_set_from_a_stale_page_is_refused(client, login_as, project):
    login_as(Role.MANAGER)
    stale = project.row_version
    project.status_date = D(2010, 6, 1)  # someone else set it meanwhile
    db.session.commit()
    data = {"status_date": ["26", "2", "2010"], "row_version": str(stale)}
    response = client.post(_url(project), data=data)
    assert response.status_code == 409
    db.session.refresh(project)
    assert project.status_date == D(2010, 6, 1)


@pytest.mark.parametrize("role", [Role.SPONSOR, Role.SUPPORT, Role.WS_LEAD, Role.EMT])
def test_only_the_manager_sets_the_status_date(client, login_as, project, role):
    login_as(role)
    assert client.get(_url(project)).status_code == 403
    assert _post(client, project, "26", "2", "2010").status_code == 403


def test_lateness_is_judged_at_the_status_date(client, login_as, project, today_is):
    TaskFactory(
        project=project,
        stage=project.stages[0],
        code="1.1",
        activity="Getting Started Workshop",
        target_finish=D(2010, 3, 1),
        progress=Progress.ON_TRACK,
    )
    db.session.commit()
    login_as(Role.MANAGER)
    late = f"/projects/{project.slug}/plan/tasks?status=late"
    assert "1 task matches this filter" in text_of(client.get(late))  # late at today
    _post(client, project, "26", "2", "2010")
    assert "0 tasks match this filter" in text_of(client.get(late))  # not yet late then
    _post(client, project, "2", "3", "2010")
    assert "1 task matches this filter" in text_of(client.get(late))  # a day past its finish


@pytest.mark.parametrize(
    ("status", "listed"),
    [
        (D(2010, 2, 26), False),  # due in 15 days: not yet
        (D(2010, 2, 27), True),  # due in 14 days
        (D(2010, 3, 13), True),  # due that day
        (D(2010, 3, 14), True),  # a day late
    ],
)
def test_my_work_lists_tasks_due_within_a_fortnight_of_the_status_date(
    client, login_as, project, status, listed
):
    TaskFactory(
        project=project,
        stage=project.stages[0],
        code="1.9",
        activity="Awareness seminar",
        work_stream=project.work_streams[0],
        target_finish=D(2010, 3, 13),
        progress=Progress.ON_TRACK,
    )
    project.status_date = status
    db.session.commit()
    login_as(Role.WS_LEAD)
    assert ("1.9 Awareness seminar" in text_of(client.get(f"/projects/{project.slug}/"))) is listed
