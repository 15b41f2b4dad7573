"""The issue log and requests for change (one register, as PRINCE2 keeps them).

- `log`: the issue log's entries (8.7), numbered by tracker.numbering.
- `changes`: requests for change (9.3): raising, the impact analysis, proposed effects, the
  decision and applying its effects to the plan and budget.
- `classification`: whether a change is major or minor, who decides it, and what that is based
  on (its effects in words, the money left, from tracker.budget.money_then).
- `decision_basis`: what a decision is based on, as its page words it (refused if it changed).
- `views` (the issue log, the list of changes) and `change_views` (one change's pages), on `bp`.

What a change may move is asked of tracker.plan.change_targets and tracker.budget.change_targets;
what its new dates would break in the plan, of tracker.plan.conflicts.
"""

from flask import Blueprint

bp = Blueprint("issues", __name__)
