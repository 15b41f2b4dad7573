"""Loading the project and its people from seed/: people, work streams, memberships, contacts
and meetings.
"""

from __future__ import annotations

from tracker.auth.models import Person
from tracker.auth.services import normalise_email
from tracker.evidence.models import Standard
from tracker.projects.models import (
    Contact,
    Meeting,
    MeetingKind,
    Membership,
    Project,
    Role,
    WorkStream,
)
from tracker.seeding.files import _bool, _month, _read_csv
from tracker.seeding.loader import _Loader


def load_project(loader: _Loader, standard: Standard) -> None:
    conf = loader.config["project"]
    loader.project, _ = loader._get_or_add(
        Project,
        {"slug": conf["slug"]},
        {
            "name": conf["name"],
            "council": conf["council"],
            "objective": conf["objective"].strip(),
            "scope": conf["scope"].strip(),
            "start_date": conf["start"],
            "end_date": conf["end"],
            "status_date": conf.get("status_date"),
            "standard_id": standard.id,
        },
    )


def load_people(loader: _Loader) -> None:
    for row in _read_csv(loader.dir / "people.csv"):
        email = normalise_email(row["email"]) or None
        values = {
            "initials": row["initials"] or None,
            "job_title": row["job_title"] or None,
            "phone": row["phone"] or None,
            "is_demo": _bool(row["is_demo"]),
        }
        if email:
            person, _ = loader._get_or_add(
                Person, {"email": email}, {"name": row["name"], **values}
            )
        else:
            person, _ = loader._get_or_add(Person, {"name": row["name"], "email": None}, values)
        for ref in (row["initials"], row["name"]):
            if ref:
                if ref in loader.people and loader.people[ref] is not person:
                    raise ValueError(f"seed: {ref!r} names two people in people.csv")
                loader.people[ref] = person


def load_work_streams(loader: _Loader) -> None:
    for position, conf in enumerate(loader.config["work_streams"], start=1):
        loader.streams[conf["code"]], _ = loader._get_or_add(
            WorkStream,
            {"project_id": loader.project.id, "code": conf["code"]},
            {"name": conf["name"], "position": position},
        )


def load_memberships(loader: _Loader) -> None:
    for row in _read_csv(loader.dir / "memberships.csv"):
        stream = loader.streams[row["work_stream"]] if row["work_stream"] else None
        loader._get_or_add(
            Membership,
            {
                "project_id": loader.project.id,
                "person_id": loader.person(row["person"]).id,
                "role": Role(row["role"]),
                "work_stream_id": stream.id if stream else None,
            },
            {"note": row["note"] or None},
        )


def load_contacts(loader: _Loader) -> None:
    """The contacts of section 12 who hold no role, e.g. the communications officer."""
    for position, row in enumerate(_read_csv(loader.dir / "contacts.csv"), start=1):
        loader._get_or_add(
            Contact,
            {"project_id": loader.project.id, "person_id": loader.person(row["person"]).id},
            {"responsibility": row["responsibility"], "position": position},
        )


def load_meetings(loader: _Loader) -> None:
    conf = loader.config["meetings"]
    notes = conf.get("notes", {})
    dated = [(MeetingKind.PROJECT_GROUP, day, False) for day in conf["project_group"]]
    dated += [(MeetingKind.EMT, _month(m), True) for m in conf["emt_months"]]
    dated += [(MeetingKind.LEAD_MEMBER, _month(m), True) for m in conf["lead_member_months"]]
    for kind, day, month_only in dated:
        loader.meetings[kind, day], _ = loader._get_or_add(
            Meeting,
            {"project_id": loader.project.id, "kind": kind, "held_on": day},
            {"month_only": month_only, "notes": notes.get(day.isoformat(), "")},
        )
