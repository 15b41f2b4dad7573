"""Whole-project export and import, worked out from the SQLAlchemy metadata.

An export is one ZIP: `project.json` (a format version, then every table's rows) and
`files/<id>`, the bytes of each evidence file. What goes in is found from the foreign keys, so a
table added later is carried without anyone remembering to list it:

- the project's own tables: `project` and every table that refers (directly or through another
  of them) to it;
- the shared tables it uses: the people its rows name (without password hashes or site
  administrator rights, which belong to an installation) and the standard with its criteria,
  sub-criteria, elements and guidance;
- the project's audit trail (`audit_event` rows of the project), so that its history moves too.

An import checks everything first (format version, tables and columns this installation knows,
every reference inside the file, every evidence file present with its checksum, the project's
address free) and refuses with a clear message before writing anything. It then inserts every
row in one transaction with new ids (people are matched by email address and the standard by
name and version, so an installation that has them already keeps one copy), writes the evidence
files under new storage names, and commits; on any failure the transaction is rolled back and
the files written so far are removed. The import itself is recorded as one audit event by the
actor "import"; the rows it inserts do not each add an event (they carry their own history).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import re
import shutil
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from alembic.migration import MigrationContext
from flask import current_app
from sqlalchemy import (
    ColumnElement,
    Integer,
    Table,
    TypeDecorator,
    UniqueConstraint,
    insert,
    or_,
    select,
    update,
)

from tracker.database import utcnow
from tracker.evidence.storage import storage
from tracker.extensions import db

FORMAT_NAME = "cse-tracker-project"
# Raise when the meaning of project.json changes; an installation refuses newer formats.
FORMAT_VERSION = 1
MANIFEST = "project.json"
FILES_FOLDER = "files/"
MAX_MANIFEST_BYTES = 500 * 1024 * 1024
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")

PROJECT = "project"
# Tables shared between projects: matched on import rather than duplicated.
SHARED_ROOTS = ("person", "standard")
HISTORY = "audit_event"
# Tables that are not part of a project (sign-in attempts, personal API tokens) and so never
# exported. A new table the project's rows cannot reach must be added here or made reachable:
# tests/test_project_transfer.py fails until then.
NOT_EXPORTED = frozenset({"login_attempt", "api_token"})
# Columns that belong to an installation rather than to a project.
PRIVATE_COLUMNS: dict[str, frozenset[str]] = {"person": frozenset({"password_hash", "is_admin"})}
# Ids kept inside JSON columns: plan_baseline.items name the task, milestone or stage they copy.
_JSON_ID_KINDS = {"task": "task", "milestone": "milestone", "stage": "stage"}


class TransferError(Exception):
    """An export or import that cannot be done; `problems` lists what is wrong."""

    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems)

    def __str__(self) -> str:
        return "\n".join([self.message, *(f"- {p}" for p in self.problems)])


# The shape of a project, from the metadata -------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """Which tables an export holds, in an order where every table follows those it refers to."""

    owned: tuple[Table, ...]
    standard: tuple[Table, ...]
    person: Table
    history: Table

    @property
    def tables(self) -> tuple[Table, ...]:
        names = {t.name for t in (*self.owned, *self.standard, self.person, self.history)}
        return tuple(t for t in db.metadata.sorted_tables if t.name in names)


def _grow(start: set[str], joins: Callable[[Table, set[str]], bool]) -> set[str]:
    found = set(start)
    changed = True
    while changed:
        changed = False
        for table in db.metadata.sorted_tables:
            if table.name not in found and joins(table, found):
                found.add(table.name)
                changed = True
    return found


def _refers_to(table: Table, names: set[str]) -> bool:
    return any(fk.column.table.name in names for fk in table.foreign_keys)


def layout() -> Layout:
    """The project's own tables, the standard's tables, people and the audit trail."""
    owned = _grow({PROJECT}, _refers_to)
    standard = _grow({"standard"}, lambda t, found: t.name not in owned and _refers_to(t, found))
    known = owned | standard | {"person", HISTORY}
    for name in owned | standard:
        for fk in db.metadata.tables[name].foreign_keys:
            if fk.column.table.name not in known:
                raise RuntimeError(f"{name} refers to {fk.column.table.name}, outside the export")
    sorted_tables = db.metadata.sorted_tables
    return Layout(
        owned=tuple(t for t in sorted_tables if t.name in owned),
        standard=tuple(t for t in sorted_tables if t.name in standard),
        person=db.metadata.tables["person"],
        history=db.metadata.tables[HISTORY],
    )


def unexported_tables() -> set[str]:
    """Tables an export leaves out: should be exactly NOT_EXPORTED."""
    plan = layout()
    return set(db.metadata.tables) - {t.name for t in plan.tables}


def _id_column(table: Table) -> str | None:
    columns = list(table.primary_key.columns)
    if len(columns) == 1 and isinstance(columns[0].type, Integer):
        return columns[0].name
    return None


def _columns(table: Table) -> list[str]:
    private = PRIVATE_COLUMNS.get(table.name, frozenset())
    return [c.name for c in table.columns if c.name not in private]


# Values to and from JSON -------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):  # dates and datetimes (aware ones keep their offset)
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


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


# Export ------------------------------------------------------------------------------------


def _row_conditions(plan: Layout, project_id: int) -> dict[str, ColumnElement[bool]]:
    """For each exported table but people and history: which of its rows belong to the project."""
    tables = db.metadata.tables
    conditions: dict[str, ColumnElement[bool]] = {PROJECT: tables[PROJECT].c.id == project_id}
    conditions["standard"] = tables["standard"].c.id.in_(
        select(tables[PROJECT].c.standard_id).where(tables[PROJECT].c.id == project_id)
    )
    for group in (plan.owned, plan.standard):
        names = {t.name for t in group}
        for table in group:
            if table.name in conditions:
                continue
            parents = [
                fk
                for fk in table.foreign_keys
                if fk.column.table.name in names and fk.column.table is not table
            ]
            direct = [fk for fk in parents if fk.column.table.name == PROJECT]
            conditions[table.name] = or_(
                *(
                    fk.parent.in_(select(fk.column).where(conditions[fk.column.table.name]))
                    for fk in direct or parents
                )
            )
    return conditions


def _select_rows(table: Table, condition: ColumnElement[bool]) -> list[dict[str, Any]]:
    order = list(table.primary_key.columns) or list(table.columns)
    result = db.session.execute(select(table).where(condition).order_by(*order))
    return [dict(row) for row in result.mappings()]


def _chunks(values: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def gather(project_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every exported row of the project, by table, as database values (a fixed set of queries)."""
    plan = layout()
    conditions = _row_conditions(plan, project_id)
    rows: dict[str, list[dict[str, Any]]] = {}
    for table in (*plan.standard, *plan.owned):
        rows[table.name] = _select_rows(table, conditions[table.name])
    history = plan.history
    rows[HISTORY] = _select_rows(history, history.c.project_id == project_id)
    people: set[int] = set()
    for table in (*plan.owned, history):
        for fk in table.foreign_keys:
            if fk.column.table.name == "person":
                people.update(r[fk.parent.name] for r in rows[table.name] if r[fk.parent.name])
    rows["person"] = []
    for chunk in _chunks(sorted(people)):
        rows["person"] += _select_rows(plan.person, plan.person.c.id.in_(chunk))
    return rows


def _schema_revision() -> str | None:
    context = MigrationContext.configure(db.session.connection())
    return context.get_current_revision()


def export_project(project_id: int, destination: IO[bytes] | Path) -> dict[str, int]:
    """Write the project as a ZIP to `destination`; returns the number of rows per table."""
    rows = gather(project_id)
    plan = layout()
    tables: dict[str, Any] = {}
    for table in plan.tables:
        columns = _columns(table)
        tables[table.name] = {
            "columns": columns,
            "rows": [[_encode(row[c]) for c in columns] for row in rows[table.name]],
        }
    files = []
    missing = []
    for row in rows.get("evidence_file", []):
        if not storage().exists(row["storage_key"]):
            missing.append(f"{row['original_name']} (evidence file {row['id']})")
        files.append(
            {
                "path": f"{FILES_FOLDER}{row['id']}",
                "evidence_file_id": row["id"],
                "sha256": row["sha256"],
                "size_bytes": row["size_bytes"],
            }
        )
    if missing:
        raise TransferError("Some evidence files are missing from storage", missing)
    project = rows[PROJECT][0]
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "exported_at": utcnow().isoformat(),
        "schema_revision": _schema_revision(),
        "project": {"slug": project["slug"], "name": project["name"]},
        "tables": tables,
        "files": files,
    }
    with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, separators=(",", ":")))
        for entry, row in zip(files, rows.get("evidence_file", []), strict=True):
            with (
                storage().open_reader(row["storage_key"]) as source,
                archive.open(entry["path"], "w", force_zip64=True) as target,
            ):
                shutil.copyfileobj(source, target, 1024 * 1024)
    return {name: len(table["rows"]) for name, table in tables.items()}


# Import: checking ---------------------------------------------------------------------------


@dataclass
class Archive:
    """A checked export file: its manifest, rows decoded to Python values, and its ZIP."""

    zip: zipfile.ZipFile
    manifest: dict[str, Any]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def project(self) -> dict[str, Any]:
        return self.rows[PROJECT][0]


def _read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        info = archive.getinfo(MANIFEST)
    except KeyError:
        raise TransferError(f"The file is not a project export: it has no {MANIFEST}") from None
    if info.file_size > MAX_MANIFEST_BYTES:
        raise TransferError(f"The file's {MANIFEST} is too large to be a project export")
    try:
        manifest = json.loads(archive.read(info))
    except (ValueError, zipfile.BadZipFile, OSError) as error:
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


def _decode_tables(manifest: dict[str, Any], problems: list[str]) -> dict[str, list[dict]]:
    """The file's rows as Python values. Unknown tables or columns, and missing parts, are
    added to `problems`."""
    plan = layout()
    expected = {t.name: t for t in plan.tables}
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
        if name not in tables:
            continue
        content = tables[name]
        columns = content.get("columns") if isinstance(content, dict) else None
        body = content.get("rows") if isinstance(content, dict) else None
        if not isinstance(columns, list) or not isinstance(body, list):
            problems.append(f"The {name} table in the file is damaged")
            continue
        unknown = [c for c in columns if c not in table.c]
        if unknown:
            problems.append(f"The {name} table has columns this version does not know: {unknown}")
            continue
        absent = [
            c.name
            for c in table.columns
            if c.name not in columns
            and not c.nullable
            and c.default is None
            and c.server_default is None
            and not (c.primary_key and c.autoincrement)
            and c.name not in PRIVATE_COLUMNS.get(name, ())
        ]
        if absent:
            problems.append(f"The {name} table is missing the columns {absent}")
            continue
        decoders = [_decoder(table, c) for c in columns]
        rows: list[dict[str, Any]] = []
        try:
            for values in body:
                if len(values) != len(columns):
                    raise ValueError("a row has the wrong number of values")
                rows.append(
                    {
                        column: None if value is None else decode(value)
                        for column, decode, value in zip(columns, decoders, values, strict=True)
                    }
                )
        except (TypeError, ValueError) as error:
            problems.append(f"The {name} table has a value that cannot be read ({error})")
            continue
        decoded[name] = rows
    if PROJECT in decoded and len(decoded[PROJECT]) != 1:
        problems.append("The file must hold exactly one project")
    return decoded


def _check_references(rows: dict[str, list[dict[str, Any]]], problems: list[str]) -> None:
    """Every reference in the file points at a row that is also in the file."""
    ids: dict[str, set[Any]] = {}
    for name, table_rows in rows.items():
        id_column = _id_column(db.metadata.tables[name])
        if id_column:
            ids[name] = {r[id_column] for r in table_rows}
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


def _hash(archive: zipfile.ZipFile, path: str) -> str:
    digest = hashlib.sha256()
    with archive.open(path) as stream:
        for block in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_files(archive: Archive, problems: list[str]) -> None:
    entries = {e.get("evidence_file_id"): e for e in archive.manifest.get("files") or []}
    names = set(archive.zip.namelist())
    for row in archive.rows.get("evidence_file", []):
        entry = entries.get(row["id"])
        label = f"{row['original_name']} (evidence file {row['id']})"
        if entry is None or entry.get("path") not in names:
            problems.append(f"The evidence file {label} is missing from the export")
            continue
        size = archive.zip.getinfo(entry["path"]).file_size
        if size != row["size_bytes"] or _hash(archive.zip, entry["path"]) != row["sha256"]:
            problems.append(f"The evidence file {label} does not match its checksum")


def read_archive(archive: zipfile.ZipFile, *, slug: str | None = None) -> Archive:
    """Check a whole export file before anything is written; raise TransferError if it is not
    one this installation can import as a new project."""
    manifest = _read_manifest(archive)
    problems: list[str] = []
    checked = Archive(zip=archive, manifest=manifest)
    checked.rows = _decode_tables(manifest, problems)
    if problems:
        raise TransferError("The file cannot be imported: nothing was imported", problems)
    _check_references(checked.rows, problems)
    _check_files(checked, problems)
    new_slug = slug or checked.project["slug"]
    if not SLUG.fullmatch(new_slug):
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
        raise TransferError("The file cannot be imported: nothing was imported", problems)
    return checked


# Import: writing ----------------------------------------------------------------------------


@dataclass
class ImportResult:
    project_id: int
    slug: str
    name: str
    rows: dict[str, int]
    files: int
    # table -> {id in the file: id here}
    ids: dict[str, dict[Any, Any]]


def _unique_keys(table: Table) -> list[tuple[str, ...]]:
    keys = [
        tuple(c.name for c in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    ]
    if keys:
        return keys
    skip = {"created_at", "updated_at"} | {c.name for c in table.primary_key.columns}
    return [tuple(c.name for c in table.columns if c.name not in skip)]


def _match_shared(table: Table, rows: list[dict[str, Any]], id_column: str) -> dict[Any, Any]:
    """Rows of a shared table (people, the standard) that this installation already has."""
    keys = _unique_keys(table)
    index: dict[tuple[str, ...], dict[tuple[Any, ...], Any]] = {key: {} for key in keys}
    for existing in db.session.execute(select(table)).mappings():
        for key in keys:
            index[key][tuple(existing[c] for c in key)] = existing[id_column]
    matched: dict[Any, Any] = {}
    for row in rows:
        for key in keys:
            values = tuple(row.get(c) for c in key)
            if None not in values and values in index[key]:
                matched[row[id_column]] = index[key][values]
                break
    return matched


def _remap_baseline_items(items: list[Any], ids: dict[str, dict[Any, Any]]) -> list[Any]:
    remapped = []
    for item in items or []:
        table = _JSON_ID_KINDS.get(item.get("kind")) if isinstance(item, dict) else None
        if table and item.get("id") in ids.get(table, {}):
            item = {**item, "id": ids[table][item["id"]]}
        remapped.append(item)
    return remapped


def _remap_json_ids(archive: Archive, ids: dict[str, dict[Any, Any]]) -> None:
    """Ids kept inside JSON columns, once every table has its new ids."""
    baselines = db.metadata.tables["plan_baseline"]
    for row in archive.rows.get("plan_baseline", []):
        if row.get("items"):
            items = _remap_baseline_items(row["items"], ids)
            _update(baselines, ids["plan_baseline"][row["id"]], {"items": items}, row)


def _update(table: Table, row_id: Any, values: dict[str, Any], original: dict[str, Any]) -> None:
    """Set values on an inserted row, keeping its original `updated_at` (not "now")."""
    if "updated_at" in table.c and original.get("updated_at") is not None:
        values = values | {"updated_at": original["updated_at"]}
    db.session.execute(update(table).where(table.primary_key.columns[0] == row_id).values(values))


def _insert(table: Table, rows: list[dict[str, Any]], id_column: str | None) -> list[Any]:
    if not rows:
        return []
    if id_column is None:
        db.session.execute(insert(table), rows)
        return []
    statement = insert(table).returning(table.c[id_column], sort_by_parameter_order=True)
    return list(db.session.execute(statement, rows).scalars())


def _write_rows(archive: Archive, slug: str | None) -> tuple[ImportResult, dict[str, str]]:
    """Insert every row with new ids. Returns the result and {zip path: new storage key}."""
    plan = layout()
    ids: dict[str, dict[Any, Any]] = {}
    # (table, row in the file, column, table it refers to): set once every row is in.
    deferred: list[tuple[Table, dict[str, Any], str, str]] = []
    files: dict[str, str] = {}
    paths = {e["evidence_file_id"]: e["path"] for e in archive.manifest.get("files") or []}
    counts: dict[str, int] = {}
    order = [t for t in plan.tables if t.name != HISTORY]
    position = {t.name: i for i, t in enumerate(order)}
    for table in order:
        id_column = _id_column(table)
        source = archive.rows.get(table.name, [])
        rows: list[dict[str, Any]] = []
        for original in source:
            row = dict(original)
            for fk in table.foreign_keys:
                column, target = fk.parent.name, fk.column.table.name
                if row.get(column) is None:
                    continue
                if position[target] >= position[table.name]:  # refers to itself or later
                    deferred.append((table, original, column, target))
                    row[column] = None
                else:
                    row[column] = ids[target][row[column]]
            if table.name == PROJECT and slug:
                row["slug"] = slug
            if table.name == "evidence_file":
                key = storage().new_key()
                files[paths[row["id"]]] = key
                row["storage_key"] = key
            rows.append(row)
        ids[table.name] = {}
        if table.name in SHARED_ROOTS or table in plan.standard:
            ids[table.name] = _match_shared(table, rows, id_column)
            rows = [r for r in rows if r[id_column] not in ids[table.name]]
        if id_column:
            old_ids = [r.pop(id_column) for r in rows]
            ids[table.name] |= dict(zip(old_ids, _insert(table, rows, id_column), strict=True))
        else:
            _insert(table, rows, None)
        counts[table.name] = len(source)
    for table, original, column, target in deferred:
        new_id = ids[table.name][original[_id_column(table)]]
        _update(table, new_id, {column: ids[target][original[column]]}, original)
    _remap_json_ids(archive, ids)
    project_id = ids[PROJECT][archive.project["id"]]
    counts[HISTORY] = _write_history(archive, ids, project_id)
    result = ImportResult(
        project_id=project_id,
        slug=slug or archive.project["slug"],
        name=archive.project["name"],
        rows=counts,
        files=len(files),
        ids=ids,
    )
    return result, files


def _write_history(archive: Archive, ids: dict[str, dict[Any, Any]], project_id: int) -> int:
    """The project's audit trail with its references moved to the new ids, and one event that
    records the import itself."""
    history = db.metadata.tables[HISTORY]
    rows = []
    for original in archive.rows.get(HISTORY, []):
        row = dict(original)
        row.pop("id")
        row["project_id"] = project_id
        row["actor_id"] = ids["person"].get(row.get("actor_id"))
        # A record deleted before the export has no new id: its events keep their labels.
        row["record_id"] = ids.get(row["table_name"], {}).get(row.get("record_id"))
        rows.append(row)
    manifest = archive.manifest
    rows.append(
        {
            "at": utcnow(),
            "actor_id": None,
            "actor_label": "import",
            "action": "create",
            "table_name": PROJECT,
            "record_id": project_id,
            "record_label": archive.project["name"],
            "project_id": project_id,
            "cause": (
                f"Imported from a project export made {manifest.get('exported_at', '')} "
                f"(format {manifest['format_version']})"
            ),
            "changes": {},
        }
    )
    _insert(history, rows, None)
    return len(rows) - 1


def _write_files(archive: Archive, files: dict[str, str], written: list[str]) -> None:
    store = storage()
    for path, key in files.items():
        with archive.zip.open(path) as source, store.open_writer(key) as out:
            written.append(key)
            shutil.copyfileobj(source, out, 1024 * 1024)


def import_project(source: IO[bytes] | Path, *, slug: str | None = None) -> ImportResult:
    """Import an export file as a new project, or raise TransferError and change nothing.

    Unlike other services this one commits: the rows and the evidence files must land together,
    so the files written are removed again if the commit fails.
    """
    try:
        archive_zip = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError):
        raise TransferError("The file is not a ZIP file: choose a project export") from None
    written: list[str] = []
    with archive_zip:
        archive = read_archive(archive_zip, slug=slug)
        try:
            result, files = _write_rows(archive, slug)
            db.session.flush()
            _write_files(archive, files, written)
            db.session.commit()
        except Exception as error:
            db.session.rollback()
            for key in written:
                storage().delete(key)
            if isinstance(error, TransferError):
                raise
            current_app.logger.exception("Project import failed")
            raise TransferError(
                "The import failed and nothing was imported",
                [f"{type(error).__name__}: {str(error).splitlines()[0][:300]}"],
            ) from error
    return result
