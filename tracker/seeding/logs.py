"""Loading the risk log, the issue log and the change requests from seed/ (an approved change
request is applied, so the audit trail names it as the cause).
"""

from __future__ import annotations

from tracker.audit import because_of
from tracker.extensions import db
from tracker.issues.changes import apply_effects
from tracker.issues.models import (
    ChangeEffect,
    ChangeRequest,
    ChangeStatus,
    EffectTarget,
    EntryStatus,
    EntryType,
    IssueLogEntry,
)
from tracker.projects.models import MeetingKind
from tracker.risks.models import Level, Risk, RiskReview, RiskStatus
from tracker.seeding.files import _bool, _date, _moment, _pence, _read_csv
from tracker.seeding.loader import _Loader


def load_risks(loader: _Loader) -> None:
    log = loader.config["risk_log"]
    reviewer = loader.person(log["reviewed_by"])
    for row in _read_csv(loader.dir / "risks.csv"):
        risk, created = loader._get_or_add(
            Risk,
            {"project_id": loader.project.id, "number": row["number"]},
            {
                "description": row["description"],
                "probability": Level(row["probability"]),
                "impact": Level(row["impact"]),
                "owner_id": loader.person(row["owner"]).id if row["owner"] else None,
                "countermeasures": row["countermeasures"],
                "action_date": _date(row["action_date"]),
                "action_ongoing": _bool(row["action_ongoing"]),
                # Blank where the log leaves it blank (risk 08).
                "status": RiskStatus(row["status"]) if row["status"] else None,
                # In the log by the date of its version (the trend counts it from then).
                "created_at": _moment(log["reviewed_on"]),
            },
        )
        if created:
            # The log's values as its first review, on the date of the log's version, so
            # the risk's history and the log's trend start there (not on the day of seeding).
            loader._get_or_add(
                RiskReview,
                {"risk_id": risk.id, "reviewed_at": _moment(log["reviewed_on"])},
                {
                    "reviewed_by_id": reviewer.id,
                    "probability": risk.probability,
                    "impact": risk.impact,
                    "status": risk.status,
                    "note": log["note"],
                },
            )


def load_issue_log(loader: _Loader) -> None:
    for row in _read_csv(loader.dir / "issue_log.csv"):
        loader.issues[row["number"]], _ = loader._get_or_add(
            IssueLogEntry,
            {"project_id": loader.project.id, "number": row["number"]},
            {
                "type": EntryType(row["type"]),
                "description": row["description"],
                "identified_on": _date(row["identified_on"]),
                "identified_month_only": _bool(row["identified_month_only"]),
                "author_id": loader.person(row["author"]).id if row["author"] else None,
                "resolution": row["resolution"],
                "last_updated_on": _date(row["last_updated_on"]),
                "status": EntryStatus(row["status"]),
            },
        )


def load_change_requests(loader: _Loader) -> None:
    for req in loader.change_requests:
        meeting = loader.meetings[MeetingKind.PROJECT_GROUP, req["meeting"]]
        request, created = loader._get_or_add(
            ChangeRequest,
            {"project_id": loader.project.id, "number": req["number"]},
            {
                "issue_entry_id": loader.issues[req["issue"]].id,
                "requested_by_id": loader.person(req["requested_by"]).id,
                "raised_on": req["raised_on"],
                "description": req["description"],
                "expected_benefits": req.get("expected_benefits", ""),
                "impact_days": req.get("impact_days"),
                "impact_products": req.get("impact_products", ""),
                "impact_cost_pence": (_pence(req["impact_cost"]) if "impact_cost" in req else None),
                "needs_more_resources": req.get("needs_more_resources", False),
                "changes_requirements": req.get("changes_requirements", False),
                "assessed_by_id": loader.person(req["assessed_by"]).id,
                "assessed_at": _moment(req["assessed_on"]),
                "status": ChangeStatus(req["status"]),
                "decision_note": req.get("decision_note", ""),
                "decided_by_id": loader.person(req["decided_by"]).id,
                "decided_at": _moment(req["decided_on"]),
                "meeting_id": meeting.id,
            },
        )
        if not created:
            continue
        effects: list[ChangeEffect] = []
        for effect in req.get("effects", []):
            target = EffectTarget(effect["target"])
            if target is EffectTarget.STAGE:
                target_id = loader.stages[effect["stage"]].id
            elif target is EffectTarget.MILESTONE:
                target_id = loader.milestones[effect["milestone"]].id
            else:
                raise ValueError(f"seed: change effects on a {target.value} are not supported")
            record, _ = loader._get_or_add(
                ChangeEffect,
                {
                    "change_request_id": request.id,
                    "target": target,
                    "target_id": target_id,
                    "field": effect["field"],
                },
                {"old_date": effect["old"], "new_date": effect["new"]},
            )
            effects.append(record)
        days = {effect["applied_on"] for effect in req.get("effects", [])}
        if len(days) > 1:
            raise ValueError(f"seed: change request {req['number']} applied on several days")
        applied_at = _moment(days.pop()) if days else None
        if effects and all((e.target, e.target_id) in loader.rewound for e in effects):
            # The stage and milestone were just added with their dates before the change:
            # apply it as the tracker does, so the trail shows it as the cause.
            db.session.refresh(request, ["effects"])
            with because_of(f"Change request {request.number}"):
                apply_effects(loader.project, request, now=applied_at)
                db.session.flush()
        else:
            # Loaded earlier with their changed dates: record the effects as applied.
            for record in effects:
                record.applied_at = applied_at
            db.session.flush()
