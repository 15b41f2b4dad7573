"""Loading the standard from seed/: its criteria, sub-criteria, elements and guidance."""

from __future__ import annotations

from collections import Counter

from tracker.evidence.models import Criterion, Element, GuidanceItem, Standard, SubCriterion
from tracker.seeding.files import _read_csv
from tracker.seeding.loader import _Loader

GUIDANCE_SEPARATOR = " | "


def load_standard(loader: _Loader) -> Standard:
    conf = loader.config["standard"]
    standard, _ = loader._get_or_add(
        Standard,
        {"name": conf["name"], "version": conf["version"]},
        {
            "min_full": conf["min_full"],
            "max_partial": conf["max_partial"],
            "max_non_compliant": conf["max_non_compliant"],
        },
    )
    criteria: dict[str, Criterion] = {}
    subcriteria: dict[str, SubCriterion] = {}
    positions: Counter[str] = Counter()
    for row in _read_csv(loader.dir / conf["file"]):
        if row["criterion"] not in criteria:
            criteria[row["criterion"]], _ = loader._get_or_add(
                Criterion,
                {"standard_id": standard.id, "number": int(row["criterion"])},
                {"title": row["criterion_title"]},
            )
        criterion = criteria[row["criterion"]]
        if row["subcriterion"] not in subcriteria:
            positions[criterion.number] += 1
            subcriteria[row["subcriterion"]], _ = loader._get_or_add(
                SubCriterion,
                {"criterion_id": criterion.id, "code": row["subcriterion"]},
                {"title": row["subcriterion_title"], "position": positions[criterion.number]},
            )
        sub = subcriteria[row["subcriterion"]]
        positions[sub.code] += 1
        element, _ = loader._get_or_add(
            Element,
            {"subcriterion_id": sub.id, "code": row["element_id"]},
            {"text": row["element_text"], "position": positions[sub.code]},
        )
        items = [item.strip() for item in row["guidance"].split(GUIDANCE_SEPARATOR)]
        for position, text in enumerate(filter(None, items), start=1):
            loader._get_or_add(
                GuidanceItem, {"element_id": element.id, "position": position}, {"text": text}
            )
    return standard
