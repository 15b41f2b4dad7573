"""The assessor's pack: one ZIP for a documentary review.

A folder per criterion and element holds the accepted evidence. Each file is stored once, in
the folder of the first element it supports; the folders of its other elements hold a small
HTML page pointing at it. `index.html` lists everything and works offline (relative links);
`elements.xlsx` lists every element with its evidence, ratings and gap actions. The ZIP is
written to a temporary file, a chunk at a time, so memory does not grow with the evidence.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from collections import defaultdict
from html import escape
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.evidence.access import Viewer
from tracker.evidence.matrices import project_criteria
from tracker.evidence.models import (
    AssessmentRound,
    Element,
    ElementRating,
    EvidenceItem,
    EvidenceStatus,
    GapAction,
)
from tracker.evidence.readiness import SCALE_LABELS
from tracker.evidence.services import project_elements
from tracker.evidence.storage import Storage, storage
from tracker.exports import table_xlsx
from tracker.extensions import db
from tracker.filters import date as format_date
from tracker.projects.models import Project

ELEMENT_COLUMNS = ("Element", "Text", "Accepted evidence", "Ratings", "Gap actions")


def _folder(element: Element) -> str:
    return f"criterion-{element.code.split('.')[0]}/element-{element.code}"


def _accepted(project: Project, viewer: Viewer) -> list[EvidenceItem]:
    return list(
        db.session.execute(
            select(EvidenceItem)
            .where(
                EvidenceItem.project_id == project.id,
                EvidenceItem.status == EvidenceStatus.ACCEPTED,
                viewer.visible_clause(),
            )
            .options(
                selectinload(EvidenceItem.elements),
                selectinload(EvidenceItem.files),
                selectinload(EvidenceItem.work_stream),
            )
            .order_by(EvidenceItem.id)
        ).scalars()
    )


def _pointer(title: str, target: str) -> str:
    return (
        f"<!doctype html><meta charset='utf-8'><title>{escape(title)}</title>"
        f"<p>This evidence is kept once, with another element: "
        f"<a href='{escape(target)}'>{escape(title)}</a></p>"
    )


def _workbook(
    elements: list[Element],
    items_by_element: dict[int, list[EvidenceItem]],
    ratings: dict[int, list[str]],
    actions: dict[int, list[str]],
) -> bytes:
    """`elements.xlsx`, written like every other spreadsheet of the tracker by
    tracker/exports.py, so that an evidence title or gap action is never a formula."""
    rows = [
        {
            "Element": element.code,
            "Text": element.text,
            "Accepted evidence": "; ".join(i.title for i in items_by_element.get(element.id, [])),
            "Ratings": "; ".join(ratings.get(element.id, [])),
            "Gap actions": "; ".join(actions.get(element.id, [])),
        }
        for element in elements
    ]
    return table_xlsx(ELEMENT_COLUMNS, rows, "Elements")


def _entry(
    archive: zipfile.ZipFile,
    store: Storage,
    element: Element,
    item: EvidenceItem,
    stored_at: dict[int, str],
) -> str:
    """The index entry of one item under one element, copying its current file into the
    element's folder the first time the item is met and writing a pointer page after that."""
    details = escape(item.work_stream.name)
    if item.evidence_date:
        details += f", dated {format_date(item.evidence_date)}"
    title = escape(item.title)
    link = (
        f" – on the intranet: <a href='{escape(item.link_url)}'>{escape(item.link_url)}</a>"
        if item.link_url
        else ""
    )
    if not item.files:
        return f"{title} ({details}){link}"
    current = item.files[-1]
    folder = _folder(element)
    if item.id not in stored_at:
        if not store.exists(current.storage_key):  # lost from storage: say so, do not fail
            return f"{title} ({details}): the file {escape(current.original_name)} is missing"
        path = f"{folder}/{item.id}-{current.original_name}"
        with (
            store.open_reader(current.storage_key) as source,
            archive.open(path, "w", force_zip64=True) as target,
        ):
            shutil.copyfileobj(source, target, 1024 * 1024)
        stored_at[item.id] = path
    else:
        pointer = f"{folder}/{item.id}-{current.original_name}.html"
        depth = "../" * (folder.count("/") + 1)
        archive.writestr(pointer, _pointer(item.title, depth + stored_at[item.id]))
    href = escape(stored_at[item.id])
    return (
        f"<a href='{href}'>{title}</a> ({details}; {escape(current.original_name)}, "
        f"version {current.version}, SHA-256 {current.sha256}){link}"
    )


def write_pack(project: Project, viewer: Viewer, out: BinaryIO, today: dt.date) -> int:
    """Write the pack to `out`; returns how many files it holds (each stored once)."""
    elements = project_elements(project)
    items = _accepted(project, viewer)
    items_by_element: dict[int, list[EvidenceItem]] = defaultdict(list)
    for item in items:
        for element in item.elements:
            items_by_element[element.id].append(item)
    ratings: dict[int, list[str]] = defaultdict(list)
    for rating in db.session.execute(
        select(ElementRating)
        .join(AssessmentRound)
        .where(AssessmentRound.project_id == project.id)
        .options(
            selectinload(ElementRating.round),
            selectinload(ElementRating.service),
            selectinload(ElementRating.work_stream),
        )
    ).scalars():
        who = rating.service or rating.work_stream
        label = SCALE_LABELS[rating.round.scale].get(rating.rating, rating.rating)
        ratings[rating.element_id].append(
            f"{rating.round.name}{' – ' + who.name if who else ''}: {label}"
        )
    actions: dict[int, list[str]] = defaultdict(list)
    for action in db.session.execute(
        select(GapAction).where(GapAction.project_id == project.id)
    ).scalars():
        actions[action.element_id].append(f"{action.description} ({action.status.value})")

    stored_at: dict[int, str] = {}  # item id -> path of its one copy in the ZIP
    index = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Evidence pack – {escape(project.name)}</title></head><body>",
        f"<h1>Evidence pack: {escape(project.name)}</h1>",
        f"<p>Made on {format_date(today)}. The accepted evidence for each of the "
        f"{len(elements)} elements, a folder per criterion and element. A file that supports "
        "several elements is kept once, in the folder of the first; the folders of the others "
        "hold a page pointing at it. <a href='elements.xlsx'>elements.xlsx</a> lists every "
        "element with its evidence, ratings and gap actions.</p>",
    ]
    store = storage()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for criterion in project_criteria(project):
            index.append(f"<h2>Criterion {criterion.number}: {escape(criterion.title)}</h2>")
            for sub in criterion.subcriteria:
                index.append(f"<h3>{escape(sub.code)} {escape(sub.title)}</h3>")
                for element in sub.elements:
                    index.append(
                        f"<h4>Element {escape(element.code)}</h4><p>{escape(element.text)}</p>"
                    )
                    found = items_by_element.get(element.id, [])
                    entries = [_entry(archive, store, element, i, stored_at) for i in found]
                    index.append(
                        "<ul>" + "".join(f"<li>{e}</li>" for e in entries) + "</ul>"
                        if entries
                        else "<p>No accepted evidence.</p>"
                    )
        index.append("</body></html>")
        archive.writestr("index.html", "\n".join(index))
        archive.writestr("elements.xlsx", _workbook(elements, items_by_element, ratings, actions))
    return len(stored_at)
