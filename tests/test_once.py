"""A form sent twice acts once (`tracker/once.py`)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tests.test_risk_views import form_data, page
from tracker.once import FormSubmission
from tracker.risks.models import Risk


def _token(response) -> str:
    return re.search(r'name="once" value="([0-9a-f]{32})"', response.text).group(1)


def _risks(db) -> int:
    return db.session.scalar(select(func.count(Risk.id)))


def test_the_same_form_sent_twice_adds_one_record(client, db, project, login_as) -> None:
    login_as("manager")
    token = _token(client.get(page(project, "/new")))
    first = client.post(page(project, "/new"), data=form_data(once=token))
    second = client.post(page(project, "/new"), data=form_data(once=token))
    assert first.status_code == 302
    assert second.status_code == 303
    assert second.location == first.location
    assert _risks(db) == 1
    assert "already been sent" in client.get(second.location).text


def test_each_rendering_of_a_form_is_a_new_form(client, db, project, login_as) -> None:
    login_as("manager")
    for _ in range(2):
        token = _token(client.get(page(project, "/new")))
        assert client.post(page(project, "/new"), data=form_data(once=token)).status_code == 302
    assert _risks(db) == 2


def test_a_refused_form_does_not_use_up_its_token(client, db, project, login_as) -> None:
    """A form shown again with its errors is rolled back, claim and all: the same token, sent
    again corrected, is acted on."""
    login_as("manager")
    token = _token(client.get(page(project, "/new")))
    refused = client.post(page(project, "/new"), data=form_data(once=token, description=""))
    assert refused.status_code == 400
    assert db.session.scalars(select(FormSubmission).filter_by(token=token)).first() is None
    assert client.post(page(project, "/new"), data=form_data(once=token)).status_code == 302
    assert _risks(db) == 1


def test_a_malformed_token_is_ignored(client, db, project, login_as) -> None:
    login_as("manager")
    for _ in range(2):
        client.post(page(project, "/new"), data=form_data(once="not-a-token"))
    assert _risks(db) == 2
