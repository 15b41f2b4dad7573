"""The rules of the risk log: the score, its band, overdue reviews, the heat map, the trend."""

from __future__ import annotations

import datetime as dt

import pytest
from werkzeug.datastructures import MultiDict

from tests.factories import PersonFactory
from tracker.numbering import next_log_number
from tracker.risks.forms import RiskFilterForm
from tracker.risks.models import Level, Risk, RiskReview, RiskStatus
from tracker.risks.services import (
    SOURCE_NOTE,
    RiskFilter,
    add_risk,
    filter_risks,
    heat_map,
    is_review_overdue,
    review_risk,
    risk_score,
    risk_trend,
    risks_owned_by,
    score_band,
    sort_by_score,
    update_risk,
)
from tracker.rules import RuleRefused

H, M, L = Level.H, Level.M, Level.L
OPEN, CLOSED = RiskStatus.OPEN, RiskStatus.CLOSED
D = dt.date
NOW = dt.datetime(2010, 2, 26, 12, 0, tzinfo=dt.UTC)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), dt.UTC)


def risk(
    probability: Level = M,
    impact: Level = M,
    status: RiskStatus | None = OPEN,
    *,
    number: str = "01",
    review_by: dt.date | None = None,
    project_id: int | None = None,
    owner_id: int | None = None,
) -> Risk:
    """A risk that is not saved, for the rules that read only its values."""
    return Risk(
        project_id=project_id,
        number=number,
        description=f"Risk {number}",
        probability=probability,
        impact=impact,
        status=status,
        review_by=review_by,
        owner_id=owner_id,
        countermeasures="",
        action_ongoing=False,
    )


def new_risk(project, **values) -> Risk:
    defaults = {
        "description": "Organisational capacity",
        "probability": M,
        "impact": H,
        "owner_id": None,
        "countermeasures": "",
        "action_date": None,
        "action_ongoing": True,
        "status": OPEN,
        "review_by": None,
        "added_by": None,
        "now": NOW,
    }
    return add_risk(project, **(defaults | values))


# The score ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("probability", "impact", "score"),
    [
        (L, L, 1),  # the lowest
        (L, M, 2),
        (M, L, 2),
        (L, H, 3),
        (H, L, 3),
        (M, M, 4),
        (M, H, 6),
        (H, M, 6),
        (H, H, 9),  # the highest
    ],
)
def test_score_is_probability_times_impact_with_h3_m2_l1(probability, impact, score):
    assert risk_score(probability, impact) == score
    assert risk_score(probability.value, impact.value) == score  # as letters too


@pytest.mark.parametrize("bad", ["X", "", "h", "HIGH", None])
def test_score_refuses_anything_but_h_m_l(bad):
    with pytest.raises(ValueError):
        risk_score(bad, H)
    with pytest.raises(ValueError):
        risk_score(H, bad)


@pytest.mark.parametrize(
    ("score", "band"),
    [(1, "Low"), (2, "Low"), (3, "Medium"), (4, "Medium"), (6, "High"), (9, "High")],
)
def test_score_bands_at_their_edges(score, band):
    assert score_band(score).label == band


def test_sorting_by_score_keeps_number_order_within_a_score():
    risks = [
        risk(L, M, number="05"),
        risk(H, H, number="08"),
        risk(M, H, number="10"),
        risk(H, H, number="02"),
        risk(M, H, number="9"),
    ]
    assert [r.number for r in sort_by_score(risks)] == ["02", "08", "9", "10", "05"]


# Overdue reviews ------------------------------------------------------------------------------


def test_a_review_is_due_on_its_date_and_overdue_the_day_after():
    review_day = D(2010, 3, 31)
    open_risk = risk(review_by=review_day)
    assert not is_review_overdue(open_risk, review_day - dt.timedelta(days=1))
    assert not is_review_overdue(open_risk, review_day)
    assert is_review_overdue(open_risk, review_day + dt.timedelta(days=1))


def test_closed_risks_and_risks_without_a_date_are_never_overdue():
    later = D(2011, 1, 1)
    assert not is_review_overdue(risk(status=CLOSED, review_by=D(2010, 3, 31)), later)
    assert not is_review_overdue(risk(review_by=None), later)
    # Nobody closed risk 08 (its status is blank in the log): its review can be overdue.
    assert is_review_overdue(risk(status=None, review_by=D(2010, 3, 31)), later)


def test_risks_owned_by_a_person(db, project):
    owner, someone = PersonFactory(), PersonFactory()
    db.session.add_all(
        [
            risk(L, L, number="01", owner_id=owner.id, project_id=project.id),
            risk(H, H, number="02", owner_id=owner.id, project_id=project.id),
            risk(H, H, number="03", owner_id=owner.id, status=CLOSED, project_id=project.id),
            risk(H, H, number="04", owner_id=someone.id, project_id=project.id),
        ]
    )
    db.session.flush()
    assert [r.number for r in risks_owned_by(project, owner)] == ["02", "01"]
    assert [r.number for r in risks_owned_by(project, owner, include_closed=True)] == [
        "02",
        "03",
        "01",
    ]


# The heat map ---------------------------------------------------------------------------------


def test_heat_map_of_the_seeded_log(seeded, db):
    risks = db.session.execute(db.select(Risk).where(Risk.project_id == seeded.id)).scalars()
    heat = heat_map(list(risks))
    counts = {(c.probability, c.impact): c.count for row in heat.rows for c in row}
    assert counts == {
        (H, L): 0,
        (H, M): 1,  # 07
        (H, H): 2,  # 02 and 08 (08 has no status: not closed)
        (M, L): 0,
        (M, M): 0,
        (M, H): 2,  # 01 and 04
        (L, L): 0,
        (L, M): 2,  # 05 and 06
        (L, H): 1,  # 03
    }
    assert heat.total == 8
    assert heat.cell(H, H).words == "High probability, high impact: 2 risks"
    assert heat.cell(L, H).words == "Low probability, high impact: 1 risk"
    assert heat.cell(M, M).words == "Medium probability, medium impact: 0 risks"


def test_heat_map_rows_run_from_high_probability_and_columns_from_low_impact():
    heat = heat_map([])
    assert [row[0].probability for row in heat.rows] == [H, M, L]
    assert [cell.impact for cell in heat.rows[0]] == [L, M, H]
    assert heat.rows[0][2].score == 9 and heat.rows[2][0].score == 1


def test_heat_map_leaves_closed_risks_out():
    heat = heat_map([risk(H, H), risk(H, H, CLOSED), risk(H, H, None), risk(L, L, CLOSED)])
    assert heat.cell(H, H).count == 2
    assert heat.cell(L, L).count == 0
    assert heat.total == 2


# Filters --------------------------------------------------------------------------------------


def _filter(**args: str) -> RiskFilter:
    """The filter the risk log's query string asks for, read by its form."""
    return RiskFilterForm(MultiDict(args)).risk_filter()


def test_filter_by_status_owner_and_square(app):
    risks = [
        risk(H, H, OPEN, number="01", owner_id=1),
        risk(H, H, None, number="02", owner_id=2),
        risk(H, H, CLOSED, number="03", owner_id=1),
        risk(L, M, OPEN, number="04", owner_id=None),
    ]

    def numbers(**args: str) -> list[str]:
        return [r.number for r in filter_risks(risks, _filter(**args))]

    assert numbers() == ["01", "02", "03", "04"]
    assert numbers(status="open") == ["01", "04"]
    assert numbers(status="closed") == ["03"]
    assert numbers(status="not-recorded") == ["02"]
    assert numbers(status="live") == ["01", "02", "04"]
    assert numbers(owner="1") == ["01", "03"]
    assert numbers(owner="none") == ["04"]
    assert numbers(probability="H", impact="H", status="live") == ["01", "02"]
    # Values the filter does not know show everything rather than failing.
    assert numbers(status="nonsense", owner="x", probability="Q") == ["01", "02", "03", "04"]
    assert not _filter(status="nonsense").active


# Adding, editing and reviewing ----------------------------------------------------------------


def test_numbers_are_the_next_two_digit_number(db, project):
    assert next_log_number(Risk, project.id) == "01"
    first = new_risk(project)
    assert first.number == "01"
    db.session.add(risk(number="09", project_id=project.id))
    db.session.add(risk(number="old", project_id=project.id))
    db.session.flush()
    assert new_risk(project).number == "10"


def test_a_number_taken_a_moment_earlier_asks_to_save_again(db, project):
    with db.session.no_autoflush:  # someone else's risk 01, not yet seen by the numbering
        db.session.add(risk(number="01", project_id=project.id))
        with pytest.raises(RuleRefused) as refused:
            new_risk(project)
    assert (refused.value.message, refused.value.field) == (
        "The risk log changed while you wrote: save again",
        "description",
    )
    db.session.rollback()


def test_the_seeded_log_continues_at_09(seeded):
    assert next_log_number(Risk, seeded.id) == "09"


def test_a_new_risk_keeps_its_first_assessment_as_a_review(db, project):
    person = PersonFactory()
    added = new_risk(project, probability="H", impact="M", added_by=person)
    assert len(added.reviews) == 1
    first = added.reviews[0]
    assert (first.probability, first.impact, first.status, first.reviewed_by) == (
        H,
        M,
        OPEN,
        person,
    )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"description": "  "}, "description"),
        ({"probability": "X"}, "probability"),
        ({"impact": "Q"}, "impact"),
        ({"action_date": D(2010, 3, 31), "action_ongoing": True}, "action_date"),
    ],
)
def test_adding_refuses_bad_values(db, project, values, field):
    with pytest.raises(RuleRefused) as refused:
        new_risk(project, **values)
    assert refused.value.field == field
    assert db.session.execute(db.select(Risk)).scalars().all() == []


def test_reviewing_a_risk_from_the_source_log_keeps_its_values_first(seeded, db):
    reviewer = PersonFactory()
    source_risk = db.session.execute(
        db.select(Risk).where(Risk.project_id == seeded.id, Risk.number == "02")
    ).scalar_one()
    # The seed gives each risk its V1.2 review; a risk loaded without one (from an older
    # seed or an import) is what this rule is for.
    source_risk.reviews.clear()
    db.session.flush()
    review_risk(
        source_risk,
        probability=M,
        impact=H,
        status=OPEN,
        note="Capacity freed from other projects",
        review_by=D(2010, 4, 30),
        reviewed_by=reviewer,
        now=at(D(2010, 3, 26)),
    )
    assert (source_risk.probability, source_risk.impact, source_risk.review_by) == (
        M,
        H,
        D(2010, 4, 30),
    )
    kept, review = source_risk.reviews
    assert (kept.probability, kept.impact, kept.reviewed_by, kept.note) == (H, H, None, SOURCE_NOTE)
    assert (review.probability, review.impact, review.reviewed_by) == (M, H, reviewer)


def test_a_review_refuses_a_next_review_date_in_the_past(db, project):
    added = new_risk(project)
    with pytest.raises(RuleRefused) as refused:
        review_risk(
            added,
            probability=M,
            impact=H,
            status=OPEN,
            note="",
            review_by=D(2010, 2, 25),
            reviewed_by=None,
            now=NOW,
        )
    assert refused.value.field == "review_by"


def test_editing_keeps_a_new_assessment_as_a_review_but_not_a_reworded_one(db, project):
    added = new_risk(project)
    values = {
        "description": "Organisational capacity and skills",
        "probability": M,
        "impact": H,
        "owner_id": None,
        "countermeasures": "Training",
        "action_date": None,
        "action_ongoing": True,
        "status": OPEN,
        "review_by": None,
        "edited_by": None,
        "now": NOW,
    }
    assert update_risk(added, **values) is True
    assert len(added.reviews) == 1
    assert update_risk(added, **values) is False
    assert update_risk(added, **(values | {"status": CLOSED})) is True
    assert [r.status for r in added.reviews] == [OPEN, CLOSED]


# The trend ------------------------------------------------------------------------------------


def _reviewed(number: str, created: dt.date, *states) -> Risk:
    """A risk with reviews: each state is (day, probability, impact, status)."""
    made = risk(number=number)
    made.created_at = at(created)
    made.reviews = [
        RiskReview(reviewed_at=at(day), probability=p, impact=i, status=s, note="")
        for day, p, i, s in states
    ]
    last = states[-1]
    made.probability, made.impact, made.status = last[1], last[2], last[3]
    return made


def test_trend_month_by_month_from_reviews():
    first = _reviewed(
        "01",
        D(2010, 1, 15),
        (D(2010, 1, 15), H, H, OPEN),  # 9
        (D(2010, 3, 2), M, H, OPEN),  # 6 from March
        (D(2010, 4, 30), M, H, CLOSED),  # closed at the end of April
    )
    second = _reviewed("02", D(2010, 2, 26), (D(2010, 2, 26), L, M, OPEN))  # 2 from February
    # Never reviewed: as it stands since it was added (status blank counts as not closed).
    third = risk(L, H, None, number="03")
    third.created_at = at(D(2010, 3, 31))
    third.reviews = []
    months = risk_trend([first, second, third], today=D(2010, 5, 10))
    assert [(m.month, m.live, m.total_score, m.high, m.reviews) for m in months] == [
        (D(2010, 1, 1), 1, 9, 1, 1),
        (D(2010, 2, 1), 2, 11, 1, 1),
        (D(2010, 3, 1), 3, 11, 1, 1),
        (D(2010, 4, 1), 2, 5, 0, 1),
        (D(2010, 5, 1), 2, 5, 0, 0),
    ]


def test_trend_of_an_empty_log_is_empty():
    assert risk_trend([], today=D(2010, 5, 10)) == []


def test_trend_months_end_in_london_time():
    # 23:30 UTC on 31 March 2010 is 00:30 on 1 April in London (summer time).
    late = _reviewed("01", D(2010, 3, 1), (D(2010, 3, 1), L, L, OPEN))
    late.reviews.append(
        RiskReview(
            reviewed_at=dt.datetime(2010, 3, 31, 23, 30, tzinfo=dt.UTC),
            probability=H,
            impact=H,
            status=OPEN,
            note="",
        )
    )
    march, april = risk_trend([late], today=D(2010, 4, 2))
    assert (march.total_score, march.reviews) == (1, 1)
    assert (april.total_score, april.reviews) == (9, 1)


def test_a_finished_projects_trend_runs_to_its_end_not_to_today(seeded, db):
    from tracker.risks.services import project_risks, risk_trend, trend_until

    risks = project_risks(seeded, with_reviews=True)
    # While the project runs, the trend runs to today.
    assert trend_until(risks, seeded.end_date, D(2010, 6, 15)) == D(2010, 6, 15)
    # Long after it ended, to its end (31 Mar 2011): Feb 2010 to Mar 2011, 14 months.
    until = trend_until(risks, seeded.end_date, D(2026, 12, 1))
    assert until == D(2011, 3, 31)
    months = risk_trend(risks, until)
    assert (months[0].month, months[-1].month, len(months)) == (D(2010, 2, 1), D(2011, 3, 1), 14)
    # A review after the end extends it to that review.
    risk = risks[0]
    risk.reviews.append(
        RiskReview(
            reviewed_at=at(D(2012, 5, 3)),
            probability=risk.probability,
            impact=risk.impact,
            status=RiskStatus.CLOSED,
        )
    )
    assert trend_until(risks, seeded.end_date, D(2026, 12, 1)) == D(2012, 5, 3)
