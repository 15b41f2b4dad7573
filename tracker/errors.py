"""Error pages in the design system. No stack trace ever reaches a browser."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from tracker.extensions import db
from tracker.transitions import Conflict

# PostgreSQL's codes for "someone else wrote first": a unique key taken, a serialisation
# failure, a deadlock between two writers. SQLite names a taken unique key in its message.
_CONFLICT_CODES = frozenset({"23505", "40001", "40P01"})

_TITLES = {
    400: "Sorry, there is a problem with your request",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "Sorry, that cannot be done here",
    409: "Someone else has just changed this",
    413: "The file is too large",
    500: "Sorry, there is a problem with the service",
}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        db.session.rollback()
        return render_template("errors/csrf.html", title="Your form has expired"), 400

    @app.errorhandler(Conflict)
    def refused_conflict(error: Conflict) -> tuple[str, int]:
        db.session.rollback()
        return conflict_page(str(error))

    @app.errorhandler(IntegrityError)
    @app.errorhandler(OperationalError)
    @app.errorhandler(StaleDataError)
    def conflict(error: Exception) -> tuple[str, int]:
        """Two people saving the same thing at the same moment; the database kept the first."""
        db.session.rollback()
        if not is_conflict(error):
            return unexpected_error(error)
        app.logger.warning("Concurrent change refused: %s", error)
        return conflict_page()

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Any, int]:
        code = error.code or 500
        # An error raised outside the view (at a commit in an after-request hook, say) reaches
        # Flask as a 500 that wraps it.
        original = getattr(error, "original_exception", None)
        if code == 500 and original is not None and is_conflict(original):
            db.session.rollback()
            return conflict_page()
        if request.path.startswith("/api/"):  # no such API route: answer in JSON too
            from tracker.api.views import api_error

            return api_error(code)
        db.session.rollback()
        return (
            render_template(
                "errors/error.html",
                code=code,
                title=_TITLES.get(code, error.name),
            ),
            code,
        )

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def value_out_of_range(error: Exception) -> tuple[str, int]:
        """A number in the address too large for the database (`?page=99999999999999999999`):
        SQLite raises OverflowError, PostgreSQL a DataError. The request is at fault."""
        app.logger.warning("Value out of the database's range: %s", error, exc_info=error)
        db.session.rollback()
        return render_template("errors/error.html", code=400, title=_TITLES[400]), 400

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[str, int]:
        app.logger.exception("Unhandled error")
        db.session.rollback()
        return render_template("errors/error.html", code=500, title=_TITLES[500]), 500


def is_conflict(error: BaseException) -> bool:
    """Whether the request lost a race: the database refused a write because someone else
    wrote first, or a state change found the state already moved (tracker.transitions)."""
    if isinstance(error, StaleDataError | Conflict):  # changed since this request read it
        return True
    if not isinstance(error, IntegrityError | OperationalError):
        return False
    if getattr(error.orig, "sqlstate", None) in _CONFLICT_CODES:
        return True
    return "UNIQUE constraint failed" in str(error.orig)


def _back_link() -> str:
    """The page the person came from, on this site (the record's page, where the form was);
    otherwise the address of the record an action was posted to; otherwise their projects."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    if request.method != "GET" and request.path.count("/") > 1:
        return request.path.rsplit("/", 1)[0]
    return url_for("projects.index")


def conflict_page(message: str = "") -> tuple[str, int]:
    """409: someone else changed the record a moment before; nothing of this request is saved."""
    page = render_template(
        "errors/conflict.html", back=_back_link(), message=message, title=_TITLES[409]
    )
    return page, 409
