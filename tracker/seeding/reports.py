"""Loading the February 2010 highlight report from seed/ (money in its snapshot turned into
pence).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracker.reports.models import HighlightReport, ReportKind, ReportStatus
from tracker.seeding.files import _moment, _pence, _read_toml
from tracker.seeding.loader import _Loader

# Keys of the highlight report snapshot that hold money (pounds in the file, pence in the database).
MONEY_KEYS = frozenset({"allocated", "spent", "remaining", "unit_cost", "provision", "actual"})


def _money_to_pence(value: Any) -> Any:
    """The snapshot with every money figure turned into pence under a `<key>_pence` name."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in MONEY_KEYS:
                out[f"{key}_pence"] = _pence(item)
            else:
                out[key] = _money_to_pence(item)
        return out
    if isinstance(value, list):
        return [_money_to_pence(item) for item in value]
    return value


def load_highlight_report(loader: _Loader) -> None:
    conf = _read_toml(loader.dir / "highlight_report_2010-02.toml")
    sections = [
        {
            "key": section["key"],
            "heading": section["heading"],
            "status": None,
            "text": "\n".join(section["bullets"]),
        }
        for section in conf["sections"]
    ]
    status = ReportStatus(conf["status"])
    loader._get_or_add(
        HighlightReport,
        {
            "project_id": loader.project.id,
            "kind": ReportKind(conf["kind"]),
            "number": conf["number"],
        },
        {
            "period_start": conf["period_start"],
            "period_end": conf["period_end"],
            "status": status,
            "issued_on": conf.get("issued_on"),
            "issued_at": _moment(conf["issued_on"]) if "issued_on" in conf else None,
            "produced_by_id": loader.person(conf["produced_by"]).id,
            "sections": sections,
            "snapshot": _money_to_pence(conf.get("snapshot", {})),
        },
    )
