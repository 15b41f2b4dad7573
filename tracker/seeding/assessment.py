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
            {"corporate_area": row["corporate_area"], "position": position},
        )


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
    elements = {
        element.code: element
        for element in db.session.execute(
            select(Element)
            .join(SubCriterion)
            .join(Criterion)
            .where(Criterion.standard_id == loader.project.standard_id)
        ).scalars()
    }
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
