"""Lost updates where the form is not one record's fields: the staff-days form (which picks its
record inside the form), the ratings grid, and decisions on a change request and a stage review.
Each time A opens the page, B saves or changes what A's page shows, A saves or decides: A is
refused with what changed, B's save stands, and nothing is doubled."""

from __future__ import annotations

from decimal import Decimal

from tests.helpers import sign_in
from tests.html import text_of
from tests.test_evidence import evidence_project  # noqa: F401 (a fixture)
from tests.test_plan_views import ask_for_review, person_with, plan, stage1_reviews  # noqa: F401
from tests.test_races import assessed_change
from tests.test_staff_days_views import roles  # noqa: F401 (a fixture)
from tests.test_versioning import CONFLICT, _FormReader, read_form, two_people
from tracker.budget.models import StaffTime
from tracker.evidence.models import AssessmentRound, ElementRating, RatingScale, RatingScope
from tracker.evidence.services import project_elements
from tracker.extensions import db as _db
from tracker.issues.models import ChangeRequest, ChangeStatus
from tracker.plan.models import Task
from tracker.projects.models import Role


def decision_form(response) -> dict:
    """The page's decision form (the one carrying what the page showed) as a browser sends it."""
    reader = _FormReader()
    reader.feed(response.get_data(as_text=True))
    (found,) = [form for form in reader.forms if "seen" in form]
    return {name: values[0] if len(values) == 1 else values for name, values in found.items()}


def test_a_stale_staff_days_save_is_refused_and_the_first_stands(client, project, roles):  # noqa: F811
    a, b = two_people(project)
    role = roles["manager"]
    url = f"/projects/{project.slug}/staff/record"
    sign_in(client, a)
    first = {"person": str(a.id), "resource": str(role.id), "month": ["2", "2010"], "days": "2"}
    assert client.post(url, data=first).status_code == 302  # no version sent: not checked
    change = f"{url}?person={a.id}&resource={role.id}&month=2010-02&days=2"
    a_form = read_form(client.get(change))
    sign_in(client, b)
    b_form = read_form(client.get(change)) | {"days": "3"}
    assert client.post(url, data=b_form).status_code == 302
    sign_in(client, a)
    refused = client.post(url, data=a_form | {"days": "5"})
    assert refused.status_code == 409
    page = text_of(refused)
    assert CONFLICT in page and "Days 3 5" in page
    assert read_form(refused)["days"] == "5"  # what A typed is kept
    rows = _db.session.execute(_db.select(StaffTime)).scalars().all()
    assert [row.days for row in rows] == [Decimal("3")]
    # Having seen B's figure, A saves again: this time it goes through.
    assert client.post(url, data=read_form(refused)).status_code == 302
    assert _db.session.execute(_db.select(StaffTime.days)).scalars().all() == [Decimal("5")]


def test_a_blank_staff_days_form_does_not_replace_days_it_never_showed(client, project, roles):  # noqa: F811
    a, b = two_people(project)
    role = roles["leads"]
    url = f"/projects/{project.slug}/staff/record"
    sign_in(client, a)
    a_form = read_form(client.get(url))
    sign_in(client, b)
    b_form = read_form(client.get(url))
    chosen = {"person": str(a.id), "resource": str(role.id), "month": ["3", "2010"]}
    assert client.post(url, data=b_form | chosen | {"days": "4"}).status_code == 302
    sign_in(client, a)
    refused = client.post(url, data=a_form | chosen | {"days": "1"})
    assert refused.status_code == 409 and "Days 4 1" in text_of(refused)
    assert _db.session.execute(_db.select(StaffTime.days)).scalars().all() == [Decimal("4")]


def test_a_stale_ratings_grid_is_refused_per_cell_and_the_first_stands(client, evidence_project):  # noqa: F811
    project = evidence_project
    a, b = two_people(project)
    round_ = AssessmentRound(
        project_id=project.id, name="Pre", scale=RatingScale.ASSESSOR, scope=RatingScope.COUNCIL
    )
    _db.session.add(round_)
    _db.session.commit()
    first, second, third = project_elements(project)[:3]
    url = f"/projects/{project.slug}/ratings/{round_.id}/enter"
    sign_in(client, a)
    a_form = read_form(client.get(url))
    sign_in(client, b)
    b_form = read_form(client.get(url))
    b_form |= {f"element-{first.id}": "full", f"element-{second.id}": "partial"}
    assert client.post(url, data=b_form).status_code == 302
    sign_in(client, a)
    # A rates the first element too, and a third one; the second, B's, A's grid leaves blank.
    a_form |= {f"element-{first.id}": "none", f"element-{third.id}": "plus"}
    refused = client.post(url, data=a_form)
    assert refused.status_code == 409, text_of(refused)[:2000]
    page = text_of(refused)
    assert CONFLICT in page
    table = page.split("What is different")[1].split("Criterion 1:")[0]
    assert f"Element {first.code} Compliance Non-compliance" in table
    assert f"Element {second.code} Partial Compliance Not rated" in table
    assert f"Element {third.code}" not in table  # only A changed it
    kept = read_form(refused)
    assert kept[f"element-{first.id}"] == "none" and kept[f"element-{third.id}"] == "plus"
    saved = _db.session.execute(
        _db.select(ElementRating.element_id, ElementRating.rating).filter_by(round_id=round_.id)
    )
    assert dict(saved.all()) == {first.id: "full", second.id: "partial"}
    # Saving again, having seen B's ratings, goes through.
    assert client.post(url, data=kept).status_code == 302
    saved = _db.session.execute(
        _db.select(ElementRating.element_id, ElementRating.rating).filter_by(round_id=round_.id)
    )
    assert dict(saved.all()) == {first.id: "none", third.id: "plus"}


def test_a_change_decided_on_a_page_read_before_the_analysis_changed_is_refused(
    client, login_as, project
):
    manager = login_as(Role.MANAGER)
    change, base = assessed_change(_db, client, project)
    decider = person_with(project, Role.MANAGER)
    sign_in(client, decider)
    seen = decision_form(client.get(base))
    sign_in(client, manager)
    assess = read_form(client.get(f"{base}/assess")) | {"impact_products": "Plan and budget"}
    assert client.post(f"{base}/assess", data=assess).status_code == 302
    sign_in(client, decider)
    refused = client.post(f"{base}/decide", data=seen | {"decision": "approve"})
    assert refused.status_code == 409, text_of(refused)[:2000]
    page = text_of(refused)
    assert CONFLICT in page and "Nothing has been decided" in page
    assert "Other products affected Plan and budget Work plan" in page
    found = _db.session.get(ChangeRequest, change.id)
    assert (found.status, found.impact_products) == (ChangeStatus.ASSESSED, "Plan and budget")
    # Having read the new analysis, the decider decides again: accepted.
    again = decision_form(refused) | {"decision": "approve"}
    assert client.post(f"{base}/decide", data=again).status_code == 302
    assert _db.session.get(ChangeRequest, change.id).status is ChangeStatus.APPROVED


def test_a_stage_decided_on_a_page_read_before_its_work_changed_is_refused(
    client,
    login_as,
    project,
    plan,  # noqa: F811
):
    manager = login_as(Role.MANAGER)
    assert ask_for_review(client, project, plan).status_code == 302
    review = stage1_reviews()[0]
    url = f"/projects/{project.slug}/plan/reviews/{review.id}/decide"
    sponsor = person_with(project, Role.SPONSOR)
    sign_in(client, sponsor)
    seen = decision_form(client.get(url))
    task = _db.session.execute(_db.select(Task).filter_by(code="1.1")).scalar_one()
    sign_in(client, manager)
    progress = f"/projects/{project.slug}/plan/tasks/{task.id}/progress"
    changed = read_form(client.get(progress)) | {"progress": "at_risk"}
    assert client.post(progress, data=changed).status_code == 302
    sign_in(client, sponsor)
    refused = client.post(url, data=seen | {"decision": "approved"})
    assert refused.status_code == 409, text_of(refused)[:2000]
    page = text_of(refused)
    assert CONFLICT in page and "Nothing has been decided" in page
    # The page shows a task's progress as it stands today: at risk and past its date, "Late".
    assert f"Task 1.1 {task.activity}: progress Late Complete" in page
    assert _db.session.get(type(review), review.id).decision is None
    # Having read the stage as it is now, the sponsor decides again: accepted.
    again = decision_form(refused) | {"decision": "approved"}
    assert client.post(url, data=again).status_code == 302
    assert _db.session.get(type(review), review.id).decision is not None
