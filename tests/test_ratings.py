"""Rating rounds and their ratings (tracker/evidence/ratings.py): the scales, saving a column,
reading an import, adding and changing a round."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import AssessmentRoundFactory, PersonFactory
from tests.helpers import sign_in_as
from tests.html import field_value
from tracker.evidence.models import (
    AssessmentRound,
    ElementRating,
    RatingScale,
    RatingScope,
)
from tracker.evidence.ratings import parse_import, save_column, save_round
from tracker.evidence.readiness import ASSESSOR_COMPLIANCE, SCALE_LABELS, Compliance
from tracker.projects.models import Role
from tracker.rules import RuleRefused


def test_the_scales_store_the_seeds_values_and_show_them_in_words() -> None:
    assert SCALE_LABELS[RatingScale.SELF] == {
        "100": "100%",
        ">50": ">50%",
        "<50": "<50%",
        "0": "0%",
    }
    assessor = SCALE_LABELS[RatingScale.ASSESSOR]
    assert list(assessor.values()) == [
        "Compliance Plus",
        "Compliance",
        "Partial Compliance",
        "Non-compliance",
    ]
    assert [ASSESSOR_COMPLIANCE[v] for v in assessor] == [
        Compliance.FULL,
        Compliance.FULL,
        Compliance.PARTIAL,
        Compliance.NONE,
    ]


def test_the_seed_stores_only_values_of_the_self_assessment_scale(db, seeded) -> None:
    values = set(db.session.execute(db.select(ElementRating.rating).distinct()).scalars())
    assert values <= set(SCALE_LABELS[RatingScale.SELF])


def _round(db, project, name: str = "Pre-assessment Oct 2010", **changes) -> AssessmentRound:
    """An assessor's round for the whole council, but for `changes`."""
    round_ = AssessmentRoundFactory(project=project, name=name, **changes)
    db.session.commit()
    return round_


def test_a_value_off_the_scale_saves_nothing(db, seeded) -> None:
    from tracker.evidence.services import project_elements

    round_ = _round(db, seeded)
    first, second = project_elements(seeded)[:2]
    person = PersonFactory()
    with pytest.raises(RuleRefused, match="100 is not a rating of this round"):
        save_column(round_, None, {first.id: "full", second.id: "100"}, person, dt.date.today())
    assert (
        db.session.execute(db.select(ElementRating).filter_by(round_id=round_.id)).first() is None
    )
    assert save_column(round_, None, {first.id: "full"}, person, dt.date.today()) == 1
    assert save_column(round_, None, {first.id: "full"}, person, dt.date.today()) == 0
    assert save_column(round_, None, {first.id: ""}, person, dt.date.today()) == 1  # cleared


def test_an_import_names_every_broken_row(db, project) -> None:
    round_ = _round(db, project, scope=RatingScope.WORK_STREAM)
    table = [
        ["Element", "Work stream", "Rating", "Note"],
        ["1.1.1", "Alpha", "Compliance Plus", ""],
        ["1.1.2", "alpha", "partial", "a note"],
        [],
        ["2.2.2", "Alpha", "full", ""],
        ["1.1.3", "Beta", "Good", ""],
        ["1.1.1", "ALPHA", "full", ""],  # the same element and stream twice: which is meant?
    ]
    found, errors = parse_import(table, round_, {"1.1.1": 1, "1.1.2": 2, "1.1.3": 3}, {"alpha": 7})
    assert errors == [
        "Row 5: 2.2.2 is not an element of the standard",
        "Row 6: “Beta” is not one of the project's work streams; "
        "Good is not a rating of this round",
        "Row 7: 1.1.1 is rated already in row 2: keep one of the two",
    ]
    assert found == {7: {1: ("plus", ""), 2: ("partial", "a note")}}


def test_an_import_needs_its_columns_named(db, project) -> None:
    round_ = _round(db, project, scope=RatingScope.SERVICE)
    _, errors = parse_import([["Element", "Rating"]], round_, {}, {})
    assert errors == ["The first row must name the columns: Service or Work stream"]
    assert parse_import([], round_, {}, {}) == ({}, ["The file has no rows"])


def test_a_round_keeps_its_scale_and_scope_once_rated(db, seeded) -> None:
    rated = db.session.execute(db.select(AssessmentRound)).scalar_one()
    other = _round(db, seeded)
    fields = {"held_from": None, "held_to": None}
    assert save_round(
        other, name=rated.name, scale=RatingScale.ASSESSOR, scope=RatingScope.COUNCIL, **fields
    ) == {"name": "There is a round with this name already: choose another"}
    problems = save_round(
        rated, name=rated.name, scale=RatingScale.ASSESSOR, scope=RatingScope.COUNCIL, **fields
    )
    assert problems == {
        "scale": "The round has ratings already, so its scale cannot change",
        "scope": "The round has ratings already, so its scope cannot change",
    }
    db.session.rollback()
    assert rated.scale is RatingScale.SELF  # nothing half-saved
    assert (
        save_round(
            other,
            name="On-site Jan 2011",
            scale=RatingScale.SELF,
            scope=RatingScope.SERVICE,
            **fields,
        )
        == {}
    )
    assert other.scale is RatingScale.SELF and other.name == "On-site Jan 2011"


def test_the_manager_changes_a_round(db, client, seeded) -> None:
    sign_in_as(client, seeded, Role.MANAGER)
    rated = db.session.execute(db.select(AssessmentRound)).scalar_one()
    edit = f"/projects/{seeded.slug}/ratings/{rated.id}/edit"
    form = client.get(edit).text
    assert field_value(form, "name") == rated.name and "Save the round" in form
    refused = client.post(edit, data={"name": "2009", "scale": "assessor", "scope": "service"})
    assert refused.status_code == 400
    assert "The round has ratings already, so its scale cannot change" in refused.text
    db.session.refresh(rated)
    assert rated.name != "2009"
    saved = client.post(
        edit,
        data={
            "name": "Self-assessment 2009",
            "scale": "self",
            "scope": "service",
            "held_from": ["1", "5", "2009"],
            "held_to": ["30", "6", "2009"],
        },
    )
    assert saved.status_code == 302
    db.session.refresh(rated)
    assert rated.name == "Self-assessment 2009" and rated.held_to == dt.date(2009, 6, 30)


@pytest.mark.parametrize("role", [Role.WS_LEAD, Role.ASSURANCE, Role.EMT])
def test_only_planners_change_a_round(db, client, seeded, role) -> None:
    sign_in_as(client, seeded, role)
    rated = db.session.execute(db.select(AssessmentRound)).scalar_one()
    assert client.get(f"/projects/{seeded.slug}/ratings/{rated.id}/edit").status_code == 403


def test_an_imported_rating_keeps_its_note(db, client, seeded) -> None:
    import io

    sign_in_as(client, seeded, Role.SUPPORT)
    round_ = _round(db, seeded)
    response = client.post(
        f"/projects/{seeded.slug}/ratings/{round_.id}/import",
        data={
            "file": (
                io.BytesIO(b"Element,Rating,Note\n1.1.1,Compliance Plus,Exemplary insight\n"),
                "ratings.csv",
            )
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    rating = db.session.execute(db.select(ElementRating).filter_by(round_id=round_.id)).scalar_one()
    assert (rating.rating, rating.note) == ("plus", "Exemplary insight")
    page = client.get(f"/projects/{seeded.slug}/standard/elements/1.1.1").text
    assert "Compliance Plus" in page and "Exemplary insight" in page
