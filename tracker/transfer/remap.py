"""Ids that point at other rows without a foreign key: moved to the new ids on import.

Foreign keys are found from the metadata. These are not, so each is listed here:

- `change_effect.target_id` names a task, milestone, stage, budget line or the project, as
  `change_effect.target` says;
- `plan_baseline.items` (JSON) keeps the kind and id of each task, milestone and stage it copies;
- `audit_event.changes` (JSON) keeps old and new values of foreign key columns, the record's own
  `id`, and the ids added to or removed from many-to-many collections (a task's responsible
  people, the elements an evidence item supports);
- `audit_event.record_id` names a row of `audit_event.table_name`.

`highlight_report.sections` and `.snapshot` hold display values only, no ids (see
`reports.snapshots.snapshot`). A test walks every JSON and integer non-key column of the schema
and fails for one not accounted for here.

An id whose row is not in the file (a task deleted before the export, still named by an old
baseline or history) never keeps its old value, which could be a different row here: it becomes
None, or GONE where the column cannot be empty.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Mapper

from tracker.extensions import db

# Columns that hold ids without a foreign key, or JSON that may hold them: (table, column).
SOFT_REFERENCES = frozenset(
    {
        ("change_effect", "target_id"),
        ("plan_baseline", "items"),
        ("audit_event", "changes"),
        ("audit_event", "record_id"),
        ("audit_event", "project_id"),
        ("highlight_report", "sections"),
        ("highlight_report", "snapshot"),
    }
)
# An effect whose target was gone before the export: no row has id 0 (ids start at 1).
GONE = 0

Ids = dict[str, dict[Any, Any]]


def new_id(ids: Ids, table: str | None, old: Any) -> Any:
    """The id here of row `old` of `table` in the file, or None if the file does not have it."""
    if table is None or not isinstance(old, int) or isinstance(old, bool):
        return None
    return ids.get(table, {}).get(old)


def effect_target(row: dict[str, Any], ids: Ids) -> int:
    target = getattr(row["target"], "value", row["target"])
    return new_id(ids, target, row["target_id"]) or GONE


def baseline_items(items: list[Any] | None, ids: Ids) -> list[Any]:
    """A baseline's items with the ids of the tasks, milestones and stages they copy moved."""
    moved = []
    for item in items or []:
        if isinstance(item, dict) and "id" in item:
            item = {**item, "id": new_id(ids, item.get("kind"), item["id"])}
        moved.append(item)
    return moved


def _mapper(table_name: str) -> Mapper[Any] | None:
    for mapper in db.Model.registry.mappers:
        if mapper.local_table.name == table_name:
            return mapper
    return None


def _change_targets(table: Table, effect: dict[str, Any] | None) -> dict[str, str]:
    """For one table: which key of `changes` holds ids of which table."""
    targets = {fk.parent.name: fk.column.table.name for fk in table.foreign_keys}
    targets["id"] = table.name
    mapper = _mapper(table.name)
    if mapper is not None:
        for relationship in mapper.relationships:
            if relationship.secondary is not None:
                targets[relationship.key] = relationship.mapper.local_table.name
    if table.name == "change_effect" and effect is not None:
        targets["target_id"] = getattr(effect["target"], "value", effect["target"])
    return targets


def _move_value(value: Any, move: Callable[[Any], Any]) -> Any:
    if isinstance(value, list):
        return [move(v) for v in value]
    if isinstance(value, dict):  # a collection: {"removed": [...], "added": [...]}
        return {k: _move_value(v, move) for k, v in value.items()}
    return move(value)


def audit_changes(row: dict[str, Any], ids: Ids, effects: dict[Any, dict[str, Any]]) -> Any:
    """An audit event's `changes` with every id in it moved to the new ids."""
    changes = row.get("changes")
    table = db.metadata.tables.get(row.get("table_name") or "")
    if not isinstance(changes, dict) or table is None:
        return changes
    effect = effects.get(row.get("record_id")) if table.name == "change_effect" else None
    if effect is None and isinstance(changes.get("target"), list):
        effect = {"target": changes["target"][-1] or changes["target"][0]}
    targets = _change_targets(table, effect)
    return {
        key: _move_value(value, lambda old, t=targets[key]: new_id(ids, t, old))
        if key in targets
        else value
        for key, value in changes.items()
    }
