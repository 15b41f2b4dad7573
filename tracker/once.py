"""A form sent twice is acted on once.

Every POST form the tracker renders carries a random `once` token (`once_field()` in the
templates, beside the CSRF token). The first request that sends a token claims it by inserting
a row keyed on it, in the request's own transaction; a second request with the same token (a
double click, a page sent again with the browser's back button) finds it claimed and is sent to
where the first one went, having changed nothing. When two arrive together, the database's
primary key decides: the second insert waits for the first transaction and is then refused.

A request answered with a refusal (a form shown again with its errors) is rolled back, claim
included, and the page it shows carries a fresh token; so a corrected form is never taken for
a copy.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from flask import Response, flash, redirect, request
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import ForeignKey, String
from sqlalchemy.exc import IntegrityError
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
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
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


def claim(token: str) -> Response | None:
    """Claim the token for this request; if it was claimed already, the answer to give instead."""
    submission = FormSubmission(token=token, person_id=getattr(current_user, "id", None))
    db.session.add(submission)
    try:
        db.session.flush()
    except IntegrityError:
        # The claim is the request's first write, so undoing the transaction undoes only it.
        db.session.rollback()
        first = db.session.get(FormSubmission, token)
        flash("That form had already been sent, so it was not acted on again.")
        return redirect(first.answered_with if first and first.answered_with else request.path, 303)
    return None


def record_answer(token: str, location: str | None) -> None:
    """Remember where the first request sent the person, for a copy to follow."""
    submission = db.session.get(FormSubmission, token)
    if submission is not None:
        submission.answered_with = (location or request.path)[:500]
