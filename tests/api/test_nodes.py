"""Global IDs and Relay's node/nodes, and who sees drafts and retired listings."""

from __future__ import annotations

import base64

import pytest

from tests.support import demo_oracle as oracle
from tests.support.graphql import data, errors

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Credential { status title }
    ... on Provider { slug }
    ... on Skill { code }
    ... on Occupation { code }
    ... on RecognitionAuthority { slug }
    ... on Recognition { kind credential { id } authority { id } }
  }
}
"""


def _examples() -> dict[str, str]:
    ref, listings = oracle.ref(), oracle.listings()
    recognized = next(
        r
        for r in listings.recognitions
        if any(c.id == r.credential_id and c.status == "PUBLISHED" for c in listings.credentials)
    )
    return {
        "Credential": oracle.gid("Credential", oracle.published()[0].id),
        "Provider": oracle.gid("Provider", ref.providers[0].id),
        "Skill": oracle.gid("Skill", ref.skills[0].id),
        "Occupation": oracle.gid("Occupation", ref.occupations[0].id),
        "RecognitionAuthority": oracle.gid("RecognitionAuthority", ref.authorities[0].id),
        "Recognition": oracle.gid("Recognition", recognized.id),
    }


@pytest.mark.parametrize("type_name", list(_examples()))
async def test_node_resolves_every_node_type(demo_client, type_name):
    global_id = _examples()[type_name]
    node = (await data(demo_client, NODE, {"id": global_id}))["node"]
    assert node["__typename"] == type_name
    assert node["id"] == global_id


def _raw_id(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


MALFORMED = [
    "",
    "abc",
    "!!!",
    _raw_id("Credential:not-a-uuid"),
    _raw_id("Planet:7d3f1f5e-0000-4000-8000-000000000000"),
    _raw_id("Credential:7d3f1f5e-0000-4000-8000-000000000000"),
    "x" * 500,
]


@pytest.mark.parametrize("global_id", MALFORMED)
async def test_malformed_or_unknown_ids_give_null(demo_client, global_id):
    assert (await data(demo_client, NODE, {"id": global_id}))["node"] is None


@pytest.mark.parametrize("global_id", MALFORMED)
async def test_credential_by_malformed_or_unknown_id_is_not_found(demo_client, global_id):
    found = await errors(demo_client, "query($id: ID!) { credential(id: $id) { id } }", {"id": global_id})
    assert found[0]["extensions"]["code"] == "NOT_FOUND"


async def test_nodes_keeps_the_order_asked_and_nulls_the_unknown(demo_client):
    examples = _examples()
    asked = [examples["Skill"], "nope", examples["Credential"], examples["Provider"]]
    result = await data(demo_client, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": asked})
    assert [n and n["id"] for n in result["nodes"]] == [asked[0], None, asked[2], asked[3]]


async def test_nodes_refuses_more_than_a_hundred_ids(demo_client):
    found = await errors(demo_client, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ["x"] * 101})
    assert found[0]["extensions"]["code"] == "BAD_USER_INPUT"


def _first(status: str):
    return next(c for c in oracle.listings().credentials if c.status == status)


async def test_drafts_are_invisible_to_the_public_by_id(demo_client):
    draft = oracle.gid("Credential", _first("DRAFT").id)
    assert (await data(demo_client, NODE, {"id": draft}))["node"] is None
    found = await errors(demo_client, "query($id: ID!) { credential(id: $id) { id } }", {"id": draft})
    assert found[0]["extensions"]["code"] == "NOT_FOUND"


async def test_drafts_are_invisible_by_external_id(demo_client):
    draft = _first("DRAFT")
    result = await data(
        demo_client,
        "query($p: ID!, $e: String!) { credentialByExternalId(providerId: $p, externalId: $e) { id } }",
        {"p": oracle.gid("Provider", draft.provider_id), "e": draft.external_id},
    )
    assert result["credentialByExternalId"] is None


async def test_published_listing_is_found_by_external_id(demo_client):
    listing = oracle.published()[3]
    result = await data(
        demo_client,
        "query($p: ID!, $e: String!) { credentialByExternalId(providerId: $p, externalId: $e) { id } }",
        {"p": oracle.gid("Provider", listing.provider_id), "e": listing.external_id},
    )
    assert result["credentialByExternalId"]["id"] == oracle.gid("Credential", listing.id)


async def test_retired_listings_resolve_by_id_marked_retired(demo_client):
    retired = _first("RETIRED")
    result = await data(
        demo_client,
        "query($id: ID!) { credential(id: $id) { status retiredAt } }",
        {"id": oracle.gid("Credential", retired.id)},
    )
    assert result["credential"]["status"] == "RETIRED"
    assert result["credential"]["retiredAt"] is not None


async def test_retired_and_draft_listings_are_not_on_provider_pages(demo_client):
    hidden = {c.id for c in oracle.listings().credentials if c.status != "PUBLISHED"}
    provider = oracle.listings().credentials[0].provider_id
    result = await data(
        demo_client,
        """query($id: ID!) { node(id: $id) { ... on Provider {
        credentials(first: 100) { totalCount nodes { id status } } } } }""",
        {"id": oracle.gid("Provider", provider)},
    )
    listed = result["node"]["credentials"]
    expected = oracle.credential_gids(c for c in oracle.published() if c.provider_id == provider)
    assert {n["id"] for n in listed["nodes"]} == expected
    assert listed["totalCount"] == len(expected)
    assert not {oracle.gid("Credential", h) for h in hidden} & {n["id"] for n in listed["nodes"]}


async def test_provider_by_slug_and_by_id_agree(demo_client):
    provider = oracle.ref().providers[5]
    result = await data(
        demo_client,
        "query($id: ID, $slug: String) { a: provider(id: $id) { id slug } b: provider(slug: $slug) { id } }",
        {"id": oracle.gid("Provider", provider.id), "slug": provider.slug},
    )
    assert result["a"]["id"] == result["b"]["id"] == oracle.gid("Provider", provider.id)
    assert result["a"]["slug"] == provider.slug
