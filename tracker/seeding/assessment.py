"""Loading the 2009 self-assessment from seed/: the services and their element ratings."""

from __future__ import annotations

from sqlalchemy import select

from tracker.evidence.models import (
    AssessmentRound,
    Criterion,
    Element,
    ElementRating,
    RatingScale,
    RatingScope,
    StreamElement,
    SubCriterion,
)
from tracker.extensions import db
from tracker.projects.models import Service
from tracker.seeding.files import _read_csv
from tracker.seeding.loader import _Loader


def load_services(loader: _Loader) -> None:
    for position, row in enumerate(_read_csv(loader.dir / "services.csv"), start=1):
        loader.services[row["name"]], _ = loader._get_or_add(
            Service,
            {"project_id": loader.project.id, "name": row["name"]},
            {
                "corporate_area": row["corporate_area"],
                "position": position,
                "work_stream_id": (
                    loader.streams[row["work_stream"]].id if row.get("work_stream") else None
                ),
            },
        )


def _standard_elements(loader: _Loader) -> dict[str, Element]:
    return {
        element.code: element
        for element in db.session.execute(
            select(Element)
            .join(SubCriterion)
            .join(Criterion)
            .where(Criterion.standard_id == loader.project.standard_id)
        ).scalars()
    }


def load_self_assessment(loader: _Loader) -> None:
    conf = loader.config["self_assessment"]
    round_, _ = loader._get_or_add(
        AssessmentRound,
        {"project_id": loader.project.id, "name": conf["name"]},
        {
            "scale": RatingScale.SELF,
            "scope": RatingScope.SERVICE,
            "held_from": conf["held_from"],
            "held_to": conf["held_to"],
            "notes": conf.get("notes", ""),
        },
    )
    elements = _standard_elements(loader)
    # Looked up once: 57 x 14 ratings one query each would be needlessly slow.
    existing: set[tuple[int, int | None]] = {
        (element_id, service_id)
        for element_id, service_id in db.session.execute(
            select(ElementRating.element_id, ElementRating.service_id).where(
                ElementRating.round_id == round_.id
            )
        )
    }
    new: list[ElementRating] = []
    for row in _read_csv(loader.dir / conf["file"]):
        element = elements[row.pop("element")]
        note = row.pop("note", "")
        for service_name, rating in row.items():
            service = loader.services[service_name]
            # A blank cell is a rating the source does not give: nothing is loaded for it.
            if not rating or (element.id, service.id) in existing:
                continue
            new.append(
                ElementRating(
                    round_id=round_.id,
                    element_id=element.id,
                    service_id=service.id,
                    rating=rating,
                    note=note,
                )
            )
    db.session.add_all(new)
    db.session.flush()
    loader.result.added[ElementRating.__tablename__] += len(new)


def load_stream_elements(loader: _Loader) -> None:
    """Prefill which elements each work stream is expected to evidence from the self-assessment
    matrix: a service rated on an element (any rating, 0% included) gives the element to the
    service's work stream (services.csv, `work_stream`). A blank cell gives nothing.
    A stream that has any assignment already is left as it is."""
    stream_of = {
        row["name"]: loader.streams[row["work_stream"]]
        for row in _read_csv(loader.dir / "services.csv")
        if row.get("work_stream")
    }
    elements = _standard_elements(loader)
    wanted: set[tuple[int, int]] = set()
    for row in _read_csv(loader.dir / loader.config["self_assessment"]["file"]):
        element = elements[row.pop("element")]
        row.pop("note", None)
        wanted |= {(stream_of[name].id, element.id) for name, rating in row.items() if rating}
    # A stream that has any assignment keeps it as it is: the manager may have taken elements
    # away since, and seeding again must not give them back.
    assigned = set(
        db.session.execute(
            select(StreamElement.work_stream_id)
            .where(StreamElement.work_stream_id.in_([s.id for s in loader.streams.values()]))
            .distinct()
        ).scalars()
    )
    new = [
        StreamElement(work_stream_id=stream_id, element_id=element_id)
        for stream_id, element_id in sorted(wanted)
        if stream_id not in assigned
    ]
    db.session.add_all(new)
    db.session.flush()
    loader.result.added[StreamElement.__tablename__] += len(new)
