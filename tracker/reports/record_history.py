"""Who may read the history of a highlight report: as on its page, a draft only for those who
see drafts or write their stream's part. Registered into the kernel's history rules
(tracker/projects/history.py) by `register()`."""

from __future__ import annotations

from tracker.permissions import can
from tracker.projects.history import HistoryRule, Reader, add_history_rules, known_values


def _may_see_report(reader: Reader, table: str, record_id: int) -> bool:
    values = known_values(reader.project, table, record_id)
    if values.get("status") != "draft":
        return True
    return can("report.view_drafts", reader.roles) or can("report.write_stream", reader.roles)


def register() -> None:
    add_history_rules({"highlight_report": HistoryRule("report.view", _may_see_report)})
