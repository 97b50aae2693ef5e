"""Threat: malformed HTTP, JSON and arguments from an anonymous caller crash the server (OWASP
ASVS V5.1.4, V7.4.1, V13.1.1).

Whatever arrives, the answer is a specific refusal (400, or a GraphQL error with a code),
never an internal error or an HTTP 500.
"""

from __future__ import annotations

import base64
import json

import pytest

# Cursors that are valid base64 and valid JSON, but not an object: `M0` is the number 3.
NOT_OBJECT_CURSORS = [
    "M0",
    base64.urlsafe_b64encode(b"[1,2]").decode(),
    base64.urlsafe_b64encode(b"null").decode(),
    base64.urlsafe_b64encode(b'"s"').decode(),
    base64.urlsafe_b64encode(b"true").decode(),
    base64.urlsafe_b64encode(b"[" * 5000 + b"]" * 5000).decode()[:4000],
]
PAGED = {
    "search": 'query($a: String) { searchCredentials(query: "data", after: $a) { nodes { id } } }',
    "providers": "query($a: String) { providers(after: $a) { nodes { id } } }",
    "provider listings": "query($a: String) { providers(first: 1) { nodes { credentials(after: $a) { nodes { id } } } } }",
    "skills": "query($a: String) { skills(after: $a) { nodes { id } } }",
    "change feed": "query($a: String) { changes(after: $a) { events { version } } }",
}


@pytest.mark.parametrize("cursor", NOT_OBJECT_CURSORS, ids=["M0", "list", "null", "string", "true", "deep"])
@pytest.mark.parametrize("paged", list(PAGED), ids=list(PAGED))
async def test_a_cursor_that_is_not_an_object_is_bad_user_input(demo_client, paged, cursor):
    """`searchCredentials(after: "M0")` answered INTERNAL_SERVER_ERROR (found by the property test)."""
    response = await demo_client.post("/graphql", json={"query": PAGED[paged], "variables": {"a": cursor}})
    assert response.status_code == 200
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("path", ["/?q=data&after=M0", "/fr/?q=data&after=M0"])
async def test_a_page_with_a_cursor_that_is_not_an_object_is_a_400_page(demo_client, path):
    """`/?q=data&after=M0` was an HTTP 500."""
    response = await demo_client.get(path)
    assert response.status_code == 400 and "text/html" in response.headers["content-type"]


DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize(
    "body",
    [
        DEEP,
        '{"query": "{ __typename }", "variables": ' + '{"a":' * 5000 + "1" + "}" * 5000 + "}",
        '{"query": "{ __typename }", "extensions": ' + '{"a":' * 5000 + "1" + "}" * 5000 + "}",
        '{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "'
        + "0" * 64
        + '"}}, "variables": '
        + "[" * 900
        + "]" * 900
        + "}",
    ],
    ids=["deep list", "deep variables", "deep extensions", "persisted query, deep variables"],
)
async def test_a_deeply_nested_json_body_is_refused_not_a_500(demo_client, body):
    """A JSON body nested 5,000 levels raised RecursionError in the persisted-query layer: a 500."""
    response = await demo_client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code in (200, 400)
    assert "INTERNAL_SERVER_ERROR" not in response.text


async def test_deeply_nested_extensions_in_a_get_are_refused_not_a_500(demo_client):
    """The same through GET, where `extensions` travels in the query string."""
    response = await demo_client.get(
        "/graphql", params={"query": "{ __typename }", "extensions": '{"a":' * 3000 + "1" + "}" * 3000}
    )
    assert response.status_code in (200, 400) and "INTERNAL_SERVER_ERROR" not in response.text


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"\xff\xfe not utf-8", "application/json"),
        (b"{", "application/json"),
        (b"[]", "application/json"),
        (b'[{"query": "{ __typename }"}]', "application/json"),
        (b'{"query": 5}', "application/json"),
        (b'{"query": "{ __typename }", "variables": []}', "application/json"),
        (b"query=%7B__typename%7D", "application/x-www-form-urlencoded"),
        (b"\x00" * 100, "application/octet-stream"),
    ],
    ids=["not utf-8", "truncated", "empty list", "batch", "query not text", "variables a list", "form", "binary"],
)
async def test_malformed_graphql_bodies_are_refused_with_a_4xx(demo_client, body, content_type):
    """Malformed HTTP bodies get a client error, never a server error."""
    response = await demo_client.post("/graphql", content=body, headers={"content-type": content_type})
    assert 200 <= response.status_code < 500
    assert "INTERNAL_SERVER_ERROR" not in response.text
    if response.status_code == 200:
        assert json.loads(response.text)["errors"]
