"""Where evidence files live: one small interface, a local folder by default.

Views and services only ever call `storage()`; an object store can be added as another
`Storage` without touching them. Files are kept under random names outside `static/`, so they
can only be reached through the download view and its permission check.

A file is written under a temporary name (`<key>.part`) and takes its real name only when the
database transaction that records it commits; if that transaction is rolled back, or ends
without committing, the temporary file is removed. So a row never points at a half-written
file, and a failed upload leaves nothing. Only a process killed mid-upload can leave a `.part`
behind: `flask storage-orphans` (tracker/evidence/orphans.py) finds and removes those.

Deleting works the other way round: a file whose row is removed is deleted only once that
removal commits (`delete_when_committed`), and stays if it is rolled back.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from tracker.extensions import db

PENDING_SUFFIX = ".part"
_PENDING = "tracker.storage.pending"  # key of Session.info: (store, key) awaiting the commit
_DOOMED = "tracker.storage.doomed"  # key of Session.info: (store, key) to delete at the commit


@dataclass(frozen=True)
class Entry:
    """One file in storage, as `flask storage-orphans` reports it."""

    name: str
    key: str
    pending: bool  # still under its temporary name
    size_bytes: int
    modified: dt.datetime  # UTC


class Storage(Protocol):
    def new_key(self) -> str: ...
    def open_writer(self, key: str) -> BinaryIO: ...
    def open_incoming(self, key: str) -> BinaryIO: ...
    def keep_when_committed(self, key: str) -> None: ...
    def publish(self, key: str) -> None: ...
    def open_reader(self, key: str) -> BinaryIO: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...
    def entries(self) -> Iterator[Entry]: ...
    def remove_entry(self, entry: Entry) -> None: ...


class LocalStorage:
    """Files in one folder, each under a random 32-character name."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        if not key.isalnum():  # keys are ours; anything else is a forged or broken row
            raise ValueError(f"Not a storage key: {key!r}")
        return self.folder / key

    def _pending_path(self, key: str) -> Path:
        return self._path(key).with_name(key + PENDING_SUFFIX)

    def new_key(self) -> str:
        return secrets.token_hex(16)

    def open_writer(self, key: str) -> BinaryIO:
        """A new file under its temporary name, open for writing and reading back; it is
        published when the current database transaction commits (see the module's docstring)."""
        handle = self.open_incoming(key)
        self.keep_when_committed(key)
        return handle

    def open_incoming(self, key: str) -> BinaryIO:
        """A new file under its temporary name, open for writing and reading back, that no
        transaction owns yet: an upload being received (tracker/uploads.py). Its receiver
        either calls `keep_when_committed` or deletes it. Being in the storage's own folder,
        keeping it is a rename, never a copy (an object store would upload it at `publish`)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        return open(self._pending_path(key), "xb+")  # noqa: SIM115 - the caller closes it

    def keep_when_committed(self, key: str) -> None:
        """Publish the pending file `key` when the current database transaction commits; it is
        deleted if the transaction ends without committing."""
        session = db.session()
        if not session.in_transaction():  # so that a rollback or close still ends one
            session.begin()
        session.info.setdefault(_PENDING, []).append((self, key))

    def publish(self, key: str) -> None:
        """Give a written file its real name (an atomic rename within the folder)."""
        os.replace(self._pending_path(key), self._path(key))

    def open_reader(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb")  # noqa: SIM115 - the caller closes it

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
        self._pending_path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def entries(self) -> Iterator[Entry]:
        """Every file that has the name of a stored or pending file; anything else is left be."""
        if not self.folder.is_dir():
            return
        for path in sorted(self.folder.iterdir()):
            key = path.name.removesuffix(PENDING_SUFFIX)
            if not key.isalnum() or not path.is_file():
                continue
            stat = path.stat()
            yield Entry(
                name=path.name,
                key=key,
                pending=path.name != key,
                size_bytes=stat.st_size,
                modified=dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC),
            )

    def remove_entry(self, entry: Entry) -> None:
        """Delete exactly that file: the pending one, or the one under the real name."""
        path = self._pending_path(entry.key) if entry.pending else self._path(entry.key)
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_commit")
def _publish_written_files(session: Session) -> None:
    for store, key in session.info.pop(_PENDING, []):
        try:
            store.publish(key)
        except OSError:  # the row is committed: `flask storage-orphans` can finish the rename
            current_app.logger.exception("Could not publish stored file %s", key)


@event.listens_for(Session, "after_commit")
def _delete_dropped_files(session: Session) -> None:
    for store, key in session.info.pop(_DOOMED, []):
        store.delete(key)


@event.listens_for(Session, "after_transaction_end")
def _remove_unpublished_files(session: Session, transaction: SessionTransaction) -> None:
    """The outermost transaction ended without a commit (rolled back, or closed): the files
    written during it have no row, so they go, and the files it meant to delete stay."""
    if transaction.parent is not None:
        return
    for store, key in session.info.pop(_PENDING, []):
        store.delete(key)
    session.info.pop(_DOOMED, None)


def delete_when_committed(store: Storage, keys: list[str]) -> None:
    """Delete these files once the current database transaction commits (the request's, see
    tracker/transactions.py): only then does no record point at them. If it is rolled back
    instead, they stay."""
    session = db.session()
    if not session.in_transaction():
        session.begin()
    session.info.setdefault(_DOOMED, []).extend((store, key) for key in keys)


def storage() -> Storage:
    return LocalStorage(current_app.config["UPLOAD_FOLDER"])
