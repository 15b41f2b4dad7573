"""Where evidence files live: one small interface, a local folder by default.

Views and services only ever call `storage()`; an object store can be added as another
`Storage` without touching them. Files are kept under random names outside `static/`, so they
can only be reached through the download view and its permission check.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app

CHUNK = 1024 * 1024


class Storage(Protocol):
    def new_key(self) -> str: ...
    def open_writer(self, key: str) -> BinaryIO: ...
    def open_reader(self, key: str) -> BinaryIO: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...


class LocalStorage:
    """Files in one folder, each under a random 32-character name."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        if not key.isalnum():  # keys are ours; anything else is a forged or broken row
            raise ValueError(f"Not a storage key: {key!r}")
        return self.folder / key

    def new_key(self) -> str:
        return secrets.token_hex(16)

    def open_writer(self, key: str) -> BinaryIO:
        self.folder.mkdir(parents=True, exist_ok=True)
        return open(self._path(key), "xb")  # noqa: SIM115 - the caller closes it

    def open_reader(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb")  # noqa: SIM115 - the caller closes it

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


def storage() -> Storage:
    return LocalStorage(current_app.config["UPLOAD_FOLDER"])


def read_chunks(key: str) -> Iterator[bytes]:
    """The stored file's bytes, a chunk at a time (for streaming a download)."""
    with storage().open_reader(key) as handle:
        while chunk := handle.read(CHUNK):
            yield chunk
