"""The registry's own JSON form of a listing: the fields of the GraphQL `Credential`, with
every translation, as one JSON object (one line of the bulk export)."""

from __future__ import annotations

import json
from typing import Any

from registry.api import ids
from registry.domain.records import Credential


def listing_json(listing: Credential, *, provider: dict[str, Any], skills: list, occupations: list) -> dict[str, Any]:
    """A listing as a JSON-ready dict, keyed like the GraphQL schema."""
    return {
        "id": ids.encode("Credential", listing.id),
        "externalId": listing.external_id,
        "status": listing.status,
        "credentialType": listing.credential_type,
        "provider": provider,
        "title": listing.title,
        "description": listing.description,
        "learningOutcomes": listing.learning_outcomes,
        "skills": skills,
        "occupations": occupations,
        "level": {"framework": listing.level_framework, "value": listing.level_value} if listing.level_framework else None,
        "levelReason": listing.level_reason,
        "workloadHours": listing.workload_hours,
        "ectsCredits": listing.ects_credits,
        "durationWeeks": listing.duration_weeks,
        "deliveryMode": listing.delivery_mode,
        "pace": listing.pace,
        "languages": listing.languages,
        "regions": listing.regions,
        "cost": {"amount": listing.cost_amount, "currency": listing.cost_currency} if listing.cost_amount is not None else None,
        "assessment": listing.assessment,
        "qualityAssurance": listing.quality_assurance,
        "prerequisites": listing.prerequisites,
        "audiences": listing.audiences,
        "fundingPrograms": listing.funding_programs,
        "url": listing.url,
        "version": listing.version,
        "createdAt": listing.created_at.isoformat(),
        "updatedAt": listing.updated_at.isoformat(),
        "publishedAt": listing.published_at.isoformat() if listing.published_at else None,
    }


def json_line(document: dict[str, Any]) -> bytes:
    """One JSON Lines record."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
