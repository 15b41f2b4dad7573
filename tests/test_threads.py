"""Requests served at once by threads of one process (gunicorn's gthread workers, chosen in
gunicorn.conf.py) keep to their own person: their own session, roles and navigation."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import PersonFactory, member
from tests.helpers import sign_in
from tracker.extensions import db
from tracker.projects.models import Project, Role

ROUNDS = 12


def test_concurrent_requests_keep_to_their_own_person(app: Flask, project: Project):
    manager, emt = PersonFactory(name="Mina Manager"), PersonFactory(name="Eric Executive")
    member(manager, project, Role.MANAGER)
    member(emt, project, Role.EMT)
    db.session.commit()
    clients = {}
    for person in (manager, emt):
        client = FlaskClient(app, app.response_class, use_cookies=True)
        sign_in(client, person)
        clients[person.name] = client
    home = f"/projects/{project.slug}/"

    def read(name: str) -> str:
        response = clients[name].get(home)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    names = [manager.name, emt.name] * ROUNDS
    with ThreadPoolExecutor(max_workers=8) as pool:
        pages = list(pool.map(read, names))
    for name, page in zip(names, pages, strict=True):
        assert f"Signed in as {name}" in page
        # The navigation is the person's own: set-up is the manager's, not the EMT's.
        assert (f"/projects/{project.slug}/set-up" in page) == (name == manager.name)
