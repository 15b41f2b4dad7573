"""Error pages in the design system. No stack trace ever reaches a browser."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from tracker.extensions import db

_TITLES = {
    400: "Sorry, there is a problem with your request",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "Sorry, that cannot be done here",
    413: "The file is too large",
    500: "Sorry, there is a problem with the service",
}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        db.session.rollback()
        return render_template("errors/csrf.html", title="Your form has expired"), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Any, int]:
        code = error.code or 500
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
