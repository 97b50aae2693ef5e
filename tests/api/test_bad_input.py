"""Bad arguments give one clear GraphQL error with a stable code; never a 500."""

from __future__ import annotations

import base64
import json

import pytest

from tests.graphql_client import errors

CASES = {
    "negative first": "{ searchCredentials(first: -1) { totalCount } }",
    "first over 100": "{ searchCredentials(first: 1000) { totalCount } }",
    "first over 100 on providers": "{ providers(first: 101) { totalCount } }",
    "negative first on nested list": "{ providers(first: 1) { nodes { credentials(first: -5) { totalCount } } } }",
    "garbage cursor": '{ searchCredentials(after: "garbage") { totalCount } }',
    "cursor of another list": '{ skills(after: "%s") { totalCount } }' % base64.urlsafe_b64encode(
        json.dumps({"l": "providers", "k": ["a", "7d3f1f5e-0000-4000-8000-000000000000"]}).encode()).decode(),
    "cursor with a bad key": '{ providers(after: "%s") { totalCount } }' % base64.urlsafe_b64encode(
        json.dumps({"l": "providers", "k": [1, "not-a-uuid"]}).encode()).decode(),
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
    found = await errors(demo_client, '{ searchCredentials(filter: {regions: ["Ontario"], maxCost: -3}) { totalCount } }')
    problems = found[0]["extensions"]["problems"]
    assert {(tuple(p["field"]), p["code"]) for p in problems} == {
        (("filter", "regions"), "INVALID_REGION"), (("filter", "maxCost"), "NEGATIVE_NUMBER")}


async def test_a_get_request_with_garbage_json_is_refused_without_a_500(demo_client):
    response = await demo_client.post("/graphql", content=b"{not json", headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500
