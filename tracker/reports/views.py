"""Views of the highlight reports: the list, drafting, editing, issuing, correcting, PDF."""

from __future__ import annotations

import io

from flask import (
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from tracker.budget.charts import spend_figure, spend_summary
from tracker.budget.months import months_between
from tracker.charts import figure_json
from tracker.database import utcnow
from tracker.evidence.charts import readiness_figure, readiness_summary
from tracker.extensions import db
from tracker.filters import date
from tracker.forms import MAX_TEXT, show_refusal
from tracker.permissions import can, requires
from tracker.plan.tasks import led_work_stream_ids
from tracker.plan.work_plan import project_work_streams
from tracker.prepared.kinds import REPORT_PDF
from tracker.prepared.services import ask, worker_available
from tracker.projects.models import Meeting, Role
from tracker.projects.status import status_date
from tracker.reports import bp
from tracker.reports.dashboard_charts import stage_figure, stage_summary
from tracker.reports.figures import (
    BUDGET_COLUMNS,
    WORK_PLAN_COLUMNS,
    IssuedFigures,
    issued_figures,
)
from tracker.reports.forms import ActionForm, PeriodForm, QuarterForm, StreamReportForm
from tracker.reports.meeting_pack import meeting_pack
from tracker.reports.models import HighlightReport, ReportKind, ReportStatus
from tracker.reports.pdf import report_pdf, report_title
from tracker.reports.services import (
    correction,
    issue,
    new_draft,
    project_reports,
    quarter_period,
    save_sections,
    streams_reported,
)
from tracker.reports.snapshots import spend_from_snapshot
from tracker.reports.statuses import (
    BUDGET_RULE,
    RAG_WORDS,
    RESOURCE_RULE,
    SCHEDULE_RULE,
    STREAM_RESOURCE_RULE,
    STREAM_SCHEDULE_RULE,
)
from tracker.rules import RuleRefused
from tracker.transactions import roll_back
from tracker.versioning import BLANK, Difference, form_status, is_stale, refuse, same


def _may_see_drafts() -> bool:
    return can("report.view_drafts", g.roles)


def _may_write(report: HighlightReport) -> bool:
    """Planners write every report; a work stream lead only their own stream's."""
    if can("report.write", g.roles):
        return True
    return (
        report.kind is ReportKind.WORK_STREAM
        and Role.WS_LEAD in g.roles
        and report.work_stream_id in led_work_stream_ids(current_user.id, g.project)
    )


def _load(report_id: int) -> HighlightReport:
    report = db.session.get(HighlightReport, report_id)
    if report is None or report.project_id != g.project.id:
        abort(404)
    if report.status is ReportStatus.DRAFT and not (_may_see_drafts() or _may_write(report)):
        abort(404)  # a lead sees their own stream's drafts
    return report


@bp.route("/projects/<slug>/reports")
@requires("report.view")
def reports(slug: str) -> str:
    found = project_reports(g.project, drafts=_may_see_drafts())
    streams, months, reported = [], [], {}
    if can("report.write", g.roles):  # the manager sees which streams have reported
        streams = project_work_streams(g.project)
        last = min(status_date(g.project), g.project.end_date).replace(day=1)
        months = months_between(g.project.start_date, last)
        reported = streams_reported(found, [s.id for s in streams], months)
    return render_template(
        "reports/reports.html",
        project=g.project,
        reports=found,
        streams=streams,
        months=months,
        reported=reported,
        title="Highlight reports",
    )


@bp.route("/projects/<slug>/reports/new", methods=["GET", "POST"])
@requires("report.write")
def report_new(slug: str) -> tuple[str, int] | BaseResponse:
    return _draft_from_form(
        slug,
        PeriodForm(),
        "Draft a highlight report",
        "The report is drafted from the tracker's data: check the wording.",
    )


def _draft_from_form(
    slug: str,
    form: PeriodForm,
    title: str,
    drafted: str,
    *,
    kind: ReportKind = ReportKind.PROJECT,
    work_stream_id: int | None = None,
) -> tuple[str, int] | BaseResponse:
    """Drafts the report `form` asks for, as the signed-in person, with the figures judged at
    the project's status date, and opens it to edit with the message `drafted`; else shows the
    form again (400 after a post)."""
    if form.validate_on_submit():
        try:
            report = new_draft(
                g.project,
                current_user,
                form.period_start.data,
                form.period_end.data,
                status_date(g.project),
                kind=kind,
                work_stream_id=work_stream_id,
            )
        except RuleRefused as refusal:
            show_refusal(form, refusal)
        else:
            flash(drafted, "success")
            return redirect(url_for("reports.report_edit", slug=slug, report_id=report.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "reports/report_new.html", project=g.project, form=form, title=title
    ), status


@bp.route("/projects/<slug>/reports/<int:report_id>")
@requires("report.view")
def report(slug: str, report_id: int) -> str:
    found = _load(report_id)
    figures = issued_figures(found.snapshot)
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
        may_write=_may_write(found),
        **_charts(found, figures),
        figures=figures,
        budget_columns=BUDGET_COLUMNS,
        work_plan_columns=WORK_PLAN_COLUMNS,
        action_form=ActionForm(row_version=found.row_version),
        title=report_title(found),
    )


def _charts(report: HighlightReport, figures: IssuedFigures) -> dict:
    """The quarterly report's charts (the stages, spend against plan, readiness by criterion)
    with their tables, from the figures frozen at issue."""
    if report.kind is not ReportKind.QUARTERLY:
        return {}
    charts: dict = {}
    months = spend_from_snapshot(report.snapshot or {})
    if months:
        charts |= {
            "months": months,
            "spend_chart": figure_json(spend_figure(months)),
            "spend_chart_summary": spend_summary(months),
        }
    if figures.stages and figures.taken_on:
        charts |= {
            "stage_chart": figure_json(
                stage_figure(figures.stages, figures.stage_statuses, [], figures.taken_on)
            ),
            "stage_chart_summary": stage_summary(
                figures.stages, figures.stage_statuses, [], figures.taken_on
            ),
        }
    if figures.readiness:
        charts |= {
            "readiness_chart": figure_json(readiness_figure(figures.readiness)),
            "readiness_chart_summary": readiness_summary(figures.readiness),
        }
    return charts


def _section_differences(
    report: HighlightReport, edits: dict[str, tuple[str | None, str]]
) -> list[Difference]:
    """The sections whose saved status or text is not what was typed."""
    found = []
    for section in report.sections:
        status, text = edits[section["key"]]
        heading = section["heading"].lower()
        if not same(section.get("status"), status):
            saved, typed = (RAG_WORDS.get(s or "", BLANK) for s in (section.get("status"), status))
            found.append(Difference(f"Status of {heading}", saved, typed))
        if not same(section["text"], text):
            found.append(Difference(f"Text of {heading}", section["text"] or BLANK, text or BLANK))
    return found


@bp.route("/projects/<slug>/reports/<int:report_id>/edit", methods=["GET", "POST"])
@requires("report.write_stream")
def report_edit(slug: str, report_id: int) -> tuple[str, int] | BaseResponse:
    found = _load(report_id)
    if not _may_write(found):
        abort(403)
    if found.status is ReportStatus.ISSUED:
        flash("An issued report cannot be changed: issue a correction instead.", "error")
        return redirect(url_for("reports.report", slug=slug, report_id=found.id))
    form = ActionForm(row_version=found.row_version)
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
        changed = _section_differences(found, edits) if is_stale(form, found) else []
        if changed and not errors:
            refuse(form, found, changed)  # shown again, what was typed beside what is saved
        elif not errors:
            save_sections(found, edits)
            flash("Report saved.", "success")
            return redirect(url_for("reports.report", slug=slug, report_id=found.id))
    status = form_status(form, request.method)
    return render_template(
        "reports/report_edit.html",
        project=g.project,
        report=found,
        form=form,
        errors=errors,
        values=request.form if request.method == "POST" else None,
        rag_words=RAG_WORDS,
        rules=(
            {"schedule_status": STREAM_SCHEDULE_RULE, "resource_status": STREAM_RESOURCE_RULE}
            if found.kind is ReportKind.WORK_STREAM
            else {
                "schedule_status": SCHEDULE_RULE,
                "budget_status": BUDGET_RULE,
                "resource_status": RESOURCE_RULE,
            }
        ),
        title=f"Edit: {report_title(found)}",
    ), status


@bp.route("/projects/<slug>/reports/<int:report_id>/issue", methods=["POST"])
@requires("report.write_stream")
def report_issue(slug: str, report_id: int) -> BaseResponse:
    found = _load(report_id)
    if not _may_write(found):
        abort(403)
    form = ActionForm()
    if form.validate_on_submit() and is_stale(form, found):
        flash("Someone changed the report since you opened it: read it again, then issue it.")
    elif form.validate_on_submit():
        try:
            issue(found, g.project, status_date(g.project), utcnow(), by=current_user)
        except RuleRefused as refusal:
            roll_back()  # the answer is a redirect, which would commit
            flash(refusal.message, "error")
        else:
            flash(f"{found.kind.label} {found.number} issued: it is now frozen.", "success")
    return redirect(url_for("reports.report", slug=slug, report_id=found.id))


@bp.route("/projects/<slug>/reports/<int:report_id>/correct", methods=["POST"])
@requires("report.write_stream")
def report_correct(slug: str, report_id: int) -> BaseResponse:
    found = _load(report_id)
    if not _may_write(found):
        abort(403)
    if ActionForm().validate_on_submit():
        try:
            fixed = correction(found, current_user)
        except RuleRefused as refusal:
            roll_back()  # the answer is a redirect, which would commit
            flash(refusal.message, "error")
        else:
            flash("A correction is drafted: change what was wrong, then issue it.", "success")
            return redirect(url_for("reports.report_edit", slug=slug, report_id=fixed.id))
    return redirect(url_for("reports.report", slug=slug, report_id=found.id))


@bp.route("/projects/<slug>/reports/<int:report_id>/pdf")
@requires("report.view")
def report_pdf_download(slug: str, report_id: int) -> BaseResponse:
    """The PDF, built in the request; with a worker (REDIS_URL), built by it while the person
    waits on the prepared download's page."""
    found = _load(report_id)
    if worker_available():
        asked = ask(g.project, current_user.id, REPORT_PDF, found.id)
        return redirect(url_for("prepared.waiting", slug=slug, download_id=asked.id))
    return send_file(
        io.BytesIO(report_pdf(g.project, found, report_title(found))),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{g.project.slug}-highlight-report-{found.number or 'draft'}.pdf",
    )


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
        title=f"Pack for the project group meeting of {date(meeting.held_on)}",
    )


@bp.route("/projects/<slug>/reports/new-work-stream", methods=["GET", "POST"])
@requires("report.write_stream")
def report_new_stream(slug: str) -> tuple[str, int] | BaseResponse:
    """Appendix 6: a lead drafts their stream's report; planners any stream's."""
    streams = project_work_streams(g.project)
    if not can("report.write", g.roles):
        led = led_work_stream_ids(current_user.id, g.project)
        streams = [s for s in streams if s.id in led]
    if not streams:
        abort(403)
    form = StreamReportForm()
    form.work_stream.choices = [SelectChoice(s.id, s.name) for s in streams]
    return _draft_from_form(  # the field takes only the streams offered
        slug,
        form,
        "Draft a work stream report",
        "The work stream report is drafted: check the wording and set the resource status.",
        kind=ReportKind.WORK_STREAM,
        work_stream_id=form.work_stream.data,
    )


@bp.route("/projects/<slug>/reports/new-quarterly", methods=["GET", "POST"])
@requires("report.write")
def report_new_quarter(slug: str) -> tuple[str, int] | BaseResponse:
    """The quarterly report for the EMT and the lead member."""
    form = QuarterForm()
    years = range(g.project.start_date.year, g.project.end_date.year + 1)
    form.year.choices = [SelectChoice(y, str(y)) for y in years]
    if form.validate_on_submit():
        start, end = quarter_period(form.year.data, int(form.quarter.data))
        report = new_draft(
            g.project, current_user, start, end, status_date(g.project), kind=ReportKind.QUARTERLY
        )
        flash("The quarterly report is drafted: check the wording.", "success")
        return redirect(url_for("reports.report_edit", slug=slug, report_id=report.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "reports/report_new.html",
        project=g.project,
        form=form,
        title="Draft a quarterly report for the EMT and lead member",
    ), status
