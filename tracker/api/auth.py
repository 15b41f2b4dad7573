"""The API's access decorator: the owner of the Bearer token, with the pages' permission table.

`api_requires(action)` is the API's `requires`: the same actions and the same check of the
token owner's roles in the project (tracker.permissions.authorise_project), so a token can read
exactly what its owner's pages show. No session cookie is used or needed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, g, request

from tracker.api.services import parse_bearer, token_owner
from tracker.database import utcnow
from tracker.permissions import PERMISSIONS, PUBLIC, SIGNED_IN, authorise_project
from tracker.transactions import commit_now

F = TypeVar("F", bound=Callable[..., Any])


def api_requires(action: str) -> Callable[[F], F]:
    """Declare the action an API view needs; 401 without a valid token, then as the pages."""
    if action not in PERMISSIONS and action not in {PUBLIC, SIGNED_IN}:
        raise ValueError(f"Unknown action {action!r}: add it to the permission table")

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if action != PUBLIC:
                person = token_owner(parse_bearer(request.headers.get("Authorization")), utcnow())
                commit_now()  # the token's last use stands, whatever the answer
                if person is None:
                    abort(401)
                g.api_person = person
                if action != SIGNED_IN:
                    authorise_project(action, person.id, kwargs.get("slug"))
            return view(*args, **kwargs)

        wrapped.required_action = action  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator
