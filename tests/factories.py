"""Hand-made test data with factory_boy; each factory flushes so ids exist at once."""

from __future__ import annotations

import datetime as dt

import factory
from factory.alchemy import SQLAlchemyModelFactory

from tracker.auth.models import Person
from tracker.extensions import db
from tracker.plan.models import Stage
from tracker.projects.models import WORK_STREAM_ROLES, Membership, Project, Role, WorkStream

DEFAULT_PASSWORD = "correct horse battery"


class _Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class PersonFactory(_Base):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")
    initials = factory.Sequence(lambda n: f"P{n}")
    email = factory.Sequence(lambda n: f"person{n}@example.gov.uk")
    password_hash = factory.LazyFunction(
        lambda: __import__("werkzeug.security").security.generate_password_hash(DEFAULT_PASSWORD)
    )


class ProjectFactory(_Base):
    class Meta:
        model = Project

    slug = factory.Sequence(lambda n: f"project-{n}")
    name = "Customer Service Excellence"
    council = "Test District Council"
    objective = "Achieve accreditation"
    start_date = dt.date(2009, 12, 1)
    end_date = dt.date(2011, 3, 31)


class WorkStreamFactory(_Base):
    class Meta:
        model = WorkStream

    project = factory.SubFactory(ProjectFactory)
    code = factory.Sequence(lambda n: f"WS{n}")
    name = factory.Sequence(lambda n: f"Work stream {n}")
    position = factory.Sequence(int)


class StageFactory(_Base):
    class Meta:
        model = Stage

    project = factory.SubFactory(ProjectFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Stage {n + 1}")
    start_date = dt.date(2009, 12, 1)
    end_date = dt.date(2010, 3, 31)


def make_project() -> Project:
    project = ProjectFactory()
    start = project.start_date
    for number in range(1, 6):
        StageFactory(
            project=project,
            number=number,
            name=f"Stage {number}",
            start_date=start + dt.timedelta(days=90 * (number - 1)),
            end_date=start + dt.timedelta(days=90 * number - 1),
        )
    WorkStreamFactory(project=project, code="CCS", name="Community & Customer Services")
    WorkStreamFactory(project=project, code="AH", name="Affordable Housing")
    db.session.commit()
    return project


def member(person: Person, project: Project, role: Role) -> Membership:
    stream = project.work_streams[0] if role in WORK_STREAM_ROLES else None
    membership = Membership(person=person, project=project, role=role, work_stream=stream)
    db.session.add(membership)
    db.session.flush()
    return membership
