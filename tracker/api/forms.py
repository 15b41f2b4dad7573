from __future__ import annotations

from flask_wtf import FlaskForm

from tracker.forms import MaxLength, Required, SubmitButton, TextInputField


class TokenForm(FlaskForm):
    name = TextInputField(
        "Name of the token",
        description="What it is for, so that you know which one to revoke, for example "
        "'Performance dashboard'",
        validators=[
            Required(thing="a name for the token"),
            MaxLength(100, "Name"),
        ],
    )
    submit = SubmitButton("Create token")


class RevokeForm(FlaskForm):
    """Only the CSRF token: revoking is a POST."""
