"""Serving many people cheaply: front-end files at versioned addresses that browsers keep a
year, and pages and JSON sent gzipped to browsers that accept it (issue 15)."""

from __future__ import annotations

import gzip
import json
import os
import re
from pathlib import Path

import pytest
from flask import Flask, Response, stream_with_context, url_for

from tracker import create_app
from tracker.assets import IMMUTABLE, UNVERSIONED, file_version
from tracker.config import TestConfig
from tracker.permissions import PUBLIC, requires

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def versioned(app: Flask, endpoint: str, **values: str) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


def linked_files(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/(?:static|vendor|assets)/[^"]+)"', page)


def test_pages_link_front_end_files_by_version(client):
    links = linked_files(client.get("/sign-in").get_data(as_text=True))
    assert any(link.startswith("/static/build/app.css?v=") for link in links)
    assert any(link.startswith("/vendor/govuk-frontend.min.js?v=") for link in links)
    assert all("?v=" in link for link in links if not link.startswith("/assets/"))


@pytest.mark.parametrize(
    ("endpoint", "values"),
    [("assets.govuk_js", {}), ("assets.plotly_js", {}), ("static", {"filename": "build/app.css"})],
)
def test_current_version_is_kept_a_year_without_asking_again(app, client, endpoint, values):
    response = client.get(versioned(app, endpoint, **values))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert "Expires" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"  # security headers stay


@pytest.mark.parametrize("query", ["", "?v=0123456789ab"])
def test_unversioned_or_old_version_is_kept_a_day(client, query):
    """An address without the current version may serve other content tomorrow."""
    response = client.get("/vendor/govuk-frontend.min.js" + query)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == UNVERSIONED


def test_revalidation_answers_not_modified_with_the_same_caching(app, client):
    link = versioned(app, "assets.govuk_js")
    etag = client.get(link).headers["ETag"]
    again = client.get(link, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == IMMUTABLE


def test_a_changed_file_gets_a_new_address(tmp_path):
    """The version is the content's hash, worked out again when the file changes."""
    static = tmp_path / "static"
    static.mkdir()
    css = static / "site.css"
    css.write_text("body { color: black }")
    app = create_app(TestConfig)
    app.static_folder = str(static)
    first = versioned(app, "static", filename="site.css")
    css.write_text("body { color: navy }")
    os.utime(css, ns=(css.stat().st_atime_ns, css.stat().st_mtime_ns + 1_000_000))
    second = versioned(app, "static", filename="site.css")
    assert first != second and second.startswith("/static/site.css?v=")
    response = app.test_client().get(second)
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert app.test_client().get(first).headers["Cache-Control"] == UNVERSIONED


def test_missing_file_has_no_version(tmp_path: Path):
    assert file_version(tmp_path / "nothing.css") is None
    assert file_version(tmp_path) is None


def test_a_missing_file_is_not_found_and_not_cached(client):
    response = client.get("/static/no-such-file.css?v=0123456789ab")
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_are_sent_gzipped_when_accepted(client):
    plain = client.get("/sign-in")
    zipped = client.get("/sign-in", headers=GZIP)
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert (
        "Accept-Encoding" in zipped.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
    )
    assert int(zipped.headers["Content-Length"]) == len(zipped.data) < len(plain.data)
    # Security headers and the no-store rule for pages are untouched.
    assert zipped.headers["Cache-Control"] == "no-store"
    assert "nonce-" in zipped.headers["Content-Security-Policy"]
    assert_same_page(gzip.decompress(zipped.data).decode(), plain.get_data(as_text=True))


def assert_same_page(one: str, other: str) -> None:
    """Equal but for the per-request CSP nonce and CSRF token."""
    noise = re.compile(r'nonce="[^"]+"|value="[0-9a-f]{32}"|value="[\w.-]{60,}"')
    assert noise.sub("", one) == noise.sub("", other)


def test_json_is_sent_gzipped_when_accepted(client):
    response = client.get("/api/v1/openapi.json", headers=GZIP)
    assert response.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.data))["openapi"].startswith("3.1")


@pytest.mark.parametrize("accept", ["identity", "gzip;q=0", "br"])
def test_nothing_is_gzipped_for_a_client_that_refuses_it(client, accept):
    response = client.get("/sign-in", headers={"Accept-Encoding": accept})
    assert "Content-Encoding" not in response.headers
    assert "<html" in response.get_data(as_text=True)


def test_files_sent_whole_are_not_gzipped(client):
    """Front-end files and downloads go out as `send_file` sends them (direct passthrough)."""
    response = client.get("/vendor/govuk-frontend.min.js", headers=GZIP)
    assert "Content-Encoding" not in response.headers
    assert response.data.startswith(b"/**") or b"govuk" in response.data[:2000]


def test_compression_can_be_switched_off_for_a_compressing_proxy():
    class ProxyCompresses(TestConfig):
        COMPRESS_RESPONSES = False

    response = create_app(ProxyCompresses).test_client().get("/sign-in", headers=GZIP)
    assert "Content-Encoding" not in response.headers


@pytest.fixture
def odd_app() -> Flask:
    """An app with answers no view of the tracker gives yet: streamed, small, already encoded,
    and a compressed download."""
    app = create_app(TestConfig)

    @app.route("/test/streamed")
    @requires(PUBLIC)
    def streamed() -> Response:
        rows = (f"<p>row {n}</p>" for n in range(2000))
        return Response(stream_with_context(rows), mimetype="text/html")

    @app.route("/test/small")
    @requires(PUBLIC)
    def small() -> str:
        return "<p>short</p>"

    @app.route("/test/encoded")
    @requires(PUBLIC)
    def encoded() -> Response:
        body = gzip.compress(b"<p>already</p>" * 500)
        return Response(body, mimetype="text/html", headers={"Content-Encoding": "gzip"})

    @app.route("/test/download.xlsx")
    @requires(PUBLIC)
    def download() -> Response:
        sheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(b"PK\x03\x04" + b"\x00" * 5000, mimetype=sheet)

    return app


def test_streamed_pages_are_left_as_they_are(odd_app):
    response = odd_app.test_client().get("/test/streamed", headers=GZIP)
    assert "Content-Encoding" not in response.headers
    assert response.get_data(as_text=True).count("<p>row") == 2000


@pytest.mark.parametrize("path", ["/test/small", "/test/download.xlsx"])
def test_small_bodies_and_compressed_formats_are_not_gzipped(odd_app, path):
    response = odd_app.test_client().get(path, headers=GZIP)
    assert "Content-Encoding" not in response.headers


def test_a_body_already_encoded_is_not_encoded_twice(odd_app):
    response = odd_app.test_client().get("/test/encoded", headers=GZIP)
    assert gzip.decompress(response.data) == b"<p>already</p>" * 500


@pytest.mark.parametrize("own_template", [None, "simple_white"])
def test_charts_carry_the_same_json_with_the_template_escaped_once_per_process(own_template):
    """figure_json takes plotly's default template from a per-process cache: what it sends
    must be what escaping the whole figure every time would send."""
    import plotly.graph_objects as go
    import plotly.io as pio

    from tracker.charts import HOVER_TEXT, escape_figure, figure_json

    def build() -> go.Figure:
        figure = go.Figure(
            go.Bar(
                x=['<a href="https://evil.example">Sign in</a> & co'],
                y=[2],
                hovertext=["%{y} <b>"],
                hovertemplate=HOVER_TEXT,
            )
        )
        figure.update_layout(title="Risk <i>", template=own_template)
        return figure

    expected = json.loads(pio.to_json(escape_figure(build().to_plotly_json()), validate=False))
    for _ in range(2):  # the second time from the cache
        sent = figure_json(build())
        assert "<" not in sent and json.loads(sent) == expected
