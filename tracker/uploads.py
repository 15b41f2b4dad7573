"""Uploads written once: the file parts of a request to an upload endpoint go straight to storage.

Werkzeug's form parser asks its request for somewhere to write each file part of a multipart
body (`Request._get_file_stream`, its "stream factory"). By default that is a spooled temporary
file under TMPDIR, which the tracker then copied into storage: every upload written twice. For
the endpoints an area names with `stream_uploads`, `UploadRequest` asks the area instead, which
hands back a file already inside its storage (tracker/evidence/files.py, `IncomingFile`) that
hashes the bytes as the parser writes them. Keeping the file is then an atomic rename.

Every other request, and every other form, parses as Werkzeug always did.

A streamed file the view does not keep (a refused upload, an error, a client that went away
mid-body) is discarded when the request closes, so nothing is left in storage or in TMPDIR.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import IO, Protocol

from flask import Flask, current_app
from flask.wrappers import Request

_OPENERS = "tracker.uploads.openers"  # key of app.extensions: endpoint -> opener


class Incoming(Protocol):
    """A file part being received: written and read back like a file, and `discard()`ed when
    the request ends (which leaves alone a file the view has kept)."""

    def write(self, data: bytes) -> int: ...
    def read(self, size: int = -1) -> bytes: ...
    def seek(self, offset: int, whence: int = 0) -> int: ...
    def close(self) -> None: ...
    def discard(self) -> None: ...


def stream_uploads(app: Flask, endpoints: Iterable[str], opener: Callable[[], Incoming]) -> None:
    """Have the file parts of requests to `endpoints` written where `opener()` says."""
    openers: dict[str, Callable[[], Incoming]] = app.extensions.setdefault(_OPENERS, {})
    for endpoint in endpoints:
        openers[endpoint] = opener


class UploadRequest(Request):
    """Flask's request, with file parts streamed to storage on the endpoints that ask for it."""

    _incoming: list[Incoming] | None = None

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        # The URL is matched when the request context is pushed, before any view or
        # before_request handler (CSRF) reads the form, so `endpoint` is known here.
        opener = current_app.extensions.get(_OPENERS, {}).get(self.endpoint or "")
        if opener is None:
            return super()._get_file_stream(
                total_content_length, content_type, filename, content_length
            )
        incoming = opener()
        if self._incoming is None:
            self._incoming = []
        self._incoming.append(incoming)
        return incoming  # type: ignore[return-value] - it reads, writes and seeks like a file

    def close(self) -> None:
        """Close the request's files, and discard the streamed ones no view kept."""
        try:
            super().close()
        finally:
            for incoming in self._incoming or []:
                incoming.discard()
            self._incoming = None
