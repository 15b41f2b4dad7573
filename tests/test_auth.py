"""Signing in and out, slowing down guessing, safe redirects, and user administration."""

from __future__ import annotations

import pytest

from tests.factories import DEFAULT_PASSWORD, PersonFactory, member
from tracker.auth.models import Person
from tracker.auth.services import is_safe_next
from tracker.projects.models import Membership, Role


@pytest.fixture
def person(app, db, project):
    person = PersonFactory(email="officer@example.gov.uk")
    member(person, project, Role.MANAGER)
    db.session.commit()
    return person


def sign_in(client, email, password, next_url=None):
    url = "/sign-in" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": password})


def test_sign_in_and_out(client, person, project):
    response = sign_in(client, "Officer@Example.gov.uk ", DEFAULT_PASSWORD)
    assert response.status_code == 302
    # A person with one project goes straight to it.
    assert client.get("/").headers["Location"].endswith(f"/projects/{project.slug}/")
    page = client.get(f"/projects/{project.slug}/")
    assert page.status_code == 200
    assert person.name.encode() in page.data
    assert client.post("/sign-out").status_code == 302
    assert client.get(f"/projects/{project.slug}/").status_code == 302


def test_wrong_password_does_not_say_which_part_was_wrong(client, person):
    wrong_password = sign_in(client, person.email, "not the password")
    unknown_email = sign_in(client, "nobody@example.gov.uk", DEFAULT_PASSWORD)
    for response in (wrong_password, unknown_email):
        assert response.status_code == 200
        assert b"Enter a correct email address and password" in response.data
        assert b"There is a problem" in response.data
    assert wrong_password.data.count(b"govuk-error-message") == unknown_email.data.count(
        b"govuk-error-message"
    )


def test_empty_form_gets_messages_beside_fields(client):
    response = sign_in(client, "", "")
    assert b"Enter your email address" in response.data
    assert b"Enter your password" in response.data


def test_an_address_too_long_for_any_account_is_refused_before_the_database(db, client):
    from tracker.auth.models import LoginAttempt

    response = sign_in(client, "a" * 300 + "@example.gov.uk", "whatever")
    assert response.status_code == 200
    assert b"Email address must be 254 characters or fewer" in response.data
    assert db.session.execute(db.select(LoginAttempt)).first() is None


def test_repeated_failures_lock_the_address(app, client, person):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert sign_in(client, person.email, "wrong").status_code == 200
    # Even the right password is refused while locked.
    response = sign_in(client, person.email, DEFAULT_PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed attempts" in response.data


def test_success_clears_earlier_failures(app, client, person):
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        sign_in(client, person.email, "wrong")
    assert sign_in(client, person.email, DEFAULT_PASSWORD).status_code == 302
    client.post("/sign-out")
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        sign_in(client, person.email, "wrong")
    assert sign_in(client, person.email, DEFAULT_PASSWORD).status_code == 302


def test_inactive_account_cannot_sign_in(db, client, person):
    person.is_active_account = False
    db.session.commit()
    assert sign_in(client, person.email, DEFAULT_PASSWORD).status_code == 200


def test_an_account_made_inactive_is_signed_out_at_once(db, client, person, project):
    assert sign_in(client, person.email, DEFAULT_PASSWORD).status_code == 302
    assert client.get("/").status_code in (200, 302)
    person.is_active_account = False
    db.session.commit()
    response = client.get(f"/projects/{project.slug}/")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_next_redirect_is_followed_only_within_the_site(client, person, project):
    inside = sign_in(client, person.email, DEFAULT_PASSWORD, f"/projects/{project.slug}/people")
    assert inside.headers["Location"] == f"/projects/{project.slug}/people"
    client.post("/sign-out")
    outside = sign_in(client, person.email, DEFAULT_PASSWORD, "https://evil.example/")
    assert outside.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/projects/x/", True),
        ("//evil.example/", False),
        ("https://evil.example/", False),
        ("/\\evil.example", False),
        ("", False),
        (None, False),
        ("javascript:alert(1)", False),
    ],
)
def test_is_safe_next(target, safe):
    assert is_safe_next(target) is safe


def test_admin_creates_user_and_gives_role(db, client, login_as, project):
    login_as(None, admin=True)
    response = client.post(
        "/admin/users/new",
        data={
            "name": "Richard May",
            "initials": "rm",
            "email": "Richard.May@example.gov.uk",
            "password": "a long enough password",
            "is_active_account": "y",
        },
    )
    assert response.status_code == 302
    person = db.session.execute(db.select(Person).filter_by(name="Richard May")).scalar_one()
    assert person.initials == "RM"
    assert person.email == "richard.may@example.gov.uk"
    stream = project.work_streams[0]
    # A work stream role without a stream is refused with a message, nothing saved.
    refused = client.post(
        f"/admin/users/{person.id}/memberships",
        data={"project": project.id, "role": "ws_lead", "work_stream": 0},
    )
    assert refused.status_code == 400
    assert b"Select the work stream for a work stream lead" in refused.data
    assert db.session.execute(db.select(Membership).filter_by(person_id=person.id)).first() is None
    added = client.post(
        f"/admin/users/{person.id}/memberships",
        data={"project": project.id, "role": "ws_lead", "work_stream": stream.id},
    )
    assert added.status_code == 302
    membership = db.session.execute(
        db.select(Membership).filter_by(person_id=person.id)
    ).scalar_one()
    assert membership.role is Role.WS_LEAD
    assert membership.work_stream_id == stream.id


def test_admin_form_errors_are_shown_and_nothing_saved(db, client, login_as):
    login_as(None, admin=True)
    response = client.post(
        "/admin/users/new", data={"name": "", "email": "not-an-email", "password": "short"}
    )
    assert response.status_code == 200
    for message in (
        b"Enter the person&#39;s full name",
        b"Enter an email address in the correct format",
        b"Password must be 12 characters or more",
    ):
        assert message in response.data
    assert db.session.execute(db.select(Person).filter_by(email="not-an-email")).first() is None


def test_a_stale_or_forged_admin_form_is_refused_in_plain_words(db, client, login_as, project):
    login_as(None, admin=True)
    person = PersonFactory(name="Role Less")
    db.session.commit()
    too_long = client.post(
        f"/admin/users/{person.id}", data={"name": "x" * 121, "email": person.email}
    ).get_data(as_text=True)
    assert "Full name must be 120 characters or fewer" in too_long
    forged = client.post(
        f"/admin/users/{person.id}/memberships",
        data={"project": "not a number", "role": "emperor", "work_stream": "99999"},
    )
    assert forged.status_code == 400
    text = forged.get_data(as_text=True)
    for message in ("Select a project", "Select a role", "Select a work stream of the chosen"):
        assert message in text
    assert "Not a valid choice" not in text and "could not coerce" not in text
    assert db.session.execute(db.select(Membership).filter_by(person_id=person.id)).first() is None
