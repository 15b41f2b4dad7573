"""Crafted project exports: an import takes only what an export writes, never changes the shared
standard, remaps every id it carries, and refuses oversized, duplicated or unsafe content with
nothing imported. Also: email addresses are one address whatever their case, in the database."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import JSON, func, select, text
from sqlalchemy.exc import IntegrityError

from tests.conftest import _empty_tables
from tests.factories import PersonFactory, member
from tests.test_project_transfer import _add_evidence, _count, _export, _refused, _rezip
from tracker.audit import AuditEvent
from tracker.auth.models import ApiToken, Person
from tracker.evidence.models import Element, EvidenceFile, GuidanceItem
from tracker.extensions import db as _db
from tracker.issues.models import ChangeEffect, ChangeRequest
from tracker.plan.models import Milestone, Stage, Task
from tracker.projects.models import Project, Role
from tracker.transfer.columns import EXPORTED_COLUMNS, KEPT_BY_THE_INSTALLATION
from tracker.transfer.commands import import_and_commit
from tracker.transfer.layout import layout
from tracker.transfer.remap import SOFT_REFERENCES
from tracker.transfer.services import TransferError

Change = Callable[[dict[str, Any]], None]


def _table(manifest: dict[str, Any], name: str) -> tuple[list[str], list[list[Any]]]:
    return manifest["tables"][name]["columns"], manifest["tables"][name]["rows"]


def _add_column(name: str, column: str, value: Any) -> Change:
    def change(manifest: dict[str, Any]) -> None:
        columns, rows = _table(manifest, name)
        columns.append(column)
        for row in rows:
            row.append(value)

    return change


def test_every_column_is_exported_or_kept_by_the_installation(app):
    """A column added later is carried only once columns.py lists it, or says it stays."""
    tables = {t.name: t for t in layout().tables}
    assert set(EXPORTED_COLUMNS) == set(tables)
    for name, table in tables.items():
        kept = KEPT_BY_THE_INSTALLATION.get(name, frozenset())
        assert not kept & set(EXPORTED_COLUMNS[name]), name
        assert {c.name for c in table.columns} == set(EXPORTED_COLUMNS[name]) | kept, name


def test_every_id_without_a_foreign_key_is_moved_or_known_to_hold_none(app):
    for table in layout().tables:
        keys = {fk.parent.name for fk in table.foreign_keys} | {"id"}
        for column in table.columns:
            if isinstance(column.type, JSON) or (
                column.name.endswith("_id") and column.name not in keys
            ):
                assert (table.name, column.name) in SOFT_REFERENCES, (table.name, column.name)


def test_columns_an_export_never_writes_are_refused(db, project):
    data = _export(project.id)
    _empty_tables()
    for table, column, value in (
        ("person", "password_hash", "pbkdf2:sha256:600000$salt$chosen"),
        ("person", "is_admin", True),
        ("person", "is_active_account", True),
    ):
        error = _refused(_rezip(data, _add_column(table, column, value)), "nothing was imported")
        assert any(column in p for p in error.problems), error.problems
    tokens = {"columns": ["id", "person_id", "name", "token_hash"], "rows": []}
    _refused(_rezip(data, lambda m: m["tables"].update(api_token=tokens)), "api_token")
    assert _count(Person) == 0 and _count(ApiToken) == 0


def test_an_address_differing_only_in_case_is_the_same_person(db, project):
    member(PersonFactory(email="anne.example@example.gov.uk"), project, Role.MANAGER)
    db.session.commit()
    people = _count(Person)
    addresses = set(db.session.execute(select(Person.email)).scalars()) - {None}
    assert addresses

    def shout(manifest: dict[str, Any]) -> None:
        columns, rows = _table(manifest, "person")
        at = columns.index("email")
        for row in rows:
            row[at] = f"  {row[at].upper()} " if row[at] else row[at]

    result = _import(_rezip(_export(project.id), shout), slug="copy")
    assert _count(Person) == people
    members = select(Person.email).where(Person.memberships.any(project_id=result))
    assert set(db.session.execute(members).scalars()) - {None} <= addresses


def _import(source: io.BytesIO, slug: str) -> int:
    return import_and_commit(source, slug=slug).project_id


def _standard_change(change: Callable[[list[str], list[list[Any]]], None], table: str) -> Change:
    return lambda manifest: change(*_table(manifest, table))


def _new_element(columns: list[str], rows: list[list[Any]]) -> None:
    extra = list(rows[0])
    extra[columns.index("id")] = max(r[columns.index("id")] for r in rows) + 1
    extra[columns.index("code")] = "1.1.9"
    extra[columns.index("text")] = "An element the standard does not have"
    rows.append(extra)


def _reworded_guidance(columns: list[str], rows: list[list[Any]]) -> None:
    rows[0][columns.index("text")] = "Guidance of the file's own making"


def test_an_import_never_changes_the_shared_standard(db, seeded):
    elements, guidance = _count(Element), _count(GuidanceItem)
    data = _export(seeded.id)
    for table, change, named in (
        ("element", _new_element, "element 1.1.9"),
        ("guidance_item", _reworded_guidance, "guidance"),
    ):
        with pytest.raises(TransferError, match="nothing was imported") as caught:
            _import(_rezip(data, _standard_change(change, table)), slug="copy")
        problems = caught.value.problems
        assert any("differs from" in p and named in p for p in problems), problems
        assert _count(Project) == 1
    _import(io.BytesIO(data), slug="copy")  # the same standard: matched, nothing added
    assert (_count(Element), _count(GuidanceItem)) == (elements, guidance)


def test_change_effects_and_history_follow_the_new_ids(db, seeded):
    effects = db.session.execute(
        select(ChangeEffect).join(ChangeRequest).where(ChangeRequest.project_id == seeded.id)
    ).scalars()
    assert {e.target.value for e in effects} >= {"stage", "milestone"}
    copy = _import(io.BytesIO(_export(seeded.id)), slug="copy")
    owned = {
        "stage": _ids(Stage, copy),
        "milestone": _ids(Milestone, copy),
        "task": _ids(Task, copy),
        "project": {copy},
    }
    copied = db.session.execute(
        select(ChangeEffect).join(ChangeRequest).where(ChangeRequest.project_id == copy)
    ).scalars()
    for effect in copied:
        if effect.target.value in owned:
            assert effect.target_id in owned[effect.target.value], effect.target
    # A moved milestone's history names the copy's stage, not the original's.
    events = db.session.execute(
        select(AuditEvent).where(
            AuditEvent.project_id == copy, AuditEvent.table_name == "milestone"
        )
    ).scalars()
    stage_ids = [e.changes["stage_id"][1] for e in events if "stage_id" in e.changes]
    assert stage_ids and set(stage_ids) <= owned["stage"]


def _ids(model: Any, project_id: int) -> set[int]:
    return set(
        _db.session.execute(select(model.id).where(model.project_id == project_id)).scalars()
    )


def _big_evidence(project: Project, size: int) -> EvidenceFile:
    return _add_evidence(project, b"%PDF-1.4" + b"0" * size)


def test_an_evidence_file_over_the_upload_limit_is_refused(db, project, app, monkeypatch):
    _big_evidence(project, 2 * 1024 * 1024)
    db.session.commit()
    data = _export(project.id)
    assert len(data) < 100 * 1024  # a small ZIP that unpacks to a large file
    _empty_tables()
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    error = _refused(io.BytesIO(data), "nothing was imported")
    assert any("larger than 1 MB" in p for p in error.problems), error.problems


def test_a_member_larger_than_its_header_says_is_still_cut_off(db, project, app, monkeypatch):
    """The size in the ZIP's header is the attacker's word: reading stops at the limit."""
    file = _big_evidence(project, 2 * 1024 * 1024)
    db.session.commit()
    path = f"files/{file.id}"
    data = _export(project.id)
    _empty_tables()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info), zipfile.ZIP_DEFLATED)
        target.getinfo(path).file_size = 1000  # the central directory now says 1,000 bytes
    out.seek(0)
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    _refused(out, "nothing was imported")


def test_a_huge_project_json_is_refused_before_it_is_read(db, project, app, monkeypatch):
    def pad(manifest: dict[str, Any]) -> None:
        manifest["padding"] = "x" * (2 * 1024 * 1024)

    data = _rezip(_export(project.id), pad)
    _empty_tables()
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    loads = json.loads

    def no_parse(body: Any, *args: Any, **kwargs: Any) -> Any:
        assert len(body) <= 1024 * 1024 + 1, "project.json parsed whole"
        return loads(body, *args, **kwargs)

    monkeypatch.setattr("json.loads", no_parse)
    _refused(data, "project.json is larger than 1 MB")


def test_duplicate_ids_are_refused_naming_them(db, seeded):
    def twice(manifest: dict[str, Any]) -> None:
        columns, rows = _table(manifest, "spend_entry")
        rows.append(list(rows[0]))

    data = _rezip(_export(seeded.id), twice)
    _empty_tables()
    error = _refused(data, "nothing was imported")
    assert any("spend_entry" in p and "more than once" in p for p in error.problems)


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/cron.d/evil", "files/../../evil", "C:\\x"])
def test_member_names_outside_the_archive_are_refused(db, project, name):
    data = io.BytesIO(_export(project.id))
    out = io.BytesIO()
    with zipfile.ZipFile(data) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr(zipfile.ZipInfo(name), b"payload")
    out.seek(0)
    _empty_tables()
    error = _refused(out, "nothing was imported")
    assert any("unsafe name" in p for p in error.problems), error.problems


# Email addresses in the database ------------------------------------------------------------

_PERSON = (
    "INSERT INTO person (name, email, is_admin, is_active_account, is_demo, created_at, "
    "updated_at) VALUES (:name, :email, false, true, false, :at, :at)"
)


def test_the_database_refuses_two_addresses_differing_only_in_case(db):
    at = dt.datetime(2010, 1, 1)
    db.session.execute(text(_PERSON), {"name": "Anne", "email": "anne@example.gov.uk", "at": at})
    with pytest.raises(IntegrityError):
        db.session.execute(
            text(_PERSON), {"name": "Anne again", "email": "Anne@Example.gov.uk", "at": at}
        )
    db.session.rollback()


def test_addresses_are_stored_and_looked_up_in_lower_case(db):
    db.session.add(Person(name="Anne", email="  Anne@Example.GOV.uk "))
    db.session.commit()
    stored = db.session.execute(text("SELECT email FROM person")).scalar_one()
    assert stored == "anne@example.gov.uk"
    found = db.session.execute(
        select(Person).where(Person.email == "ANNE@example.gov.uk")
    ).scalar_one()
    assert found.name == "Anne"
    assert db.session.execute(select(func.count()).select_from(Person)).scalar_one() == 1


def test_a_damaged_list_of_files_is_refused_not_an_error(db, project):
    _add_evidence(project)
    db.session.commit()
    data = _export(project.id)
    _empty_tables()
    damaged = [{"evidence_file_id": [1], "path": ["files/1"]}, "files/1"]
    error = _refused(_rezip(data, lambda m: m.update(files=damaged)), "nothing was imported")
    assert "missing from the export" in error.problems[0]
