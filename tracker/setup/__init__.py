"""Setting up: creating a project from the CSE template or as a copy of another, from the site
administrator's pages (`views.py`) or the command line (`commands.py`).

- `template.py`: the CSE template of seed/cse_template.toml, laid over a project's dates.
- `copying.py`: what a copy of a project takes with it, and what it leaves behind.
- `services.py`: creating a project (its checks, its sponsor and manager), for views and CLI.
"""

from flask import Blueprint

bp = Blueprint("setup", __name__)
