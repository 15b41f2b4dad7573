"""Reading an export file: its tables decoded to Python values and every check on them made
before anything is written (the ZIP itself is checked in checks.py, the standard in shared.py)."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, TypeDecorator, select

from tracker.auth.models import normalise_email
from tracker.extensions import db
from tracker.transfer.checks import (
    TransferError,
    check_member_names,
    duplicate_keys,
    read_manifest,
    read_member,
    refuse,
)
from tracker.transfer.columns import DROPPED_SINCE_FORMAT_1, exported_columns
from tracker.transfer.layout import PROJECT, id_column, layout
from tracker.transfer.shared import match_people, match_standard

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")


def _decoder(table: Table, name: str) -> Callable[[Any], Any]:
    column_type = table.c[name].type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    try:
        python_type = column_type.python_type
    except NotImplementedError:
        return lambda value: value
    if python_type is dt.datetime:
        return dt.datetime.fromisoformat
    if python_type is dt.date:
        return dt.date.fromisoformat
    if python_type is Decimal:
        return Decimal
    if isinstance(python_type, type) and issubclass(python_type, enum.Enum):
        return python_type
    return lambda value: value


@dataclass
class Archive:
    """A checked export file: its manifest, rows decoded to Python values, its ZIP, and the
    rows this installation already has ({table: {id in the file: id here}})."""

    zip: zipfile.ZipFile
    manifest: dict[str, Any]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    shared: dict[str, dict[Any, Any]] = field(default_factory=dict)

    @property
    def project(self) -> dict[str, Any]:
        return self.rows[PROJECT][0]

    @property
    def files(self) -> dict[int, dict[str, Any]]:
        """The manifest's well-formed file entries by evidence file id (others are ignored, and
        an evidence file without one is then refused as missing)."""
        entries = self.manifest.get("files")
        return {
            e["evidence_file_id"]: e
            for e in (entries if isinstance(entries, list) else [])
            if isinstance(e, dict)
            and isinstance(e.get("evidence_file_id"), int)
            and isinstance(e.get("path"), str)
        }


def _file_columns(name: str, columns: list[Any], version: int, problems: list[str]) -> bool:
    """Whether the file's columns of one table are exactly those an export writes."""
    allowed = exported_columns(name)
    dropped = DROPPED_SINCE_FORMAT_1.get(name, frozenset()) if version == 1 else frozenset()
    unknown = [str(c) for c in columns if c not in allowed and c not in dropped]
    if unknown:
        problems.append(f"The {name} table has columns an export never holds: {', '.join(unknown)}")
        return False
    absent = [c for c in allowed if c not in columns]
    if absent or len(set(columns)) != len(columns):
        problems.append(f"The {name} table is missing the columns {', '.join(absent)}")
        return False
    return True


def _key_columns(table: Table) -> list[str]:
    """The columns holding ids: its own and those of the rows it refers to."""
    return [c.name for c in table.primary_key.columns] + [
        fk.parent.name for fk in table.foreign_keys
    ]


def _decode_rows(table: Table, columns: list[str], body: list[Any]) -> list[dict[str, Any]]:
    decoders = [_decoder(table, c) if c in table.c else None for c in columns]
    keys = _key_columns(table)
    rows: list[dict[str, Any]] = []
    for values in body:
        if not isinstance(values, list) or len(values) != len(columns):
            raise ValueError("a row has the wrong number of values")
        row = {
            column: None if value is None else decode(value)
            for column, decode, value in zip(columns, decoders, values, strict=True)
            if decode is not None  # a column an older format held and this one sets aside
        }
        for key in keys:
            if not (row[key] is None or (isinstance(row[key], int) and row[key] is not True)):
                raise ValueError(f"{key} must be a whole number, not {row[key]!r}")
        rows.append(row)
    return rows


def _decode_table(
    table: Table, content: Any, version: int, problems: list[str]
) -> list[dict[str, Any]] | None:
    name = table.name
    columns = content.get("columns") if isinstance(content, dict) else None
    body = content.get("rows") if isinstance(content, dict) else None
    if not isinstance(columns, list) or not isinstance(body, list):
        problems.append(f"The {name} table in the file is damaged")
        return None
    if not all(isinstance(c, str) for c in columns) or not _file_columns(
        name, columns, version, problems
    ):
        return None
    try:
        rows = _decode_rows(table, columns, body)
    except (TypeError, ValueError) as error:
        problems.append(f"The {name} table has a value that cannot be read ({error})")
        return None
    primary_key = [c.name for c in table.primary_key.columns]
    repeated = duplicate_keys([tuple(r[c] for c in primary_key) for r in rows])
    if repeated:
        listed = ", ".join(str(k[0] if len(k) == 1 else k) for k in repeated[:5])
        problems.append(f"The {name} table holds the same row more than once ({listed})")
    return rows


def _decode_tables(manifest: dict[str, Any], problems: list[str]) -> dict[str, list[dict]]:
    """The file's rows as Python values. Unknown tables or columns, missing parts and repeated
    rows are added to `problems`."""
    expected = {t.name: t for t in layout().tables}
    tables = manifest.get("tables")
    if not isinstance(tables, dict):
        problems.append("The file has no tables")
        return {}
    for name in tables:
        if name not in expected:
            problems.append(f"The file holds a table this version does not know: {name}")
    # The export writes every table, even an empty one: a table left out is a part lost (a
    # risk log missing from the file would otherwise import as a project without risks).
    missing = [name for name in expected if name not in tables]
    if missing:
        problems.append(f"The file is missing the tables {', '.join(sorted(missing))}")
    decoded: dict[str, list[dict[str, Any]]] = {}
    for name, table in expected.items():
        if name in tables:
            rows = _decode_table(table, tables[name], manifest["format_version"], problems)
            if rows is not None:
                decoded[name] = rows
    if PROJECT in decoded and len(decoded[PROJECT]) != 1:
        problems.append("The file must hold exactly one project")
    addresses = [normalise_email(p["email"]) for p in decoded.get("person", []) if p.get("email")]
    for address in duplicate_keys(addresses)[:5]:
        problems.append(f"The file has more than one person with the address {address}")
    return decoded


def _check_references(rows: dict[str, list[dict[str, Any]]], problems: list[str]) -> None:
    """Every reference in the file points at a row that is also in the file."""
    ids: dict[str, set[Any]] = {}
    for name, table_rows in rows.items():
        own = id_column(db.metadata.tables[name])
        if own:
            ids[name] = {r[own] for r in table_rows}
    for name, table_rows in rows.items():
        for fk in db.metadata.tables[name].foreign_keys:
            target = fk.column.table.name
            column = fk.parent.name
            dangling = {
                r[column]
                for r in table_rows
                if r.get(column) is not None and r[column] not in ids.get(target, set())
            }
            if dangling:
                sample = ", ".join(str(v) for v in sorted(dangling)[:5])
                problems.append(
                    f"{name}.{column} refers to {target} rows missing from the file ({sample})"
                )


def _check_files(archive: Archive, problems: list[str]) -> None:
    """Every evidence file is in the ZIP, within the upload limit, with its size and checksum."""
    names = set(archive.zip.namelist())
    for row in archive.rows.get("evidence_file", []):
        entry = archive.files.get(row["id"])
        label = f"{row['original_name']} (evidence file {row['id']})"
        if entry is None or entry["path"] not in names:
            problems.append(f"The evidence file {label} is missing from the export")
            continue
        digest, size = hashlib.sha256(), 0
        try:
            for block in read_member(archive.zip, entry["path"]):
                digest.update(block)
                size += len(block)
        except TransferError as error:
            problems += [f"The evidence file {label}: {p}" for p in error.problems]
            continue
        if size != row["size_bytes"] or digest.hexdigest() != row["sha256"]:
            problems.append(f"The evidence file {label} does not match its checksum")


def read_archive(archive: zipfile.ZipFile, *, slug: str | None = None) -> Archive:
    """Check a whole export file before anything is written; raise TransferError if it is not
    one this installation can import as a new project."""
    check_member_names(archive)
    manifest = read_manifest(archive)
    problems: list[str] = []
    checked = Archive(zip=archive, manifest=manifest)
    checked.rows = _decode_tables(manifest, problems)
    if problems:
        raise refuse(*problems)
    _check_references(checked.rows, problems)
    _check_files(checked, problems)
    new_slug = slug or checked.project["slug"]
    if not isinstance(new_slug, str) or not SLUG.fullmatch(new_slug):
        problems.append(
            "The project's address must be 1 to 60 lower-case letters, digits and hyphens"
        )
    projects = db.metadata.tables[PROJECT]
    if db.session.execute(select(projects.c.id).where(projects.c.slug == new_slug)).first():
        problems.append(
            f"A project with the address {new_slug!r} already exists: "
            "import it under another address"
        )
    if problems:
        raise refuse(*problems)
    checked.shared = {"person": match_people(checked.rows["person"])}
    checked.shared |= match_standard(checked.rows) or {}
    return checked
