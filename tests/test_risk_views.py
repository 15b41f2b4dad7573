"""The risk log pages: who may change risks, bad input, the seeded log, queries and downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from tests.factories import PersonFactory, RiskFactory, RiskReviewFactory, make_project
from tests.helpers import sign_in_as
from tests.html import error_messages, hrefs, link_href, one, parse, text_of
from tracker.audit import AuditEvent
from tracker.filters import london_today as today
from tracker.projects.models import Role
from tracker.risks.models import Level, Risk, RiskReview, RiskStatus
from tracker.risks.services import risk_score

D = dt.date
EDITORS = {Role.MANAGER, Role.SUPPORT}


def page(project, path: str = "") -> str:
    return f"/projects/{project.slug}/risks{path}"


def risk_numbers(response) -> list[str]:
    """The numbers of the risks in the log's table, in the order shown (from each row's id)."""
    return [row["id"].removeprefix("risk-") for row in parse(response).select('tr[id^="risk-"]')]


def form_data(**values) -> dict:
    data = {
        "description": "Key staff leave the council",
        "probability": "M",
        "impact": "H",
        "owner": "0",
        "countermeasures": "Share knowledge across the team",
        "action_date": ["31", "3", "2010"],
        "status": "open",
        "review_by": ["", "", ""],
    }
    return data | values


def add_risks(db, project, count: int, owner=None) -> None:
    levels = list(Level)
    for n in range(count):
        risk = RiskFactory(
            project=project,
            number=f"{n + 1:02d}",
            description=f"Risk number {n + 1}",
            probability=levels[n % 3],
            impact=levels[(n // 3) % 3],
            owner=owner,
            countermeasures="Watch it",
            status=RiskStatus.OPEN if n % 4 else None,
            review_by=D(2010, 1, 1) if n % 2 else None,
        )
        RiskReviewFactory(
            risk=risk,
            reviewed_at=dt.datetime(2010, 1 + n % 6, 1, tzinfo=dt.UTC),
            reviewed_by=owner,
            impact=Level.H,
            note="Looked at",
        )
    db.session.commit()


def risk_count(db) -> int:
    return len(db.session.execute(db.select(Risk)).scalars().all())


# The seeded log -------------------------------------------------------------------------------


def test_seeded_log_scores_and_order(client, db, seeded):
    sign_in_as(client, seeded, Role.EMT)
    response = client.get(page(seeded))
    assert response.status_code == 200
    # Highest score first, number order within a score.
    assert risk_numbers(response) == ["02", "08", "01", "04", "07", "03", "05", "06"]
    # The score is the fourth cell after the number: description, probability, impact, score.
    scores = {
        row["id"].removeprefix("risk-"): int(text_of(row.find_all("td")[3]).split()[0])
        for row in parse(response).select('tr.govuk-table__row[id^="risk-"]')
    }
    assert scores == {
        "01": 6,
        "02": 9,
        "03": 3,
        "04": 6,
        "05": 2,
        "06": 2,
        "07": 6,
        "08": 9,
    }
    text = text_of(response)
    assert "Not recorded" in text  # risk 08's blank status
    assert "Ongoing" in text and "31 Mar 2010" in text and "28 Feb 2011" in text
    assert "PK Paul Knight" in text  # initials with the full name
    assert "High probability, high impact: 2 risks" in text
    assert "Medium probability, high impact: 2 risks" in text
    assert "Low probability, medium impact: 2 risks" in text


def test_seed_scores_come_from_the_one_rule(db, seeded):
    risks = db.session.execute(db.select(Risk).where(Risk.project_id == seeded.id)).scalars()
    scores = {r.number: risk_score(r.probability, r.impact) for r in risks}
    assert scores == {
        "01": 6,
        "02": 9,
        "03": 3,
        "04": 6,
        "05": 2,
        "06": 2,
        "07": 6,
        "08": 9,
    }


def test_heat_map_is_a_table_with_headers_and_links_to_its_square(client, db, seeded):
    sign_in_as(client, seeded, Role.EMT)
    heat = one(client.get(page(seeded)), "table.app-heat-map")
    assert heat.select_one("caption") is not None
    assert len(heat.select('[scope="col"]')) == 4 and len(heat.select('[scope="row"]')) == 3
    assert len(heat.select("a")) == 9
    filtered = client.get(link_href(heat, "High probability, high impact: 2 risks"))
    assert risk_numbers(filtered) == ["02", "08"]
    assert "2 of 8 risks match this filter" in text_of(filtered)


def test_filter_by_status_and_owner(client, db, seeded):
    sign_in_as(client, seeded, Role.SPONSOR)
    assert risk_numbers(client.get(page(seeded, "?status=not-recorded"))) == ["08"]
    closed = client.get(page(seeded, "?status=closed"))
    assert risk_numbers(closed) == []
    assert "No risks match this filter." in text_of(closed)
    pk = db.session.execute(
        db.select(Risk.owner_id).where(Risk.project_id == seeded.id).limit(1)
    ).scalar_one()
    by_owner = client.get(page(seeded, f"?owner={pk}&sort=number"))
    assert risk_numbers(by_owner) == [f"{n:02d}" for n in range(1, 9)]
    assert risk_numbers(client.get(page(seeded, "?owner=none"))) == []


# Who may change risks -------------------------------------------------------------------------


# Every role that reads the risk log (the assessor does not: tests/test_assessor_access.py).
@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ASSESSOR])
def test_only_manager_and_support_change_risks(client, db, login_as, project, role):
    login_as(role)
    add_risks(db, project, 1)
    target = db.session.execute(db.select(Risk)).scalar_one()
    log = client.get(page(project))
    assert log.status_code == 200
    assert client.get(page(project, f"/{target.id}")).status_code == 200
    shows_buttons = "Add a risk" in log.get_data(as_text=True)
    responses = [
        client.post(page(project, "/new"), data=form_data()),
        client.post(page(project, f"/{target.id}/edit"), data=form_data()),
        client.post(
            page(project, f"/{target.id}/review"),
            data={"probability": "L", "impact": "L", "status": "closed"},
        ),
    ]
    if role in EDITORS:
        assert shows_buttons
        assert [r.status_code for r in responses] == [302, 302, 302]
        assert risk_count(db) == 2
    else:
        assert not shows_buttons
        assert [r.status_code for r in responses] == [403, 403, 403]
        assert risk_count(db) == 1
        db.session.refresh(target)
        assert target.description == "Risk number 1"
        assert len(target.reviews) == 1


def test_a_risk_of_another_project_is_not_found(client, db, login_as, project):
    login_as(Role.MANAGER)
    other = make_project()
    add_risks(db, other, 1)
    foreign = db.session.execute(db.select(Risk)).scalar_one()
    for path in (f"/{foreign.id}", f"/{foreign.id}/edit", f"/{foreign.id}/review"):
        assert client.get(page(project, path)).status_code == 404, path


# Adding and editing ---------------------------------------------------------------------------


def test_adding_numbers_the_risk_and_keeps_its_first_review(client, db, login_as, seeded):
    person = sign_in_as(client, seeded, Role.SUPPORT)
    assert client.get(page(seeded, "/new")).status_code == 200
    response = client.post(
        page(seeded, "/new"),
        data=form_data(action_date=["", "", ""], action_ongoing="y", review_by=["30", "4", "2010"]),
    )
    assert response.status_code == 302
    added = db.session.execute(
        db.select(Risk).where(Risk.project_id == seeded.id, Risk.number == "09")
    ).scalar_one()
    assert (added.probability, added.impact, added.status) == (
        Level.M,
        Level.H,
        RiskStatus.OPEN,
    )
    assert added.action_ongoing and added.action_date is None
    assert added.review_by == D(2010, 4, 30)
    assert [r.reviewed_by_id for r in added.reviews] == [person.id]
    shown = client.get(response.headers["Location"])
    assert "Risk 09 added to the risk log." in text_of(shown)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"description": ""}, "Enter a description of the risk"),
        ({"description": "   "}, "Enter a description of the risk"),
        ({"probability": "X"}, "Select high, medium or low for the probability"),
        ({"probability": ""}, "Select high, medium or low for the probability"),
        ({"impact": "VH"}, "Select high, medium or low for the impact"),
        ({"action_date": ["31", "2", "2010"]}, "Action date must be a real date"),
        ({"action_date": ["next", "week", ""]}, "Action date must include a year"),
        ({"action_date": ["x", "y", "2010"]}, "Action date must be a real date"),
        ({"review_by": ["1", "13", "2010"]}, "Review-by date must be a real date"),
        ({"action_ongoing": "y"}, "Enter an action date or select ongoing, not both"),
        ({"status": "maybe"}, "Select whether the risk is open or closed"),
    ],
)
def test_bad_input_is_refused_beside_the_field_and_nothing_is_saved(
    client, db, login_as, project, values, message
):
    login_as(Role.MANAGER)
    response = client.post(page(project, "/new"), data=form_data(**values))
    assert response.status_code == 400
    assert "There is a problem" in text_of(response)
    assert any(shown.startswith(message) for shown in error_messages(response))
    assert risk_count(db) == 0
    assert db.session.execute(db.select(RiskReview)).scalars().all() == []


def test_bad_edit_changes_nothing(client, db, login_as, project):
    login_as(Role.MANAGER)
    add_risks(db, project, 1)
    target = db.session.execute(db.select(Risk)).scalar_one()
    before = (target.description, target.probability, target.impact)
    response = client.post(
        page(project, f"/{target.id}/edit"),
        data=form_data(probability="Z", description="Changed"),
    )
    assert response.status_code == 400
    db.session.refresh(target)
    assert (target.description, target.probability, target.impact) == before


def test_edit_form_shows_the_risk_and_saves_changes(client, db, seeded):
    sign_in_as(client, seeded, Role.MANAGER)
    risk_08 = db.session.execute(
        db.select(Risk).where(Risk.project_id == seeded.id, Risk.number == "08")
    ).scalar_one()
    form = client.get(page(seeded, f"/{risk_08.id}/edit"))
    assert "Limited project management and support resources" in form.get_data(as_text=True)
    assert "The risk log left the status blank" in text_of(form)
    response = client.post(
        page(seeded, f"/{risk_08.id}/edit"),
        data=form_data(
            description=risk_08.description,
            probability="H",
            impact="H",
            owner=str(risk_08.owner_id),
            countermeasures="SMT resource allocation.",
            action_date=["", "", ""],
            action_ongoing="y",
            status="open",
        ),
    )
    assert response.status_code == 302
    db.session.refresh(risk_08)
    assert risk_08.status is RiskStatus.OPEN
    # The blank status of the source log is kept as the first review, then the change.
    assert [r.status for r in risk_08.reviews] == [None, RiskStatus.OPEN]


# Reviews --------------------------------------------------------------------------------------


def test_reviewing_records_history_and_updates_the_risk(client, db, seeded):
    reviewer = sign_in_as(client, seeded, Role.MANAGER)
    risk_02 = db.session.execute(
        db.select(Risk).where(Risk.project_id == seeded.id, Risk.number == "02")
    ).scalar_one()
    form = client.get(page(seeded, f"/{risk_02.id}/review"))
    assert form.status_code == 200
    next_review = today() + dt.timedelta(days=30)
    response = client.post(
        page(seeded, f"/{risk_02.id}/review"),
        data={
            "probability": "M",
            "impact": "H",
            "status": "open",
            "note": "Capacity freed from two other projects",
            "review_by": [str(next_review.day), str(next_review.month), str(next_review.year)],
        },
    )
    assert response.status_code == 302
    db.session.refresh(risk_02)
    assert (risk_02.probability, risk_02.impact, risk_02.review_by) == (
        Level.M,
        Level.H,
        next_review,
    )
    # The first review is the V1.2 risk log's, by Paul Knight (the log's owner of every risk).
    assert [(r.probability, r.reviewed_by_id) for r in risk_02.reviews] == [
        (Level.H, risk_02.owner_id),
        (Level.M, reviewer.id),
    ]
    shown = client.get(page(seeded, f"/{risk_02.id}"))
    text = text_of(shown)
    assert "Capacity freed from two other projects" in text
    assert "2 reviews of risk 02" in text
    history = f"/projects/{seeded.slug}/history/risk/{risk_02.id}"
    assert history in shown.get_data(as_text=True)
    assert client.get(history).status_code == 200
    changes = db.session.execute(
        db.select(AuditEvent).where(
            AuditEvent.table_name == "risk", AuditEvent.record_id == risk_02.id
        )
    ).scalars()
    assert any(e.changes.get("probability") == ["H", "M"] for e in changes)

    # The reviews download has both, each with what it judged, by whom and when.
    for kind in ("csv", "xlsx"):
        response = client.get(page(seeded, f"/reviews/export?format={kind}"))
        assert response.status_code == 200
        assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response_text(client, seeded))))
    assert len(rows) == 9  # one review of each of the eight risks from the log, and this one
    of_02 = [r for r in rows if r["Risk number"] == "02"]
    assert [(r["Reviewed on"], r["Reviewed by"], r["Score"]) for r in of_02] == [
        ("2010-02-26", "Paul Knight", "9"),
        (today().isoformat(), reviewer.name, "6"),
    ]
    assert of_02[1]["Note"] == "Capacity freed from two other projects"
    assert of_02[1]["Status"] == "Open" and of_02[1]["Score band"] == "High"


def test_a_bad_review_saves_nothing(client, db, login_as, project):
    login_as(Role.SUPPORT)
    add_risks(db, project, 1)
    target = db.session.execute(db.select(Risk)).scalar_one()
    response = client.post(
        page(project, f"/{target.id}/review"),
        data={"probability": "H", "impact": "X", "status": "open", "review_by": ["1", "1", "2010"]},
    )
    assert response.status_code == 400
    assert "Select high, medium or low for the impact" in text_of(response)
    db.session.refresh(target)
    assert len(target.reviews) == 1
    past = client.post(
        page(project, f"/{target.id}/review"),
        data={"probability": "H", "impact": "H", "status": "open", "review_by": ["1", "1", "2010"]},
    )
    assert past.status_code == 400
    assert "The next review date must be today or in the future" in text_of(past)
    db.session.refresh(target)
    assert len(target.reviews) == 1


def test_overdue_reviews_are_flagged_on_the_log(client, db, login_as, project):
    login_as(Role.EMT)
    high = {"probability": Level.H, "impact": Level.H}
    RiskFactory(
        project=project, description="Overdue", review_by=today() - dt.timedelta(days=1), **high
    )
    RiskFactory(project=project, description="Due today", review_by=today(), **high)
    db.session.commit()
    log = client.get(page(project))
    assert "1 risk is overdue for review: risk 01" in text_of(log)
    assert "Review overdue" in text_of(one(log, "tr#risk-01"))
    assert "Review overdue" not in text_of(one(log, "tr#risk-02"))


def test_trend_page(client, db, login_as, project):
    person = login_as(Role.LEAD_MEMBER)
    add_risks(db, project, 3, owner=person)
    response = client.get(page(project, "/trend"))
    assert response.status_code == 200
    text = text_of(response)
    assert "Risks not closed at the end of each month" in text
    assert "Jan 2010" in text and "Mar 2010" in text


# Queries --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["", "?status=live&sort=number", "/trend", "/export", "/reviews/export"]
)
def test_pages_run_a_fixed_number_of_queries(client, db, login_as, project, count_queries, path):
    person = login_as(Role.MANAGER)
    add_risks(db, project, 3, owner=person)
    with count_queries as small:
        assert client.get(page(project, path)).status_code == 200
    db.session.execute(db.delete(RiskReview))
    db.session.execute(db.delete(Risk))
    add_risks(db, project, 60, owner=person)
    with count_queries as large:
        assert client.get(page(project, path)).status_code == 200
    assert large.count == small.count, large.statements
    assert small.count <= 8, small.statements


def test_risk_page_runs_a_fixed_number_of_queries(client, db, login_as, project, count_queries):
    person = login_as(Role.MANAGER)
    add_risks(db, project, 1, owner=person)
    target = db.session.execute(db.select(Risk)).scalar_one()
    url = page(project, f"/{target.id}")  # outside the count: target expires on commit
    with count_queries as one:
        assert client.get(url).status_code == 200
    for n in range(30):
        target.reviews.append(
            RiskReview(
                reviewed_at=dt.datetime(2010, 2, 1, tzinfo=dt.UTC) + dt.timedelta(days=n),
                reviewed_by=PersonFactory(),
                probability=Level.L,
                impact=Level.L,
                status=RiskStatus.OPEN,
            )
        )
    db.session.commit()
    with count_queries as many:
        assert client.get(url).status_code == 200
    assert many.count == one.count, many.statements


# Downloads ------------------------------------------------------------------------------------


EXPECTED_08 = {
    "Risk number": "08",
    "Risk description": "Limited project management and support resources",
    "Probability (H/M/L)": "H",
    "Impact (H/M/L)": "H",
    "Score": "9",
    "Score band": "High",
    "Owner initials": "PK",
    "Owner": "Paul Knight",
    "Countermeasures": "SMT resource allocation.",
    "Action date": "",
    "Action ongoing": "Yes",
    "Status": "Not recorded",
    "Review by": "",
    "Review overdue": "No",
    "Reviews recorded": "1",
    "Last reviewed": "2010-02-26",
}


def response_text(client, project) -> str:
    """The CSV of every risk review, without its byte order mark."""
    data = client.get(page(project, "/reviews/export?format=csv")).get_data(as_text=True)
    return data.lstrip("\ufeff")


def test_csv_export_has_every_field_and_the_score(client, db, seeded):
    sign_in_as(client, seeded, Role.WS_MEMBER)
    response = client.get(page(seeded, "/export?format=csv"))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row["Risk number"] for row in rows] == [f"{n:02d}" for n in range(1, 9)]
    assert [int(row["Score"]) for row in rows] == [6, 9, 3, 6, 2, 2, 6, 9]
    assert rows[7] == EXPECTED_08
    assert rows[3]["Action date"] == "2010-03-31"
    assert rows[3]["Action ongoing"] == "No"
    assert rows[0]["Status"] == "Open"


def test_xlsx_export_matches(client, db, seeded):
    sign_in_as(client, seeded, Role.EMT)
    response = client.get(page(seeded, "/export?format=xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(EXPECTED_08)
    by_number = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_number["02"]["Score"] == 9
    assert by_number["04"]["Action date"].date() == D(2010, 3, 31)
    assert by_number["08"]["Status"] == "Not recorded"


def test_export_refuses_an_unknown_format(client, db, login_as, project):
    login_as(Role.MANAGER)
    assert client.get(page(project, "/export?format=pdf")).status_code == 404


def test_risks_are_in_the_navigation(client, db, login_as, project):
    login_as(Role.EMT)
    assert f"/projects/{project.slug}/risks" in hrefs(client.get(f"/projects/{project.slug}/"))


def test_the_trend_page_of_a_finished_project_says_where_it_stops(client, db, seeded, monkeypatch):
    sign_in_as(client, seeded, Role.ASSURANCE)
    seeded.status_date = None  # judged at today
    db.session.commit()
    monkeypatch.setattr("tracker.projects.status.london_today", lambda: dt.date(2026, 12, 1))
    text = text_of(client.get(page(seeded, "/trend")))
    assert "The project ended on 31 Mar 2011: the trend runs to 31 Mar 2011" in text
    assert "Mar 2011" in text and "Apr 2011" not in text and "Feb 2010" in text
    seeded.status_date = dt.date(2010, 6, 15)
    db.session.commit()
    text = text_of(client.get(page(seeded, "/trend")))
    assert "The last month runs to the status date, 15 Jun 2010" in text
    assert "Jun 2010" in text and "Jul 2010" not in text
