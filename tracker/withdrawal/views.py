"""Withdrawing a record (a confirmation page with a reason, one route per kind so that each
declares its kind's edit permission), the withdrawn list and restoring from it."""

from __future__ import annotations

from flask import Flask, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from tracker.database import WithdrawableMixin, utcnow
from tracker.forms import capitalised, show_refusal
from tracker.permissions import requires
from tracker.rules import RuleRefused
from tracker.versioning import form_status, is_stale, refuse
from tracker.withdrawal import bp
from tracker.withdrawal.forms import KindFilterForm, RestoreForm, WithdrawForm
from tracker.withdrawal.kinds import KINDS, Kind, kind_of
from tracker.withdrawal.services import find_record, restore, withdraw, withdrawn_records


def withdraw_url(record: WithdrawableMixin) -> str:
    """In a template: the address of the page that withdraws `record` (of the current project)."""
    kind = kind_of(record)
    return url_for(
        f"withdrawal.withdraw_{kind.word.replace('-', '_')}",
        slug=g.project.slug,
        record_id=record.id,
    )


def _withdraw_page(kind: Kind, record_id: int) -> tuple[str, int] | BaseResponse:
    record = find_record(g.project, kind, record_id)
    if record is None:
        abort(404)
    if not kind.may_edit(record):
        abort(403)
    form = WithdrawForm()
    if request.method == "GET":
        form.row_version.data = record.row_version
    elif form.validate_on_submit():
        if is_stale(form, record) and not record.is_withdrawn:
            refuse(form, record)  # changed since the page showed it: withdraw nothing
        else:
            try:
                withdraw(record, form.reason.data or "", current_user, utcnow())
            except RuleRefused as refusal:
                show_refusal(form, refusal)
            else:
                flash(
                    f"{capitalised(kind.name)} withdrawn: {kind.describe(record)}. "
                    "The project manager can restore it from the withdrawn records.",
                    "success",
                )
                return redirect(url_for(kind.listing, slug=g.project.slug))
    refusal = None if record.is_withdrawn else kind.refusal(record)
    return render_template(
        "withdrawal/confirm.html",
        project=g.project,
        form=form,
        kind=kind,
        record=record,
        description=kind.describe(record),
        refusal=refusal,
        back=kind.page(record, g.project.slug) if not record.is_withdrawn else None,
        title=f"Withdraw this {kind.name}",
    ), form_status(form, request.method)


def _add_withdraw_route(kind: Kind) -> None:
    """/projects/<slug>/withdraw/<word>/<id>, needing the permission that edits the kind."""

    def view(slug: str, record_id: int) -> tuple[str, int] | BaseResponse:
        return _withdraw_page(kind, record_id)

    endpoint = f"withdraw_{kind.word.replace('-', '_')}"
    view.__name__ = endpoint
    bp.add_url_rule(
        f"/projects/<slug>/withdraw/{kind.word}/<int:record_id>",
        endpoint,
        requires(kind.action)(view),
        methods=["GET", "POST"],
    )


for _kind in KINDS.values():
    _add_withdraw_route(_kind)


@bp.route("/projects/<slug>/withdrawn")
@requires("record.restore")
def withdrawn(slug: str) -> tuple[str, int]:
    filter_form = KindFilterForm(request.args)
    filter_form.kind.choices = [SelectChoice("", "Every kind")] + [
        SelectChoice(kind.word, capitalised(kind.plural)) for kind in KINDS.values()
    ]
    chosen = KINDS.get(filter_form.kind.data or "")
    records = withdrawn_records(g.project, [chosen] if chosen else list(KINDS.values()))
    return render_template(
        "withdrawal/withdrawn.html",
        project=g.project,
        records=records,
        chosen=chosen,
        filter_form=filter_form,
        restore_form=RestoreForm(),
        title="Withdrawn records",
    ), 200


@bp.route("/projects/<slug>/withdrawn/<word>/<int:record_id>/restore", methods=["POST"])
@requires("record.restore")
def restore_record(slug: str, word: str, record_id: int) -> BaseResponse:
    kind = KINDS.get(word)
    record = find_record(g.project, kind, record_id) if kind else None
    if kind is None or record is None:
        abort(404)
    back = url_for("withdrawal.withdrawn", slug=slug)
    form = RestoreForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        restore(record, current_user)
    except RuleRefused as refusal:
        flash(refusal.message, "error")
        return redirect(back)
    flash(f"{capitalised(kind.name)} restored: {kind.describe(record)}.", "success")
    return redirect(back)


def register_globals(app: Flask) -> None:
    app.add_template_global(withdraw_url)
