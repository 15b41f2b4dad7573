"""The evidence coverage matrix: elements down, work streams across, evidence by status."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.evidence.access import Viewer
from tracker.evidence.models import (
    Criterion,
    EvidenceItem,
    EvidenceStatus,
    SubCriterion,
    evidence_element,
)
from tracker.extensions import db
from tracker.projects.models import Project

# (element id, work stream id) -> evidence counts by status
Coverage = dict[tuple[int, int], Counter[EvidenceStatus]]


def project_criteria(project: Project) -> list[Criterion]:
    """The project's standard, criteria to sub-criteria to elements, in three queries: the rows
    of every matrix."""
    return list(
        db.session.execute(
            select(Criterion)
            .where(Criterion.standard_id == project.standard_id)
            .options(selectinload(Criterion.subcriteria).selectinload(SubCriterion.elements))
            .order_by(Criterion.number)
        ).scalars()
    )


def coverage(project: Project, viewer: Viewer) -> Coverage:
    """Counts of the evidence this viewer may see, per element and work stream (one query)."""
    found: Coverage = defaultdict(Counter)
    rows = db.session.execute(
        select(
            evidence_element.c.element_id,
            EvidenceItem.work_stream_id,
            EvidenceItem.status,
            func.count(),
        )
        .join(EvidenceItem, EvidenceItem.id == evidence_element.c.evidence_id)
        .where(EvidenceItem.project_id == project.id, viewer.visible_clause())
        .group_by(evidence_element.c.element_id, EvidenceItem.work_stream_id, EvidenceItem.status)
    )
    for element_id, stream_id, status, count in rows:
        found[(element_id, stream_id)][status] = count
    return found


def cell_text(counts: Counter[EvidenceStatus]) -> str:
    """ "3: 2 accepted, 1 draft" - the count and its statuses in words, readable without colour."""
    total = sum(counts.values())
    if not total:
        return ""
    parts = [f"{n} {s.label.split(':')[0].lower()}" for s, n in counts.items() if n]
    return f"{total}: " + ", ".join(sorted(parts))
