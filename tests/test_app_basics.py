"""Pages anyone can reach, error pages, and the models agreeing with the migrations."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tests.helpers import sign_in_as
from tests.html import parse, text_of
from tracker import create_app
from tracker.config import TestConfig
from tracker.permissions import PUBLIC, requires


def test_models_and_migrations_agree(app, db):
    with db.engine.connect() as conn, warnings.catch_warnings():
        # SQLite's reflection cannot read an index on an expression (person's lower(email)), so
        # there only PostgreSQL compares it.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression")
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_unknown_page_is_a_design_system_404(client, login_as):
    login_as("manager")
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"Page not found" in response.data
    assert parse(response).select_one("html.govuk-template")


def test_unknown_project_is_404_for_signed_in_user(client, login_as):
    login_as("manager")
    assert client.get("/projects/does-not-exist/").status_code == 404


def test_anonymous_user_is_sent_to_sign_in(client, project):
    response = client.get(f"/projects/{project.slug}/")
    assert response.status_code == 302
    assert "/sign-in?next=" in response.headers["Location"]


def test_unexpected_error_shows_500_page_without_trace():
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    fresh = create_app(Config)

    @fresh.route("/boom-for-test")
    @requires(PUBLIC)
    def boom() -> str:
        raise RuntimeError("secret internals")

    response = fresh.test_client().get("/boom-for-test")
    assert response.status_code == 500
    assert b"secret internals" not in response.data
    assert b"Traceback" not in response.data
    assert b"Sorry, there is a problem with the service" in response.data


def test_assets_are_served_locally(client):
    assert client.get("/vendor/plotly.min.js").status_code == 200
    assert client.get("/vendor/plotly-basic.min.js").status_code == 200
    response = client.get("/vendor/govuk-frontend.min.js")
    assert response.status_code == 200


def test_home_and_people_run_a_fixed_number_of_queries(
    db, client, login_as, project, count_queries
):
    from tests.factories import PersonFactory, member
    from tracker.projects.models import Project, Role

    def counts() -> tuple[int, int]:
        with count_queries as home:
            assert client.get(f"/projects/{slug}/").status_code == 200
        with count_queries as people:
            assert client.get(f"/projects/{slug}/people").status_code == 200
        return home.count, people.count

    login_as(Role.MANAGER)
    member(PersonFactory(), project, Role.WS_MEMBER)
    slug = project.slug
    few = counts()
    project = db.session.execute(db.select(Project).filter_by(slug=slug)).scalar_one()
    for _ in range(30):
        member(PersonFactory(), project, Role.WS_MEMBER)
    db.session.commit()
    assert counts() == few


def test_required_fields_leave_validation_to_the_server(app) -> None:
    """`Required` must not add the HTML `required` attribute: the browser's pop-up would bypass
    the GOV.UK error summary."""
    from flask_wtf import FlaskForm
    from wtforms import StringField

    from tracker.forms import Required

    class Form(FlaskForm):
        name = StringField("Name", validators=[Required("Enter a name")])

    with app.test_request_context():
        form = Form(meta={"csrf": False})
        assert "required" not in str(form.name())
        assert not form.name.flags.required
        assert not form.validate()
        assert form.name.errors == ["Enter a name"]


def test_without_tracker_env_the_app_runs_with_production_settings(monkeypatch) -> None:
    """A server started with no TRACKER_ENV must not fall back to a throwaway secret."""
    import pytest

    from tracker import create_app
    from tracker.config import Config

    monkeypatch.delenv("TRACKER_ENV", raising=False)
    monkeypatch.setattr(Config, "SECRET_KEY", None)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app()
    monkeypatch.setenv("TRACKER_ENV", "development")
    assert create_app().config["SECRET_KEY"] == "dev-only-not-secret"


def test_an_id_too_large_for_the_database_is_a_404(client, login_as, project):
    login_as("manager")
    for path in (
        f"/projects/{project.slug}/risks/99999999999999999999999",
        f"/projects/{project.slug}/history/risk/2147483648",
        f"/projects/{project.slug}/plan/reviews/9223372036854775808",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"Page not found" in response.data


def test_a_number_too_large_for_the_database_in_a_query_is_a_400_page():
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    fresh = create_app(Config)

    @fresh.route("/huge-for-test")
    @requires(PUBLIC)
    def huge() -> str:
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    response = fresh.test_client().get("/huge-for-test")
    assert response.status_code == 400
    assert b"Sorry, there is a problem with your request" in response.data
    assert b"SQLite" not in response.data


def test_home_counts_what_each_area_holds_and_links_to_it(db, client, seeded):
    from tracker.projects.models import Role

    def home_as(role: Role) -> str:
        sign_in_as(client, seeded, role)
        return client.get(f"/projects/{seeded.slug}/").get_data(as_text=True)

    home = home_as(Role.MANAGER)
    heading = next(h for h in parse(home).select("h2") if text_of(h) == "What the project holds")
    rows = [
        (term.a["href"], text_of(term.a), text_of(term.find_next_sibling("dd")))
        for term in heading.find_next("dl").select("dt")
        if term.a
    ]
    for label, path, n in [
        ("Work plan tasks", "/plan/tasks", 25),
        ("Risks", "/risks", 8),
        ("Issue log entries", "/issues", 3),
        ("Budget lines", "/budget", 11),
        ("Elements of the standard", "/standard", 57),
        ("Highlight reports", "/reports", 1),
    ]:
        assert (f"/projects/{seeded.slug}{path}", label, str(n)) in rows, label
    # The assessor is not told about, nor offered, what their role cannot open.
    held = home_as(Role.ASSESSOR).split("What the project holds", 1)[1]
    assert "Budget lines" not in held and f"/projects/{seeded.slug}/budget" not in held
    assert "Risks" not in held and "Elements of the standard" in held
