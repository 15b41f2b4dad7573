"""The plan to and from CSV and Excel files (Microsoft Project's columns)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from tests.factories import PersonFactory, make_project, member
from tracker.plan.baselines import load_plan
from tracker.plan.import_apply import import_table
from tracker.plan.import_cells import is_milestone, parse_date, parse_predecessors
from tracker.plan.models import Milestone, Progress, Stage, Task, TaskDependency
from tracker.plan.plan_export import export_csv, export_rows, export_xlsx
from tracker.plan.table_files import FileProblem, read_table
from tracker.projects.models import Role


def d(day: int, month: int, year: int = 2010) -> dt.date:
    return dt.date(year, month, day)


@pytest.fixture
def people(db, project):
    pk = PersonFactory(name="Paul Knight", initials="PK")
    eg = PersonFactory(name="Emma Grant", initials="EG")
    member(pk, project, Role.MANAGER)
    member(eg, project, Role.SUPPORT)
    db.session.commit()
    return pk, eg


def stage(db, project, number: int) -> Stage:
    return db.session.execute(
        db.select(Stage).filter_by(project_id=project.id, number=number)
    ).scalar_one()


@pytest.fixture
def plan_in_db(db, project, people):
    pk, eg = people
    s1, s2 = stage(db, project, 1), stage(db, project, 2)
    stream = project.work_streams[1]
    t1 = Task(
        project_id=project.id,
        stage_id=s1.id,
        code="1.1",
        activity="Getting Started Workshop",
        start_date=d(1, 12, 2009),
        target_finish=d(31, 1),
        actual_finish=d(9, 2),
        progress=Progress.COMPLETE,
        position=1,
        comments="Moved, see – the “issue log”",
    )
    t1.responsible = [pk, eg]
    t2 = Task(
        project_id=project.id,
        stage_id=s1.id,
        code="1.2",
        activity='=HYPERLINK("http://example.com")',
        start_date=d(1, 2),
        target_finish=d(28, 2),
        progress=Progress.AT_RISK,
        position=2,
        work_stream_id=stream.id,
    )
    t2.responsible = [pk]
    t3 = Task(
        project_id=project.id,
        stage_id=s2.id,
        code="2.1",
        activity="Work Stream – Affordable Housing",
        start_date=d(1, 4),
        target_finish=d(24, 9),
        position=3,
    )
    m1 = Milestone(
        project_id=project.id,
        stage_id=s1.id,
        name="Stage 1 - Organisational Preparation Complete",
        scheduled_finish=d(31, 3),
        position=1,
    )
    db.session.add_all([t1, t2, t3, m1])
    db.session.flush()
    db.session.add_all(
        [
            TaskDependency(project_id=project.id, predecessor_id=t1.id, successor_task_id=t2.id),
            TaskDependency(
                project_id=project.id, predecessor_id=t2.id, successor_task_id=t3.id, lag_days=3
            ),
            TaskDependency(
                project_id=project.id, predecessor_id=t2.id, successor_milestone_id=m1.id
            ),
            # Stage 2's work waits for the stage 1 milestone.
            TaskDependency(
                project_id=project.id, predecessor_milestone_id=m1.id, successor_task_id=t3.id
            ),
        ]
    )
    db.session.commit()
    return project


def describe(db, project) -> dict:
    """The plan of a project in plain values, to compare two projects' plans."""
    plan = load_plan(project)
    numbers = {s.id: s.number for s in plan.stages}
    streams = {w.id: w.code for w in plan.work_streams}
    codes = {t.id: t.code for t in plan.tasks}
    names = {m.id: m.name for m in plan.milestones}
    return {
        "tasks": sorted(
            (
                t.code,
                t.activity,
                numbers[t.stage_id],
                t.start_date,
                t.target_finish,
                t.actual_finish,
                t.progress,
                streams.get(t.work_stream_id),
                tuple(sorted(p.initials for p in t.responsible)),
                t.comments,
            )
            for t in plan.tasks
        ),
        "milestones": sorted(
            (m.name, numbers.get(m.stage_id), m.scheduled_finish, m.actual_finish)
            for m in plan.milestones
        ),
        "dependencies": sorted(
            (
                codes.get(dep.predecessor_id) or names.get(dep.predecessor_milestone_id),
                codes.get(dep.successor_task_id) or names.get(dep.successor_milestone_id),
                dep.lag_days,
            )
            for dep in plan.dependencies
        ),
    }


def exported(project, kind: str) -> bytes:
    plan = load_plan(project)
    rows = export_rows(plan, plan.forecast())
    return export_csv(rows) if kind == "csv" else export_xlsx(rows)


def counts(db) -> tuple[int, int, int]:
    return tuple(
        db.session.execute(db.select(db.func.count(model.id))).scalar_one()
        for model in (Task, Milestone, TaskDependency)
    )


# Export -----------------------------------------------------------------------------------


def test_csv_export_has_microsoft_project_columns_and_is_safe_in_a_spreadsheet(plan_in_db):
    data = exported(plan_in_db, "csv")
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(rows[0])[:6] == ["ID", "Name", "Start", "Finish", "Predecessors", "Resource Names"]
    by_wbs = {r["WBS"]: r for r in rows}
    assert by_wbs["1.1"]["Resource Names"] == "PK,EG"  # as on the work plan
    # Progress as recorded, so that the file imports back unchanged.
    assert [by_wbs[code]["Progress"] for code in ("1.1", "1.2", "2.1")] == [
        "Complete",
        "At risk",
        "Not started",
    ]
    assert by_wbs["1.2"]["Predecessors"] == by_wbs["1.1"]["ID"]
    milestone = next(r for r in rows if r["Milestone"] == "Yes")
    # A milestone is a predecessor by its row ID, as Microsoft Project writes it.
    assert by_wbs["2.1"]["Predecessors"] == f"{by_wbs['1.2']['ID']}FS+3 days,{milestone['ID']}"
    assert by_wbs["1.2"]["Name"].startswith("'=")  # not run as a formula
    assert milestone["Finish"] == "2010-03-31"
    # 1.1 finished nine days late, so 1.2 and 2.1 are forecast later.
    assert by_wbs["1.2"]["Forecast Finish"] == "2010-03-09"
    assert by_wbs["1.2"]["Slip (days)"] == "9"


def test_excel_export_has_real_dates_and_no_formulas(plan_in_db):
    sheet = load_workbook(io.BytesIO(exported(plan_in_db, "xlsx"))).active
    header = [c.value for c in sheet[1]]
    rows = [
        dict(zip(header, (c.value for c in row), strict=False))
        for row in sheet.iter_rows(min_row=2)
    ]
    first = next(r for r in rows if r["WBS"] == "1.1")
    assert first["Start"] == dt.datetime(2009, 12, 1)
    formula = next(r for r in rows if r["WBS"] == "1.2")
    assert formula["Name"] == '=HYPERLINK("http://example.com")'
    cell = next(c for c in sheet["B"] if c.value == formula["Name"])
    assert cell.data_type == "s"


# Round trip -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_exported_plan_imports_into_another_project_unchanged(db, plan_in_db, people, kind):
    other = make_project()
    for person in people:
        member(person, other, Role.WS_MEMBER)
    db.session.commit()
    result = import_table(load_plan(other), read_table(exported(plan_in_db, kind)))
    assert result.ok, result.errors
    db.session.commit()
    assert (result.created, result.milestones_created, result.dependencies) == (3, 1, 4)
    assert describe(db, other) == describe(db, plan_in_db)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_importing_the_export_into_the_same_project_changes_nothing(db, plan_in_db, kind):
    before = describe(db, plan_in_db)
    dependency_ids = set(db.session.execute(db.select(TaskDependency.id)).scalars())
    result = import_table(load_plan(plan_in_db), read_table(exported(plan_in_db, kind)))
    assert result.ok, result.errors
    db.session.commit()
    assert (result.created, result.updated, result.milestones_updated) == (0, 3, 1)
    assert describe(db, plan_in_db) == before
    assert counts(db) == (3, 1, 4)
    # The same links are kept, not deleted and added again.
    assert set(db.session.execute(db.select(TaskDependency.id)).scalars()) == dependency_ids


# Import -----------------------------------------------------------------------------------


def table_of(text: str) -> list[list[str]]:
    return read_table(text.encode("utf-8"))


def test_a_microsoft_project_export_with_summary_rows(db, project, people):
    text = (
        "ID,Name,Duration,Start,Finish,Predecessors,Resource Names,Outline Level\n"
        "1,S1 ORGANISATIONAL PREPARATION,90 days,Tue 01/12/09,Wed 31/03/10,,,1\n"
        "2,Getting Started Workshop,45 days,Tue 01/12/09 08:00,Sun 31/01/10 17:00,,PK[50%];EG,2\n"
        "3,Self Assessment,59 days,01 February 2010,31 March 2010,2FS+1 wk,PK,2\n"
        "4,Stage 1 complete,0 days,31/03/2010,31/03/2010,3,,2\n"
        "5,S2 MEETING EVIDENCING,120 days,01/04/2010,24/09/2010,,,1\n"
        "6,Affordable Housing,100 days,01/04/2010,24/09/2010,3,,2\n"
    )
    rows = table_of(text)
    rows[0].append("Milestone")
    for row in rows[1:]:
        row.append("Yes" if row[0] == "4" else "No")
    result = import_table(load_plan(project), rows)
    assert result.ok, result.errors
    db.session.commit()
    plan = describe(db, project)
    assert [(t[0], t[1], t[2]) for t in plan["tasks"]] == [
        ("2", "Getting Started Workshop", 1),
        ("3", "Self Assessment", 1),
        ("6", "Affordable Housing", 2),
    ]
    assert plan["tasks"][0][3:5] == (d(1, 12, 2009), d(31, 1))
    assert plan["tasks"][0][8] == ("EG", "PK")
    assert plan["milestones"] == [("Stage 1 complete", 1, d(31, 3), None)]
    assert plan["dependencies"] == [("2", "3", 7), ("3", "6", 0), ("3", "Stage 1 complete", 0)]


def test_zero_duration_rows_are_milestones_and_may_be_predecessors(db, project, people):
    """Microsoft Project writes a milestone as a task of "0 days", with no Milestone column: the
    stage 2 task and the stage 2 milestone wait for the stage 1 milestone by its row ID."""
    text = (
        "ID,Name,Duration,Start,Finish,Predecessors,Resource Names,Outline Level\n"
        "1,S1 ORGANISATIONAL PREPARATION,90 days,Tue 01/12/09,Wed 31/03/10,,,1\n"
        "2,Self Assessment,59 days,01 February 2010,31 March 2010,,PK,2\n"
        "3,Stage 1 complete,0 days,31/03/2010,31/03/2010,2,,2\n"
        "4,S2 MEETING EVIDENCING,120 days,01/04/2010,24/09/2010,,,1\n"
        "5,Affordable Housing,100 days,01/04/2010,24/09/2010,3,,2\n"
        "6,Stage 2 complete,0 edays?,24/09/2010,24/09/2010,5;3FS+7 days,,2\n"
    )
    result = import_table(load_plan(project), table_of(text))
    assert result.ok, result.errors
    db.session.commit()
    assert (result.created, result.milestones_created, result.dependencies) == (2, 2, 4)
    plan = describe(db, project)
    assert [m[0] for m in plan["milestones"]] == ["Stage 1 complete", "Stage 2 complete"]
    assert plan["dependencies"] == [
        ("2", "Stage 1 complete", 0),
        ("5", "Stage 2 complete", 0),
        ("Stage 1 complete", "5", 0),
        ("Stage 1 complete", "Stage 2 complete", 7),
    ]
    # Exported and imported again, nothing changes.
    before = describe(db, project)
    again = import_table(load_plan(project), read_table(exported(project, "csv")))
    assert again.ok, again.errors
    db.session.commit()
    assert describe(db, project) == before


def test_a_circle_through_a_milestone_is_named_on_its_rows(db, project):
    text = (
        "ID,Name,Duration,Start,Finish,Predecessors,Stage\n"
        "1,A,1 day,01/12/2009,02/12/2009,2,1\n"
        "2,Review,0 days,02/12/2009,02/12/2009,1,1\n"
        "3,Waits for itself,0 days,03/12/2009,03/12/2009,3,1\n"
    )
    result = import_table(load_plan(project), table_of(text))
    messages = {e.row: e.message for e in result.errors}
    assert messages[2] in ("circular dependency: 1 → 2 → 1", "circular dependency: 2 → 1 → 2")
    assert messages[3] == messages[2]
    assert [e.message for e in result.errors if e.row == 4] == [
        "Predecessors: a milestone cannot wait for itself"
    ]


@pytest.mark.parametrize(
    ("milestone", "duration", "expected"),
    [
        ("", "0 days", True),
        ("", "0d", True),
        ("", "0", True),
        ("", "0.0 wks?", True),
        ("", "10 days", False),
        ("", "", False),
        ("No", "0 days", False),  # the Milestone column has the last word
        ("Yes", "3 days", True),
    ],
)
def test_which_rows_are_milestones(milestone, duration, expected):
    assert is_milestone(milestone, duration) is expected


def test_resources_are_named_by_full_name_or_initials_and_shared_initials_are_refused(
    db, project, people
):
    """Microsoft Project writes resources by name ("Paul Knight,Emma Grant")."""
    text = (
        "ID,Name,Start,Finish,Predecessors,Resource Names,WBS\n"
        '1,Workshop,01/12/2009,31/01/2010,,"Paul Knight,emma grant",1.1\n'
        "2,Seminar,01/12/2009,31/01/2010,,Emma  Grant[50%];PK,1.2\n"
    )
    result = import_table(load_plan(project), table_of(text))
    assert result.ok, result.errors
    db.session.commit()
    assert [t[8] for t in describe(db, project)["tasks"]] == [("EG", "PK"), ("EG", "PK")]

    other = PersonFactory(name="Peter Kemp", initials="PK")
    member(other, project, Role.WS_MEMBER)
    db.session.commit()
    text = "ID,Name,Start,Finish,Resource Names,WBS\n1,Workshop,01/12/2009,31/01/2010,PK,1.1\n"
    result = import_table(load_plan(project), table_of(text))
    assert [e.message for e in result.errors] == [
        "Resource Names: Paul Knight and Peter Kemp both have the initials PK: use the full name"
    ]


def test_an_import_cannot_start_work_of_a_stage_whose_previous_stage_is_not_approved(
    db, plan_in_db
):
    before = describe(db, plan_in_db)
    text = (
        "ID,Name,Start,Finish,Progress,Actual Finish,WBS\n"
        "1,Getting Started Workshop,01/12/2009,31/01/2010,Complete,09/02/2010,1.1\n"
        "2,Work Stream – Affordable Housing,01/04/2010,24/09/2010,On track,,2.1\n"
        "3,Documentary Review,01/04/2010,01/10/2010,,01/10/2010,2.2\n"
        "4,Evidence,01/04/2010,01/10/2010,Not started,,2.3\n"
    )
    result = import_table(load_plan(plan_in_db), table_of(text))
    gate = (
        "Stage 2 tasks cannot be started or completed until the sponsor approves the stage 1 "
        "review. Until then their progress stays Not started."
    )
    assert [(e.row, e.message) for e in result.errors] == [(3, gate), (4, gate)]
    db.session.rollback()
    assert describe(db, plan_in_db) == before


def test_broken_rows_are_listed_row_by_row_and_nothing_is_saved(db, plan_in_db):
    before, before_counts = describe(db, plan_in_db), counts(db)
    text = (
        "ID,Name,Start,Finish,Predecessors,Resource Names,WBS\n"
        "1,Getting Started Workshop,01/12/2009,28/02/2010,,PK,1.1\n"  # a good row: not saved
        "2,Bad dates,2010-13-01,soon,,,1.7\n"
        "3,Backwards,01/03/2010,01/02/2010,,,1.8\n"
        "4,Unknown predecessor,01/03/2010,02/03/2010,42,,1.9\n"
        "5,Unknown initials,01/03/2010,02/03/2010,,PK;XY,2.2\n"
        "6,Circle A,01/03/2010,02/03/2010,7,,2.3\n"
        "7,Circle B,01/03/2010,02/03/2010,6,,2.4\n"
        "8,Start to start,01/03/2010,02/03/2010,1SS,,2.5\n"
        "9,,01/03/2010,02/03/2010,,,2.6\n"
        "10,No stage,01/03/2012,02/03/2012,,,X\n"
        "10,Duplicate ID,01/03/2010,02/03/2010,,,2.7\n"
    )
    result = import_table(load_plan(plan_in_db), table_of(text))
    assert not result.ok
    by_row: dict[int, list[str]] = {}
    for error in result.errors:
        by_row.setdefault(error.row, []).append(error.message)
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    assert any("Start “2010-13-01” is not a date" in m for m in by_row[3])
    assert any("Finish “soon” is not a date" in m for m in by_row[3])
    assert by_row[4] == ["Finish is before Start"]
    assert by_row[5] == ["Predecessors: there is no row with ID 42"]
    assert by_row[6] == ["Resource Names: no one in the project has the initials or name XY"]
    assert by_row[7][0] in ("circular dependency: 6 → 7 → 6", "circular dependency: 7 → 6 → 7")
    assert by_row[8] == by_row[7]
    assert "finish-to-start" in by_row[9][0]
    assert by_row[10] == ["Name is missing"]
    assert any("which stage" in m for m in by_row[11])
    assert any("ID is also used on row 11" in m for m in by_row[12])
    db.session.rollback()
    assert describe(db, plan_in_db) == before
    assert counts(db) == before_counts


def test_the_files_predecessors_replace_those_of_the_items_it_lists(db, plan_in_db):
    # The plan has 1.1 -> 1.2 -> 2.1; the file turns it round: 2.1 -> 1.1. Since 2.1 is listed
    # without predecessors, its old links from 1.2 and the milestone go, and no circle is left.
    text = (
        "ID,Name,Start,Finish,Predecessors,WBS\n"
        "1,Getting Started Workshop,01/12/2009,31/01/2010,2,1.1\n"
        "2,Affordable Housing,01/04/2010,24/09/2010,,2.1\n"
    )
    result = import_table(load_plan(plan_in_db), table_of(text))
    assert result.ok, result.errors
    db.session.commit()
    assert describe(db, plan_in_db)["dependencies"] == [
        ("1.1", "1.2", 0),
        ("1.2", "Stage 1 - Organisational Preparation Complete", 0),
        ("2.1", "1.1", 0),
    ]


def test_a_longer_circle_is_named_on_each_of_its_rows(db, project):
    text = (
        "ID,Name,Start,Finish,Predecessors,Stage\n"
        "1,A,01/12/2009,02/12/2009,3,1\n"
        "2,B,01/12/2009,02/12/2009,1,1\n"
        "3,C,01/12/2009,02/12/2009,2,1\n"
        "4,D,01/12/2009,02/12/2009,3,1\n"
    )
    result = import_table(load_plan(project), table_of(text))
    assert [e.row for e in result.errors] == [2, 3, 4]
    assert all(e.message.startswith("circular dependency: ") for e in result.errors)
    # The circle is named the same way on each row: every ID of it, back to where it started.
    words = result.errors[0].message.removeprefix("circular dependency: ").split(" → ")
    assert sorted(words[:-1]) == ["1", "2", "3"] and words[0] == words[-1]
    assert len({e.message for e in result.errors}) == 1


def test_only_the_columns_in_the_file_are_changed(db, plan_in_db):
    text = "ID,Name,WBS\n1,Getting Started Workshop (renamed),1.1\n"
    result = import_table(load_plan(plan_in_db), table_of(text))
    assert result.ok, result.errors
    db.session.commit()
    task = db.session.execute(db.select(Task).filter_by(code="1.1")).scalar_one()
    assert task.activity == "Getting Started Workshop (renamed)"
    assert task.target_finish == d(31, 1) and len(task.responsible) == 2
    # 1.1 had no predecessors; the others keep theirs.
    assert counts(db) == (3, 1, 4)


def test_an_xlsx_with_date_cells_is_read(db, project, people):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ID", "Name", "Start", "Finish", "Predecessors", "Resource Names", "Stage"])
    sheet.append([1, "Workshop", dt.datetime(2009, 12, 1), dt.datetime(2010, 1, 31), None, "PK", 1])
    sheet.append([2, "Review", dt.datetime(2010, 2, 1), dt.datetime(2010, 2, 10), 1, None, "S1"])
    out = io.BytesIO()
    workbook.save(out)
    result = import_table(load_plan(project), read_table(out.getvalue()))
    assert result.ok, result.errors
    assert result.dependencies == 1


# Reading files and cells ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"PK\x03\x04garbage", "not an Excel workbook"),
        ("ID,Name\n1,Caf\u00e9\n".encode("cp1252"), "UTF-8"),
        (b"ID,Name\x00\n", "Excel workbook (.xlsx) or a CSV file"),
    ],
)
def test_the_file_type_is_checked_from_its_content(data, message):
    with pytest.raises(FileProblem, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_table(data)


def test_a_zip_that_is_not_a_workbook_is_refused():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(FileProblem, match="not an Excel workbook"):
        read_table(out.getvalue())


def test_semicolon_separated_csv_is_read():
    assert read_table(b"ID;Name\n1;Workshop\n")[1] == ["1", "Workshop"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2010-02-26", d(26, 2)),
        ("26/02/2010", d(26, 2)),
        ("26/02/10", d(26, 2)),
        ("Fri 26/02/10", d(26, 2)),
        ("Fri 26/02/10 08:00", d(26, 2)),
        ("26 Feb 2010", d(26, 2)),
        ("26 February 2010 17:00", d(26, 2)),
        ("February 26, 2010", d(26, 2)),
        ("NA", None),
        ("", None),
        (dt.datetime(2010, 2, 26, 8), d(26, 2)),
    ],
)
def test_dates_as_microsoft_project_and_spreadsheets_write_them(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2010", "next week", "2010-13-01"])
def test_impossible_dates_are_refused(text):
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", [("3", 0)]),
        ("3,5", [("3", 0), ("5", 0)]),
        ("3FS+2 days;5", [("3", 2), ("5", 0)]),
        ("3FS-1d", [("3", -1)]),
        ("12FS+1 wk", [("12", 7)]),
        ("1.1", [("1.1", 0)]),
        (4.0, [("4", 0)]),
        ("", []),
    ],
)
def test_predecessors_are_read(text, expected):
    assert parse_predecessors(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [("3SS", "finish-to-start"), ("3FS+2 mons", "days or weeks"), ("3 +", "cannot read")],
)
def test_predecessors_that_cannot_be_imported(text, message):
    with pytest.raises(ValueError, match=message):
        parse_predecessors(text)
