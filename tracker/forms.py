"""Form pieces shared by every area."""

from __future__ import annotations

from wtforms.validators import DataRequired


class Required(DataRequired):
    """DataRequired without the HTML `required` attribute.

    GOV.UK pages validate on the server and show the message beside the field; the browser's
    own pop-up would bypass the error summary.
    """

    field_flags: dict = {}
