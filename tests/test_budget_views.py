"""The budget and staff pages through the test client: roles, forms, seed figures, exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from html import unescape

import pytest
from openpyxl import load_workbook

from tests.factories import (
    BudgetLineFactory,
    FundingSourceFactory,
    PersonFactory,
    SpendEntryFactory,
    member,
)
from tests.helpers import sign_in
from tests.html import error_messages, field_value, hrefs, one, parse, text_of
from tracker.audit import AuditEvent
from tracker.budget.models import BudgetLine, FundingSource, SpendEntry
from tracker.extensions import db as _db
from tracker.projects.models import Role

D = dt.date


def url(project, path: str = "") -> str:
    return f"/projects/{project.slug}/{path}"


def member_of(project, role: Role):
    person = PersonFactory()
    member(person, project, role)
    _db.session.commit()
    return person


@pytest.fixture
def budget(db, project):
    """One funding source with two lines, one of them with £200 spent."""
    source = FundingSourceFactory(
        project=project, code="SF", name="Service First", allocation_pence=1_000_00
    )
    workshop = BudgetLineFactory(
        project=project,
        source=source,
        product="Getting Started Workshop",
        unit_cost_pence=600_00,
        position=1,
    )
    report = BudgetLineFactory(
        project=project,
        source=source,
        product="Professional Report",
        unit_cost_pence=400_00,
        position=2,
    )
    SpendEntryFactory(line=workshop, spent_on=D(2010, 1, 20), amount_pence=200_00)
    db.session.commit()
    return {"source": source, "workshop": workshop, "report": report}


def spend_count() -> int:
    return _db.session.execute(_db.select(_db.func.count(SpendEntry.id))).scalar_one()


def spend_data(budget_line, **fields) -> dict:
    data = {
        "line": str(budget_line.id),
        "spent_on": ["26", "2", "2010"],
        "amount": "150.50",
        "supplier": "EMQC Ltd",
        "reference": "PO 123",
        "description": "Workshop",
    }
    data.update(fields)
    return data


# Roles -------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_who_sees_and_who_changes_the_budget(client, login_as, project, budget, role):
    login_as(role)
    page = client.get(url(project, "budget"))
    record = client.get(url(project, "budget/spend/new"))
    staff = client.get(url(project, "staff"))
    record_days = client.get(url(project, "staff/record"))
    if role is Role.ASSESSOR:
        assert page.status_code == 403 and staff.status_code == 403
    else:
        assert page.status_code == 200 and staff.status_code == 200
        text = text_of(page)
        editor = role in (Role.MANAGER, Role.SUPPORT)
        assert ("Record spend" in text) is editor
        assert ("Add a budget line" in text) is editor
        assert ("Record staff days" in text_of(staff)) is editor
    editor = role in (Role.MANAGER, Role.SUPPORT)
    assert record.status_code == (200 if editor else 403)
    assert record_days.status_code == (200 if editor else 403)


def test_readers_cannot_post_spend(client, login_as, project, budget):
    login_as(Role.SPONSOR)
    response = client.post(url(project, "budget/spend/new"), data=spend_data(budget["workshop"]))
    assert response.status_code == 403
    assert spend_count() == 1


def test_navigation_lists_budget_and_staff_days(client, login_as, project, budget):
    login_as(Role.EMT)
    links = hrefs(client.get(url(project, "budget")))
    assert f"/projects/{project.slug}/budget" in links
    assert f"/projects/{project.slug}/staff" in links


# Recording and deleting spend -------------------------------------------


def test_record_spend(client, login_as, project, budget):
    login_as(Role.SUPPORT)
    line = budget["workshop"]
    form = client.get(url(project, f"budget/spend/new?line={line.id}"))
    assert parse(form).select_one(f'option[value="{line.id}"][selected]')
    response = client.post(url(project, "budget/spend/new"), data=spend_data(line))
    assert response.status_code == 302
    entry = _db.session.execute(_db.select(SpendEntry).filter_by(reference="PO 123")).scalar_one()
    assert entry.amount_pence == 150_50 and isinstance(entry.amount_pence, int)
    assert entry.spent_on == D(2010, 2, 26) and entry.supplier == "EMQC Ltd"
    event = _db.session.execute(
        _db.select(AuditEvent).filter_by(table_name="spend_entry", record_id=entry.id)
    ).scalar_one()
    assert event.action == "create" and event.project_id == project.id
    page = text_of(client.get(url(project, "budget")))
    assert "£150.50 spent on 26 Feb 2010 recorded against Getting Started Workshop" in page
    # 600 - 200 - 150.50
    assert "£350.50 £249.50" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amount": "-1"}, "The amount must be £0 or more"),
        ({"amount": "1.234"}, "The amount must have 2 decimal places or fewer"),
        ({"amount": "abc"}, "Enter the amount as a number of pounds, like 600 or 600.50"),
        ({"amount": ""}, "Enter the amount spent"),
        ({"amount": "0"}, "The amount must be more than £0"),
        ({"line": "0"}, "Select the budget line the money was spent against"),
        ({"line": "99999"}, "Select the budget line the money was spent against"),
        ({"spent_on": ["", "", ""]}, "Enter the date the money was spent"),
        ({"spent_on": ["31", "2", "2010"]}, "The date spent must be a real date"),
        ({"spent_on": ["1", "1", "2999"]}, "The date must be today or in the past"),
        (
            {"spent_on": ["30", "11", "2009"]},
            "Date spent must be within the project's dates (1 Dec 2009 to 31 Mar 2011)",
        ),
        ({"reference": "x" * 101}, "The reference must be 100 characters or fewer"),
    ],
)
def test_bad_spend_is_refused_beside_its_field_and_nothing_is_saved(
    client, login_as, project, budget, fields, message
):
    login_as(Role.MANAGER)
    response = client.post(
        url(project, "budget/spend/new"), data=spend_data(budget["workshop"], **fields)
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert message in unescape(html)
    assert error_messages(html)
    assert spend_count() == 1
    # What was typed is kept.
    if "amount" in fields and fields["amount"]:
        assert field_value(html, "amount") == fields["amount"]


def test_withdraw_spend(client, login_as, project, budget):
    """Spend entered by mistake is withdrawn (kept, out of every figure), not deleted."""
    login_as(Role.MANAGER)
    entry = budget["workshop"].spend[0]
    page = text_of(client.get(url(project, "budget")))
    assert "Withdraw £200.00 spent on 20 Jan 2010" in page
    confirm = client.get(url(project, f"withdraw/spend/{entry.id}"))
    assert confirm.status_code == 200
    assert "Withdraw this spend entry" in text_of(confirm)
    response = client.post(url(project, f"withdraw/spend/{entry.id}"), data={"reason": "Twice"})
    assert response.status_code == 302
    assert spend_count() == 0
    page = text_of(client.get(url(project, "budget")))
    assert "Spend entry withdrawn: £200.00 spent on 20 Jan 2010" in page


def test_spend_of_another_project_is_not_found(client, project, budget):
    from tests.factories import make_project

    other = make_project()
    entry = budget["workshop"].spend[0]
    # A manager of another project cannot reach this project's spend through their own.
    sign_in(client, member_of(other, Role.MANAGER))
    assert client.get(f"/projects/{other.slug}/withdraw/spend/{entry.id}").status_code == 404
    assert client.post(f"/projects/{other.slug}/withdraw/spend/{entry.id}").status_code == 404
    line = budget["workshop"]
    assert client.get(f"/projects/{other.slug}/budget/lines/{line.id}/edit").status_code == 404
    source = budget["source"]
    assert client.get(f"/projects/{other.slug}/budget/sources/{source.id}/edit").status_code == 404
    # Nor record spend against its lines.
    response = client.post(f"/projects/{other.slug}/budget/spend/new", data=spend_data(line))
    assert response.status_code == 400
    assert spend_count() == 1


# Lines and sources -------------------------------------------


def test_add_and_change_a_budget_line(client, login_as, project, budget):
    login_as(Role.MANAGER)
    source = budget["source"]
    response = client.post(
        url(project, "budget/lines/new"),
        data={
            "source": str(source.id),
            "product": "CSE Awareness Sessions",
            "quantity": "9",
            "unit_cost": "200",
            "provision": "",
            "notes": "",
        },
    )
    assert response.status_code == 302
    line = _db.session.execute(
        _db.select(BudgetLine).filter_by(product="CSE Awareness Sessions")
    ).scalar_one()
    assert (line.quantity, line.unit_cost_pence, line.provision_pence) == (9, 200_00, 1800_00)

    form = client.get(url(project, f"budget/lines/{line.id}/edit"))
    assert field_value(form, "provision") == "1800.00"
    response = client.post(
        url(project, f"budget/lines/{line.id}/edit"),
        data={
            "source": str(source.id),
            "product": "CSE Awareness Sessions",
            "quantity": "9",
            "unit_cost": "200",
            "provision": "2,000",
            "notes": "Two more sessions may be needed",
        },
    )
    assert response.status_code == 302
    _db.session.refresh(line)
    assert line.provision_pence == 2000_00
    page = text_of(client.get(url(project, "budget")))
    assert "The provision differs from quantity × unit cost: 9 × £200.00 = £1,800.00" in page
    assert "Notes: Two more sessions may be needed" in page
    # The source's lines now provide £3,000 against an allocation of £1,000.
    assert "Provision over allocation by £2,000.00" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"quantity": "0"}, "Quantity must be 1 or more"),
        ({"quantity": "two"}, "Quantity must be a whole number, like 3"),
        ({"unit_cost": "12.345"}, "The unit cost must have 2 decimal places or fewer"),
        ({"provision": "-5"}, "The provision must be £0 or more"),
        ({"product": ""}, "Enter the product"),
        ({"source": "0"}, "Select the funding source"),
    ],
)
def test_bad_budget_line_is_refused(client, login_as, project, budget, fields, message):
    login_as(Role.SUPPORT)
    data = {
        "source": str(budget["source"].id),
        "product": "New line",
        "quantity": "1",
        "unit_cost": "100",
        "provision": "",
        "notes": "",
    } | fields
    response = client.post(url(project, "budget/lines/new"), data=data)
    assert response.status_code == 400
    assert message in unescape(response.get_data(as_text=True))
    assert _db.session.execute(_db.select(BudgetLine).filter_by(product="New line")).first() is None


def test_add_and_change_a_funding_source(client, login_as, project, budget):
    login_as(Role.MANAGER)
    response = client.post(
        url(project, "budget/sources/new"),
        data={"code": "ct", "name": "Corporate Training Budget Allocation", "allocation": "5000"},
    )
    assert response.status_code == 302
    source = _db.session.execute(_db.select(FundingSource).filter_by(code="CT")).scalar_one()
    assert source.allocation_pence == 5000_00
    again = client.post(
        url(project, "budget/sources/new"),
        data={"code": "SF", "name": "Duplicate", "allocation": "1"},
    )
    assert again.status_code == 400
    assert "already has a funding source with code SF" in again.get_data(as_text=True)
    changed = client.post(
        url(project, f"budget/sources/{source.id}/edit"),
        data={"code": "CT", "name": "Corporate training", "allocation": "abc"},
    )
    assert changed.status_code == 400
    assert "Enter the allocation as a number of pounds" in changed.get_data(as_text=True)


def test_a_funding_source_is_in_the_project_budget_or_beside_it(client, login_as, project, budget):
    login_as(Role.MANAGER)
    form = parse(client.get(url(project, "budget/sources/new")))
    assert form.select_one('input[name="in_project_budget"]').has_attr("checked")  # by default
    data = {"code": "CT", "name": "Corporate Training Budget Allocation", "allocation": "5000"}
    response = client.post(
        url(project, "budget/sources/new"), data=data | {"in_project_budget": "y"}
    )
    assert response.status_code == 302
    source = _db.session.execute(_db.select(FundingSource).filter_by(code="CT")).scalar_one()
    assert source.in_project_budget is True
    data["row_version"] = str(source.row_version)
    edit = url(project, f"budget/sources/{source.id}/edit")
    assert client.post(edit, data=data).status_code == 302  # unticked: beside the budget
    _db.session.refresh(source)
    assert source.in_project_budget is False
    assert (
        not parse(client.get(edit))
        .select_one('input[name="in_project_budget"]')
        .has_attr("checked")
    )


def test_overspent_line_and_source_are_flagged_in_words(client, login_as, project, budget):
    login_as(Role.SPONSOR)
    SpendEntryFactory(line=budget["report"], spent_on=D(2010, 2, 1), amount_pence=400_01)
    SpendEntryFactory(line=budget["workshop"], spent_on=D(2010, 2, 1), amount_pence=400_00)
    _db.session.commit()
    page = text_of(client.get(url(project, "budget")))
    assert "Over budget:" in page
    assert "Professional Report (SF): overspent by £0.01" in page
    assert "Overspent by £0.01" in page
    # Workshop: exactly spent (200 + 400 = 600).
    assert "Fully spent" in page
    assert "Service First: spent £0.01 more than its allocation of £1,000.00" in page
    assert "Spend over allocation by £0.01" in page


# The seed -------------------------------------------


def test_seed_figures_on_the_budget_page(client, seeded):
    manager = member_of(seeded, Role.MANAGER)
    sign_in(client, manager)
    response = client.get(url(seeded, "budget"))
    assert response.status_code == 200
    page = text_of(response)
    assert (
        "Service First budget 2009/10 and 2010/11 (SF) £22,600.00 £22,600.00 £1,200.00 £21,400.00"
        in page
    )
    assert "All prices exclude VAT" in page
    # The training line: the tracker derives £4,100; its notes keep the £5,000 the report states.
    assert (
        "Customer Journey Mapping & Segmentation The provision differs from quantity × unit cost: "
        "3 × £300.00 = £900.00." in page
    )
    assert "£300.00 £5,000.00 £900.00 £4,100.00" in page
    assert "states Budget Remaining £5000 on this row" in page
    # The project budget of 10.2, then every source with the training budget beside it.
    assert "Project budget £22,600.00 £22,600.00 £1,200.00 £21,400.00" in page
    assert "Corporate Training Budget Allocation (CT), beside the project budget £5,000.00" in page
    assert "Total £27,600.00 £27,600.00 £2,100.00 £25,500.00" in page
    # Meeting Criteria: 11200 - 1200.
    assert "£11,200.00 £11,200.00 £1,200.00 £10,000.00" in page
    assert "Over budget" not in page
    # The chart: its rule, its JSON and its table.
    assert (
        "spread evenly over the months of the project, 1 Dec 2009 to 31 Mar 2011 (16 months)"
        in page
    )
    html = parse(response)
    figure = one(html, 'script[type="application/json"][data-plotly-for="spend-chart"]')
    data = json.loads(figure.string)
    assert [trace["type"] for trace in data["data"]] == ["bar", "scatter", "scatter"]
    assert one(html, "#spend-chart")["role"] == "img"
    scripts = " ".join(script["src"] for script in html.select("script[src]"))
    assert "/vendor/plotly.min.js" in scripts and "js/charts.js" in scripts
    assert "Feb 2010 £1,725.00 £5,175.00 £2,100.00 £2,100.00 -£3,075.00" in page


def read_csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def add_spend(line, count: int) -> None:
    for n in range(count):
        SpendEntryFactory(
            line=line,
            spent_on=D(2010, 1, 1) + dt.timedelta(days=n % 400),
            amount_pence=1 + n,
            reference=f"R{n}",
        )
    _db.session.commit()


def budget_queries(client, project, count_queries) -> int:
    with count_queries as counted:
        response = client.get(url(project, "budget"))
    assert response.status_code == 200
    return counted.count


def test_exports_of_the_seed(client, seeded):
    sign_in(client, member_of(seeded, Role.ASSURANCE))
    lines = client.get(url(seeded, "budget/lines/export?format=csv"))
    assert lines.status_code == 200 and lines.mimetype == "text/csv"
    assert "attachment" in lines.headers["Content-Disposition"]
    rows = read_csv(lines)
    assert len(rows) == 11
    training = rows[-1]
    assert training["Product"] == "Customer Journey Mapping & Segmentation"
    assert training["Provision (£, excluding VAT)"] == "5000.00"
    assert training["Actual to date (£)"] == "900.00"
    assert training["Remaining (£)"] == "4100.00"
    assert training["Quantity × unit cost (£)"] == "900.00"
    assert "Budget Remaining £5000" in training["Notes"]
    meeting = next(r for r in rows if r["Product"] == "Meeting Criteria")
    assert meeting["Remaining (£)"] == "10000.00"

    xlsx = client.get(url(seeded, "budget/lines/export?format=xlsx"))
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    header = [c.value for c in sheet[1]]
    values = dict(zip(header, [c.value for c in sheet[12]], strict=True))
    assert values["Remaining (£)"] == 4100
    assert values["Product"] == "Customer Journey Mapping & Segmentation"

    spend = read_csv(client.get(url(seeded, "budget/spend/export?format=csv")))
    assert [(r["Date"], r["Budget line"], r["Amount (£, excluding VAT)"]) for r in spend] == [
        ("2010-02-26", "Meeting Criteria", "1200.00"),
        ("2010-02-26", "Customer Journey Mapping & Segmentation", "900.00"),
    ]
    spend_xlsx = client.get(url(seeded, "budget/spend/export?format=xlsx"))
    assert load_workbook(io.BytesIO(spend_xlsx.data)).active.max_row == 3
    assert client.get(url(seeded, "budget/lines/export?format=pdf")).status_code == 404


def test_budget_page_runs_a_fixed_number_of_queries(
    client, login_as, project, budget, count_queries
):
    login_as(Role.MANAGER)
    add_spend(budget["report"], 9)
    small = budget_queries(client, project, count_queries)
    add_spend(budget["report"], 190)
    for n in range(20):
        BudgetLineFactory(
            project=project,
            source=budget["source"],
            product=f"Extra {n}",
            unit_cost_pence=1,
            position=10 + n,
        )
    _db.session.commit()
    large = budget_queries(client, project, count_queries)
    assert small == large
    assert small <= 8
    # The exports too.
    with count_queries as counted:
        client.get(url(project, "budget/spend/export?format=csv"))
    assert counted.count == small
