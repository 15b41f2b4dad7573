"""The page where the manager or the sponsor downloads the whole project as one ZIP."""

from __future__ import annotations

import tempfile

from flask import g, render_template, send_file
from werkzeug.wrappers import Response

from tracker.permissions import requires
from tracker.transfer import bp
from tracker.transfer.services import FORMAT_VERSION, TransferError, export_project


@bp.route("/projects/<slug>/export")
@requires("project.export")
def export_page(slug: str) -> str:
    return _page()


def _page(error: TransferError | None = None) -> str:
    return render_template(
        "transfer/export.html",
        title="Export the whole project",
        project=g.project,
        version=FORMAT_VERSION,
        error=error,
    )


@bp.route("/projects/<slug>/export.zip")
@requires("project.export")
def export_download(slug: str) -> Response | tuple[str, int]:
    # Spooled: small exports stay in memory, large ones (many evidence files) go to disk.
    # The buffer is closed by send_file once the response is sent (or here on failure).
    buffer = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115
    try:
        export_project(g.project.id, buffer)
    except TransferError as error:
        buffer.close()
        return _page(error), 409
    buffer.seek(0)
    response = send_file(
        buffer,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"{g.project.slug}-export.zip",
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
