"""Calendar feeds: the private address on the account page, its reset, the feed read back with
`icalendar` (all-day dates as the council wrote them, in BST and in GMT), what each role sees,
and a meeting's `.ics` download."""

from __future__ import annotations

import datetime as dt

import flask_migrate
import pytest
from icalendar import Calendar
from sqlalchemy import text

from tests import factories
from tests.helpers import sign_in
from tracker import create_app
from tracker.audit import AuditEvent
from tracker.auth.models import Person
from tracker.calendars.services import feed_entries, feed_owner, feed_secret
from tracker.config import TestConfig
from tracker.evidence.models import Criterion, Element, Standard, SubCriterion
from tracker.extensions import db as _db
from tracker.plan.models import StageReview
from tracker.projects.models import MeetingKind, Role
from tracker.withdrawal.services import withdraw

NOW = dt.datetime(2010, 4, 1, 9, 0, tzinfo=dt.UTC)
SUMMER = dt.date(2010, 7, 15)  # British Summer Time
WINTER = dt.date(2010, 1, 12)  # Greenwich Mean Time


def _feed_path(person: Person) -> str:
    return f"/calendar/{person.id}/{feed_secret(person)}.ics"


def _read(response) -> Calendar:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.data)


def _events(calendar: Calendar) -> dict[str, object]:
    return {str(event["summary"]): event for event in calendar.walk("VEVENT")}


def _element() -> Element:
    standard = Standard(name="CSE", version="test")
    criterion = Criterion(standard=standard, number=1, title="Customer insight")
    sub = SubCriterion(criterion=criterion, code="1.1", title="Customers", position=1)
    element = Element(subcriterion=sub, code="1.1.1", text="We know our customers", position=1)
    _db.session.add(element)
    _db.session.flush()
    return element


@pytest.fixture
def dated(project):
    """One record of each kind the feed holds, for a person who owns the task and the action."""
    owner = factories.PersonFactory(name="Olive Owner")
    factories.MeetingFactory(project=project, kind=MeetingKind.PROJECT_GROUP, held_on=SUMMER)
    factories.MeetingFactory(project=project, kind=MeetingKind.EMT, held_on=WINTER)
    _db.session.add(StageReview(stage=project.stages[0], scheduled_on=dt.date(2010, 3, 26)))
    factories.MilestoneFactory(project=project, name="Survey done", scheduled_finish=WINTER)
    factories.AssessmentRoundFactory(
        project=project,
        name="Pre-assessment",
        held_from=dt.date(2010, 10, 30),
        held_to=dt.date(2010, 11, 1),
    )
    factories.AssessmentRoundFactory(project=project, name="Undated round")
    task = factories.TaskFactory(
        project=project, code="1.1", activity="Write the pack", target_finish=SUMMER
    )
    task.responsible.append(owner)
    factories.TaskFactory(
        project=project, code="1.2", activity="Someone else's", target_finish=SUMMER
    )
    factories.GapActionFactory(
        project=project, element=_element(), description="Survey again", owner=owner, due_on=WINTER
    )
    _db.session.commit()
    return owner


def test_the_feed_holds_every_kind_as_all_day_dates_in_summer_and_winter(client, project, dated):
    factories.member(dated, project, Role.MANAGER)
    _db.session.commit()
    calendar = _read(client.get(_feed_path(dated)))
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["method"]) == "PUBLISH"
    assert "CSE Tracker" in str(calendar["prodid"])
    assert str(calendar["x-wr-calname"]) == "CSE Tracker: Olive Owner"
    events = _events(calendar)
    assert set(events) == {
        "Project group meeting",
        "Executive management team meeting",
        "Stage 1 review: Stage 1",
        "Milestone: Survey done",
        "Assessment: Pre-assessment",
        "Task due: 1.1 Write the pack",
        "Gap action due: 1.1.1 Survey again",
    }
    # The dates the council wrote, whatever the clocks: a summer (BST) and a winter (GMT) day
    # each come back as that same day, all day (VALUE=DATE), never shifted by an hour to the
    # day before as a midnight in UTC would be.
    summer = events["Project group meeting"]
    assert summer["dtstart"].dt == SUMMER and not isinstance(summer["dtstart"].dt, dt.datetime)
    assert summer["dtend"].dt == SUMMER + dt.timedelta(days=1)
    assert summer["dtstart"].params.get("VALUE") == "DATE"
    winter = events["Executive management team meeting"]
    assert winter["dtstart"].dt == WINTER and not isinstance(winter["dtstart"].dt, dt.datetime)
    assert str(calendar["x-wr-timezone"]) == "Europe/London"
    # An assessment over three days ends the day after its last day (RFC 5545).
    round_ = events["Assessment: Pre-assessment"]
    assert (round_["dtstart"].dt, round_["dtend"].dt) == (
        dt.date(2010, 10, 30),
        dt.date(2010, 11, 2),
    )
    for event in events.values():
        assert event["dtstamp"].dt.tzinfo is not None  # a moment in UTC, as RFC 5545 asks
        assert str(event["url"]).startswith("http://localhost/projects/")


def test_uids_are_stable_and_unique(client, project, dated):
    factories.member(dated, project, Role.MANAGER)
    _db.session.commit()
    first = [str(e["uid"]) for e in _read(client.get(_feed_path(dated))).walk("VEVENT")]
    second = [str(e["uid"]) for e in _read(client.get(_feed_path(dated))).walk("VEVENT")]
    assert first == second
    assert len(set(first)) == len(first)


def test_each_role_sees_what_its_pages_show(client, project, dated):
    """Meetings follow the meetings page, the plan the plan's pages, rounds the ratings."""
    emt = factories.PersonFactory()
    factories.member(emt, project, Role.EMT)
    assessor = factories.PersonFactory()
    factories.member(assessor, project, Role.ASSESSOR)
    _db.session.commit()
    emt_events = set(_events(_read(client.get(_feed_path(emt)))))
    assert emt_events == {
        "Stage 1 review: Stage 1",
        "Milestone: Survey done",
        "Assessment: Pre-assessment",
    }
    assessor_events = set(_events(_read(client.get(_feed_path(assessor)))))
    assert assessor_events == {"Assessment: Pre-assessment"}


def test_a_person_without_roles_sees_nothing_of_the_project(client, project, dated):
    membership = factories.member(dated, project, Role.MANAGER)
    _db.session.commit()
    assert _events(_read(client.get(_feed_path(dated))))
    _db.session.delete(membership)
    _db.session.commit()
    assert _events(_read(client.get(_feed_path(dated)))) == {}


def test_withdrawn_records_never_appear(client, project, dated):
    factories.member(dated, project, Role.MANAGER)
    manager = factories.PersonFactory()
    meeting = factories.MeetingFactory(project=project, kind=MeetingKind.ASSURANCE)
    _db.session.commit()
    assert "Project assurance group meeting" in _events(_read(client.get(_feed_path(dated))))
    withdraw(meeting, "Entered twice", manager, NOW)
    _db.session.commit()
    assert "Project assurance group meeting" not in _events(_read(client.get(_feed_path(dated))))


@pytest.mark.parametrize("bad", ["guessed", "A" * 43])
def test_a_guessed_address_is_404(client, project, dated, bad):
    assert client.get(f"/calendar/{dated.id}/{bad}.ics").status_code == 404
    assert client.get(f"/calendar/999999/{feed_secret(dated)}.ics").status_code == 404


def test_an_inactive_account_has_no_feed(client, project, dated):
    dated.is_active_account = False
    _db.session.commit()
    assert client.get(_feed_path(dated)).status_code == 404
    assert feed_owner(dated.id, feed_secret(dated)) is None


def test_the_account_page_shows_the_address_and_reset_makes_the_old_one_404(
    client, login_as, project
):
    person = login_as(Role.WS_MEMBER)
    old = _feed_path(person)
    page = client.get("/account/calendar")
    assert page.status_code == 200
    assert old in page.get_data(as_text=True)
    assert client.get(old).status_code == 200
    # The same address every time the page is opened: subscriptions keep working.
    assert old in client.get("/account/calendar").get_data(as_text=True)
    response = client.post("/account/calendar/reset")
    assert response.status_code == 302
    _db.session.refresh(person)
    new = _feed_path(person)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert new in client.get("/account/calendar").get_data(as_text=True)
    event = (
        _db.session.execute(
            _db.select(AuditEvent).where(
                AuditEvent.table_name == "person", AuditEvent.record_id == person.id
            )
        )
        .scalars()
        .all()[-1]
    )
    # Audited, without writing the key where the audit trail could show it.
    assert event.changes["calendar_key"] == ["(changed)", "(changed)"]


def test_reset_needs_a_signed_in_person_and_a_post(client, project):
    assert client.get("/account/calendar/reset").status_code == 405
    response = client.post("/account/calendar/reset")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_the_feed_runs_a_fixed_number_of_queries(client, project, dated, count_queries):
    factories.member(dated, project, Role.MANAGER)
    _db.session.commit()
    with count_queries as few:
        client.get(_feed_path(dated))
    for day in range(20):
        factories.MeetingFactory(project=project, held_on=SUMMER + dt.timedelta(days=day))
        factories.MilestoneFactory(project=project, scheduled_finish=WINTER)
        task = factories.TaskFactory(project=project, target_finish=SUMMER)
        task.responsible.append(dated)
    other = factories.make_project()
    factories.member(dated, other, Role.SPONSOR)
    factories.MeetingFactory(project=other)
    _db.session.commit()
    with count_queries as many:
        response = client.get(_feed_path(dated))
    assert len(_read(response).walk("VEVENT")) > 60
    assert many.count == few.count


def test_feed_entries_leave_out_finished_work(project, dated):
    factories.member(dated, project, Role.WS_LEAD)
    task = factories.TaskFactory(
        project=project, code="1.3", activity="Done already", target_finish=SUMMER
    )
    task.responsible.append(dated)
    task.actual_finish = SUMMER
    _db.session.commit()
    summaries = {entry.summary for entry in feed_entries(dated)}
    assert "Task due: 1.1 Write the pack" in summaries
    assert not any("Done already" in summary for summary in summaries)


def test_a_meeting_downloads_as_one_event(client, login_as, project):
    login_as(Role.SUPPORT)
    meeting = factories.MeetingFactory(
        project=project, kind=MeetingKind.LEAD_MEMBER, held_on=SUMMER, notes="Quarterly report"
    )
    _db.session.commit()
    url = f"/projects/{project.slug}/meetings/{meeting.id}.ics"
    page = client.get(f"/projects/{project.slug}/meetings").get_data(as_text=True)
    assert url in page
    response = client.get(url)
    assert "attachment" in response.headers["Content-Disposition"]
    (event,) = _read(response).walk("VEVENT")
    assert str(event["summary"]) == "Lead member meeting"
    assert event["dtstart"].dt == SUMMER
    assert "Quarterly report" in str(event["description"])
    assert str(event["uid"]) == f"meeting-{meeting.id}@localhost"


def test_a_meeting_download_follows_the_meetings_page(client, project):
    meeting = factories.MeetingFactory(project=project)
    member = factories.PersonFactory()
    factories.member(member, project, Role.WS_MEMBER)
    _db.session.commit()
    sign_in(client, member)
    assert client.get(f"/projects/{project.slug}/meetings/{meeting.id}.ics").status_code == 403
    assert client.get(f"/projects/{project.slug}/meetings/0.ics").status_code == 403


def test_reset_needs_the_forms_csrf_token(app, client, login_as):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        person = login_as(Role.MANAGER)
        old = _feed_path(person)
        assert client.post("/account/calendar/reset").status_code == 400
        _db.session.refresh(person)
        assert client.get(old).status_code == 200
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_the_migration_gives_each_person_their_own_key_and_keeps_the_email_index(tmp_path):
    """On SQLite, where a table copy would lose the index on lower(email): the migration adds
    and drops the column in place."""

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'migrate.sqlite'}"
        UPLOAD_FOLDER = str(tmp_path / "uploads")

    app = create_app(Config)
    with app.app_context():
        flask_migrate.upgrade(revision="s13a_setup")
        insert = text(
            "INSERT INTO person (name, email, is_admin, is_active_account, is_demo, "
            "session_generation, created_at, updated_at, row_version) "
            "VALUES (:e, :e, false, true, false, 0, '2010-01-01', '2010-01-01', 1)"
        )
        for email in ("a@example.gov.uk", "b@example.gov.uk"):
            _db.session.execute(insert, {"e": email})
        _db.session.commit()
        flask_migrate.upgrade(revision="s14c_calendar_key")
        keys = _db.session.execute(text("SELECT calendar_key FROM person")).scalars().all()
        assert len(set(keys)) == 2 and all(len(key) == 43 for key in keys)
        assert "uq_person_email_lower" in _person_indexes()
        flask_migrate.downgrade(revision="s13a_setup")
        columns = _db.session.execute(text("SELECT name FROM pragma_table_info('person')"))
        assert "calendar_key" not in set(columns.scalars())
        assert "uq_person_email_lower" in _person_indexes()
        _db.session.remove()


def _person_indexes() -> set[str]:
    """The names of the person table's indexes, read without reflection (which cannot read an
    index on an expression)."""
    query = text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'person'")
    return set(_db.session.execute(query).scalars())


@pytest.mark.parametrize("path", ["/calendar/99999999999999999999/x.ics", "/calendar/1/.ics"])
def test_an_impossible_address_is_404(client, project, path):
    assert client.get(path).status_code == 404
