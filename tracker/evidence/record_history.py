"""Who may read the history of an evidence record, and which of its values: as on its page.

An item with personal data is for its work stream (and those who see all personal data), an
item still in progress for those who see work in progress; a review step holds the reviewer's
comments. The name of a file that ever held personal data is left out for a reader outside its
work stream, and the status for a reader who sees only what was put forward (the assessor).
Registered into the kernel's history rules (tracker/projects/history.py) by `register()`.
"""

from __future__ import annotations

from typing import Any

from tracker.evidence.access import Viewer, viewer_for
from tracker.projects.history import (
    HistoryRule,
    Reader,
    add_history_rules,
    known_values,
    record_events,
)


def _viewer(reader: Reader) -> Viewer:
    """The reader as evidence sees them, worked out once per page."""
    if "evidence.viewer" not in reader.known:
        reader.known["evidence.viewer"] = viewer_for(reader.person_id, reader.project, reader.roles)
    return reader.known["evidence.viewer"]


def _item_id(reader: Reader, table: str, record_id: int) -> int | None:
    """The evidence item a record of an evidence table belongs to."""
    if table == "evidence_item":
        return record_id
    return known_values(reader.project, table, record_id).get("item_id")


def _item_values(reader: Reader, table: str, record_id: int) -> dict[str, Any]:
    item_id = _item_id(reader, table, record_id)
    return {} if item_id is None else known_values(reader.project, "evidence_item", item_id)


def _may_see_item(reader: Reader, table: str, record_id: int) -> bool:
    item = _item_values(reader, table, record_id)
    return _viewer(reader).may_see_values(
        bool(item.get("personal_data")), item.get("work_stream_id"), item.get("status")
    )


def _may_see_review(reader: Reader, table: str, record_id: int) -> bool:
    """A review step holds the reviewer's comments: for those who see work in progress."""
    return _viewer(reader).sees_work_in_progress and _may_see_item(reader, table, record_id)


def _ever_personal(reader: Reader, item_id: int) -> bool:
    """Whether the item held personal data at any time (removing it clears the mark)."""
    if known_values(reader.project, "evidence_item", item_id).get("personal_data"):
        return True
    return any(
        True in event.changes.get("personal_data", [])
        for event in record_events(reader.project, "evidence_item", item_id)
    )


def _hidden_evidence(reader: Reader, table: str, record_id: int) -> frozenset[str]:
    hidden: set[str] = set()
    if not _viewer(reader).sees_work_in_progress:
        hidden.add("status")  # its past states may include draft or returned
    if table == "evidence_file" and not _viewer(reader).sees_all_personal_data:
        item_id = _item_id(reader, table, record_id)
        item = _item_values(reader, table, record_id)
        in_stream = item.get("work_stream_id") in _viewer(reader).stream_ids
        if item_id is not None and not in_stream and _ever_personal(reader, item_id):
            hidden.add("original_name")
    return frozenset(hidden)


def register() -> None:
    rule = HistoryRule("evidence.view", _may_see_item, _hidden_evidence)
    add_history_rules(
        {
            "evidence_item": rule,
            "evidence_file": rule,
            "evidence_step": HistoryRule("evidence.view", _may_see_review, _hidden_evidence),
            # Which elements a stream evidences: shown on the stream's owes page.
            "work_stream_element": HistoryRule("evidence.view"),
        }
    )
