"""One transaction per request (`tracker/transactions.py`): a view that succeeds is committed
once after it returns; one that refuses (a 4xx page) or raises leaves nothing behind, and a
commit the database refuses shows the 409 page without the view's success message.

The routes here are added to a second app built from the same settings, so that each outcome
can be produced on purpose; the pages' own views are checked by their area's tests."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask import Flask, flash, get_flashed_messages, redirect
from sqlalchemy import select

from tests.factories import ProjectFactory
from tracker import create_app
from tracker.config import TestConfig
from tracker.extensions import db
from tracker.forms import show_refusal
from tracker.projects.models import Project
from tracker.rules import RuleRefused

TRACKER = Path(__file__).resolve().parent.parent / "tracker"


def _add(slug: str) -> None:
    db.session.add(ProjectFactory.build(slug=slug))
    db.session.flush()


@pytest.fixture
def probe(app: Flask) -> Flask:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        UPLOAD_FOLDER = app.config["UPLOAD_FOLDER"]

    probe = create_app(Config)

    @probe.post("/probe/saved")
    def saved() -> object:
        _add("saved")
        flash("Saved.", "success")
        return redirect("/probe/next")

    @probe.post("/probe/refused")
    def refused() -> object:
        _add("refused")
        return "Shown again with its errors", 400

    @probe.post("/probe/raises")
    def raises() -> object:
        _add("raises")
        raise RuntimeError("a bug after a write")

    @probe.post("/probe/taken")
    def taken() -> object:
        _add("taken")  # the slug is unique: the second one fails only at the commit
        db.session.add(ProjectFactory.build(slug="taken"))
        flash("Saved twice.", "success")
        return redirect("/probe/next")

    @probe.get("/probe/next")
    def next_page() -> object:
        return " | ".join(get_flashed_messages())

    return probe


def _slugs() -> set[str]:
    db.session.expire_all()
    return set(db.session.execute(select(Project.slug)).scalars())


def test_a_view_that_succeeds_is_committed_once_it_returns(probe: Flask) -> None:
    response = probe.test_client().post("/probe/saved")
    assert response.status_code == 302
    assert _slugs() == {"saved"}


def test_a_view_that_answers_with_a_refusal_leaves_nothing(probe: Flask) -> None:
    assert probe.test_client().post("/probe/refused").status_code == 400
    assert _slugs() == set()


def test_a_view_that_raises_leaves_nothing_and_shows_no_trace(probe: Flask) -> None:
    response = probe.test_client().post("/probe/raises")
    assert response.status_code == 500
    assert "Traceback" not in response.get_data(as_text=True)
    assert _slugs() == set()


def test_a_commit_the_database_refuses_is_a_409_without_the_success_message(
    probe: Flask,
) -> None:
    client = probe.test_client()
    response = client.post("/probe/taken")
    assert response.status_code == 409
    assert _slugs() == set()
    assert "Saved twice" not in client.get("/probe/next").get_data(as_text=True)


def test_a_refusal_is_shown_beside_its_field_or_in_the_summary(app: Flask) -> None:
    from wtforms import Form, StringField

    class Probe(Form):
        name = StringField("Name")

    form = Probe()
    form.validate()
    show_refusal(form, RuleRefused("Enter a shorter name", field="name"))
    show_refusal(form, RuleRefused("The plan changed while you wrote: save again"))
    assert form.name.errors == ["Enter a shorter name"]
    assert form.form_errors == ["The plan changed while you wrote: save again"]


def _calls_in(path: Path, names: set[str]) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{path.relative_to(TRACKER.parent)}:{node.lineno} {node.func.attr}()"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in names
        and isinstance(node.func.value, ast.Attribute)
        and node.func.value.attr == "session"
    ]


# The only places that end a transaction by hand: the request itself, the error pages, the
# command line (no request), and records that must stand whatever the answer (a failed
# sign-in attempt, a token's last use) through `transactions.commit_now`.
_MAY_END_TRANSACTIONS = {
    "transactions.py",
    "errors.py",
    "cli.py",
    "seeding/__init__.py",
    "transfer/commands.py",
    "setup/commands.py",
    # The worker's job that builds a prepared download (no request): it marks the row ready in
    # the same commit that makes the file visible, or failed after rolling its work back.
    "prepared/services.py",
}


def test_no_view_or_service_commits_or_rolls_back_by_hand() -> None:
    found = [
        call
        for path in sorted(TRACKER.rglob("*.py"))
        if str(path.relative_to(TRACKER)) not in _MAY_END_TRANSACTIONS
        for call in _calls_in(path, {"commit", "rollback"})
    ]
    assert found == []
