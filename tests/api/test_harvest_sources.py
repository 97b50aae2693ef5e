"""Operators see every harvest source with its runs; nobody else sees them at all."""

from __future__ import annotations

import httpx

from registry.domain.principals import operator
from registry.services import harvesting
from registry.services.seeding import seed
from tests.support.file_server import file_server
from tests.support.harvest_files import LOOPBACK
from tests.support.harvest_files import listings_csv as _csv
from tests.support.listings import gql
from tests.support.parties import access_token

SOURCES = """
query Sources($first: Int) {
  harvestSources(first: $first) {
    totalCount
    nodes {
      id kind url everyMinutes enabled provider { slug }
      lastRun { notModified created updated unchanged retired failed problems { field code message } }
      runs(first: 5) { totalCount nodes { notModified created } }
    }
  }
}
"""


async def _harvested(db):
    """A source of north-college's, run twice (created, then not modified); its global ID."""
    await seed(db, 0)
    with file_server() as site:
        site.files["/listings.csv"] = _csv("N-1", "N-2")
        added = await harvesting.add(
            db, operator("test"), LOOPBACK, kind="CSV", url=site.url("/listings.csv"), provider_slug="north-college"
        )
        async with httpx.AsyncClient() as http:
            for _ in range(2):
                await harvesting.run(db, LOOPBACK, added.value.id, http)
    return added.value


async def test_an_operator_sees_each_source_with_its_last_run_and_its_runs_newest_first(client, parties, db):
    source = await _harvested(db)
    token = await access_token(client, parties.admin)
    found = (await gql(client, SOURCES, {"first": 10}, token))["data"]["harvestSources"]
    assert found["totalCount"] == 1
    [node] = found["nodes"]
    assert (node["kind"], node["url"], node["provider"], node["enabled"]) == (
        "CSV",
        source.url,
        {"slug": "north-college"},
        True,
    )
    assert node["lastRun"] == {
        "notModified": True,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "retired": 0,
        "failed": 0,
        "problems": [],
    }
    assert node["runs"] == {
        "totalCount": 2,
        "nodes": [{"notModified": True, "created": 0}, {"notModified": False, "created": 2}],
    }


async def test_a_provider_may_not_list_harvest_sources(client, parties, db):
    await _harvested(db)
    token = await access_token(client, parties.provider)
    answer = await gql(client, SOURCES, {"first": 10}, token)
    assert answer["data"] is None and answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_source_s_global_id_resolves_for_operators_only(client, parties, db):
    await _harvested(db)
    admin = await access_token(client, parties.admin)
    source_id = (await gql(client, SOURCES, {"first": 1}, admin))["data"]["harvestSources"]["nodes"][0]["id"]
    query = "query Node($id: ID!) { node(id: $id) { id ... on HarvestSource { kind } } }"
    assert (await gql(client, query, {"id": source_id}, admin))["data"]["node"] == {"id": source_id, "kind": "CSV"}
    provider = await access_token(client, parties.provider)
    assert (await gql(client, query, {"id": source_id}, provider))["data"]["node"] is None
    assert (await gql(client, query, {"id": source_id}))["data"]["node"] is None


LISTING_SOURCES = """
query Listings {
  searchCredentials(first: 10) {
    nodes { externalId source { url fetchedAt contentHash harvestSource { kind url provider { slug } } } }
  }
}
"""


async def test_everyone_sees_where_a_harvested_listing_came_from(client, parties, db):
    source = await _harvested(db)
    nodes = (await gql(client, LISTING_SOURCES, {}))["data"]["searchCredentials"]["nodes"]
    harvested = [node for node in nodes if node["source"]]
    assert sorted(node["externalId"] for node in harvested) == ["N-1", "N-2"]
    for node in harvested:
        assert node["source"]["url"] == source.url and len(node["source"]["contentHash"]) == 64
        assert node["source"]["harvestSource"] == {
            "kind": "CSV",
            "url": source.url,
            "provider": {"slug": "north-college"},
        }


async def test_a_listing_written_here_has_no_source(client, parties, db):
    await _harvested(db)
    await seed(db, 3)  # listings loaded here, not harvested
    nodes = (await gql(client, LISTING_SOURCES, {}))["data"]["searchCredentials"]["nodes"]
    assert {n["externalId"] for n in nodes if n["source"] is not None} == {"N-1", "N-2"}
    loaded_here = [n["externalId"] for n in nodes if n["source"] is None]
    assert loaded_here and all(key.startswith("demo-") for key in loaded_here)


async def test_a_source_s_runs_are_refused_to_anyone_but_operators_through_a_listing(client, parties, db):
    await _harvested(db)
    query = "{ searchCredentials(first: 1) { nodes { source { harvestSource { lastRun { created } } } } } }"
    assert (await gql(client, query, {}))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    provider = await access_token(client, parties.provider)
    assert (await gql(client, query, {}, provider))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
