"""The staff days pages (Project Document 10.1) through the test client: recording days,
the seed's figures, the export, query counts."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from html import unescape

import pytest
from openpyxl import load_workbook

from tests.factories import (
    PersonFactory,
    StaffResourceFactory,
    StaffTimeFactory,
)
from tests.helpers import sign_in
from tests.html import parse, text_of
from tests.test_budget_views import member_of, read_csv, url
from tracker.budget.models import StaffTime
from tracker.extensions import db as _db
from tracker.projects.models import Role

D = dt.date


def test_seed_staff_days(client, seeded):
    reader = member_of(seeded, Role.LEAD_MEMBER)
    sign_in(client, reader)
    response = client.get(url(seeded, "staff"))
    assert response.status_code == 200
    page = text_of(response)
    assert "Project Manager 1 130 130 0 130" in page
    assert "Work Stream Members 28 15 420 0 420" in page
    assert "Total 43 946 0 946" in page
    assert 'data-plotly-for="staff-chart"' in response.get_data(as_text=True)


# Staff days -------------------------------------------


@pytest.fixture
def roles(db, project):
    manager = StaffResourceFactory(
        project=project, role_name="Project Manager", days_each=130, position=1
    )
    leads = StaffResourceFactory(
        project=project, role_name="Work Stream Leaders", quantity=7, days_each=25, position=2
    )
    db.session.commit()
    return {"manager": manager, "leads": leads}


def days_data(who, role, **fields) -> dict:
    return {
        "person": str(who.id),
        "resource": str(role.id),
        "month": ["2", "2010"],
        "days": "1.5",
    } | fields


def test_record_staff_days_and_record_again_to_correct(client, login_as, project, roles):
    me = login_as(Role.MANAGER)
    response = client.post(url(project, "staff/record"), data=days_data(me, roles["manager"]))
    assert response.status_code == 302
    page = text_of(client.get(url(project, "staff")))
    assert f"1.5 days recorded for {me.name} as Project Manager in Feb 2010" in page
    assert "Project Manager 1 130 130 1.5 128.5" in page
    again = client.post(
        url(project, "staff/record"), data=days_data(me, roles["manager"], days="4")
    )
    assert again.status_code == 302
    rows = _db.session.execute(_db.select(StaffTime)).scalars().all()
    assert len(rows) == 1 and rows[0].days == Decimal("4") and rows[0].month == D(2010, 2, 1)
    page = text_of(client.get(url(project, "staff")))
    assert f"{me.name}'s days as Project Manager in Feb 2010 changed from 1.5 to 4" in page
    assert "Feb 2010 4 0 4" in page  # the month table: manager 4, leads 0, all roles 4


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"days": "-1"}, "Days must be 0 or more"),
        ({"days": "32"}, "Days must be 28 or fewer in Feb 2010"),
        ({"days": "32", "month": ["", "2010"]}, "The month must include a month"),
        ({"days": "abc"}, "Days must be a number, like 2 or 1.5"),
        ({"days": ""}, "Enter the number of days"),
        ({"days": "1.25"}, "Days must have 1 decimal place or fewer"),
        ({"month": ["13", "2010"]}, "The month must be a real month, like 2 2010"),
        ({"month": ["", ""]}, "Enter the month and year"),
        ({"month": ["2", "10"]}, "Year must include 4 numbers"),
        ({"month": ["6", "2011"]}, "The month must be within the project, Dec 2009 to Mar 2011"),
        ({"person": "0"}, "Select the person"),
        ({"resource": "0"}, "Select the role"),
    ],
)
def test_bad_staff_days_are_refused_beside_the_field(
    client, login_as, project, roles, fields, message
):
    me = login_as(Role.SUPPORT)
    response = client.post(
        url(project, "staff/record"), data=days_data(me, roles["leads"], **fields)
    )
    assert response.status_code == 400
    html = unescape(response.get_data(as_text=True))
    assert message in html
    assert "There is a problem" in html
    assert _db.session.execute(_db.select(StaffTime)).first() is None


def test_staff_record_form_can_be_prefilled_for_a_change(client, login_as, project, roles):
    me = login_as(Role.MANAGER)
    html = client.get(
        url(
            project,
            f"staff/record?person={me.id}&resource={roles['leads'].id}&month=2010-03&days=2",
        )
    ).get_data(as_text=True)
    assert parse(html).select_one(f'option[value="{me.id}"][selected]')
    assert parse(html).select_one(f'option[value="{roles["leads"].id}"][selected]')
    assert [box.get("value") for box in parse(html).select('input[name="month"]')] == ["3", "2010"]


# Exports -------------------------------------------


def test_staff_time_export(client, login_as, project, roles):
    me = login_as(Role.MANAGER)
    client.post(url(project, "staff/record"), data=days_data(me, roles["leads"], days="2.5"))
    rows = read_csv(client.get(url(project, "staff/export?format=csv")))
    assert rows == [
        {"Month": "2010-02-01", "Person": me.label, "Role": "Work Stream Leaders", "Days": "2.5"}
    ]
    xlsx = client.get(url(project, "staff/export?format=xlsx"))
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in sheet[2]][1:] == [me.label, "Work Stream Leaders", 2.5]


# Fixed number of queries -------------------------------------------


def test_staff_page_runs_a_fixed_number_of_queries(client, login_as, project, roles, count_queries):
    login_as(Role.MANAGER)

    def add_time(people: int) -> None:
        for _ in range(people):
            person = PersonFactory()
            for month in range(1, 11):
                StaffTimeFactory(
                    resource=roles["leads"],
                    person=person,
                    month=D(2010, month, 1),
                    days=Decimal("1.5"),
                )
        _db.session.commit()

    add_time(1)
    with count_queries as counted:
        assert client.get(url(project, "staff")).status_code == 200
    small = counted.count
    add_time(19)
    with count_queries as counted:
        response = client.get(url(project, "staff"))
    assert counted.count == small
    assert small <= 6
    assert "Work Stream Leaders 7 25 175 300 -125" in text_of(response)
    assert "Over plan by 125 days" in text_of(response)
