"""Withdrawing records added by mistake, and restoring them (issue 13).

- `kinds.py`: the registry of withdrawable kinds: the word in the address, the model, the
  permission that edits it and the rule that may refuse.
- `rules.py`: those rules, one function each: what depends on a record keeps it in place.
- `services.py`: `withdraw` and `restore`, each done once, and the withdrawn records of a project.
- `forms.py`, `views.py`: the confirmation page of each kind, the withdrawn list and restoring.
"""

from flask import Blueprint

bp = Blueprint("withdrawal", __name__)
