"""E-mail sent for events, through a real SMTP server (aiosmtpd on a loopback port)."""

from __future__ import annotations

import logging

import pytest

from tests.factories import MeetingFactory, PersonFactory, member
from tests.helpers import sign_in
from tests.html import parse, text_of
from tests.smtp import Mailbox, html_body, smtp_server, text_body
from tracker.auth.models import MailPreference
from tracker.mail.send import build_email
from tracker.plan.models import StageReview
from tracker.projects.models import MeetingKind, Role


@pytest.fixture
def team(db, project):
    """The manager (signed in by the tests) and a sponsor, with a project group meeting."""
    manager = PersonFactory(name="Mary Manager")
    sponsor = PersonFactory(name="Sam Sponsor", email="sponsor@example.gov.uk")
    member(manager, project, Role.MANAGER)
    member(sponsor, project, Role.SPONSOR)
    meeting = MeetingFactory(project=project, kind=MeetingKind.PROJECT_GROUP)
    db.session.commit()
    return {"manager": manager, "sponsor": sponsor, "meeting": meeting}


def ask_for_review(client, project, team, summary="Seminars held; self-assessment outstanding"):
    sign_in(client, team["manager"])
    return client.post(
        f"/projects/{project.slug}/plan/reviews/request",
        data={"summary": summary, "meeting": str(team["meeting"].id)},
    )


def test_the_sponsor_is_told_of_a_stage_review_with_a_link_to_decide_it(
    db, client, project, team, smtp_server: Mailbox
):
    assert ask_for_review(client, project, team).status_code == 302
    review = db.session.execute(db.select(StageReview)).scalar_one()
    assert len(smtp_server.messages) == 1  # the manager, who asked, is not told
    message = smtp_server.messages[0]
    assert smtp_server.recipients == [["sponsor@example.gov.uk"]]
    assert message["Subject"] == f"{project.name}: Review of stage 1 (Stage 1) to decide"
    text = text_body(message)
    assert "Dear Sam Sponsor" in text
    assert "Mary Manager asked for your decision on the review of stage 1" in text
    link = f"http://localhost/projects/{project.slug}/plan/reviews/{review.id}/decide"
    assert link in text
    assert "http://localhost/account/email" in text  # the footer: change what you get
    page = parse_html(html_body(message))
    assert page.select_one(f'a[href="{link}"]').get_text() == "Decide the review"
    assert page.select_one('a[href="http://localhost/account/email"]')


def parse_html(html: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


def test_a_refused_request_rolls_back_and_sends_nothing(client, project, team, smtp_server):
    refused = ask_for_review(client, project, team, summary="")
    assert refused.status_code == 400
    assert smtp_server.messages == []


@pytest.mark.parametrize(
    ("preference", "sent"),
    [(MailPreference.IMMEDIATE, 1), (MailPreference.DIGEST, 0), (MailPreference.NONE, 0)],
)
def test_only_those_wanting_messages_now_get_one(
    db, client, project, team, smtp_server, preference, sent
):
    team["sponsor"].mail_preference = preference
    assert ask_for_review(client, project, team).status_code == 302
    assert len(smtp_server.messages) == sent


def test_a_sponsor_without_an_address_is_skipped_and_the_admin_sees_it(
    db, client, project, team, smtp_server, login_as
):
    team["sponsor"].email = None
    assert ask_for_review(client, project, team).status_code == 302
    assert smtp_server.messages == []
    login_as(admin=True)
    page = client.get(f"/admin/users/{team['sponsor'].id}")
    assert "No e-mail address: this person gets no messages" in text_of(page)
    page = client.get(f"/admin/users/{team['manager'].id}")
    assert "No e-mail address" not in text_of(page)


def test_a_refusing_smtp_server_fails_the_send_not_the_request(
    app, db, client, project, team, caplog
):
    caplog.set_level(logging.ERROR, logger="tracker.jobs")
    with smtp_server(app, refuse="554 Transaction failed") as mailbox:
        response = ask_for_review(client, project, team)
    assert response.status_code == 302
    assert mailbox.messages == []
    assert db.session.execute(db.select(StageReview)).scalar_one().requested_at is not None
    failures = [r for r in caplog.records if r.name.startswith("tracker.jobs")]
    assert failures and "send_message" in failures[0].getMessage()
    assert "554" in failures[0].exc_text


def test_nothing_listening_fails_the_send_not_the_request(app, db, client, project, team, caplog):
    from tests.smtp import free_port

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    try:
        response = ask_for_review(client, project, team)
    finally:
        app.config.update(MAIL_SERVER=None, MAIL_PORT=25)
    assert response.status_code == 302
    assert any(
        "send_message" in r.getMessage()
        for r in caplog.records
        if r.name.startswith("tracker.jobs")
    )


def test_without_mail_server_the_message_is_written_to_the_log(client, project, team, caplog):
    caplog.set_level(logging.INFO, logger="tracker.mail")
    assert ask_for_review(client, project, team).status_code == 302
    logged = [r.getMessage() for r in caplog.records if r.name == "tracker.mail"]
    assert len(logged) == 1
    assert "MAIL_SERVER is not set" in logged[0]
    assert "To: Sam Sponsor <sponsor@example.gov.uk>" in logged[0]


def test_no_header_can_be_injected_through_names_or_titles(
    app, db, client, project, team, smtp_server
):
    project.name = "CSE\r\nBcc: x@evil.example"
    team["sponsor"].name = "Sam\r\nBcc: y@evil.example"
    assert ask_for_review(client, project, team).status_code == 302
    received = smtp_server.messages[0]
    assert received["Subject"] == "CSE Bcc: x@evil.example: Review of stage 1 (Stage 1) to decide"
    assert "Bcc" not in received
    assert smtp_server.recipients == [["sponsor@example.gov.uk"]]
    assert received["To"].addresses[0].display_name == "Sam Bcc: y@evil.example"
    raw = build_email(
        {
            "to_address": "a@example.gov.uk",
            "to_name": "A\nB",
            "subject": "S\rT\nU",
            "text": "t",
            "html": "h",
        },
        "Tracker\r\nBcc: z@evil <t@example.gov.uk>",
    ).as_string()
    headers = raw.split("\r\n\r\n")[0].split("\r\n")
    assert "Subject: S T U" in headers
    assert not any(line.lower().startswith("bcc") for line in headers)


def test_the_account_page_sets_the_preference_and_refuses_an_unknown_one(client, login_as, db):
    person = login_as(Role.WS_MEMBER)
    page = client.get("/account/email")
    assert page.status_code == 200
    checked = parse(page).select_one('input[name="preference"][checked]')
    assert checked["value"] == "immediate"
    assert client.post("/account/email", data={"preference": "digest"}).status_code == 302
    db.session.refresh(person)
    assert person.mail_preference is MailPreference.DIGEST
    refused = client.post("/account/email", data={"preference": "weekly"})
    assert refused.status_code == 400
    assert "Select immediate messages, a daily digest only or no e-mail" in text_of(
        parse(refused).select_one("#preference-error")
    )
    db.session.refresh(person)
    assert person.mail_preference is MailPreference.DIGEST
