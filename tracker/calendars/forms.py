from __future__ import annotations

from flask_wtf import FlaskForm

from tracker.forms import SubmitButton


class ResetForm(FlaskForm):
    """Only the CSRF token and the button: resetting is a POST."""

    submit = SubmitButton("Reset the address")
