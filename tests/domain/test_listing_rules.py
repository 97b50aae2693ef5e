"""A listing's rules, as the domain states them (no database): what a create or an update may
hold, and what publishing needs."""

from __future__ import annotations

import dataclasses
from uuid import uuid4

import pytest

from registry.domain.listings import MAX_ITEMS, ListingChanges, check_changes, check_ctid, check_publishable
from registry.domain.records import CostItem
from tests.support.records import a_listing

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


def test_a_new_draft_needs_only_a_title_and_a_page_an_update_nothing():
    assert set(codes(ListingChanges())) == {("credential", "title"), ("credential", "url")}
    assert check_changes(ListingChanges(), creating=False) == []


@pytest.mark.parametrize(
    "change, field, code",
    [
        ({"workload_hours": 0}, ("credential", "workloadHours"), "OUT_OF_RANGE"),
        ({"ects_credits": 241}, ("credential", "ectsCredits"), "OUT_OF_RANGE"),
        ({"url": "ftp://north.example.ca/x"}, ("credential", "url"), "INVALID_URL"),
        ({"ctid": "ce-NOT-A-UUID"}, ("credential", "ctid"), "INVALID_CTID"),
        ({"delivery_mode": "NOT_STATED"}, ("credential", "deliveryMode"), "INVALID_VALUE"),
        ({"keywords": {"en": [" "]}}, ("credential", "keywords"), "OUT_OF_RANGE"),
        ({"cost_items": [CostItem("FEES", 10, "CAD")]}, ("credential", "costItems", "0", "type"), "INVALID_COST_TYPE"),
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
        "not an http(s) url",
        "ctid",
        "not stated is shown, never written",
        "blank keyword",
        "cost type",
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
    one = {
        "skill_ids": uuid4(),
        "offered_by_provider_ids": uuid4(),
        "learning_outcomes": {"en": "An outcome"},
        "cost_items": CostItem("MATERIALS", 50, "CAD"),
    }.get(name, "CA-ON")
    value = [one] * (MAX_ITEMS[name] + 1)
    found = check_changes(dataclasses.replace(VALID, **{name: value}), creating=True)
    assert "TOO_MANY" in {p.code for p in found}


def test_a_listing_with_every_mandatory_element_may_be_published():
    assert check_publishable(a_listing()) == []


def test_an_http_page_is_accepted():
    assert check_changes(dataclasses.replace(VALID, url="http://north.example.ca/data"), creating=True) == []


def test_publishing_needs_what_learners_compare_listings_by():
    missing = check_publishable(a_listing(workload_hours=None, delivery_mode=None, pace=None, assessment=None))
    assert [p.field[-1] for p in missing] == ["workloadHours", "deliveryMode", "pace", "assessment"]


def test_a_ctid_once_set_never_changes():
    listing = a_listing()
    other = "ce-11111111-2222-4333-8444-555555555555"
    assert check_ctid(listing, ListingChanges(ctid=listing.ctid), {listing.ctid: listing.id}) == []
    assert [p.code for p in check_ctid(listing, ListingChanges(ctid=other), {})] == ["CTID_FIXED"]


def test_a_ctid_names_one_listing():
    taken = "ce-11111111-2222-4333-8444-555555555555"
    assert [p.code for p in check_ctid(None, ListingChanges(ctid=taken), {taken: uuid4()})] == ["DUPLICATE_CTID"]


def test_publishing_names_each_missing_element():
    missing = check_publishable(a_listing(description={}, languages=[], quality_assurance=" "))
    assert {p.field[-1] for p in missing} == {"description", "languages", "qualityAssurance"}
    assert {p.code for p in missing} == {"REQUIRED_TO_PUBLISH"}


def test_a_level_reason_stands_in_for_a_level():
    assert check_publishable(a_listing(level_framework=None, level_value=None, level_reason="Not on a framework")) == []
    assert [p.field[-1] for p in check_publishable(a_listing(level_framework=None, level_value=None))] == ["level"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"ctid": 5}, "ctid"),
        ({"keywords": {"en": [5]}}, "keywords"),
        ({"keywords": {"en": "data"}}, "keywords"),
        ({"title": {"en": None}}, "title"),
        ({"workload_hours": True}, "workloadHours"),
        ({"cost_items": [{"type": "MATERIALS"}]}, "costItems"),
    ],
    ids=[
        "number for text",
        "number in a word list",
        "text for a list",
        "null text",
        "bool for a number",
        "dict for an item",
    ],
)
def test_a_value_of_the_wrong_type_is_refused_before_any_other_rule(change, field):
    assert codes(dataclasses.replace(VALID, **change)) == {("credential", field): "INVALID_TYPE"}


@pytest.mark.parametrize(
    "change, field, code",
    [
        ({"url": "https://north.example.ca/data\n"}, ("credential", "url"), "INVALID_URL"),
        ({"regions": ["CA-ON\n"]}, ("credential", "regions"), "INVALID_REGION"),
        ({"ctid": "ce-11111111-1111-4111-8111-111111111111\n"}, ("credential", "ctid"), "INVALID_CTID"),
        ({"languages": ["en\n"]}, ("credential", "languages"), "INVALID_LANGUAGE"),
        ({"workload_hours": float("nan")}, ("credential", "workloadHours"), "NOT_A_NUMBER"),
        (
            {"level_framework": "EQF" + " " * 100, "level_value": "5"},
            ("credential", "level", "framework"),
            "OUT_OF_RANGE",
        ),
        ({"external_id": "X" + " " * 250}, ("credential", "externalId"), "OUT_OF_RANGE"),
    ],
    ids=["url", "region", "ctid", "language", "nan", "padded framework", "padded key"],
)
def test_what_the_database_would_refuse_is_refused_first(change, field, code):
    assert codes(dataclasses.replace(VALID, **change)).get(field) == code
