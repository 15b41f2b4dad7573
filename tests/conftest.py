"""Fixtures: `app` (a migrated database, emptied after each test), `db`, `client`, `login_as`.

The schema is built once per run with the migrations (never create_all), on SQLite by default or
on the PostgreSQL database named by TEST_DATABASE_URL.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, text

from tests import factories
from tests.helpers import sign_in
from tests.smtp import Mailbox
from tests.smtp import smtp_server as run_smtp_server
from tracker import create_app
from tracker.auth.models import Person
from tracker.config import TestConfig, normalise_database_url
from tracker.extensions import db as _db
from tracker.projects.models import Project, Role

SEED_DIR = Path(__file__).resolve().parent.parent / "seed"


def _test_database_url(tmp_dir: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    return normalise_database_url(url) if url else f"sqlite:///{tmp_dir / 'test.sqlite'}"


@pytest.fixture(scope="session")
def _session_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    tmp_dir = tmp_path_factory.mktemp("tracker")

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = _test_database_url(tmp_dir)
        UPLOAD_FOLDER = str(tmp_dir / "uploads")

    app = create_app(Config)
    with app.app_context():
        if _db.engine.dialect.name == "postgresql":
            with _db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        flask_migrate.upgrade()
    return app


def _empty_tables() -> None:
    tables = list(reversed(_db.metadata.sorted_tables))
    if _db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        _db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            _db.session.execute(table.delete())
    _db.session.commit()


@pytest.fixture
def app(_session_app: Flask) -> Iterator[Flask]:
    with _session_app.app_context():
        try:
            yield _session_app
        finally:
            _db.session.rollback()
            _empty_tables()
            _db.session.remove()


@pytest.fixture
def db(app: Flask):  # noqa: ANN201 - the Flask-SQLAlchemy extension
    return _db


class FreshContextClient(FlaskClient):
    """Runs each request in its own app context, as a real server does.

    Otherwise requests would share the test's app context, and with it `g` (the signed-in user)
    and the database session, which hides queries a real request would run. What the test has
    written is committed first so that the request sees it; afterwards the test's objects are
    expired so that it sees what the request wrote.
    """

    def open(self, *args: object, **kwargs: object):  # noqa: ANN201 - a TestResponse
        _db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        _db.session.expire_all()
        return response


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture
def project(app: Flask) -> Project:
    """A small project with five stages and two work streams."""
    return factories.make_project()


@pytest.fixture
def login_as(client: FlaskClient, project: Project) -> Callable[..., Person]:
    """Sign the test client in as a new person holding `role` in `project` (or as an admin)."""

    def _login(role: Role | str | None = None, *, admin: bool = False) -> Person:
        person = factories.PersonFactory(is_admin=admin)
        if role is not None:
            factories.member(person, project, Role(role))
        _db.session.commit()
        sign_in(client, person)
        return person

    return _login


@dataclass
class CountedQueries:
    """The SQL statements run inside one `with count_queries as counted:` block."""

    count: int = 0
    statements: list[str] = field(default_factory=list)

    def _count(self, conn: object, cursor: object, statement: str, *args: object) -> None:
        self.count += 1
        self.statements.append(statement)


class QueryCounter:
    """Counts the SQL statements run inside a `with` block. Each block gets its own result, so
    that `with count_queries as few:` and a later `with count_queries as many:` can be compared
    (one shared result would make them always equal)."""

    def __enter__(self) -> CountedQueries:
        self._current = CountedQueries()
        event.listen(_db.engine, "before_cursor_execute", self._current._count)
        return self._current

    def __exit__(self, *exc: object) -> None:
        event.remove(_db.engine, "before_cursor_execute", self._current._count)


@pytest.fixture
def count_queries(app: Flask) -> QueryCounter:
    """`with count_queries as counted: client.get(...)`, then `counted.count`."""
    return QueryCounter()


@pytest.fixture
def seeded(app: Flask) -> Project:
    """The South Cambridgeshire demo project, loaded from seed/."""
    from tracker.seeding import load_seed

    load_seed(SEED_DIR)
    return _db.session.execute(
        _db.select(Project).where(Project.slug == "south-cambs-cse")
    ).scalar_one()


@pytest.fixture
def smtp_server(app: Flask) -> Iterator[Mailbox]:
    """A real SMTP server on a loopback port that the app sends to during the test."""
    with run_smtp_server(app) as mailbox:
        yield mailbox
