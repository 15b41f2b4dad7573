"""Front-end files that come from packages: GOV.UK Frontend (npm) and plotly.js (PyPI).

They are served by the app itself so that nothing is fetched from a CDN.
"""

from __future__ import annotations

from pathlib import Path

import plotly
from flask import Blueprint, Response, abort, current_app, send_from_directory

from tracker.permissions import PUBLIC, requires

bp = Blueprint("assets", __name__)

_PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"
_ONE_YEAR = 365 * 24 * 3600


def _govuk_dir() -> Path:
    return Path(current_app.config["GOVUK_FRONTEND_DIR"])


@bp.route("/assets/<path:filename>")
@requires(PUBLIC)
def govuk_asset(filename: str) -> Response:
    """Fonts, images and the manifest that GOV.UK Frontend's CSS and template refer to."""
    return send_from_directory(_govuk_dir() / "assets", filename, max_age=_ONE_YEAR)


@bp.route("/vendor/govuk-frontend.min.js")
@requires(PUBLIC)
def govuk_js() -> Response:
    return send_from_directory(_govuk_dir(), "govuk-frontend.min.js", max_age=_ONE_YEAR)


@bp.route("/vendor/plotly.min.js")
@requires(PUBLIC)
def plotly_js() -> Response:
    if not (_PLOTLY_DIR / "plotly.min.js").exists():
        abort(404)
    return send_from_directory(_PLOTLY_DIR, "plotly.min.js", max_age=_ONE_YEAR)
