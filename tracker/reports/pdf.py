"""A highlight report as PDF, laid out like appendices 5 and 6: the header block (project or
work stream, period, date issued, produced by), then each heading with its status and bullets,
then the figures the report kept when it was issued.

fpdf2 is used because it is pure Python: a council server needs no system libraries (Cairo,
Pango) for it. Its built-in Helvetica covers Latin-1 only, so the few other characters the
reports use are written in words or their nearest Latin-1 form.
"""

from __future__ import annotations

from collections.abc import Sequence

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from tracker.evidence.readiness import Compliance
from tracker.filters import date, money
from tracker.projects.models import Project
from tracker.reports.figures import (
    BUDGET_COLUMNS,
    MILESTONE_COLUMNS,
    WORK_PLAN_COLUMNS,
    issued_figures,
)
from tracker.reports.models import HighlightReport
from tracker.reports.statuses import RAG_WORDS

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
# Every line starts at the left margin: fpdf2 would otherwise carry on to the right of a cell.
_NEXT_LINE = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}


def _text(value: object) -> str:
    return str(value).translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def _money(pence: int | None) -> str:
    return money(pence) if pence is not None else ""


class _ReportPdf(FPDF):
    def heading(self, text: str, size: int = 12) -> None:
        self.set_font("Helvetica", "B", size)
        self.multi_cell(0, size * 0.6, _text(text), **_NEXT_LINE)
        self.set_font("Helvetica", "", 10)

    def line_of_text(self, text: str, indent: float = 0) -> None:
        self.set_x(self.l_margin + indent)
        self.multi_cell(0, 5, _text(text), **_NEXT_LINE)

    def grid(
        self,
        caption: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[object]],
        widths: Sequence[int],
    ) -> None:
        self.ln(2)
        if self.will_page_break(20):  # keep a caption with its table's first rows
            self.add_page()
        self.heading(caption, 11)
        self.set_font("Helvetica", "", 9)
        with self.table(col_widths=widths, text_align="LEFT", line_height=5) as table:
            table.row([_text(c) for c in columns])
            for values in rows:
                table.row([_text("" if v is None else v) for v in values])
        self.set_font("Helvetica", "", 10)


def report_title(report: HighlightReport) -> str:
    """The report's title, as its page and its PDF show it."""
    number = f" {report.number}" if report.number else " (draft)"
    period = f"{date(report.period_start)} to {date(report.period_end)}"
    return f"{report.kind.label}{number}: {period}"


def report_pdf(project: Project, report: HighlightReport, title: str) -> bytes:
    pdf = _ReportPdf(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(_text(title))
    pdf.set_author(_text(project.council))
    pdf.add_page()
    pdf.set_font("Helvetica", "", 10)
    pdf.line_of_text(project.council)
    pdf.heading(title, 16)
    pdf.ln(2)
    issued = f"{date(report.issued_on)} (frozen as issued)" if report.issued_on else "Draft"
    if report.corrects is not None:
        issued += f"; corrects {report.corrects.kind.label.lower()} {report.corrects.number}"
    header = [
        (
            "Work Stream" if report.work_stream else "Project Name",
            report.work_stream.name if report.work_stream else project.name,
        ),
        ("Period Covered", f"{date(report.period_start)} to {date(report.period_end)}"),
        ("Date Issued", issued),
        ("Produced By", report.produced_by.name if report.produced_by else "Not recorded"),
    ]
    with pdf.table(col_widths=(1, 3), text_align="LEFT", first_row_as_headings=False) as table:
        for label, value in header:
            row = table.row()
            pdf.set_font("Helvetica", "B", 10)
            row.cell(_text(label + ":"))
            pdf.set_font("Helvetica", "", 10)
            row.cell(_text(value))
    pdf.ln(4)
    for section in report.sections:
        heading = section["heading"]
        if section.get("status"):
            heading += f": {RAG_WORDS[section['status']]}"
        elif section["key"].endswith("_status"):
            heading += ": no status"
        pdf.heading(heading)
        lines = [line.strip() for line in (section.get("text") or "").splitlines() if line.strip()]
        for line in lines or ["None."]:
            pdf.line_of_text(f"- {line}", indent=4)
        pdf.ln(2)
    _figures(pdf, report)
    return bytes(pdf.output())


def _figures(pdf: _ReportPdf, report: HighlightReport) -> None:
    """The figures the report kept when it was issued."""
    figures = issued_figures(report.snapshot)
    if figures.budget or figures.staff_days:
        pdf.heading("Figures as issued")
        for label, pence in figures.budget:
            pdf.line_of_text(f"Budget {label.lower()}: {money(pence)}")
        if figures.staff_days:
            planned, used = figures.staff_days
            pdf.line_of_text(f"Staff days used: {used} of {planned} planned")
    if figures.milestones:
        pdf.grid(
            "Milestones as issued",
            MILESTONE_COLUMNS,
            [
                (m["name"], date(m["scheduled"]), date(m["baseline"]) or "None", m["variance_days"])
                for m in figures.milestones
            ],
            (5, 2, 2, 2),
        )
    if figures.work_plan:
        pdf.grid(
            "Work plan as issued",
            WORK_PLAN_COLUMNS,
            [
                tuple(row.get(k, "") for k in ("code", "activity", "responsibility", "target"))
                + (row.get("progress", ""), row.get("comments", ""))
                for row in figures.work_plan
            ],
            (1, 6, 3, 2, 2, 4),
        )
    if figures.stages:
        pdf.grid(
            "The stages, as issued",
            ("Stage", "Starts", "Ends", "Status"),
            [
                (
                    f"{s.number}. {s.name}",
                    date(s.start_date),
                    date(s.end_date),
                    figures.stage_statuses[s.number].label,
                )
                for s in figures.stages
            ],
            (5, 2, 2, 3),
        )
    if figures.readiness:
        pdf.grid(
            "Readiness by criterion, as issued",
            ("Criterion", *(c.label for c in Compliance)),
            [
                (f"Criterion {number}", *(counts[c] for c in Compliance))
                for number, counts in figures.readiness.by_criterion.items()
            ],
            (2, 2, 2, 2),
        )
        pdf.line_of_text(figures.readiness.sentence)
    for table in figures.budgets:
        pdf.grid(
            f"{table.title}, as issued",
            BUDGET_COLUMNS,
            [(qty, product, *(_money(p) for p in pence)) for qty, product, *pence in table.lines]
            + [("", "Total", "", *(_money(p) for p in table.total))],
            (1, 6, 2, 2, 2, 2),
        )
