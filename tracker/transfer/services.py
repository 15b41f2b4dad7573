"""Whole-project export and import, worked out from the SQLAlchemy metadata.

An export is one ZIP: `project.json` (a format version, then every table's rows) and
`files/<id>`, the bytes of each evidence file. What goes in is found from the foreign keys, so a
table added later is carried without anyone remembering to list it:

- the project's own tables: `project` and every table that refers (directly or through another
  of them) to it;
- the shared tables it uses: the people its rows name and the standard with its criteria,
  sub-criteria, elements and guidance;
- the project's audit trail (`audit_event` rows of the project), so that its history moves too.

Only the columns listed in columns.py are written, and an import refuses a file with any other
(a password hash, site administrator rights: what belongs to an installation never moves).

An import checks everything first (checks.py: safe member names, no member over the upload
limit, project.json read with that limit before it is parsed, the format version; here: tables
and columns an export writes, no row twice, every reference inside the file, every evidence file
present with its checksum, the project's address free; shared.py: the standard the same as the
stored one) and refuses with a clear message before writing anything. It then inserts every row
in one transaction with new ids (people are matched by email address whatever its case, the
standard by name and version: an import never adds to or changes a stored standard), moves the
ids kept without a foreign key (remap.py) and writes the evidence files under new storage names;
its caller commits (commands.py), and on any failure rolls the transaction back, which removes
the files written so far. The import itself is recorded as one audit event by the
actor "import"; the rows it inserts do not each add an event (they carry their own history).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from alembic.migration import MigrationContext
from sqlalchemy import ColumnElement, Table, insert, or_, select, update

from tracker.database import utcnow
from tracker.evidence.storage import storage
from tracker.extensions import db
from tracker.transfer import remap
from tracker.transfer.checks import (
    FILES_FOLDER,
    FORMAT_NAME,
    FORMAT_VERSION,
    MANIFEST,
    TransferError,
    read_member,
)
from tracker.transfer.columns import exported_columns
from tracker.transfer.layout import HISTORY, PROJECT, Layout, id_column, layout
from tracker.transfer.reading import Archive, read_archive

__all__ = ["FORMAT_VERSION", "MANIFEST", "TransferError", "export_project", "import_project"]


# Values to and from JSON -------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):  # dates and datetimes (aware ones keep their offset)
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


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
        columns = list(exported_columns(table.name))
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


def _move_soft_references(archive: Archive, ids: remap.Ids) -> None:
    """Ids kept without a foreign key (see remap.py), once every table has its new ids."""
    tables = db.metadata.tables
    for row in archive.rows.get("plan_baseline", []):
        if row.get("items"):
            items = remap.baseline_items(row["items"], ids)
            _update(tables["plan_baseline"], ids["plan_baseline"][row["id"]], {"items": items}, row)
    for row in archive.rows.get("change_effect", []):
        target_id = remap.effect_target(row, ids)
        _update(
            tables["change_effect"], ids["change_effect"][row["id"]], {"target_id": target_id}, row
        )


def _update(table: Table, row_id: Any, values: dict[str, Any], original: dict[str, Any]) -> None:
    """Set values on an inserted row, keeping its original `updated_at` (not "now")."""
    if "updated_at" in table.c and original.get("updated_at") is not None:
        values = values | {"updated_at": original["updated_at"]}
    db.session.execute(update(table).where(table.primary_key.columns[0] == row_id).values(values))


def _insert(table: Table, rows: list[dict[str, Any]], key: str | None) -> list[Any]:
    if not rows:
        return []
    if key is None:
        db.session.execute(insert(table), rows)
        return []
    statement = insert(table).returning(table.c[key], sort_by_parameter_order=True)
    return list(db.session.execute(statement, rows).scalars())


def _write_rows(archive: Archive, slug: str | None) -> tuple[ImportResult, dict[str, str]]:
    """Insert every row with new ids. Returns the result and {zip path: new storage key}."""
    plan = layout()
    ids: dict[str, dict[Any, Any]] = {}
    # (table, row in the file, column, table it refers to): set once every row is in.
    deferred: list[tuple[Table, dict[str, Any], str, str]] = []
    files: dict[str, str] = {}
    paths = {file_id: entry["path"] for file_id, entry in archive.files.items()}
    counts: dict[str, int] = {}
    order = [t for t in plan.tables if t.name != HISTORY]
    position = {t.name: i for i, t in enumerate(order)}
    for table in order:
        own = id_column(table)
        source = archive.rows.get(table.name, [])
        ids[table.name] = dict(archive.shared.get(table.name, {}))
        rows: list[dict[str, Any]] = []
        for original in source:
            if own and original[own] in ids[table.name]:
                continue  # a person or the standard this installation has already
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
        if own:
            old_ids = [r.pop(own) for r in rows]
            ids[table.name] |= dict(zip(old_ids, _insert(table, rows, own), strict=True))
        else:
            _insert(table, rows, None)
        counts[table.name] = len(source)
    for table, original, column, target in deferred:
        new_id = ids[table.name][original[id_column(table)]]
        _update(table, new_id, {column: ids[target][original[column]]}, original)
    _move_soft_references(archive, ids)
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
    effects = {r["id"]: r for r in archive.rows.get("change_effect", [])}
    rows = []
    for original in archive.rows.get(HISTORY, []):
        row = dict(original)
        row.pop("id")
        row["project_id"] = project_id
        row["actor_id"] = ids["person"].get(row.get("actor_id"))
        # A record deleted before the export has no new id: its events keep their labels.
        row["record_id"] = remap.new_id(ids, row["table_name"], row.get("record_id"))
        row["changes"] = remap.audit_changes(original, ids, effects)
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


def _write_files(archive: Archive, files: dict[str, str]) -> None:
    """Write each file under its temporary name: published when the rows commit, removed by
    the rollback otherwise (tracker/evidence/storage.py)."""
    store = storage()
    for path, key in files.items():
        with store.open_writer(key) as out:
            for block in read_member(archive.zip, path):
                out.write(block)


def import_project(source: IO[bytes] | Path, *, slug: str | None = None) -> ImportResult:
    """Import an export file as a new project, or raise TransferError.

    Like every service this one does not commit: its caller does (the command line's
    `tracker.transfer.commands.import_and_commit`). The rows are flushed and the evidence files
    written under temporary names, published by the commit and removed by the rollback
    (tracker/evidence/storage.py), so nothing is imported until the caller commits.
    """
    try:
        archive_zip = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError):
        raise TransferError("The file is not a ZIP file: choose a project export") from None
    with archive_zip:
        archive = read_archive(archive_zip, slug=slug)
        result, files = _write_rows(archive, slug)
        db.session.flush()
        _write_files(archive, files)
    return result
