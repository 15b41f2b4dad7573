"""Security headers on every kind of response, the CSP nonce, and templates that need no
'unsafe-inline' (no inline handlers, javascript: addresses or style attributes)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tracker import create_app
from tracker.config import Config, TestConfig

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

EVERY_RESPONSE = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def assert_security_headers(response) -> dict[str, str]:
    """The headers every response carries; returns the CSP's directives by name."""
    for name, value in EVERY_RESPONSE.items():
        assert response.headers.get(name) == value, name
    assert "camera=()" in response.headers["Permissions-Policy"]
    directives = {
        part.split()[0]: part.split()[1:]
        for part in response.headers["Content-Security-Policy"].split(";")
        if part.strip()
    }
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert "'unsafe-inline'" not in directives["style-src"]
    assert "'unsafe-inline'" not in directives["style-src-elem"]
    assert directives["style-src-attr"] == ["'unsafe-inline'"]  # plotly.js's SVG only
    return directives


def test_a_signed_in_page_has_the_headers_and_is_not_stored(client, login_as, project):
    login_as("manager")
    response = client.get(f"/projects/{project.slug}/")
    assert response.status_code == 200
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers  # not in the test configuration


def test_an_error_page_has_the_headers(client, login_as):
    login_as("manager")
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_a_download_has_the_headers(client, login_as, project):
    login_as("manager")
    response = client.get(f"/projects/{project.slug}/risks/export?format=csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_a_signed_out_page_has_the_headers(client):
    response = client.get("/sign-in")
    assert response.status_code == 200
    assert_security_headers(response)


def test_front_end_files_have_the_headers_and_stay_cacheable(client):
    response = client.get("/vendor/govuk-frontend.min.js")
    assert response.status_code == 200
    assert_security_headers(response)
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "max-age" in response.headers["Cache-Control"]


def test_the_api_has_the_headers(client):
    response = client.get("/api/v1/projects")
    assert response.status_code == 401
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def _production_app():
    class Production(Config):
        SECRET_KEY = "a-production-secret-long-enough-for-any-check-0123456789"
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    return create_app(Production)


def _test_app():
    class Testing(TestConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    return create_app(Testing)


@pytest.mark.parametrize("path", ["/vendor/govuk-frontend.min.js", "/no-such-page"])
def test_hsts_only_in_production(path):
    production = _production_app().test_client().get(path)
    assert production.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in _test_app().test_client().get(path).headers


def test_production_keeps_its_own_cookie_settings():
    """Talisman must not change the configuration's cookie flags (development runs over http)."""
    app = _test_app()
    app.test_client().get("/sign-in")
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert _production_app().config["SESSION_COOKIE_SECURE"] is True


class _InlineTags(HTMLParser):
    """The nonce of every inline <script> (no src) and every <style> of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.nonces: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        data_block = found.get("type") == "application/json"  # never run: needs no nonce
        if tag == "style" or (tag == "script" and "src" not in found and not data_block):
            self.nonces.append(found.get("nonce"))


def _page_nonces(response) -> tuple[str, list[str | None]]:
    directives = assert_security_headers(response)
    header_nonces = {
        source for source in directives["script-src"] if source.startswith("'nonce-")
    } | {
        source
        for name in ("style-src", "style-src-elem")
        for source in directives[name]
        if source.startswith("'nonce-")
    }
    assert len(header_nonces) == 1
    parser = _InlineTags()
    parser.feed(response.text)
    return header_nonces.pop()[len("'nonce-") : -1], parser.nonces


@pytest.mark.parametrize("signed_in", [True, False])
def test_every_inline_script_and_style_carries_the_headers_nonce(
    client, login_as, project, signed_in
):
    if signed_in:
        login_as("manager")
        path = f"/projects/{project.slug}/dashboard"
    else:
        path = "/sign-in"
    nonce, page_nonces = _page_nonces(client.get(path))
    assert len(nonce) >= 22  # at least 128 bits of randomness
    assert page_nonces, "the page has GOV.UK's inline script at least"
    assert set(page_nonces) == {nonce}
    again, _ = _page_nonces(client.get(path))
    assert again != nonce  # a fresh nonce on every response


def _templates_text() -> list[tuple[Path, str]]:
    """The pages' templates. Not the e-mails' (templates/mail): they are read in mail clients,
    never served under the tracker's policy, and mail clients need inline styles."""
    return [
        (path, path.read_text())
        for path in sorted(TEMPLATES.rglob("*.html"))
        if path.relative_to(TEMPLATES).parts[0] != "mail"
    ]


def test_templates_need_no_unsafe_inline():
    """Inline handlers, javascript: addresses and style attributes would all need
    'unsafe-inline'; every inline <script> and <style> must carry the nonce."""
    problems = []
    for path, text in _templates_text():
        name = path.relative_to(TEMPLATES)
        for pattern in (r"\son[a-z]+\s*=", r"javascript:", r"\sstyle\s*="):
            if re.search(pattern, text, re.IGNORECASE):
                problems.append(f"{name}: {pattern}")
        for tag in re.findall(r"<(?:script|style)\b[^>]*>", text):
            # A JSON data block (a chart's figure) is never run, so the policy does not apply.
            if "src=" not in tag and "nonce=" not in tag and "application/json" not in tag:
                problems.append(f"{name}: {tag}")
    assert problems == []


def test_openapi_document_does_not_echo_the_host_header(client):
    response = client.get("/api/v1/openapi.json", headers={"Host": "evil.example"})
    assert response.status_code == 200
    assert "evil.example" not in response.text
    assert response.json["servers"] == [{"url": "/api/v1"}]
