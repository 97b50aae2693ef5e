"""The demo data: deterministic, realistic, and covering the whole country."""

from __future__ import annotations

from collections import Counter

from registry.demo.generator import generate
from registry.demo.reference import reference
from registry.domain.enums import ProviderKind

PROVINCES_AND_TERRITORIES = {
    "CA-AB",
    "CA-BC",
    "CA-MB",
    "CA-NB",
    "CA-NL",
    "CA-NS",
    "CA-NT",
    "CA-NU",
    "CA-ON",
    "CA-PE",
    "CA-QC",
    "CA-SK",
    "CA-YT",
}


def test_the_same_seed_gives_the_same_listings():
    assert generate(50, seed=11) == generate(50, seed=11)


def test_another_seed_gives_other_listings():
    first, other = generate(20, seed=1), generate(20, seed=2)
    assert {c.id for c in first.credentials}.isdisjoint({c.id for c in other.credentials})
    assert {c.external_id for c in first.credentials}.isdisjoint({c.external_id for c in other.credentials})


def test_providers_cover_every_province_and_territory_and_every_kind():
    providers = reference().providers
    assert {p.jurisdiction for p in providers} == PROVINCES_AND_TERRITORIES
    assert {p.kind for p in providers} == {k.value for k in ProviderKind}


def test_taxonomies_are_large_enough():
    ref = reference()
    assert len(ref.skills) >= 150 and len({s.code for s in ref.skills}) == len(ref.skills)
    assert len(ref.occupations) >= 60
    assert all(o.scheme == "NOC2021" and len(o.code) == 5 and o.code.isdigit() for o in ref.occupations)
    assert all({"en", "fr"} <= set(s.label) for s in ref.skills)


def test_listings_mix_languages_statuses_costs_and_modes():
    listings = generate(1000, seed=1).credentials
    languages = Counter(frozenset(c.title) for c in listings)
    assert languages[frozenset({"en", "fr"})] > 100
    assert languages[frozenset({"en"})] > 100
    assert languages[frozenset({"fr"})] > 10
    assert Counter(c.status for c in listings).keys() == {"PUBLISHED", "DRAFT", "RETIRED"}
    assert any(c.cost_amount is None for c in listings) and any(c.cost_amount for c in listings)
    assert {c.delivery_mode for c in listings} == {"ONLINE", "HYBRID", "IN_PERSON"}


def test_generated_recognitions_and_links_refer_to_generated_listings():
    listings = generate(300, seed=5)
    ids = {c.id for c in listings.credentials}
    assert listings.links and all(link.from_id in ids and link.to_id in ids for link in listings.links)
    assert listings.recognitions and all(r.credential_id in ids for r in listings.recognitions)
