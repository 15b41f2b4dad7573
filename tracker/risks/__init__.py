"""The risk log, risk reviews and the heat map (Project Document 8.6).

- `services.py`: the rules: scores, the heat map, adding, changing and reviewing a risk, the
  trend (numbers come from `tracker.numbering`).
- `forms.py`: a risk, a review, and the log's filter read from the address (`RiskFilterForm`).
- `home.py`: the risk log's part of the project home page (`tracker.projects.areas`).
- `views.py`: the log with its heat map, each risk, its reviews, the trend and the downloads.
"""

from flask import Blueprint

bp = Blueprint("risks", __name__)
