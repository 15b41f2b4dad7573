"""Budget lines, spend and staff time (Project Document sections 10.1 and 10.2).

Where each rule lives:
- `ledger`: funding sources, budget lines and spend; finding them, and the rules for saving them.
- `figures`: what the money adds up to (actual, remaining, over allocation), derived, never stored.
- `months`: planned against actual spend month by month, and the month arithmetic.
- `staff`: staff days as typed, planned against recorded days by role, recording a month's days.
- `staff_edit`: the staff-days form's guard against replacing days the person did not see.
- `charts`, `forms`, `views`: the pages.
"""

from flask import Blueprint

bp = Blueprint("budget", __name__)
