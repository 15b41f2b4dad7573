"""Planning the staff resources of section 10.1 on the staff page: adding a role, changing it
and putting the roles in order, for those who plan staff; stale forms refused."""

from __future__ import annotations

import pytest

from tests.factories import StaffResourceFactory
from tests.html import field_error, text_of
from tracker.budget.models import StaffResource
from tracker.extensions import db as _db
from tracker.permissions import PERMISSIONS
from tracker.projects.models import Role


def url(project, path: str = "") -> str:
    return f"/projects/{project.slug}/staff{path}"


def roles(project) -> list[tuple[str, int, int]]:
    _db.session.expire_all()
    return [
        (r.role_name, r.quantity, r.days_each)
        for r in _db.session.execute(
            _db.select(StaffResource)
            .filter_by(project_id=project.id)
            .order_by(StaffResource.position, StaffResource.id)
        ).scalars()
    ]


def test_manager_adds_changes_and_orders_roles(client, login_as, project):
    login_as(Role.MANAGER)
    for name, quantity, days in (("Project manager", "1", "60"), ("Work stream lead", "10", "12")):
        response = client.post(
            url(project, "/resources/new"),
            data={"role_name": name, "quantity": quantity, "days_each": days},
        )
        assert response.status_code == 302, text_of(response)
    assert roles(project) == [("Project manager", 1, 60), ("Work stream lead", 10, 12)]
    page = text_of(client.get(url(project)))
    assert "Work stream lead: 10 × 12 days" in page
    lead = _db.session.execute(
        _db.select(StaffResource).filter_by(role_name="Work stream lead")
    ).scalar_one()
    edit = url(project, f"/resources/{lead.id}/edit")
    assert client.get(edit).status_code == 200
    response = client.post(
        edit,
        data={
            "role_name": "Work stream lead",
            "quantity": "11",
            "days_each": "12",
            "row_version": lead.row_version,
        },
    )
    assert response.status_code == 302, text_of(response)
    _db.session.refresh(lead)  # the version the staff page now shows
    response = client.post(
        url(project, f"/resources/{lead.id}/move"),
        data={"direction": "up", "row_version": lead.row_version},
    )
    assert response.status_code == 302
    assert roles(project) == [("Work stream lead", 11, 12), ("Project manager", 1, 60)]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("role_name", "", "Enter the role"),
        ("quantity", "", "Enter the number of people"),
        ("quantity", "two", "Number of people must be a whole number, like 2"),
        ("quantity", "0", "Number of people must be between 1 and 999"),
        ("days_each", "367", "Work days each must be between 1 and 366"),
    ],
)
def test_bad_input_is_refused_beside_the_field(client, login_as, project, field, value, message):
    login_as(Role.SUPPORT)
    data = {"role_name": "Champion", "quantity": "2", "days_each": "5"} | {field: value}
    response = client.post(url(project, "/resources/new"), data=data)
    assert response.status_code == 400
    assert field_error(response, field) == message
    assert roles(project) == []


def test_a_stale_edit_or_move_is_refused_and_nothing_is_saved(client, login_as, project):
    login_as(Role.MANAGER)
    first = StaffResourceFactory(project=project, role_name="Lead", quantity=2, days_each=5)
    second = StaffResourceFactory(project=project, role_name="Member", quantity=8, days_each=3)
    first.position, second.position = 1, 2
    _db.session.commit()
    read_at = second.row_version
    second.quantity = 9  # someone else's save
    _db.session.commit()
    response = client.post(
        url(project, f"/resources/{second.id}/edit"),
        data={"role_name": "Member", "quantity": "4", "days_each": "3", "row_version": read_at},
    )
    assert response.status_code == 409
    assert roles(project) == [("Lead", 2, 5), ("Member", 9, 3)]
    moved = client.post(
        url(project, f"/resources/{second.id}/move"),
        data={"direction": "up", "row_version": read_at},
        follow_redirects=True,
    )
    assert "changed by someone else" in text_of(moved)
    assert roles(project) == [("Lead", 2, 5), ("Member", 9, 3)]


@pytest.mark.parametrize("role", list(Role))
def test_staff_resource_routes_follow_the_permission_table(client, login_as, project, role):
    login_as(role)
    resource = StaffResourceFactory(project=project, role_name="Lead", quantity=2, days_each=5)
    _db.session.commit()
    allowed = role in PERMISSIONS["staff.plan"]
    for path in ("/resources/new", f"/resources/{resource.id}/edit"):
        assert client.get(url(project, path)).status_code == (200 if allowed else 403)
    response = client.post(
        url(project, "/resources/new"), data={"role_name": "X", "quantity": "1", "days_each": "1"}
    )
    assert response.status_code == (302 if allowed else 403)
    assert len(roles(project)) == (2 if allowed else 1)
    if role in PERMISSIONS["staff.view"]:
        shown = "Add a staff resource" in text_of(client.get(url(project)))
        assert shown == allowed


def test_a_role_of_another_project_is_not_found(client, login_as, project):
    from tests.factories import make_project

    login_as(Role.MANAGER)
    other = StaffResourceFactory(project=make_project(), role_name="Theirs")
    _db.session.commit()
    assert client.get(url(project, f"/resources/{other.id}/edit")).status_code == 404
    moved = client.post(url(project, f"/resources/{other.id}/move"), data={"direction": "up"})
    assert moved.status_code == 404
