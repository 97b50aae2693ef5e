"""Every CredentialOrder sorts as documented, and walking its pages returns each
listing exactly once, ties included."""

from __future__ import annotations

import pytest

from tests.support import demo_oracle as oracle
from tests.support.graphql import data, errors

WALK = """
query Walk($order: CredentialOrder!, $after: String, $first: Int!, $query: String) {
  searchCredentials(query: $query, orderBy: $order, first: $first, after: $after) {
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


async def walk(client, order: str, first: int = 37, query: str | None = None) -> list[str]:
    found, after, pages = [], None, 0
    while True:
        result = await data(client, WALK, {"order": order, "after": after, "first": first, "query": query})
        result = result["searchCredentials"]
        pages += 1
        assert result["pageInfo"]["hasPreviousPage"] == (after is not None)
        if result["edges"]:
            assert result["pageInfo"]["endCursor"] == result["edges"][-1]["cursor"]
            assert result["pageInfo"]["startCursor"] == result["edges"][0]["cursor"]
        found += [edge["node"]["id"] for edge in result["edges"]]
        if not result["pageInfo"]["hasNextPage"]:
            return found
        after = result["pageInfo"]["endCursor"]


def ranked(key) -> list[str]:
    """Published listings in the order of ``key``, ties broken by UUID like the API does."""
    return [oracle.gid("Credential", c.id) for c in sorted(oracle.published(), key=lambda c: (key(c), str(c.id)))]


EXPECTED = {
    "NEWEST": lambda: ranked(lambda c: -c.published_at.timestamp()),
    "TITLE": lambda: ranked(oracle.sort_title),
    "COST_ASC": lambda: ranked(lambda c: c.cost_amount or 0.0),
    "COST_DESC": lambda: ranked(lambda c: -(c.cost_amount or 0.0)),
    "WORKLOAD_ASC": lambda: ranked(lambda c: c.workload_hours),
}


@pytest.mark.parametrize("order", list(EXPECTED))
async def test_walking_all_pages_gives_every_listing_once_in_order(demo_client, order):
    assert await walk(demo_client, order) == EXPECTED[order]()


async def test_relevance_without_a_query_is_newest_first(demo_client):
    assert await walk(demo_client, "RELEVANCE", first=100) == EXPECTED["NEWEST"]()


async def test_relevance_walk_of_a_text_search_has_no_duplicates_or_gaps(demo_client):
    everything = await walk(demo_client, "RELEVANCE", first=100, query="data")
    paged = await walk(demo_client, "RELEVANCE", first=7, query="data")
    assert paged == everything and len(set(paged)) == len(paged) > 20


async def test_ties_on_the_sort_key_never_repeat_or_skip_across_pages(demo_client):
    # Workloads come from a short list of values, so most listings tie with others.
    by_hours = {}
    for c in oracle.published():
        by_hours.setdefault(c.workload_hours, 0)
        by_hours[c.workload_hours] += 1
    assert max(by_hours.values()) > 10
    assert await walk(demo_client, "WORKLOAD_ASC", first=3) == EXPECTED["WORKLOAD_ASC"]()


async def test_a_cursor_of_another_order_is_refused(demo_client):
    first = await data(demo_client, WALK, {"order": "TITLE", "first": 2})
    cursor = first["searchCredentials"]["pageInfo"]["endCursor"]
    found = await errors(demo_client, WALK, {"order": "COST_ASC", "first": 2, "after": cursor})
    assert found[0]["extensions"]["code"] == "BAD_USER_INPUT"


WALK_IN = """
query($order: CredentialOrder!, $after: String, $query: String, $lang: LanguageTag) {
  searchCredentials(query: $query, orderBy: $order, lang: $lang, first: 2, after: $after) {
    pageInfo { endCursor }
  }
}
"""


async def _end_cursor(client, **variables) -> str:
    return (await data(client, WALK_IN, variables))["searchCredentials"]["pageInfo"]["endCursor"]


async def test_a_relevance_cursor_is_refused_for_other_words_and_holds_for_the_same_in_other_case(demo_client):
    cursor = await _end_cursor(demo_client, order="RELEVANCE", query="welding")
    refused = await errors(demo_client, WALK_IN, {"order": "RELEVANCE", "query": "data", "after": cursor})
    assert refused[0]["extensions"]["field"] == "after"
    await data(demo_client, WALK_IN, {"order": "RELEVANCE", "query": " Welding ", "after": cursor})


async def test_a_title_cursor_is_refused_in_another_language(demo_client):
    cursor = await _end_cursor(demo_client, order="TITLE", lang="en")
    refused = await errors(demo_client, WALK_IN, {"order": "TITLE", "lang": "fr", "after": cursor})
    assert refused[0]["extensions"]["field"] == "after"
    await data(demo_client, WALK_IN, {"order": "TITLE", "lang": "en", "after": cursor})


@pytest.mark.parametrize("order", ["TITLE", "NEWEST", "COST_ASC"])
async def test_a_cursor_is_refused_for_a_search_with_other_words_in_any_order(demo_client, order):
    """The words decide which listings match (and whether titles are matched fuzzily): a
    cursor of a search without them would page through a list that ignores them."""
    wordless = await _end_cursor(demo_client, order=order)
    worded = await _end_cursor(demo_client, order=order, query="data")
    for variables in ({"query": "data", "after": wordless}, {"after": worded}, {"query": "welding", "after": worded}):
        refused = await errors(demo_client, WALK_IN, {"order": order, **variables})
        assert refused[0]["extensions"]["field"] == "after"
    await data(demo_client, WALK_IN, {"order": order, "query": " Data", "after": worded})


async def test_a_title_cursor_without_a_language_holds_for_english_the_language_titles_are_then_read_in(demo_client):
    cursor = await _end_cursor(demo_client, order="TITLE")
    await data(demo_client, WALK_IN, {"order": "TITLE", "lang": "en", "after": cursor})
