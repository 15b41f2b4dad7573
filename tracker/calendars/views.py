"""The account page of a person's calendar feed, its reset, the feed and a meeting's `.ics`."""

from __future__ import annotations

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.calendars import bp
from tracker.calendars.forms import ResetForm
from tracker.calendars.services import (
    calendar_file,
    feed_entries,
    feed_owner,
    feed_secret,
    meeting_entry,
    reset_feed,
)
from tracker.permissions import PUBLIC, SIGNED_IN, requires
from tracker.projects.models import Meeting
from tracker.projects.setup_views import own_record

ICS_TYPE = "text/calendar; charset=utf-8"


def _feed_url() -> str:
    return url_for(
        "calendars.feed",
        person_id=current_user.id,
        secret=feed_secret(current_user),
        _external=True,
    )


@bp.route("/account/calendar")
@requires(SIGNED_IN)
def account() -> str:
    return render_template(
        "calendars/account.html",
        title="Your calendar",
        feed_url=_feed_url(),
        form=ResetForm(),
    )


@bp.route("/account/calendar/reset", methods=["POST"])
@requires(SIGNED_IN)
def reset() -> Response:
    if not ResetForm().validate_on_submit():
        abort(400)
    reset_feed(current_user)  # audited as a change to the person (the key itself is hidden)
    flash(
        "Your calendar has a new address: the old one no longer works. Subscribe again with "
        "the address below.",
        "success",
    )
    return redirect(url_for("calendars.account"))


@bp.route("/calendar/<int:person_id>/<secret>.ics")
@requires(PUBLIC)  # the secret in the address is the credential: calendar apps cannot sign in
def feed(person_id: int, secret: str) -> Response:
    person = feed_owner(person_id, secret)
    if person is None:
        abort(404)
    body = calendar_file(f"CSE Tracker: {person.name}", feed_entries(person), request.host)
    response = Response(body, content_type=ICS_TYPE)
    response.headers["Cache-Control"] = "private, max-age=900"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/projects/<slug>/meetings/<int:meeting_id>.ics")
@requires("report.view_drafts")  # as the meetings page
def meeting_ics(slug: str, meeting_id: int) -> Response:
    meeting = own_record(Meeting, meeting_id)
    entry = meeting_entry(meeting, g.project)
    body = calendar_file(g.project.name, [entry], request.host)
    response = Response(body, content_type=ICS_TYPE)
    name = f"meeting-{meeting.held_on.isoformat()}.ics"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
