"""Readiness for accreditation: the rule of the standard, and each element's compliance.

The rule (`verdict`) is the standard's: at least `min_full` elements fully compliant, at most
`max_partial` partially compliant, at most `max_non_compliant` not compliant (46 / 11 / 0 for
CSE). The thresholds are data on the Standard row, never written here.

Where the assessor has rated the elements (the latest round on the assessor's scale), those
ratings decide. Where no assessor round exists, the tracker forecasts from the evidence and the
latest self-assessment (`forecast_compliance`), and says so.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, select, true

from tracker.evidence.models import (
    AssessmentRound,
    Element,
    ElementRating,
    EvidenceItem,
    EvidenceStatus,
    RatingScale,
    Standard,
    evidence_element,
)
from tracker.evidence.services import project_elements
from tracker.extensions import db
from tracker.projects.models import Project


class Compliance(enum.StrEnum):
    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"

    @property
    def label(self) -> str:
        return {
            "full": "Fully compliant",
            "partial": "Partially compliant",
            "none": "Not compliant",
        }[self.value]


# The scales' values (as stored) in words, and what each means for accreditation.
SCALE_LABELS: dict[RatingScale, dict[str, str]] = {
    RatingScale.SELF: {"100": "100%", ">50": ">50%", "<50": "<50%", "0": "0%"},
    RatingScale.ASSESSOR: {
        "plus": "Compliance Plus",
        "full": "Compliance",
        "partial": "Partial Compliance",
        "none": "Non-compliance",
    },
}
ASSESSOR_COMPLIANCE = {
    "plus": Compliance.FULL,
    "full": Compliance.FULL,
    "partial": Compliance.PARTIAL,
    "none": Compliance.NONE,
}
FORECAST_RULE = (
    "No assessor has rated the elements yet, so this is a forecast. An element counts as fully "
    "compliant when every service or work stream rated it 100% in the latest self-assessment, or "
    "when it has accepted evidence and no rating below >50%; as not compliant when it has no "
    "accepted or submitted evidence and no rating above 0%; otherwise as partially compliant."
)


@dataclass(frozen=True)
class Verdict:
    full: int
    partial: int
    none: int
    ready: bool
    sentence: str


def verdict(full: int, partial: int, none: int, standard: Standard) -> Verdict:
    """Whether these counts meet the standard's accreditation rule, in a plain sentence."""
    problems = []
    if full < standard.min_full:
        problems.append(f"{standard.min_full - full} more fully compliant needed")
    if partial > standard.max_partial:
        problems.append(f"{partial - standard.max_partial} too many partially compliant")
    if none > standard.max_non_compliant:
        problems.append(f"{none} not compliant where at most {standard.max_non_compliant} may be")
    ready = not problems
    rule = (
        f"at least {standard.min_full} fully compliant, at most {standard.max_partial} "
        f"partially compliant and at most {standard.max_non_compliant} not compliant"
    )
    if ready:
        sentence = f"Meets the rule for accreditation ({rule})."
    else:
        sentence = (
            f"Does not yet meet the rule for accreditation ({rule}): " + "; ".join(problems) + "."
        )
    return Verdict(full, partial, none, ready, sentence)


def forecast_compliance(
    self_ratings: Iterable[str], evidence: Iterable[EvidenceStatus]
) -> Compliance:
    """An element's forecast from its latest self-assessment ratings and its evidence."""
    ratings = list(self_ratings)
    statuses = set(evidence)
    if ratings and all(r == "100" for r in ratings):
        return Compliance.FULL
    if EvidenceStatus.ACCEPTED in statuses and not any(r in ("<50", "0") for r in ratings):
        return Compliance.FULL
    has_evidence = bool(statuses & {EvidenceStatus.ACCEPTED, EvidenceStatus.SUBMITTED})
    if not has_evidence and all(r == "0" for r in ratings):
        return Compliance.NONE
    return Compliance.PARTIAL


@dataclass(frozen=True)
class ElementState:
    element: Element
    compliance: Compliance


@dataclass(frozen=True)
class QualityCheck:
    """Something an assessor would query, with what it applies to (element codes or titles)."""

    question: str
    found: list[str]


@dataclass
class Readiness:
    standard: Standard
    basis: str  # the assessor round's name, or "forecast"
    forecast: bool
    elements: list[ElementState]
    verdict: Verdict
    by_criterion: dict[int, dict[Compliance, int]] = field(default_factory=dict)
    checks: list[QualityCheck] = field(default_factory=list)

    @property
    def blocking(self) -> list[ElementState]:
        """The elements that stand between the council and accreditation, by which part of the
        rule fails: while too few are fully compliant (or too many partially), every one not
        fully compliant; while too many are not compliant, each of those. An element whose
        rating breaks no part of the rule (a partial one among at most the allowed number,
        with enough full) is not listed."""
        standard, v = self.standard, self.verdict
        too_few = v.full < standard.min_full or v.partial > standard.max_partial
        too_many_none = v.none > standard.max_non_compliant
        return [
            s
            for s in self.elements
            if (too_few and s.compliance is not Compliance.FULL)
            or (too_many_none and s.compliance is Compliance.NONE)
        ]


def _latest_round(project: Project, scale: RatingScale) -> AssessmentRound | None:
    """The latest round on `scale` that holds ratings: a round set up ahead of time (the
    pre-assessment, before the assessor has rated anything) does not yet decide readiness."""
    rated = select(ElementRating.id).where(ElementRating.round_id == AssessmentRound.id)
    return db.session.execute(
        select(AssessmentRound)
        .where(
            AssessmentRound.project_id == project.id,
            AssessmentRound.scale == scale,
            rated.exists(),
        )
        .order_by(AssessmentRound.held_to.desc().nulls_last(), AssessmentRound.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def _ratings(round_: AssessmentRound | None) -> dict[int, list[str]]:
    if round_ is None:
        return {}
    found: dict[int, list[str]] = defaultdict(list)
    for element_id, rating in db.session.execute(
        select(ElementRating.element_id, ElementRating.rating).where(
            ElementRating.round_id == round_.id
        )
    ):
        found[element_id].append(rating)
    return found


def _evidence_statuses(
    project: Project, visible: ColumnElement[bool]
) -> dict[int, set[EvidenceStatus]]:
    found: dict[int, set[EvidenceStatus]] = defaultdict(set)
    for element_id, status in db.session.execute(
        select(evidence_element.c.element_id, EvidenceItem.status)
        .join(EvidenceItem, EvidenceItem.id == evidence_element.c.evidence_id)
        .where(EvidenceItem.project_id == project.id, visible)
        .distinct()
    ):
        found[element_id].add(status)
    return found


def quality_checks(
    states: Sequence[ElementState],
    evidence: dict[int, set[EvidenceStatus]],
    items: Sequence[tuple[str, dt.date | None, bool]],
    today: dt.date,
) -> list[QualityCheck]:
    """What an assessor would query. `items` are (title, review-by date, supports an element)."""
    return [
        QualityCheck(
            "Elements counted as fully compliant with no accepted evidence",
            [
                s.element.code
                for s in states
                if s.compliance is Compliance.FULL
                and EvidenceStatus.ACCEPTED not in evidence.get(s.element.id, set())
            ],
        ),
        QualityCheck(
            "Evidence past its review-by date",
            [title for title, review_by, _ in items if review_by is not None and review_by < today],
        ),
        QualityCheck(
            "Evidence that supports no element", [title for title, _, linked in items if not linked]
        ),
        QualityCheck(
            "Elements no work stream has given evidence for",
            [s.element.code for s in states if not evidence.get(s.element.id)],
        ),
    ]


def _items(
    project: Project, visible: ColumnElement[bool]
) -> list[tuple[str, dt.date | None, bool]]:
    linked = select(evidence_element.c.evidence_id).where(
        evidence_element.c.evidence_id == EvidenceItem.id
    )
    return [
        (title, review_by, bool(has))
        for title, review_by, has in db.session.execute(
            select(EvidenceItem.title, EvidenceItem.review_by, linked.exists())
            .where(EvidenceItem.project_id == project.id, visible)
            .order_by(EvidenceItem.title)
        )
    ]


def _assessor_compliance(ratings: Sequence[str]) -> Compliance:
    """The council-wide assessor rating; several ratings of one element count at their worst."""
    if not ratings:
        return Compliance.NONE
    order = [Compliance.NONE, Compliance.PARTIAL, Compliance.FULL]
    return min((ASSESSOR_COMPLIANCE.get(r, Compliance.NONE) for r in ratings), key=order.index)


def project_readiness(
    project: Project, today: dt.date, visible: ColumnElement[bool] | None = None
) -> Readiness | None:
    """The project's readiness in a fixed number of queries, whatever the data size; None for
    a project that has no standard to be assessed against yet. `visible` (a viewer's
    `visible_clause()`) keeps the evidence the reader may not see out of it, titles and all."""
    visible = true() if visible is None else visible
    if project.standard_id is None:
        return None
    standard = db.session.get(Standard, project.standard_id)
    elements = project_elements(project)
    evidence = _evidence_statuses(project, visible)
    assessor = _latest_round(project, RatingScale.ASSESSOR)
    if assessor is not None:
        ratings = _ratings(assessor)
        states = [ElementState(e, _assessor_compliance(ratings.get(e.id, []))) for e in elements]
        basis = assessor.name
    else:
        self_ratings = _ratings(_latest_round(project, RatingScale.SELF))
        states = [
            ElementState(
                e, forecast_compliance(self_ratings.get(e.id, []), evidence.get(e.id, set()))
            )
            for e in elements
        ]
        basis = "forecast"
    counts = {c: sum(1 for s in states if s.compliance is c) for c in Compliance}
    by_criterion: dict[int, dict[Compliance, int]] = {}
    for state in states:
        number = int(state.element.code.split(".")[0])
        by_criterion.setdefault(number, dict.fromkeys(Compliance, 0))[state.compliance] += 1
    return Readiness(
        standard=standard,
        basis=basis,
        forecast=assessor is None,
        elements=states,
        verdict=verdict(
            counts[Compliance.FULL], counts[Compliance.PARTIAL], counts[Compliance.NONE], standard
        ),
        by_criterion=by_criterion,
        checks=quality_checks(states, evidence, _items(project, visible), today),
    )


def readiness_dict(readiness: Readiness) -> dict[str, object]:
    """Readiness as plain JSON values, for the API."""
    standard = readiness.standard
    return {
        "basis": readiness.basis,
        "forecast": readiness.forecast,
        "ready": readiness.verdict.ready,
        "verdict": readiness.verdict.sentence,
        "fully_compliant": readiness.verdict.full,
        "partially_compliant": readiness.verdict.partial,
        "not_compliant": readiness.verdict.none,
        "rule": {
            "min_full": standard.min_full,
            "max_partial": standard.max_partial,
            "max_non_compliant": standard.max_non_compliant,
        },
        "by_criterion": {
            str(number): {c.value: n for c, n in counts.items()}
            for number, counts in readiness.by_criterion.items()
        },
        "elements": [
            {"element": s.element.code, "compliance": s.compliance.value}
            for s in readiness.elements
        ],
        "blocking": [s.element.code for s in readiness.blocking],
        "quality_checks": [{"question": c.question, "found": c.found} for c in readiness.checks],
    }
