"""What the project home page shows, loaded in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.auth.models import Person
from tracker.budget.models import BudgetLine
from tracker.evidence.models import Criterion, Element, EvidenceItem, SubCriterion
from tracker.extensions import db
from tracker.issues.models import ChangeRequest, IssueLogEntry
from tracker.plan.models import Milestone, Stage, Task
from tracker.projects.models import Meeting, Membership, Project, WorkStream
from tracker.risks.models import Risk


@dataclass(frozen=True)
class AreaCount:
    label: str
    count: int


def project_stages(project: Project) -> list[Stage]:
    return list(
        db.session.execute(
            select(Stage)
            .where(Stage.project_id == project.id)
            .options(selectinload(Stage.reviews))
            .order_by(Stage.number)
        ).scalars()
    )


def area_counts(project: Project) -> list[AreaCount]:
    """How much each area holds, in one query."""

    def count(model: type, *where: object) -> object:
        return (
            select(func.count())
            .select_from(model)
            .where(model.project_id == project.id, *where)
            .scalar_subquery()
        )

    elements = (
        select(func.count(Element.id))
        .join(SubCriterion)
        .join(Criterion)
        .where(Criterion.standard_id == project.standard_id)
        .scalar_subquery()
    )
    people = (
        select(func.count(func.distinct(Membership.person_id)))
        .where(Membership.project_id == project.id)
        .scalar_subquery()
    )
    labels_and_queries = [
        ("People", people),
        ("Work streams", count(WorkStream)),
        ("Work plan tasks", count(Task)),
        ("Milestones", count(Milestone)),
        ("Meetings", count(Meeting)),
        ("Risks", count(Risk)),
        ("Issue log entries", count(IssueLogEntry)),
        ("Change requests", count(ChangeRequest)),
        ("Budget lines", count(BudgetLine)),
        ("Elements of the standard", elements),
        ("Evidence items", count(EvidenceItem)),
    ]
    row = db.session.execute(select(*(q for _, q in labels_and_queries))).one()
    return [AreaCount(label, n) for (label, _), n in zip(labels_and_queries, row, strict=True)]


def project_people(project: Project) -> list[Membership]:
    return list(
        db.session.execute(
            select(Membership)
            .join(Person)
            .where(Membership.project_id == project.id)
            .options(selectinload(Membership.person), selectinload(Membership.work_stream))
            .order_by(Person.name, Membership.role)
        ).scalars()
    )


def project_members(project: Project, also: Person | None = None) -> list[Person]:
    """The people who hold any role in the project, by name, for choosing an owner or author.

    `also` (the person a record already names) is kept in the list even if they have since left
    the project, so that editing the record does not silently change it.
    """
    people = list(
        db.session.execute(
            select(Person)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.project_id == project.id)
            .distinct()
            .order_by(Person.name)
        ).scalars()
    )
    if also is not None and all(p.id != also.id for p in people):
        people.append(also)
    return people
