"""Hostile text in every free-text column of the database, for the tests that check what the
tracker draws and writes from it (tests/test_chart_labels.py, tests/test_spreadsheet_formulas.py).

Every String or Text column of every table is rewritten, row by row, except the columns that
are not free text: keys, unique columns, enumerations, and the codes, numbers and names of
things that the tracker itself reads (a route's `code`, a file's storage key, an audit event's
table name). A column added later is covered without touching this file.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Enum, String, Table, case, update

from tracker.extensions import db

# Columns the tracker reads as identifiers or vocabulary, whatever their table.
NOT_FREE_TEXT = frozenset(
    {
        "action",
        "code",
        "content_type",
        "email",
        "field",
        "kind",
        "link_url",
        "number",
        "original_name",
        "password_hash",
        "rating",
        "sha256",
        "slug",
        "status",
        "storage_key",
        "table_name",
        "token_hash",
    }
)


def _unique_columns(table: Table) -> set[str]:
    names = {c.name for c in table.columns if c.unique or c.primary_key or c.foreign_keys}
    for constraint in table.constraints:
        if constraint.__class__.__name__ == "UniqueConstraint":
            names |= {c.name for c in constraint.columns}
    for index in table.indexes:
        if index.unique:
            names |= {c.name for c in index.columns}
    return names


def free_text_columns() -> list[tuple[Table, str, int | None]]:
    """(table, column name, length limit) of every free-text column."""
    found = []
    for table in db.metadata.sorted_tables:
        if "id" not in table.columns:
            continue
        keys = _unique_columns(table)
        for column in table.columns:
            if (
                isinstance(column.type, String)
                and not isinstance(column.type, Enum)
                and column.name not in keys
                and column.name not in NOT_FREE_TEXT
            ):
                found.append((table, column.name, column.type.length))
    return found


def make_hostile(text: Callable[[str, int], str], variants: int) -> int:
    """Set every free-text column of every row to `text(column label, n)`, n being the row's id
    modulo `variants` (so that each column gets every variant across its rows), cut to the
    column's length. Returns how many columns were rewritten."""
    columns = free_text_columns()
    for table, name, length in columns:
        label = f"{table.name}.{name}"
        values = [text(label, n)[:length] if length else text(label, n) for n in range(variants)]
        value = (
            case(
                *((table.c.id % variants == n, values[n]) for n in range(variants - 1)),
                else_=values[-1],
            )
            if variants > 1
            else values[0]
        )
        db.session.execute(update(table).values({name: value}))
    db.session.commit()
    return len(columns)
