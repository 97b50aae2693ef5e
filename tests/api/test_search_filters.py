"""Every CredentialFilter field narrows the public search exactly as documented."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.support import demo_oracle as oracle
from tests.support.graphql import data

SEARCH = """
query Search($filter: CredentialFilter, $after: String) {
  searchCredentials(filter: $filter, first: 100, after: $after) {
    totalCount
    nodes { id }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def search_ids(client, filter_: dict) -> tuple[set[str], int]:
    """All IDs over every page, and the reported total."""
    found: list[str] = []
    after = None
    while True:
        result = (await data(client, SEARCH, {"filter": filter_, "after": after}))["searchCredentials"]
        found += [node["id"] for node in result["nodes"]]
        if not result["pageInfo"]["hasNextPage"]:
            break
        after = result["pageInfo"]["endCursor"]
    assert len(found) == len(set(found)), "a listing came back twice"
    return set(found), result["totalCount"]


def _provider_with_most_listings():
    counts: dict = {}
    for c in oracle.published():
        counts[c.provider_id] = counts.get(c.provider_id, 0) + 1
    return max(counts, key=counts.get)


def _two_skills_taught_together():
    """Two skills of one listing: enough listings teach one of them without the other."""
    listing = oracle.published()[0]
    return sorted(oracle.skill_ids_of(listing.id))[:2]


def _cases():
    provider = _provider_with_most_listings()
    skills = _two_skills_taught_together()
    authority = oracle.ref().authorities[0]
    some_occupation = oracle.ref().occupations[30].code
    since = datetime(2025, 9, 1, tzinfo=timezone.utc)
    return {
        "providerIds": ({"providerIds": [oracle.gid("Provider", provider)]}, lambda c: c.provider_id == provider),
        "regions": ({"regions": ["CA-NU", "CA-YT"]}, lambda c: {"CA-NU", "CA-YT"} & set(c.regions)),
        "deliveryModes": ({"deliveryModes": ["ONLINE", "HYBRID"]}, lambda c: c.delivery_mode in {"ONLINE", "HYBRID"}),
        "paces": ({"paces": ["SELF_PACED"]}, lambda c: c.pace == "SELF_PACED"),
        "audiences": ({"audiences": ["NEWCOMERS", "WOMEN"]}, lambda c: {"NEWCOMERS", "WOMEN"} & set(c.audiences)),
        "fundable": ({"fundable": True}, lambda c: len(c.funding_programs) > 0),
        "not fundable": ({"fundable": False}, lambda c: len(c.funding_programs) == 0),
        "languages": ({"languages": ["fr"]}, lambda c: any(tag.split("-")[0] == "fr" for tag in c.languages)),
        "credentialTypes": ({"credentialTypes": ["DIGITAL_BADGE"]}, lambda c: c.credential_type == "DIGITAL_BADGE"),
        "skillIds (all of them)": (
            {"skillIds": [oracle.gid("Skill", s) for s in skills]},
            lambda c: set(skills) <= oracle.skill_ids_of(c.id),
        ),
        "occupationCodes": (
            {"occupationCodes": [some_occupation, "00000"]},
            lambda c: some_occupation in oracle.occupation_codes_of(c.id),
        ),
        "maxCost (free ones match)": ({"maxCost": 500}, lambda c: c.cost_amount is None or c.cost_amount <= 500),
        "maxWorkloadHours": ({"maxWorkloadHours": 30}, lambda c: c.workload_hours <= 30),
        "minWorkloadHours": ({"minWorkloadHours": 120}, lambda c: c.workload_hours >= 120),
        "recognized": ({"recognized": True}, lambda c: bool(oracle.active_recognitions(c.id))),
        "not recognized": ({"recognized": False}, lambda c: not oracle.active_recognitions(c.id)),
        "recognizedByAuthorityIds": (
            {"recognizedByAuthorityIds": [oracle.gid("RecognitionAuthority", authority.id)]},
            lambda c: any(r.authority_id == authority.id for r in oracle.active_recognitions(c.id)),
        ),
        "recognitionKinds": (
            {"recognitionKinds": ["ACCREDITED"]},
            lambda c: any(r.kind == "ACCREDITED" for r in oracle.active_recognitions(c.id)),
        ),
        "updatedSince": ({"updatedSince": since.isoformat()}, lambda c: c.updated_at >= since),
        "several at once": (
            {"deliveryModes": ["ONLINE"], "maxWorkloadHours": 60, "fundable": True},
            lambda c: c.delivery_mode == "ONLINE" and c.workload_hours <= 60 and c.funding_programs,
        ),
    }


CASES = _cases()


@pytest.mark.parametrize("name", list(CASES))
async def test_filter_returns_exactly_the_matching_published_listings(demo_client, name):
    filter_, matches = CASES[name]
    expected = oracle.credential_gids(c for c in oracle.published() if matches(c))
    found, total = await search_ids(demo_client, filter_)
    assert expected, f"the demo data has no listing for {name}: the case proves nothing"
    assert found == expected
    assert total == len(expected)


async def test_no_filter_lists_every_published_listing_and_nothing_else(demo_client):
    found, total = await search_ids(demo_client, {})
    assert found == oracle.credential_gids(oracle.published())
    assert total == len(found)


async def test_public_asking_for_drafts_or_retired_gets_none(demo_client):
    found, total = await search_ids(demo_client, {"statuses": ["DRAFT", "RETIRED"]})
    assert found == set() and total == 0


async def test_an_empty_list_is_the_same_as_no_condition(demo_client):
    found, _ = await search_ids(demo_client, {"regions": [], "deliveryModes": []})
    assert found == oracle.credential_gids(oracle.published())


async def test_completeness_scores_agree_with_the_filter(demo_client):
    from registry.domain.completeness import completeness

    query = """query($min: Float) { searchCredentials(first: 100, filter: {minCompleteness: $min}) {
        totalCount nodes { id completeness { score missing } } } }"""
    listings = {oracle.gid("Credential", c.id): c for c in oracle.published()}
    page = (await data(demo_client, query, {"min": None}))["searchCredentials"]["nodes"]
    for node in page:
        expected = completeness(listings[node["id"]])
        assert node["completeness"] == {"score": pytest.approx(expected.score), "missing": expected.missing}
    complete = (await data(demo_client, query, {"min": 1.0}))["searchCredentials"]["totalCount"]
    assert complete == sum(1 for c in oracle.published() if completeness(c).score == 1.0) > 0
