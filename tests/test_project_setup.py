"""Setting a project up through its pages: the hub, the project's details, its work streams,
services and meetings. Each page: it saves what is typed, refuses bad input beside its field
with nothing saved, refuses a stale edit, and opens only for the roles the table names."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import (
    HighlightReportFactory,
    MeetingFactory,
    PersonFactory,
    ServiceFactory,
    make_project,
    member,
)
from tests.helpers import sign_in, sign_in_as
from tests.html import field_error, hrefs, link_href, text_of
from tests.test_versioning import CONFLICT, read_form
from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.permissions import PERMISSIONS
from tracker.projects.models import Meeting, MeetingKind, Membership, Role, Service, WorkStream
from tracker.projects.setup_services import project_date_problems
from tracker.reports.meeting_papers import quarterly_report_for
from tracker.reports.models import ReportKind, ReportStatus

D = dt.date


def url(project, path: str = "") -> str:
    return f"/projects/{project.slug}{path}"


def day(value: dt.date) -> list[str]:
    """A date as the GOV.UK date input's three boxes send it."""
    return [str(value.day), str(value.month), str(value.year)]


def opened(response) -> dict:
    """The page's edit form as a browser sends it, without its once token: the tests send one
    page's form more than once, each time as a new sending."""
    form = read_form(response)
    form.pop("once", None)
    return form


def details(project, **changes) -> dict:
    return {
        "name": project.name,
        "council": project.council,
        "objective": project.objective,
        "scope": project.scope,
        "start_date": day(project.start_date),
        "end_date": day(project.end_date),
    } | changes


@pytest.fixture
def manager(client, project):
    return sign_in_as(client, project, Role.MANAGER)


# The hub and the navigation -------------------------------------------------------------------


def test_the_hub_links_to_each_set_up_page_and_the_navigation_has_set_up(client, project, manager):
    page = client.get(url(project, "/set-up"))
    assert page.status_code == 200
    links = hrefs(page)
    for path in ("/set-up/details", "/set-up/people", "/set-up/work-streams", "/set-up/services"):
        assert url(project, path) in links
    assert link_href(page, "Set-up") == url(project, "/set-up")
    assert link_href(page, "Meetings") == url(project, "/meetings")


def test_support_sees_meetings_but_not_set_up_in_the_navigation(client, project):
    sign_in_as(client, project, Role.SUPPORT)
    page = client.get(url(project, "/"))
    assert link_href(page, "Meetings") == url(project, "/meetings")
    assert url(project, "/set-up") not in hrefs(page)
    assert client.get(url(project, "/set-up")).status_code == 403
    # The people page leads support to the work streams, and those to the services.
    streams = link_href(client.get(url(project, "/people")), "Edit work streams")
    assert link_href(client.get(streams), "their own page") == url(project, "/set-up/services")


# The project's details ------------------------------------------------------------------------


def test_the_manager_edits_the_projects_details(client, project, manager):
    form = opened(client.get(url(project, "/set-up/details")))
    assert form["name"] == project.name
    sent = form | {"council": "Testshire District Council", "end_date": ["30", "6", "2011"]}
    response = client.post(url(project, "/set-up/details"), data=sent)
    assert response.status_code == 302
    db.session.refresh(project)
    assert project.council == "Testshire District Council"
    assert project.end_date == D(2011, 6, 30)
    assert db.session.execute(
        db.select(AuditEvent).filter_by(table_name="project", action="update")
    ).first()


def test_an_end_before_the_start_is_refused_beside_the_end_date(client, project, manager):
    response = client.post(
        url(project, "/set-up/details"),
        data=details(project, name="Renamed", end_date=day(D(2009, 11, 1))),
    )
    assert response.status_code == 400
    assert field_error(response, "end_date") == (
        "The end date must be the same as or after the start date"
    )
    db.session.refresh(project)
    assert project.name == "Customer Service Excellence"  # nothing half-saved


def test_dates_that_leave_a_stage_outside_are_refused_naming_the_stage(client, project, manager):
    response = client.post(
        url(project, "/set-up/details"), data=details(project, start_date=day(D(2010, 1, 1)))
    )
    assert response.status_code == 400
    assert field_error(response, "start_date") == (
        "The start date must be on or before every stage's start: "
        "stage 1 (Stage 1) starts 1 Dec 2009"
    )
    response = client.post(
        url(project, "/set-up/details"), data=details(project, end_date=day(D(2011, 1, 31)))
    )
    assert "stage 5 (Stage 5) ends 23 Feb 2011" in field_error(response, "end_date")
    db.session.refresh(project)
    assert project.start_date == D(2009, 12, 1) and project.end_date == D(2011, 3, 31)


def test_project_date_problems_at_their_edges():
    from types import SimpleNamespace

    stage = SimpleNamespace(
        number=1, name="Start", start_date=D(2010, 1, 4), end_date=D(2010, 3, 31)
    )
    assert project_date_problems(D(2010, 1, 4), D(2010, 3, 31), [stage]) == {}  # on the edges
    assert project_date_problems(D(2010, 5, 1), D(2010, 5, 1), []) == {}  # a one-day project
    assert set(project_date_problems(D(2010, 1, 5), D(2010, 3, 30), [stage])) == {
        "start_date",
        "end_date",
    }
    assert project_date_problems(D(2010, 5, 2), D(2010, 5, 1), [stage]) == {
        "end_date": "The end date must be the same as or after the start date"
    }


def test_bad_details_get_their_messages(client, project, manager):
    response = client.post(
        url(project, "/set-up/details"),
        data=details(project, name="", council="", start_date=["31", "2", "2010"]),
    )
    assert response.status_code == 400
    assert field_error(response, "name") == "Enter the project's name"
    assert field_error(response, "council") == "Enter the council's name"
    assert field_error(response, "start_date") == "Start date must be a real date, like 26 2 2010"


def test_a_stale_edit_of_the_details_is_refused_and_the_first_stands(client, project):
    a = PersonFactory(name="Alice Able")
    b = PersonFactory(name="Bob Baker")
    member(a, project, Role.MANAGER)
    member(b, project, Role.MANAGER)
    db.session.commit()
    sign_in(client, a)
    a_form = opened(client.get(url(project, "/set-up/details")))
    sign_in(client, b)
    b_form = opened(client.get(url(project, "/set-up/details")))
    assert (
        client.post(url(project, "/set-up/details"), data=b_form | {"name": "B's"}).status_code
        == 302
    )
    sign_in(client, a)
    refused = client.post(url(project, "/set-up/details"), data=a_form | {"name": "A's"})
    assert refused.status_code == 409
    assert CONFLICT in text_of(refused)
    db.session.refresh(project)
    assert project.name == "B's"


# Work streams ---------------------------------------------------------------------------------


def stream_roles(stream_id: int) -> set[tuple[str, Role]]:
    rows = db.session.execute(db.select(Membership).filter_by(work_stream_id=stream_id)).scalars()
    return {(m.person.name, m.role) for m in rows}


def test_a_work_stream_is_added_with_its_lead_and_members(client, project, manager):
    lead = PersonFactory(name="Lynda Lead")
    helper = PersonFactory(name="Mo Member")
    member(lead, project, Role.ASSURANCE)
    member(helper, project, Role.ASSURANCE)
    db.session.commit()
    page = client.get(url(project, "/set-up/work-streams/new"))
    assert page.status_code == 200
    sent = {"name": "Revenues & Benefits", "code": "rb", "leads": [str(lead.id)]}
    sent["members"] = [str(helper.id)]
    assert client.post(url(project, "/set-up/work-streams/new"), data=sent).status_code == 302
    stream = db.session.execute(db.select(WorkStream).filter_by(code="RB")).scalar_one()
    db.session.refresh(project)
    assert project.work_streams[-1] is stream  # listed last
    assert stream_roles(stream.id) == {
        ("Lynda Lead", Role.WS_LEAD),
        ("Mo Member", Role.WS_MEMBER),
    }
    listing = text_of(client.get(url(project, "/set-up/work-streams")))
    assert "RB Revenues & Benefits Lynda Lead Mo Member" in listing


def test_bad_work_streams_are_refused_with_nothing_saved(client, project, manager):
    new = url(project, "/set-up/work-streams/new")
    response = client.post(new, data={"name": "", "code": ""})
    assert field_error(response, "name") == "Enter the work stream's name"
    assert field_error(response, "code") == "Enter the work stream's code"
    response = client.post(new, data={"name": "Again", "code": "ccs"})
    assert response.status_code == 400
    assert field_error(response, "code") == "Another work stream already has the code CCS"
    both = {"name": "Both", "code": "BO", "leads": [str(manager.id)], "members": [str(manager.id)]}
    response = client.post(new, data=both)
    assert "not both" in field_error(response, "members")
    stranger = PersonFactory()
    db.session.commit()
    response = client.post(new, data={"name": "X", "code": "X", "leads": [str(stranger.id)]})
    assert field_error(response, "leads") == "Select people from the list"
    assert len(project.work_streams) == 2


def test_editing_a_work_stream_changes_its_lead_and_a_stale_edit_is_refused(client, project):
    a = sign_in_as(client, project, Role.MANAGER)
    b = PersonFactory()
    member(b, project, Role.SUPPORT)
    db.session.commit()
    stream = project.work_streams[0]
    edit = url(project, f"/set-up/work-streams/{stream.id}")
    a_form = opened(client.get(edit))
    sign_in(client, b)
    b_form = opened(client.get(edit)) | {"leads": [str(a.id)]}
    assert client.post(edit, data=b_form).status_code == 302
    assert stream_roles(stream.id) == {(a.name, Role.WS_LEAD)}
    sign_in(client, a)
    refused = client.post(edit, data=a_form | {"name": "Renamed"})
    assert refused.status_code == 409
    assert f"Leads {a.label} (blank)" in text_of(refused)  # saved now, then what A sent
    assert stream_roles(stream.id) == {(a.name, Role.WS_LEAD)}
    assert client.post(edit, data=opened(refused) | {"leads": []}).status_code == 302
    assert stream_roles(stream.id) == set()
    db.session.refresh(stream)
    assert stream.name == "Renamed"


# Services -------------------------------------------------------------------------------------


def test_services_are_added_and_edited_and_bad_ones_refused(client, project, manager):
    new = url(project, "/set-up/services/new")
    sent = {"name": "Benefits", "corporate_area": "Finance"}
    assert client.post(new, data=sent).status_code == 302
    response = client.post(new, data={"name": "benefits", "corporate_area": "Finance"})
    assert field_error(response, "name") == "The project already has a service called benefits"
    response = client.post(new, data={"name": "Revenues", "corporate_area": " "})
    assert field_error(response, "corporate_area") == "Enter the corporate area"
    service = db.session.execute(db.select(Service)).scalar_one()
    edit = url(project, f"/set-up/services/{service.id}")
    form = opened(client.get(edit))
    assert (
        client.post(edit, data=form | {"corporate_area": "Finance & Revenues"}).status_code == 302
    )
    refused = client.post(edit, data=form | {"corporate_area": "Stale"})
    assert refused.status_code == 409
    db.session.refresh(service)
    assert service.corporate_area == "Finance & Revenues"
    assert "Benefits Finance & Revenues" in text_of(client.get(url(project, "/set-up/services")))


# Meetings -------------------------------------------------------------------------------------


def test_meetings_are_listed_by_kind_with_the_quarterly_report_they_read(client, project, manager):
    MeetingFactory(project=project, kind=MeetingKind.PROJECT_GROUP, held_on=D(2010, 3, 26))
    MeetingFactory(project=project, kind=MeetingKind.EMT, held_on=D(2010, 4, 1), month_only=True)
    report = HighlightReportFactory(
        project=project,
        kind=ReportKind.QUARTERLY,
        period_start=D(2010, 1, 1),
        period_end=D(2010, 3, 31),
        number=1,
        status=ReportStatus.ISSUED,
        issued_on=D(2010, 4, 6),
    )
    db.session.commit()
    page = client.get(url(project, "/meetings"))
    assert page.status_code == 200
    text = text_of(page)
    assert "Project group meetings" in text and "Project assurance group meetings" in text
    assert link_href(page, "Pack for 26 Mar 2010")
    quarterly = "Quarterly highlight report 1: 1 Jan 2010 to 31 Mar 2010"
    assert link_href(page, quarterly) == url(project, f"/reports/{report.id}")


def test_a_meeting_is_added_edited_and_refused_when_wrong(client, project, manager):
    new = url(project, "/meetings/new")
    response = client.post(new, data={"kind": "", "held_on": ["", "", ""]})
    assert response.status_code == 400
    assert field_error(response, "kind") == "Select the kind of meeting"
    assert field_error(response, "held_on") == "Enter the date of the meeting"
    sent = {"kind": "lead_member", "held_on": day(D(2010, 7, 14)), "month_only": "y"}
    assert client.post(new, data=sent | {"notes": "Quarter 1"}).status_code == 302
    meeting = db.session.execute(db.select(Meeting)).scalar_one()
    assert (meeting.kind, meeting.held_on, meeting.month_only) == (
        MeetingKind.LEAD_MEMBER,
        D(2010, 7, 1),
        True,
    )
    edit = url(project, f"/meetings/{meeting.id}/edit")
    form = opened(client.get(edit))
    assert client.post(edit, data=form | {"kind": "assurance"}).status_code == 302
    assert client.post(edit, data=form | {"notes": "Stale"}).status_code == 409
    db.session.refresh(meeting)
    assert (meeting.kind, meeting.notes) == (MeetingKind.ASSURANCE, "Quarter 1")


def test_the_quarterly_report_for_a_meeting_is_the_last_quarter_before_it():
    def quarterly(end: dt.date, status: ReportStatus = ReportStatus.ISSUED, id_: int = 1):
        found = HighlightReportFactory.build(period_end=end, status=status)
        found.id = id_
        return found

    march, june = quarterly(D(2010, 3, 31)), quarterly(D(2010, 6, 30), id_=2)
    assert quarterly_report_for([march, june], D(2010, 4, 1)) is march
    assert quarterly_report_for([march, june], D(2010, 3, 30)) is None
    assert quarterly_report_for([march, june], D(2010, 7, 1)) is june
    assert quarterly_report_for([march], D(2010, 7, 1)) is march  # 92 days: still that quarter
    assert quarterly_report_for([march], D(2010, 7, 2)) is None
    draft = quarterly(D(2010, 3, 31), ReportStatus.DRAFT, id_=3)
    assert quarterly_report_for([march, draft], D(2010, 4, 1)) is march


# Permissions ----------------------------------------------------------------------------------

ROUTES = {
    "/set-up": "project.edit",
    "/set-up/details": "project.edit",
    "/set-up/people": "people.manage",
    "/set-up/work-streams": "work_stream.edit",
    "/set-up/work-streams/new": "work_stream.edit",
    "/set-up/services": "service.edit",
    "/set-up/services/new": "service.edit",
    "/meetings": "report.view_drafts",
    "/meetings/new": "meeting.edit",
}


@pytest.mark.parametrize("role", list(Role))
def test_each_set_up_page_opens_for_the_roles_the_table_names(client, role):
    project = make_project()
    sign_in_as(client, project, role)
    for path, action in ROUTES.items():
        expected = 200 if role in PERMISSIONS[action] else 403
        assert client.get(url(project, path)).status_code == expected, (role, path)
    if role not in PERMISSIONS["project.edit"]:
        before = project.name
        client.post(url(project, "/set-up/details"), data=details(project, name="Changed"))
        db.session.refresh(project)
        assert project.name == before


def test_another_projects_records_are_not_found(client, project, manager):
    other = make_project()
    stream = other.work_streams[0]
    service = ServiceFactory(project=other)
    meeting = MeetingFactory(project=other)
    db.session.commit()
    for path in (
        f"/set-up/work-streams/{stream.id}",
        f"/set-up/services/{service.id}",
        f"/meetings/{meeting.id}/edit",
    ):
        assert client.get(url(project, path)).status_code == 404


def test_a_meeting_is_withdrawn_from_the_meetings_page(client, project, manager):
    """The meetings page links each meeting's withdrawal; once withdrawn it leaves the list."""
    MeetingFactory(project=project, kind=MeetingKind.EMT, held_on=D(2010, 4, 1), notes="Twice")
    db.session.commit()
    page = client.get(url(project, "/meetings"))
    withdraw = link_href(page, "Withdraw the meeting of 1 Apr 2010")
    assert client.post(withdraw, data={"reason": "Entered twice"}).status_code == 302
    assert "Twice" not in text_of(client.get(url(project, "/meetings")))
