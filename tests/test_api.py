"""The read-only JSON API: Bearer tokens, the same permissions as the pages, derived figures,
JSON errors, the token page and the OpenAPI document."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.factories import (
    BudgetLineFactory,
    MilestoneFactory,
    PersonFactory,
    RiskFactory,
    SpendEntryFactory,
    member,
)
from tracker.api.services import create_token, hash_token, parse_bearer, token_owner
from tracker.auth.models import ApiToken
from tracker.database import utcnow
from tracker.permissions import PERMISSIONS
from tracker.projects.models import Role
from tracker.risks.models import Level

# Each API endpoint and the page that shows the same data.
PAGE_FOR = {
    "api.project": "projects.home",
    "api.stages": "plan.stage_reviews",
    "api.milestones": "plan.milestones",
    "api.tasks": "plan.work_plan",
    "api.risks": "risks.log",
    "api.issues": "issues.log",
    "api.changes": "issues.changes",
    "api.budget": "budget.overview",
    "api.readiness": "evidence.readiness",
}


def _bearer(db, person) -> dict[str, str]:
    _, token = create_token(person, "reporting", utcnow())
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_every_project_endpoint_has_a_page_to_compare_with(app):
    api = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and "slug" in rule.arguments
    }
    assert api == set(PAGE_FOR)
    for endpoint, page in PAGE_FOR.items():
        if page in app.view_functions:
            assert (
                app.view_functions[endpoint].required_action
                == app.view_functions[page].required_action
            ), endpoint


@pytest.mark.parametrize("role", list(Role))
def test_api_permissions_match_the_pages(app, db, client, login_as, project, role):
    person = login_as(role)
    headers = _bearer(db, person)
    for endpoint, page in PAGE_FOR.items():
        action = app.view_functions[endpoint].required_action
        api = client.get(f"/api/v1/projects/{project.slug}/{_tail(app, endpoint)}", headers=headers)
        allowed = role in PERMISSIONS[action]
        assert (api.status_code != 403) is allowed, f"{role} {endpoint} {api.status_code}"
        assert api.status_code < 500
        if page in app.view_functions:
            page_url = app.url_map.bind("localhost").build(page, {"slug": project.slug})
            assert (client.get(page_url).status_code != 403) is allowed, f"{role} {page}"


def _tail(app, endpoint: str) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    return rule.rule.split("<slug>", 1)[1].lstrip("/")


def test_an_assessor_token_cannot_read_the_budget(db, client, project):
    assessor = PersonFactory()
    member(assessor, project, Role.ASSESSOR)
    response = client.get(f"/api/v1/projects/{project.slug}/budget", headers=_bearer(db, assessor))
    assert response.status_code == 403
    assert response.json == {
        "error": {"status": 403, "message": "Your roles in this project do not allow this"}
    }


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer nonsense", "Basic dXNlcjpwYXNz", "cse_not-even-bearer"],
)
def test_no_valid_token_is_a_json_401(client, project, header):
    headers = {"Authorization": header} if header else {}
    response = client.get(f"/api/v1/projects/{project.slug}", headers=headers)
    assert response.status_code == 401
    assert response.json["error"]["status"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_session_cookie_is_not_enough(client, login_as, project):
    login_as(Role.MANAGER)
    assert client.get(f"/api/v1/projects/{project.slug}").status_code == 401


def test_a_revoked_token_or_inactive_owner_is_refused(db, client, project):
    person = PersonFactory()
    member(person, project, Role.MANAGER)
    headers = _bearer(db, person)
    url = f"/api/v1/projects/{project.slug}"
    assert client.get(url, headers=headers).status_code == 200
    person.is_active_account = False
    db.session.commit()
    assert client.get(url, headers=headers).status_code == 401
    person.is_active_account = True
    token = db.session.execute(select(ApiToken)).scalar_one()
    token.revoked_at = utcnow()
    db.session.commit()
    assert client.get(url, headers=headers).status_code == 401


def test_unknown_project_and_unknown_path_are_json_404s(db, client, project):
    person = PersonFactory()
    member(person, project, Role.MANAGER)
    headers = _bearer(db, person)
    response = client.get("/api/v1/projects/no-such-project/risks", headers=headers)
    assert response.status_code == 404 and response.json["error"]["status"] == 404
    response = client.get("/api/v1/no-such-thing", headers=headers)
    assert response.status_code == 404 and response.json["error"]["status"] == 404


def test_the_api_is_read_only(db, client, project):
    person = PersonFactory()
    member(person, project, Role.MANAGER)
    response = client.post(f"/api/v1/projects/{project.slug}/risks", headers=_bearer(db, person))
    assert response.status_code == 405
    assert response.json["error"]["status"] == 405


def test_tokens_are_stored_only_as_a_hash_and_note_their_last_use(db, client, project):
    person = PersonFactory()
    member(person, project, Role.MANAGER)
    row, token = create_token(person, "reporting", utcnow())
    db.session.commit()
    assert row.token_hash == hash_token(token) and token not in row.token_hash
    assert row.last_used_at is None
    client.get("/api/v1/projects", headers={"Authorization": f"Bearer {token}"})
    db.session.refresh(row)
    assert row.last_used_at is not None


def test_parse_bearer():
    assert parse_bearer("Bearer abc") == "abc"
    assert parse_bearer("bearer  abc ") == "abc"
    assert parse_bearer("Token abc") is None
    assert parse_bearer("") is None


def test_token_owner_ignores_unknown_tokens(db):
    assert token_owner("cse_unknown", utcnow()) is None
    assert token_owner(None, utcnow()) is None


def test_projects_lists_only_the_owners_projects(db, client, project):
    from tests.factories import make_project

    other = make_project()
    person = PersonFactory()
    member(person, project, Role.EMT)
    response = client.get("/api/v1/projects", headers=_bearer(db, person))
    assert response.json == {"items": [{"slug": project.slug, "name": project.name}]}
    assert other.slug not in response.text


def test_figures_are_derived_as_on_the_pages(db, client, project):
    person = PersonFactory()
    member(person, project, Role.SPONSOR)
    MilestoneFactory(
        project=project,
        stage=project.stages[0],
        name="Stage 1 review",
        baseline_finish=dt.date(2010, 2, 26),
        scheduled_finish=dt.date(2010, 3, 5),
    )
    line = BudgetLineFactory(project=project, unit_cost_pence=50000)
    SpendEntryFactory(line=line, spent_on=dt.date(2010, 3, 1), amount_pence=12000)
    RiskFactory(project=project, description="Staff time", probability=Level.H, impact=Level.M)
    headers = _bearer(db, person)
    base = f"/api/v1/projects/{project.slug}"

    milestone = client.get(f"{base}/milestones", headers=headers).json["items"][0]
    assert milestone["finish_variance_days"] == 7
    assert milestone["baseline_finish"] == "2010-02-26"

    budget = client.get(f"{base}/budget", headers=headers).json
    figures = budget["sources"][0]["lines"][0]
    assert (figures["provision_pence"], figures["actual_pence"], figures["remaining_pence"]) == (
        50000,
        12000,
        38000,
    )
    assert budget["total"]["remaining_pence"] == 38000

    risk = client.get(f"{base}/risks", headers=headers).json["items"][0]
    assert (risk["score"], risk["band"]) == (6, "high")

    summary = client.get(base, headers=headers).json
    assert summary["current_stage"] == 1
    assert [s["status"] for s in summary["stages"]][:2] == ["in_progress", "not_started"]


def test_list_endpoints_run_a_fixed_number_of_queries(db, client, seeded, count_queries):
    person = PersonFactory()
    member(person, seeded, Role.MANAGER)
    headers = _bearer(db, person)
    counts = {}
    for endpoint in ("tasks", "risks", "issues", "changes", "budget", "milestones"):
        with count_queries as counted:
            response = client.get(f"/api/v1/projects/{seeded.slug}/{endpoint}", headers=headers)
        assert response.status_code == 200, endpoint
        assert response.json["project"] == seeded.slug
        counts[endpoint] = counted.count
    assert max(counts.values()) <= 12, counts


# The token page ---------------------------------------------------------------------------


def test_a_user_creates_a_token_seen_once_and_revokes_it(db, client, login_as):
    person = login_as(Role.MANAGER)
    response = client.post("/account/api-tokens", data={"name": "Performance dashboard"})
    assert response.status_code == 200
    row = db.session.execute(select(ApiToken)).scalar_one()
    assert row.person_id == person.id and row.name == "Performance dashboard"
    shown = response.text.split('id="new-token"', 1)[1].split(">", 1)[1].split("<", 1)[0]
    assert hash_token(shown) == row.token_hash
    again = client.get("/account/api-tokens")
    assert shown not in again.text and "Performance dashboard" in again.text

    response = client.post(f"/account/api-tokens/{row.id}/revoke")
    assert response.status_code == 302
    db.session.refresh(row)
    assert row.revoked_at is not None
    assert "Revoked" in client.get("/account/api-tokens").text


def test_a_token_needs_a_name(db, client, login_as):
    login_as(Role.MANAGER)
    response = client.post("/account/api-tokens", data={"name": " "})
    assert response.status_code == 400
    assert "Enter a name for the token" in response.text
    assert db.session.execute(select(ApiToken)).first() is None


def test_nobody_revokes_someone_elses_token(db, client, login_as):
    other = PersonFactory()
    row, _ = create_token(other, "theirs", utcnow())
    db.session.commit()
    login_as(Role.MANAGER)
    assert client.post(f"/account/api-tokens/{row.id}/revoke").status_code == 404
    db.session.refresh(row)
    assert row.revoked_at is None


# The OpenAPI document -----------------------------------------------------------------------


def test_openapi_document_describes_every_endpoint(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document["openapi"] == "3.1.0"
    documented = set(document["paths"])
    routes = {
        rule.rule.removeprefix("/api/v1").replace("<slug>", "{slug}")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi"
    }
    assert documented == routes
    schemas = document["components"]["schemas"]
    for path, item in document["paths"].items():
        operation = item["get"]
        assert operation["responses"]["401"]
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert ref.rsplit("/", 1)[1] in schemas, path
    assert "Assessor" not in document["paths"]["/projects/{slug}/budget"]["get"]["description"]


def test_openapi_document_is_valid_and_the_answers_follow_it(app, db, client, seeded):
    """The document passes the OpenAPI 3.1 validator, and every endpoint's answer on the seeded
    project matches the schema the document gives for it."""
    from jsonschema import Draft202012Validator
    from openapi_spec_validator import validate
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    document = client.get("/api/v1/openapi.json").json
    validate(document)
    registry = Registry().with_resource("urn:openapi", DRAFT202012.create_resource(document))
    manager = PersonFactory()
    member(manager, seeded, Role.MANAGER)
    headers = _bearer(db, manager)
    for path, item in document["paths"].items():
        url = "/api/v1" + path.replace("{slug}", seeded.slug)
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        ref = item["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        schema = {"$ref": "urn:openapi" + ref}
        errors = list(Draft202012Validator(schema, registry=registry).iter_errors(response.json))
        assert not errors, (url, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]])


# Races --------------------------------------------------------------------------------------


def _unique_violation() -> Exception:
    import sqlite3

    from sqlalchemy.exc import IntegrityError

    return IntegrityError("UPDATE x", {}, sqlite3.IntegrityError("UNIQUE constraint failed: x.n"))


def _stale() -> Exception:
    from sqlalchemy.orm.exc import StaleDataError

    return StaleDataError("UPDATE statement on table 'risk' expected to update 1 row(s)")


def _taken() -> Exception:
    from tracker.transitions import Conflict

    return Conflict("Someone else changed the status of this record a moment ago")


@pytest.mark.parametrize(
    ("error", "status"),
    [(_unique_violation, 409), (_stale, 409), (_taken, 409), (lambda: ValueError("x"), 500)],
)
def test_a_race_on_an_api_route_is_a_json_409(
    app, db, client, login_as, project, monkeypatch, error, status
):
    import tracker.api.views

    headers = _bearer(db, login_as(Role.MANAGER))

    def fails(*args: object) -> None:
        raise error()

    monkeypatch.setattr(tracker.api.views, "project_risks", fails)
    response = client.get(f"/api/v1/projects/{project.slug}/risks", headers=headers)

    assert response.status_code == status
    assert response.json["error"]["status"] == status
    expected = "Someone else changed this" if status == 409 else "a problem with the service"
    assert expected in response.json["error"]["message"]
