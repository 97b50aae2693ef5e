"""A listing's rules, as the domain states them (no database): what a create or an update may
hold, and what publishing needs."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from registry.domain.listings import MAX_ITEMS, ListingChanges, check_changes, check_publishable
from registry.domain.records import Credential

VALID = ListingChanges(
    title={"en": "Data Analysis"},
    workload_hours=40,
    delivery_mode="ONLINE",
    pace="SELF_PACED",
    assessment="PROJECT",
    url="https://north.example.ca/data",
)


def codes(changes: ListingChanges, *, creating: bool = True) -> dict[tuple[str, ...], str]:
    return {p.field: p.code for p in check_changes(changes, creating=creating)}


def test_a_complete_new_listing_breaks_no_rule():
    assert check_changes(VALID, creating=True) == []


def test_a_new_listing_needs_its_mandatory_fields_an_update_does_not():
    assert set(codes(ListingChanges())) == {
        ("credential", f) for f in ("title", "workloadHours", "deliveryMode", "pace", "assessment", "url")
    }
    assert check_changes(ListingChanges(), creating=False) == []


@pytest.mark.parametrize(
    "change, field, code",
    [
        ({"workload_hours": 0}, ("credential", "workloadHours"), "OUT_OF_RANGE"),
        ({"ects_credits": 241}, ("credential", "ectsCredits"), "OUT_OF_RANGE"),
        ({"url": "http://north.example.ca/x"}, ("credential", "url"), "INSECURE_URL"),
        ({"cost_amount": 10, "cost_currency": "dollars"}, ("credential", "cost", "currency"), "INVALID_CURRENCY"),
        ({"languages": ["not a tag"]}, ("credential", "languages"), "INVALID_LANGUAGE"),
        ({"regions": ["Ontario"]}, ("credential", "regions"), "INVALID_REGION"),
        ({"funding_programs": [" leading space"]}, ("credential", "fundingPrograms"), "OUT_OF_RANGE"),
        ({"level_framework": "F" * 81, "level_value": "5"}, ("credential", "level", "framework"), "OUT_OF_RANGE"),
        ({"title": {"en": "x" * 301}}, ("credential", "title"), "TOO_LONG"),
    ],
    ids=[
        "no workload",
        "too many ECTS",
        "http url",
        "currency",
        "language",
        "region",
        "programme",
        "framework",
        "title",
    ],
)
def test_each_field_rule_names_its_field_and_code(change, field, code):
    assert codes(dataclasses.replace(VALID, **change)).get(field) == code


@pytest.mark.parametrize("name", list(MAX_ITEMS))
def test_every_list_is_capped(name):
    one = {"skill_ids": uuid4(), "learning_outcomes": {"en": "An outcome"}}.get(name, "CA-ON")
    value = [one] * (MAX_ITEMS[name] + 1)
    found = check_changes(dataclasses.replace(VALID, **{name: value}), creating=True)
    assert "TOO_MANY" in {p.code for p in found}


def _listing(**fields) -> Credential:
    now = datetime.now(UTC)
    base = dict(
        id=uuid4(),
        provider_id=uuid4(),
        external_id="X",
        status="DRAFT",
        credential_type="MICRO_CREDENTIAL",
        title={"en": "T"},
        description={"en": "D"},
        learning_outcomes=[{"en": "O"}],
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
        quality_assurance="Reviewed",
        prerequisites=None,
        audiences=[],
        funding_programs=[],
        url="https://x.example/t",
        version=1,
        created_at=now,
        updated_at=now,
        published_at=None,
        retired_at=None,
    )
    return Credential(**{**base, **fields})


def test_a_listing_with_every_mandatory_element_may_be_published():
    assert check_publishable(_listing()) == []


def test_publishing_names_each_missing_element():
    missing = check_publishable(_listing(description={}, languages=[], quality_assurance=" "))
    assert {p.field[-1] for p in missing} == {"description", "languages", "qualityAssurance"}
    assert {p.code for p in missing} == {"REQUIRED_TO_PUBLISH"}


def test_a_level_reason_stands_in_for_a_level():
    assert check_publishable(_listing(level_framework=None, level_value=None, level_reason="Not on a framework")) == []
    assert [p.field[-1] for p in check_publishable(_listing(level_framework=None, level_value=None))] == ["level"]
