"""Which tables a project export holds, worked out from the SQLAlchemy metadata (see services)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Integer, Table

from tracker.extensions import db

PROJECT = "project"
HISTORY = "audit_event"
# Tables that are not part of a project (sign-in attempts, personal API tokens, the tokens of
# forms already acted on, the files the worker prepared for download) and so never exported. A
# new table the project's rows cannot reach must be added here or made reachable:
# tests/test_project_transfer.py fails until then.
NOT_EXPORTED = frozenset({"login_attempt", "api_token", "form_submission", "prepared_download"})


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
    owned = _grow({PROJECT}, lambda t, found: t.name not in NOT_EXPORTED and _refers_to(t, found))
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


def id_column(table: Table) -> str | None:
    columns = list(table.primary_key.columns)
    if len(columns) == 1 and isinstance(columns[0].type, Integer):
        return columns[0].name
    return None
