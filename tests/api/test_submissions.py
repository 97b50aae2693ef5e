"""submitCredentials: batches upsert by externalId, item by item, in bulk SQL."""

from __future__ import annotations

from tests.support.graphql import statements
from tests.support.listings import DRAFT, SUBMIT, gql, item, post_with
from tests.support.parties import access_token


async def submit(client, token, items, publish=False):
    body = await gql(client, SUBMIT, {"input": {"credentials": items, "publish": publish}}, token)
    assert "errors" not in body, body["errors"]
    return body["data"]["submitCredentials"]


async def test_a_batch_creates_every_valid_listing(client, parties):
    token = await access_token(client, parties.provider)
    result = await submit(client, token, [item(f"K-{n}") for n in range(3)])
    assert (result["createdCount"], result["updatedCount"], result["failedCount"]) == (3, 0, 0)
    assert all(r["created"] and r["credential"]["status"] == "DRAFT" for r in result["results"])


async def test_invalid_items_fail_alone_and_valid_ones_are_stored(client, parties, db):
    token = await access_token(client, parties.provider)
    result = await submit(
        client,
        token,
        [
            item("OK-1"),
            item("BAD-1", workloadHours=-1),
            item("OK-1", title=[{"lang": "en", "value": "Twice"}]),
            {k: v for k, v in item("NO-KEY").items() if k != "externalId"},
            item("OK-2", occupationCodes=["00000"]),
        ],
    )
    assert (result["createdCount"], result["failedCount"]) == (1, 4)
    errors = {r["index"]: {(tuple(e["field"]), e["code"]) for e in r["userErrors"]} for r in result["results"]}
    assert (("credentials", "1", "workloadHours"), "OUT_OF_RANGE") in errors[1]
    assert (("credentials", "2", "externalId"), "DUPLICATE") in errors[2]
    assert (("credentials", "3", "externalId"), "REQUIRED") in errors[3]
    assert (("credentials", "4", "occupationCodes"), "UNKNOWN_OCCUPATION") in errors[4]
    assert await db.fetchval("select count(*) from credentials") == 1


async def test_resubmitting_the_same_batch_creates_and_changes_nothing(client, parties, db):
    token = await access_token(client, parties.provider)
    batch = [item(f"R-{n}", skillIds=[]) for n in range(4)]
    await submit(client, token, batch)
    versions = await db.fetchval("select count(*) from credential_versions")
    again = await submit(client, token, batch)
    assert (again["createdCount"], again["updatedCount"], again["failedCount"]) == (0, 0, 0)
    assert await db.fetchval("select count(*) from credentials") == 4
    assert await db.fetchval("select count(*) from credential_versions") == versions


async def test_a_changed_item_is_updated_and_versioned(client, parties):
    token = await access_token(client, parties.provider)
    await submit(client, token, [item("U-1"), item("U-2")])
    result = await submit(client, token, [item("U-1", workloadHours=60), item("U-2")])
    assert (result["createdCount"], result["updatedCount"]) == (0, 1)
    first = result["results"][0]["credential"]
    assert first["version"] == 2 and first["workloadHours"] == 60


async def test_publish_publishes_complete_listings_and_explains_the_rest(client, parties):
    token = await access_token(client, parties.provider)
    incomplete = {**DRAFT, "externalId": "INC-1"}
    result = await submit(client, token, [item("PUB-1"), incomplete], publish=True)
    complete, partial = result["results"]
    assert complete["credential"]["status"] == "PUBLISHED" and complete["userErrors"] == []
    assert partial["credential"]["status"] == "DRAFT"
    assert {e["code"] for e in partial["userErrors"]} == {"REQUIRED_TO_PUBLISH"}
    assert result["failedCount"] == 0


async def test_publishing_in_a_batch_needs_the_publish_scope(client, parties):
    token = await access_token(client, parties.provider_write_only)
    body = await gql(client, SUBMIT, {"input": {"credentials": [item("X")], "publish": True}}, token)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_more_than_a_thousand_items_are_refused(client, parties):
    token = await access_token(client, parties.provider)
    body = await gql(client, SUBMIT, {"input": {"credentials": [item(f"B-{n}") for n in range(1001)]}}, token)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_batch_costs_the_same_statements_for_5_or_200_items(client, parties):
    token = await access_token(client, parties.provider)
    headers = {"authorization": f"Bearer {token}"}
    small = await post_with(
        client, SUBMIT, {"input": {"credentials": [item(f"S-{n}") for n in range(5)], "publish": True}}, headers
    )
    large = await post_with(
        client, SUBMIT, {"input": {"credentials": [item(f"L-{n}") for n in range(200)], "publish": True}}, headers
    )
    assert large.json()["data"]["submitCredentials"]["createdCount"] == 200
    assert statements(small) == statements(large)


async def test_another_providers_client_cannot_submit_for_us(client, parties):
    from registry.domain import ids

    token = await access_token(client, parties.other_provider)
    body = await gql(
        client,
        SUBMIT,
        {"input": {"providerId": ids.encode("Provider", parties.provider_id), "credentials": [item("Z")]}},
        token,
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
