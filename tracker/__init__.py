"""CSE Tracker: runs a council's programme for Customer Service Excellence accreditation."""

from __future__ import annotations

import gc
import os

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from tracker.config import Config, DevelopmentConfig
from tracker.transactions import TrackerFlask
from tracker.uploads import UploadRequest


def _default_config() -> type[Config]:
    """Production settings unless TRACKER_ENV=development says otherwise (as `make run` does):
    a server started without thinking must not run with a throwaway secret."""
    env = os.environ.get("TRACKER_ENV", "production")
    return DevelopmentConfig if env == "development" else Config


def create_app(config_class: type[Config] | None = None) -> Flask:
    config_class = config_class or _default_config()
    app = TrackerFlask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=True,
    )
    app.request_class = UploadRequest  # uploads streamed straight to storage (tracker/uploads.py)
    app.config.from_object(config_class())
    from tracker.database import IdConverter

    app.url_map.converters["int"] = IdConverter
    config_class.check(app.config)
    os.makedirs(app.instance_path, exist_ok=True)
    trust_proxies(app)
    collect_garbage_less_often()

    register_templates(app)
    register_extensions(app)
    register_models()
    register_blueprints(app)
    register_errors(app)
    register_cli(app)
    return app


def collect_garbage_less_often() -> None:
    """Run Python's cycle collector after 10,000 new objects rather than 700 (issue 15).

    Reading a plan of 20,000 tasks builds some 200,000 small objects (rows, forecasts, table
    rows); with the default threshold the collector ran over them again and again, and took
    four tenths of the forecast page's time (bench/bench_plan.py). The tracker's objects rarely
    form cycles, so collecting less often costs little memory.
    """
    gc.set_threshold(10_000, 10, 10)


def trust_proxies(app: Flask) -> None:
    """Behind PROXY_FIX_X_FOR reverse proxies, the client's address is the one they add to
    X-Forwarded-For; with none (the default) the header is ignored, as anyone could write it."""
    if app.config["PROXY_FIX_X_FOR"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"])  # type: ignore[method-assign]


def register_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(os.path.join(app.root_path, app.template_folder or "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    from tracker.filters import register_filters
    from tracker.navigation import register_navigation

    register_filters(app)
    register_navigation(app)


def register_extensions(app: Flask) -> None:
    from govuk_frontend_wtf.main import WTFormsHelpers

    from tracker.compression import register_compression
    from tracker.extensions import csrf, db, login_manager, migrate
    from tracker.forms import error_summary
    from tracker.headers import register_security_headers
    from tracker.jobs import install as install_jobs
    from tracker.once import once_field

    register_security_headers(app)  # first: its nonce must exist before anything can answer
    register_compression(app)
    db.init_app(app)
    migrate.init_app(
        app, db, directory=os.path.join(app.root_path, "..", "migrations"), render_as_batch=True
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    install_jobs(app)
    WTFormsHelpers(app)
    app.add_template_global(error_summary)
    app.add_template_global(once_field)


def register_models() -> None:
    """Import every area's models so that the metadata (and Alembic) sees all tables."""
    from tracker import audit, once  # noqa: F401
    from tracker.auth import models as _auth  # noqa: F401
    from tracker.budget import models as _budget  # noqa: F401
    from tracker.evidence import models as _evidence  # noqa: F401
    from tracker.issues import models as _issues  # noqa: F401
    from tracker.plan import models as _plan  # noqa: F401
    from tracker.prepared import models as _prepared  # noqa: F401
    from tracker.projects import models as _projects  # noqa: F401
    from tracker.reports import models as _reports  # noqa: F401
    from tracker.risks import models as _risks  # noqa: F401


def register_blueprints(app: Flask) -> None:
    # Each area's views module attaches its routes to the area's blueprint.
    from tracker import assets
    from tracker.api import token_views
    from tracker.api import views as api_views
    from tracker.auth import views as auth_views
    from tracker.budget import resource_views  # noqa: F401 - it attaches routes to the budget blueprint
    from tracker.budget import views as budget_views
    from tracker.calendars import views as calendar_views
    from tracker.evidence import (  # noqa: F401 - they attach routes to the evidence blueprint
        gap_views,
        rating_views,
        standard_views,
        stream_views,
    )
    from tracker.evidence import views as evidence_views
    from tracker.issues import change_views  # noqa: F401 - it attaches routes to the issues blueprint
    from tracker.issues import views as issue_views
    from tracker.jobs import views as job_views
    from tracker.mail import bp as mail_bp
    from tracker.mail import views as _mail_views  # noqa: F401 - the account page for e-mail
    from tracker.plan import (  # noqa: F401 - they attach routes to the plan blueprint
        stage_views,
        structure_views,
        timeline_views,
    )
    from tracker.plan import views as plan_views
    from tracker.prepared import bp as prepared_bp
    from tracker.prepared import views as _prepared_views  # noqa: F401 - prepared downloads
    from tracker.projects import (  # noqa: F401 - they attach routes to the projects blueprint
        meetings,
        people_views,
        setup_views,
        status_views,
        work_streams,
    )
    from tracker.projects import views as project_views
    from tracker.reports import bp as reports_bp
    from tracker.reports import (  # noqa: F401 - they attach routes to the reports blueprint
        dashboard_views,
        downloads,
    )
    from tracker.reports import views as _report_views  # noqa: F401 - highlight reports
    from tracker.risks import views as risk_views
    from tracker.setup import views as site_setup_views
    from tracker.transfer import views as transfer_views
    from tracker.withdrawal import views as withdrawal_views

    for blueprint in (
        assets.bp,
        site_setup_views.bp,
        auth_views.bp,
        project_views.bp,
        plan_views.bp,
        risk_views.bp,
        issue_views.bp,
        budget_views.bp,
        evidence_views.bp,
        reports_bp,
        transfer_views.bp,
        api_views.bp,
        token_views.bp,
        withdrawal_views.bp,
        calendar_views.bp,
        mail_bp,
        job_views.bp,
        prepared_bp,
    ):
        app.register_blueprint(blueprint)
    withdrawal_views.register_globals(app)
    assets.register_asset_versions(app)
    register_area_parts()


def register_area_parts() -> None:
    """Each area adds its part of the kernel's pages (tracker/projects/areas.py): what the
    project home page shows of it, and who may read its records' history."""
    from tracker.budget import home as budget_home
    from tracker.evidence import home as evidence_home
    from tracker.evidence import record_history as evidence_history
    from tracker.issues import home as issue_home
    from tracker.mail import events as mail_events
    from tracker.plan import home as plan_home
    from tracker.projects import home as project_home
    from tracker.queue import home as queue_home
    from tracker.reports import home as report_home
    from tracker.reports import record_history as report_history
    from tracker.risks import home as risk_home

    for area in (
        project_home,
        plan_home,
        risk_home,
        issue_home,
        budget_home,
        evidence_home,
        evidence_history,
        report_home,
        report_history,
        queue_home,
        mail_events,
    ):
        area.register()


def register_errors(app: Flask) -> None:
    from tracker.errors import register_error_handlers

    register_error_handlers(app)


def register_cli(app: Flask) -> None:
    from tracker.cli import register_commands

    register_commands(app)
