"""The base of every factory: factory_boy on the tracker's session, flushing so ids exist."""

from __future__ import annotations

from factory.alchemy import SQLAlchemyModelFactory

from tracker.extensions import db


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


def next_number(model: type, project_id: int, width: int = 2) -> str:
    """The next number in a project's log ("01", "02", ...): one more than the highest there."""
    numbers = db.session.execute(
        db.select(model.number)
        .where(model.project_id == project_id)
        .execution_options(include_withdrawn=True)  # withdrawn entries keep their numbers
    ).scalars()
    highest = max((int(n) for n in numbers if str(n).isdigit()), default=0)
    return f"{highest + 1:0{width}d}"
