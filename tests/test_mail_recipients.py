"""Who is told of what (tracker/mail/recipients.py), and who of them gets a message now."""

from __future__ import annotations

import pytest

from tests.factories import (
    ChangeRequestFactory,
    EvidenceItemFactory,
    GapActionFactory,
    HighlightReportFactory,
    MembershipFactory,
    PersonFactory,
    StageReviewFactory,
    make_element,
    member,
)
from tracker.auth.models import MailPreference
from tracker.mail import recipients
from tracker.mail.notify import wants_now
from tracker.projects.models import Role
from tracker.reports.models import ReportKind


@pytest.fixture
def people(db, project):
    """One person in each role; a second lead, and a member, on the other work stream."""
    found = {}
    for role in Role:
        person = PersonFactory(name=role.label)
        member(person, project, role)
        found[role] = person
    other_stream = project.work_streams[1]
    found["other_lead"] = PersonFactory(name="Other lead")
    MembershipFactory(
        person=found["other_lead"], project=project, role=Role.WS_LEAD, work_stream=other_stream
    )
    db.session.commit()
    return found


def names(people_list) -> set[str]:
    return {p.name for p in people_list}


def test_stage_reviews_go_to_the_sponsor_then_the_manager_and_the_asker(db, project, people):
    review = StageReviewFactory(stage=project.stages[0], requested_by=people[Role.SUPPORT])
    assert names(recipients.stage_review_requested(review)) == {"Project sponsor"}
    assert names(recipients.stage_review_decided(review)) == {
        "Project manager",
        "Project support officer",
    }


def test_changes_go_to_their_decider_then_back_to_the_raiser(db, project, people):
    minor = ChangeRequestFactory(project=project, requested_by=people[Role.WS_MEMBER])
    major = ChangeRequestFactory(project=project, raised_to_major=True)
    assert names(recipients.change_to_decide(minor)) == {"Project manager"}
    assert names(recipients.change_to_decide(major)) == {"Project sponsor"}
    assert names(recipients.change_decided(minor)) == {"Work stream member", "Project manager"}


def test_submitted_evidence_goes_to_those_who_may_review_and_see_it(db, project, people):
    item = EvidenceItemFactory(project=project)
    reviewers = {"Project manager", "Project support officer"}
    reviewers |= {"Policy and performance representative", "Project assurance group member"}
    assert names(recipients.evidence_submitted(item)) == reviewers
    # Personal data: not the assurance group (outside the stream, not a manager).
    private = EvidenceItemFactory(project=project, personal_data=True)
    assert names(recipients.evidence_submitted(private)) == reviewers - {
        "Project assurance group member"
    }


def test_reviewed_evidence_goes_to_its_author_and_its_streams_lead(db, project, people):
    item = EvidenceItemFactory(project=project, created_by=people[Role.WS_MEMBER])
    assert names(recipients.evidence_reviewed(item)) == {"Work stream member", "Work stream lead"}


def test_a_gap_action_goes_to_its_owner(db, project, people):
    action = GapActionFactory(project=project, element=make_element(), owner=people[Role.PP_REP])
    assert names(recipients.gap_action_assigned(action)) == {
        "Policy and performance representative"
    }


@pytest.mark.parametrize(
    ("kind", "audience"),
    [
        (ReportKind.QUARTERLY, {"Executive management team", "Lead member"}),
        (
            ReportKind.PROJECT,
            {"Project sponsor", "Work stream lead", "Other lead", "Project assurance group member"},
        ),
        (ReportKind.WORK_STREAM, {"Project manager", "Project support officer"}),
    ],
)
def test_an_issued_report_goes_to_its_audience(db, project, people, kind, audience):
    report = HighlightReportFactory(project=project, kind=kind)
    assert names(recipients.report_issued(report)) == audience


def test_not_the_doer_nor_anyone_without_an_address_or_wanting_no_message_now(db):
    doer = PersonFactory()
    assert not wants_now(doer, doer)
    assert wants_now(doer, PersonFactory())
    assert wants_now(doer, None)
    assert not wants_now(PersonFactory(email=None), doer)
    assert not wants_now(PersonFactory(mail_preference=MailPreference.DIGEST), doer)
    assert not wants_now(PersonFactory(mail_preference=MailPreference.NONE), doer)
    assert not wants_now(PersonFactory(is_active_account=False), doer)
