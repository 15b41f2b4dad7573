"""The rules of the risk log (Project Document 8.6): scores, the heat map, reviews and the trend.

- A risk's score is derived, never stored: probability × impact with H=3, M=2, L=1
  (`risk_score`). Scores of 6 and 9 are high, 3 and 4 medium, 1 and 2 low (`score_band`).
- A risk whose status the log left blank (risk 08 in V1.2) is shown as "Not recorded" and, since
  nobody closed it, counts as live: it is on the heat map, in the trend and can be overdue.
- Every change to a risk's probability, impact or status is a `RiskReview`, so its history and
  the log's trend are read from reviews alone. A risk added here gets its first review at once;
  a risk loaded from the source log gets one, dated when it was loaded, before its first change.
- A review is overdue when the review-by date has passed (the day after it) and the risk is live.
- Services flush, never commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from tracker.auth.models import Person
from tracker.extensions import db
from tracker.filters import LONDON
from tracker.numbering import flush_numbered, next_log_number
from tracker.projects.models import Project
from tracker.risks.models import Level, Risk, RiskReview, RiskStatus
from tracker.rules import RuleRefused
from tracker.transitions import assign

LEVEL_VALUES: dict[Level, int] = {Level.H: 3, Level.M: 2, Level.L: 1}
# The note of the review recorded for a risk loaded from the source log, before its first change.
SOURCE_NOTE = "As recorded in the risk log before reviews were kept in the tracker"
ADDED_NOTE = "Added to the risk log"
EDITED_NOTE = "Changed when the risk was edited"


def london_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(LONDON).date() if moment.tzinfo else moment.date()


# Scores ---------------------------------------------------------------------------------------


def risk_score(probability: Level | str, impact: Level | str) -> int:
    """Probability × impact, H=3, M=2, L=1: from 1 (L×L) to 9 (H×H).

    Raises ValueError for anything other than H, M or L.
    """
    return LEVEL_VALUES[Level(probability)] * LEVEL_VALUES[Level(impact)]


@dataclass(frozen=True)
class Band:
    label: str  # "High", "Medium", "Low"
    colour: str  # a tag colour; the label says the same in words


HIGH = Band("High", "red")
MEDIUM = Band("Medium", "amber")
LOW = Band("Low", "green")


def score_band(score: int) -> Band:
    """6 and 9 are high, 3 and 4 medium, 1 and 2 low."""
    if score >= 6:
        return HIGH
    if score >= 3:
        return MEDIUM
    return LOW


def is_live(status: RiskStatus | None) -> bool:
    """Open, or with no status recorded: not closed."""
    return status is not RiskStatus.CLOSED


def is_review_overdue(risk: Risk, on: dt.date) -> bool:
    """The review-by date has passed (it is due on the day itself) and the risk is not closed."""
    return risk.review_by is not None and risk.review_by < on and is_live(risk.status)


def sort_by_score(risks: Iterable[Risk]) -> list[Risk]:
    """Highest score first; equal scores in risk number order ("9" before "10")."""
    return sorted(risks, key=lambda r: (-risk_score(r.probability, r.impact), _number_key(r)))


def _number_key(risk: Risk) -> tuple[int, int, str]:
    number = risk.number
    return (0, int(number), number) if number.isdigit() else (1, 0, number)


def sort_by_number(risks: Iterable[Risk]) -> list[Risk]:
    return sorted(risks, key=_number_key)


# Loading ----------------------------------------------------------------------------------------


def project_risks(project: Project, *, with_reviews: bool = False) -> list[Risk]:
    """Every risk of the project with its owner (one query), and its reviews (one more)."""
    query = select(Risk).where(Risk.project_id == project.id).options(joinedload(Risk.owner))
    if with_reviews:
        query = query.options(selectinload(Risk.reviews).joinedload(RiskReview.reviewed_by))
    return sort_by_score(db.session.execute(query).unique().scalars())


def get_risk(project: Project, risk_id: int) -> Risk | None:
    """One risk of this project, with its owner and its reviews (and who made them)."""
    return db.session.execute(
        select(Risk)
        .where(Risk.id == risk_id, Risk.project_id == project.id)
        .options(
            joinedload(Risk.owner),
            selectinload(Risk.reviews).joinedload(RiskReview.reviewed_by),
        )
    ).scalar_one_or_none()


def risks_owned_by(project: Project, person: Person, *, include_closed: bool = False) -> list[Risk]:
    """The risks this person owns, highest score first; closed ones only when asked for."""
    risks = db.session.execute(
        select(Risk)
        .where(Risk.project_id == project.id, Risk.owner_id == person.id)
        .options(joinedload(Risk.owner))
    ).scalars()
    return sort_by_score(r for r in risks if include_closed or is_live(r.status))


# Filtering --------------------------------------------------------------------------------------

# The status filter of the log: value -> (words, test).
STATUS_FILTERS: dict[str, str] = {
    "open": "Open",
    "closed": "Closed",
    "not-recorded": "Not recorded",
    "live": "Open or not recorded",
}
NO_OWNER = "none"


@dataclass(frozen=True)
class RiskFilter:
    """What the risk log shows; every field None shows every risk."""

    status: str | None = None  # a key of STATUS_FILTERS
    owner: str | None = None  # a person's id as text, or NO_OWNER
    probability: Level | None = None
    impact: Level | None = None

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.status, self.owner, self.probability, self.impact))

    def matches(self, risk: Risk) -> bool:
        if self.status == "open" and risk.status is not RiskStatus.OPEN:
            return False
        if self.status == "closed" and risk.status is not RiskStatus.CLOSED:
            return False
        if self.status == "not-recorded" and risk.status is not None:
            return False
        if self.status == "live" and not is_live(risk.status):
            return False
        if self.owner == NO_OWNER and risk.owner_id is not None:
            return False
        if self.owner not in (None, NO_OWNER) and str(risk.owner_id) != self.owner:
            return False
        if self.probability is not None and risk.probability is not self.probability:
            return False
        return self.impact is None or risk.impact is self.impact


def filter_risks(risks: Iterable[Risk], risk_filter: RiskFilter) -> list[Risk]:
    return [risk for risk in risks if risk_filter.matches(risk)]


# The heat map -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    probability: Level
    impact: Level
    count: int

    @property
    def score(self) -> int:
        return risk_score(self.probability, self.impact)

    @property
    def band(self) -> Band:
        return score_band(self.score)

    @property
    def words(self) -> str:
        """ "High probability, medium impact: 2 risks"."""
        noun = "risk" if self.count == 1 else "risks"
        return (
            f"{self.probability.label} probability, "
            f"{self.impact.label.lower()} impact: {self.count} {noun}"
        )


@dataclass(frozen=True)
class HeatMap:
    # Rows from high to low probability; in each, cells from low to high impact.
    rows: list[list[HeatCell]]

    @property
    def total(self) -> int:
        return sum(cell.count for row in self.rows for cell in row)

    def cell(self, probability: Level, impact: Level) -> HeatCell:
        for row in self.rows:
            for cell in row:
                if cell.probability is probability and cell.impact is impact:
                    return cell
        raise KeyError((probability, impact))


PROBABILITY_ORDER = (Level.H, Level.M, Level.L)
IMPACT_ORDER = (Level.L, Level.M, Level.H)


def heat_map(risks: Iterable[Risk]) -> HeatMap:
    """How many live risks (open, or with no status recorded) fall in each of the 9 squares."""
    counts: dict[tuple[Level, Level], int] = {}
    for risk in risks:
        if is_live(risk.status):
            key = (Level(risk.probability), Level(risk.impact))
            counts[key] = counts.get(key, 0) + 1
    return HeatMap(
        rows=[
            [HeatCell(p, i, counts.get((p, i), 0)) for i in IMPACT_ORDER] for p in PROBABILITY_ORDER
        ]
    )


# Changes ----------------------------------------------------------------------------------------


def _check(
    *,
    description: str,
    probability: Level | str,
    impact: Level | str,
    action_date: dt.date | None,
    action_ongoing: bool,
) -> tuple[Level, Level]:
    if not (description or "").strip():
        raise RuleRefused("Enter a description of the risk", "description")
    try:
        probability = Level(probability)
    except ValueError:
        raise RuleRefused("Select high, medium or low for the probability", "probability") from None
    try:
        impact = Level(impact)
    except ValueError:
        raise RuleRefused("Select high, medium or low for the impact", "impact") from None
    if action_ongoing and action_date is not None:
        raise RuleRefused("Enter an action date or select ongoing, not both", "action_date")
    return probability, impact


def _record_review(
    risk: Risk,
    *,
    reviewed_by: Person | None,
    note: str,
    now: dt.datetime,
) -> RiskReview:
    """A review holding the risk's values as they now stand."""
    review = RiskReview(
        reviewed_at=now,
        reviewed_by=reviewed_by,
        probability=risk.probability,
        impact=risk.impact,
        status=risk.status,
        note=note,
    )
    risk.reviews.append(review)
    return review


def _keep_source_values(risk: Risk) -> None:
    """Before the first change to a risk that has no reviews (one loaded from the source log),
    keep the values it had as a review dated when the risk was added, so that the history and
    the trend start where the log started.
    """
    if not risk.reviews:
        _record_review(risk, reviewed_by=None, note=SOURCE_NOTE, now=risk.created_at)


def add_risk(
    project: Project,
    *,
    description: str,
    probability: Level | str,
    impact: Level | str,
    owner_id: int | None,
    countermeasures: str,
    action_date: dt.date | None,
    action_ongoing: bool,
    status: RiskStatus | None,
    review_by: dt.date | None,
    added_by: Person | None,
    now: dt.datetime,
) -> Risk:
    """A new risk with the next number, and its first review (the assessment it was added with)."""
    probability, impact = _check(
        description=description,
        probability=probability,
        impact=impact,
        action_date=action_date,
        action_ongoing=action_ongoing,
    )
    risk = Risk(
        project_id=project.id,
        number=next_log_number(Risk, project.id),
        description=description.strip(),
        probability=probability,
        impact=impact,
        owner_id=owner_id,
        countermeasures=(countermeasures or "").strip(),
        action_date=action_date,
        action_ongoing=action_ongoing,
        status=status,
        review_by=review_by,
        created_at=now,
    )
    db.session.add(risk)
    _record_review(risk, reviewed_by=added_by, note=ADDED_NOTE, now=now)
    flush_numbered("The risk log changed while you wrote: save again", "description")
    return risk


def update_risk(
    risk: Risk,
    *,
    description: str,
    probability: Level | str,
    impact: Level | str,
    owner_id: int | None,
    countermeasures: str,
    action_date: dt.date | None,
    action_ongoing: bool,
    status: RiskStatus | None,
    review_by: dt.date | None,
    edited_by: Person | None,
    now: dt.datetime,
) -> bool:
    """Change a risk; a new probability, impact or status is kept as a review. Whether anything
    changed.
    """
    probability, impact = _check(
        description=description,
        probability=probability,
        impact=impact,
        action_date=action_date,
        action_ongoing=action_ongoing,
    )
    reassessed = (probability, impact, status) != (risk.probability, risk.impact, risk.status)
    if reassessed:
        _keep_source_values(risk)
    values = {
        "description": description.strip(),
        "probability": probability,
        "impact": impact,
        "owner_id": owner_id,
        "countermeasures": (countermeasures or "").strip(),
        "action_date": action_date,
        "action_ongoing": action_ongoing,
        "status": status,
        "review_by": review_by,
    }
    changed = assign(risk, values)  # its status decided once (tracker.transitions)
    if reassessed:
        _record_review(risk, reviewed_by=edited_by, note=EDITED_NOTE, now=now)
    db.session.flush()
    return changed


def review_risk(
    risk: Risk,
    *,
    probability: Level | str,
    impact: Level | str,
    status: RiskStatus | None,
    note: str,
    review_by: dt.date | None,
    reviewed_by: Person | None,
    now: dt.datetime,
) -> RiskReview:
    """Record a review: what the risk was judged to be today. The risk takes the review's
    probability, impact and status, and `review_by` (None clears it) as its next review date.
    """
    try:
        probability = Level(probability)
    except ValueError:
        raise RuleRefused("Select high, medium or low for the probability", "probability") from None
    try:
        impact = Level(impact)
    except ValueError:
        raise RuleRefused("Select high, medium or low for the impact", "impact") from None
    if review_by is not None and review_by < london_date(now):
        raise RuleRefused("The next review date must be today or in the future", "review_by")
    _keep_source_values(risk)
    assign(risk, {"probability": probability, "impact": impact, "status": status})
    risk.review_by = review_by
    review = _record_review(risk, reviewed_by=reviewed_by, note=(note or "").strip(), now=now)
    db.session.flush()
    return review


# The trend --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendMonth:
    month: dt.date  # the first day of the month
    live: int  # risks open (or with no status recorded) at the month's end
    total_score: int  # their scores added up
    high: int  # how many of them score 6 or more
    reviews: int  # reviews recorded during the month


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _state_on(risk: Risk, last_day: dt.date) -> tuple[Level, Level, RiskStatus | None] | None:
    """The risk as its latest review up to `last_day` judged it; None when it did not exist yet.

    A risk without reviews (loaded from the source log and never changed) has had its present
    values since it was added.
    """
    reviews: Sequence[RiskReview] = risk.reviews
    if not reviews:
        if london_date(risk.created_at) <= last_day:
            return risk.probability, risk.impact, risk.status
        return None
    latest = None
    for review in reviews:
        if london_date(review.reviewed_at) <= last_day:
            latest = review
    if latest is None:
        return None
    return latest.probability, latest.impact, latest.status


def trend_until(risks: Sequence[Risk], project_end: dt.date, today: dt.date) -> dt.date:
    """The last day the trend runs to: today while the project runs; once it has ended, its
    end or the last risk added or reviewed after it, so that a finished project's trend is its
    own months, not every month since. The risks' reviews must be loaded."""
    days = [london_date(r.created_at) for r in risks] + [
        london_date(review.reviewed_at) for r in risks for review in r.reviews
    ]
    return min(today, max([project_end, *days]))


def risk_trend(risks: Sequence[Risk], today: dt.date) -> list[TrendMonth]:
    """Month by month, from the first risk or review to this month: the live risks at the end of
    each month (this month: today), their total score and the reviews recorded. The risks'
    reviews must be loaded.
    """
    starts = [london_date(r.created_at) for r in risks] + [
        london_date(review.reviewed_at) for r in risks for review in r.reviews
    ]
    if not starts:
        return []
    month = _month_start(min(starts))
    months: list[TrendMonth] = []
    while month <= today:
        last_day = min(_next_month(month) - dt.timedelta(days=1), today)
        live = total = high = 0
        for risk in risks:
            state = _state_on(risk, last_day)
            if state is None or not is_live(state[2]):
                continue
            score = risk_score(state[0], state[1])
            live += 1
            total += score
            high += score >= 6
        reviews = sum(
            1
            for risk in risks
            for review in risk.reviews
            if month <= london_date(review.reviewed_at) <= last_day
        )
        months.append(TrendMonth(month, live, total, high, reviews))
        month = _next_month(month)
    return months
