"""The kernel: the project, its people and work streams, meetings, the project home page and
the audit trail. It imports no other area (tests/test_area_imports.py): each area adds its part
of the home page and its records' history rules through the registry in `areas.py`, from its
own `home.py` (and `record_history.py`), when its blueprint is registered.

- `models.py`: project, membership and roles, work streams, services, meetings.
- `areas.py`: the registry the areas fill in; `home.py`: the kernel's own lines in it.
- `services.py`: the home page's counts, memberships and members, the audit trail's pages.
- `history.py`: who may read a record's history, and which of its values.
- `views.py`: the project list, home, people, audit trail and record history pages.
- `status.py`: the status date every figure is judged at; `status_views.py`: its page.
- Setting the project up: `setup_services.py` (the rules: the project's dates, work streams,
  services, meetings), `people_services.py` (roles and contacts), `setup_forms.py`, and the
  pages `setup_views.py` (the hub, the project's details), `people_views.py`,
  `work_streams.py` (work streams and services) and `meetings.py`.
"""

from flask import Blueprint

bp = Blueprint("projects", __name__)
