"""Derived money at its edges, the shared pounds parser, spend by month and staff days."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.factories import PersonFactory, StaffResourceFactory, member
from tracker.budget.figures import (
    LineFigures,
    SourceFigures,
    budget_summary,
    load_sources,
    summarise_budget,
)
from tracker.budget.ledger import record_spend, save_line, save_source
from tracker.budget.models import BudgetLine, FundingSource, SpendEntry, StaffTime
from tracker.budget.months import monthly_spend, spend_by_month
from tracker.budget.staff import format_days, parse_days, record_staff_time, staff_summary
from tracker.forms import parse_pounds
from tracker.projects.models import Role
from tracker.rules import RuleRefused

D = dt.date


def line_with(provision: int, *spent: int, quantity: int = 1, unit: int | None = None):
    """A budget line in memory (no database) with spend entries of these amounts in pence."""
    line = BudgetLine(
        product="Workshop",
        quantity=quantity,
        unit_cost_pence=provision if unit is None else unit,
        provision_pence=provision,
        notes="",
    )
    line.spend = [SpendEntry(amount_pence=amount, spent_on=D(2010, 2, 26)) for amount in spent]
    return line


def figures(line: BudgetLine) -> LineFigures:
    return summarise_budget(
        [FundingSource(code="SF", name="SF", allocation_pence=0, lines=[line])]
    ).lines[0]


# A line: actual, remaining, overspent ---------------------------------------------------------


def test_exactly_spent_leaves_nothing_and_is_not_overspent(app):
    f = figures(line_with(600_00, 400_00, 200_00))
    assert (f.actual_pence, f.remaining_pence) == (600_00, 0)
    assert not f.overspent
    assert f.fully_spent
    assert f.status == ("Fully spent", "blue")


def test_a_penny_over_is_overspent(app):
    f = figures(line_with(600_00, 600_01))
    assert f.remaining_pence == -1
    assert f.overspent
    assert f.status == ("Overspent by £0.01", "red")


def test_a_penny_under_is_within_provision(app):
    f = figures(line_with(600_00, 599_99))
    assert f.remaining_pence == 1
    assert not f.overspent and not f.fully_spent
    assert f.status[0] == "Within provision"


def test_nothing_spent_remaining_is_the_provision(app):
    f = figures(line_with(600_00))
    assert (f.actual_pence, f.remaining_pence, f.overspent) == (0, 600_00, False)


def test_provision_that_differs_from_quantity_times_unit_cost_is_noticed(app):
    # The seed's training line: 3 x £300 with a provision of £5,000.
    f = figures(line_with(5000_00, 900_00, quantity=3, unit=300_00))
    assert f.costed_pence == 900_00
    assert f.provision_differs
    assert f.remaining_pence == 4100_00
    assert not figures(line_with(1800_00, quantity=9, unit=200_00)).provision_differs


# A funding source against its allocation -------------------------------------------


def source_with(allocation: int, *lines: BudgetLine) -> SourceFigures:
    source = FundingSource(code="CT", name="Corporate training", allocation_pence=allocation)
    source.lines = list(lines)
    return summarise_budget([source]).sources[0]


def test_source_spending_its_whole_allocation_is_not_over(app):
    sf = source_with(5000_00, line_with(5000_00, 5000_00))
    assert sf.remaining_pence == 0
    assert not sf.over_allocation
    assert sf.problems == []
    assert sf.status[0] == "Within allocation"


def test_source_spending_a_penny_more_than_its_allocation_is_flagged(app):
    sf = source_with(5000_00, line_with(5000_00, 5000_01))
    assert sf.over_allocation
    assert sf.spend_over_allocation_pence == 1
    assert sf.status == ("Spend over allocation by £0.01", "red")
    assert "spent £0.01 more than its allocation of £5,000.00" in sf.problems[0]


def test_source_whose_lines_provide_more_than_its_allocation_is_flagged(app):
    sf = source_with(1000_00, line_with(600_00), line_with(400_01))
    assert sf.provision_over_allocation_pence == 1
    assert sf.spend_over_allocation_pence == 0
    assert sf.over_allocation
    assert sf.status == ("Provision over allocation by £0.01", "amber")
    assert sf.unprovided_pence == -1


def test_source_with_an_overspent_line_says_so_even_within_allocation(app):
    sf = source_with(10_000_00, line_with(600_00, 700_00), line_with(400_00))
    assert not sf.over_allocation
    assert sf.status == ("1 line overspent", "red")


def test_summary_names_every_problem_in_words(app):
    source = FundingSource(code="SF", name="Service First", allocation_pence=500_00)
    source.lines = [line_with(600_00, 700_00)]
    for line in source.lines:
        line.source = source
    summary = summarise_budget([source])
    text = " ".join(summary.problems)
    assert "Service First: spent £200.00 more than its allocation of £500.00" in text
    assert "Service First: its lines provide £100.00 more" in text
    assert "Workshop (SF): overspent by £100.00" in text


# The seed's figures ---------------------------------------------------------------------------


def test_seed_budget_summary(seeded):
    summary = budget_summary(seeded).as_dict()
    sf, ct = summary["sources"]
    assert (sf["code"], sf["provision_pence"], sf["actual_pence"], sf["remaining_pence"]) == (
        "SF",
        22_600_00,
        1_200_00,
        21_400_00,
    )
    assert sf["allocation_pence"] == 22_600_00
    # The document states £5,000 remaining on the row; the tracker derives £4,100.
    assert (ct["provision_pence"], ct["actual_pence"], ct["remaining_pence"]) == (
        5_000_00,
        900_00,
        4_100_00,
    )
    assert summary["total"] == {
        "allocation_pence": 27_600_00,
        "provision_pence": 27_600_00,
        "actual_pence": 2_100_00,
        "remaining_pence": 25_500_00,
    }
    assert all(isinstance(v, int) for v in summary["total"].values())


def test_seed_meeting_criteria_derives_its_own_remaining(seeded):
    lines = {f.line.product: f for f in budget_summary(seeded).lines}
    meeting = lines["Meeting Criteria"]
    # The February 2010 report prints £9000 remaining on this row; 11200 - 1200 is 10000.
    assert meeting.remaining_pence == 10_000_00
    training = lines["Customer Journey Mapping & Segmentation"]
    assert training.remaining_pence == 4_100_00
    assert "£5000" in training.line.notes


def test_seed_staff_summary_plans_946_days(seeded):
    summary = staff_summary(seeded)
    assert summary.planned_days == 946
    assert summary.actual_days == Decimal(0)
    assert [r.planned_days for r in summary.roles] == [16, 130, 130, 175, 420, 75]
    assert summary.as_dict()["total"]["planned_days"] == 946


# Spend by month -------------------------------------------


def test_seed_spend_by_month(seeded):
    months = spend_by_month(seeded, on=D(2026, 1, 1))
    assert [m.month for m in months][:3] == [D(2009, 12, 1), D(2010, 1, 1), D(2010, 2, 1)]
    assert len(months) == 16 and months[-1].month == D(2011, 3, 1)
    # Planned: £27,600 spread evenly over 16 months, whole pence, reaching the whole provision.
    assert months[0].planned_to_date_pence == 27_600_00 // 16
    assert months[-1].planned_to_date_pence == 27_600_00
    assert sum(m.planned_pence for m in months) == 27_600_00
    assert all(isinstance(m.planned_pence, int) for m in months)
    # Actual: £2,100 spent in February 2010, cumulative afterwards.
    by_month = {m.month: m for m in months}
    assert by_month[D(2010, 1, 1)].actual_to_date_pence == 0
    assert by_month[D(2010, 2, 1)].actual_pence == 2_100_00
    assert by_month[D(2010, 2, 1)].actual_to_date_pence == 2_100_00
    assert months[-1].actual_to_date_pence == 2_100_00
    assert months[-1].variance_pence == 2_100_00 - 27_600_00


def test_months_still_to_come_have_no_actual(seeded):
    months = spend_by_month(seeded, on=D(2010, 2, 10))
    by_month = {m.month: m for m in months}
    assert by_month[D(2010, 2, 1)].actual_to_date_pence == 2_100_00
    assert by_month[D(2010, 3, 1)].actual_pence is None
    assert by_month[D(2010, 3, 1)].variance_pence is None


def test_spend_outside_the_project_counts_in_its_nearest_month_and_never_widens_the_range(
    app, project
):
    source = FundingSource(project_id=project.id, code="SF", name="SF", allocation_pence=1600)
    line = line_with(1600, 100, 200)
    line.spend[0].spent_on = D(2009, 10, 15)  # before the project starts (1 Dec 2009)
    line.spend[1].spent_on = D(2011, 5, 2)  # after it ends (31 Mar 2011)
    source.lines = [line]
    months = monthly_spend(project, [source], on=D(2012, 1, 1))
    assert months[0].month == D(2009, 12, 1) and months[-1].month == D(2011, 3, 1)
    assert len(months) == 16
    assert months[0].actual_pence == 100
    assert months[-1].planned_to_date_pence == 1600 and months[-1].actual_to_date_pence == 300
    assert sum(m.planned_pence for m in months) == 1600


# The one shared parser of pounds -------------------------------------------


@pytest.mark.parametrize(
    ("text", "pence"),
    [
        ("1200", 120000),
        ("1,200.50", 120050),
        ("£12", 1200),
        ("0", 0),
        ("0.5", 50),
        (" 600.00 ", 60000),
    ],
)
def test_parse_pounds_reads_amounts_to_whole_pence(text, pence):
    value = parse_pounds(text)
    assert value == pence and isinstance(value, int)


@pytest.mark.parametrize("text", ["-1", "1.234", "abc", "", "  ", "1,20", "12.3.4", "£-5"])
def test_parse_pounds_refuses_what_is_not_an_amount(text):
    with pytest.raises(ValueError):
        parse_pounds(text)


# Days -------------------------------------------


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("1.5", Decimal("1.5")),
        ("2", Decimal("2")),
        ("0", Decimal("0")),
        ("31", Decimal("31")),
        (".5", Decimal("0.5")),
        ("1.50", Decimal("1.5")),
    ],
)
def test_parse_days(text, days):
    value = parse_days(text)
    assert value == days and isinstance(value, Decimal)


@pytest.mark.parametrize(
    ("text", "month", "message"),
    [
        ("", None, "Enter the number of days"),
        ("abc", None, "Days must be a number, like 2 or 1.5"),
        ("1e1", None, "Days must be a number, like 2 or 1.5"),
        ("-1", None, "Days must be 0 or more"),
        ("32", None, "Days must be 31 or fewer in a month"),
        ("29", D(2010, 2, 1), "Days must be 28 or fewer in Feb 2010"),
        ("1.25", None, "Days must have 1 decimal place or fewer, like 1.5"),
    ],
)
def test_parse_days_refuses(text, month, message):
    with pytest.raises(ValueError, match=message):
        parse_days(text, month)


def test_format_days():
    assert [format_days(v) for v in (946, Decimal("1.5"), Decimal("130.0"), Decimal("0"))] == [
        "946",
        "1.5",
        "130",
        "0",
    ]


# Saving -------------------------------------------


def test_a_blank_provision_is_quantity_times_unit_cost(app, db, project):
    source = save_source(project, None, code="sf", name="Service First", allocation_pence=10_000)
    assert source.code == "SF"
    line = save_line(
        project,
        None,
        source=source,
        product="CSE Awareness Sessions",
        quantity=9,
        unit_cost_pence=200_00,
        provision_pence=None,
    )
    assert line.provision_pence == 1800_00


def test_a_funding_source_code_is_unique_in_the_project(app, db, project):
    save_source(project, None, code="SF", name="Service First", allocation_pence=0)
    with pytest.raises(RuleRefused) as refused:
        save_source(project, None, code="sf", name="Again", allocation_pence=0)
    assert refused.value.field == "code"


def test_record_spend_refuses_nothing_and_the_future(app, db, project):
    source = save_source(project, None, code="SF", name="Service First", allocation_pence=0)
    line = save_line(
        project,
        None,
        source=source,
        product="W",
        quantity=1,
        unit_cost_pence=1,
        provision_pence=None,
    )
    with pytest.raises(RuleRefused, match="more than £0"):
        record_spend(line, spent_on=D(2010, 2, 1), amount_pence=0, on=D(2010, 3, 1))
    with pytest.raises(RuleRefused, match="today or in the past"):
        record_spend(line, spent_on=D(2010, 3, 2), amount_pence=1, on=D(2010, 3, 1))
    entry = record_spend(line, spent_on=D(2010, 3, 1), amount_pence=1, on=D(2010, 3, 1))
    assert entry.id is not None
    assert summarise_budget(load_sources(project)).actual_pence == 1


def test_recording_the_same_person_role_and_month_again_updates_it(app, db, project):
    person = PersonFactory()
    member(person, project, Role.MANAGER)
    resource = StaffResourceFactory(project=project, role_name="Project Manager", days_each=130)
    first = record_staff_time(
        project, resource=resource, person=person, month=D(2010, 2, 17), days=Decimal("1.5")
    )
    assert first.previous_days is None and first.entry.month == D(2010, 2, 1)
    db.session.commit()
    again = record_staff_time(
        project, resource=resource, person=person, month=D(2010, 2, 1), days=Decimal("3")
    )
    db.session.commit()
    assert again.previous_days == Decimal("1.5")
    rows = db.session.execute(db.select(StaffTime)).scalars().all()
    assert len(rows) == 1 and rows[0].days == Decimal("3")
    assert staff_summary(project).actual_days == Decimal("3")


def test_staff_time_outside_the_project_or_too_many_days_is_refused(app, db, project):
    person = PersonFactory()
    resource = StaffResourceFactory(project=project, role_name="PM", days_each=1)
    with pytest.raises(RuleRefused, match="within the project, Dec 2009 to Mar 2011") as e:
        record_staff_time(
            project, resource=resource, person=person, month=D(2011, 4, 1), days=Decimal(1)
        )
    assert e.value.field == "month"
    with pytest.raises(RuleRefused, match="30 or fewer in Apr 2010") as e:
        record_staff_time(
            project, resource=resource, person=person, month=D(2010, 4, 1), days=Decimal(31)
        )
    assert e.value.field == "days"


def test_summary_of_staff_days_by_role_and_month(app, db, project):
    people = [PersonFactory(), PersonFactory()]
    lead = StaffResourceFactory(project=project, role_name="Leads", quantity=2, days_each=2)
    for person, month, days in [
        (people[0], D(2010, 1, 1), "1.5"),
        (people[1], D(2010, 1, 1), "2"),
        (people[0], D(2010, 2, 1), "1"),
    ]:
        record_staff_time(project, resource=lead, person=person, month=month, days=Decimal(days))
    summary = staff_summary(project)
    role = summary.roles[0]
    assert (role.planned_days, role.actual_days, role.remaining_days) == (
        4,
        Decimal("4.5"),
        Decimal("-0.5"),
    )
    assert role.over_plan and role.status == ("Over plan by 0.5 days", "red")
    assert [(m.month, m.total) for m in summary.months] == [
        (D(2010, 1, 1), Decimal("3.5")),
        (D(2010, 2, 1), Decimal("1")),
    ]
