"""Which elements each work stream is expected to evidence: the seed's prefill from the 2009
self-assessment, the manager's page that sets it, and a stream's page of what it owes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.factories import (
    AssessmentRoundFactory,
    ElementRatingFactory,
    EvidenceItemFactory,
    GapActionFactory,
    PersonFactory,
    member,
)
from tests.helpers import sign_in
from tests.html import hrefs
from tests.test_evidence import evidence_project  # noqa: F401 (a fixture)
from tests.test_project_setup import opened
from tests.test_versioning import CONFLICT
from tracker.audit import AuditEvent
from tracker.evidence.models import (
    Element,
    EvidenceStatus,
    RatingScale,
    RatingScope,
    StreamElement,
)
from tracker.evidence.stream_elements import assign_elements, assigned_ids
from tracker.projects.models import Role, Service, WorkStream
from tracker.seeding import load_seed

SEED = Path(__file__).resolve().parent.parent / "seed"


def codes(db, stream: WorkStream) -> set[str]:
    return set(
        db.session.execute(
            db.select(Element.code).join(StreamElement).filter_by(work_stream_id=stream.id)
        ).scalars()
    )


def streams_by_code(db, project) -> dict[str, WorkStream]:
    return {
        w.code: w
        for w in db.session.execute(
            db.select(WorkStream).filter_by(project_id=project.id)
        ).scalars()
    }


def test_the_seed_gives_each_stream_the_elements_its_services_were_rated_on(db, seeded):
    streams = streams_by_code(db, seeded)
    # Affordable Housing was rated on every element of the 2009 matrix (1.1.1 "<50", 5.3.1 "0").
    assert {"1.1.1", "3.1.1", "4.1.2", "5.3.1"} <= codes(db, streams["AH"])
    assert len(codes(db, streams["AH"])) == 57
    # Major Developments has no rating for 3.1.1, but its stream's other services do.
    assert "3.1.1" in codes(db, streams["NC"])
    for code in ("RB", "HES", "PSC", "NC"):
        assert len(codes(db, streams[code])) == 57, code
    # Streams with no service in the matrix are given nothing: the manager chooses for them.
    for code in ("CORP", "CCS", "ICT", "HR", "ACC", "LDS"):
        assert codes(db, streams[code]) == set(), code
    # services.csv names each service's stream.
    services = db.session.execute(db.select(Service).filter_by(project_id=seeded.id)).scalars()
    by_name = {s.name: s.work_stream_id for s in services}
    assert by_name["Benefits"] == by_name["Revenues"] == streams["RB"].id
    assert by_name["Major Developments"] == streams["NC"].id


def test_seeding_again_adds_nothing_and_keeps_the_managers_choice(db, seeded):
    ah = streams_by_code(db, seeded)["AH"]
    keep = [e for e in assigned_ids(ah)][:3]
    assign_elements(ah, keep)
    db.session.commit()
    again = load_seed(SEED)
    assert again.added.get("work_stream_element", 0) == 0
    assert assigned_ids(ah) == sorted(keep)


def test_a_copy_of_a_project_keeps_its_streams_elements(db, seeded):
    from tests.test_setup_copying import _copy

    target = _copy(db, seeded)
    db.session.commit()
    copied, original = streams_by_code(db, target), streams_by_code(db, seeded)
    assert len(codes(db, copied["AH"])) == 57
    assert codes(db, copied["AH"]) == codes(db, original["AH"])
    assert codes(db, copied["CORP"]) == set()


@pytest.fixture
def standard_project(evidence_project):  # noqa: F811
    """The small project with the standard of the seed (57 elements)."""
    return evidence_project


def element(db, code: str) -> Element:
    return db.session.execute(db.select(Element).filter_by(code=code)).scalars().first()


def edit_url(project, stream) -> str:
    return f"/projects/{project.slug}/set-up/work-streams/{stream.id}/elements"


def owes_url(project, stream) -> str:
    return f"/projects/{project.slug}/work-streams/{stream.id}/owes"


def test_the_manager_chooses_a_streams_elements(db, client, login_as, standard_project):
    login_as(Role.MANAGER)
    stream = standard_project.work_streams[0]
    hub = client.get(f"/projects/{standard_project.slug}/set-up")
    listing = f"/projects/{standard_project.slug}/set-up/stream-elements"
    assert listing in hrefs(hub)
    assert edit_url(standard_project, stream) in hrefs(client.get(listing))
    page = client.get(edit_url(standard_project, stream))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Criterion 1: Customer Insight" in text and "1.1.1" in text
    assert text.count('type="checkbox"') == 57
    chosen = [str(element(db, c).id) for c in ("1.1.1", "2.2.1", "5.1.1")]
    sent = opened(page) | {"elements": chosen}
    response = client.post(edit_url(standard_project, stream), data=sent)
    assert response.status_code == 302
    assert codes(db, stream) == {"1.1.1", "2.2.1", "5.1.1"}
    events = (
        db.session.execute(
            db.select(AuditEvent).filter_by(
                table_name="work_stream_element",
                action="create",
                project_id=standard_project.id,
            )
        )
        .scalars()
        .all()
    )
    assert len(events) == 3
    # Taking one away is recorded too; the page shows what is saved.
    page = client.get(edit_url(standard_project, stream))
    response = client.post(
        edit_url(standard_project, stream), data=opened(page) | {"elements": chosen[:2]}
    )
    assert response.status_code == 302
    assert codes(db, stream) == {"1.1.1", "2.2.1"}
    assert (
        db.session.execute(
            db.select(AuditEvent).filter_by(
                table_name="work_stream_element", action="delete", project_id=standard_project.id
            )
        )
        .scalars()
        .first()
    )


def test_a_stale_save_is_refused(db, client, login_as, standard_project):
    login_as(Role.MANAGER)
    stream = standard_project.work_streams[0]
    first = opened(client.get(edit_url(standard_project, stream)))
    second = dict(first)
    one, two = (str(element(db, c).id) for c in ("1.1.1", "1.1.2"))
    assert (
        client.post(
            edit_url(standard_project, stream), data=first | {"elements": [one]}
        ).status_code
        == 302
    )
    refused = client.post(edit_url(standard_project, stream), data=second | {"elements": [two]})
    assert refused.status_code == 409
    assert CONFLICT in refused.get_data(as_text=True)
    assert codes(db, stream) == {"1.1.1"}


def test_an_element_of_no_standard_is_refused(db, client, login_as, standard_project):
    login_as(Role.MANAGER)
    stream = standard_project.work_streams[0]
    page = opened(client.get(edit_url(standard_project, stream)))
    response = client.post(edit_url(standard_project, stream), data=page | {"elements": ["999999"]})
    assert response.status_code == 400
    assert "Select elements of the standard from the list" in response.get_data(as_text=True)
    assert codes(db, stream) == set()


@pytest.mark.parametrize("role", [Role.WS_LEAD, Role.WS_MEMBER, Role.ASSESSOR, Role.SPONSOR])
def test_only_planners_choose_the_elements(db, client, login_as, standard_project, role):
    login_as(role)
    stream = standard_project.work_streams[0]
    assert client.get(edit_url(standard_project, stream)).status_code == 403
    assert client.post(edit_url(standard_project, stream), data={}).status_code == 403


def owing_project(db, project):
    """Stream A owes 1.1.1 (accepted evidence), 1.1.2 (a draft only) and 2.1.1 (nothing)."""
    first, other = project.work_streams[:2]
    assign_elements(first, [element(db, c).id for c in ("1.1.1", "1.1.2", "2.1.1")])
    EvidenceItemFactory(
        project=project,
        work_stream=first,
        title="Accepted survey",
        status=EvidenceStatus.ACCEPTED,
        elements=[element(db, "1.1.1")],
    )
    EvidenceItemFactory(
        project=project,
        work_stream=first,
        title="Draft insight plan",
        elements=[element(db, "1.1.2")],
    )
    EvidenceItemFactory(
        project=project,
        work_stream=other,
        title="Another stream's item",
        status=EvidenceStatus.ACCEPTED,
        elements=[element(db, "2.1.1")],
    )
    round_ = AssessmentRoundFactory(
        project=project,
        name="Stream self-assessment",
        scale=RatingScale.SELF,
        scope=RatingScope.WORK_STREAM,
        held_from=dt.date(2010, 1, 1),
    )
    ElementRatingFactory(
        round=round_, element=element(db, "1.1.2"), work_stream_id=first.id, rating="<50"
    )
    GapActionFactory(project=project, element=element(db, "2.1.1"), description="Write the charter")
    db.session.commit()
    return first


def test_what_a_stream_owes_leads_with_elements_without_accepted_evidence(
    db, client, standard_project
):
    stream = owing_project(db, standard_project)
    lead = PersonFactory()
    member(lead, standard_project, Role.WS_LEAD)  # in the first stream
    db.session.commit()
    sign_in(client, lead)
    home = client.get(f"/projects/{standard_project.slug}/")
    assert owes_url(standard_project, stream) in hrefs(home)
    page = client.get(owes_url(standard_project, stream))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    without = text.index('id="without-accepted"')
    accepted = text.index('id="with-accepted"')
    assert without < text.index("Element 1.1.2") < accepted
    assert without < text.index("Element 2.1.1") < accepted
    assert accepted < text.index("Element 1.1.1")
    assert "Draft insight plan" in text and "Accepted survey" in text
    assert "Another stream&#39;s item" not in text and "Another stream's item" not in text
    assert "&lt;50%" in text and "Stream self-assessment" in text
    assert "Write the charter" in text
    assert "We have an in-depth understanding" in text  # 1.1.1's words, not only its code
    # A lead does not choose the elements: no link to the manager's page.
    assert edit_url(standard_project, stream) not in hrefs(page)


def test_the_owes_page_runs_a_fixed_number_of_queries(
    db, client, login_as, standard_project, count_queries
):
    login_as(Role.MANAGER)
    stream = standard_project.work_streams[0]
    everything = db.session.execute(db.select(Element).order_by(Element.id)).scalars().all()

    def add(n: int, start: int) -> None:
        assign_elements(stream, [e.id for e in everything[: start + n]])
        for i in range(start, start + n):
            EvidenceItemFactory(
                project=standard_project,
                work_stream=stream,
                title=f"Item {i}",
                status=EvidenceStatus.ACCEPTED if i % 2 else EvidenceStatus.DRAFT,
                elements=[everything[i % 57], everything[(i + 3) % 57]],
            )
            GapActionFactory(
                project=standard_project, element=everything[i % 57], owner=PersonFactory()
            )
        db.session.commit()

    add(2, 0)
    with count_queries as few:
        assert client.get(owes_url(standard_project, stream)).status_code == 200
    add(40, 2)
    with count_queries as many:
        assert client.get(owes_url(standard_project, stream)).status_code == 200
    assert many.count == few.count


def test_the_matrices_show_element_titles(db, client, login_as, seeded):
    from tracker.evidence.models import AssessmentRound

    person = PersonFactory()
    member(person, seeded, Role.MANAGER)
    db.session.commit()
    sign_in(client, person)
    round_ = db.session.execute(db.select(AssessmentRound)).scalar_one()
    for page in ("evidence/coverage", f"ratings/{round_.id}"):
        text = client.get(f"/projects/{seeded.slug}/{page}").get_data(as_text=True)
        assert "We have an in-depth understanding of the characteristics" in text, page
        assert 'class="app-table-scroll"' in text, page


def test_a_streams_page_shows_its_services_self_assessment(db, client, seeded):
    """Revenues & Benefits owes every element; the 2009 round rated its two services."""
    rb = streams_by_code(db, seeded)["RB"]
    person = PersonFactory()
    member(person, seeded, Role.MANAGER)
    db.session.commit()
    sign_in(client, person)
    text = client.get(owes_url(seeded, rb)).get_data(as_text=True)
    assert "What Revenues &amp; Benefits owes" in text
    assert "Without accepted evidence (57)" in text
    # Appendix 4, 1.1.1: Benefits >50%, Revenues >50%.
    first = text[text.index("Element 1.1.1") : text.index("Element 1.1.2")]
    assert "Benefits: &gt;50%, Revenues: &gt;50%" in first
    assert "Self-assessment May" in first


def test_the_manager_gives_a_service_its_work_stream(db, client, login_as, project):
    login_as(Role.MANAGER)
    stream = project.work_streams[1]
    new = f"/projects/{project.slug}/set-up/services/new"
    sent = {"name": "Benefits", "corporate_area": "Finance", "work_stream": str(stream.id)}
    assert client.post(new, data=sent).status_code == 302
    service = db.session.execute(db.select(Service).filter_by(name="Benefits")).scalar_one()
    assert service.work_stream_id == stream.id
    listing = client.get(f"/projects/{project.slug}/set-up/services").get_data(as_text=True)
    assert stream.name in listing
    refused = client.post(new, data=sent | {"name": "Revenues", "work_stream": "999999"})
    assert refused.status_code == 400
    assert "Select a work stream of this project, or none" in refused.get_data(as_text=True)


def test_coverage_for_one_stream_links_to_what_it_owes(db, client, login_as, standard_project):
    login_as(Role.MANAGER)
    stream = standard_project.work_streams[0]
    page = client.get(
        f"/projects/{standard_project.slug}/evidence/coverage?work_stream={stream.id}"
    )
    assert owes_url(standard_project, stream) in hrefs(page)
