"""One transaction per request, as Indico's request handler has (`indico/web/rh.py`).

A view that returns normally with a success or redirect (a status below 400) has its work
committed once, after it returns; a view that returns a refusal (a form shown again with its
errors, 400 or 409) or raises has its work rolled back. Views and services never commit or
roll back by hand: a service flushes when it needs ids, and raises `RuleRefused` to refuse.

The commit runs inside Flask's dispatch, so a commit the database refuses (a unique key taken
by someone a moment earlier, a stale row version) reaches the error handlers in
`tracker.errors` like any other error, and the person sees the 409 page, not a 500.
"""

from __future__ import annotations

from flask import Flask, session
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import IntegrityError

from tracker import once
from tracker.extensions import db


class TrackerFlask(Flask):
    """Flask whose views run in one transaction, committed when they succeed."""

    def dispatch_request(self) -> ResponseReturnValue:  # type: ignore[override]
        token = once.sent_token()
        if token and (earlier := once.earlier_answer(token)) is not None:
            return earlier
        try:
            response = self.make_response(super().dispatch_request())
        except Exception:
            if token and (earlier := _copy_refused(token)) is not None:
                return earlier
            raise
        if response.status_code >= 400:
            return _copy_refused(token) or response
        if token:
            db.session.flush()  # the view's own work first: its refusals are handled as before
            try:
                once.record(token, response.location)
            except IntegrityError:  # the same form, sent at the same moment, was acted on
                if (earlier := _copy_refused(token)) is None:
                    raise
                return earlier
        try:
            db.session.commit()
        except Exception:
            # Nothing was saved: a success message flashed by the view must not be shown.
            session.pop("_flashes", None)
            raise
        return response


def _copy_refused(token: str | None) -> ResponseReturnValue | None:
    """Undo a refused request. If it carried a form that a copy sent at the same moment got
    through first (taking the record's number, say), answer as the copy it is, not with the
    refusal."""
    db.session.rollback()
    return once.earlier_answer(token) if token else None


def commit_now() -> None:
    """Commit at once, whatever the request goes on to answer: for a record that must stand
    even when the answer is a refusal (a failed sign-in attempt counted, a token's last use)."""
    db.session.commit()


def roll_back() -> None:
    """Undo the request's work so far: a rule refused, and the page is shown again as it was."""
    db.session.rollback()
