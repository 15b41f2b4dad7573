"""Jobs run after the request's transaction commits, and never when it rolls back."""

from __future__ import annotations

from tracker.extensions import db
from tracker.jobs import enqueue

ran: list[str] = []


def _note(word: str) -> None:
    ran.append(word)


def test_a_job_runs_only_after_the_commit(app) -> None:
    ran.clear()
    enqueue(_note, "sent")
    assert ran == []
    db.session.commit()
    assert ran == ["sent"]


def test_a_rolled_back_transaction_runs_nothing(app) -> None:
    ran.clear()
    enqueue(_note, "never")
    db.session.rollback()
    db.session.commit()
    assert ran == []


def test_a_failing_job_does_not_undo_the_commit(app, caplog) -> None:
    ran.clear()

    def _fail() -> None:
        raise OSError("SMTP refused")

    enqueue(_fail)
    enqueue(_note, "after")
    db.session.commit()
    assert ran == ["after"]
    assert "SMTP refused" in caplog.text


def _count_people() -> None:
    from sqlalchemy import func, select

    from tracker.auth.models import Person

    ran.append(str(db.session.execute(select(func.count()).select_from(Person)).scalar_one()))


def test_a_job_run_here_reads_the_database_with_a_session_of_its_own(app) -> None:
    from tests.factories import PersonFactory

    ran.clear()
    PersonFactory()
    enqueue(_count_people)
    db.session.commit()
    assert ran == ["1"]
