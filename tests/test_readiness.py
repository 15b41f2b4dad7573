"""The accreditation rule and each element's compliance (tracker/evidence/readiness.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import AssessmentRoundFactory, ElementRatingFactory
from tracker.evidence.models import EvidenceStatus, Standard
from tracker.evidence.readiness import Compliance, forecast_compliance, verdict

CSE = Standard(name="CSE", version="2008", min_full=46, max_partial=11, max_non_compliant=0)


@pytest.mark.parametrize(
    ("full", "partial", "none", "ready"),
    [
        (46, 11, 0, True),  # exactly at the rule
        (57, 0, 0, True),
        (45, 12, 0, False),  # one fewer full, one too many partial
        (56, 0, 1, False),  # all but one full, but one non-compliance
        (46, 10, 1, False),
        (47, 10, 0, True),
    ],
)
def test_the_rule_at_its_edges(full: int, partial: int, none: int, ready: bool) -> None:
    result = verdict(full, partial, none, CSE)
    assert result.ready is ready
    assert result.sentence.startswith("Meets" if ready else "Does not yet meet")


def test_the_sentence_says_what_is_missing() -> None:
    sentence = verdict(45, 12, 0, CSE).sentence
    assert "1 more fully compliant needed" in sentence
    assert "1 too many partially compliant" in sentence
    assert "1 not compliant where at most 0 may be" in verdict(56, 0, 1, CSE).sentence


def test_the_thresholds_are_the_standards_data_not_code() -> None:
    lenient = Standard(name="X", version="1", min_full=40, max_partial=17, max_non_compliant=1)
    assert verdict(40, 16, 1, lenient).ready
    assert not verdict(40, 16, 1, CSE).ready


A, S = EvidenceStatus.ACCEPTED, EvidenceStatus.SUBMITTED


@pytest.mark.parametrize(
    ("ratings", "evidence", "expected"),
    [
        (["100", "100"], set(), Compliance.FULL),
        (["100", ">50"], {A}, Compliance.FULL),
        (["100", "<50"], {A}, Compliance.PARTIAL),
        ([], {A}, Compliance.FULL),
        ([">50"], set(), Compliance.PARTIAL),
        (["0", "0"], set(), Compliance.NONE),
        ([], set(), Compliance.NONE),
        (["0"], {S}, Compliance.PARTIAL),
        ([], {EvidenceStatus.DRAFT}, Compliance.NONE),
    ],
)
def test_the_forecast_of_an_element(ratings, evidence, expected) -> None:
    assert forecast_compliance(ratings, evidence) is expected


def test_the_seeded_self_assessment_gives_a_forecast(seeded) -> None:
    from tracker.evidence.readiness import project_readiness

    readiness = project_readiness(seeded, dt.date(2010, 3, 1))
    assert readiness.forecast and readiness.basis == "forecast"
    assert len(readiness.elements) == 57
    v = readiness.verdict
    assert v.full + v.partial + v.none == 57
    assert not v.ready
    assert len(readiness.blocking) == 57 - v.full
    untouched = next(c for c in readiness.checks if c.question.startswith("Elements no work"))
    assert len(untouched.found) == 57  # the seed has no evidence yet


def test_the_latest_assessor_round_decides(db, seeded) -> None:
    from tracker.evidence.readiness import project_readiness
    from tracker.evidence.services import project_elements

    elements = project_elements(seeded)
    values = ["full"] * 45 + ["plus"] + ["partial"] * 11
    round_ = _assessor_round(
        db, seeded, "On-site assessment Jan 2011", values, dt.date(2011, 1, 31)
    )
    readiness = project_readiness(seeded, dt.date(2011, 2, 1))
    assert not readiness.forecast and readiness.basis == "On-site assessment Jan 2011"
    assert (readiness.verdict.full, readiness.verdict.partial) == (46, 11)
    assert readiness.verdict.ready and readiness.blocking == []
    round_.ratings[0].rating = "none"
    db.session.commit()
    readiness = project_readiness(seeded, dt.date(2011, 2, 1))
    assert not readiness.verdict.ready
    assert [s.element.code for s in readiness.blocking if s.compliance is Compliance.NONE] == [
        elements[0].code
    ]


def _assessor_round(db, project, name: str, values: list[str], held_to: dt.date):
    """An assessor's council round held to `held_to`, rating the project's elements in order."""
    from tracker.evidence.services import project_elements

    round_ = AssessmentRoundFactory(project=project, name=name, held_to=held_to)
    for element, value in zip(project_elements(project), values, strict=False):
        ElementRatingFactory(round=round_, element=element, rating=value)
    db.session.commit()
    return round_


def test_a_round_set_up_before_the_assessor_rates_does_not_decide(db, seeded) -> None:
    from tracker.evidence.readiness import project_readiness

    _assessor_round(db, seeded, "Documentary review Sep 2010", ["full"] * 57, dt.date(2010, 9, 30))
    _assessor_round(db, seeded, "Pre-assessment Oct 2010", [], dt.date(2010, 10, 31))
    readiness = project_readiness(seeded, dt.date(2010, 11, 1))
    assert readiness.basis == "Documentary review Sep 2010"
    assert readiness.verdict.full == 57 and readiness.verdict.ready


@pytest.mark.parametrize(
    ("values", "blocking"),
    [
        # Enough full and few enough partial: only the one non-compliance blocks.
        (["full"] * 46 + ["partial"] * 10 + ["none"], {"none"}),
        # 45 full: every element not fully compliant blocks (raising any one would help).
        (["full"] * 45 + ["partial"] * 12, {"partial"}),
        (["full"] * 46 + ["partial"] * 11, set()),
    ],
)
def test_the_blocking_elements_are_those_that_break_the_rule(db, seeded, values, blocking):
    from tracker.evidence.readiness import project_readiness

    _assessor_round(db, seeded, "On-site assessment Jan 2011", values, dt.date(2011, 1, 31))
    readiness = project_readiness(seeded, dt.date(2011, 2, 1))
    assert {s.compliance.value for s in readiness.blocking} == blocking
    expected = sum(1 for v in values if v in blocking)
    assert len(readiness.blocking) == expected
