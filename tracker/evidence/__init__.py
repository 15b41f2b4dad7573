"""The standard, the evidence library, ratings, readiness and gap actions.

Where each thing lives (the rules take models and plain values, never `request`; they flush,
never commit, and refuse with `tracker.rules.RuleRefused`):

Rules
- `services.py`: the library's rules. Who adds evidence for which work stream, the steps of a
  review (draft, submitted, accepted or returned), file versions, personal data and its
  retention date, reading element codes and links as typed, and reading the library.
- `access.py`: who may see an item (personal data is seen only by its stream, the managers and
  the assessor), as a check on a loaded item and as SQL.
- `ratings.py`: rating rounds (their name, scale and scope), who may rate what, saving one
  column of a round's ratings, and reading a spreadsheet of ratings.
- `rating_grid.py`: the ratings grid's guard against a save made from a stale page.
- `readiness.py`: the standard's accreditation rule (46 / 11 / 0 for CSE), and each element's
  compliance: the assessor's ratings, or else a forecast from the evidence and self-assessment.
- `gap_actions.py`: gap actions on an element: owner, due date, status, when done.
- `matrices.py`: the standard's criteria in order, and the coverage matrix (evidence by
  element and work stream).

Files
- `files.py`: receiving an upload: its name cleaned, its type decided from its bytes, hashed;
  `IncomingFile`, the file an upload form's file part is streamed into (tracker/uploads.py).
- `storage.py`: where files live; a file is published when its row commits and deleted when
  its row's removal commits.
- `pack.py`: the assessor's pack, one ZIP of the accepted evidence by element.
- `orphans.py`: `flask storage-orphans`, files no row points at.

Charts
- `charts.py`: the readiness chart (elements by criterion, stacked by compliance).

Pages (routes on the `evidence` blueprint below; forms in `forms.py`, tables in `models.py`)
- `views.py`: the library, adding and changing an item, its page, versions, submitting,
  reviewing, downloads, the pack and removing personal data.
- `standard_views.py`: the standard, an element, evidence coverage, readiness, the rounds and
  a round's matrix (appendix 4).
- `rating_views.py`: entering a round's ratings, adding or changing a round, importing ratings.
- `gap_views.py`: the list of gap actions, and adding or changing one.
"""

from flask import Blueprint

bp = Blueprint("evidence", __name__)
