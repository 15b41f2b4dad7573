"""With CSRF protection on (as in production), a form without its token saves nothing."""

from __future__ import annotations

from tests.html import one
from tracker.auth.models import Person


def test_post_without_token_is_refused_with_a_clear_message(app, db, client, login_as):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        login_as(None, admin=True)
        response = client.post(
            "/admin/users/new",
            data={"name": "Forged", "email": "forged@example.gov.uk", "password": "x" * 20},
        )
        assert response.status_code == 400
        assert b"Your form has expired" in response.data
        assert db.session.execute(db.select(Person).filter_by(name="Forged")).first() is None
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_post_with_token_is_accepted(app, db, client, login_as):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        login_as(None, admin=True)
        page = client.get("/admin/users/new")
        token = one(page, 'input[name="csrf_token"]')["value"]
        assert token
        response = client.post(
            "/admin/users/new",
            data={
                "csrf_token": token,
                "name": "Genuine",
                "email": "genuine@example.gov.uk",
                "password": "a long enough password",
            },
        )
        assert response.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_an_expired_token_is_refused_with_a_clear_message(app, db, client, login_as):
    time_limit = app.config["WTF_CSRF_TIME_LIMIT"]
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        login_as(None, admin=True)
        page = client.get("/admin/users/new")
        token = one(page, 'input[name="csrf_token"]')["value"]
        # Any age is too old for a limit below zero: the token the page gave has expired.
        app.config["WTF_CSRF_TIME_LIMIT"] = -1
        response = client.post(
            "/admin/users/new",
            data={
                "csrf_token": token,
                "name": "Late",
                "email": "late@example.gov.uk",
                "password": "a long enough password",
            },
        )
        assert response.status_code == 400
        assert b"Your form has expired" in response.data
        assert b"Nothing was saved" in response.data
        assert db.session.execute(db.select(Person).filter_by(name="Late")).first() is None
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
        app.config["WTF_CSRF_TIME_LIMIT"] = time_limit
