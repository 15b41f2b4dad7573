"""Every create, change and delete lands in the audit trail, by any route or command."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import PersonFactory
from tests.helpers import sign_in
from tests.html import hrefs, one, text_of
from tracker.audit import AuditEvent, acting_as, because_of
from tracker.plan.models import Stage, StageReview
from tracker.projects.models import Role


def events(db, table):
    return (
        db.session.execute(
            db.select(AuditEvent).filter_by(table_name=table).order_by(AuditEvent.id)
        )
        .scalars()
        .all()
    )


def test_create_update_delete_with_old_and_new_values(db, project):
    stage = project.stages[0]
    with acting_as("test script"):
        stage.end_date = dt.date(2010, 4, 30)
        db.session.commit()
        review = StageReview(stage=stage, scheduled_on=dt.date(2010, 1, 29))
        db.session.add(review)
        db.session.commit()
        db.session.delete(review)
        db.session.commit()
    change = events(db, "stage")[-1]
    assert change.action == "update"
    assert change.actor_label == "test script"
    assert change.changes == {"end_date": ["2010-02-28", "2010-04-30"]}
    assert change.project_id == project.id
    created, deleted = events(db, "stage_review")
    assert created.action == "create" and deleted.action == "delete"
    assert created.changes["scheduled_on"] == [None, "2010-01-29"]
    # The review has no project_id of its own: the trail finds it through its stage.
    assert created.project_id == project.id
    assert created.record_id == deleted.record_id


def test_a_record_added_by_its_parents_id_is_still_in_the_projects_trail(db, project):
    """The seed adds stage reviews by stage_id: the relationship is not loaded at flush time."""
    stage_id = project.stages[0].id
    db.session.expire_all()
    db.session.add(StageReview(stage_id=stage_id, scheduled_on=dt.date(2010, 1, 29)))
    db.session.commit()
    assert events(db, "stage_review")[-1].project_id == project.id


def test_cause_is_recorded(db, project):
    with because_of("Change request 1"):
        project.stages[0].name = "Organisational Preparation"
        db.session.commit()
    assert events(db, "stage")[-1].cause == "Change request 1"


def test_unchanged_save_records_nothing(db, project):
    before = len(events(db, "stage"))
    project.stages[0].name = project.stages[0].name
    db.session.commit()
    assert len(events(db, "stage")) == before


def test_password_values_never_reach_the_trail(db):
    person = PersonFactory()
    db.session.commit()
    person.set_password("another password entirely")
    db.session.commit()
    change = events(db, "person")[-1]
    assert change.changes["password_hash"] == ["(changed)", "(changed)"]
    assert "another password" not in str(change.changes)


def test_changes_through_a_page_name_the_signed_in_user(db, client, login_as, project):
    admin = login_as(None, admin=True)
    person = PersonFactory(name="Before")
    db.session.commit()
    client.post(
        f"/admin/users/{person.id}",
        data={"name": "After", "email": person.email, "is_active_account": "y"},
    )
    change = events(db, "person")[-1]
    assert change.actor_id == admin.id
    assert change.changes["name"] == ["Before", "After"]


def test_manager_reads_project_trail_and_record_history(db, client, login_as, project):
    login_as(Role.MANAGER)
    stage: Stage = project.stages[0]
    stage.name = "Renamed stage"
    db.session.commit()
    trail = client.get(f"/projects/{project.slug}/audit")
    assert trail.status_code == 200
    assert b"Renamed stage" in trail.data
    history = client.get(f"/projects/{project.slug}/history/stage/{stage.id}")
    assert history.status_code == 200
    assert b"Renamed stage" in history.data
    filtered = client.get(f"/projects/{project.slug}/audit?table=stage")
    assert "work stream" not in text_of(one(filtered, "tbody"))


def test_history_of_another_projects_record_is_not_shown(db, client, login_as, project):
    from tests.factories import make_project

    other = make_project()
    login_as(Role.MANAGER)
    other_stage = other.stages[0]
    response = client.get(f"/projects/{project.slug}/history/stage/{other_stage.id}")
    assert response.status_code == 404


def _trail(client, project, **query) -> str:
    """The text of the rows of the project's audit trail, filtered by `query`."""
    from urllib.parse import urlencode

    response = client.get(f"/projects/{project.slug}/audit?{urlencode(query)}")
    assert response.status_code == 200
    return text_of(one(response, "tbody"))


def test_the_trail_filters_by_who_what_and_when(db, client, login_as, project):
    login_as(Role.MANAGER)
    stage = project.stages[0]
    with acting_as("flask seed"):
        stage.name = "Named by the seed"
        db.session.commit()
    with acting_as("Someone else"):
        stage.name = "Named by someone else"
        db.session.commit()
        db.session.delete(project.stages[-1])
        db.session.commit()
    seed_only = _trail(client, project, actor="flask seed", table="stage")
    assert "Named by the seed" in seed_only and "Named by someone else" not in seed_only
    deleted = _trail(client, project, action="delete")
    assert "Deleted" in deleted and "Changed" not in deleted
    today = dt.date.today()
    assert "Named by the seed" in _trail(client, project, since=today - dt.timedelta(days=1))
    nothing = client.get(f"/projects/{project.slug}/audit?until=2009-12-31").get_data(True)
    assert "No changes match these filters" in nothing


def test_a_bad_date_or_page_in_the_trail_is_explained_not_an_error(db, client, login_as, project):
    login_as(Role.MANAGER)
    response = client.get(f"/projects/{project.slug}/audit?since=26-02-2010&page=abc")
    assert response.status_code == 200
    assert "Enter a real date, for example 2010-02-26" in response.get_data(as_text=True)
    backwards = client.get(f"/projects/{project.slug}/audit?since=2010-03-01&until=2010-02-01")
    assert "The end date must be the same as or after the start date" in backwards.get_data(True)
    # A page past the end (even one too large for the database) shows the last page.
    last = client.get(f"/projects/{project.slug}/audit?page=99999999999999999999999")
    assert last.status_code == 200
    assert "page 1 of 1" in last.get_data(as_text=True)


def test_the_trail_pages_keep_their_filters_and_run_a_fixed_number_of_queries(
    db, client, login_as, project, count_queries
):
    from tracker.projects.services import AUDIT_PAGE_SIZE

    login_as(Role.MANAGER)
    stage = project.stages[0]

    def changes(n: int) -> None:
        for i in range(n):
            with acting_as(f"Editor {i % 7}"):
                stage.name = f"Stage name {len(events(db, 'stage'))}"
                db.session.commit()

    changes(3)
    with count_queries as few:
        _trail(client, project, table="stage")
    changes(AUDIT_PAGE_SIZE * 2)
    with count_queries as many:
        page = _trail(client, project, table="stage")
    assert few.count == many.count
    first = one(client.get(f"/projects/{project.slug}/audit?table=stage"), 'a[rel="next"]')
    assert "page=2" in first["href"] and "table=stage" in first["href"]
    assert page.count("Changed") == AUDIT_PAGE_SIZE
    # Only the filters are kept: an argument named like url_for's own is not a 500 nor a link.
    stray = client.get(f"/projects/{project.slug}/audit?table=stage&endpoint=x&_scheme=javascript")
    assert stray.status_code == 200
    next_link = one(stray, 'a[rel="next"]')["href"]
    assert "javascript" not in next_link and "table=stage" in next_link


def test_a_records_history_needs_the_right_to_read_the_record(db, client, login_as, project):
    from tests.factories import WorkStreamFactory
    from tests.test_foreign_ids import budget_line
    from tracker.evidence.models import EvidenceItem, EvidenceStatus

    line = budget_line(project)
    stream = WorkStreamFactory(project=project)
    private = EvidenceItem(
        project_id=project.id,
        work_stream=stream,
        title="Complaint letters",
        personal_data=True,
        retain_until=dt.date(2012, 1, 1),
        status=EvidenceStatus.SUBMITTED,  # put forward: the assessor reads it
    )
    db.session.add_all([line, private])
    db.session.commit()
    budget_history = f"/projects/{project.slug}/history/budget_line/{line.id}"
    item_history = f"/projects/{project.slug}/history/evidence_item/{private.id}"
    login_as(Role.ASSESSOR)  # reads evidence, personal data included, but not the budget
    assert client.get(budget_history).status_code == 403
    assert client.get(item_history).status_code == 200
    login_as(Role.PP_REP)  # a P&P representative of no stream: no personal data
    assert client.get(item_history).status_code == 403
    assert client.get(budget_history).status_code == 200
    login_as(Role.MANAGER)
    assert b"Complaint letters" in client.get(item_history).data


def test_the_seeded_records_pages_link_to_their_history(db, client, seeded):
    """The manager opens a task, milestone, risk, issue entry, change request, budget line,
    evidence item, stage review and highlight report of the demo project and follows each page's
    link to its history."""
    from tests.factories import PersonFactory, member
    from tracker.budget.models import BudgetLine
    from tracker.evidence.models import EvidenceItem
    from tracker.issues.models import ChangeRequest, IssueLogEntry
    from tracker.plan.models import Milestone, Task
    from tracker.reports.models import HighlightReport
    from tracker.risks.models import Risk

    manager = PersonFactory()
    member(manager, seeded, Role.MANAGER)
    item = EvidenceItem(project_id=seeded.id, work_stream=seeded.work_streams[0], title="Leaflet")
    db.session.add(item)
    db.session.commit()
    sign_in(client, manager)

    def first(model):
        return (
            db.session.execute(db.select(model).filter_by(project_id=seeded.id).order_by(model.id))
            .scalars()
            .first()
        )

    slug = f"/projects/{seeded.slug}"
    review = seeded.stages[0].reviews[0]
    pages = {
        "task": (first(Task), "/plan/tasks/{}/edit"),
        "milestone": (first(Milestone), "/plan/milestones/{}/edit"),
        "risk": (first(Risk), "/risks/{}"),
        "issue_log_entry": (first(IssueLogEntry), "/issues/{}/edit"),
        "change_request": (first(ChangeRequest), "/changes/{}"),
        "budget_line": (first(BudgetLine), "/budget/lines/{}/edit"),
        "evidence_item": (item, "/evidence/{}"),
        "stage_review": (review, "/plan/reviews/{}"),
        "highlight_report": (first(HighlightReport), "/reports/{}"),
    }
    for table, (record, page) in pages.items():
        html = client.get(slug + page.format(record.id)).get_data(as_text=True)
        history = f"{slug}/history/{table}/{record.id}"
        assert history in hrefs(html), table
        response = client.get(history)
        assert response.status_code == 200, table
        assert "Created" in response.get_data(as_text=True), table


@pytest.mark.parametrize(
    ("value", "field", "shown"),
    [
        (None, "end_date", "(empty)"),
        ("", "notes", "(empty)"),
        ("2010-02-28", "end_date", "28 Feb 2010"),
        ("2010-02-26T00:00:00+00:00", "applied_at", "26 Feb 2010, 00:00"),
        ("2010-06-01T12:00:00+00:00", "decided_at", "1 Jun 2010, 13:00"),
        (True, "personal_data", "Yes"),
        (120000, "provision_pence", "£1,200.00"),
        (3, "quantity", "3"),
        ("20100226", "reference", "20100226"),
        ("Organisational Preparation", "name", "Organisational Preparation"),
    ],
)
def test_trail_values_read_as_the_rest_of_the_tracker(value, field, shown):
    from tracker.filters import audit_value

    assert audit_value(value, field) == shown


def test_the_trail_page_shows_dates_as_officers_write_them(db, client, login_as, project):
    login_as(Role.MANAGER)
    stage = project.stages[0]
    old = stage.end_date
    stage.end_date = dt.date(2010, 3, 31)
    db.session.commit()
    text = _trail(client, project, table="stage", action="update")
    assert f"{old.day} {old.strftime('%b %Y')} → 31 Mar 2010" in text


def test_a_long_history_is_paged_in_a_fixed_number_of_queries(
    db, client, login_as, project, count_queries
):
    from tracker.projects.services import AUDIT_PAGE_SIZE

    login_as(Role.MANAGER)
    stage = project.stages[0]
    history = f"/projects/{project.slug}/history/stage/{stage.id}"

    def rename(times: int) -> None:
        for i in range(times):
            stage.name = f"Name {i} of {times}"
            db.session.commit()

    rename(2)
    with count_queries as few:
        assert client.get(history).status_code == 200
    rename(AUDIT_PAGE_SIZE + 5)
    with count_queries as many:
        first = client.get(history).get_data(as_text=True)
    assert few.count == many.count
    assert f"Name {AUDIT_PAGE_SIZE + 4} of" in first and 'rel="next"' in first
    assert f"{history}?page=2" in first
    second = client.get(f"{history}?page=2").get_data(as_text=True)
    assert 'rel="prev"' in second and "Name 0 of 2" in second


def test_the_administrator_reads_a_persons_history(db, client, login_as):
    login_as(None, admin=True)
    person = PersonFactory(name="Before Rename")
    db.session.commit()
    client.post(
        f"/admin/users/{person.id}",
        data={"name": "After Rename", "email": person.email, "is_active_account": ""},
    )
    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert f"/admin/users/{person.id}/history" in hrefs(page)
    history = client.get(f"/admin/users/{person.id}/history")
    assert history.status_code == 200
    text = history.get_data(as_text=True)
    assert "Before Rename → After Rename" in text
    assert "is active account" in text and "Yes → No" in text
    assert client.get("/admin/users/2147483647/history").status_code == 404
