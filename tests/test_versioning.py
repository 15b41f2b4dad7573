"""Lost updates: two people edit the same record; the second save, made from a form opened
before the first was saved, is refused with what changed, and the first save stands."""

from __future__ import annotations

import datetime as dt
import re
import threading
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm.exc import StaleDataError

from tests.factories import PersonFactory, member
from tests.helpers import sign_in
from tests.html import parse, text_of
from tests.pages import seeded_records
from tracker.audit import AuditEvent
from tracker.auth.models import Person
from tracker.budget.models import BudgetLine, FundingSource, SpendEntry
from tracker.extensions import db as _db
from tracker.issues.changes import raise_change
from tracker.plan.models import Task
from tracker.projects.models import Project, Role
from tracker.reports.models import HighlightReport
from tracker.risks.models import Level, Risk, RiskStatus

CONFLICT = "Someone else changed this record since you opened it"


class _FormReader(HTMLParser):
    """What a browser would send from each form of a page: name -> list of values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, list[str]]] = []
        self._form: dict[str, list[str]] | None = None
        self._text: tuple[str, list[str]] | None = None  # a textarea or option being read
        self._select: tuple[str, list[tuple[str, bool]]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        has = {k for k, _ in attrs}
        if tag == "form":
            self._form = {}
            self.forms.append(self._form)
        elif self._form is None or (not a.get("name") and tag != "option"):
            return
        elif tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file") or (
                kind in ("radio", "checkbox") and "checked" not in has
            ):
                return
            default = "on" if kind in ("radio", "checkbox") else ""
            self._form.setdefault(a["name"], []).append(a.get("value", default))
        elif tag == "textarea":
            self._text = (a["name"], [])
        elif tag == "select":
            self._select = (a["name"], [])
        elif tag == "option" and self._select is not None:
            self._select[1].append((a.get("value", ""), "selected" in has))

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._text is not None and self._form is not None:
            name, parts = self._text
            self._form.setdefault(name, []).append("".join(parts).removeprefix("\n"))
            self._text = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options = self._select
            chosen = [value for value, selected in options if selected] or [options[0][0]]
            self._form.setdefault(name, []).append(chosen[0])
            self._select = None
        elif tag == "form":
            self._form = None


def read_form(response) -> dict[str, str | list[str]]:
    """The fields of the page's edit form (the one carrying a row version), as a browser sends
    them: one value as a string, several (a date's boxes) as a list."""
    reader = _FormReader()
    reader.feed(response.get_data(as_text=True))
    versioned = [form for form in reader.forms if "row_version" in form]
    assert len(versioned) <= 1
    found = versioned[0] if versioned else max(reader.forms, key=len)  # else the largest
    return {name: values[0] if len(values) == 1 else values for name, values in found.items()}


def two_people(project: Project, *, admin: bool = False) -> tuple[Person, Person]:
    people = []
    for name in ("Alice Able", "Bob Baker"):
        person = PersonFactory(name=name, is_admin=admin)
        member(person, project, Role.MANAGER)
        people.append(person)
    _db.session.commit()
    return people[0], people[1]


def race(client, url: str, a: Person, b: Person, changes: dict[str, tuple[str, str]]):
    """A opens the form; B opens it, changes it and saves; A changes it and saves.

    `changes` maps a field to (B's value, A's value). Returns the response to A's save and the
    form as it came back to A."""
    sign_in(client, a)
    a_form = read_form(client.get(url))
    sign_in(client, b)
    b_form = read_form(client.get(url))
    b_form |= {name: b_value for name, (b_value, _) in changes.items()}
    saved = client.post(url, data=b_form)
    assert saved.status_code == 302, text_of(saved)[:3000]
    sign_in(client, a)
    a_form |= {name: a_value for name, (_, a_value) in changes.items()}
    refused = client.post(url, data=a_form)
    return refused, a_form


def assert_refused(refused, a_form: dict, changes: dict[str, tuple[str, str]]) -> None:
    assert refused.status_code == 409, text_of(refused)[:3000]
    page = text_of(refused)
    assert CONFLICT in page
    assert "Error:" in page  # in the page title
    kept = read_form(refused)
    for name, (b_value, a_value) in changes.items():
        assert kept[name] == a_value  # what A typed is kept in the form
        if not re.fullmatch(r"[\d.]+", a_value):  # amounts are shown as money
            assert a_value in page and b_value in page  # both sides are in the table
    assert kept["row_version"] != a_form.get("row_version")  # saving again is from what A saw


def refused_stale_save(client, project: Project, url: str, changes: dict[str, tuple[str, str]]):
    """Alice and Bob `race` on the form at `url`: Alice's save is refused as `assert_refused`
    expects. Returns the response to it."""
    a, b = two_people(project)
    refused, a_form = race(client, url, a, b, changes)
    assert_refused(refused, a_form, changes)
    return refused


# Risk, task and budget line, one by one ------------------------------------------------------


@pytest.fixture
def risk(project) -> Risk:
    found = Risk(
        project_id=project.id,
        number="01",
        description="Key staff leave the council",
        probability=Level.M,
        impact=Level.H,
        countermeasures="Share knowledge",
        status=RiskStatus.OPEN,
    )
    _db.session.add(found)
    _db.session.commit()
    return found


def test_a_stale_risk_edit_is_refused_and_the_first_save_stands(client, project, risk):
    url = f"/projects/{project.slug}/risks/{risk.id}/edit"
    refused = refused_stale_save(
        client, project, url, {"description": ("Bob's description", "Alice's description")}
    )
    assert _db.session.get(Risk, risk.id).description == "Bob's description"
    # Having read what changed, A saves again: this time it goes through.
    assert client.post(url, data=read_form(refused)).status_code == 302
    assert _db.session.get(Risk, risk.id).description == "Alice's description"


def test_a_stale_risk_edit_shows_choices_and_dates_in_words(client, project, risk):
    a, b = two_people(project)
    url = f"/projects/{project.slug}/risks/{risk.id}/edit"
    changes = {"probability": ("H", "L"), "review_by": (["1", "5", "2010"], ["2", "6", "2010"])}
    refused, _ = race(client, url, a, b, changes)
    assert refused.status_code == 409
    page = text_of(refused)
    assert "Probability High (H) Low (L)" in page
    assert "Review by 1 May 2010 2 Jun 2010" in page
    differences = next(
        table
        for table in parse(refused).select("table")
        if table.caption and text_of(table.caption) == "What is different"
    )
    assert "Description" not in text_of(differences)


def test_a_stale_risk_review_is_refused(client, project, risk):
    a, b = two_people(project)
    url = f"/projects/{project.slug}/risks/{risk.id}/review"
    refused, a_form = race(client, url, a, b, {"probability": ("H", "L")})
    assert refused.status_code == 409
    assert CONFLICT in text_of(refused)
    found = _db.session.get(Risk, risk.id)
    assert found.probability is Level.H
    assert [r.probability for r in found.reviews if r.probability is Level.L] == []


def test_a_stale_task_edit_is_refused_and_the_first_save_stands(client, project, plan_task):
    url = f"/projects/{project.slug}/plan/tasks/{plan_task.id}/edit"
    refused_stale_save(client, project, url, {"comments": ("Bob's comment", "Alice's comment")})
    assert _db.session.get(Task, plan_task.id).comments == "Bob's comment"


def test_a_stale_budget_line_edit_is_refused_and_the_first_save_stands(client, project, line):
    url = f"/projects/{project.slug}/budget/lines/{line.id}/edit"
    refused = refused_stale_save(
        client,
        project,
        url,
        {"unit_cost": ("900.00", "1200.00"), "provision": ("900.00", "1200.00")},
    )
    assert "Provision £900.00 £1,200.00" in text_of(refused)
    assert _db.session.get(BudgetLine, line.id).provision_pence == 90000


@pytest.fixture
def plan_task(project) -> Task:
    task = Task(
        project_id=project.id,
        stage_id=project.stages[0].id,
        code="1.1",
        activity="Write the project plan",
        start_date=dt.date(2010, 1, 4),
        target_finish=dt.date(2010, 2, 26),
    )
    _db.session.add(task)
    _db.session.commit()
    return task


@pytest.fixture
def line(project) -> BudgetLine:
    source = FundingSource(
        project_id=project.id, code="SF", name="Service fund", allocation_pence=100000
    )
    found = BudgetLine(
        source=source,
        project_id=project.id,
        product="Workshops",
        unit_cost_pence=50000,
        provision_pence=50000,
    )
    _db.session.add(found)
    _db.session.commit()
    return found


# Every edit form ------------------------------------------------------------------------------


def _edit_cases(seeded: Project, manager: Person) -> dict[str, tuple[str, dict]]:
    """Each edit page of the seeded project (address) with the fields B and A change."""
    values, particular = seeded_records(seeded, manager)
    change = raise_change(
        seeded,
        description="Add a customer panel",
        expected_benefits="Better insight",
        requested_by=manager,
        on=dt.date(2010, 4, 1),
    )
    report = _db.session.get(HighlightReport, particular["reports.report_edit"]["report_id"])
    section = f"text-{report.sections[0]['key']}"
    risk = _db.session.get(Risk, values["risk_id"])
    b_level, a_level = [level.value for level in Level if level is not risk.probability]
    _db.session.commit()
    base = f"/projects/{seeded.slug}"

    def text(field: str) -> dict[str, tuple[str, str]]:
        """Different for every page, so that each of B's saves changes something."""
        text.count += 1
        return {field: (f"Bob's {field} {text.count}", f"Alice's {field} {text.count}")}

    text.count = 0

    return {
        "risks.risk_edit": (f"{base}/risks/{values['risk_id']}/edit", text("countermeasures")),
        "risks.risk_review": (
            f"{base}/risks/{values['risk_id']}/review",
            {"probability": (b_level, a_level)},
        ),
        "plan.task_edit": (f"{base}/plan/tasks/{values['task_id']}/edit", text("comments")),
        "plan.task_progress": (
            f"{base}/plan/tasks/{values['task_id']}/progress",
            text("comments"),
        ),
        "plan.milestone_edit": (
            f"{base}/plan/milestones/{values['milestone_id']}/edit",
            text("notes"),
        ),
        "budget.source_edit": (f"{base}/budget/sources/{values['source_id']}/edit", text("name")),
        "budget.line_edit": (f"{base}/budget/lines/{values['line_id']}/edit", text("notes")),
        "budget.resource_edit": (
            f"{base}/staff/resources/{values['resource_id']}/edit",
            text("role_name"),
        ),
        "plan.stage_edit": (f"{base}/plan/stages/{values['stage_id']}/edit", text("products")),
        "issues.issue_edit": (f"{base}/issues/{values['entry_id']}/edit", text("resolution")),
        "issues.change_assess": (
            f"{base}/changes/{change.id}/assess",
            text("impact_products") | {"impact_days": ("2", "3"), "impact_cost": ("0.00", "10.00")},
        ),
        "evidence.item_edit": (f"{base}/evidence/{values['item_id']}/edit", text("description")),
        "evidence.gap_action_edit": (
            f"{base}/gap-actions/{values['action_id']}/edit",
            text("description"),
        ),
        "evidence.round_edit": (f"{base}/ratings/{values['round_id']}/edit", text("name")),
        "reports.report_edit": (f"{base}/reports/{report.id}/edit", text(section)),
        "auth.user_edit": (f"/admin/users/{manager.id}", text("job_title")),
        "projects.meeting_edit": (f"{base}/meetings/{values['meeting_id']}/edit", text("notes")),
        "projects.setup_details": (f"{base}/set-up/details", text("objective")),
        "projects.setup_work_stream_edit": (
            f"{base}/set-up/work-streams/{values['work_stream_id']}",
            text("name"),
        ),
        "projects.setup_service_edit": (
            f"{base}/set-up/services/{values['service_id']}",
            text("corporate_area"),
        ),
    }


def test_every_edit_form_refuses_a_stale_save(app: Flask, client, seeded):
    a, b = two_people(seeded, admin=True)
    cases = _edit_cases(seeded, a)
    for endpoint, (url, changes) in cases.items():
        refused, a_form = race(client, url, a, b, changes)
        assert refused.status_code == 409, (endpoint, text_of(refused)[:2000])
        assert_refused(refused, a_form, changes)
        sign_in(client, b)
        again = read_form(client.get(url))
        for name, (b_value, _) in changes.items():  # B's save stands
            assert again[name] == b_value, endpoint


def test_every_edit_page_carries_the_version(app: Flask, client, seeded):
    """A new edit page without the version would escape the walk above: every route named
    like an edit form, and every one the walk covers, renders the hidden version."""
    a, _ = two_people(seeded, admin=True)
    cases = _edit_cases(seeded, a)
    edit_endpoints = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and "GET" in rule.methods and "/edit" in rule.rule
    }
    assert edit_endpoints <= set(cases), edit_endpoints - set(cases)
    sign_in(client, a)
    for endpoint, (url, _) in cases.items():
        assert parse(client.get(url)).select_one('[name="row_version"]'), endpoint


def test_a_form_without_a_version_is_not_checked(client, project, risk):
    """A script posting the fields alone saves as before: the browser's form always has it."""
    a, _ = two_people(project)
    sign_in(client, a)
    url = f"/projects/{project.slug}/risks/{risk.id}/edit"
    data = read_form(client.get(url))
    del data["row_version"]
    assert client.post(url, data=data | {"description": "From a script"}).status_code == 302
    assert _db.session.get(Risk, risk.id).description == "From a script"


def test_a_stale_form_that_matches_what_is_saved_goes_through(client, project, risk):
    """Nothing would be lost: B and A typed the same."""
    a, b = two_people(project)
    url = f"/projects/{project.slug}/risks/{risk.id}/edit"
    refused, _ = race(client, url, a, b, {"description": ("The same", "The same")})
    assert refused.status_code == 302


def test_a_changed_spend_entry_is_not_withdrawn_from_a_stale_page(client, project, line):
    a, _ = two_people(project)
    entry = SpendEntry(line=line, spent_on=dt.date(2010, 3, 1), amount_pence=1000)
    _db.session.add(entry)
    _db.session.commit()
    sign_in(client, a)
    url = f"/projects/{project.slug}/withdraw/spend/{entry.id}"
    form = read_form(client.get(url)) | {"reason": "Entered twice"}
    entry.amount_pence = 2500  # changed by someone else meanwhile
    _db.session.commit()
    refused = client.post(url, data=form)
    assert refused.status_code == 409
    assert CONFLICT in text_of(refused) and "£25.00" in text_of(refused)
    entries = _db.select(SpendEntry.id)
    assert _db.session.execute(entries).scalars().all() == [entry.id]
    assert client.post(url, data=read_form(refused)).status_code == 302
    assert _db.session.execute(entries).scalars().all() == []  # withdrawn: out of every query


def test_a_draft_changed_since_it_was_read_is_not_issued(client, seeded):
    a, b = two_people(seeded)
    _, particular = seeded_records(seeded, a)
    report_id = particular["reports.report_edit"]["report_id"]
    _db.session.commit()
    page = f"/projects/{seeded.slug}/reports/{report_id}"
    sign_in(client, a)
    issue_form = read_form(client.get(page))
    sign_in(client, b)
    edit = read_form(client.get(f"{page}/edit"))
    key = next(name for name in edit if name.startswith("text-"))
    assert client.post(f"{page}/edit", data=edit | {key: "Rewritten"}).status_code == 302
    sign_in(client, a)
    refused = client.post(f"{page}/issue", data=issue_form, follow_redirects=True)
    assert "Someone changed the report since you opened it" in text_of(refused)
    assert _db.session.get(HighlightReport, report_id).number is None


# The version itself ---------------------------------------------------------------------------


def test_the_version_is_not_in_the_audit_trail(client, project, risk):
    a, _ = two_people(project)
    sign_in(client, a)
    url = f"/projects/{project.slug}/risks/{risk.id}/edit"
    client.post(url, data=read_form(client.get(url)) | {"description": "Changed"})
    events = _db.session.execute(
        _db.select(AuditEvent).where(AuditEvent.table_name == "risk")
    ).scalars()
    assert [sorted(e.changes) for e in events if e.action == "update"] == [["description"]]
    assert all("row_version" not in e.changes for e in events)


def test_changing_only_a_tasks_people_changes_its_version(project, plan_task):
    before = plan_task.row_version
    plan_task.responsible.append(PersonFactory())
    _db.session.commit()
    assert plan_task.row_version == before + 1


# Real concurrency (PostgreSQL) ---------------------------------------------------------------


def test_two_saves_racing_past_the_form_check_cannot_both_win(app: Flask, risk):
    """Two threads, each with its own session, read the risk at the same version and both
    pass the form check; the database lets only one UPDATE match that version."""
    if _db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so no real race")
    risk_id = risk.id
    ready = threading.Barrier(2, timeout=20)
    outcomes: dict[str, str] = {}

    def save(description: str) -> None:
        with app.app_context():
            found = _db.session.get(Risk, risk_id)
            assert found is not None
            ready.wait()  # both have read the same version
            found.description = description
            try:
                _db.session.commit()
                outcomes[description] = "saved"
            except StaleDataError:
                _db.session.rollback()
                outcomes[description] = "refused"

    threads = [threading.Thread(target=save, args=(who,)) for who in ("Alice's", "Bob's")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes.values()) == ["refused", "saved"], outcomes
    winner = next(who for who, outcome in outcomes.items() if outcome == "saved")
    _db.session.expire_all()
    assert _db.session.get(Risk, risk_id).description == winner


def test_two_people_saving_one_risk_at_once_never_both_win(
    app: Flask, client, project, risk, caplog
):
    """The same through the pages: two threads post the form each read at the same version.
    One is saved; the other is refused by the form check (409) or, when both passed it before
    either wrote, by the database: StaleDataError, which the application's error handlers
    answer with a 409 page (tracker/errors.py)."""
    if _db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so no real race")
    a, b = two_people(project)
    url = f"/projects/{project.slug}/risks/{risk.id}/edit"
    sign_in(client, a)
    form = read_form(client.get(url))
    ready = threading.Barrier(2, timeout=20)
    codes: dict[str, int] = {}

    def save(person: Person, description: str) -> None:
        own = FlaskClient(app, app.response_class, use_cookies=True)
        sign_in(own, person)
        ready.wait()
        codes[description] = own.post(url, data=form | {"description": description}).status_code

    threads = [
        threading.Thread(target=save, args=(person, f"{person.name}'s description"))
        for person in (a, b)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(codes.values()) in ([302, 409], [302, 500]), codes
    if 500 in codes.values():  # until the error handlers answer it with a page of its own
        assert [r.exc_info[0] for r in caplog.records if r.exc_info] == [StaleDataError]
    winner = next(who for who, code in codes.items() if code == 302)
    _db.session.expire_all()
    assert _db.session.get(Risk, risk.id).description == winner
