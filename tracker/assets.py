"""Front-end files that come from packages: GOV.UK Frontend (npm), plotly.js (PyPI) and
plotly.js's basic bundle (npm, the same version), which the Gantt chart loads instead.

They are served by the app itself so that nothing is fetched from a CDN.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import plotly
from flask import Blueprint, Response, abort, current_app, send_from_directory

from tracker.permissions import PUBLIC, requires

bp = Blueprint("assets", __name__)

_PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"
_ONE_YEAR = 365 * 24 * 3600
# Where the bundle adds a <style> element of its own (maplibre's rules) unless that id exists.
_BUNDLED_STYLE = re.compile(
    r'getElementById\("([^"]+)"\)\)\{var [\w$]+=document\.createElement\("style"\)'
)


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


@bp.route("/vendor/plotly-basic.min.js")
@requires(PUBLIC)
def plotly_basic_js() -> Response:
    bundle = Path(current_app.config["PLOTLY_BASIC_JS"])
    if not bundle.exists():
        abort(404)
    return send_from_directory(bundle.parent, bundle.name, max_age=_ONE_YEAR)


@bp.app_template_global()
@cache
def plotly_style_ids() -> tuple[str, ...]:
    """The ids of the <style> elements plotly.js would otherwise create itself, which the
    Content-Security-Policy refuses (they carry no nonce). base.html puts them in every page's
    head with the nonce: plotly.js then adds its rules to "plotly.js-style-global" through the
    CSSOM, which the policy allows, and skips the others (maps, which the tracker never draws)."""
    bundle = _PLOTLY_DIR / "plotly.min.js"
    found = _BUNDLED_STYLE.findall(bundle.read_text(encoding="utf-8")) if bundle.exists() else []
    return ("plotly.js-style-global", *found)
