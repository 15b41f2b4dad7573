"""Views of the evidence library: the list, adding an item, its page, review and downloads."""

from __future__ import annotations

import tempfile
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from tracker.database import utcnow
from tracker.evidence import bp
from tracker.evidence.access import Viewer, viewer_for
from tracker.evidence.files import IncomingFile, StoredFile, naming, store_upload
from tracker.evidence.forms import (
    EvidenceForm,
    ReviewForm,
    SubmitForm,
    VersionForm,
    chosen_files,
    title_from_file,
)
from tracker.evidence.models import Element, EvidenceFile, EvidenceItem, EvidenceStatus
from tracker.evidence.pack import write_pack
from tracker.evidence.picker import picker_context
from tracker.evidence.services import (
    EvidenceConflict,
    add_item,
    add_version,
    get_item,
    items_with_checksum,
    library,
    may_add_to,
    may_review,
    project_elements,
    remove_personal_data,
    retention_due,
    review_basis,
    streams_for,
    update_item,
)
from tracker.evidence.services import review as review_item
from tracker.evidence.services import submit as submit_item
from tracker.evidence.storage import delete_when_committed, storage
from tracker.extensions import db
from tracker.filters import london_today
from tracker.forms import show_refusal
from tracker.paging import Page, page_url
from tracker.permissions import can, requires
from tracker.plan.work_plan import project_work_streams
from tracker.prepared.kinds import EVIDENCE_PACK
from tracker.prepared.services import ask, worker_available
from tracker.projects.models import WorkStream
from tracker.rules import RuleRefused
from tracker.transactions import roll_back
from tracker.uploads import stream_uploads
from tracker.versioning import form_status, record_data, refuse_stale, show_record

PAGE_SIZE = 100

# The forms that take evidence files have them written once, straight into storage and hashed
# on the way (tracker/uploads.py), rather than spooled to TMPDIR and then copied.
bp.record_once(
    lambda state: stream_uploads(
        state.app,
        (f"{bp.name}.item_new", f"{bp.name}.item_version"),
        lambda: IncomingFile(storage()),
    )
)


def _viewer() -> Viewer:
    return viewer_for(current_user.id, g.project, g.roles)


def _render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    context.setdefault("project", g.project)
    return render_template(template, **context), status


def _load(item_id: int, viewer: Viewer) -> EvidenceItem:
    item = get_item(g.project, item_id, viewer)
    if item is None:
        abort(404)
    return item


def _store(field: Any) -> StoredFile | None:
    """The uploaded file of `field` in storage, or None when no file was chosen."""
    upload = field.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return _store_all([upload])[0]


@bp.route("/projects/<slug>/evidence")
@requires("evidence.view")
def library_page(slug: str) -> tuple[str, int]:
    viewer = _viewer()
    streams = project_work_streams(g.project)
    elements = project_elements(g.project)
    stream_id = request.args.get("work_stream", type=int)
    code = request.args.get("element", "").strip()
    element = next((e for e in elements if e.code == code), None)
    status = request.args.get("status", "")
    chosen_status = EvidenceStatus(status) if status in {s.value for s in viewer.statuses} else None
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    items, total, page = library(
        g.project,
        viewer,
        work_stream_id=stream_id,
        element_id=element.id if element else None,
        status=chosen_status,
        page=page,
        per_page=PAGE_SIZE,
    )
    due = retention_due(g.project, london_today()) if viewer.sees_all_personal_data else []
    chosen = {"work_stream": stream_id, "element": code, "status": status}
    return _render(
        "evidence/library.html",
        items=items,
        total=total,
        paged=Page(page, PAGE_SIZE, total),
        page_url=page_url(),
        streams=streams,
        elements=elements,
        statuses=viewer.statuses,
        chosen=chosen,
        unknown_element=bool(code) and element is None,
        retention=due,
        may_add=bool(streams_for(viewer, streams)),
        title="Evidence library",
    )


@bp.route("/projects/<slug>/evidence/new", methods=["GET", "POST"])
@requires("evidence.add")
def item_new(slug: str) -> tuple[str, int] | BaseResponse:
    viewer = _viewer()
    streams = streams_for(viewer, project_work_streams(g.project))
    if not streams:
        abort(403)
    elements = project_elements(g.project)
    form = _evidence_form(streams, elements)
    if request.method == "GET" and request.args.get("element"):
        form.elements.data = [e.id for e in elements if e.code == request.args["element"]]
    duplicates: list[EvidenceItem] = []
    if not form.search.data and form.validate_on_submit():
        try:
            added = _add(form, viewer, elements, duplicates)
        except RuleRefused as refusal:
            show_refusal(form, refusal)  # the rows and any files stored with them go (storage.py)
        else:
            return _added(slug, added)
    # A search sends the form back as it was entered, with the elements found: nothing saved.
    status = 400 if request.method == "POST" and not form.search.data else 200
    return _render(
        "evidence/item_form.html",
        status,
        form=form,
        duplicates=duplicates,
        title="Add evidence",
        **picker_context(form, elements),
    )


def _evidence_form(
    streams: list[WorkStream], elements: list[Element], item: EvidenceItem | None = None
) -> EvidenceForm:
    """The evidence form with its choices, filled from `item` (an edit form's first showing)."""
    form = EvidenceForm(obj=item)
    form.work_stream.choices = [SelectChoice(s.id, s.name) for s in streams]
    form.elements.choices = [SelectChoice(e.id, f"{e.code} {e.text}") for e in elements]
    limit = current_app.config["MAX_UPLOAD_MB"]
    form.file.description = f"{form.file.description}, up to {limit} MB in all"
    return form


def _added(slug: str, added: list[EvidenceItem]) -> BaseResponse:
    if len(added) == 1:
        flash(f"“{added[0].title}” is in the library as a draft.", "success")
        return redirect(url_for("evidence.item", slug=slug, item_id=added[0].id))
    flash(f"{len(added)} evidence items are in the library as drafts.", "success")
    return redirect(url_for("evidence.library_page", slug=slug))


def _item_values(form: EvidenceForm, elements: list[Element]) -> dict[str, Any]:
    """What the form says of an item, as `add_item` and `update_item` take it (the form has
    checked that its elements are the standard's)."""
    chosen = set(form.elements.data)
    return {
        "title": form.title.data or "",
        "description": form.description.data,
        "work_stream_id": form.work_stream.data,
        "elements": [e for e in elements if e.id in chosen],
        "evidence_date": form.evidence_date.data,
        "review_by": form.review_by.data,
        "link_url": (form.link_url.data or "").strip() or None,
        "personal_data": bool(form.personal_data.data),
        "retain_until": form.retain_until.data,
    }


def _add(
    form: EvidenceForm, viewer: Viewer, elements: list[Element], duplicates: list[EvidenceItem]
) -> list[EvidenceItem]:
    """Add the item, or items, the form describes, or raise RuleRefused naming the field it
    belongs beside. Several files are an item each, or versions of one item. A file already in
    the library is listed in `duplicates` and refused, unless the person ticked the box to
    store a second copy."""
    values = _item_values(form, elements)
    if values["personal_data"] and values["retain_until"] is None:
        raise RuleRefused("Enter the date to keep the personal data until", field="retain_until")
    stored = _store_all(chosen_files(form.file))
    if not stored and not values["link_url"]:
        raise RuleRefused("Choose a file or enter a link to the document", field="file")
    for one in stored:
        duplicates.extend(items_with_checksum(g.project, one.sha256, viewer))
    if duplicates and not request.form.get("store_anyway"):
        raise RuleRefused(
            "This file is in the library already: link the existing evidence to more "
            "elements instead, or tick the box to store a second copy",
            field="file",
        )
    now = utcnow()
    if form.several_items():
        return [
            add_item(
                g.project,
                current_user,
                viewer,
                **values | {"title": title_from_file(values["title"], one.original_name)},
                stored=one,
                now=now,
            )
            for one in stored
        ]
    first = stored[0] if stored else None
    item = add_item(g.project, current_user, viewer, **values, stored=first, now=now)
    for later in stored[1:]:
        add_version(item, current_user, later, now)
    return [item]


def _store_all(uploads: list[FileStorage]) -> list[StoredFile]:
    """Every chosen file in storage, checked by its content. A refusal of one of several names
    it; the files stored before it go with the request's rollback (storage.py)."""
    limit = current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024
    stored = []
    for upload in uploads:
        try:
            stored.append(store_upload(upload.stream, upload.filename, storage(), max_bytes=limit))
        except RuleRefused as refusal:
            if len(uploads) == 1:
                raise
            raise RuleRefused(naming(upload.filename, refusal.message), field="file") from None
    return stored


@bp.route("/projects/<slug>/evidence/<int:item_id>")
@requires("evidence.view")
def item(slug: str, item_id: int) -> tuple[str, int]:
    viewer = _viewer()
    found = _load(item_id, viewer)
    return _item_page(found, viewer)


def _item_page(
    found: EvidenceItem,
    viewer: Viewer,
    status: int = 200,
    version_form: VersionForm | None = None,
    review_form: ReviewForm | None = None,
) -> tuple[str, int]:
    may_change = can("evidence.add", viewer.roles) and may_add_to(viewer, found.work_stream_id)
    review_form = review_form or ReviewForm()
    review_form.seen.data = review_basis(found)  # what the reviewer sees now
    return _render(
        "evidence/item.html",
        status,
        item=found,
        may_change=may_change,
        may_submit=may_change and found.status in (EvidenceStatus.DRAFT, EvidenceStatus.RETURNED),
        may_review=may_review(viewer) and found.status is EvidenceStatus.SUBMITTED,
        sees_review=viewer.sees_work_in_progress,
        version_form=version_form or VersionForm(),
        submit_form=SubmitForm(),
        review_form=review_form,
        today=london_today(),
        title=found.title,
    )


@bp.route("/projects/<slug>/evidence/<int:item_id>/versions", methods=["POST"])
@requires("evidence.add")
def item_version(slug: str, item_id: int) -> tuple[str, int] | BaseResponse:
    viewer = _viewer()
    found = _load(item_id, viewer)
    if not may_add_to(viewer, found.work_stream_id):
        abort(403)
    form = VersionForm()
    if form.validate_on_submit():
        try:
            stored = _store(form.file)
            if stored is None:
                raise RuleRefused("Choose the file of the new version", field="file")
        except RuleRefused as refusal:
            show_refusal(form, refusal)
        else:
            version = add_version(found, current_user, stored, utcnow())
            flash(f"Version {version.version} uploaded.", "success")
            return redirect(url_for("evidence.item", slug=slug, item_id=found.id))
    return _item_page(found, viewer, 400, version_form=form)


@bp.route("/projects/<slug>/evidence/<int:item_id>/submit", methods=["POST"])
@requires("evidence.add")
def item_submit(slug: str, item_id: int) -> tuple[str, int] | BaseResponse:
    viewer = _viewer()
    found = _load(item_id, viewer)
    if not may_add_to(viewer, found.work_stream_id):
        abort(403)
    if SubmitForm().validate_on_submit():
        try:
            submit_item(found, current_user, viewer, utcnow())
        except RuleRefused as refusal:
            roll_back()  # the answer is a redirect, which would commit
            flash(refusal.message, "error")
        else:
            flash("Submitted for review.", "success")
    return redirect(url_for("evidence.item", slug=slug, item_id=found.id))


@bp.route("/projects/<slug>/evidence/<int:item_id>/review", methods=["POST"])
@requires("evidence.review")
def item_review(slug: str, item_id: int) -> tuple[str, int] | BaseResponse:
    viewer = _viewer()
    found = _load(item_id, viewer)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            review_item(
                found,
                current_user,
                viewer,
                accept=form.outcome.data == "accept",
                comment=form.comment.data,
                now=utcnow(),
                seen=form.seen.data or "",
            )
        except EvidenceConflict as conflict:
            roll_back()  # the page shows the item as it is now
            flash(conflict.message, "error")
            return _item_page(found, viewer, 409)
        except RuleRefused as refusal:
            if found.status is not EvidenceStatus.SUBMITTED:
                # Reviewed by someone else before this request read it: the page has no review
                # form to show the refusal beside, so it is said at the top.
                flash(refusal.message, "error")
                return _item_page(found, viewer, 409)
            show_refusal(form, refusal)
        else:
            flash(f"Review recorded: {found.status.label.lower()}.", "success")
            return redirect(url_for("evidence.item", slug=slug, item_id=found.id))
    return _item_page(found, viewer, 400, review_form=form)


@bp.route("/projects/<slug>/evidence/files/<int:file_id>")
@requires("evidence.view")
def download(slug: str, file_id: int) -> Response:
    """A stored file, as an attachment, only to someone who may see its item."""
    version = db.session.get(EvidenceFile, file_id)
    # A withdrawn item (item None: the query leaves it out) serves no files.
    if version is None or version.item is None or version.item.project_id != g.project.id:
        abort(404)
    if not _viewer().may_see(version.item) or not storage().exists(version.storage_key):
        abort(404)
    # send_file names it for every browser: RFC 6266 `filename*` keeps a name like
    # "Siân_Ó_Briain_Œuvre.docx", with a plain ASCII `filename` beside it for old ones.
    response = send_file(
        storage().open_reader(version.storage_key),
        mimetype=version.content_type,
        as_attachment=True,
        download_name=version.original_name,
        conditional=False,
        etag=False,
    )
    response.content_length = version.size_bytes
    return response


@bp.route("/projects/<slug>/evidence/pack")
@requires("evidence.pack")
def pack(slug: str) -> BaseResponse:
    """The assessor's pack as one ZIP, built in a temporary file and streamed; with a worker
    (REDIS_URL), built by it while the person waits on the prepared download's page."""
    if worker_available():
        asked = ask(g.project, current_user.id, EVIDENCE_PACK)
        return redirect(url_for("prepared.waiting", slug=slug, download_id=asked.id))
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed when the response is done
    write_pack(g.project, _viewer(), handle, london_today())
    size = handle.tell()
    handle.seek(0)

    response = send_file(
        handle,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"{g.project.slug}-evidence-pack-{london_today().isoformat()}.zip",
        conditional=False,
        etag=False,
    )
    response.content_length = size
    return response


@bp.route("/projects/<slug>/evidence/<int:item_id>/remove-personal-data", methods=["POST"])
@requires("evidence.retention")
def remove_personal(slug: str, item_id: int) -> BaseResponse:
    found = _load(item_id, _viewer())
    if SubmitForm().validate_on_submit():
        try:
            keys = remove_personal_data(found, current_user, utcnow())
        except RuleRefused as refusal:
            roll_back()  # the answer is a redirect, which would commit
            flash(refusal.message, "error")
        else:
            delete_when_committed(storage(), keys)  # once the record no longer points at them
            flash("The files holding personal data have been deleted.", "success")
    return redirect(url_for("evidence.item", slug=slug, item_id=found.id))


def _item_fields(found: EvidenceItem) -> dict[str, Any]:
    """The fields of the edit form that do not hold the item's attribute of the same name."""
    return {
        "work_stream": found.work_stream_id,
        "elements": sorted(e.id for e in found.elements),
        "link_url": found.link_url or "",
    }


@bp.route("/projects/<slug>/evidence/<int:item_id>/edit", methods=["GET", "POST"])
@requires("evidence.add")
def item_edit(slug: str, item_id: int) -> tuple[str, int] | BaseResponse:
    viewer = _viewer()
    found = _load(item_id, viewer)
    streams = streams_for(viewer, project_work_streams(g.project))
    if found.work_stream_id not in {s.id for s in streams}:
        abort(403)
    elements = project_elements(g.project)
    form = _evidence_form(streams, elements, None if request.method == "POST" else found)
    form.submit.label.text = "Save the evidence"
    if request.method == "GET":
        show_record(form, found, _item_fields(found))
    searching = bool(form.search.data)
    if (
        not searching
        and form.validate_on_submit()
        and not refuse_stale(form, found, lambda: record_data(form, found, **_item_fields(found)))
    ):
        try:
            update_item(found, viewer, **_item_values(form, elements))
        except RuleRefused as refusal:
            show_refusal(form, refusal)
        else:
            flash("Evidence saved.", "success")
            return redirect(url_for("evidence.item", slug=slug, item_id=found.id))
    return _render(
        "evidence/item_form.html",
        200 if searching else form_status(form, request.method),
        form=form,
        item=found,
        duplicates=[],
        title="Change the evidence",
        **picker_context(form, elements),
    )
