"""gzip for pages and JSON, when the browser accepts it.

A page of the work plan at 2,000 tasks is about 2 MB of HTML, and gzip makes it about 15 times
smaller: over a council's network that is most of the wait. The reverse proxy could do it
instead (then set COMPRESS_RESPONSES=0); doing it here means it is done whatever the proxy.

Why a small after_request and not Flask-Compress: we need gzip only (every browser has it), and
Flask-Compress brings two compiled packages (brotli, zstd) and options for streaming and caching
that we do not need; what is compressed, and what is not, is clearer in these few lines:

- only bodies of the listed text types, over 1,400 bytes (one packet: smaller gains nothing);
- never files sent by `send_file` (downloads, the front-end files: `direct_passthrough`) nor
  streamed responses, whose body is not in memory; nor a body already encoded. Downloads in
  compressed formats (xlsx, zip, pdf) are not of the listed types anyway.

On BREACH (guessing a secret on a compressed HTTPS page from its size): the CSRF token in forms
is signed with a timestamp, so its value differs every second; the session lives in a cookie, not
the page; and cookies are `SameSite=Lax`, so another site cannot make the many signed-in
requests the attack needs.
"""

from __future__ import annotations

import gzip

from flask import Flask, Response, current_app, request

COMPRESSIBLE = frozenset(
    {
        "text/html",
        "application/json",
        "application/problem+json",
        "text/plain",
        "text/csv",
        "text/calendar",
        "image/svg+xml",
    }
)
MIN_BYTES = 1400
# zlib's level 1, not gzip's default 6: on the 2,000-task work plan (1.9 MB) level 1 takes 6 ms
# for 92 kB, level 6 18 ms for 68 kB; on the Gantt page (2.5 MB) 25 ms against 58 ms. Both are
# over 10 times smaller than the page; on a busy server the milliseconds matter more.
LEVEL = 1


def _compress(response: Response) -> Response:
    if not current_app.config["COMPRESS_RESPONSES"]:
        return response
    if (
        response.mimetype not in COMPRESSIBLE
        or response.direct_passthrough
        or response.is_streamed
        or "Content-Encoding" in response.headers
        or not 200 <= response.status_code < 300
        or response.status_code in (204, 206)
    ):
        return response
    response.vary.add("Accept-Encoding")
    if request.accept_encodings["gzip"] <= 0:
        return response
    body = response.get_data()
    if len(body) < MIN_BYTES:
        return response
    response.set_data(gzip.compress(body, compresslevel=LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag and not weak:  # other bytes, the same meaning: what a weak validator says
        response.set_etag(etag, weak=True)
    return response


def register_compression(app: Flask) -> None:
    app.after_request(_compress)
