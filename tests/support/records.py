"""Domain records built in memory, for the rules' unit tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from registry.domain.ids import mint_ctid
from registry.domain.records import Credential


def a_listing(**fields: Any) -> Credential:
    """A draft with every element a listing can have (publishable as it is), with ``fields`` changed."""
    listing_id, now = uuid4(), datetime.now(UTC)
    complete: dict[str, Any] = dict(
        id=listing_id,
        ctid=mint_ctid(listing_id),
        provider_id=uuid4(),
        external_id="DA-101",
        status="DRAFT",
        credential_type="MICRO_CREDENTIAL",
        title={"en": "Data analytics"},
        description={"en": "Clean, explore and present data."},
        learning_outcomes=[{"en": "Build a dashboard."}],
        level_framework="EQF",
        level_value="5",
        workload_hours=40,
        ects_credits=None,
        duration_weeks=None,
        delivery_mode="ONLINE",
        pace="SELF_PACED",
        languages=["en"],
        regions=["CA-ON"],
        cost_amount=None,
        cost_currency=None,
        assessment="PROJECT",
        quality_assurance="Reviewed by the college's program council.",
        prerequisites=None,
        audiences=[],
        funding_programs=[],
        url="https://example.ca/data-analytics",
        version=1,
        created_at=now,
        updated_at=now,
        published_at=None,
        retired_at=None,
    )
    return Credential(**{**complete, **fields})
