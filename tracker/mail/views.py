"""The account page where a person chooses which e-mail they get."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from tracker.auth.models import MailPreference
from tracker.mail import bp
from tracker.mail.forms import PreferenceForm
from tracker.permissions import SIGNED_IN, requires


@bp.route("/account/email", methods=["GET", "POST"])
@requires(SIGNED_IN)
def preferences() -> tuple[str, int] | BaseResponse:
    form = PreferenceForm(data={"preference": current_user.mail_preference.value})
    if form.validate_on_submit():
        current_user.mail_preference = MailPreference(form.preference.data)
        flash(f"E-mail settings saved: {current_user.mail_preference.label.lower()}.", "success")
        return redirect(url_for("mail.preferences"))
    return render_template(
        "account/email.html", title="Your e-mail settings", form=form
    ), 400 if form.errors else 200
