"""The dashboard, highlight reports, meeting packs and the registers' downloads.

Where each thing lives (the rules take models and plain values, never `request`; they flush,
never commit, and refuse with `tracker.rules.RuleRefused`):

Rules of a highlight report
- `statuses.py`: the status rules (schedule, budget, resources; a work stream's schedule),
  each with its rule in words. The dashboard and the API show them too.
- `drafting.py`: drafting the monthly report (appendix 5): products completed and next, key
  risks and issues, the impact of changes.
- `stream_drafting.py`: drafting a work stream's report (appendix 6).
- `quarter_drafting.py`: drafting the quarterly report for the EMT and the lead member.
- `snapshots.py`: the figures an issued report keeps, taken on the day it is issued.
- `services.py`: a report's life: a new draft, its sections saved, issuing (numbered and
  frozen), a correction; the reports of a project.
- `figures.py`: reading back the figures an issued report kept, for its page and its PDF.

Other pages' figures
- `dashboard.py`: everything the dashboard shows, gathered in a fixed number of queries.
- `sources.py`: readiness and the status rules, for the dashboard and the API.
- `meeting_pack.py`: what a project group meeting must decide and read.

Charts and files
- `dashboard_charts.py`: the stages as a Gantt summary, with the next milestones.
- `pdf.py`: a highlight report as PDF, laid out like appendices 5 and 6.

Pages (routes on the `reports` blueprint below; forms in `forms.py`, tables in `models.py`)
- `views.py`: the reports, drafting, editing, issuing, correcting, the PDF, meeting packs.
- `dashboard_views.py`: the dashboard.
- `downloads.py`: CSV and XLSX of the milestones, the evidence library, the gap actions and
  the audit trail.
"""

from flask import Blueprint

bp = Blueprint("reports", __name__)
