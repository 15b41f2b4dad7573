"""No 500 from an odd address: every GET page and download a project manager can reach on the
seeded project, each pointed at a real record, answers without a server error when its query
string carries junk, too-large numbers, or arguments named like url_for's own (which a page that
passed its whole query string on to its links would choke on)."""

from __future__ import annotations

import pytest

from tests.factories import PersonFactory, member
from tests.helpers import sign_in
from tests.pages import manager_pages, seeded_records
from tracker.extensions import db
from tracker.projects.models import Role

ODD_QUERIES = [
    # every filter any page reads, given nonsense
    "page=x&status=x&stage=x&work_stream=x&owner=x&probability=x&impact=x&order=x&criterion=x"
    "&service=x&for=x&rating=x&baseline=x&window=x&start=x&table=x&actor=x&action=x&since=x"
    "&until=x&element=x&line=x&kind=x&year=x&quarter=x&format=x",
    # numbers beyond any database column
    "page=99999999999999999999&stage=99999999999999999999&work_stream=-99999999999999999999"
    "&owner=99999999999999999999&criterion=99999999999999999999&line=99999999999999999999",
    # names url_for takes for itself: kept on a link, they break it or change its scheme
    "endpoint=x&slug=x&_external=1&_scheme=javascript&_anchor=x&_method=x&values=x&page=2",
]


@pytest.mark.parametrize("query", ODD_QUERIES, ids=["junk", "huge", "url_for"])
def test_no_page_breaks_on_an_odd_query_string(app, client, seeded, query):
    manager = PersonFactory()
    member(manager, seeded, Role.MANAGER)
    values, particular = seeded_records(seeded, manager)
    db.session.commit()
    sign_in(client, manager)
    broken = []
    for url in manager_pages(app, values, particular, downloads=True):
        response = client.get(f"{url}?{query}")
        if response.status_code >= 500:
            broken.append(f"{url} answered {response.status_code}")
        elif response.mimetype == "text/html" and "javascript:" in response.get_data(as_text=True):
            broken.append(f"{url} made a javascript: link")
    assert not broken, "\n".join(broken)
