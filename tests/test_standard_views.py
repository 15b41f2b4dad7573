"""The standard, each element's page, the matrices and readiness as pages: what they show,
who may see them, and that they load in a fixed number of queries however much there is."""

from __future__ import annotations

import datetime as dt

import pytest
from markupsafe import escape

from tests.helpers import sign_in_as
from tests.html import one, parse, selected_values, text_of
from tracker.evidence.models import (
    ActionStatus,
    AssessmentRound,
    EvidenceItem,
    EvidenceStatus,
    GapAction,
    RatingScale,
    RatingScope,
)
from tracker.evidence.services import project_elements
from tracker.projects.models import Project, Role


def page(project: Project, path: str = "") -> str:
    return f"/projects/{project.slug}/{path}"


def self_round(db) -> AssessmentRound:
    return db.session.execute(
        db.select(AssessmentRound).where(AssessmentRound.scale == RatingScale.SELF)
    ).scalar_one()


def current_nav(response) -> list[str]:
    """The texts of the service navigation entries shown as the current page."""
    active = parse(response).select(".govuk-service-navigation__item--active > a[aria-current]")
    return [text_of(link) for link in active if link["aria-current"] in ("page", "true")]


def test_the_standard_lists_its_criteria_sub_criteria_and_elements(db, client, seeded):
    sign_in_as(client, seeded, Role.EMT)
    html = client.get(page(seeded, "standard")).text
    assert "5 criteria, 15 sub-criteria and 57 elements" in html
    assert "Criterion 1: Customer Insight" in html
    assert "at least 46 elements fully compliant" in html
    assert page(seeded, "standard/elements/5.3.3") in html


def test_an_element_shows_its_guidance_evidence_ratings_and_actions(db, client, seeded):
    manager = sign_in_as(client, seeded, Role.MANAGER)
    element = project_elements(seeded)[0]
    item = EvidenceItem(
        project_id=seeded.id,
        work_stream_id=seeded.work_streams[0].id,
        title="Customer insight strategy",
        status=EvidenceStatus.SUBMITTED,
        elements=[element],
    )
    db.session.add_all(
        [
            item,
            GapAction(
                project_id=seeded.id,
                element_id=element.id,
                description="Segment the customers of Major Developments",
                owner_id=manager.id,
                status=ActionStatus.OPEN,
            ),
        ]
    )
    db.session.commit()
    html = client.get(page(seeded, f"standard/elements/{element.code}")).text
    assert f"Element {element.code}" in html and escape(element.guidance[0].text) in html
    assert "Customer insight strategy" in html
    assert page(seeded, f"evidence/{item.id}") in html  # each item links to its page
    assert "Self-assessment May–June 2009" in html and "Affordable Housing" in html
    assert "Segment the customers of Major Developments" in html


@pytest.mark.parametrize("code", ["9.9.9", "1.1", "x"])
def test_an_element_the_standard_does_not_have_is_not_found(db, client, seeded, code):
    sign_in_as(client, seeded, Role.EMT)
    assert client.get(page(seeded, f"standard/elements/{code}")).status_code == 404


def test_the_readiness_page_draws_its_chart_beside_a_table(db, client, seeded):
    sign_in_as(client, seeded, Role.EMT)
    html = client.get(page(seeded, "readiness")).text
    assert 'data-plotly-for="readiness-chart"' in html
    assert "Elements by criterion (the chart as a table)" in html
    assert "criterion 1:" in html  # the chart's aria-label says what it shows
    assert "this is a forecast" in html  # the forecast's rule is written on the page
    assert "Does not yet meet the rule for accreditation" in html
    assert "add a gap action" not in html  # the EMT reads, never edits
    sign_in_as(client, seeded, Role.MANAGER)
    html = client.get(page(seeded, "readiness")).text
    assert page(seeded, "standard/elements/1.1.1/gap-actions/new") in html


def test_only_the_closest_navigation_entry_is_current(db, client, seeded):
    sign_in_as(client, seeded, Role.MANAGER)
    assert current_nav(client.get(page(seeded, "readiness"))) == ["Readiness"]
    assert current_nav(client.get(page(seeded, "standard"))) == ["Evidence"]
    assert current_nav(client.get(page(seeded, "evidence"))) == ["Evidence"]


def test_the_self_assessment_matrix_totals_each_service(db, client, seeded):
    sign_in_as(client, seeded, Role.EMT)
    html = client.get(page(seeded, f"ratings/{self_round(db).id}")).text
    assert parse(html).select_one("div.app-table-scroll table")
    for words in ("Total 100%", "Total &gt;50%", "Total &lt;50%", "Total 0%"):
        assert words in html
    # Major Developments left 1.1.3 blank in 2009: 56 of its cells hold a rating.
    csv = client.get(page(seeded, f"ratings/{self_round(db).id}?format=csv")).data
    lines = csv.decode("utf-8-sig").splitlines()
    major = lines[0].split(",").index("Major Developments")
    assert sum(1 for line in lines[1:] if line.split(",")[major]) == 56


def test_the_matrix_filters_by_service_and_rating(db, client, seeded):
    from tracker.projects.models import Service

    sign_in_as(client, seeded, Role.EMT)
    round_ = self_round(db)
    major = db.session.execute(
        db.select(Service).filter_by(project_id=seeded.id, name="Major Developments")
    ).scalar_one()
    base = page(seeded, f"ratings/{round_.id}")
    # One service, only its 0% elements: a single column, and each row a 0%.
    csv = client.get(f"{base}?for={major.id}&rating=0&format=csv").data.decode("utf-8-sig")
    lines = csv.splitlines()
    assert lines[0] == "Element,Major Developments"
    assert len(lines) > 1 and all(line.endswith(",0%") for line in lines[1:])
    html = client.get(f"{base}?for={major.id}&rating=0").text
    assert "Affordable Housing" not in str(one(html, "table"))
    assert selected_values(html, "for") == [str(major.id)]
    # The 1.1.3 Major Developments left blank is not among them; a service the round lacks
    # shows every service.
    assert "1.1.3," not in csv
    every = client.get(f"{base}?for=999999&format=csv").data.decode("utf-8-sig")
    assert every.splitlines()[0].count(",") == 14 and len(every.splitlines()) == 58


def _many(db, project: Project, n: int, start: int) -> None:
    """n evidence items over the elements and work streams, with ratings and gap actions."""
    elements = project_elements(project)
    streams = project.work_streams
    statuses = list(EvidenceStatus)
    for i in range(start, start + n):
        db.session.add(
            EvidenceItem(
                project_id=project.id,
                work_stream_id=streams[i % len(streams)].id,
                title=f"Item {i}",
                status=statuses[i % len(statuses)],
                personal_data=i % 5 == 0,
                review_by=dt.date(2010, 1, 1) if i % 7 == 0 else None,
                elements=[elements[i % 57], elements[(i + 11) % 57]],
            )
        )
        db.session.add(
            GapAction(
                project_id=project.id,
                element_id=elements[0].id,
                description=f"Action {i}",
                status=ActionStatus.OPEN,
            )
        )
    db.session.commit()


def test_the_pages_run_a_fixed_number_of_queries(db, client, seeded, count_queries):
    sign_in_as(client, seeded, Role.MANAGER)
    round_id = self_round(db).id
    council = AssessmentRound(
        project_id=seeded.id,
        name="Pre-assessment Oct 2010",
        scale=RatingScale.ASSESSOR,
        scope=RatingScope.COUNCIL,
    )
    db.session.add(council)
    db.session.commit()
    paths = [
        "standard",
        "standard/elements/1.1.1",
        "readiness",
        "evidence/coverage",
        f"ratings/{round_id}",
        f"ratings/{round_id}?format=xlsx",
        "evidence/coverage?format=csv",
        "ratings",
        "gap-actions",
        f"ratings/{council.id}/enter",
    ]
    _many(db, seeded, 3, 0)
    few = []
    for path in paths:
        with count_queries as counted:
            assert client.get(page(seeded, path)).status_code == 200, path
        few.append(counted.count)
    _many(db, seeded, 300, 3)
    for path, before in zip(paths, few, strict=True):
        with count_queries as counted:
            assert client.get(page(seeded, path)).status_code == 200, path
        assert counted.count == before, path
