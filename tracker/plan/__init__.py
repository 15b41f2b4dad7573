"""Stages and stage reviews, the work plan, dependencies, milestones, baselines and the Gantt.

Where each rule lives (the rules take models and plain values, never `request`; they flush,
never commit, and refuse with `tracker.rules.RuleRefused`):

Rules
- `stages.py`: stage statuses and the stage gate (no task of a stage starts before every
  earlier stage is approved by its review); a task finishing after its stage ends
  (`worsens_stage_overrun`, the one rule for a task edit and a change request alike).
- `structure.py`: adding, changing and ordering stages and milestones until the plan is
  baselined; a stage's dates (inside the project, no overlaps); the days no stage covers.
- `stage_reviews.py`: asking for a stage review, the sponsor's decision and its conditions.
- `review_basis.py`: what the sponsor's decision is based on (refused if it changed meanwhile).
- `tasks.py`: a task's lateness, dates, the people named on it, saving it, who may update it.
- `milestones.py`: milestone variance against the baseline, the table's inconsistencies.
- `schedule.py`: dependency order, circles, forecasts and the critical path, on plain data.
- `baselines.py`: the plan as one loaded piece, named baselines and the comparison with one.
- `conflicts.py`: what a change request's new dates would break (dependencies, stage overlaps).
- `change_targets.py`: what a change request may move in the plan, with its value now.
- `work_plan.py`: loading the work plan with its filters, grouped by stage.
- `home.py`: the plan's part of the project home page (`tracker.projects.areas`).

Import and export of the work plan
- `table_files.py` (reading .xlsx and .csv), `import_rows.py`, `import_cells.py`,
  `import_checks.py`, `import_result.py` (reading and checking rows), `import_apply.py`
  (writing them once all are read), `plan_export.py` (the plan as CSV or Excel).

Pages and charts
- `views.py` (work plan, tasks, milestones), `stage_views.py` (stage reviews),
  `structure_views.py` (the stages page, adding and moving stages and milestones),
  `timeline_views.py` (dependencies, forecasts, baselines, the Gantt, import and export), all on
  one blueprint; `forms.py`, `structure_forms.py` and `timeline_forms.py`; `timeline_rows.py`
  and `gantt.py` (the Gantt chart and its accessible table); `progress_styles.py` (how each
  progress state looks).
"""

from flask import Blueprint

bp = Blueprint("plan", __name__)
