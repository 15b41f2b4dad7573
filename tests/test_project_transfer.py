"""Whole-project export and import: a round trip into an empty installation gives the same
project; a file from a newer version or with missing parts is refused and nothing is imported."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import _empty_tables
from tests.factories import PersonFactory
from tracker.audit import AuditEvent
from tracker.auth.models import Person
from tracker.evidence.models import EvidenceFile, EvidenceItem
from tracker.evidence.storage import storage
from tracker.extensions import db as _db
from tracker.plan.models import Milestone, PlanBaseline, Task, TaskDependency
from tracker.projects.models import Project, Role
from tracker.reports.models import HighlightReport, ReportKind
from tracker.transfer import remap, services
from tracker.transfer.columns import KEPT_BY_THE_INSTALLATION
from tracker.transfer.commands import import_and_commit
from tracker.transfer.layout import NOT_EXPORTED, id_column, unexported_tables
from tracker.transfer.services import (
    FORMAT_VERSION,
    MANIFEST,
    TransferError,
    export_project,
    gather,
)


def _add_evidence(project: Project, content: bytes = b"%PDF-1.4 customer insight") -> EvidenceFile:
    item = EvidenceItem(
        project_id=project.id,
        work_stream=project.work_streams[0],
        title="Customer insight strategy",
    )
    key = storage().new_key()
    with storage().open_writer(key) as out:
        out.write(content)
    file = EvidenceFile(
        version=1,
        original_name="insight.pdf",
        storage_key=key,
        size_bytes=len(content),
        content_type="application/pdf",
        sha256=hashlib.sha256(content).hexdigest(),
    )
    item.files.append(file)
    _db.session.add(item)
    _db.session.flush()
    return file


def _export(project_id: int) -> bytes:
    buffer = io.BytesIO()
    export_project(project_id, buffer)
    return buffer.getvalue()


def _manifest(data: bytes) -> dict[str, Any]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return json.loads(archive.read(MANIFEST))


def _rezip(data: bytes, change: Any = None, drop: str | None = None) -> io.BytesIO:
    """The export with its manifest changed by `change` and/or one member left out."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename == drop:
                continue
            body = source.read(info)
            if info.filename == MANIFEST and change:
                manifest = json.loads(body)
                change(manifest)
                body = json.dumps(manifest).encode()
            target.writestr(info, body)
    out.seek(0)
    return out


def _count(model: Any) -> int:
    return _db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _canonical(rows: dict[str, list[dict]], ids: dict[str, dict] | None) -> dict[str, list[str]]:
    """Rows as sorted JSON strings, with every id (own and referenced) mapped through `ids`."""
    result: dict[str, list[str]] = {}
    effects = {r["id"]: r for r in rows.get("change_effect", [])}
    for name, table_rows in rows.items():
        table = _db.metadata.tables[name]
        refs = {fk.parent.name: fk.column.table.name for fk in table.foreign_keys}
        own = id_column(table)
        out = []
        for row in table_rows:
            row = {k: v for k, v in row.items() if k not in KEPT_BY_THE_INSTALLATION.get(name, ())}
            if name == "audit_event":
                if row["actor_label"] == "import":
                    continue
                row.pop("id")
                if ids is not None:
                    row["project_id"] = ids["project"][row["project_id"]]
                    row["changes"] = remap.audit_changes(row, ids, effects)
                    row["record_id"] = remap.new_id(ids, row["table_name"], row["record_id"])
            if ids is not None:
                if own and own in row:
                    row[own] = ids[name][row[own]]
                for column, target in refs.items():
                    if row.get(column) is not None:
                        row[column] = ids[target][row[column]]
                if name == "plan_baseline":
                    row["items"] = remap.baseline_items(row["items"], ids)
                if name == "change_effect":
                    row["target_id"] = remap.effect_target(row, ids)
            out.append(json.dumps(row, default=services._encode, sort_keys=True))
        result[name] = sorted(out)
    return result


def test_every_table_is_exported_or_deliberately_left_out(app):
    assert unexported_tables() == set(NOT_EXPORTED)


def test_round_trip_into_an_empty_installation_gives_the_same_project(db, seeded):
    _add_evidence(seeded)
    # A report that corrects another: a reference within one table, set after both are in.
    first = HighlightReport(
        project_id=seeded.id,
        kind=ReportKind.PROJECT,
        period_start=dt.date(2010, 3, 1),
        period_end=dt.date(2010, 3, 31),
    )
    db.session.add(first)
    db.session.flush()
    db.session.add(
        HighlightReport(
            project_id=seeded.id,
            kind=ReportKind.PROJECT,
            period_start=dt.date(2010, 3, 1),
            period_end=dt.date(2010, 3, 31),
            corrects_id=first.id,
        )
    )
    # Dependencies both ways between tasks and milestones: stage 2 waits for stage 1's milestone.
    tasks = list(db.session.execute(select(Task).where(Task.project_id == seeded.id)).scalars())
    milestone = db.session.execute(
        select(Milestone).where(Milestone.project_id == seeded.id).limit(1)
    ).scalar_one()
    db.session.add_all(
        [
            TaskDependency(
                project_id=seeded.id,
                predecessor_id=tasks[0].id,
                successor_milestone_id=milestone.id,
            ),
            TaskDependency(
                project_id=seeded.id,
                predecessor_milestone_id=milestone.id,
                successor_task_id=tasks[-1].id,
                lag_days=2,
            ),
        ]
    )
    db.session.commit()
    before = gather(seeded.id)
    for table in (
        "task",
        "task_dependency",
        "risk",
        "plan_baseline",
        "evidence_file",
        "highlight_report",
    ):
        assert before[table], table
    data = _export(seeded.id)
    storage().delete(before["evidence_file"][0]["storage_key"])
    _empty_tables()
    assert _count(Project) == 0 and _count(Person) == 0

    result = import_and_commit(io.BytesIO(data))

    after = gather(result.project_id)
    counts = {k: len(v) for k, v in before.items()} | {
        "audit_event": len(before["audit_event"]) + 1
    }
    assert {k: len(v) for k, v in after.items()} == counts
    expected, actual = _canonical(before, result.ids), _canonical(after, None)
    for name in expected:
        assert actual[name] == expected[name], name
    new_file = after["evidence_file"][0]
    with storage().open_reader(new_file["storage_key"]) as stored:  # a key storage accepts
        assert stored.read() == b"%PDF-1.4 customer insight"
    # Passwords and site administrator rights stay with the installation they came from.
    assert all(p["password_hash"] is None and not p["is_admin"] for p in after["person"])
    # The import is one audit event by "import"; the carried history follows the new ids.
    imported = db.session.execute(
        select(AuditEvent).where(AuditEvent.actor_label == "import")
    ).scalar_one()
    assert imported.project_id == result.project_id
    assert imported.record_id == result.project_id


def test_baseline_items_follow_the_new_task_ids(db, seeded):
    data = _export(seeded.id)
    result = import_and_commit(io.BytesIO(data), slug="next-year")
    project = db.session.execute(select(Project).filter_by(slug="next-year")).scalar_one()
    baseline = (
        db.session.execute(select(PlanBaseline).filter_by(project_id=project.id)).scalars().first()
    )
    task_ids = set(db.session.execute(select(Task.id).filter_by(project_id=project.id)).scalars())
    items = [i for i in baseline.items if i["kind"] == "task"]
    assert items and all(i["id"] in task_ids for i in items)
    assert result.slug == "next-year"


def test_import_beside_the_original_reuses_people_and_standard(db, seeded):
    people, standards = _count(Person), _count(_db.metadata.tables["standard"])
    import_and_commit(io.BytesIO(_export(seeded.id)), slug="annual-review-2011")
    assert _count(Project) == 2
    assert _count(Person) == people + _count_people_without_email()
    assert _count(_db.metadata.tables["standard"]) == standards


def _count_people_without_email() -> int:
    """People without an address cannot be matched, so a second copy of each is made."""
    return (
        _db.session.execute(
            select(func.count()).select_from(Person).where(Person.email.is_(None))
        ).scalar_one()
        // 2
    )


def _refused(source: io.BytesIO, match: str) -> TransferError:
    projects, events = _count(Project), _count(AuditEvent)
    with pytest.raises(TransferError, match=match) as caught:
        import_and_commit(source)
    assert (_count(Project), _count(AuditEvent)) == (projects, events)
    return caught.value


def test_a_file_from_a_newer_version_is_refused(db, project):
    data = _export(project.id)
    newer = _rezip(data, lambda m: m.update(format_version=FORMAT_VERSION + 1))
    _empty_tables()
    error = _refused(newer, "newer version of the tracker")
    assert "Update the tracker" in str(error)


def test_a_file_with_a_table_this_version_does_not_know_is_refused(db, project):
    data = _export(project.id)
    newer = _rezip(data, lambda m: m["tables"].update(future={"columns": ["id"], "rows": []}))
    _empty_tables()
    error = _refused(newer, "nothing was imported")
    assert "does not know: future" in error.problems[0]


def test_missing_parts_are_refused_with_nothing_imported(db, project):
    db.session.add(
        Milestone(
            project_id=project.id,
            stage=project.stages[0],
            name="Stage 1 review",
            scheduled_finish=project.start_date,
        )
    )
    db.session.commit()
    data = _export(project.id)

    def drop_stages(manifest: dict) -> None:
        manifest["tables"]["stage"]["rows"] = []

    _empty_tables()
    error = _refused(_rezip(data, drop_stages), "nothing was imported")
    assert any("stage rows missing from the file" in p for p in error.problems)
    error = _refused(_rezip(data, lambda m: m["tables"].pop("project")), "nothing was imported")
    assert "missing the tables project" in error.problems[0]

    def drop_risk_log(manifest: dict) -> None:  # no reference breaks: only the log is lost
        del manifest["tables"]["risk"], manifest["tables"]["risk_review"]

    error = _refused(_rezip(data, drop_risk_log), "nothing was imported")
    assert error.problems == ["The file is missing the tables risk, risk_review"]
    assert _count(Project) == 0 and _count(Person) == 0
    _refused(_rezip(data, drop=MANIFEST), "no project.json")
    _refused(io.BytesIO(b"not a zip"), "not a ZIP file")


def test_a_missing_evidence_file_is_refused_and_nothing_written(db, project, app):
    file_id = _add_evidence(project).id
    db.session.commit()
    data = _export(project.id)
    _empty_tables()
    before = set(Path(app.config["UPLOAD_FOLDER"]).iterdir())
    error = _refused(_rezip(data, drop=f"files/{file_id}"), "nothing was imported")
    assert "insight.pdf" in error.problems[0] and "missing" in error.problems[0]
    assert set(Path(app.config["UPLOAD_FOLDER"]).iterdir()) == before


def test_an_address_in_use_is_refused(db, project):
    error = _refused(io.BytesIO(_export(project.id)), "nothing was imported")
    assert "already exists" in error.problems[0]


def test_a_new_address_must_be_an_address(db, project):
    with pytest.raises(TransferError) as caught:
        import_and_commit(io.BytesIO(_export(project.id)), slug="Next Year!")
    assert "lower-case letters, digits and hyphens" in caught.value.problems[0]


def test_the_import_service_leaves_the_commit_to_its_caller(db, project, app):
    _add_evidence(project)
    db.session.commit()
    data = _export(project.id)
    _empty_tables()
    before = set(Path(app.config["UPLOAD_FOLDER"]).iterdir())
    services.import_project(io.BytesIO(data))
    db.session.rollback()  # the caller's: nothing of the import is left
    assert _count(Project) == 0 and _count(EvidenceItem) == 0
    assert set(Path(app.config["UPLOAD_FOLDER"]).iterdir()) == before


def test_a_failure_while_writing_leaves_no_rows_and_no_files(db, project, app, monkeypatch):
    _add_evidence(project)
    db.session.commit()
    data = _export(project.id)
    _empty_tables()
    before = set(Path(app.config["UPLOAD_FOLDER"]).iterdir())
    real_commit = _db.session.commit

    def failing_commit() -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(_db.session, "commit", failing_commit)
    with pytest.raises(TransferError, match="nothing was imported"):
        import_and_commit(io.BytesIO(data))
    monkeypatch.setattr(_db.session, "commit", real_commit)
    assert _count(Project) == 0 and _count(EvidenceItem) == 0
    assert set(Path(app.config["UPLOAD_FOLDER"]).iterdir()) == before


def test_export_refuses_when_an_evidence_file_is_lost(db, project):
    file = _add_evidence(project)
    db.session.commit()
    storage().delete(file.storage_key)
    with pytest.raises(TransferError, match="missing from storage"):
        _export(project.id)


def test_cli_exports_and_imports(app, db, project, tmp_path):
    runner = app.test_cli_runner()
    target = tmp_path / "project.zip"
    result = runner.invoke(args=["export-project", project.slug, str(target)])
    assert result.exit_code == 0, result.output
    assert "Exported" in result.output and target.exists()
    result = runner.invoke(args=["import-project", str(target)])
    assert result.exit_code != 0 and "already exists" in result.output
    result = runner.invoke(args=["import-project", str(target), "--slug", "copy"])
    assert result.exit_code == 0, result.output
    assert "Imported" in result.output
    assert runner.invoke(args=["export-project", "nope", str(target)]).exit_code != 0


def test_manager_downloads_the_export(client, login_as, project):
    login_as(Role.MANAGER)
    page = client.get(f"/projects/{project.slug}/export")
    assert page.status_code == 200
    assert b"Download the project export" in page.data
    response = client.get(f"/projects/{project.slug}/export.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert _manifest(response.data)["project"]["slug"] == project.slug


def test_export_page_refuses_other_roles(client, login_as, project):
    login_as(Role.WS_LEAD)
    assert client.get(f"/projects/{project.slug}/export.zip").status_code == 403


def test_people_are_exported_without_secrets(db, project):
    member_person = PersonFactory(is_admin=True)
    from tests.factories import member

    member(member_person, project, Role.MANAGER)
    db.session.commit()
    person = _manifest(_export(project.id))["tables"]["person"]
    assert "password_hash" not in person["columns"] and "is_admin" not in person["columns"]
