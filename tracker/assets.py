"""Front-end files that come from packages: GOV.UK Frontend (npm), plotly.js (PyPI) and
plotly.js's basic bundle (npm, the same version), which the Gantt chart loads instead; and how
every front-end file (these and static/) is cached by browsers.

They are served by the app itself so that nothing is fetched from a CDN.

Every `url_for` of a front-end file gets `?v=` and the start of the file's SHA-256, so a changed
file has a new address. A request carrying the file's current version is answered with
`Cache-Control: public, max-age=31536000, immutable`: the browser keeps it a year without asking
again, not even to revalidate, which saves several requests per page. A request without a
version, or with an old one (an address in GOV.UK's own template or in the stylesheet, a page
cached from before an upgrade), may get different content later, so it is kept for a day only.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import plotly
from flask import Blueprint, Flask, Response, abort, current_app, request, send_from_directory

from tracker.headers import PUBLIC_ENDPOINTS
from tracker.permissions import PUBLIC, requires

bp = Blueprint("assets", __name__)

_PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"
_ONE_YEAR = 365 * 24 * 3600
IMMUTABLE = f"public, max-age={_ONE_YEAR}, immutable"
UNVERSIONED = "public, max-age=86400"  # a day: an upgrade reaches every browser within it
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
    return send_from_directory(_govuk_dir() / "assets", filename)


@bp.route("/vendor/govuk-frontend.min.js")
@requires(PUBLIC)
def govuk_js() -> Response:
    return send_from_directory(_govuk_dir(), "govuk-frontend.min.js")


@bp.route("/vendor/plotly.min.js")
@requires(PUBLIC)
def plotly_js() -> Response:
    if not (_PLOTLY_DIR / "plotly.min.js").exists():
        abort(404)
    return send_from_directory(_PLOTLY_DIR, "plotly.min.js")


@bp.route("/vendor/plotly-basic.min.js")
@requires(PUBLIC)
def plotly_basic_js() -> Response:
    bundle = Path(current_app.config["PLOTLY_BASIC_JS"])
    if not bundle.exists():
        abort(404)
    return send_from_directory(bundle.parent, bundle.name)


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


def _file_of(endpoint: str | None, values: dict[str, Any]) -> Path | None:
    """The file a front-end URL serves, None for any other endpoint."""
    if endpoint == "static":
        return Path(current_app.static_folder or "static") / values.get("filename", "")
    if endpoint == "assets.govuk_asset":
        return _govuk_dir() / "assets" / values.get("filename", "")
    if endpoint == "assets.govuk_js":
        return _govuk_dir() / "govuk-frontend.min.js"
    if endpoint == "assets.plotly_js":
        return _PLOTLY_DIR / "plotly.min.js"
    if endpoint == "assets.plotly_basic_js":
        return Path(current_app.config["PLOTLY_BASIC_JS"])
    return None


def file_version(path: Path) -> str | None:
    """The start of the file's SHA-256, None if there is no such file. Hashed once per process
    for each state of the file: the cache is keyed on its modification time and size too, so a
    file rebuilt while the app runs (`make` rebuilding the stylesheet) gets a new version."""
    try:
        stat = path.stat()
    except (OSError, ValueError):
        return None
    if not path.is_file():
        return None
    return _hash(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=512)
def _hash(path: str, mtime_ns: int, size: int) -> str:  # noqa: ARG001 - the cache key
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


def _add_version(endpoint: str | None, values: dict[str, Any]) -> None:
    """Called for every `url_for`, so it returns at once for anything but a front-end file."""
    if endpoint not in PUBLIC_ENDPOINTS or "v" in values:
        return
    path = _file_of(endpoint, values)
    if path is not None and (version := file_version(path)) is not None:
        values["v"] = version


def _cache_front_end_file(response: Response) -> Response:
    path = _file_of(request.endpoint, request.view_args or {})
    if path is None:
        return response
    if response.status_code not in (200, 304):  # a not-found page is not a file to keep
        response.headers["Cache-Control"] = "no-store"
        return response
    sent = request.args.get("v")
    fresh = sent is not None and sent == file_version(path)
    response.headers["Cache-Control"] = IMMUTABLE if fresh else UNVERSIONED
    response.headers.pop("Expires", None)
    return response


def register_asset_versions(app: Flask) -> None:
    """Version every front-end file's URL, and tell browsers how long to keep each."""
    app.url_defaults(_add_version)
    app.after_request(_cache_front_end_file)
