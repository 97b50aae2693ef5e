"""The write API: an institution creates, updates, publishes and retires its listings."""

from __future__ import annotations

import asyncio

import pytest

from registry.domain import ids
from tests.support.listings import (
    COMPLETE,
    CREATE,
    DRAFT,
    HISTORY,
    PUBLISH,
    RETIRE,
    UPDATE,
    create,
    gql,
    post_with,
)
from tests.support.parties import access_token


async def test_an_institution_creates_a_draft_for_itself(client, parties):
    token = await access_token(client, parties.provider)
    result = await create(client, token)
    assert result["userErrors"] == []
    listing = result["credential"]
    assert listing["status"] == "DRAFT" and listing["version"] == 1 and listing["provider"]["slug"] == "north-college"


async def test_drafts_are_visible_to_their_provider_only(client, parties):
    token = await access_token(client, parties.provider)
    listing = (await create(client, token))["credential"]
    query = "query($id: ID!) { node(id: $id) { id } }"
    assert (await gql(client, query, {"id": listing["id"]}, token))["data"]["node"]["id"] == listing["id"]
    assert (await gql(client, query, {"id": listing["id"]}))["data"]["node"] is None
    other = await access_token(client, parties.other_provider)
    assert (await gql(client, query, {"id": listing["id"]}, other))["data"]["node"] is None
    search = "{ searchCredentials(filter: {statuses: [DRAFT]}) { totalCount } }"
    assert (await gql(client, search, {}, token))["data"]["searchCredentials"]["totalCount"] == 1
    assert (await gql(client, search, {}, other))["data"]["searchCredentials"]["totalCount"] == 0


async def test_bad_input_gives_user_errors_and_changes_nothing(client, parties, db):
    token = await access_token(client, parties.provider)
    result = await create(
        client,
        token,
        title=[],
        workloadHours=-3,
        url="https://x.example.ca",
        regions=["Ontario"],
        cost={"amount": 10, "currency": "dollars"},
        occupationCodes=["99999"],
    )
    codes = {(tuple(e["field"]), e["code"]) for e in result["userErrors"]}
    assert {
        (("credential", "title"), "REQUIRED"),
        (("credential", "workloadHours"), "OUT_OF_RANGE"),
        (("credential", "regions"), "INVALID_REGION"),
        (("credential", "cost", "currency"), "INVALID_CURRENCY"),
        (("credential", "occupationCodes"), "UNKNOWN_OCCUPATION"),
    } <= codes
    assert result["credential"] is None
    assert await db.fetchval("select count(*) from credentials") == 0


async def test_a_draft_needs_a_title_and_a_page(client, parties):
    token = await access_token(client, parties.provider)
    body = await gql(client, CREATE, {"input": {"credential": {"externalId": "X-1"}}}, token)
    fields = {e["field"][-1] for e in body["data"]["createCredential"]["userErrors"] if e["code"] == "REQUIRED"}
    assert fields == {"title", "url"}


async def test_a_draft_may_leave_out_what_publishing_needs_and_shows_it_not_stated(client, parties):
    token = await access_token(client, parties.provider)
    sparse = {"externalId": "X-2", "title": DRAFT["title"], "url": "http://north.example.ca/x"}
    query = """mutation($input: CreateCredentialInput!) { createCredential(input: $input) {
      credential { id workloadHours deliveryMode pace assessment ctid completeness { missing } } userErrors { code } } }"""
    made = (await gql(client, query, {"input": {"credential": sparse}}, token))["data"]["createCredential"]
    listing = made["credential"]
    assert made["userErrors"] == [] and listing["ctid"].startswith("ce-")
    assert (listing["workloadHours"], listing["deliveryMode"], listing["pace"], listing["assessment"]) == (
        0,
        "NOT_STATED",
        "NOT_STATED",
        "NOT_STATED",
    )
    assert {"workloadHours", "deliveryMode", "assessment", "url"} <= set(listing["completeness"]["missing"])
    body = await gql(client, PUBLISH, {"input": {"id": listing["id"]}}, token)
    refused = {e["field"][-1] for e in body["data"]["publishCredential"]["userErrors"]}
    assert {"workloadHours", "deliveryMode", "pace", "assessment"} <= refused


async def test_not_stated_is_shown_never_written(client, parties):
    token = await access_token(client, parties.provider)
    written = {**DRAFT, "pace": "NOT_STATED"}
    body = await gql(client, CREATE, {"input": {"credential": written}}, token)
    assert [(e["field"][-1], e["code"]) for e in body["data"]["createCredential"]["userErrors"]] == [
        ("pace", "INVALID_VALUE")
    ]


async def test_update_with_the_current_version_wins_and_bumps_it(client, parties):
    token = await access_token(client, parties.provider)
    listing = (await create(client, token))["credential"]
    body = await gql(
        client,
        UPDATE,
        {"input": {"id": listing["id"], "expectedVersion": 1, "credential": {"workloadHours": 45}}},
        token,
    )
    updated = body["data"]["updateCredential"]["credential"]
    assert updated["version"] == 2 and updated["workloadHours"] == 45 and updated["title"] == "Data Analysis Essentials"


async def test_update_with_a_stale_version_is_a_conflict(client, parties):
    token = await access_token(client, parties.provider)
    listing = (await create(client, token))["credential"]
    await gql(
        client,
        UPDATE,
        {"input": {"id": listing["id"], "expectedVersion": 1, "credential": {"workloadHours": 45}}},
        token,
    )
    body = await gql(
        client,
        UPDATE,
        {"input": {"id": listing["id"], "expectedVersion": 1, "credential": {"workloadHours": 50}}},
        token,
    )
    errors = body["data"]["updateCredential"]["userErrors"]
    assert errors[0]["code"] == "CONFLICT" and "version 2" in errors[0]["message"]


async def test_two_concurrent_updates_of_the_same_version_cannot_both_win(client, parties):
    token = await access_token(client, parties.provider)
    listing = (await create(client, token))["credential"]
    attempts = [
        gql(
            client,
            UPDATE,
            {"input": {"id": listing["id"], "expectedVersion": 1, "credential": {"workloadHours": hours}}},
            token,
        )
        for hours in range(41, 49)
    ]
    results = [r["data"]["updateCredential"] for r in await asyncio.gather(*attempts)]
    winners = [r for r in results if r["credential"]]
    assert len(winners) == 1
    assert all(r["userErrors"][0]["code"] == "CONFLICT" for r in results if not r["credential"])


async def test_publishing_needs_every_mandatory_element(client, parties):
    token = await access_token(client, parties.provider)
    listing = (await create(client, token))["credential"]
    body = await gql(client, PUBLISH, {"input": {"id": listing["id"]}}, token)
    missing = {e["field"][-1] for e in body["data"]["publishCredential"]["userErrors"]}
    assert missing == {"description", "learningOutcomes", "level", "qualityAssurance", "languages"}


async def test_publish_then_retire_leaves_a_complete_history(client, parties):
    token = await access_token(client, parties.provider)
    listing = (await create(client, token, **COMPLETE))["credential"]
    published = await gql(client, PUBLISH, {"input": {"id": listing["id"], "expectedVersion": 1}}, token)
    assert published["data"]["publishCredential"]["credential"]["status"] == "PUBLISHED"
    assert (await gql(client, "query($id: ID!) { node(id: $id) { id } }", {"id": listing["id"]}))["data"]["node"]
    retired = await gql(client, RETIRE, {"input": {"id": listing["id"], "reason": "Replaced by DA-201"}}, token)
    assert retired["data"]["retireCredential"]["credential"]["status"] == "RETIRED"
    history = (await gql(client, HISTORY, {"id": listing["id"]}, token))["data"]["credential"]["history"]
    assert [(v["version"], v["kind"]) for v in history["nodes"]] == [(3, "RETIRED"), (2, "PUBLISHED"), (1, "CREATED")]
    assert history["nodes"][0]["note"] == "Replaced by DA-201"
    assert {v["actor"] for v in history["nodes"]} == {parties.provider.client_id}


async def test_every_change_lands_in_the_change_feed_in_the_same_transaction(client, parties, db):
    token = await access_token(client, parties.provider)
    listing = (await create(client, token, **COMPLETE))["credential"]
    await gql(client, PUBLISH, {"input": {"id": listing["id"]}}, token)
    rows = await db.fetch("select kind::text, version from changes order by seq")
    assert [(r["kind"], r["version"]) for r in rows] == [("CREATED", 1), ("PUBLISHED", 2)]
    versions = await db.fetchval("select count(*) from credential_versions")
    assert versions == len(rows)


SUBMIT_ONE = """
mutation($input: SubmitCredentialsInput!) { submitCredentials(input: $input) { createdCount } }
"""
LINK_ONE = """
mutation($input: LinkCredentialsInput!) { linkCredentials(input: $input) { userErrors { code } } }
"""
RECOGNIZE_ONE = """
mutation($input: RecognizeCredentialInput!) { recognizeCredential(input: $input) { userErrors { code } } }
"""
REVOKE_ONE = """
mutation($input: RevokeRecognitionInput!) { revokeRecognition(input: $input) { userErrors { code } } }
"""
MUTATIONS = {
    "create": (CREATE, lambda listing: {"input": {"credential": DRAFT}}),
    "submit": (SUBMIT_ONE, lambda listing: {"input": {"credentials": [{**DRAFT, "externalId": "SUB-1"}]}}),
    "link": (LINK_ONE, lambda listing: {"input": {"fromId": listing, "toId": listing, "kind": "PART_OF"}}),
    "update": (
        UPDATE,
        lambda listing: {"input": {"id": listing, "expectedVersion": 1, "credential": {"workloadHours": 9}}},
    ),
    "publish": (PUBLISH, lambda listing: {"input": {"id": listing}}),
    "retire": (RETIRE, lambda listing: {"input": {"id": listing, "reason": "no"}}),
}


@pytest.fixture
async def complete_draft(client, parties):
    token = await access_token(client, parties.provider)
    return (await create(client, token, externalId="SEC-1", **COMPLETE))["credential"]["id"]


@pytest.mark.parametrize(
    "who,code", [("no token", "UNAUTHENTICATED"), ("other provider", "FORBIDDEN"), ("authority", "FORBIDDEN")]
)
@pytest.mark.parametrize("mutation", list(MUTATIONS))
async def test_mutations_are_refused_to_the_wrong_callers_and_change_nothing(
    client, parties, db, complete_draft, who, code, mutation
):
    token = None
    if who == "other provider":
        token = await access_token(client, parties.other_provider)
    elif who == "authority":
        token = await access_token(client, parties.authority)
    before = await db.fetchval("select count(*) from credential_versions")
    query, variables = MUTATIONS[mutation]
    variables = variables(complete_draft)
    if mutation in {"create", "submit"} and who == "other provider":
        variables["input"]["providerId"] = ids.encode("Provider", parties.provider_id)
    body = await gql(client, query, variables, token)
    errors = body.get("errors") or []
    user_errors = next(iter((body.get("data") or {}).values()), None) or {}
    refused = [e["extensions"]["code"] for e in errors] or [e["code"] for e in user_errors.get("userErrors", [])]
    assert refused and refused[0] in {code, "NOT_FOUND"}
    assert await db.fetchval("select count(*) from credential_versions") == before


async def test_a_write_only_client_cannot_publish(client, parties, complete_draft):
    token = await access_token(client, parties.provider_write_only)
    body = await gql(client, PUBLISH, {"input": {"id": complete_draft}}, token)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_operators_create_for_a_named_provider(client, parties):
    token = await access_token(client, parties.admin)
    refused = await create(client, token)
    assert refused["userErrors"][0]["code"] == "REQUIRED"
    body = await gql(
        client,
        CREATE,
        {"input": {"providerId": ids.encode("Provider", parties.other_provider_id), "credential": DRAFT}},
        token,
    )
    assert body["data"]["createCredential"]["credential"]["provider"]["slug"] == "south-polytechnic"


BAD_TOKENS = [
    "revoked client",
    "expired",
    "tampered signature",
    "alg none",
    "HS256 with the public key",
    "wrong audience",
    "wrong issuer",
]


async def _bad_token(client, parties, db, signing_key, kind: str) -> str:
    import time

    from registry.store import oauth
    from tests.support import forged_tokens as forge

    if kind == "revoked client":
        token = await access_token(client, parties.provider_write_only)
        await oauth.revoke_client(db, parties.provider_write_only.client_id)
        return token
    token = await access_token(client, parties.provider)
    jwks = (await client.get("/.well-known/jwks.json")).json()
    return {
        "expired": lambda: forge.resigned(token, signing_key, exp=int(time.time()) - 300),
        "tampered signature": lambda: forge.tampered(token),
        "alg none": lambda: forge.alg_none(token),
        "HS256 with the public key": lambda: forge.hs256_with_public_key(token, jwks),
        "wrong audience": lambda: forge.resigned(token, signing_key, aud="another-api"),
        "wrong issuer": lambda: forge.resigned(token, signing_key, iss="https://evil.example"),
    }[kind]()


@pytest.mark.parametrize("kind", BAD_TOKENS)
@pytest.mark.parametrize("mutation", list(MUTATIONS))
async def test_mutations_with_bad_tokens_are_401_and_change_nothing(
    client, parties, db, signing_key, complete_draft, kind, mutation
):
    token = await _bad_token(client, parties, db, signing_key, kind)
    before = await db.fetchval("select count(*) from credential_versions")
    query, variables = MUTATIONS[mutation]
    response = await post_with(client, query, variables(complete_draft), {"authorization": f"Bearer {token}"})
    assert response.status_code == 401 and "invalid_token" in response.headers["www-authenticate"]
    assert await db.fetchval("select count(*) from credential_versions") == before


async def test_a_stated_reason_can_stand_in_for_a_level(client, parties):
    token = await access_token(client, parties.provider)
    fields = {k: v for k, v in COMPLETE.items() if k != "level"}
    listing = await create(client, token, levelReason="Industry training outside any framework", **fields)
    body = await gql(client, PUBLISH, {"input": {"id": listing["credential"]["id"]}}, token)
    assert body["data"]["publishCredential"]["userErrors"] == []


async def test_a_provider_sees_its_drafts_on_its_own_page(client, parties):
    token = await access_token(client, parties.provider)
    await create(client, token)
    query = '{ provider(slug: "north-college") { credentials { totalCount nodes { status } } } }'
    assert (await gql(client, query, {}, token))["data"]["provider"]["credentials"]["totalCount"] == 1
    assert (await gql(client, query, {}))["data"]["provider"]["credentials"]["totalCount"] == 0


TOKEN_ONLY = {
    "recognize": (RECOGNIZE_ONE, lambda listing: {"input": {"credentialId": listing, "kind": "ENDORSED"}}),
    "revoke recognition": (REVOKE_ONE, lambda listing: {"input": {"id": listing, "reason": "no"}}),
}


@pytest.mark.parametrize("kind", BAD_TOKENS)
@pytest.mark.parametrize("mutation", list(TOKEN_ONLY))
async def test_recognition_mutations_with_bad_tokens_are_401(
    client, parties, db, signing_key, complete_draft, kind, mutation
):
    token = await _bad_token(client, parties, db, signing_key, kind)
    query, variables = TOKEN_ONLY[mutation]
    response = await post_with(client, query, variables(complete_draft), {"authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert await db.fetchval("select count(*) from recognitions") == 0


async def test_concurrent_creates_of_one_external_id_make_one_listing_and_a_duplicate_error(client, parties, db):
    token = await access_token(client, parties.provider)
    results = await asyncio.gather(*(create(client, token, externalId="RACE-1") for _ in range(6)))
    assert sum(1 for r in results if r["credential"]) == 1
    assert all(r["userErrors"][0]["code"] == "DUPLICATE" for r in results if not r["credential"])
    assert await db.fetchval("select count(*) from credentials") == 1


async def test_renaming_to_another_listings_external_id_is_a_duplicate_not_an_error(client, parties):
    """Found by attacking a running copy: the unique violation escaped as INTERNAL_SERVER_ERROR."""
    token = await access_token(client, parties.provider)
    await create(client, token, externalId="A-1")
    second = (await create(client, token, externalId="B-1"))["credential"]
    body = await gql(
        client,
        UPDATE,
        {"input": {"id": second["id"], "expectedVersion": 1, "credential": {"externalId": "A-1"}}},
        token,
    )
    assert body["data"]["updateCredential"]["userErrors"][0]["code"] == "DUPLICATE"


@pytest.mark.parametrize(
    "fields, path",
    [
        ({"level": {"framework": "F" * 81, "value": "5"}}, ["credential", "level", "framework"]),
        ({"fundingPrograms": [" Canada Training Credit"]}, ["credential", "fundingPrograms"]),
        ({"skillIds": [], "regions": ["CA-ON"] * 21}, ["credential", "regions"]),
    ],
    ids=["long framework", "leading space", "too many regions"],
)
async def test_what_the_database_would_refuse_is_a_user_error_first(client, parties, fields, path):
    """Found by attacking a running copy: values the database's checks refuse (a framework over
    80 characters, a programme starting with a space) escaped as INTERNAL_SERVER_ERROR."""
    token = await access_token(client, parties.provider)
    result = await create(client, token, **fields)
    assert result["credential"] is None and path in [e["field"] for e in result["userErrors"]]


async def test_a_bad_item_fails_alone_in_a_batch(client, parties):
    """Found by attacking a running copy: one item the database refused killed the whole batch."""
    token = await access_token(client, parties.provider)
    good = {**DRAFT, "externalId": "GOOD"}
    bad = {**DRAFT, "externalId": "BAD", "fundingPrograms": [" leading space"]}
    submit = """mutation($input: SubmitCredentialsInput!) { submitCredentials(input: $input) {
      createdCount failedCount results { externalId userErrors { code } } } }"""
    body = await gql(client, submit, {"input": {"credentials": [good, bad]}}, token)
    assert body["data"]["submitCredentials"]["createdCount"] == 1
    assert body["data"]["submitCredentials"]["failedCount"] == 1


async def test_keywords_and_cost_items_are_kept_and_keywords_are_searched(client, parties):
    token = await access_token(client, parties.provider)
    fields = {
        **COMPLETE,
        "keywords": [{"lang": "en", "value": "zymurgy"}, {"lang": "fr", "value": "zythologie"}],
        "costItems": [{"type": "MATERIALS", "cost": {"amount": 80, "currency": "CAD"}}],
    }
    listing = (await create(client, token, **fields))["credential"]
    await gql(client, PUBLISH, {"input": {"id": listing["id"]}}, token)
    query = """query($q: String!) { searchCredentials(query: $q) { nodes { id keywords(lang: "fr")
      costItems { type cost { amount currency } } } } }"""
    found = (await gql(client, query, {"q": "zymurgy"}))["data"]["searchCredentials"]["nodes"]
    assert found == [
        {
            "id": listing["id"],
            "keywords": ["zythologie"],
            "costItems": [{"type": "MATERIALS", "cost": {"amount": 80.0, "currency": "CAD"}}],
        }
    ]


@pytest.mark.parametrize(
    "fields",
    [
        {"ctid": "ce-11111111-1111-4111-8111-111111111111\n"},
        {"regions": ["CA-ON\n"]},
        {"cost": {"amount": 10, "currency": "CAD\n"}},
        {"level": {"framework": "EQF" + " " * 100, "value": "5"}},
    ],
    ids=["ctid", "region", "currency", "padded framework"],
)
async def test_a_value_the_database_would_refuse_is_a_user_error_not_a_500(client, parties, fields):
    token = await access_token(client, parties.provider)
    made = await create(client, token, **fields)
    assert made["credential"] is None and made["userErrors"], made
