"""Facets count the whole filtered result, each ignoring its own filter."""

from __future__ import annotations

from collections import Counter

from tests.support import demo_oracle as oracle
from tests.support.graphql import data
from tests.support.listings import create, create_sparse, gql
from tests.support.parties import access_token

FACETS = """
query Facets($filter: CredentialFilter) {
  searchCredentials(filter: $filter, first: 1) {
    totalCount
    facets {
      deliveryMode { value count } region { value count } language { value count }
      credentialType { value count } pace { value count } audience { value count }
      provider { value count } recognitionKind { value count }
    }
  }
}
"""

FILTER = {"deliveryModes": ["ONLINE"], "regions": ["CA-ON"], "audiences": ["YOUTH", "WOMEN"]}


def _in_mode(c):
    return c.delivery_mode == "ONLINE"


def _in_region(c):
    return "CA-ON" in c.regions


def _in_audience(c):
    return bool({"YOUTH", "WOMEN"} & set(c.audiences))


def _expected(keep, values) -> dict[str, int]:
    counts = Counter()
    for c in oracle.published():
        if keep(c):
            counts.update(values(c))
    return dict(counts)


def _as_dict(facet) -> dict[str, int]:
    return {item["value"]: item["count"] for item in facet}


async def facets(client):
    return (await data(client, FACETS, {"filter": FILTER}))["searchCredentials"]


async def test_total_count_applies_every_filter(demo_client):
    result = await facets(demo_client)
    expected = [c for c in oracle.published() if _in_mode(c) and _in_region(c) and _in_audience(c)]
    assert result["totalCount"] == len(expected) > 0


async def test_a_facet_ignores_its_own_filter(demo_client):
    result = (await facets(demo_client))["facets"]
    assert _as_dict(result["deliveryMode"]) == _expected(
        lambda c: _in_region(c) and _in_audience(c), lambda c: [c.delivery_mode]
    )
    assert _as_dict(result["region"]) == _expected(lambda c: _in_mode(c) and _in_audience(c), lambda c: c.regions)
    assert _as_dict(result["audience"]) == _expected(lambda c: _in_mode(c) and _in_region(c), lambda c: c.audiences)


async def test_other_facets_apply_every_filter(demo_client):
    result = (await facets(demo_client))["facets"]

    def everything(c):
        return _in_mode(c) and _in_region(c) and _in_audience(c)

    assert _as_dict(result["pace"]) == _expected(everything, lambda c: [c.pace])
    assert _as_dict(result["language"]) == _expected(everything, lambda c: c.languages)
    assert _as_dict(result["credentialType"]) == _expected(everything, lambda c: [c.credential_type])
    assert _as_dict(result["provider"]) == _expected(everything, lambda c: [oracle.gid("Provider", c.provider_id)])
    assert _as_dict(result["recognitionKind"]) == _expected(
        everything, lambda c: {r.kind for r in oracle.active_recognitions(c.id)}
    )


async def test_facet_values_come_most_frequent_first(demo_client):
    result = (await data(demo_client, FACETS, {"filter": None}))["searchCredentials"]["facets"]
    for facet in result.values():
        counts = [item["count"] for item in facet]
        assert counts == sorted(counts, reverse=True)


async def test_facets_and_total_take_one_statement_whatever_the_facets(demo_client):
    from tests.support.graphql import post, statements

    page_only = await post(demo_client, "{ searchCredentials(first: 1) { nodes { id } } }")
    with_facets = await post(demo_client, FACETS, {"filter": FILTER})
    assert statements(with_facets) - statements(page_only) == 1


async def test_asking_for_some_facets_counts_them_as_asking_for_all_does(demo_client):
    everything = (await facets(demo_client))["facets"]
    only = await data(
        demo_client,
        """query($filter: CredentialFilter) { searchCredentials(filter: $filter, first: 0) {
        facets { region { value count } pace { value count } } } }""",
        {"filter": FILTER},
    )
    assert only["searchCredentials"]["facets"] == {"region": everything["region"], "pace": everything["pace"]}


async def test_facets_through_a_fragment_are_counted_too(demo_client):
    everything = (await facets(demo_client))["facets"]
    through = await data(
        demo_client,
        """query($filter: CredentialFilter) { searchCredentials(filter: $filter, first: 0) {
        facets { ...Modes } } } fragment Modes on CredentialFacets { deliveryMode { value count } }""",
        {"filter": FILTER},
    )
    assert through["searchCredentials"]["facets"]["deliveryMode"] == everything["deliveryMode"]


NEW_FACETS = """
query Facets($filter: CredentialFilter) {
  searchCredentials(filter: $filter, first: 0) {
    facets {
      recognizedBy { value count label(lang: "fr") } cost { value count } workload { value count }
      provider { value label(lang: "en") } deliveryMode { label }
    }
  }
}
"""


def _workload_ranges(c) -> list[str]:
    ranges = [("0-10", 0, 10), ("10-40", 10, 40), ("40-120", 40, 120), ("120-", 120, None)]
    return [
        name for name, low, high in ranges if c.workload_hours >= low and (high is None or c.workload_hours <= high)
    ]


async def test_recognising_authorities_are_counted_with_their_names(demo_client):
    result = (await data(demo_client, NEW_FACETS, {"filter": FILTER}))["searchCredentials"]["facets"]
    everything = lambda c: _in_mode(c) and _in_region(c) and _in_audience(c)  # noqa: E731
    assert _as_dict(result["recognizedBy"]) == _expected(
        everything,
        lambda c: {oracle.gid("RecognitionAuthority", r.authority_id) for r in oracle.active_recognitions(c.id)},
    )
    names = {
        oracle.gid("RecognitionAuthority", a.id): a.name.get("fr") or a.name["en"] for a in oracle.ref().authorities
    }
    assert result["recognizedBy"] and all(item["label"] == names[item["value"]] for item in result["recognizedBy"])


async def test_a_provider_facet_value_is_labelled_with_the_providers_name(demo_client):
    result = (await data(demo_client, NEW_FACETS, {"filter": FILTER}))["searchCredentials"]["facets"]
    names = {oracle.gid("Provider", p.id): p.name["en"] for p in oracle.ref().providers}
    assert result["provider"] and all(item["label"] == names[item["value"]] for item in result["provider"])
    assert {item["label"] for item in result["deliveryMode"]} == {None}  # codes: portals label them


async def test_cost_counts_every_ceiling_a_listing_fits_under_as_max_cost_finds_it(demo_client):
    result = (await data(demo_client, NEW_FACETS, {"filter": FILTER}))["searchCredentials"]["facets"]
    everything = lambda c: _in_mode(c) and _in_region(c) and _in_audience(c)  # noqa: E731
    assert _as_dict(result["cost"]) == _expected(
        everything, lambda c: [str(b) for b in (0, 500, 1000, 2500) if (c.cost_amount or 0) <= b]
    )
    under_500 = await data(
        demo_client,
        "query($f: CredentialFilter) { searchCredentials(filter: $f) { totalCount } }",
        {"f": {**FILTER, "maxCost": 500}},
    )
    assert under_500["searchCredentials"]["totalCount"] == _as_dict(result["cost"])["500"]


async def test_workload_ranges_count_as_the_min_and_max_filters_find(demo_client):
    filtered = {**FILTER, "minWorkloadHours": 10, "maxWorkloadHours": 40}
    result = (await data(demo_client, NEW_FACETS, {"filter": filtered}))["searchCredentials"]["facets"]
    everything = lambda c: _in_mode(c) and _in_region(c) and _in_audience(c)  # noqa: E731
    assert _as_dict(result["workload"]) == _expected(everything, _workload_ranges)  # its own filters ignored
    ten_to_forty = await data(
        demo_client, "query($f: CredentialFilter) { searchCredentials(filter: $f) { totalCount } }", {"f": filtered}
    )
    assert ten_to_forty["searchCredentials"]["totalCount"] == _as_dict(result["workload"])["10-40"]


async def test_a_draft_that_states_no_delivery_mode_or_pace_counts_in_neither_facet(client, parties):
    token = await access_token(client, parties.provider)
    await create_sparse(client, token)
    await create(client, token)
    body = await gql(client, FACETS, {"filter": {"statuses": ["DRAFT"]}}, token)
    found = body["data"]["searchCredentials"]
    assert found["totalCount"] == 2
    assert found["facets"]["deliveryMode"] == [{"value": "ONLINE", "count": 1}]
    assert found["facets"]["pace"] == [{"value": "SELF_PACED", "count": 1}]
