"""The status date page: the manager judges the project's figures at a date, or at today."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from tracker.filters import date as format_date
from tracker.forms import DateInputField, SubmitButton, show_refusal
from tracker.permissions import requires
from tracker.projects import bp
from tracker.projects.status import set_status_date
from tracker.rules import RuleRefused
from tracker.versioning import VersionedForm, form_status, refuse_stale, show_record


class StatusDateForm(VersionedForm, FlaskForm):
    status_date = DateInputField(
        "Status date",
        description="The date every figure is judged at, for example 26 2 2010",
        what="status date",
    )
    submit = SubmitButton("Save status date")
    use_today = SubmitButton("Judge at today instead")

    def validate(self, extra_validators: Any = None) -> bool:
        """Going back to today needs no date: what is in the date boxes is then ignored."""
        valid = super().validate(extra_validators)
        if self.use_today.data:
            self.status_date.errors = []
            return all(not field.errors for field in self) and not self.form_errors
        if valid and self.status_date.data is None:
            self.status_date.errors = ["Enter the status date, or judge at today instead"]
            return False
        return valid


@bp.route("/projects/<slug>/status-date", methods=["GET", "POST"])
@requires("project.edit")
def status_date_edit(slug: str) -> tuple[str, int] | Response:
    project = g.project
    form = StatusDateForm()
    saved = {"status_date": project.status_date}
    if request.method == "GET":
        show_record(form, project, saved)
    if form.validate_on_submit() and not refuse_stale(form, project, lambda: saved):
        chosen = None if form.use_today.data else form.status_date.data
        try:
            set_status_date(project, chosen)
        except RuleRefused as refused:
            show_refusal(form, refused)
        else:
            at = format_date(chosen) if chosen else "today"
            flash(f"The project's figures are now judged at {at}.", "success")
            return redirect(url_for("projects.home", slug=slug))
    return render_template(
        "projects/status_date.html",
        project=project,
        form=form,
        title="Status date",
    ), form_status(form, request.method)
