"""Setting a project up: the hub that links to what the person may set up, and the project's
own details. The work streams, services, people and meetings have modules of their own; they
share `save_or_show` and the form page here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker.extensions import db
from tracker.forms import show_refusal
from tracker.permissions import requires
from tracker.projects import bp
from tracker.projects.setup_forms import ProjectForm
from tracker.projects.setup_services import update_project
from tracker.rules import RuleRefused
from tracker.versioning import form_status, record_data, refuse_stale, show_record


def save_or_show(
    form: Any,
    found: Any,
    saved: Callable[[], Mapping[str, Any]],
    save: Callable[[], Any],
    done: Callable[[Any], tuple[str, str]],
) -> Response | None:
    """Save a form of one record (`found`, or None for a new one) through its rule `save`:
    the redirect to follow when saved, or None when the form is shown again (its errors, a
    refusal of the rule beside its field, or a stale edit refused with what changed).
    `saved` gives the record's values as the form holds them; `done` the flash message and
    the address to go to, from what `save` returned."""
    if not form.validate_on_submit():
        return None
    if found is not None and refuse_stale(form, found, saved):
        return None
    try:
        result = save()
    except RuleRefused as refused:
        show_refusal(form, refused)
        return None
    message, address = done(result)
    flash(message, "success")
    return redirect(address)


def own_record(model: type, record_id: int) -> Any:
    """The project's own record of this model (a work stream, service, meeting ...), or 404."""
    found = db.session.get(model, record_id)
    if found is None or found.project_id != g.project.id:
        abort(404)
    return found


def form_page(form: Any, title: str, back: tuple[str, str], **context: Any) -> tuple[str, int]:
    """A set-up form on its own page; `back` is the text and address of the page above it."""
    return render_template(
        "projects/setup/form.html",
        project=g.project,
        form=form,
        back=back,
        title=title,
        **context,
    ), form_status(form, request.method)


@bp.route("/projects/<slug>/set-up")
@requires("project.edit")
def setup(slug: str) -> str:
    return render_template("projects/setup/hub.html", project=g.project, title="Set up the project")


@bp.route("/projects/<slug>/set-up/details", methods=["GET", "POST"])
@requires("project.edit")
def setup_details(slug: str) -> tuple[str, int] | Response:
    project = g.project
    form = ProjectForm()
    if request.method == "GET":
        show_record(form, project, record_data(form, project))

    def save() -> bool:
        values = {name: form[name].data for name in ("start_date", "end_date")}
        for name in ("name", "council", "objective", "scope"):
            values[name] = (form[name].data or "").strip()
        return update_project(project, **values)

    def done(changed: bool) -> tuple[str, str]:
        outcome = "saved" if changed else "nothing changed"
        return f"The project's details: {outcome}.", url_for("projects.setup", slug=slug)

    answer = save_or_show(form, project, lambda: record_data(form, project), save, done)
    return answer or form_page(
        form,
        "Edit the project's details",
        ("Set up the project", url_for("projects.setup", slug=slug)),
        intro="The stages must lie within the project's start and end dates.",
    )
