"""Sign-in, sign-out, users and password handling.

- `services.py`: the sign-in rules: checking a password, ending sessions, safe redirects.
- `throttle.py`: slowing down password guessing without locking the owner out.
- `passwords.py`: which passwords are refused, wherever one is set.
- `models.py`: people; `forms.py` and `views.py`: sign-in and the administrator's user pages.
"""

from flask import Blueprint

bp = Blueprint("auth", __name__)
