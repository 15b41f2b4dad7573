"""Which elements each work stream is expected to evidence: the manager's pages that set it,
and a stream's page of what it owes (its elements, those without accepted evidence first)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from tracker.evidence import bp
from tracker.evidence.access import viewer_for
from tracker.evidence.forms import StreamElementsForm
from tracker.evidence.matrices import project_criteria
from tracker.evidence.readiness import SCALE_LABELS
from tracker.evidence.stream_elements import (
    assign_elements,
    assigned_counts,
    assigned_ids,
    stream_owes,
)
from tracker.permissions import requires
from tracker.plan.work_plan import project_work_streams
from tracker.projects.models import WorkStream
from tracker.projects.setup_views import own_record
from tracker.versioning import form_status, refuse_stale, show_record


@bp.route("/projects/<slug>/set-up/stream-elements")
@requires("work_stream.edit")
def stream_elements(slug: str) -> str:
    return render_template(
        "evidence/stream_elements.html",
        project=g.project,
        streams=project_work_streams(g.project),
        counts=assigned_counts(g.project),
        title="Elements each work stream evidences",
    )


@bp.route(
    "/projects/<slug>/set-up/work-streams/<int:work_stream_id>/elements",
    methods=["GET", "POST"],
)
@requires("work_stream.edit")
def stream_elements_edit(slug: str, work_stream_id: int) -> tuple[str, int] | Response:
    """Tick the elements the stream is expected to evidence; saved in one go, refused when the
    assignment changed since the page was opened."""
    stream: WorkStream = own_record(WorkStream, work_stream_id)
    criteria = project_criteria(g.project)
    form = StreamElementsForm()
    form.elements.choices = [
        SelectChoice(e.id, e.code) for c in criteria for s in c.subcriteria for e in s.elements
    ]
    if request.method == "GET":
        show_record(form, stream, {"elements": assigned_ids(stream)})
    elif form.validate_on_submit() and not refuse_stale(
        form, stream, lambda: {"elements": assigned_ids(stream)}
    ):
        changed = assign_elements(stream, form.elements.data or [])
        outcome = "saved" if changed else "nothing changed"
        flash(f"The elements of {stream.name}: {outcome}.", "success")
        return redirect(url_for("evidence.stream_owes_page", slug=slug, work_stream_id=stream.id))
    return render_template(
        "evidence/stream_elements_form.html",
        project=g.project,
        stream=stream,
        form=form,
        criteria=criteria,
        ticked=set(form.elements.data or []),
        title=f"Elements {stream.name} evidences",
    ), form_status(form, request.method)


@bp.route("/projects/<slug>/work-streams/<int:work_stream_id>/owes")
@requires("evidence.view")
def stream_owes_page(slug: str, work_stream_id: int) -> str:
    stream: WorkStream = own_record(WorkStream, work_stream_id)
    owed = stream_owes(g.project, stream, viewer_for(current_user.id, g.project, g.roles))
    return render_template(
        "evidence/stream_owes.html",
        project=g.project,
        stream=stream,
        without=[o for o in owed if not o.accepted],
        accepted=[o for o in owed if o.accepted],
        labels=SCALE_LABELS,
        title=f"What {stream.name} owes",
    )
