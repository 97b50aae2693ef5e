"""Listings kept current: providers confirm them (any write does too), a listing left
unconfirmed for longer than the registry allows is stale, and the worker reminds the provider
before it goes stale."""

from __future__ import annotations

import csv
import io
import json

import pytest

from registry.config import Settings
from registry.services import currency
from tests.support.commands import invoke
from tests.support.listings import COMPLETE, PUBLISH, UPDATE, create, gql
from tests.support.parties import access_token, registered_client
from tests.support.processes import process_env
from tests.support.webhooks import REGISTER, SECRET, deliver_all

CONFIRM = """
mutation($input: ConfirmCredentialsInput!) {
  confirmCredentials(input: $input) { confirmedCount userErrors { field code message } }
}
"""
LISTING = "query($id: ID!) { credential(id: $id) { lastVerifiedAt updatedAt isStale } }"
STALE = """
query($stale: Boolean) { searchCredentials(filter: { stale: $stale }) {
  totalCount nodes { id } facets { currency { value count } } } }
"""


@pytest.fixture
async def published(client, parties):
    """A published listing of the provider's, and the provider's token."""
    token = await access_token(client, parties.provider)
    made = (await create(client, token, **COMPLETE))["credential"]
    await gql(client, PUBLISH, {"input": {"id": made["id"]}}, token)
    return made["id"], token


async def _age(db, credential_id: str, days: int) -> None:
    """As if the listing had last been confirmed ``days`` ago (the clock cannot wait a year)."""
    from registry.domain import ids

    await db.execute(
        "update credentials set last_verified_at = now() - make_interval(days => $2) where id = $1",
        ids.decode_as(credential_id, "Credential"),
        days,
    )


async def test_a_listing_s_last_write_is_its_last_confirmation(client, published):
    credential_id, _ = published
    read = (await gql(client, LISTING, {"id": credential_id}))["data"]["credential"]
    assert read["lastVerifiedAt"] == read["updatedAt"] and read["isStale"] is False


async def test_a_listing_unconfirmed_for_over_a_year_is_stale_found_by_the_filter_and_counted(client, db, published):
    credential_id, _ = published
    await _age(db, credential_id, 366)
    assert (await gql(client, LISTING, {"id": credential_id}))["data"]["credential"]["isStale"] is True
    stale = (await gql(client, STALE, {"stale": True}))["data"]["searchCredentials"]
    assert [n["id"] for n in stale["nodes"]] == [credential_id]
    assert stale["facets"]["currency"] == [{"value": "STALE", "count": 1}]
    current = (await gql(client, STALE, {"stale": False}))["data"]["searchCredentials"]
    assert current["totalCount"] == 0 and current["facets"]["currency"] == [{"value": "STALE", "count": 1}]


async def test_confirming_makes_a_listing_current_and_the_feed_says_so(client, db, published):
    credential_id, token = published
    await _age(db, credential_id, 400)
    confirmed = (await gql(client, CONFIRM, {"input": {"ids": [credential_id]}}, token))["data"]["confirmCredentials"]
    assert confirmed == {"confirmedCount": 1, "userErrors": []}
    assert (await gql(client, LISTING, {"id": credential_id}))["data"]["credential"]["isStale"] is False
    feed = (await gql(client, "{ changes(first: 50) { events { kind } } }", {}))["data"]["changes"]["events"]
    assert feed[-1]["kind"] == "CONFIRMED"


async def test_any_change_to_a_listing_confirms_it(client, db, published):
    credential_id, token = published
    await _age(db, credential_id, 400)
    changed = {"input": {"id": credential_id, "expectedVersion": 2, "credential": {"workloadHours": 44}}}
    assert (await gql(client, UPDATE, changed, token))["data"]["updateCredential"]["userErrors"] == []
    assert (await gql(client, LISTING, {"id": credential_id}))["data"]["credential"]["isStale"] is False


async def test_an_id_that_is_not_the_provider_s_to_confirm_refuses_the_whole_batch(client, db, published):
    credential_id, token = published
    await _age(db, credential_id, 400)
    unknown = "Q3JlZGVudGlhbDowMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDA="
    answer = (await gql(client, CONFIRM, {"input": {"ids": [credential_id, unknown]}}, token))["data"]
    assert answer["confirmCredentials"]["confirmedCount"] == 0
    assert [(e["field"], e["code"]) for e in answer["confirmCredentials"]["userErrors"]] == [
        (["ids", "1"], "NOT_FOUND")
    ]
    assert (await gql(client, LISTING, {"id": credential_id}))["data"]["credential"]["isStale"] is True


async def test_another_provider_cannot_confirm_a_listing_not_its_own(client, parties, published):
    credential_id, _ = published
    other = await access_token(client, parties.other_provider)
    answer = await gql(client, CONFIRM, {"input": {"ids": [credential_id]}}, other)
    assert answer["data"] is None and answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_worker_tells_the_provider_s_webhooks_once_that_a_listing_is_due(hook_client, parties, db, receiver):
    for provider_id in (parties.provider_id, parties.other_provider_id):  # the other must not be told
        hooks = await registered_client(db, name="Hooks", scopes=["webhooks:manage"], provider_id=provider_id)
        hook_token = await access_token(hook_client, hooks)
        await gql(hook_client, REGISTER, {"input": {"url": receiver.url, "secret": SECRET}}, hook_token)
    token = await access_token(hook_client, parties.provider)
    made = (await create(hook_client, token, **COMPLETE))["credential"]
    await gql(hook_client, PUBLISH, {"input": {"id": made["id"]}}, token)
    await _age(db, made["id"], 340)  # stale in 25 days
    settings = Settings()
    assert await currency.remind(db, settings) == 1
    assert await currency.remind(db, settings) == 0  # once per confirmation
    await deliver_all(db)
    kinds = [json.loads(body)["kind"] for _, body, _, status in receiver.received if status == 204]
    assert kinds.count("VERIFICATION_DUE") == 1
    public = (await gql(hook_client, "{ changes(first: 50) { events { kind } } }", {}))["data"]["changes"]["events"]
    assert "VERIFICATION_DUE" not in [e["kind"] for e in public]


async def test_a_listing_not_yet_due_is_not_reminded(client, db, published):
    credential_id, _ = published
    await _age(db, credential_id, 300)
    assert await currency.remind(db, Settings()) == 0


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/credentials/{id}", "The institution has not confirmed that this listing is current since"),
        ("/fr/credentials/{id}", "L'établissement n'a pas confirmé que cette fiche est à jour depuis le"),
    ],
)
async def test_a_stale_listing_s_page_says_so_in_its_language(client, db, published, path, words):
    credential_id, _ = published
    page = await client.get(path.format(id=credential_id), headers={"accept": "text/html"})
    assert "notice stale" not in page.text
    await _age(db, credential_id, 400)
    page = await client.get(path.format(id=credential_id), headers={"accept": "text/html"})
    assert 'class="notice stale"' in page.text and words in page.text.replace("&#39;", "'")


async def test_operators_get_the_stale_listings_per_provider_as_csv(db_dsn, db, published):
    credential_id, _ = published
    await _age(db, credential_id, 400)
    result = invoke("report", "stale", env=process_env(DATABASE_URL=db_dsn))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["slug"], r["published"], r["stale"], r["due_soon"]) for r in rows] == [("north-college", "1", "1", "0")]
