"""Delivery partners: a listing owned by one provider names the others that deliver it
(`offeredByProviderIds`); readers see them (`Credential.offeredBy`), find them
(`offeredByProviderIds` filter: owner or partner), and a partner's provider page lists what it
delivers. Being a partner gives no right to change the listing."""

from __future__ import annotations

import json
import uuid

import pytest

from registry.domain import ids
from registry.store import providers
from tests.support.listings import COMPLETE, PUBLISH, SUBMIT, TRANSFER, UPDATE, create, gql, item
from tests.support.parties import access_token

PARTNERS = "query($id: ID!) { credential(id: $id) { version offeredBy { slug } } }"
SEARCH = """
query($f: CredentialFilter) { searchCredentials(filter: $f, first: 50) { totalCount nodes { externalId } } }
"""
DELIVERED = """
query($slug: String!) {
  provider(slug: $slug) {
    credentials { nodes { externalId } }
    deliveredCredentials { totalCount nodes { externalId provider { slug } } }
  }
}
"""
SNAPSHOT = "query($id: ID!) { credential(id: $id) { history(first: 1) { nodes { snapshot } } } }"
JSON_LD = "query($id: ID!, $f: JsonLdFormat!) { credential(id: $id) { jsonLd(format: $f) } }"


def gid(provider_id) -> str:
    return ids.encode("Provider", provider_id)


@pytest.fixture
async def east(db):
    """A third provider, East Institute, which delivers nothing yet."""
    made = await providers.create(db, slug="east-institute", name={"en": "East Institute"}, kind="COLLEGE",
                                  jurisdiction="CA-ON")  # fmt: skip
    return made.id


async def _published(client, token, key: str, **fields) -> str:
    made = await create(client, token, externalId=key, **COMPLETE, **fields)
    assert made["userErrors"] == [], made["userErrors"]
    await gql(client, PUBLISH, {"input": {"id": made["credential"]["id"]}}, token)
    return made["credential"]["id"]


async def test_a_provider_names_its_delivery_partners_in_its_order(client, parties, east):
    north = await access_token(client, parties.provider)
    listing = await _published(client, north, "N-1", offeredByProviderIds=[gid(east), gid(parties.other_provider_id)])
    read = (await gql(client, PARTNERS, {"id": listing}))["data"]["credential"]
    assert read["offeredBy"] == [{"slug": "east-institute"}, {"slug": "south-polytechnic"}]


async def test_an_update_replaces_the_partners_and_an_empty_list_clears_them(client, parties, east):
    north = await access_token(client, parties.provider)
    listing = await _published(client, north, "N-1", offeredByProviderIds=[gid(east)])
    version = (await gql(client, PARTNERS, {"id": listing}))["data"]["credential"]["version"]
    changes = {"id": listing, "expectedVersion": version, "credential": {"offeredByProviderIds": []}}
    updated = (await gql(client, UPDATE, {"input": changes}, north))["data"]["updateCredential"]
    assert updated["userErrors"] == []
    assert (await gql(client, PARTNERS, {"id": listing}))["data"]["credential"]["offeredBy"] == []


async def test_leaving_the_partners_out_of_an_update_keeps_them(client, parties, east):
    north = await access_token(client, parties.provider)
    listing = await _published(client, north, "N-1", offeredByProviderIds=[gid(east)])
    version = (await gql(client, PARTNERS, {"id": listing}))["data"]["credential"]["version"]
    changes = {"id": listing, "expectedVersion": version, "credential": {"workloadHours": 45}}
    await gql(client, UPDATE, {"input": changes}, north)
    assert (await gql(client, PARTNERS, {"id": listing}))["data"]["credential"]["offeredBy"] == [
        {"slug": "east-institute"}
    ]


async def test_each_version_records_the_partners_it_had(client, parties, east):
    north = await access_token(client, parties.provider)
    listing = await _published(client, north, "N-1", offeredByProviderIds=[gid(east)])
    versions = (await gql(client, SNAPSHOT, {"id": listing}, north))["data"]["credential"]["history"]["nodes"]
    snapshot = versions[0]["snapshot"]
    assert (json.loads(snapshot) if isinstance(snapshot, str) else snapshot)["offered_by"] == [str(east)]


@pytest.mark.parametrize(
    ("partners", "code"),
    [
        (lambda parties, east: [gid(uuid.uuid4())], "UNKNOWN_PROVIDER"),
        (lambda parties, east: [gid(parties.provider_id)], "OWNER_AS_PARTNER"),
        (lambda parties, east: [gid(east), gid(east)], "DUPLICATE"),
        (lambda parties, east: [ids.encode("Skill", east)], "INVALID_ID"),
        (lambda parties, east: [gid(uuid.uuid4()) for _ in range(21)], "TOO_MANY"),
    ],
    ids=["unknown provider", "the owner itself", "named twice", "not a provider's ID", "more than 20"],
)
async def test_a_partner_list_that_cannot_be_is_refused_and_nothing_is_written(client, parties, east, partners, code):
    north = await access_token(client, parties.provider)
    made = await create(client, north, externalId="N-1", offeredByProviderIds=partners(parties, east))
    assert made["credential"] is None
    assert {(tuple(e["field"]), e["code"]) for e in made["userErrors"]} >= {
        (("credential", "offeredByProviderIds"), code)
    }
    everything = {"statuses": ["DRAFT", "PUBLISHED"]}
    assert (await gql(client, SEARCH, {"f": everything}, north))["data"]["searchCredentials"]["totalCount"] == 0


async def test_a_submission_sets_partners_and_the_same_batch_again_writes_nothing(client, parties, east):
    north = await access_token(client, parties.provider)
    batch = {"input": {"credentials": [item("N-1", offeredByProviderIds=[gid(east)])]}}
    first = (await gql(client, SUBMIT, batch, north))["data"]["submitCredentials"]
    again = (await gql(client, SUBMIT, batch, north))["data"]["submitCredentials"]
    assert (first["createdCount"], again["createdCount"], again["updatedCount"]) == (1, 0, 0)
    listing = first["results"][0]["credential"]["id"]
    assert (await gql(client, PARTNERS, {"id": listing}, north))["data"]["credential"]["offeredBy"] == [
        {"slug": "east-institute"}
    ]
    changed = {"input": {"credentials": [item("N-1", offeredByProviderIds=[])]}}
    assert (await gql(client, SUBMIT, changed, north))["data"]["submitCredentials"]["updatedCount"] == 1


async def test_the_offered_by_filter_finds_what_a_provider_owns_or_delivers(client, parties, east):
    north = await access_token(client, parties.provider)
    south = await access_token(client, parties.other_provider)
    await _published(client, north, "N-SHARED", offeredByProviderIds=[gid(parties.other_provider_id)])
    await _published(client, north, "N-ALONE")
    await _published(client, south, "S-OWN")

    async def keys(**f) -> set[str]:
        found = (await gql(client, SEARCH, {"f": f}))["data"]["searchCredentials"]["nodes"]
        return {n["externalId"] for n in found}

    south_id = gid(parties.other_provider_id)
    assert await keys(offeredByProviderIds=[south_id]) == {"N-SHARED", "S-OWN"}
    assert await keys(offeredByProviderIds=[gid(parties.provider_id)]) == {"N-SHARED", "N-ALONE"}
    assert await keys(offeredByProviderIds=[gid(east)]) == set()
    assert await keys(providerIds=[south_id]) == {"S-OWN"}  # owners only, as before


async def test_a_partners_provider_page_lists_what_it_delivers_published_only(client, parties):
    north = await access_token(client, parties.provider)
    south_id = gid(parties.other_provider_id)
    await _published(client, north, "N-SHARED", offeredByProviderIds=[south_id])
    await create(client, north, externalId="N-DRAFT", offeredByProviderIds=[south_id])
    page = (await gql(client, DELIVERED, {"slug": "south-polytechnic"}))["data"]["provider"]
    assert page["credentials"]["nodes"] == []
    assert page["deliveredCredentials"] == {
        "totalCount": 1,
        "nodes": [{"externalId": "N-SHARED", "provider": {"slug": "north-college"}}],
    }


async def test_being_a_partner_gives_no_right_to_change_the_listing(client, parties):
    north = await access_token(client, parties.provider)
    listing = await _published(client, north, "N-1", offeredByProviderIds=[gid(parties.other_provider_id)])
    south = await access_token(client, parties.other_provider)
    changes = {"id": listing, "expectedVersion": 2, "credential": {"workloadHours": 1}}
    refused = await gql(client, UPDATE, {"input": changes}, south)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_ctdl_offers_it_by_the_owner_and_its_partners(client, parties):
    north = await access_token(client, parties.provider)
    listing = await _published(client, north, "N-1", offeredByProviderIds=[gid(parties.other_provider_id)])
    document = json.loads((await gql(client, JSON_LD, {"id": listing, "f": "CTDL"}))["data"]["credential"]["jsonLd"])
    assert [uri.rsplit("/", 1)[-1] for uri in document["ceterms:offeredBy"]] == [
        gid(parties.provider_id),
        gid(parties.other_provider_id),
    ]
    assert [uri.rsplit("/", 1)[-1] for uri in document["ceterms:ownedBy"]] == [gid(parties.provider_id)]


async def test_a_listing_moved_to_its_partner_no_longer_lists_its_new_owner_as_partner(client, parties, east):
    north = await access_token(client, parties.provider)
    listing = await _published(client, north, "N-1", offeredByProviderIds=[gid(parties.other_provider_id), gid(east)])
    admin = await access_token(client, parties.admin)
    move = {"id": listing, "toProviderId": gid(parties.other_provider_id), "reason": "Handed to its partner"}
    moved = (await gql(client, TRANSFER, {"input": move}, admin))["data"]["transferCredential"]
    assert moved["userErrors"] == []
    assert (await gql(client, PARTNERS, {"id": listing}))["data"]["credential"]["offeredBy"] == [
        {"slug": "east-institute"}
    ]
