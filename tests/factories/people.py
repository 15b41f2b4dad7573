"""People, projects and what a project is made of: work streams, stages, memberships, meetings."""

from __future__ import annotations

import datetime as dt

import factory
from werkzeug.security import generate_password_hash

from tests.factories.base import Base
from tracker.auth.models import Person
from tracker.extensions import db
from tracker.plan.models import Stage
from tracker.projects.models import (
    WORK_STREAM_ROLES,
    Meeting,
    MeetingKind,
    Membership,
    Project,
    Role,
    Service,
    WorkStream,
)

DEFAULT_PASSWORD = "correct horse battery"


class PersonFactory(Base):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")
    initials = factory.Sequence(lambda n: f"P{n}")
    email = factory.Sequence(lambda n: f"person{n}@example.gov.uk")
    password_hash = factory.LazyFunction(lambda: generate_password_hash(DEFAULT_PASSWORD))


class ProjectFactory(Base):
    class Meta:
        model = Project

    slug = factory.Sequence(lambda n: f"project-{n}")
    name = "Customer Service Excellence"
    council = "Test District Council"
    objective = "Achieve accreditation"
    start_date = dt.date(2009, 12, 1)
    end_date = dt.date(2011, 3, 31)


class ProjectPart(Base):
    """A record that holds only its project's id: `RiskFactory(project=project)` sets it."""

    class Meta:
        abstract = True
        exclude = ("project",)

    project = factory.SubFactory(ProjectFactory)
    project_id = factory.SelfAttribute("project.id")


class WorkStreamFactory(Base):
    class Meta:
        model = WorkStream

    project = factory.SubFactory(ProjectFactory)
    code = factory.Sequence(lambda n: f"WS{n}")
    name = factory.Sequence(lambda n: f"Work stream {n}")
    position = factory.Sequence(int)


class StageFactory(Base):
    class Meta:
        model = Stage

    project = factory.SubFactory(ProjectFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Stage {n + 1}")
    start_date = dt.date(2009, 12, 1)
    end_date = dt.date(2010, 3, 31)


class MembershipFactory(Base):
    """`role` in `project`; a work stream role is given the project's first stream unless named."""

    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    project = factory.SubFactory(ProjectFactory)
    role = Role.MANAGER
    work_stream = factory.LazyAttribute(
        lambda o: o.project.work_streams[0] if o.role in WORK_STREAM_ROLES else None
    )


class MeetingFactory(ProjectPart):
    class Meta:
        model = Meeting

    kind = MeetingKind.PROJECT_GROUP
    held_on = dt.date(2010, 3, 26)


class ServiceFactory(ProjectPart):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Service {n}")
    corporate_area = "Customer services"
    position = factory.Sequence(int)


def make_project() -> Project:
    """A project with five stages of 90 days from its start and two work streams."""
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
    """`person` holds `role` in `project` (a work stream role in its first stream)."""
    return MembershipFactory(person=person, project=project, role=Role(role))
