"""The registry's own JSON form of a listing: the fields of the GraphQL `Credential`, with
every translation, as one JSON object (one line of the bulk export)."""

from __future__ import annotations

import json
from typing import Any

from registry.domain import ids
from registry.domain.errors import Problem
from registry.domain.listings import ListingChanges
from registry.domain.records import CostItem, Credential


def listing_json(
    listing: Credential, *, provider: dict[str, Any], offered_by: list[str], skills: list, occupations: list
) -> dict[str, Any]:
    """A listing as a JSON-ready dict, keyed like the GraphQL schema (``offered_by``: the
    delivery partners' global IDs)."""
    return {
        "id": ids.encode("Credential", listing.id),
        "externalId": listing.external_id,
        "status": listing.status,
        "credentialType": listing.credential_type,
        "provider": provider,
        "offeredBy": offered_by,
        "title": listing.title,
        "description": listing.description,
        "learningOutcomes": listing.learning_outcomes,
        "skills": skills,
        "occupations": occupations,
        "level": {"framework": listing.level_framework, "value": listing.level_value}
        if listing.level_framework
        else None,
        "levelReason": listing.level_reason,
        "workloadHours": listing.workload_hours,
        "ectsCredits": listing.ects_credits,
        "durationWeeks": listing.duration_weeks,
        "deliveryMode": listing.delivery_mode,
        "pace": listing.pace,
        "languages": listing.languages,
        "regions": listing.regions,
        "cost": {"amount": listing.cost_amount, "currency": listing.cost_currency}
        if listing.cost_amount is not None
        else None,
        "assessment": listing.assessment,
        "qualityAssurance": listing.quality_assurance,
        "prerequisites": listing.prerequisites,
        "audiences": listing.audiences,
        "fundingPrograms": listing.funding_programs,
        "url": listing.url,
        "ctid": listing.ctid,
        "keywords": listing.keywords,
        "costItems": [_cost_item_json(item) for item in listing.cost_items],
        "version": listing.version,
        "createdAt": listing.created_at.isoformat(),
        "updatedAt": listing.updated_at.isoformat(),
        "publishedAt": listing.published_at.isoformat() if listing.published_at else None,
    }


def _cost_item_json(item: CostItem) -> dict[str, Any]:
    return {
        "type": item.type,
        "cost": {"amount": item.amount, "currency": item.currency},
        "description": item.description,
    }


def _cost_items(items: Any) -> list[CostItem] | None:
    """Cost items as the export writes them (None when the document has none)."""
    if not items:
        return None
    return [CostItem(i["type"], i["cost"]["amount"], i["cost"]["currency"], i.get("description")) for i in items]


def json_line(document: dict[str, Any]) -> bytes:
    """One JSON Lines record."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def changes_from_json(document: Any) -> tuple[ListingChanges, list[Problem], list[str]]:
    """A listing of the export (or written like it) as a change: (change, problems, skill codes)."""
    if not isinstance(document, dict):
        return ListingChanges(), [Problem(("credential",), "NOT_AN_OBJECT", "Each line must be a JSON object.")], []
    problems: list[Problem] = []
    known = {
        "id",
        "externalId",
        "status",
        "credentialType",
        "provider",
        "title",
        "description",
        "learningOutcomes",
        "skills",
        "occupations",
        "level",
        "levelReason",
        "workloadHours",
        "ectsCredits",
        "durationWeeks",
        "deliveryMode",
        "pace",
        "languages",
        "regions",
        "cost",
        "assessment",
        "qualityAssurance",
        "prerequisites",
        "audiences",
        "fundingPrograms",
        "url",
        "ctid",
        "keywords",
        "costItems",
        "offeredBy",  # delivery partners: IDs of the exporting registry's providers, not imported
        "version",
        "createdAt",
        "updatedAt",
        "publishedAt",
    }
    problems += [
        Problem(("credential", name), "UNKNOWN_PROPERTY", f"`{name}` is not a listing property.")
        for name in document
        if name not in known
    ]
    level, cost = document.get("level") or {}, document.get("cost") or {}
    try:
        changes = ListingChanges(
            external_id=document.get("externalId"),
            credential_type=document.get("credentialType"),
            title=document.get("title"),
            description=document.get("description") or None,
            learning_outcomes=document.get("learningOutcomes") or None,
            occupation_codes=[o["code"] for o in document.get("occupations") or []] or None,
            level_framework=level.get("framework"),
            level_value=level.get("value"),
            level_reason=document.get("levelReason"),
            workload_hours=document.get("workloadHours"),
            ects_credits=document.get("ectsCredits"),
            duration_weeks=document.get("durationWeeks"),
            delivery_mode=document.get("deliveryMode"),
            pace=document.get("pace"),
            languages=document.get("languages") or None,
            regions=document.get("regions") or None,
            cost_amount=cost.get("amount"),
            cost_currency=cost.get("currency"),
            assessment=document.get("assessment"),
            quality_assurance=document.get("qualityAssurance"),
            prerequisites=document.get("prerequisites"),
            audiences=document.get("audiences") or None,
            funding_programs=document.get("fundingPrograms") or None,
            url=document.get("url"),
            ctid=document.get("ctid"),
            keywords=document.get("keywords") or None,
            cost_items=_cost_items(document.get("costItems")),
        )
    except (AttributeError, KeyError, TypeError) as error:
        return ListingChanges(), problems + [Problem(("credential",), "MALFORMED", f"Malformed listing: {error}.")], []
    skills = [code for s in document.get("skills") or [] if isinstance(s, dict) and (code := s.get("code"))]
    return changes, problems, skills
