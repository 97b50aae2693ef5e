"""The facet index's own rules: what it models, and how it keeps its sets."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import fields, replace
from datetime import date, datetime, timezone
from uuid import uuid4

import pytest

from registry.domain.facet_index import SQL_ONLY, FacetIndex, plan
from registry.domain.search import PUBLIC, CredentialFilter, FacetCount, Near

TODAY = date(2026, 12, 1)
SAMPLES = {
    "provider_ids": (uuid4(),),
    "regions": ("CA-ON",),
    "delivery_modes": ("ONLINE",),
    "paces": ("PART_TIME",),
    "audiences": ("YOUTH",),
    "fundable": True,
    "languages": ("fr",),
    "credential_types": ("MICRO_CREDENTIAL",),
    "skill_ids": (uuid4(),),
    "occupation_codes": ("72106",),
    "max_cost": 500.0,
    "max_workload_hours": 40.0,
    "min_workload_hours": 10.0,
    "recognized": False,
    "recognized_by_authority_ids": (uuid4(),),
    "recognition_kinds": ("ENDORSEMENT",),
    "updated_since": datetime(2026, 1, 1, tzinfo=timezone.utc),
    "statuses": ("DRAFT",),
    "min_completeness": 0.5,
    "starts_from": date(2027, 1, 1),
    "starts_to": date(2027, 3, 31),
    "registration_open": True,
    "near": Near(46.49, -80.99, 50.0),
    "schedule_timings": ("EVENING",),
    "seats_available": True,
    "offered_by_provider_ids": (uuid4(),),
    "stale": True,
    "stale_after_days": 30,
}


def _listing(**changes) -> dict[str, tuple[str, ...]]:
    listing = {
        "status": ("PUBLISHED",),
        "provider": ("p1",),
        "credentialType": ("MICRO_CREDENTIAL",),
        "deliveryMode": ("ONLINE",),
        "region": ("CA-ON",),
        "language": ("en",),
    }
    return {**listing, **changes}


def _counts(index: FacetIndex, facet: str, f: CredentialFilter | None = None) -> list[tuple[str, int]]:
    how = plan(f or CredentialFilter(), PUBLIC)
    assert how is not None
    counts, _ = index.counts(how, [facet])
    return [(c.value, c.count) for c in counts[facet]]


@pytest.mark.parametrize("name", [f.name for f in fields(CredentialFilter)])
def test_every_filter_is_modelled_by_the_index_or_left_to_postgresql(name):
    # A new filter field must be given to one or the other, or the index would ignore it (the
    # statuses and the stale policy go along with what PostgreSQL is left to find).
    f = CredentialFilter(**{name: SAMPLES[name]})
    if name in ("max_workload_hours", "min_workload_hours"):
        f = CredentialFilter(min_workload_hours=10.0, max_workload_hours=40.0)
    how = plan(f, PUBLIC)
    assert how is not None
    modelled = any(name in condition.fields for condition in how.conditions)
    assert modelled != (name in SQL_ONLY or name in ("statuses", "stale_after_days"))
    if name in SQL_ONLY:
        assert how.needs_sql and getattr(how.sql_filter, name) == SAMPLES[name]


@pytest.mark.parametrize(
    "f",
    [
        CredentialFilter(max_cost=750.0),
        CredentialFilter(min_workload_hours=5.0),
        CredentialFilter(min_workload_hours=10.0, max_workload_hours=30.0),
    ],
)
def test_a_cost_or_workload_the_facets_do_not_count_is_left_to_postgresql(f):
    assert plan(f, PUBLIC) is None


def test_putting_a_listing_again_replaces_its_values():
    index = FacetIndex(TODAY)
    index.put(1, _listing(region=("CA-ON",)))
    index.put(1, _listing(region=("CA-QC",)))
    assert _counts(index, "region") == [("CA-QC", 1)]


def test_values_with_the_same_count_come_in_code_point_order():
    index = FacetIndex(TODAY)
    for ordinal, region in enumerate(("CA-ON", "CA-BC", "CA-AB", "CA-ON"), start=1):
        index.put(ordinal, _listing(region=(region,)))
    assert _counts(index, "region") == [("CA-ON", 2), ("CA-AB", 1), ("CA-BC", 1)]


def test_a_provider_s_value_carries_its_name():
    index = FacetIndex(TODAY)
    index.put(1, _listing())
    index.name("p1", {"en": "North College"})
    how = plan(CredentialFilter(), PUBLIC)
    assert how is not None
    assert index.counts(how, ["provider"])[0]["provider"] == [FacetCount("p1", 1, {"en": "North College"})]


def test_an_index_built_from_sets_counts_like_one_built_listing_by_listing():
    listings = {1: _listing(region=("CA-ON", "CA-QC")), 2: _listing(region=("CA-QC",), status=("DRAFT",))}
    one_by_one, grouped = FacetIndex(TODAY), defaultdict(list)
    for ordinal, listing in listings.items():
        one_by_one.put(ordinal, listing)
        for dimension, values in listing.items():
            for value in values:
                grouped[dimension, value].append(ordinal)
    at_once = FacetIndex.of(TODAY, [(d, v, ordinals) for (d, v), ordinals in grouped.items()])
    operator = replace(PUBLIC, admin=True)
    for f in (CredentialFilter(), CredentialFilter(statuses=("DRAFT", "PUBLISHED"))):
        how = plan(f, operator)
        assert how is not None
        assert at_once.counts(how, ["region", "provider"]) == one_by_one.counts(how, ["region", "provider"])
