"""Rows an import shares with the installation instead of copying: people and the standard.

People are matched by email address, whatever its case (the database holds addresses in lower
case, see `auth.models.EmailAddress`); a person without an address cannot be matched and is
added. The standard is reference data shared by every project: an import never adds to it or
changes it. A file whose standard (by name and version) is stored here must hold exactly the
stored criteria, sub-criteria, elements and guidance, or it is refused; a standard this
installation does not have is added whole.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, select

from tracker.auth.models import normalise_email
from tracker.extensions import db
from tracker.transfer.checks import refuse
from tracker.transfer.columns import exported_columns

# The standard's tables, each after the one it belongs to, with the columns that name a row
# within its parent (the parent's foreign key first).
STANDARD_KEYS: dict[str, tuple[str, ...]] = {
    "standard": ("name", "version"),
    "criterion": ("standard_id", "number"),
    "subcriterion": ("criterion_id", "code"),
    "element": ("subcriterion_id", "code"),
    "guidance_item": ("element_id", "position"),
}
_MAX_LISTED = 10

Rows = dict[str, list[dict[str, Any]]]


def match_people(people: list[dict[str, Any]]) -> dict[Any, Any]:
    """{id in the file: id here} for the file's people whose address is known here."""
    by_address = {normalise_email(p["email"]): p["id"] for p in people if p.get("email")}
    person = db.metadata.tables["person"]
    found = db.session.execute(
        select(person.c.email, person.c.id).where(person.c.email.in_(list(by_address)))
    )
    return {by_address[email]: person_id for email, person_id in found}


def _parent(name: str) -> tuple[str, str]:
    """(foreign key column, parent table) of a standard table other than `standard`."""
    column = STANDARD_KEYS[name][0]
    (fk,) = db.metadata.tables[name].c[column].foreign_keys
    return column, fk.column.table.name


def _label(name: str, row: dict[str, Any], codes: dict[Any, str]) -> str:
    if name == "guidance_item":
        return f"guidance item {row['position']} of element {codes.get(row['element_id'], '?')}"
    own = STANDARD_KEYS[name][1]
    return f"{name.replace('subcriterion', 'sub-criterion')} {row[own]}"


def _stored(table: Table, parent: tuple[str, str], ids: dict[str, dict]) -> list[dict]:
    """The stored rows of one table of the standard whose parents the file's rows matched."""
    column, parent_table = parent
    query = select(table).where(table.c[column].in_(list(ids[parent_table].values())))
    return [dict(r) for r in db.session.execute(query).mappings()]


def _key(name: str, row: dict[str, Any], parent_ids: dict[Any, Any] | None) -> tuple[Any, ...]:
    """The row's name within its parent; a file row's parent id is first moved to the id here."""
    columns = STANDARD_KEYS[name]
    parent = row[columns[0]] if parent_ids is None else parent_ids[row[columns[0]]]
    return (parent, *(row[c] for c in columns[1:]))


def _compare_table(
    name: str, rows: Rows, ids: dict[str, dict[Any, Any]], codes: dict[str, dict[Any, str]]
) -> list[str]:
    """Match one table of the file's standard with the stored one; the differences in words."""
    table, parent = db.metadata.tables[name], _parent(name)
    stored = _stored(table, parent, ids)
    parent_ids = ids[parent[1]]
    index = {_key(name, r, None): r for r in stored}
    skipped = {"id", "created_at", "updated_at", parent[0]}
    compared = [c for c in exported_columns(name) if c not in skipped]
    if name == "element":
        codes["here"] = {r["id"]: r["code"] for r in stored}
    ids[name] = {}
    problems = []
    for row in rows.get(name, []):
        if row[parent[0]] not in parent_ids:
            continue  # its parent is already reported
        here = index.pop(_key(name, row, parent_ids), None)
        if here is None:
            problems.append(f"{_label(name, row, codes['file'])} is not in it")
            continue
        ids[name][row["id"]] = here["id"]
        different = [c for c in compared if row.get(c) != here[c]]
        if different:
            label = _label(name, row, codes["file"])
            problems.append(f"{label} is not the same ({', '.join(different)})")
    return problems + [
        f"{_label(name, r, codes['here'])} is missing from the file" for r in index.values()
    ]


def match_standard(rows: Rows) -> dict[str, dict[Any, Any]] | None:
    """{table: {id in the file: id here}} for the file's standard, when it is stored here.

    None when the file has no standard (a project may have none yet) or this installation has
    none of that name and version (it is then added whole). Raises TransferError listing the
    differences when the stored one is not the same.
    """
    if len(rows.get("standard", [])) > 1:
        raise refuse("The file must hold one standard at most")
    if not rows.get("standard"):
        return None
    standard = rows["standard"][0]
    table = db.metadata.tables["standard"]
    found = (
        db.session.execute(
            select(table).where(
                table.c.name == standard["name"], table.c.version == standard["version"]
            )
        )
        .mappings()
        .first()
    )
    if found is None:
        return None
    ids: dict[str, dict[Any, Any]] = {"standard": {standard["id"]: found["id"]}}
    codes = {"file": {r["id"]: r["code"] for r in rows.get("element", [])}, "here": {}}
    compared = [
        c for c in exported_columns("standard") if c not in ("id", "created_at", "updated_at")
    ]
    problems = [
        f"its {c} is {standard.get(c)!r}, not {found[c]!r}"
        for c in compared
        if standard.get(c) != found[c]
    ]
    for name in list(STANDARD_KEYS)[1:]:
        problems += _compare_table(name, rows, ids, codes)
    if problems:
        listed = [
            f"The file's standard differs from the {found['name']} {found['version']} stored "
            f"here: {p}"
            for p in problems[:_MAX_LISTED]
        ]
        if len(problems) > _MAX_LISTED:
            listed.append(f"... and {len(problems) - _MAX_LISTED} more differences")
        raise refuse(*listed)
    return ids
