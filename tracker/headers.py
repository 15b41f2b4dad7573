"""Security headers on every response: pages, error pages, downloads, the API and static files.

Flask-Talisman sets the Content-Security-Policy (with a fresh nonce per request for scripts and
styles: templates put `nonce="{{ csp_nonce() }}"` on every inline <script> and <style>), the framing
guard (`frame-ancestors 'none'` and `X-Frame-Options: DENY`), Referrer-Policy,
Permissions-Policy and `X-Content-Type-Options: nosniff`. Two things it does not fit:

- HSTS. Talisman sends it only when the request itself looks like HTTPS. Behind a reverse proxy
  that terminates TLS without forwarding `X-Forwarded-Proto`, that is never, so production (the
  configuration with secure cookies) sends it on every response instead; browsers ignore it on
  plain http, so nothing is lost where the proxy does forward the scheme.
- `Cache-Control: no-store`, which Talisman has no setting for. Everything but the public
  front-end files may carry a person's data (pages, downloads, the API), so nothing else is kept
  by a browser's or a proxy's cache.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_talisman import Talisman

ONE_YEAR = 365 * 24 * 3600

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    # Style elements need the nonce (plotly.js's own rules go into the nonced elements of
    # base.html, see tracker/assets.py). Style *attributes* cannot: plotly.js writes
    # `style="..."` on the SVG it draws, with no way to turn that off. Those are allowed, and
    # only those: an attribute styles one element and cannot hold selectors that read the page.
    "style-src": "'self'",
    "style-src-elem": "'self'",
    "style-src-attr": "'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

# Powerful browser features the tracker never uses, switched off for it and anything it embeds.
PERMISSIONS_POLICY = {
    feature: "()"
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

# Front-end files that are the same for everyone and may be cached (see tracker/assets.py).
PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "assets.govuk_asset",
        "assets.govuk_js",
        "assets.plotly_js",
        "assets.plotly_basic_js",
    }
)


def register_security_headers(app: Flask) -> None:
    """Call before any other extension registers `before_request` handlers, so that the nonce
    exists even when one of them answers early (an expired form, a request that is too large)."""
    Talisman(  # one per app: Talisman keeps the app it was given
        app,
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_nonce_in=["script-src", "style-src", "style-src-elem"],
        frame_options="DENY",
        # "same-origin", not "no-referrer": Flask-WTF checks the Referer of forms posted over HTTPS.
        referrer_policy="same-origin",
        permissions_policy=PERMISSIONS_POLICY,
        # The proxy in front redirects to HTTPS; the app itself must also answer plain http in
        # development. Talisman would otherwise also force these three cookie settings.
        force_https=False,
        strict_transport_security=False,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
    )
    production = bool(app.config["SESSION_COOKIE_SECURE"])

    @app.after_request
    def _cache_and_transport(response: Response) -> Response:
        if request.endpoint not in PUBLIC_ENDPOINTS:
            response.headers["Cache-Control"] = "no-store"
        if production:
            response.headers["Strict-Transport-Security"] = f"max-age={ONE_YEAR}; includeSubDomains"
        return response
