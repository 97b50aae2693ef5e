"""The registry is an Apollo Federation 2 subgraph: portals compose it into their supergraph."""

from __future__ import annotations

from tests.support import demo_oracle as oracle
from tests.support.graphql import data

ENTITIES = """
query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Credential { id title status }
    ... on Provider { id slug }
  }
}
"""


async def test_the_subgraph_publishes_its_sdl_with_keys(demo_client):
    sdl = (await data(demo_client, "{ _service { sdl } }"))["_service"]["sdl"]
    assert "federation/v2" in sdl
    assert 'type Credential implements Node @key(fields: "id")' in sdl
    assert 'type Provider implements Node @key(fields: "id")' in sdl


async def test_entities_resolve_credentials_and_providers_by_id(demo_client):
    listing = oracle.published()[0]
    provider = oracle.ref().providers[0]
    draft = next(c for c in oracle.listings().credentials if c.status == "DRAFT")
    representations = [
        {"__typename": "Credential", "id": oracle.gid("Credential", listing.id)},
        {"__typename": "Provider", "id": oracle.gid("Provider", provider.id)},
        {"__typename": "Credential", "id": oracle.gid("Credential", draft.id)},
    ]
    entities = (await data(demo_client, ENTITIES, {"representations": representations}))["_entities"]
    assert entities[0] == {
        "__typename": "Credential",
        "id": representations[0]["id"],
        "title": listing.title.get("en") or next(iter(listing.title.values())),
        "status": "PUBLISHED",
    }
    assert entities[1] == {"__typename": "Provider", "id": representations[1]["id"], "slug": provider.slug}
    assert entities[2] is None  # a draft stays invisible through the supergraph too
