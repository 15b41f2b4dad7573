"""Evidence files never half-written: written under a temporary name and published only when the
row commits; `flask storage-orphans` for what a killed process leaves. File names: long ones keep
their extension, non-ASCII ones survive to the download's Content-Disposition."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from tests import test_evidence
from tests.test_evidence import docx_bytes, post_item, url
from tracker.evidence.files import clean_name, store_upload
from tracker.evidence.models import EvidenceFile
from tracker.evidence.storage import LocalStorage, delete_when_committed, storage
from tracker.projects.models import Role

evidence_project = test_evidence.evidence_project  # the fixture: a project with the standard


def folder(app) -> Path:
    return Path(app.config["UPLOAD_FOLDER"])


def names(app) -> set[str]:
    return {p.name for p in folder(app).iterdir()} if folder(app).exists() else set()


# Published on commit ---------------------------------------------------------------------------


def test_a_written_file_is_published_by_the_commit_and_removed_by_a_rollback(app, db, tmp_path):
    store = LocalStorage(tmp_path)
    kept, dropped = store.new_key(), store.new_key()
    with store.open_writer(kept) as out:
        out.write(b"kept")
    assert not store.exists(kept)  # nothing can read it before its row is committed
    db.session.commit()
    assert store.exists(kept)
    with store.open_writer(dropped) as out:
        out.write(b"dropped")
    db.session.rollback()
    assert sorted(p.name for p in tmp_path.iterdir()) == [kept]


def test_a_file_to_delete_goes_at_the_commit_and_stays_after_a_rollback(app, db, tmp_path):
    store = LocalStorage(tmp_path)
    kept, deleted = store.new_key(), store.new_key()
    for key in (kept, deleted):
        with store.open_writer(key) as out:
            out.write(b"evidence")
    db.session.commit()
    delete_when_committed(store, [kept])
    assert store.exists(kept)  # its row's removal may still be rolled back
    db.session.rollback()
    assert store.exists(kept)
    delete_when_committed(store, [deleted])
    db.session.commit()
    assert sorted(p.name for p in tmp_path.iterdir()) == [kept]


class WorkerStopped(SystemExit):
    """What gunicorn's abort of a timed-out worker raises in the middle of a request."""


@pytest.mark.parametrize("failure", [RuntimeError("database went away"), WorkerStopped(1)])
def test_an_upload_whose_commit_fails_leaves_no_file(
    app, db, client, login_as, evidence_project, failure
):
    login_as(Role.WS_LEAD)
    before = names(app)

    def fail(session: Session) -> None:
        if has_request_context():
            raise failure

    event.listen(Session, "before_commit", fail)
    try:
        if isinstance(failure, SystemExit):
            with pytest.raises(SystemExit):
                post_item(client, evidence_project)
        else:
            assert post_item(client, evidence_project).status_code == 500
    finally:
        event.remove(Session, "before_commit", fail)
    assert db.session.execute(db.select(EvidenceFile)).first() is None
    assert names(app) == before


# flask storage-orphans -------------------------------------------------------------------------


def _age(path: Path, minutes: int) -> None:
    then = time.time() - minutes * 60
    os.utime(path, (then, then))


def _file(app, name: str, size: int, minutes_old: int) -> Path:
    folder(app).mkdir(parents=True, exist_ok=True)
    path = folder(app) / name
    path.write_bytes(b"x" * size)
    _age(path, minutes_old)
    return path


def test_storage_orphans_lists_then_removes_what_no_row_refers_to(
    app, db, client, login_as, evidence_project
):
    login_as(Role.WS_LEAD)
    assert post_item(client, evidence_project).status_code == 302
    kept = db.session.execute(db.select(EvidenceFile)).scalar_one().storage_key
    _age(folder(app) / kept, 600)
    killed = _file(app, "a" * 32 + ".part", 2 * 1024 * 1024, 120)  # a worker killed mid-upload
    lost = _file(app, "b" * 32, 1536, 120)  # its row is gone
    in_progress = _file(app, "c" * 32 + ".part", 10, 1)  # an upload still being written
    runner = app.test_cli_runner()

    listed = runner.invoke(args=["storage-orphans"])
    assert listed.exit_code == 0, listed.output
    assert f"Orphan: {killed.name} (2.0 MB" in listed.output
    assert "upload cut short" in listed.output
    assert f"Orphan: {lost.name} (1.5 KB" in listed.output
    assert "2 orphaned file(s), 2.0 MB: run again with --remove" in listed.output
    assert killed.exists() and lost.exists()  # listing removes nothing

    removed = runner.invoke(args=["storage-orphans", "--remove"])
    assert removed.exit_code == 0, removed.output
    assert f"Removed: {killed.name}" in removed.output and f"Removed: {lost.name}" in removed.output
    assert "Removed 2 file(s), 2.0 MB." in removed.output
    assert kept not in removed.output and in_progress.name not in removed.output
    assert names(app) >= {kept, in_progress.name}
    assert not killed.exists() and not lost.exists()
    assert "No orphaned files." in runner.invoke(args=["storage-orphans"]).output


def test_storage_orphans_finishes_a_rename_cut_short_after_the_commit(
    app, db, client, login_as, evidence_project
):
    login_as(Role.WS_LEAD)
    assert post_item(client, evidence_project).status_code == 302
    key = db.session.execute(db.select(EvidenceFile)).scalar_one().storage_key
    pending = folder(app) / f"{key}.part"
    (folder(app) / key).rename(pending)  # as if stopped between the commit and the rename
    _age(pending, 120)
    result = app.test_cli_runner().invoke(args=["storage-orphans", "--remove"])
    assert f"Finished: {pending.name}" in result.output
    assert storage().exists(key) and not pending.exists()


# Names -----------------------------------------------------------------------------------------


def test_a_long_name_keeps_its_extension(app, db, tmp_path):
    long_name = "Customer insight " * 12 + "final.docx"  # over 200 characters
    assert len(long_name) > 200
    cleaned = clean_name(long_name)
    assert cleaned.endswith(".docx") and len(cleaned) <= 200
    assert cleaned.startswith("Customer_insight_Customer_insight")
    stored = store_upload(
        io.BytesIO(docx_bytes()), long_name, LocalStorage(tmp_path), max_bytes=10**6
    )
    assert stored.original_name == cleaned


def test_non_ascii_names_are_kept():
    assert clean_name("Siân_Ó_Briain_Œuvre.docx") == "Siân_Ó_Briain_Œuvre.docx"
    assert clean_name("C:\\Users\\siân\\Réunion 2010.pdf") == "C_Users_siân_Réunion_2010.pdf"
    assert clean_name("../../etc/passwd.pdf") == "etc_passwd.pdf"
    assert clean_name("ﬁle\u200b\u202e.pdf") == "ﬁle.pdf"  # invisible and bidi controls go


def test_a_non_ascii_name_is_stored_and_downloaded_with_that_name(
    app, db, client, login_as, evidence_project
):
    login_as(Role.WS_LEAD)
    name = "Siân_Ó_Briain_Œuvre.docx"
    response = post_item(client, evidence_project, file=(io.BytesIO(docx_bytes()), name))
    assert response.status_code == 302
    file = db.session.execute(db.select(EvidenceFile)).scalar_one()
    assert file.original_name == name
    download = client.get(url(evidence_project, f"evidence/files/{file.id}"))
    assert download.status_code == 200
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"filename*=UTF-8''{quote(name)}" in disposition
    assert "filename=Sian_O_Briain_uvre.docx" in disposition  # the ASCII fallback
    assert download.data == docx_bytes()
