"""The page where a signed-in user makes and revokes their own API tokens."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.api import tokens_bp as bp
from tracker.api.forms import RevokeForm, TokenForm
from tracker.api.services import create_token, person_tokens, revoke_token
from tracker.database import utcnow
from tracker.permissions import SIGNED_IN, requires


def _page(form: TokenForm, new_token: str | None = None, status: int = 200) -> tuple[str, int]:
    return render_template(
        "api/tokens.html",
        title="API tokens",
        form=form,
        revoke_form=RevokeForm(),
        tokens=person_tokens(current_user),
        new_token=new_token,
    ), status


@bp.route("/account/api-tokens", methods=["GET", "POST"])
@requires(SIGNED_IN)
def tokens() -> tuple[str, int]:
    form = TokenForm()
    if form.validate_on_submit():
        token, secret = create_token(current_user, form.name.data, utcnow())
        # Shown on this response only: it is not stored, so it cannot be shown again.
        return _page(TokenForm(formdata=None), new_token=secret)
    return _page(form, status=400 if form.errors else 200)


@bp.route("/account/api-tokens/<int:token_id>/revoke", methods=["POST"])
@requires(SIGNED_IN)
def revoke(token_id: int) -> Response:
    if not RevokeForm().validate_on_submit():
        abort(400)
    token = revoke_token(current_user, token_id, utcnow())
    if token is None:
        abort(404)
    flash(f"The token ‘{token.name}’ is revoked: it can no longer read the API.", "success")
    return redirect(url_for("api_tokens.tokens"))
