# ruff: noqa: F811 - the fixtures imported from the evidence and worker tests are parameters here
"""Slow files built by the background worker (REDIS_URL set): the assessor's pack and a
highlight report's PDF, on the real Redis (TEST_REDIS_URL) with a burst worker."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from flask import Flask

from tests.factories import PersonFactory, member
from tests.helpers import sign_in
from tests.html import text_of
from tests.test_evidence import evidence_project, post_item, url  # noqa: F401 - a fixture
from tests.test_reports import pdf_text
from tests.test_worker import queue, redis_app, run_worker  # noqa: F401 - a fixture
from tracker.database import utcnow
from tracker.evidence.models import EvidenceItem, EvidenceStatus
from tracker.evidence.orphans import survey
from tracker.evidence.storage import storage
from tracker.prepared.models import PreparedDownload, PreparedStatus
from tracker.prepared.services import GIVEN_UP_AFTER
from tracker.projects.models import Membership, Role
from tracker.reports.models import HighlightReport


def _person(db, project, role: Role):
    person = PersonFactory()
    member(person, project, role)
    db.session.commit()
    return person


def _with_accepted_evidence(db, client, login_as, project) -> None:
    login_as(Role.WS_LEAD)
    post_item(client, project)
    item = db.session.execute(db.select(EvidenceItem)).scalar_one()
    item.status = EvidenceStatus.ACCEPTED
    db.session.commit()


def _built_in_the_request(app: Flask, client, address: str) -> bytes:
    saved, app.config["REDIS_URL"] = app.config["REDIS_URL"], None
    try:
        answer = client.get(address)
    finally:
        app.config["REDIS_URL"] = saved
    assert answer.status_code == 200
    return answer.data


def _contents(data: bytes) -> dict[str, bytes]:
    """The ZIP's files; index.html as text without its date line is compared whole."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name: archive.read(name) for name in archive.namelist() if name != "elements.xlsx"}


def test_the_pack_is_queued_then_offered_once_the_worker_has_built_it(
    redis_app, db, client, login_as, evidence_project, count_queries
):
    _with_accepted_evidence(db, client, login_as, evidence_project)
    assessor = _person(db, evidence_project, Role.ASSESSOR)
    sign_in(client, assessor)
    pack = url(evidence_project, "evidence/pack")
    direct = _built_in_the_request(redis_app, client, pack)

    asked = client.get(pack)
    assert asked.status_code == 302
    waiting = asked.headers["Location"]
    assert queue().count == 1
    with count_queries as queued_page:
        page = client.get(waiting)
    assert page.status_code == 200
    assert "Your assessor's pack is being prepared" in text_of(page)
    assert "Check again" in text_of(page)
    assert client.get(f"{waiting}/file").status_code == 404  # not made yet

    again = client.get(pack)  # asked twice while queued: the same request, no second job
    assert again.headers["Location"] == waiting
    assert queue().count == 1
    assert db.session.execute(db.select(db.func.count(PreparedDownload.id))).scalar_one() == 1

    run_worker(redis_app)
    with count_queries as ready_page:
        page = client.get(waiting)
    assert "Your assessor's pack is ready" in text_of(page)
    assert f"{waiting}/file" in page.text
    assert ready_page.count == queued_page.count  # whatever the file's state or size
    download = client.get(f"{waiting}/file")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.mimetype == "application/zip"
    assert _contents(download.data) == _contents(direct)
    kept = db.session.execute(db.select(PreparedDownload.storage_key)).scalar_one()
    later = utcnow() + dt.timedelta(days=1)
    assert kept not in {e.key for e in survey(storage(), older_than=later).unreferenced}


def test_only_the_requester_holding_the_permission_fetches_the_pack(
    redis_app, db, client, login_as, evidence_project
):
    _with_accepted_evidence(db, client, login_as, evidence_project)
    assessor = _person(db, evidence_project, Role.ASSESSOR)
    sign_in(client, assessor)
    waiting = client.get(url(evidence_project, "evidence/pack")).headers["Location"]
    run_worker(redis_app)

    sign_in(client, _person(db, evidence_project, Role.WS_MEMBER))
    assert client.get(url(evidence_project, "evidence/pack")).status_code == 403
    assert client.get(waiting).status_code == 404  # not theirs
    sign_in(client, _person(db, evidence_project, Role.MANAGER))
    assert client.get(f"{waiting}/file").status_code == 404  # may make their own, not fetch this

    membership = db.session.execute(
        db.select(Membership).filter_by(person_id=assessor.id)
    ).scalar_one()
    membership.role = Role.WS_MEMBER  # no longer holds evidence.pack
    db.session.commit()
    sign_in(client, assessor)
    assert client.get(waiting).status_code == 403
    assert client.get(f"{waiting}/file").status_code == 403


def test_without_redis_the_pack_is_still_built_in_the_request(
    app, db, client, login_as, evidence_project
):
    _with_accepted_evidence(db, client, login_as, evidence_project)
    sign_in(client, _person(db, evidence_project, Role.ASSESSOR))
    answer = client.get(url(evidence_project, "evidence/pack"))
    assert answer.status_code == 200
    assert answer.mimetype == "application/zip"
    assert db.session.execute(db.select(PreparedDownload)).first() is None


def test_a_failing_build_is_marked_failed_and_can_be_asked_for_again(
    redis_app, db, client, login_as, evidence_project, monkeypatch: pytest.MonkeyPatch
):
    def broken(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("tracker.prepared.kinds.write_pack", broken)
    sign_in(client, _person(db, evidence_project, Role.ASSESSOR))
    pack = url(evidence_project, "evidence/pack")
    waiting = client.get(pack).headers["Location"]
    run_worker(redis_app)

    found = db.session.execute(db.select(PreparedDownload)).scalar_one()
    db.session.refresh(found)
    assert found.status is PreparedStatus.FAILED and found.error == "OSError: disk full"
    assert found.storage_key is None
    text = text_of(client.get(waiting))
    assert "could not be prepared" in text and "OSError: disk full" in text
    assert "Try again" in text
    assert client.get(f"{waiting}/file").status_code == 404
    assert queue().failed_job_registry.count == 0  # recorded here, not retried

    monkeypatch.undo()
    again = client.get(pack).headers["Location"]
    assert again != waiting  # a new request; the failed one is gone
    run_worker(redis_app)
    assert client.get(f"{again}/file").status_code == 200
    assert client.get(waiting).status_code == 404


def test_a_report_pdf_is_built_by_the_worker(redis_app, db, client, seeded):
    sign_in(client, _person(db, seeded, Role.EMT))
    report = db.session.execute(db.select(HighlightReport)).scalar_one()
    address = f"/projects/{seeded.slug}/reports/{report.id}/pdf"
    direct = _built_in_the_request(redis_app, client, address)

    waiting = client.get(address).headers["Location"]
    assert "Your highlight report PDF is being prepared" in text_of(client.get(waiting))
    run_worker(redis_app)
    download = client.get(f"{waiting}/file")
    assert download.data.startswith(b"%PDF")
    assert download.mimetype == "application/pdf"
    assert pdf_text(download.data) == pdf_text(direct)
    assert "highlight-report-1.pdf" in download.headers["Content-Disposition"]


def test_a_request_queued_for_too_long_is_replaced_when_asked_again(
    redis_app, db, client, evidence_project
):
    sign_in(client, _person(db, evidence_project, Role.ASSESSOR))
    pack = url(evidence_project, "evidence/pack")
    lost = client.get(pack).headers["Location"]
    found = db.session.execute(db.select(PreparedDownload)).scalar_one()
    found.requested_at -= GIVEN_UP_AFTER  # the worker never ran it
    db.session.commit()
    again = client.get(pack).headers["Location"]
    assert again != lost and client.get(lost).status_code == 404
    run_worker(redis_app)  # the lost job finds nothing to do; the new one is built
    assert client.get(f"{again}/file").status_code == 200
