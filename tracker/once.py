"""A form sent twice is acted on once.

Every POST form the tracker renders carries a random `once` token (`once_field()` in the
templates, beside the CSRF token). A request that succeeds claims its token by inserting a row
keyed on it, in its own transaction, just before the commit; a later request with the same
token (a double click, a page sent again with the browser's back button) finds it claimed and
is sent to where the first one went, having changed nothing. When two arrive together, the
primary key decides: the second insert waits for the first transaction and is then refused,
and all the second request did is undone.

A refused request (a form shown again with its errors) claims nothing, and the page it shows
carries a fresh token; so a corrected form is never taken for a copy. The claim is made last
so that SQLite's write lock is not taken any earlier than the view itself would take it.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from flask import Response, flash, redirect, request, session
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.database import UTCDateTime, utcnow
from tracker.extensions import db

FIELD = "once"
_TOKEN = re.compile(r"[0-9a-f]{32}")


class FormSubmission(db.Model):
    """A form token that has been acted on, and where its request sent the person."""

    __tablename__ = "form_submission"
    __audited__ = False

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    # Who sent it: the person's id, 0 before sign-in. A token is claimed per sender, so a
    # form read by one person and sent by another (never in practice; in tests that share a
    # page between two people) is still acted on for each. No foreign key: a claim is a
    # short-lived note, not part of the person's record.
    sender: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    answered_with: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


def once_field() -> Markup:
    """The hidden field a POST form carries: a new token each time the page is rendered."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, secrets.token_hex(16))


def sent_token() -> str | None:
    """The token of this request, if it is a POST that carries a well-formed one."""
    if request.method != "POST":
        return None
    token = request.form.get(FIELD, "")
    return token if _TOKEN.fullmatch(token) else None


def earlier_answer(token: str) -> Response | None:
    """If a request with this token was acted on already, the answer to give this copy: the
    way to where the first one went, and a word that it was not acted on again. Anything the
    copy's own view flashed is dropped."""
    first = db.session.get(FormSubmission, (token, _sender()))
    if first is None:
        return None
    session.pop("_flashes", None)
    flash("That form had already been sent, so it was not acted on again.")
    return redirect(first.answered_with or request.path, 303)


def _sender() -> int:
    return getattr(current_user, "id", None) or 0


def record(token: str, location: str | None) -> None:
    """Claim the token for this request, which succeeded, with where it sent the person. The
    primary key refuses a second claim (IntegrityError at this flush): the caller undoes the
    request and answers as `earlier_answer` does."""
    db.session.add(
        FormSubmission(
            token=token,
            sender=_sender(),
            answered_with=(location or request.path)[:500],
        )
    )
    db.session.flush()
