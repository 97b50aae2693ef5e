"""Bad arguments give one clear GraphQL error with a stable code; never a 500."""

from __future__ import annotations

import base64
import json

import pytest

from tests.support.graphql import errors

CASES = {
    "negative first": "{ searchCredentials(first: -1) { totalCount } }",
    "first over 100": "{ searchCredentials(first: 1000) { totalCount } }",
    "first over 100 on providers": "{ providers(first: 101) { totalCount } }",
    "negative first on nested list": "{ providers(first: 1) { nodes { credentials(first: -5) { totalCount } } } }",
    "garbage cursor": '{ searchCredentials(after: "garbage") { totalCount } }',
    "cursor of another list": '{ skills(after: "%s") { totalCount } }'
    % base64.urlsafe_b64encode(
        json.dumps({"l": "providers", "k": ["a", "7d3f1f5e-0000-4000-8000-000000000000"]}).encode()
    ).decode(),
    "cursor with a bad key": '{ providers(after: "%s") { totalCount } }'
    % base64.urlsafe_b64encode(json.dumps({"l": "providers", "k": [1, "not-a-uuid"]}).encode()).decode(),
    "unknown enum value": "{ searchCredentials(filter: {deliveryModes: [TELEPATHY]}) { totalCount } }",
    "unknown order": "{ searchCredentials(orderBy: CHEAPEST) { totalCount } }",
    "bad language tag": '{ searchCredentials(lang: "english please") { totalCount } }',
    "bad language tag in filter": '{ searchCredentials(filter: {languages: ["12"]}) { totalCount } }',
    "invalid provider id in filter": '{ searchCredentials(filter: {providerIds: ["nope"]}) { totalCount } }',
    "skill id used as provider id": '{ searchCredentials(filter: {providerIds: ["%s"]}) { totalCount } }'
    % base64.urlsafe_b64encode(b"Skill:7d3f1f5e-0000-4000-8000-000000000000").decode().rstrip("="),
    "bad region": '{ searchCredentials(filter: {regions: ["Ontario"]}) { totalCount } }',
    "negative cost": "{ searchCredentials(filter: {maxCost: -1}) { totalCount } }",
    "empty workload range": "{ searchCredentials(filter: {minWorkloadHours: 50, maxWorkloadHours: 10}) { totalCount } }",
    "provider by id and slug": '{ provider(id: "x", slug: "y") { id } }',
    "provider by neither": "{ provider { id } }",
    "wrong argument type": '{ searchCredentials(first: "ten") { totalCount } }',
    "unknown field": "{ searchCredentials { flavour } }",
    "query text too long": '{ searchCredentials(query: "%s") { totalCount } }' % ("a" * 501),
    "syntax error": "{ searchCredentials(first: ",
}


@pytest.mark.parametrize("name", list(CASES))
async def test_bad_input_is_a_client_error_with_a_code(demo_client, name):
    found = await errors(demo_client, CASES[name])
    assert all(error["extensions"]["code"] == "BAD_USER_INPUT" for error in found), found
    assert all(error["message"] and "Traceback" not in error["message"] for error in found)


async def test_rule_violations_name_the_field_and_a_stable_code(demo_client):
    found = await errors(
        demo_client, '{ searchCredentials(filter: {regions: ["Ontario"], maxCost: -3}) { totalCount } }'
    )
    problems = found[0]["extensions"]["problems"]
    assert {(tuple(p["field"]), p["code"]) for p in problems} == {
        (("filter", "regions"), "INVALID_REGION"),
        (("filter", "maxCost"), "NEGATIVE_NUMBER"),
    }


async def test_a_get_request_with_garbage_json_is_refused_without_a_500(demo_client):
    response = await demo_client.post("/graphql", content=b"{not json", headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500


ODD_CREATE = """mutation($input: CreateCredentialInput!) {
  createCredential(input: $input) { credential { id title } userErrors { field code } } }"""


async def _create_titled(client, parties, title: str):
    from tests.support.listings import DRAFT
    from tests.support.parties import access_token

    token = await access_token(client, parties.provider)
    body = {
        "query": ODD_CREATE,
        "variables": {
            "input": {"credential": {**DRAFT, "externalId": "ODD", "title": [{"lang": "en", "value": title}]}}
        },
    }
    # json.dumps escapes what UTF-8 cannot carry (lone surrogates), as a client's JSON would.
    return await client.post(
        "/graphql",
        content=json.dumps(body).encode(),
        headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
    )


async def test_a_nul_character_is_refused_with_the_variable_path_and_nothing_stored(client, parties, db):
    response = await _create_titled(client, parties, "Data\u0000 Analysis")
    error = response.json()["errors"][0]["extensions"]
    assert error == {"code": "INVALID_CHARACTERS", "field": ["variables", "input", "credential", "title", 0, "value"]}
    assert await db.fetchval("select count(*) from credentials") == 0


async def test_a_lone_surrogate_is_refused_as_unreadable_json_and_nothing_stored(client, parties, db):
    response = await _create_titled(client, parties, "Data \ud800 Analysis")
    assert response.status_code == 400 and await db.fetchval("select count(*) from credentials") == 0


@pytest.mark.parametrize(
    "literal",
    ["a\\u0000b", "a\\u{0}b", "a\u0000b"],
    ids=["escaped NUL", "braced escaped NUL", "NUL as it is"],  # an escaped lone surrogate is a syntax error
)
async def test_a_query_literal_that_cannot_be_stored_is_refused(client, literal):
    response = await client.post(
        "/graphql", json={"query": f'{{ searchCredentials(query: "{literal}") {{ totalCount }} }}'}
    )
    assert response.json()["errors"][0]["extensions"] == {"code": "INVALID_CHARACTERS", "field": ["query"]}


async def test_a_megabyte_title_is_too_long(client, parties, db):
    response = await _create_titled(client, parties, "x" * 1_000_000)
    assert response.json()["data"]["createCredential"]["userErrors"] == [
        {"field": ["credential", "title"], "code": "TOO_LONG"}
    ]
    assert await db.fetchval("select count(*) from credentials") == 0


@pytest.mark.parametrize(
    "title",
    [
        "<script>alert('x')</script>",
        "'; drop table credentials; --",
        "e\u0301cole \u200b\U0001f600 \u05e9\u05dc\u05d5\u05dd",
        "  spaced  ",
    ],
)
async def test_odd_but_storable_text_round_trips_faithfully(client, parties, title):
    response = await _create_titled(client, parties, title)
    assert response.json()["data"]["createCredential"]["credential"]["title"] == title
