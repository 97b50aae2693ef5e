"""How complete a listing is against the EU mandatory elements and the CTDL minimum."""

from dataclasses import replace
from datetime import datetime, timezone
from uuid import uuid4

from registry.domain.completeness import ELEMENTS, completeness
from registry.domain.records import Credential

NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)
COMPLETE = Credential(
    id=uuid4(),
    provider_id=uuid4(),
    external_id="DA-101",
    status="PUBLISHED",
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
    created_at=NOW,
    updated_at=NOW,
    published_at=NOW,
    retired_at=None,
)


def test_a_listing_with_every_element_scores_one():
    assert completeness(COMPLETE).score == 1 and completeness(COMPLETE).missing == []


def test_each_missing_element_is_named_and_lowers_the_score_by_its_share():
    sparse = replace(COMPLETE, description={}, learning_outcomes=[], quality_assurance="  ")
    found = completeness(sparse)
    assert found.missing == ["description", "learningOutcomes", "qualityAssurance"]
    assert found.score == round((len(ELEMENTS) - 3) / len(ELEMENTS), 4)


def test_a_stated_reason_for_having_no_level_counts_as_the_level():
    unlevelled = replace(COMPLETE, level_framework=None, level_value=None)
    assert completeness(unlevelled).missing == ["level"]
    assert completeness(replace(unlevelled, level_reason="Not placed on a framework yet.")).missing == []
