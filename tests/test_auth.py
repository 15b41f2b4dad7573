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


# Sessions end everywhere: sign-out, a new password, an account made inactive.


def copy_of_session(app, client):
    """Another browser holding a copy of the client's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_copied_session_cookie_dies_when_its_owner_signs_out(app, client, person, project):
    assert sign_in(client, person.email, DEFAULT_PASSWORD).status_code == 302
    thief = copy_of_session(app, client)
    home = f"/projects/{project.slug}/"
    assert thief.get(home).status_code == 200
    client.post("/sign-out")
    response = thief.get(home)
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_an_administrators_password_reset_ends_the_persons_sessions(
    app, client, login_as, person, project
):
    elsewhere = app.test_client()
    assert sign_in(elsewhere, person.email, DEFAULT_PASSWORD).status_code == 302
    home = f"/projects/{project.slug}/"
    assert elsewhere.get(home).status_code == 200
    login_as(None, admin=True)
    reset = client.post(
        f"/admin/users/{person.id}/password", data={"password": "another password entirely"}
    )
    assert reset.status_code == 302
    assert elsewhere.get(home).status_code == 302


def test_changing_your_own_password_keeps_you_signed_in_but_ends_other_copies(
    app, db, client, person
):
    person.is_admin = True
    db.session.commit()
    assert sign_in(client, person.email, DEFAULT_PASSWORD).status_code == 302
    copy = copy_of_session(app, client)
    changed = client.post(
        f"/admin/users/{person.id}/password", data={"password": "another password entirely"}
    )
    assert changed.status_code == 302
    assert client.get("/admin/users").status_code == 200
    assert copy.get("/admin/users").status_code == 302


def test_an_account_made_inactive_and_active_again_gets_no_old_session_back(
    app, db, client, login_as, person, project
):
    elsewhere = app.test_client()
    sign_in(elsewhere, person.email, DEFAULT_PASSWORD)
    login_as(None, admin=True)
    details = {"name": person.name, "email": person.email}
    client.post(f"/admin/users/{person.id}", data=details)
    client.post(f"/admin/users/{person.id}", data={**details, "is_active_account": "y"})
    db.session.refresh(person)
    assert person.is_active_account
    assert elsewhere.get(f"/projects/{project.slug}/").status_code == 302


def test_a_remember_cookie_names_the_session_generation_too(db, person):
    """Flask-Login's remember cookie holds get_id(), and the same loader reads it back."""
    from tracker.auth.services import end_sessions, person_for_session

    before = person.get_id()
    assert person_for_session(before) is person
    end_sessions(person)
    db.session.commit()
    assert person.get_id() != before
    assert person_for_session(before) is None
    assert person_for_session(person.get_id()) is person


# Guessing: answered at once, throttled by source and address, the owner never locked out.


def test_a_failed_sign_in_does_not_sleep(app, client, person, monkeypatch):
    def no_sleeping(seconds: float) -> None:
        raise AssertionError("a failed sign-in slept, holding its worker")

    monkeypatch.setattr("time.sleep", no_sleeping)
    monkeypatch.setitem(app.config, "TESTING", False)
    response = sign_in(client, person.email, "not the password")
    assert response.status_code == 200
    assert b"Enter a correct email address and password" in response.data


def test_one_password_sprayed_over_many_addresses_from_one_source_is_stopped(app, client):
    """X-Forwarded-For is not believed unless PROXY_FIX_X_FOR says a proxy sets it."""
    limit = app.config["LOGIN_MAX_FAILURES_PER_SOURCE"]
    statuses = [
        client.post(
            "/sign-in",
            data={"email": f"officer{n}@example.gov.uk", "password": "Winter2010!"},
            headers={"X-Forwarded-For": f"192.0.2.{n}"},
        ).status_code
        for n in range(30)
    ]
    assert statuses[:limit] == [200] * limit
    assert set(statuses[limit:]) == {429}


def from_source(client, address, email, password):
    return client.post(
        "/sign-in",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_failures_from_a_stranger_do_not_lock_the_owner_out(app, client, person):
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 2):
        from_source(client, "198.51.100.7", person.email, "wrong")
    assert from_source(client, "198.51.100.7", person.email, DEFAULT_PASSWORD).status_code == 429
    owner = app.test_client()
    assert from_source(owner, "203.0.113.9", person.email, DEFAULT_PASSWORD).status_code == 302


def test_a_many_source_attack_on_one_address_stops_strangers_but_not_the_owners_browser(
    app, client, person, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_ADDRESS", 6)
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_SOURCE", 6)
    owner = app.test_client()
    assert from_source(owner, "203.0.113.9", person.email, DEFAULT_PASSWORD).status_code == 302
    owner.post("/sign-out")
    for n in range(6):
        from_source(client, f"198.51.100.{n}", person.email, "wrong")
    stranger = app.test_client()
    assert from_source(stranger, "192.0.2.1", person.email, DEFAULT_PASSWORD).status_code == 429
    assert from_source(owner, "192.0.2.2", person.email, DEFAULT_PASSWORD).status_code == 302
    owner.post("/sign-out")
    # Behind the same office address as a password sprayer, the owner's browser still gets in.
    for n in range(6):
        from_source(client, "192.0.2.50", f"officer{n}@example.gov.uk", "wrong")
    assert from_source(stranger, "192.0.2.50", "x@example.gov.uk", "any").status_code == 429
    assert from_source(owner, "192.0.2.50", person.email, DEFAULT_PASSWORD).status_code == 302


def test_old_failures_are_purged(db, client, person):
    import datetime as dt

    from tracker.auth.models import LoginAttempt
    from tracker.database import utcnow

    db.session.add(LoginAttempt(email="old@example.gov.uk", at=utcnow() - dt.timedelta(days=2)))
    db.session.commit()
    sign_in(client, person.email, "wrong")
    remaining = db.session.execute(db.select(LoginAttempt.email)).scalars().all()
    assert remaining == [person.email]


def test_the_source_comes_from_x_forwarded_for_only_behind_a_trusted_proxy():
    from flask import Flask, request

    from tracker import trust_proxies

    for hops, expected in ((0, "127.0.0.1"), (1, "192.0.2.4")):
        app = Flask(__name__)
        app.config["PROXY_FIX_X_FOR"] = hops
        app.add_url_rule("/", "source", lambda: request.remote_addr or "")
        trust_proxies(app)
        seen = app.test_client().get("/", headers={"X-Forwarded-For": "192.0.2.4"})
        assert seen.get_data(as_text=True) == expected


def test_known_and_unknown_addresses_both_check_a_password_hash(db, client, person, monkeypatch):
    """The same work whether or not the address belongs to anyone, so timing tells nothing."""
    import tracker.auth.services as services

    checked = []
    real_check = services.check_password_hash

    def counting(stored: str, password: str) -> bool:
        checked.append(stored)
        return real_check(stored, password)

    monkeypatch.setattr(services, "check_password_hash", counting)
    inactive = PersonFactory(email="inactive@example.gov.uk", is_active_account=False)
    no_password = PersonFactory(email="nopassword@example.gov.uk", password_hash=None)
    db.session.commit()
    for email in (person.email, "nobody@example.gov.uk", inactive.email, no_password.email):
        sign_in(client, email, "not the password")
    assert len(checked) == 4
    assert len(set(checked[1:])) == 1 and checked[0] != checked[1]


# Passwords: long enough, not common, not a pattern, wherever one is set.

WEAK_PASSWORDS = [
    ("password1234", "Password is too easy to guess"),
    ("PASSWORD1234", "Password is too easy to guess"),
    ("qwertyuiop12", "Password is too easy to guess"),
    ("aaaaaaaaaaaa", "Password must not be a repeated character"),
    ("abcdefghijkl", "Password must not be a repeated character"),
    ("abcabcabcabc", "Password must not be a repeated character"),
]


@pytest.mark.parametrize(("password", "message"), WEAK_PASSWORDS)
def test_weak_passwords_are_refused_beside_the_field(db, client, login_as, password, message):
    login_as(None, admin=True)
    created = client.post(
        "/admin/users/new",
        data={"name": "Weak", "email": "weak@example.gov.uk", "password": password},
    )
    assert created.status_code == 200
    assert message in created.get_data(as_text=True)
    assert db.session.execute(db.select(Person).filter_by(name="Weak")).first() is None
    other = PersonFactory()
    db.session.commit()
    reset = client.post(f"/admin/users/{other.id}/password", data={"password": password})
    assert reset.status_code == 400
    assert message in reset.get_data(as_text=True)


def test_create_user_refuses_a_common_password(app, db):
    result = app.test_cli_runner().invoke(
        args=["create-user", "--name", "Weak", "--email", "weak@example.gov.uk"],
        input="password1234\npassword1234\n",
    )
    assert result.exit_code != 0
    assert "Password is too easy to guess" in result.output
    assert db.session.execute(db.select(Person).filter_by(name="Weak")).first() is None


def test_three_random_words_are_a_good_password():
    from tracker.auth.passwords import password_problem

    assert password_problem("correct horse battery") is None
    assert password_problem("otter kettle lantern") is None


# Production settings.


def test_production_refuses_a_short_secret_key(monkeypatch):
    from tracker import create_app
    from tracker.config import Config

    monkeypatch.delenv("TRACKER_ENV", raising=False)
    monkeypatch.setattr(Config, "SECRET_KEY", "x" * 31)
    with pytest.raises(RuntimeError, match="SECRET_KEY is 31 bytes long; it must be 32 bytes"):
        create_app()
    Config.check({"SECRET_KEY": "é" * 16, "MIN_SECRET_KEY_BYTES": 32})  # 32 bytes: enough
