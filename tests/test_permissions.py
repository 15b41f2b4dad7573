"""Every route declares a permission, and every route × role gets what the table says."""

from __future__ import annotations

import pytest

from tracker.audit import AuditEvent
from tracker.permissions import ADMIN_ACTIONS, PERMISSIONS, PUBLIC, SIGNED_IN
from tracker.projects.models import Role


def test_every_endpoint_declares_an_action(app):
    missing = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        and not hasattr(app.view_functions[rule.endpoint], "required_action")
    ]
    assert missing == []


def test_every_declared_action_is_in_the_table(app):
    known = set(PERMISSIONS) | ADMIN_ACTIONS | {PUBLIC, SIGNED_IN}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        assert app.view_functions[rule.endpoint].required_action in known, rule.endpoint


def _url_values(rule, project, person, db) -> dict:
    """Values for a rule's arguments that point at real records of `project`."""
    event = db.session.execute(db.select(AuditEvent).limit(1)).scalar_one()
    membership = person.memberships[0] if person.memberships else None
    values = {
        "slug": project.slug,
        "person_id": person.id,
        "membership_id": membership.id if membership else 0,
        "table": event.table_name,
        "record_id": event.record_id,
        "filename": "images/favicon.svg",
        "code": "1.1.1",
        "work_stream_id": project.work_streams[0].id,
    }
    values |= _plan_records(project, db)
    values |= _evidence_records(project, db)
    return _fill(rule, values)


def _plan_records(project, db) -> dict:
    """A task (on the first work stream, which a work stream lead here leads), a milestone, a
    review waiting for a decision and a condition of an earlier approval: made once per project.
    """
    import datetime as dt

    from tests.factories import (
        MilestoneFactory,
        ReviewConditionFactory,
        StageReviewFactory,
        TaskFactory,
    )
    from tracker.plan.models import Milestone, ReviewCondition, ReviewDecision, StageReview, Task

    task = db.session.execute(db.select(Task).filter_by(project_id=project.id)).scalars().first()
    if task is None:
        stage1, stage2 = project.stages[0], project.stages[1]
        now = dt.datetime(2010, 3, 26, tzinfo=dt.UTC)
        task = TaskFactory(
            project=project,
            stage=stage1,
            code="1.1",
            activity="Getting Started Workshop",
            work_stream=project.work_streams[0],
        )
        approved = StageReviewFactory(
            stage=stage1,
            requested_at=now,
            decided_at=now,
            decision=ReviewDecision.APPROVED_WITH_CONDITIONS,
        )
        ReviewConditionFactory(review=approved, text="Report in April")
        StageReviewFactory(stage=stage2, requested_at=now, summary="Evidence gathered")
        MilestoneFactory(project=project, stage=stage1, name="Stage 1", scheduled_finish=now.date())
        db.session.commit()
    milestone = (
        db.session.execute(db.select(Milestone).filter_by(project_id=project.id)).scalars().first()
    )
    waiting = (
        db.session.execute(db.select(StageReview).filter(StageReview.decision.is_(None)))
        .scalars()
        .first()
    )
    condition = db.session.execute(db.select(ReviewCondition)).scalars().first()
    return {
        "task_id": task.id,
        "milestone_id": milestone.id,
        "stage_id": project.stages[0].id,
        "review_id": waiting.id,
        "condition_id": condition.id,
    }


def _evidence_records(project, db) -> dict:
    """An evidence item of the first work stream with one file version: made once per project."""
    from tests.factories import (
        AssessmentRoundFactory,
        EvidenceFileFactory,
        EvidenceItemFactory,
        GapActionFactory,
    )
    from tracker.evidence.models import EvidenceItem

    item = (
        db.session.execute(db.select(EvidenceItem).filter_by(project_id=project.id))
        .scalars()
        .first()
    )
    if item is None:
        item = EvidenceItemFactory(project=project, title="Survey")
        EvidenceFileFactory(item=item, original_name="survey.pdf")
        db.session.commit()
    from tracker.evidence.models import Element, GapAction

    action = db.session.execute(db.select(GapAction)).scalars().first()
    if action is None:
        element = db.session.execute(db.select(Element)).scalars().first()
        if element is not None:
            action = GapActionFactory(project=project, element=element, description="Fix")
            db.session.commit()
    from tracker.evidence.models import AssessmentRound, RatingScale, RatingScope

    round_ = db.session.execute(
        db.select(AssessmentRound).filter_by(project_id=project.id)
    ).scalar_one_or_none()
    if round_ is None:  # rated per work stream, so that a lead may rate their own stream
        round_ = AssessmentRoundFactory(
            project=project,
            name="Self-assessment",
            scale=RatingScale.SELF,
            scope=RatingScope.WORK_STREAM,
        )
        db.session.commit()
    return {
        "item_id": item.id,
        "file_id": item.files[0].id,
        "action_id": action.id if action else 0,
        "round_id": round_.id,
    }


def _fill(rule, values: dict) -> dict:
    """The rule's arguments from `values`; any other `..._id` is 0, a record that does not exist.

    A 404 for a missing record still shows that the permission check let the role through.
    """
    # An element of the standard, and a kind of withdrawable record.
    values = {"code": "1.1.1", "word": "risk", **values}
    return {
        name: values.get(name, 0) if name.endswith("_id") else values[name]
        for name in rule.arguments
    }


def _is_api(rule) -> bool:
    """API routes answer to a Bearer token, not to the session: they are checked with one."""
    return rule.endpoint.startswith("api.")


def _token_headers(person, db) -> dict:
    from tracker.api.services import create_token
    from tracker.database import utcnow

    _, token = create_token(person, "permission test", utcnow())
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _project_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        action = app.view_functions[rule.endpoint].required_action
        if action in PERMISSIONS:
            yield rule, action


@pytest.mark.parametrize("role", list(Role))
def test_project_routes_follow_the_permission_table(app, db, client, login_as, project, role):
    person = login_as(role)
    token = _token_headers(person, db)
    # The project itself must have an audit event so history pages have a record to show.
    project.objective = "Changed so that the audit trail has an entry"
    db.session.commit()
    for rule, action in _project_rules(app):
        values = _url_values(rule, project, person, db)
        url = app.url_map.bind("localhost").build(rule.endpoint, values)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method, headers=token if _is_api(rule) else {})
        allowed = role in PERMISSIONS[action]
        if allowed:
            assert response.status_code != 403, f"{role} refused {rule.endpoint}"
            assert response.status_code < 500, f"{role} got {response.status_code} at {url}"
        else:
            assert response.status_code == 403, f"{role} reached {rule.endpoint}"


# The assessor's row, written out rather than read from the table: the standard, the evidence
# put forward (its library, items, files, coverage and pack), ratings with their gap actions,
# readiness, the project's landing page and the histories of what those pages show. Nothing of
# the project's internals: plan, risks, issues, changes, budget, staff, people, reports,
# meetings, the dashboard, the audit trail or the export.
ASSESSOR_OPENS = frozenset(
    {
        "projects.home",
        "projects.record_history",
        "evidence.standard",
        "evidence.element",
        "evidence.library_page",
        "evidence.item",
        "evidence.download",
        "evidence.coverage_page",
        "evidence.stream_owes_page",
        "evidence.pack",
        "evidence.rounds",
        "evidence.matrix",
        "evidence.gap_actions",
        "evidence.readiness",
        "reports.evidence_export",
        "reports.gap_actions_export",
        "api.project",
        "api.readiness",
        # Their own prepared downloads (the pack, with REDIS_URL); anyone else's is a 404.
        "prepared.waiting",
        "prepared.file",
    }
)


def test_the_assessor_opens_the_evidence_and_nothing_else(app, db, client, login_as, project):
    person = login_as(Role.ASSESSOR)
    token = _token_headers(person, db)
    project.objective = "Changed so that the audit trail has an entry"
    db.session.commit()
    reached = set()
    for rule, _action in _project_rules(app):
        url = app.url_map.bind("localhost").build(
            rule.endpoint, _url_values(rule, project, person, db)
        )
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method, headers=token if _is_api(rule) else {})
        assert response.status_code < 500, f"{response.status_code} at {url}"
        if response.status_code != 403:
            reached.add(rule.endpoint)
    assert reached == ASSESSOR_OPENS


def test_person_outside_the_project_is_refused(app, db, client, login_as, project):
    token = _token_headers(login_as(None), db)
    for rule, _action in _project_rules(app):
        if "GET" not in rule.methods:
            continue
        url = app.url_map.bind("localhost").build(
            rule.endpoint,
            _fill(
                rule,
                {
                    "slug": project.slug,
                    "table": "project",
                    "record_id": project.id,
                    "code": "1.1.1",
                },
            ),
        )
        headers = token if _is_api(rule) else {}
        assert client.get(url, headers=headers).status_code == 403, rule.endpoint


@pytest.mark.parametrize("admin", [True, False])
def test_admin_routes_only_for_site_administrators(app, db, client, login_as, project, admin):
    person = login_as(Role.MANAGER, admin=admin)
    # Read once: a route tried earlier (removing the role) may have taken the membership away.
    values = {"person_id": person.id, "membership_id": person.memberships[0].id}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        if app.view_functions[rule.endpoint].required_action not in ADMIN_ACTIONS:
            continue
        url = app.url_map.bind("localhost").build(rule.endpoint, _fill(rule, values))
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        if admin:
            assert response.status_code not in (403, 500), rule.endpoint
        else:
            assert response.status_code == 403, rule.endpoint


def test_anonymous_is_sent_to_sign_in_everywhere_but_public_pages(app, client, project):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        action = app.view_functions[rule.endpoint].required_action
        if action == PUBLIC:
            continue
        values = {
            "slug": project.slug,
            "person_id": 1,
            "membership_id": 1,
            "table": "project",
            "record_id": project.id,
        }
        url = app.url_map.bind("localhost").build(rule.endpoint, _fill(rule, values))
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        if _is_api(rule):  # no token: a JSON 401, not a sign-in page
            assert response.status_code == 401, rule.endpoint
            assert response.json["error"]["status"] == 401
            continue
        assert response.status_code == 302, rule.endpoint
        assert "/sign-in" in response.headers["Location"]
