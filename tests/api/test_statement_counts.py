"""The SQL statements a request costs do not grow with the page size or the nesting."""

from __future__ import annotations

from tests.support import demo_oracle as oracle
from tests.support.graphql import data, operation, post, statements

FIELDS = """
      id title
      provider { name credentials(first: 3) { totalCount nodes { title } } }
      skills { label }
      occupations { code title }
      recognitions(activeOnly: false) { kind authority { name } }
      links { kind target { title provider { name } skills { code } } }
      history(first: 2) { totalCount nodes { version } }
"""

DEEP = "query Deep($first: Int!) { searchCredentials(first: $first, orderBy: NEWEST) { nodes {" + FIELDS + "} } }"
BY_IDS = "query ByIds($ids: [ID!]!) { nodes(ids: $ids) { ... on Credential {" + FIELDS + "} } }"


def linked_listings() -> list[str]:
    """Published listings with a visible link, recognised ones first, so that even the
    first five exercise every nested list."""
    listings = oracle.listings()
    visible = {c.id for c in listings.credentials if c.status != "DRAFT"}
    linked = {link.from_id for link in listings.links if link.to_id in visible}
    recognized = {r.credential_id for r in listings.recognitions}
    chosen = sorted((c for c in oracle.published() if c.id in linked), key=lambda c: c.id not in recognized)
    return [oracle.gid("Credential", c.id) for c in chosen]


async def test_5_or_50_listings_with_every_nested_list_cost_the_same_statements(demo_client):
    ids = linked_listings()
    assert len(ids) >= 50, "the demo data has too few linked listings"
    few = await post(demo_client, BY_IDS, {"ids": ids[:5]})
    many = await post(demo_client, BY_IDS, {"ids": ids})
    for response, count in ((few, 5), (many, len(ids))):
        nodes = response.json()["data"]["nodes"]
        assert len(nodes) == count
        assert all(n["links"] and n["skills"] and n["history"]["nodes"] for n in nodes)
        assert any(n["recognitions"] for n in nodes)
    assert statements(few) == statements(many)


async def test_a_search_page_of_100_costs_five_listings_by_id_and_the_page(demo_client):
    # The listings and their relations are one statement both ways; every deeper batch is the same.
    response = await post(demo_client, DEEP, {"first": 100})
    assert len(response.json()["data"]["searchCredentials"]["nodes"]) == 100
    assert statements(response) == 1 + statements(await post(demo_client, BY_IDS, {"ids": linked_listings()[:5]}))


async def test_a_listings_relations_come_in_one_statement_and_deeper_levels_one_each(demo_client):
    response = await post(demo_client, DEEP, {"first": 50})
    # the page; the listings with provider, skills, occupations, recognitions and authorities,
    # links and their targets, history's first page and count; then one each for the providers'
    # pages and counts and the link targets' skills and providers (none when those providers came
    # with the listings).
    assert statements(response) <= 6


async def test_a_request_without_nested_fields_costs_one_statement(demo_client):
    response = await post(demo_client, "{ searchCredentials(first: 20, orderBy: NEWEST) { nodes { id title } } }")
    assert statements(response) == 1  # the page: the rate charge is settled in batches (RateLedger)
    assert (await data(demo_client, "{ providers(first: 3) { nodes { slug } } }"))["providers"]["nodes"]


async def test_an_operation_reading_nothing_costs_no_statement(demo_client):
    assert statements(await post(demo_client, "{ __typename }")) == 0  # 1 when each request sent its charge


async def test_a_credential_page_costs_one_statement_and_a_search_page_three(demo_client):
    # 9 and 8 statements when each request sent its rate charge to PostgreSQL and every relation
    # was a statement of its own; the link targets' fields below are one level deeper.
    listing = oracle.gid("Credential", oracle.published()[0].id)
    detail = await post(demo_client, operation("CredentialDetail"), {"id": listing}, "CredentialDetail")
    search = await post(
        demo_client, operation("SearchPage"), {"query": "data", "filter": {"deliveryModes": ["ONLINE"]}}
    )
    assert detail.json()["data"]["credential"]["id"] == listing and search.json()["data"]["searchCredentials"]["nodes"]
    assert statements(detail) == 1 and statements(search) == 3  # search: page, listings' relations, facets


async def test_the_names_in_the_facets_cost_no_statement_of_their_own(demo_client):
    # One listing on the page, every recognising authority in the facets: their names come
    # with the counts, not from a lookup of authorities after them.
    search = await post(demo_client, operation("SearchPage"), {"first": 1})
    found = search.json()["data"]["searchCredentials"]
    assert len(found["facets"]["recognizedBy"]) > 1 and all(v["label"] for v in found["facets"]["recognizedBy"])
    assert statements(search) == 3
