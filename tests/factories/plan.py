"""The plan: stage reviews, tasks, dependencies, milestones, baselines."""

from __future__ import annotations

import datetime as dt

import factory

from tests.factories.base import Base
from tests.factories.people import ProjectPart, StageFactory
from tracker.plan.models import (
    Milestone,
    PlanBaseline,
    Progress,
    ReviewCondition,
    StageReview,
    Task,
    TaskDependency,
)


class StageReviewFactory(Base):
    class Meta:
        model = StageReview

    stage = factory.SubFactory(StageFactory)


class ReviewConditionFactory(Base):
    class Meta:
        model = ReviewCondition

    review = factory.SubFactory(StageReviewFactory)
    text = "Report the survey results"


class TaskFactory(ProjectPart):
    """A task in `stage` (the project's first stage when only `project` is given)."""

    class Meta:
        model = Task

    stage = factory.LazyAttribute(
        lambda o: o.project.stages[0] if o.project.stages else StageFactory(project=o.project)
    )
    code = factory.Sequence(lambda n: f"1.{n + 1}")
    activity = factory.Sequence(lambda n: f"Task {n + 1}")
    progress = Progress.NOT_STARTED


class TaskDependencyFactory(ProjectPart):
    """Finish-to-start, each end given by id: one of predecessor_id / predecessor_milestone_id and
    one of successor_task_id / successor_milestone_id."""

    class Meta:
        model = TaskDependency

    predecessor_id = None
    successor_task_id = None
    lag_days = 0


class MilestoneFactory(ProjectPart):
    class Meta:
        model = Milestone

    name = factory.Sequence(lambda n: f"Milestone {n + 1}")
    scheduled_finish = dt.date(2010, 3, 31)


class PlanBaselineFactory(ProjectPart):
    class Meta:
        model = PlanBaseline

    name = factory.Sequence(lambda n: f"Baseline {n + 1}")
    taken_on = dt.date(2010, 1, 1)
    items = factory.LazyFunction(list)
