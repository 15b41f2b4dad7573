"""Receiving an evidence file: streamed to storage, hashed, and checked by its content.

The type is decided from the bytes, not trusted from the name: a file is accepted only when its
content is one of the document kinds councils keep as evidence and matches its extension, so an
executable renamed `.pdf` is refused. A refused or failed upload leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from tracker.evidence.storage import Storage
from tracker.rules import RuleRefused
from tracker.streams import blocks_within

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# extension -> (content type, what people call it)
KINDS: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "PDF"),
    "doc": ("application/msword", "Word document"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word document",
    ),
    "xls": ("application/vnd.ms-excel", "Excel spreadsheet"),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel spreadsheet",
    ),
    "ppt": ("application/vnd.ms-powerpoint", "PowerPoint presentation"),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "PowerPoint presentation",
    ),
    "odt": ("application/vnd.oasis.opendocument.text", "OpenDocument text"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", "OpenDocument spreadsheet"),
    "odp": ("application/vnd.oasis.opendocument.presentation", "OpenDocument presentation"),
    "png": ("image/png", "PNG image"),
    "jpg": ("image/jpeg", "JPEG image"),
    "jpeg": ("image/jpeg", "JPEG image"),
    "gif": ("image/gif", "GIF image"),
    "csv": ("text/csv", "CSV file"),
    "txt": ("text/plain", "text file"),
    "eml": ("message/rfc822", "e-mail"),
    "msg": ("application/vnd.ms-outlook", "Outlook e-mail"),
}
ACCEPTED_LIST = "PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG, GIF, CSV, text or e-mail"
OOXML_FOLDER = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
MAX_NAME = 200  # characters of a cleaned name, extension included
MAX_EXTENSION = 16  # longer is no file type: the name is refused as having none
_NOT_IN_NAME = re.compile(r"[^\w.\-]")  # \w: letters and digits of any script, and "_"


@dataclass(frozen=True)
class StoredFile:
    key: str
    original_name: str
    size_bytes: int
    content_type: str
    sha256: str


def clean_name(name: str) -> str:
    """A file name safe to show and to offer back on download: no folders, no odd characters.

    Letters of any alphabet are kept ("Siân_Ó_Briain_Œuvre.docx"): the name is only shown and
    offered back (RFC 6266 `filename*` on download), never used as a path, which is a random key.
    Spaces become underscores; anything but letters, digits, "_", "." and "-" goes (path
    separators, quotes, control and invisible characters). A long name is shortened before its
    extension, which is kept.
    """
    words = unicodedata.normalize("NFC", name or "").replace("\\", " ").replace("/", " ").split()
    cleaned = _NOT_IN_NAME.sub("", "_".join(words)).strip("._")
    stem, dot, ext = cleaned.rpartition(".")
    if not dot or not stem or not 0 < len(ext) <= MAX_EXTENSION:
        return ""
    return f"{stem[: MAX_NAME - len(ext) - 1].rstrip('._')}.{ext}"


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start < len(head) - 4:
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                return False
    return True


def _zip_matches(handle: BinaryIO, ext: str) -> bool:
    try:
        with zipfile.ZipFile(handle) as archive:
            names = set(archive.namelist())
            if ext in OOXML_FOLDER:
                return "[Content_Types].xml" in names and any(
                    n.startswith(OOXML_FOLDER[ext]) for n in names
                )
            if "mimetype" not in names:
                return False
            return archive.read("mimetype").decode("ascii", "replace").strip() == KINDS[ext][0]
    except (zipfile.BadZipFile, OSError, KeyError):
        return False


def content_matches(handle: BinaryIO, ext: str) -> bool:
    """Whether the bytes are really a file of kind `ext` (the handle is rewound first)."""
    handle.seek(0)
    head = handle.read(65536)
    handle.seek(0)
    if ext == "pdf":
        return head.startswith(b"%PDF-")
    if ext == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext == "gif":
        return head.startswith((b"GIF87a", b"GIF89a"))
    if ext in ("doc", "xls", "ppt", "msg"):
        return head.startswith(OLE2)
    if ext in ("docx", "xlsx", "pptx", "odt", "ods", "odp"):
        return head.startswith(b"PK\x03\x04") and _zip_matches(handle, ext)
    if ext in ("csv", "txt", "eml"):
        return _is_text(head)
    return False


def _refused(message: str) -> RuleRefused:
    """Why a file was refused, in words for the person who chose it, beside the file field."""
    return RuleRefused(message, field="file")


def _too_large(max_bytes: int) -> RuleRefused:
    return _refused(f"The selected file must be smaller than {max_bytes // (1024 * 1024)} MB")


def naming(filename: str, message: str) -> str:
    """The refusal of one of several files chosen together, naming the file it is about."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1] or "(no name)"
    start = "The selected file"
    if message.startswith(start):
        return f"The file {name}{message[len(start) :]}"
    return f"{name}: {message}"


class IncomingFile:
    """One file part of an upload request, written by Werkzeug's form parser straight into
    storage under its temporary name, measured and hashed as the parser writes it
    (tracker/uploads.py). `store_upload` then checks it and keeps it without copying a byte;
    if no view keeps it, the request's end discards it."""

    def __init__(self, store: Storage) -> None:
        self.store = store
        self.key = store.new_key()
        self.handle = store.open_incoming(self.key)
        self.digest = hashlib.sha256()
        self.size = 0
        self.kept = False

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.handle.write(data)

    def read(self, size: int = -1) -> bytes:
        return self.handle.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.handle.seek(offset, whence)

    def tell(self) -> int:
        return self.handle.tell()

    def close(self) -> None:
        self.handle.close()

    def keep(self) -> None:
        """Hand the file to the request's transaction: published at its commit, deleted if it
        is rolled back (tracker/evidence/storage.py)."""
        self.store.keep_when_committed(self.key)
        self.kept = True

    def discard(self) -> None:
        """Close the file, and delete it unless it was kept."""
        self.close()
        if not self.kept:
            self.store.delete(self.key)


def _accepted_name(filename: str) -> tuple[str, str]:
    """The cleaned name and its extension, or RuleRefused for a missing, odd or unknown type."""
    name = clean_name(filename)
    if not name:
        raise _refused("Select a file with a name that ends in its type, like report.pdf")
    ext = extension(name)
    if ext not in KINDS:
        raise _refused(f"The selected file must be a {ACCEPTED_LIST} file")
    return name, ext


def _check_written(handle: BinaryIO, size: int, ext: str) -> None:
    """Refuse a written file that is empty or whose content does not match its type."""
    if size == 0:
        raise _refused("The selected file is empty")
    handle.flush()
    if not content_matches(handle, ext):
        raise _refused(
            f"The selected file is not a real {KINDS[ext][1]}: its content does not match its name"
        )


def _stored(key: str, name: str, ext: str, size: int, sha256: str) -> StoredFile:
    return StoredFile(
        key=key, original_name=name, size_bytes=size, content_type=KINDS[ext][0], sha256=sha256
    )


def store_upload(stream: BinaryIO, filename: str, store: Storage, *, max_bytes: int) -> StoredFile:
    """The upload in storage, hashed, and checked by its name, size and content.

    An `IncomingFile` (an upload endpoint's file part, tracker/uploads.py) is already in
    storage and hashed: it is checked and kept where it is. Any other stream is copied in a
    chunk at a time, hashing as it goes.

    Raises RuleRefused (and removes anything written) for a missing or odd name, a type not
    accepted, an empty file, a file over `max_bytes`, or content that does not match the name.
    The file keeps a temporary name until the caller's database transaction commits
    (tracker/evidence/storage.py), so that no row ever points at a file still being written.
    """
    if isinstance(stream, IncomingFile):
        return _keep_incoming(stream, filename, max_bytes)
    name, ext = _accepted_name(filename)
    key = store.new_key()
    digest = hashlib.sha256()
    size = 0
    try:
        with store.open_writer(key) as out:
            for chunk in blocks_within(stream, max_bytes, lambda: _too_large(max_bytes)):
                size += len(chunk)
                digest.update(chunk)
                out.write(chunk)
            _check_written(out, size, ext)
    except BaseException:
        store.delete(key)
        raise
    return _stored(key, name, ext, size, digest.hexdigest())


def _keep_incoming(incoming: IncomingFile, filename: str, max_bytes: int) -> StoredFile:
    try:
        name, ext = _accepted_name(filename)
        if incoming.size > max_bytes:
            raise _too_large(max_bytes)
        _check_written(incoming.handle, incoming.size, ext)
    except BaseException:
        incoming.discard()
        raise
    incoming.keep()
    return _stored(incoming.key, name, ext, incoming.size, incoming.digest.hexdigest())
