"""Views of the highlight reports: the list, drafting, editing, issuing, correcting, PDF."""

from __future__ import annotations

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from tracker.database import utcnow
from tracker.extensions import db
from tracker.filters import london_today
from tracker.issues.services import project_group_meetings
from tracker.permissions import can, requires
from tracker.projects.models import Meeting
from tracker.reports import bp
from tracker.reports.drafting import BUDGET_RULE, RAG_WORDS, RESOURCE_RULE, SCHEDULE_RULE
from tracker.reports.forms import ActionForm, PeriodForm
from tracker.reports.meeting_pack import meeting_pack
from tracker.reports.models import HighlightReport, ReportStatus
from tracker.reports.pdf import report_pdf
from tracker.reports.services import (
    ReportError,
    correction,
    issue,
    new_draft,
    project_reports,
    save_sections,
)
from tracker.risks.services import LEVEL_WORDS

MAX_TEXT = 5000


def _may_see_drafts() -> bool:
    return can("report.view_drafts", g.roles)


def _load(report_id: int) -> HighlightReport:
    report = db.session.get(HighlightReport, report_id)
    if report is None or report.project_id != g.project.id:
        abort(404)
    if report.status is ReportStatus.DRAFT and not _may_see_drafts():
        abort(404)
    return report


@bp.route("/projects/<slug>/reports")
@requires("report.view")
def reports(slug: str) -> str:
    return render_template(
        "reports/reports.html",
        project=g.project,
        reports=project_reports(g.project, drafts=_may_see_drafts()),
        title="Highlight reports",
    )


@bp.route("/projects/<slug>/reports/new", methods=["GET", "POST"])
@requires("report.write")
def report_new(slug: str) -> tuple[str, int] | BaseResponse:
    form = PeriodForm()
    if form.validate_on_submit():
        report = new_draft(
            g.project,
            current_user,
            form.period_start.data,
            form.period_end.data,
            london_today(),
        )
        db.session.commit()
        flash("The report is drafted from the tracker's data: check the wording.", "success")
        return redirect(url_for("reports.report_edit", slug=slug, report_id=report.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "reports/report_new.html", project=g.project, form=form, title="Draft a highlight report"
    ), status


@bp.route("/projects/<slug>/reports/<int:report_id>")
@requires("report.view")
def report(slug: str, report_id: int) -> str:
    found = _load(report_id)
    corrected_by = (
        db.session.execute(
            db.select(HighlightReport).where(HighlightReport.corrects_id == found.id)
        )
        .scalars()
        .all()
    )
    return render_template(
        "reports/report.html",
        project=g.project,
        report=found,
        corrected_by=[
            r for r in corrected_by if r.status is ReportStatus.ISSUED or _may_see_drafts()
        ],
        rag_words=RAG_WORDS,
        action_form=ActionForm(),
        title=_title(found),
    )


def _title(report: HighlightReport) -> str:
    number = f" {report.number}" if report.number else " (draft)"
    period = f"{report.period_start:%d %b %Y} to {report.period_end:%d %b %Y}"
    return f"{report.kind.label}{number}: {period}"


@bp.route("/projects/<slug>/reports/<int:report_id>/edit", methods=["GET", "POST"])
@requires("report.write")
def report_edit(slug: str, report_id: int) -> tuple[str, int] | BaseResponse:
    found = _load(report_id)
    if found.status is ReportStatus.ISSUED:
        flash("An issued report cannot be changed: issue a correction instead.", "error")
        return redirect(url_for("reports.report", slug=slug, report_id=found.id))
    form = ActionForm()
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        edits = {}
        for section in found.sections:
            key = section["key"]
            text = request.form.get(f"text-{key}", "")
            status = request.form.get(f"status-{key}") or None
            if len(text) > MAX_TEXT:
                errors[key] = f"{section['heading']} must be {MAX_TEXT} characters or fewer"
            elif status not in (None, *RAG_WORDS):
                errors[key] = f"Select a status for {section['heading']}"
            edits[key] = (status, text)
        if not errors:
            save_sections(found, edits)
            db.session.commit()
            flash("Report saved.", "success")
            return redirect(url_for("reports.report", slug=slug, report_id=found.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "reports/report_edit.html",
        project=g.project,
        report=found,
        form=form,
        errors=errors,
        values=request.form if request.method == "POST" else None,
        rag_words=RAG_WORDS,
        rules={
            "schedule_status": SCHEDULE_RULE,
            "budget_status": BUDGET_RULE,
            "resource_status": RESOURCE_RULE,
        },
        title=f"Edit: {_title(found)}",
    ), status


@bp.route("/projects/<slug>/reports/<int:report_id>/issue", methods=["POST"])
@requires("report.write")
def report_issue(slug: str, report_id: int) -> BaseResponse:
    found = _load(report_id)
    if ActionForm().validate_on_submit():
        try:
            issue(found, g.project, london_today(), utcnow())
        except ReportError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(f"{found.kind.label} {found.number} issued: it is now frozen.", "success")
    return redirect(url_for("reports.report", slug=slug, report_id=found.id))


@bp.route("/projects/<slug>/reports/<int:report_id>/correct", methods=["POST"])
@requires("report.write")
def report_correct(slug: str, report_id: int) -> BaseResponse:
    found = _load(report_id)
    if ActionForm().validate_on_submit():
        try:
            fixed = correction(found, current_user)
        except ReportError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash("A correction is drafted: change what was wrong, then issue it.", "success")
            return redirect(url_for("reports.report_edit", slug=slug, report_id=fixed.id))
    return redirect(url_for("reports.report", slug=slug, report_id=found.id))


@bp.route("/projects/<slug>/reports/<int:report_id>/pdf")
@requires("report.view")
def report_pdf_download(slug: str, report_id: int) -> Response:
    found = _load(report_id)
    response = Response(report_pdf(g.project, found, _title(found)), mimetype="application/pdf")
    name = f"{g.project.slug}-highlight-report-{found.number or 'draft'}.pdf"
    response.headers.set("Content-Disposition", "attachment", filename=name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/projects/<slug>/meetings/<int:meeting_id>/pack")
@requires("report.view_drafts")
def meeting_pack_page(slug: str, meeting_id: int) -> str:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.project_id != g.project.id:
        abort(404)
    return render_template(
        "reports/meeting_pack.html",
        project=g.project,
        pack=meeting_pack(g.project, meeting),
        rag_words=RAG_WORDS,
        level_words=LEVEL_WORDS,
        title=f"Pack for the project group meeting of {meeting.held_on:%d %b %Y}",
    )


@bp.route("/projects/<slug>/meetings")
@requires("report.view_drafts")
def meetings(slug: str) -> str:
    return render_template(
        "reports/meetings.html",
        project=g.project,
        meetings=list(reversed(project_group_meetings(g.project))),
        title="Project group meetings",
    )
