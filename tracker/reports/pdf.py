"""A highlight report as PDF, laid out like appendix 5: headings, status, bullets, figures.

fpdf2 is used because it is pure Python: a council server needs no system libraries (Cairo,
Pango) for it. Its built-in Helvetica covers Latin-1 only, so the few other characters the
reports use are written in words or their nearest Latin-1 form.
"""

from __future__ import annotations

from fpdf import FPDF

from tracker.filters import money
from tracker.projects.models import Project
from tracker.reports.drafting import RAG_WORDS
from tracker.reports.models import HighlightReport

_LATIN1 = str.maketrans(
    {
        "✓": "(done)",
        "☺": "(on track)",
        "–": "-",
        "—": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "•": "-",
    }
)


def _text(value: object) -> str:
    return str(value).translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def report_pdf(project: Project, report: HighlightReport, title: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(_text(title))
    pdf.set_author(_text(project.council))
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(width, 5, _text(f"{project.council} - {project.name}"))
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(width, 8, _text(title))
    pdf.set_font("Helvetica", "", 10)
    status = f"Issued on {report.issued_on:%d %b %Y}" if report.issued_on else "Draft: not issued"
    if report.corrects_id:
        status += " (a correction of an earlier report)"
    pdf.multi_cell(width, 5, _text(status))
    pdf.ln(3)
    for section in report.sections:
        pdf.set_font("Helvetica", "B", 12)
        heading = section["heading"]
        if section.get("status"):
            heading += f" - {RAG_WORDS[section['status']]}"
        pdf.multi_cell(width, 7, _text(heading))
        pdf.set_font("Helvetica", "", 10)
        for line in (section.get("text") or "").splitlines() or ["None."]:
            if line.strip():
                pdf.set_x(pdf.l_margin + 4)
                pdf.multi_cell(width - 4, 5, _text(f"- {line.strip()}"))
        pdf.ln(2)
    budget = (report.snapshot or {}).get("budget_status")
    if budget:
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(width, 7, "Figures as issued")
        pdf.set_font("Helvetica", "", 10)
        for label, key in (
            ("Allocated", "allocated"),
            ("Spent", "spent"),
            ("Remaining", "remaining"),
        ):
            if key in budget:
                pdf.multi_cell(width, 5, _text(f"{label}: {money(budget[key])}"))
    return bytes(pdf.output())
