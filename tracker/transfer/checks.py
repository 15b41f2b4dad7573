"""Checks on an export file before anything in it is believed: member names, sizes, the manifest.

Every member is read through `read_member`, which stops as soon as more than the upload limit
(MAX_UPLOAD_MB, the same limit as one uploaded evidence file) has come out of it. The size a
ZIP's header declares is the file author's word, so it is only used to refuse early, never to
decide that a member is small enough.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from flask import current_app

from tracker.rules import RuleRefused
from tracker.streams import blocks_within

FORMAT_NAME = "cse-tracker-project"
# Raise when the meaning of project.json changes; an installation refuses newer formats.
# Format 2 leaves out person.is_active_account and evidence_file.storage_key.
FORMAT_VERSION = 2
MANIFEST = "project.json"
FILES_FOLDER = "files/"


class TransferError(RuleRefused):
    """An export or import that cannot be done, refused whole: `message` says so and
    `problems` lists what is wrong (there is no form field to show them beside)."""

    def __init__(self, message: str, problems: list[str] | tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)

    def __str__(self) -> str:
        return "\n".join([self.message, *(f"- {p}" for p in self.problems)])


def refuse(*problems: str) -> TransferError:
    return TransferError("The file cannot be imported: nothing was imported", problems)


def member_limit() -> int:
    """The most bytes any one member of the ZIP may hold."""
    return int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024


def _too_large(name: str) -> TransferError:
    return refuse(f"{name} is larger than {current_app.config['MAX_UPLOAD_MB']} MB")


def read_member(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """The bytes of one member in blocks, stopping as soon as it passes the upload limit."""
    limit = member_limit()
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise _too_large(name)
    try:
        with archive.open(info) as stream:
            yield from blocks_within(stream, limit, lambda: _too_large(name))
    except TransferError:  # a ValueError too: already worded
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise refuse(f"{name} cannot be read from the ZIP ({error})") from None


def _unsafe(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        not name
        or "\\" in name
        or path.is_absolute()
        or ".." in path.parts
        or (len(name) > 1 and name[1] == ":")  # a Windows drive, C:
    )


def check_member_names(archive: zipfile.ZipFile) -> None:
    """Refuse a ZIP whose members would land outside the folder it is unpacked in (zip slip):
    the import never writes under these names, but no honest export holds one."""
    unsafe = [info.filename for info in archive.infolist() if _unsafe(info.filename)]
    if unsafe:
        raise refuse(*(f"The ZIP holds a member with an unsafe name: {n!r}" for n in unsafe[:5]))


def read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    """project.json, read with the size limit before it is parsed, and its format checked."""
    if MANIFEST not in archive.namelist():
        raise TransferError(f"The file is not a project export: it has no {MANIFEST}")
    body = b"".join(read_member(archive, MANIFEST))
    try:
        manifest = json.loads(body)
    except ValueError as error:
        raise TransferError(f"The file's {MANIFEST} cannot be read ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise TransferError("The file is not a CSE Tracker project export")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise TransferError("The file does not say which version of the export format it uses")
    if version > FORMAT_VERSION:
        raise TransferError(
            f"The file was exported by a newer version of the tracker (format {version}); "
            f"this installation reads format {FORMAT_VERSION} or older. "
            "Update the tracker, then import the file again."
        )
    return manifest


def duplicate_keys(keys: list[Any]) -> list[Any]:
    """The keys that appear more than once, in the order they first repeat."""
    seen: set[Any] = set()
    repeated: list[Any] = []
    for key in keys:
        if key in seen and key not in repeated:
            repeated.append(key)
        seen.add(key)
    return repeated
