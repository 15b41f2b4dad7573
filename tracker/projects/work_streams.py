"""Setting up the project's work streams (name, code, leads, members) and its services (the
list the self-assessment rates, each under its corporate area)."""

from __future__ import annotations

from flask import g, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from tracker.permissions import requires
from tracker.projects import bp
from tracker.projects.models import Role, Service, WorkStream
from tracker.projects.people_services import project_people
from tracker.projects.setup_forms import ServiceForm, WorkStreamForm
from tracker.projects.setup_services import (
    project_services,
    save_service,
    save_work_stream,
    stream_people,
)
from tracker.projects.setup_views import form_page, own_record, save_or_show
from tracker.versioning import record_data, show_record


@bp.route("/projects/<slug>/set-up/work-streams")
@requires("work_stream.edit")
def setup_work_streams(slug: str) -> str:
    people = {p.id: p for p in project_people(g.project)}
    return render_template(
        "projects/setup/work_streams.html",
        project=g.project,
        streams=g.project.work_streams,
        held=stream_people(g.project),
        people=people,
        roles=Role,
        title="Work streams",
    )


def _stream_form(stream: WorkStream | None) -> WorkStreamForm:
    form = WorkStreamForm()
    choices = [SelectChoice(p.id, p.label) for p in project_people(g.project)]
    form.leads.choices = form.members.choices = choices
    if request.method == "GET" and stream is not None:
        show_record(form, stream, _stream_data(form, stream))
    return form


def _stream_data(form: WorkStreamForm, stream: WorkStream) -> dict:
    held = stream_people(g.project).get(stream.id, {})
    return record_data(
        form,
        stream,
        leads=sorted(held.get(Role.WS_LEAD, [])),
        members=sorted(held.get(Role.WS_MEMBER, [])),
    )


def _stream_page(stream: WorkStream | None) -> tuple[str, int] | Response:
    slug = g.project.slug
    form = _stream_form(stream)
    answer = save_or_show(
        form,
        stream,
        lambda: _stream_data(form, stream),
        lambda: save_work_stream(
            g.project,
            stream,
            name=form.name.data,
            code=form.code.data,
            leads=form.leads.data or [],
            members=form.members.data or [],
        ),
        lambda saved: (
            f"Work stream {saved.code} saved.",
            url_for("projects.setup_work_streams", slug=slug),
        ),
    )
    title = f"Edit work stream {stream.code}" if stream else "Add a work stream"
    back = ("Work streams", url_for("projects.setup_work_streams", slug=slug))
    return answer or form_page(form, title, back)


@bp.route("/projects/<slug>/set-up/work-streams/new", methods=["GET", "POST"])
@requires("work_stream.edit")
def setup_work_stream_new(slug: str) -> tuple[str, int] | Response:
    return _stream_page(None)


@bp.route("/projects/<slug>/set-up/work-streams/<int:work_stream_id>", methods=["GET", "POST"])
@requires("work_stream.edit")
def setup_work_stream_edit(slug: str, work_stream_id: int) -> tuple[str, int] | Response:
    return _stream_page(own_record(WorkStream, work_stream_id))


# Services ----------------------------------------------------------------------------------------


@bp.route("/projects/<slug>/set-up/services")
@requires("service.edit")
def setup_services(slug: str) -> str:
    return render_template(
        "projects/setup/services.html",
        project=g.project,
        services=project_services(g.project),
        streams={s.id: s for s in g.project.work_streams},
        title="Services",
    )


def _service_page(service: Service | None) -> tuple[str, int] | Response:
    slug = g.project.slug
    form = ServiceForm()
    form.work_stream.choices = [SelectChoice(0, "None")] + [
        SelectChoice(s.id, f"{s.name} ({s.code})") for s in g.project.work_streams
    ]

    def current() -> dict:
        return record_data(form, service, work_stream=service.work_stream_id or 0)

    if request.method == "GET" and service is not None:
        show_record(form, service, current())
    answer = save_or_show(
        form,
        service,
        current,
        lambda: save_service(
            g.project,
            service,
            name=form.name.data,
            corporate_area=form.corporate_area.data,
            work_stream_id=form.work_stream.data,
        ),
        lambda saved: (f"{saved.name} saved.", url_for("projects.setup_services", slug=slug)),
    )
    title = f"Edit {service.name}" if service else "Add a service"
    back = ("Services", url_for("projects.setup_services", slug=slug))
    return answer or form_page(form, title, back)


@bp.route("/projects/<slug>/set-up/services/new", methods=["GET", "POST"])
@requires("service.edit")
def setup_service_new(slug: str) -> tuple[str, int] | Response:
    return _service_page(None)


@bp.route("/projects/<slug>/set-up/services/<int:service_id>", methods=["GET", "POST"])
@requires("service.edit")
def setup_service_edit(slug: str, service_id: int) -> tuple[str, int] | Response:
    return _service_page(own_record(Service, service_id))
