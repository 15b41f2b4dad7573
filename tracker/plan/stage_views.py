"""Views of the stage reviews (9.2): the reviews' list, a review, asking for one, deciding it and
closing its conditions.

Thin views, as in `tracker.plan.views`: the rules are in `tracker.plan.stage_reviews`; the
request's transaction is committed when a view succeeds; nothing is saved when anything is
refused.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, flash, g, redirect, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse

from tracker.auth.models import Person
from tracker.database import utcnow
from tracker.filters import date as format_date
from tracker.forms import show_refusal
from tracker.permissions import requires
from tracker.plan import bp
from tracker.plan.forms import (
    ConditionCloseForm,
    ReviewDecisionForm,
    ReviewRequestForm,
)
from tracker.plan.milestones import (
    finish_variance,
    latest_task_finishes,
    milestone_warnings,
    project_milestones,
)
from tracker.plan.models import Progress, ReviewDecision, Stage, StageReview
from tracker.plan.review_basis import review_basis
from tracker.plan.stage_reviews import (
    close_condition,
    decide_review,
    draft_review_summary,
    get_condition,
    get_review,
    parse_conditions,
    people_by_id,
    request_review,
)
from tracker.plan.stages import current_stage, plan_stages, stage_statuses
from tracker.plan.tasks import effective_progress
from tracker.plan.views import _me, _render
from tracker.plan.work_plan import TaskFilter, work_plan_tasks
from tracker.projects.services import project_group_meetings
from tracker.projects.status import status_date
from tracker.rules import RuleRefused
from tracker.versioning import refuse_changed_decision

T = TypeVar("T")


def _apply(form: FlaskForm, change: Callable[[], T]) -> tuple[T | None, int]:
    """Make the change: (what it returned, 200), committed with the request. If the plan's
    rules refuse it, nothing is saved and the reason is shown: (None, 400) when a field is at
    fault, (None, 409) when the state of the plan is."""
    try:
        done = change()
    except RuleRefused as refused:
        show_refusal(form, refused)
        return None, 400 if refused.field else 409
    return done, 200


def _review_people(stages: list[Stage]) -> dict[int, Person]:
    ids: list[int | None] = []
    for stage in stages:
        for review in stage.reviews:
            ids += [review.requested_by_id, review.decided_by_id]
            ids += [c.closed_by_id for c in review.conditions]
    return people_by_id(ids)


@bp.route("/projects/<slug>/plan/reviews")
@requires("plan.view")
def stage_reviews(slug: str) -> tuple[str, int]:
    project = g.project
    stages = plan_stages(project)
    statuses = stage_statuses(stages)
    current = current_stage(stages)
    return _render(
        "plan/stage_reviews.html",
        stages=stages,
        statuses=statuses,
        current=current,
        awaiting=[
            review
            for stage in stages
            for review in stage.reviews
            if review.requested_at is not None and review.decision is None
        ],
        meetings={m.id: m for m in project_group_meetings(project)},
        people=_review_people(stages),
        title="Stage reviews",
    )


def _review_context(review: StageReview, stages: list[Stage]) -> dict[str, Any]:
    """What a review's page shows: the stage, its milestones with variance, its tasks."""
    project = g.project
    today = status_date(project)
    stage = next(s for s in stages if s.id == review.stage_id)
    all_milestones = project_milestones(project)
    milestones = [m for m in all_milestones if m.stage_id == stage.id]
    tasks = work_plan_tasks(project, TaskFilter(stage_id=stage.id), today=today)
    progress = {t.id: effective_progress(t, today) for t in tasks}
    counts = Counter(progress.values())
    return {
        "review": review,
        "stage": stage,
        "stage_status": stage_statuses(stages)[stage.number],
        "milestones": milestones,
        "variances": {m.id: finish_variance(m) for m in milestones},
        "warnings": milestone_warnings(
            project, all_milestones, stages, latest_task_finishes(project)
        ),
        "tasks": tasks,
        "progress": progress,
        "progress_counts": [(p, counts[p]) for p in Progress if counts[p]],
        "people": _review_people(stages),
    }


@bp.route("/projects/<slug>/plan/reviews/<int:review_id>")
@requires("plan.view")
def stage_review(slug: str, review_id: int) -> tuple[str, int]:
    review = get_review(g.project, review_id)
    if review is None:
        abort(404)
    stages = plan_stages(g.project)
    context = _review_context(review, stages)
    return _render(
        "plan/stage_review.html",
        title=f"Stage {context['stage'].number} review",
        **context,
    )


@bp.route("/projects/<slug>/plan/reviews/request", methods=["GET", "POST"])
@requires("stage_review.request")
def review_request(slug: str) -> tuple[str, int] | BaseResponse:
    project = g.project
    stages = plan_stages(project)
    stage = current_stage(stages)
    statuses = stage_statuses(stages)
    meetings = project_group_meetings(project)
    form = ReviewRequestForm()
    form.meeting.choices = [(0, "Select a meeting")] + [
        (m.id, format_date(m.held_on, m.month_only)) for m in meetings
    ]
    waiting = None
    if stage is not None:
        waiting = next(
            (r for r in stage.reviews if r.requested_at is not None and r.decision is None), None
        )
    if request.method == "GET" and stage is not None:
        on = status_date(project)
        form.summary.data = draft_review_summary(
            work_plan_tasks(project, TaskFilter(stage_id=stage.id), today=on), on
        )
        scheduled = next(
            (r for r in stage.reviews if r.requested_at is None and r.decision is None), None
        )
        # The meeting the review was scheduled for, unless it is past: then the next one.
        upcoming = [m for m in meetings if m.held_on >= on]
        if scheduled is not None and scheduled.meeting_id in {m.id for m in upcoming}:
            form.meeting.data = scheduled.meeting_id
        else:
            form.meeting.data = upcoming[0].id if upcoming else 0
    status = 200
    if request.method == "POST":
        status = 400
        if stage is None or waiting is not None:
            flash(
                "Every stage has been approved"
                if stage is None
                else f"A review of stage {stage.number} is already waiting for the sponsor's "
                "decision"
            )
            status = 409
        elif form.validate_on_submit():
            meeting = next((m for m in meetings if m.id == form.meeting.data), None)
            review, status = _apply(
                form,
                lambda: request_review(
                    stage,
                    stages,
                    person=_me(),
                    summary=form.summary.data,
                    meeting=meeting,
                    now=utcnow(),
                ),
            )
            if review is not None:
                flash(f"Review of stage {stage.number} asked for", "success")
                return redirect(
                    url_for("plan.stage_review", slug=project.slug, review_id=review.id)
                )
    return _render(
        "plan/review_request.html",
        status,
        form=form,
        stage=stage,
        stage_status=statuses[stage.number] if stage else None,
        waiting=waiting,
        title=f"Ask for a review of stage {stage.number}" if stage else "Ask for a stage review",
    )


@bp.route("/projects/<slug>/plan/reviews/<int:review_id>/decide", methods=["GET", "POST"])
@requires("stage_review.decide")
def review_decide(slug: str, review_id: int) -> tuple[str, int] | BaseResponse:
    project = g.project
    review = get_review(project, review_id)
    if review is None:
        abort(404)
    stages = plan_stages(project)
    form = ReviewDecisionForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            locked = get_review(project, review_id, for_update=True)
            assert locked is not None
            basis = review_basis(_review_context(locked, stages))
            if locked.decision is None and refuse_changed_decision(form, basis):
                status = 409  # the page names what changed since it was read
            else:
                _, status = _apply(
                    form,
                    lambda: decide_review(
                        locked,
                        stages,
                        person=_me(),
                        decision=ReviewDecision(form.decision.data),
                        conditions=parse_conditions(form.conditions.data or ""),
                        reasons=form.reasons.data or "",
                        now=utcnow(),
                    ),
                )
                if status == 200:
                    flash(
                        f"Stage {locked.stage.number} review decided: "
                        f"{locked.decision.label.lower()}",
                        "success",
                    )
                    return redirect(
                        url_for("plan.stage_review", slug=project.slug, review_id=review_id)
                    )
        elif review.decision is not None:
            status = 409
        review = get_review(project, review_id)
        assert review is not None
        stages = plan_stages(project)
    context = _review_context(review, stages)
    if request.method == "GET":
        form.seen.data = review_basis(context)
    return _render(
        "plan/review_decide.html",
        status,
        form=form,
        title=f"Decide the stage {context['stage'].number} review",
        **context,
    )


@bp.route("/projects/<slug>/plan/conditions/<int:condition_id>/close", methods=["GET", "POST"])
@requires("review_condition.close")
def condition_close(slug: str, condition_id: int) -> tuple[str, int] | BaseResponse:
    project = g.project
    condition = get_condition(project, condition_id)
    if condition is None:
        abort(404)
    form = ConditionCloseForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            locked = get_condition(project, condition_id, for_update=True)
            assert locked is not None
            _, status = _apply(
                form,
                lambda: close_condition(locked, person=_me(), note=form.note.data, now=utcnow()),
            )
            if status == 200:
                flash("Condition closed", "success")
                return redirect(
                    url_for("plan.stage_review", slug=project.slug, review_id=locked.review_id)
                )
        elif condition.closed_at is not None:
            status = 409
        condition = get_condition(project, condition_id)
        assert condition is not None
    closer = people_by_id([condition.closed_by_id]).get(condition.closed_by_id or 0)
    return _render(
        "plan/condition_close.html",
        status,
        form=form,
        condition=condition,
        review=condition.review,
        closer=closer,
        title="Close a condition",
    )
