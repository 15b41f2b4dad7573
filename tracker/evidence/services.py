"""The rules of the evidence library: who adds evidence where, its review, its file versions.

- Work stream leads, members and policy & performance representatives add evidence only for
  the work streams their memberships name; the manager and support officer for any stream.
- An item goes draft → submitted → accepted, or submitted → returned (with comments, required)
  → submitted again. Every step is an EvidenceStep; a reviewer holds `evidence.review`.
- Replacing a file adds a version; earlier versions stay. Submitted or accepted evidence
  goes back to draft (a recorded step), since the reviewer has not seen the new file.
- A file already in the library (same SHA-256) is pointed out, so that the existing item can
  be linked to more elements instead of storing a second copy.
- Evidence holding personal data needs a retention date; past it, the manager is prompted.
- Each step is taken once (tracker.transitions): of two people reviewing at the same moment,
  or reviewing a page read before the item changed, one is refused with a message.
Services flush, never commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple
from urllib.parse import urlparse

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from tracker.auth.models import Person
from tracker.evidence.access import Viewer
from tracker.evidence.files import StoredFile
from tracker.evidence.models import (
    Criterion,
    Element,
    EvidenceFile,
    EvidenceItem,
    EvidenceStatus,
    EvidenceStep,
    SubCriterion,
)
from tracker.extensions import db
from tracker.permissions import PLANNERS, can
from tracker.projects.models import Project, Role, WorkStream
from tracker.rules import RuleRefused
from tracker.transitions import Conflict, claim, fingerprint, lock

CONTRIBUTORS = frozenset({Role.WS_LEAD, Role.WS_MEMBER, Role.PP_REP})
CHANGED_MEANWHILE = "Someone else changed this evidence a moment ago, so nothing was saved"


class EvidenceConflict(RuleRefused, Conflict):
    """Someone else changed the item first, or since the page was read (HTTP 409)."""


# Who adds where -----------------------------------------------------------------------------


def may_add_to(viewer: Viewer, work_stream_id: int) -> bool:
    """Planners add to any stream; leads, members and P&P reps only to their own streams."""
    if viewer.roles & PLANNERS:
        return True
    return bool(viewer.roles & CONTRIBUTORS) and work_stream_id in viewer.stream_ids


def streams_for(viewer: Viewer, streams: Sequence[WorkStream]) -> list[WorkStream]:
    return [s for s in streams if may_add_to(viewer, s.id)]


def may_review(viewer: Viewer) -> bool:
    return can("evidence.review", viewer.roles)


# The standard ------------------------------------------------------------------------------------


def project_elements(project: Project) -> list[Element]:
    """The 57 elements of the project's standard, in order, with their sub-criteria and
    criteria (one query)."""
    return list(
        db.session.execute(
            select(Element)
            .join(SubCriterion)
            .join(Criterion)
            .where(Criterion.standard_id == project.standard_id)
            .options(contains_eager(Element.subcriterion).contains_eager(SubCriterion.criterion))
            .order_by(Criterion.number, SubCriterion.position, Element.position)
        ).scalars()
    )


def check_link(url: str) -> str:
    """A link must be a whole http(s) address, like https://intranet.scambs.gov.uk/page."""
    url = (url or "").strip()
    parsed = urlparse(url)
    if parsed.scheme.lower() not in ("http", "https") or not parsed.netloc:
        raise RuleRefused(
            "Enter a link that starts with https:// or http://, like https://intranet/page",
            field="link_url",
        )
    return url


# Changing the library ---------------------------------------------------------------------------


def _step(
    item: EvidenceItem,
    person: Person,
    to: EvidenceStatus,
    now: dt.datetime,
    comment: str = "",
) -> None:
    """Record the step and move the item to `to`, only if no one else moved it first."""
    from_status = item.status
    if not claim(item, "status", to):
        raise EvidenceConflict(CHANGED_MEANWHILE)
    item.steps.append(
        EvidenceStep(
            at=now, by_id=person.id, from_status=from_status, to_status=to, comment=comment
        )
    )


def add_item(
    project: Project,
    person: Person,
    viewer: Viewer,
    *,
    title: str,
    description: str,
    work_stream_id: int,
    elements: Sequence[Element],
    evidence_date: dt.date | None,
    review_by: dt.date | None,
    link_url: str | None,
    personal_data: bool,
    retain_until: dt.date | None,
    stored: StoredFile | None,
    now: dt.datetime,
) -> EvidenceItem:
    """A new draft item holding a file or a link."""
    if not may_add_to(viewer, work_stream_id):
        raise RuleRefused("You can only add evidence for your own work stream", field="work_stream")
    if stored is None and not link_url:
        raise RuleRefused("Choose a file or enter a link to the document", field="link_url")
    if personal_data and retain_until is None:
        raise RuleRefused(
            "Enter the date until which the personal data may be kept", field="retain_until"
        )
    item = EvidenceItem(
        project_id=project.id,
        work_stream_id=work_stream_id,
        title=title.strip(),
        description=(description or "").strip(),
        evidence_date=evidence_date,
        review_by=review_by,
        link_url=check_link(link_url) if link_url else None,
        status=EvidenceStatus.DRAFT,
        personal_data=personal_data,
        retain_until=retain_until if personal_data else None,
        created_by_id=person.id,
        elements=list(elements),
    )
    db.session.add(item)
    if stored is not None:
        add_version(item, person, stored, now)
    db.session.flush()
    return item


def add_version(
    item: EvidenceItem, person: Person, stored: StoredFile, now: dt.datetime
) -> EvidenceFile:
    """The item's next file version; earlier versions are kept. Evidence submitted or accepted
    goes back to draft, as a recorded step: the reviewer has not seen the new file. The item is
    locked first, so that two uploads at the same moment get the next two numbers."""
    lock(item)
    last = db.session.execute(
        select(func.max(EvidenceFile.version)).where(EvidenceFile.item_id == item.id)
    ).scalar_one()
    version = EvidenceFile(
        version=(last or 0) + 1,
        original_name=stored.original_name,
        storage_key=stored.key,
        size_bytes=stored.size_bytes,
        content_type=stored.content_type,
        sha256=stored.sha256,
        uploaded_by_id=person.id,
    )
    item.files.append(version)
    if item.status in (EvidenceStatus.SUBMITTED, EvidenceStatus.ACCEPTED):
        _step(
            item,
            person,
            EvidenceStatus.DRAFT,
            now,
            f"Version {version.version} of the file uploaded: it needs a new review",
        )
    db.session.flush()
    return version


def submit(item: EvidenceItem, person: Person, viewer: Viewer, now: dt.datetime) -> None:
    if not may_add_to(viewer, item.work_stream_id):
        raise RuleRefused("Only the work stream's own people can submit its evidence")
    if item.status not in (EvidenceStatus.DRAFT, EvidenceStatus.RETURNED):
        raise RuleRefused(f"This evidence is {item.status.label.lower()} already")
    _step(item, person, EvidenceStatus.SUBMITTED, now)
    db.session.flush()


def review(
    item: EvidenceItem,
    person: Person,
    viewer: Viewer,
    *,
    accept: bool,
    comment: str,
    now: dt.datetime,
    seen: str = "",
) -> None:
    """Accept submitted evidence, or return it with comments saying what it needs.

    `seen` is the `review_basis` of the page the reviewer decided on: if the item has moved since
    (a new version uploaded and submitted again, say), the review is refused."""
    if not may_review(viewer):
        raise RuleRefused("You cannot review evidence", field="outcome")
    if seen and seen != review_basis(item):
        raise EvidenceConflict(
            "This evidence changed after you opened it, so your review was not saved: "
            "look at it as it is now before you accept or return it"
        )
    if item.status is not EvidenceStatus.SUBMITTED:
        raise RuleRefused(
            "Only evidence submitted for review can be accepted or returned", field="outcome"
        )
    comment = (comment or "").strip()
    if not accept and not comment:
        raise RuleRefused(
            "Enter what the evidence needs before it can be accepted", field="comment"
        )
    _step(
        item, person, EvidenceStatus.ACCEPTED if accept else EvidenceStatus.RETURNED, now, comment
    )
    db.session.flush()


def review_basis(item: EvidenceItem) -> str:
    """What a review is decided on: the item's steps and file versions, as a fingerprint."""
    return fingerprint([s.id for s in item.steps], [f.id for f in item.files])


# Reading the library ----------------------------------------------------------------------------


def items_with_checksum(project: Project, sha256: str, viewer: Viewer) -> list[EvidenceItem]:
    """Items of the project that already hold a file with this checksum."""
    return list(
        db.session.execute(
            select(EvidenceItem)
            .join(EvidenceFile)
            .where(
                EvidenceItem.project_id == project.id,
                EvidenceFile.sha256 == sha256,
                viewer.visible_clause(),
            )
            .distinct()
        ).scalars()
    )


class LibraryPage(NamedTuple):
    items: list[EvidenceItem]
    total: int
    page: int  # the page shown: the one asked for, within the pages there are


def library(
    project: Project,
    viewer: Viewer,
    *,
    work_stream_id: int | None = None,
    element_id: int | None = None,
    status: EvidenceStatus | None = None,
    page: int = 1,
    per_page: int | None = None,
) -> LibraryPage:
    """The items this viewer may see, filtered, newest first, and how many there are in all;
    `per_page` items of page `page` when given (a page past the end gives the last page, so a
    stale or mistyped link still shows items). A fixed number of queries."""
    conditions = [EvidenceItem.project_id == project.id, viewer.visible_clause()]
    if work_stream_id:
        conditions.append(EvidenceItem.work_stream_id == work_stream_id)
    if status is not None:
        conditions.append(EvidenceItem.status == status)
    if element_id:
        conditions.append(EvidenceItem.elements.any(Element.id == element_id))
    total = db.session.execute(select(func.count(EvidenceItem.id)).where(*conditions)).scalar_one()
    query = (
        select(EvidenceItem)
        .where(*conditions)
        .options(
            selectinload(EvidenceItem.elements),
            selectinload(EvidenceItem.work_stream),
            selectinload(EvidenceItem.files),
        )
        .order_by(EvidenceItem.created_at.desc(), EvidenceItem.id.desc())
    )
    if per_page:
        page = min(max(page, 1), max((total + per_page - 1) // per_page, 1))
        query = query.limit(per_page).offset((page - 1) * per_page)
    return LibraryPage(list(db.session.execute(query).scalars()), total, page)


def get_item(project: Project, item_id: int, viewer: Viewer) -> EvidenceItem | None:
    return db.session.execute(
        select(EvidenceItem)
        .where(
            EvidenceItem.id == item_id,
            EvidenceItem.project_id == project.id,
            viewer.visible_clause(),
        )
        .options(
            selectinload(EvidenceItem.elements),
            selectinload(EvidenceItem.files),
            selectinload(EvidenceItem.steps).selectinload(EvidenceStep.by),
            selectinload(EvidenceItem.work_stream),
            selectinload(EvidenceItem.created_by),
        )
    ).scalar_one_or_none()


def retention_due(project: Project, today: dt.date) -> list[EvidenceItem]:
    """Items holding personal data whose retention date has passed: remove or anonymise them."""
    return list(
        db.session.execute(
            select(EvidenceItem)
            .where(
                EvidenceItem.project_id == project.id,
                EvidenceItem.personal_data.is_(True),
                EvidenceItem.retain_until < today,
            )
            .order_by(EvidenceItem.retain_until)
        ).scalars()
    )


def remove_personal_data(item: EvidenceItem, person: Person, now: dt.datetime) -> list[str]:
    """Past its retention date: delete every file version of the item (the record stays, so
    the history of the evidence is kept) and note it. Returns the storage keys to delete once
    the change is committed."""
    if not item.personal_data:
        raise RuleRefused("This evidence does not hold personal data")
    if not claim(item, "personal_data", False):
        raise EvidenceConflict(
            "Someone else deleted the personal data of this evidence a moment ago"
        )
    keys = [f.storage_key for f in item.files]
    for version in list(item.files):
        item.files.remove(version)
        db.session.delete(version)  # an explicit delete, so the audit trail records it
    item.retain_until = None
    _step(item, person, item.status, now, "Personal data removed: every file version deleted")
    db.session.flush()
    return keys


def update_item(
    item: EvidenceItem,
    viewer: Viewer,
    *,
    title: str,
    description: str,
    work_stream_id: int,
    elements: Sequence[Element],
    evidence_date: dt.date | None,
    review_by: dt.date | None,
    link_url: str | None,
    personal_data: bool,
    retain_until: dt.date | None,
) -> None:
    """Change an item's details and the elements it supports (for example to link evidence
    already in the library to more elements instead of uploading it again)."""
    if not (may_add_to(viewer, item.work_stream_id) and may_add_to(viewer, work_stream_id)):
        raise RuleRefused(
            "You can only change evidence of your own work stream", field="work_stream"
        )
    if not item.files and not link_url:
        raise RuleRefused(
            "Enter a link to the document: this evidence has no file", field="link_url"
        )
    if personal_data and retain_until is None:
        raise RuleRefused("Enter the date to keep the personal data until", field="retain_until")
    item.title = title.strip()
    item.description = (description or "").strip()
    item.work_stream_id = work_stream_id
    item.elements = list(elements)
    item.evidence_date = evidence_date
    item.review_by = review_by
    item.link_url = check_link(link_url) if link_url else None
    item.personal_data = personal_data
    item.retain_until = retain_until if personal_data else None
    db.session.flush()
