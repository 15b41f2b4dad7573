"""The waiting page of a prepared download, and the file once it is ready.

Only the person who asked sees either (anyone else gets 404: the request is theirs), and only
while they still hold the permission of the original route (403 otherwise), checked again on
every visit: a pack made while they were an assessor is not theirs to fetch once they are not.
"""

from __future__ import annotations

from flask import abort, g, render_template, send_file
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.evidence.storage import storage
from tracker.extensions import db
from tracker.permissions import can, requires
from tracker.prepared import bp
from tracker.prepared.kinds import KINDS, Kind
from tracker.prepared.models import PreparedDownload, PreparedStatus


def _load(download_id: int) -> tuple[PreparedDownload, Kind]:
    found = db.session.get(PreparedDownload, download_id)
    if (
        found is None
        or found.project_id != g.project.id
        or found.requested_by_id != current_user.id
    ):
        abort(404)
    kind = KINDS[found.kind]
    if not can(kind.action, g.roles):
        abort(403)
    return found, kind


@bp.route("/projects/<slug>/prepared/<int:download_id>")
@requires("project.view")  # and the permission of the file's own route: see _load
def waiting(slug: str, download_id: int) -> str:
    found, kind = _load(download_id)
    return render_template(
        "prepared/waiting.html",
        project=g.project,
        found=found,
        kind=kind,
        statuses=PreparedStatus,
        title=f"Your {kind.label}",
    )


@bp.route("/projects/<slug>/prepared/<int:download_id>/file")
@requires("project.view")  # and the permission of the file's own route: see _load
def file(slug: str, download_id: int) -> Response:
    found, kind = _load(download_id)
    if found.status is not PreparedStatus.READY or found.storage_key is None:
        abort(404)
    store = storage()
    if not store.exists(found.storage_key):
        abort(404)
    return send_file(
        store.open_reader(found.storage_key),
        mimetype=kind.mimetype,
        as_attachment=True,
        download_name=kind.filename(found),
        conditional=False,
        etag=False,
    )
