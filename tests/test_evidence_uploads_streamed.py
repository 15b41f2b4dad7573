"""Evidence uploads written once (tracker/uploads.py): Werkzeug's parser writes each file part
straight into the storage folder, hashing it on the way, instead of spooling it to TMPDIR for the
tracker to copy; keeping it is a rename, and whatever is refused or abandoned leaves nothing."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest
import werkzeug.wrappers.request
from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from tests import test_evidence
from tests.test_evidence import EXE, PDF, add_form, post_item, url
from tracker.evidence.files import IncomingFile, store_upload
from tracker.evidence.models import EvidenceFile, EvidenceItem
from tracker.evidence.storage import LocalStorage
from tracker.projects.models import Role
from tracker.rules import RuleRefused

evidence_project = test_evidence.evidence_project  # the fixture: a project with the standard

# Over Werkzeug's 500 KB, past which its default stream factory spools the part to TMPDIR.
BIG_PDF = PDF + b"%" + os.urandom(1024 * 1024)


def folder(app) -> Path:
    return Path(app.config["UPLOAD_FOLDER"])


def names(app) -> set[str]:
    return {p.name for p in folder(app).iterdir()} if folder(app).exists() else set()


@pytest.fixture(autouse=True)
def limits(app, monkeypatch) -> None:
    """The default limits, whatever an earlier test left on the session's app."""
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 50)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 51 * 1024 * 1024)


@pytest.fixture
def spooled(monkeypatch, tmp_path) -> list[str]:
    """The file parts Werkzeug's default stream factory received (each would be spooled to
    TMPDIR, here an empty folder of the test's own)."""
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(tmpdir))
    calls: list[str] = []
    default = werkzeug.wrappers.request.default_stream_factory

    def counted(*args, **kwargs):
        calls.append(str(args[2] if len(args) > 2 else kwargs.get("filename")))
        return default(*args, **kwargs)

    monkeypatch.setattr(werkzeug.wrappers.request, "default_stream_factory", counted)
    return calls


@pytest.fixture
def at_commit():
    """What the request's file parts were when its transaction committed: the path of each
    (a stream of IncomingFile), its inode, and the hash computed while it was streamed."""
    seen: list[tuple[Path, int, str]] = []

    def look(session: Session) -> None:
        if not has_request_context():
            return
        for upload in request.files.getlist("file"):
            assert isinstance(upload.stream, IncomingFile)
            path = Path(upload.stream.handle.name)
            seen.append((path, path.stat().st_ino, upload.stream.digest.hexdigest()))

    event.listen(Session, "before_commit", look)
    yield seen
    event.remove(Session, "before_commit", look)


def test_an_upload_is_streamed_into_the_storage_folder_and_kept_by_a_rename(
    app, db, client, login_as, evidence_project, spooled, at_commit, tmp_path
):
    login_as(Role.WS_LEAD)
    before = names(app)  # the upload folder is the test session's
    response = post_item(client, evidence_project, file=(io.BytesIO(BIG_PDF), "survey.pdf"))
    assert response.status_code == 302
    row = db.session.execute(db.select(EvidenceFile)).scalar_one()
    [(path, inode, streamed_hash)] = at_commit
    assert path == folder(app) / f"{row.storage_key}.part"  # in storage, under its temporary name
    kept = folder(app) / row.storage_key
    assert kept.stat().st_ino == inode  # the same file renamed, not a copy
    assert streamed_hash == row.sha256 == hashlib.sha256(kept.read_bytes()).hexdigest()
    assert row.sha256 == hashlib.sha256(BIG_PDF).hexdigest() and row.size_bytes == len(BIG_PDF)
    assert names(app) - before == {row.storage_key}
    assert spooled == [] and list((tmp_path / "tmpdir").iterdir()) == []


def test_a_new_version_is_streamed_too(
    app, db, client, login_as, evidence_project, spooled, at_commit
):
    login_as(Role.WS_LEAD)
    assert post_item(client, evidence_project).status_code == 302
    item = db.session.execute(db.select(EvidenceItem)).scalar_one()
    response = client.post(
        url(evidence_project, f"evidence/{item.id}/versions"),
        data={"file": (io.BytesIO(BIG_PDF), "survey-v2.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert len(at_commit) == 2 and spooled == []
    db.session.refresh(item)
    assert item.files[-1].sha256 == hashlib.sha256(BIG_PDF).hexdigest()


@pytest.mark.parametrize(
    ("upload", "status"),
    [
        ((EXE + b"x" * 600_000, "setup.pdf"), 400),  # not the content its name says
        ((b"", "empty.pdf"), 400),
        ((BIG_PDF, "tool.exe"), 400),  # a type not accepted
        ((PDF + b"x" * (1024 * 1024), "big.pdf"), 400),  # over the file limit
        ((PDF + b"x" * (3 * 1024 * 1024), "huge.pdf"), 413),  # over the request limit
    ],
)
def test_a_refused_streamed_upload_leaves_no_temporary_file(
    app, db, client, login_as, evidence_project, spooled, upload, status, monkeypatch
):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    login_as(Role.WS_LEAD)
    before = names(app)
    content, name = upload
    response = post_item(client, evidence_project, file=(io.BytesIO(content), name))
    assert response.status_code == status
    assert db.session.execute(db.select(EvidenceFile)).first() is None
    assert names(app) == before  # neither a kept file nor a `.part`
    assert spooled == []


def test_an_upload_cut_short_leaves_no_temporary_file(app, db, client, login_as, evidence_project):
    login_as(Role.WS_LEAD)
    before = names(app)
    boundary = "cut-short"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nSurvey\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="survey.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode() + BIG_PDF  # the browser went away: no closing boundary
    response = client.post(
        url(evidence_project, "evidence/new"),
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 400
    assert db.session.execute(db.select(EvidenceFile)).first() is None
    assert names(app) == before


def test_other_forms_still_parse_as_werkzeug_does(
    app, db, client, login_as, evidence_project, spooled
):
    login_as(Role.WS_LEAD)
    assert post_item(client, evidence_project).status_code == 302
    item = db.session.execute(db.select(EvidenceItem)).scalar_one()
    before = names(app)
    client.post(
        url(evidence_project, f"evidence/{item.id}/edit"),
        data=add_form(evidence_project, file=(io.BytesIO(BIG_PDF), "other.pdf")),
        content_type="multipart/form-data",
    )
    assert spooled == ["other.pdf"]  # the edit form takes no file: nothing goes to storage
    assert names(app) == before


def test_store_upload_keeps_an_incoming_file_where_it_was_written(app, db, tmp_path):
    store = LocalStorage(tmp_path)
    incoming = IncomingFile(store)
    for start in range(0, len(BIG_PDF), 65536):
        incoming.write(BIG_PDF[start : start + 65536])
    incoming.seek(0)
    stored = store_upload(incoming, "Report.pdf", store, max_bytes=10 * 1024 * 1024)  # type: ignore[arg-type]
    assert stored.key == incoming.key
    assert stored.sha256 == hashlib.sha256(BIG_PDF).hexdigest()
    assert stored.size_bytes == len(BIG_PDF)
    incoming.discard()  # the request's end: a kept file stays for its commit to publish
    db.session.commit()
    assert [p.name for p in tmp_path.iterdir()] == [stored.key]
    assert (tmp_path / stored.key).read_bytes() == BIG_PDF


def test_an_incoming_file_refused_by_store_upload_is_removed_at_once(app, db, tmp_path):
    store = LocalStorage(tmp_path)
    incoming = IncomingFile(store)
    incoming.write(EXE)
    incoming.seek(0)
    with pytest.raises(RuleRefused, match="not a real PDF"):
        store_upload(incoming, "setup.pdf", store, max_bytes=10**6)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []
