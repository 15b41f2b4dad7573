from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import Length

from tracker.forms import Required


class TokenForm(FlaskForm):
    name = StringField(
        "Name of the token",
        description="What it is for, so that you know which one to revoke, for example "
        "'Performance dashboard'",
        widget=GovTextInput(),
        validators=[
            Required("Enter a name for the token"),
            Length(max=100, message="Name must be 100 characters or fewer"),
        ],
    )
    submit = SubmitField("Create token", widget=GovSubmitInput())


class RevokeForm(FlaskForm):
    """Only the CSRF token: revoking is a POST."""
