"""What the worker can prepare: for each kind, the permission it needs (to ask and to fetch),
how the file is written and what it is called when downloaded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from flask import url_for

from tracker.evidence.access import viewer_for
from tracker.evidence.pack import write_pack
from tracker.extensions import db
from tracker.filters import LONDON, london_today
from tracker.permissions import project_roles
from tracker.prepared.models import PreparedDownload
from tracker.reports.models import HighlightReport
from tracker.reports.pdf import report_pdf, report_title

EVIDENCE_PACK = "evidence_pack"
REPORT_PDF = "report_pdf"


@dataclass(frozen=True)
class Kind:
    action: str  # the permission of the original route: needed to ask and to fetch
    label: str  # "Your {label} is being prepared"
    mimetype: str
    write: Callable[[PreparedDownload, BinaryIO], None]
    filename: Callable[[PreparedDownload], str]
    again: Callable[[PreparedDownload], str]  # the original route, to ask once more


def _write_pack(found: PreparedDownload, out: BinaryIO) -> None:
    """The pack as the requester would have had it in the request: only what they may see."""
    person_id, project = found.requested_by_id, found.project
    viewer = viewer_for(person_id, project, project_roles(person_id, project.id))
    write_pack(project, viewer, out, london_today())


def _report(found: PreparedDownload) -> HighlightReport:
    report = db.session.get(HighlightReport, found.what)
    if report is None or report.project_id != found.project_id:
        raise LookupError("The report no longer exists.")
    return report


def _write_report(found: PreparedDownload, out: BinaryIO) -> None:
    report = _report(found)
    out.write(report_pdf(found.project, report, report_title(report)))


def _pack_name(found: PreparedDownload) -> str:
    made = found.finished_at or found.requested_at
    return f"{found.project.slug}-evidence-pack-{made.astimezone(LONDON).date().isoformat()}.zip"


def _report_name(found: PreparedDownload) -> str:
    return f"{found.project.slug}-highlight-report-{_report(found).number or 'draft'}.pdf"


def _pack_again(found: PreparedDownload) -> str:
    return url_for("evidence.pack", slug=found.project.slug)


def _report_again(found: PreparedDownload) -> str:
    return url_for("reports.report_pdf_download", slug=found.project.slug, report_id=found.what)


KINDS: dict[str, Kind] = {
    EVIDENCE_PACK: Kind(
        "evidence.pack",
        "assessor's pack",
        "application/zip",
        _write_pack,
        _pack_name,
        _pack_again,
    ),
    REPORT_PDF: Kind(
        "report.view",
        "highlight report PDF",
        "application/pdf",
        _write_report,
        _report_name,
        _report_again,
    ),
}
