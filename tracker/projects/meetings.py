"""The project's meetings (Project Document 9.1): project group, EMT, lead member and assurance
group, each with the papers the areas show against it (the pack of a project group meeting, the
quarterly report an EMT or lead member meeting reads), and adding or changing a meeting."""

from __future__ import annotations

from flask import g, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.filters import date, london_today
from tracker.permissions import requires
from tracker.projects import bp
from tracker.projects.areas import Asker, meeting_papers
from tracker.projects.models import Meeting, MeetingKind
from tracker.projects.setup_forms import MeetingForm
from tracker.projects.setup_services import project_meetings, save_meeting
from tracker.projects.setup_views import form_page, own_record, save_or_show
from tracker.versioning import record_data, show_record


@bp.route("/projects/<slug>/meetings")
@requires("report.view_drafts")
def meetings(slug: str) -> str:
    by_kind = project_meetings(g.project)
    asker = Asker(g.project, current_user, g.roles, london_today())
    every = [meeting for listed in by_kind.values() for meeting in listed]
    return render_template(
        "projects/meetings.html",
        project=g.project,
        by_kind=by_kind,
        papers=meeting_papers(asker, every),
        title="Meetings",
    )


def _meeting_data(form: MeetingForm, meeting: Meeting) -> dict:
    return record_data(form, meeting, kind=meeting.kind.value)


def _meeting_page(meeting: Meeting | None) -> tuple[str, int] | Response:
    slug = g.project.slug
    form = MeetingForm()
    if request.method == "GET":
        if meeting is None:
            form.kind.data = request.args.get("kind", MeetingKind.PROJECT_GROUP.value)
        else:
            show_record(form, meeting, _meeting_data(form, meeting))
    answer = save_or_show(
        form,
        meeting,
        lambda: _meeting_data(form, meeting),
        lambda: save_meeting(
            g.project,
            meeting,
            kind=MeetingKind(form.kind.data),
            held_on=form.held_on.data,
            month_only=bool(form.month_only.data),
            notes=(form.notes.data or "").strip(),
        ),
        lambda saved: (
            f"{saved.kind.label} meeting of {date(saved.held_on, saved.month_only)} saved.",
            url_for("projects.meetings", slug=slug),
        ),
    )
    title = "Edit the meeting" if meeting else "Add a meeting"
    return answer or form_page(form, title, ("Meetings", url_for("projects.meetings", slug=slug)))


@bp.route("/projects/<slug>/meetings/new", methods=["GET", "POST"])
@requires("meeting.edit")
def meeting_new(slug: str) -> tuple[str, int] | Response:
    return _meeting_page(None)


@bp.route("/projects/<slug>/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@requires("meeting.edit")
def meeting_edit(slug: str, meeting_id: int) -> tuple[str, int] | Response:
    return _meeting_page(own_record(Meeting, meeting_id))
