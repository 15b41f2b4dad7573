"""The site administrator finds a failed background job, tries it again, and removes it."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.test_sign_in import sign_in
from tests.factories import PersonFactory
from tests.test_worker import fail, queue, redis_app, run_worker  # noqa: F401 - the fixture
from tracker.extensions import db
from tracker.jobs import enqueue

pytestmark = pytest.mark.usefixtures("redis_app")


def test_the_admin_tries_a_failed_job_again_and_removes_it(
    page: Page, app: Flask, live_server, axe_check
) -> None:
    admin = PersonFactory(name="Ada Administrator", is_admin=True)
    enqueue(fail, "once")
    db.session.commit()
    run_worker(app)
    assert queue().failed_job_registry.count == 1

    page.goto("/")
    sign_in(page, admin.email)
    page.get_by_role("link", name="Background jobs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Background jobs")
    table = page.get_by_role("table")
    expect(table).to_contain_text("tests.test_worker.fail")
    expect(table).to_contain_text("mail to [address] refused")
    axe_check(page)

    page.get_by_role("button", name="Try again job 1").click()
    expect(page.get_by_text("The job is back on the queue")).to_be_visible()
    assert queue().count == 1
    run_worker(app)
    page.reload()
    page.get_by_role("button", name="Remove job 1").click()
    expect(page.get_by_text("No job has failed.")).to_be_visible()
    axe_check(page)
    assert queue().failed_job_registry.count == 0
