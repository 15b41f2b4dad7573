"""The assessor's pack: one ZIP for a documentary review.

A folder per criterion and element holds the accepted evidence. Each file is stored once, in
the folder of the first element it supports; the folders of its other elements hold a small
HTML page pointing at it. `index.html` lists everything and works offline (relative links);
`elements.xlsx` lists every element with its evidence, ratings and gap actions. The ZIP is
written to a temporary file, a chunk at a time, so memory does not grow with the evidence.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from collections import defaultdict
from html import escape
from typing import BinaryIO

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.evidence.access import Viewer
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
from tracker.evidence.storage import storage
from tracker.extensions import db
from tracker.projects.models import Project


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
    book = Workbook()
    sheet = book.active
    sheet.title = "Elements"
    sheet.append(["Element", "Text", "Accepted evidence", "Ratings", "Gap actions"])
    for element in elements:
        sheet.append(
            [
                element.code,
                element.text,
                "; ".join(i.title for i in items_by_element.get(element.id, [])),
                "; ".join(ratings.get(element.id, [])),
                "; ".join(actions.get(element.id, [])),
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_pack(project: Project, viewer: Viewer, out: BinaryIO) -> int:
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
        "<!doctype html><html lang='en'><meta charset='utf-8'>",
        f"<title>Evidence pack – {escape(project.name)}</title>",
        f"<h1>Evidence pack: {escape(project.name)}</h1>",
    ]
    store = storage()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for element in elements:
            folder = _folder(element)
            index.append(f"<h2>Element {escape(element.code)}</h2><p>{escape(element.text)}</p>")
            index.append("<ul>")
            for item in items_by_element.get(element.id, []):
                if item.link_url and not item.files:
                    index.append(
                        f"<li>{escape(item.title)}: <a href='{escape(item.link_url)}'>"
                        f"{escape(item.link_url)}</a></li>"
                    )
                    continue
                current = item.files[-1]
                if item.id not in stored_at:
                    path = f"{folder}/{item.id}-{current.original_name}"
                    with (
                        store.open_reader(current.storage_key) as source,
                        archive.open(path, "w", force_zip64=True) as target,
                    ):
                        shutil.copyfileobj(source, target, 1024 * 1024)
                    stored_at[item.id] = path
                    href = path
                else:
                    pointer = f"{folder}/{item.id}-{current.original_name}.html"
                    depth = "../" * (folder.count("/") + 1)
                    archive.writestr(pointer, _pointer(item.title, depth + stored_at[item.id]))
                    href = stored_at[item.id]
                index.append(
                    f"<li><a href='{escape(href)}'>{escape(item.title)}</a> "
                    f"({escape(item.work_stream.name)})</li>"
                )
            index.append("</ul>")
        archive.writestr("index.html", "\n".join(index))
        archive.writestr("elements.xlsx", _workbook(elements, items_by_element, ratings, actions))
    return len(stored_at)
