"""Benchmark: evidence at scale, and a large upload.

Loads the South Cambridgeshire seed (the standard's 57 elements and the 2009 self-assessment)
into a temporary SQLite database, adds work streams up to 15 and 20,000 evidence items (each
supporting one to three elements) with bulk inserts, then times, through the test client as
the manager, the evidence library, an element's page, the coverage matrix, the appendix 4
matrix and readiness, printing each with its SQL query count. Last, it streams a 200 MB file
through the upload checks into storage and prints the time and the peak Python memory
(tracemalloc). It asserts nothing about time. Run with `make bench` or
`.venv/bin/python bench/bench_evidence.py`.
"""

from __future__ import annotations

import io
import logging
import random
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import flask_migrate
from sqlalchemy import event, insert, select

from tracker import create_app
from tracker.auth.models import Person
from tracker.config import TestConfig
from tracker.evidence.files import store_upload
from tracker.evidence.models import AssessmentRound, EvidenceItem, EvidenceStatus, evidence_element
from tracker.evidence.services import project_elements
from tracker.evidence.storage import LocalStorage
from tracker.extensions import db
from tracker.projects.models import Membership, Project, Role, WorkStream
from tracker.seeding import load_seed

EVIDENCE, STREAMS, REPEATS = 20_000, 15, 5
UPLOAD_MB = 200
SEED = Path(__file__).resolve().parent.parent / "seed"


def timed(action: Callable[[], object]) -> float:
    """Median wall time in milliseconds over REPEATS runs (after one warm-up run)."""
    action()
    times = []
    for _ in range(REPEATS):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def build(rng: random.Random) -> tuple[str, int]:
    """The seeded project with 15 work streams and 20,000 evidence items; its slug and manager."""
    load_seed(SEED)
    project = db.session.execute(select(Project)).scalars().first()
    streams = list(project.work_streams)
    for n in range(len(streams), STREAMS):
        stream = WorkStream(
            project_id=project.id, code=f"B{n}", name=f"Bench stream {n}", position=n
        )
        db.session.add(stream)
        streams.append(stream)
    manager = Person(name="Bench Manager", initials="BM", email="bench.manager@example.gov.uk")
    db.session.add(manager)
    db.session.flush()
    db.session.add(Membership(project_id=project.id, person_id=manager.id, role=Role.MANAGER))
    statuses = list(EvidenceStatus)
    db.session.execute(
        insert(EvidenceItem),
        [
            {
                "project_id": project.id,
                "work_stream_id": streams[n % STREAMS].id,
                "title": f"Evidence {n}",
                "status": statuses[n % len(statuses)],
                "personal_data": n % 20 == 0,
            }
            for n in range(EVIDENCE)
        ],
    )
    ids = list(db.session.execute(select(EvidenceItem.id)).scalars())
    elements = [e.id for e in project_elements(project)]
    links = {(i, e) for i in ids for e in rng.sample(elements, rng.randint(1, 3))}
    db.session.execute(
        insert(evidence_element), [{"evidence_id": i, "element_id": e} for i, e in links]
    )
    db.session.commit()
    return project.slug, manager.id


class Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: object) -> None:
        self.count += 1


def main() -> int:
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:

        class BenchConfig(TestConfig):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
            UPLOAD_FOLDER = str(Path(tmp) / "uploads")

        app = create_app(BenchConfig)
        with app.app_context():
            flask_migrate.upgrade()
            began = time.perf_counter()
            slug, manager_id = build(random.Random(2010))
            built = time.perf_counter() - began
            round_id = db.session.execute(select(AssessmentRound.id)).scalars().first()
            engine = db.engine
        print(
            f"Evidence benchmark: {EVIDENCE} items over 57 elements and {STREAMS} work streams "
            f"(built in {built:.1f} s); median of {REPEATS} runs, SQLite in {tmp}"
        )
        header = f"{'page':<34} {'ms':>9} {'queries':>8}"
        print(header)
        print("-" * len(header))
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(manager_id)
        pages = [
            ("evidence library (page 1)", f"/projects/{slug}/evidence"),
            ("element 1.1.1", f"/projects/{slug}/standard/elements/1.1.1"),
            ("coverage matrix", f"/projects/{slug}/evidence/coverage"),
            ("appendix 4 matrix (2009)", f"/projects/{slug}/ratings/{round_id}"),
            ("readiness", f"/projects/{slug}/readiness"),
            ("coverage matrix as XLSX", f"/projects/{slug}/evidence/coverage?format=xlsx"),
            ("appendix 4 matrix as XLSX", f"/projects/{slug}/ratings/{round_id}?format=xlsx"),
            ("the standard", f"/projects/{slug}/standard"),
        ]
        for label, url in pages:
            counter = Counter()
            event.listen(engine, "before_cursor_execute", counter)
            status = client.get(url).status_code
            event.remove(engine, "before_cursor_execute", counter)
            ms = timed(lambda url=url: client.get(url))
            print(
                f"{label:<34} {ms:>9.1f} {counter.count:>8}"
                + ("" if status == 200 else f" ({status})")
            )

        size = UPLOAD_MB * 1024 * 1024
        block = b"x" * (1024 * 1024)

        class Big(io.RawIOBase):
            """200 MB of text, made as it is read, so the source itself takes no memory."""

            def __init__(self) -> None:
                self.left = size

            def readable(self) -> bool:
                return True

            def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
                n = min(len(buffer), self.left, len(block))
                buffer[:n] = block[:n]
                self.left -= n
                return n

        store = LocalStorage(Path(tmp) / "uploads")
        # An upload is written inside a request's transaction (published when it commits).
        with app.app_context():
            tracemalloc.start()
            began = time.perf_counter()
            stored = store_upload(io.BufferedReader(Big()), "big.txt", store, max_bytes=size)
            seconds = time.perf_counter() - began
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            db.session.rollback()
        print(
            f"upload of {UPLOAD_MB} MB: {seconds:.2f} s ({UPLOAD_MB / seconds:.0f} MB/s), "
            f"peak Python memory {peak / 1024 / 1024:.1f} MB, stored {stored.size_bytes} bytes"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
