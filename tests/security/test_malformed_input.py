"""Threat: malformed HTTP, JSON and arguments from an anonymous caller crash the server (OWASP
ASVS V5.1.4, V7.4.1, V13.1.1).

Whatever arrives, the answer is a specific refusal (400, or a GraphQL error with a code),
never an internal error or an HTTP 500.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest

from registry.http import persisted_queries
from tests.support import demo_oracle as oracle

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


# --- Inputs that answered HTTP 500 or INTERNAL_SERVER_ERROR (the external attack's finding 10) ---


def _codes(response) -> list[str]:
    return [error["extensions"]["code"] for error in response.json().get("errors") or []]


@pytest.mark.parametrize(
    "request_body",
    [
        {"query": "{ __typename }", "extensions": [1]},
        {"query": "{ __typename }", "extensions": "x"},
        {"query": "{ __typename }", "extensions": 5},
        {"query": 5, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}},
        {"query": ["{ __typename }"], "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}},
    ],
    ids=["extensions a list", "extensions a string", "extensions a number", "query a number", "query a list"],
)
async def test_a_graphql_request_whose_extensions_or_query_have_the_wrong_type_is_a_400(demo_client, request_body):
    """Threat: `{"query": "{__typename}", "extensions": [1]}` was an HTTP 500 (AttributeError in
    the persisted-query layer), for anyone."""
    response = await demo_client.post("/graphql", json=request_body)
    assert response.status_code == 400 and _codes(response) == ["BAD_REQUEST"]


def _deep(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


@pytest.mark.parametrize("depth", [970, 1020])
async def test_an_unused_variable_nested_a_thousand_deep_is_refused_not_an_internal_error(demo_client, depth):
    """Threat: an extra variable nested ~1,000 levels (orjson reads up to 1,024) overflowed the
    recursive text check of every variable: INTERNAL_SERVER_ERROR on the simplest query."""
    body = '{"query": "{ __typename }", "variables": {"unused": ' + _deep(depth) + "}}"
    response = await demo_client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400 and _codes(response) == ["BAD_REQUEST"]
    assert "nest" in response.json()["errors"][0]["message"]


async def test_a_deeply_nested_variable_over_get_is_refused_not_an_internal_error(demo_client):
    """The same variable sent over GET, where the variables travel in the query string."""
    params = {"query": "{ __typename }", "variables": '{"unused": ' + _deep(1000) + "}"}
    response = await demo_client.get("/graphql", params=params)
    assert response.status_code == 400 and _codes(response) == ["BAD_REQUEST"]


async def test_moderately_nested_variables_still_run(demo_client):
    """The depth limit leaves room for every honest input (and for JSON scalars)."""
    body = '{"query": "{ __typename }", "variables": {"unused": ' + _deep(30) + "}}"
    response = await demo_client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200 and response.json()["data"] == {"__typename": "Query"}


def _cursor(body: dict | str) -> str:
    text = body if isinstance(body, str) else json.dumps(body)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


ROW = "12345678-1234-5678-1234-567812345678"
SEARCH_BY_TITLE = "query($a: String) { searchCredentials(orderBy: TITLE, after: $a, first: 2) { nodes { id } } }"
SEARCH_NEWEST = "query($a: String) { searchCredentials(orderBy: NEWEST, after: $a, first: 2) { nodes { id } } }"
PROVIDERS = "query($a: String) { providers(after: $a, first: 2) { nodes { id } } }"
HISTORY = "query($a: String) { providers(first: 1) { nodes { credentials(after: $a) { nodes { id } } } } }"
FEED = "query($a: String) { changes(after: $a, first: 2) { events { kind } } }"
FORGED_CURSORS = {
    "title key with NUL": (SEARCH_BY_TITLE, {"l": "search", "k": ["a\u0000b", ROW], "o": "TITLE", "m": "all"}),
    "slug key with NUL": (PROVIDERS, {"l": "providers", "k": ["a\u0000", ROW]}),
    "lone surrogate key": (PROVIDERS, '{"l": "providers", "k": ["\\udc80", "%s"]}' % ROW),
    "uuid in braces": (PROVIDERS, {"l": "providers", "k": ["a", "{" + ROW + "}"]}),
    "uuid urn": (PROVIDERS, {"l": "providers", "k": ["a", "urn:uuid:" + ROW]}),
    "uuid without hyphens": (PROVIDERS, {"l": "providers", "k": ["a", ROW.replace("-", "")]}),
    "uuid upper case": (PROVIDERS, {"l": "providers", "k": ["a", "ABCDEF01-2345-6789-ABCD-EF0123456789"]}),
    "sort 1e400": (SEARCH_NEWEST, '{"l": "search", "k": [1e400, "%s"], "o": "NEWEST", "m": "all"}' % ROW),
    "sort 10**400": (SEARCH_NEWEST, {"l": "search", "k": [10**400, ROW], "o": "NEWEST", "m": "all"}),
    "sort NaN": (SEARCH_NEWEST, '{"l": "search", "k": [NaN, "%s"], "o": "NEWEST", "m": "all"}' % ROW),
    "sort -Infinity": (HISTORY, '{"l": "provider-credentials", "k": [-Infinity, "%s"]}' % ROW),
    "extra not text": (SEARCH_NEWEST, {"l": "search", "k": [1.5, ROW], "o": "NEWEST", "m": ["all"]}),
    "feed seq 2**63": (FEED, {"l": "changes", "p": [1, 2**63]}),
    "feed txid 2**64": (FEED, {"l": "changes", "p": [2**64, 1]}),
    "feed 10**30": (FEED, {"l": "changes", "p": [10**30, 10**30]}),
}


@pytest.mark.parametrize("name", list(FORGED_CURSORS))
async def test_a_forged_cursor_the_database_cannot_take_is_bad_user_input(demo_client, name):
    """Threat: cursors are base64 JSON anyone can rebuild; a NUL or lone surrogate in a text key,
    a UUID spelt `{...}` or `urn:uuid:...`, a sort value of 1e400, or a feed position past
    bigint passed the cursor check and failed in PostgreSQL: INTERNAL_SERVER_ERROR."""
    query, body = FORGED_CURSORS[name]
    response = await demo_client.post("/graphql", json={"query": query, "variables": {"a": _cursor(body)}})
    assert response.status_code == 200 and _codes(response) == ["BAD_USER_INPUT"]


async def test_the_largest_feed_position_a_bigint_holds_is_still_a_cursor(demo_client):
    """The bound is PostgreSQL's: a position up to 2**63 - 1 is read (and finds nothing after it)."""
    cursor = _cursor({"l": "changes", "p": [2**63 - 1, 2**63 - 1]})
    response = await demo_client.post("/graphql", json={"query": FEED, "variables": {"a": cursor}})
    assert response.status_code == 200 and response.json() == {
        "data": {"changes": {"events": []}},
        "extensions": response.json()["extensions"],
    }


SEARCH_SINCE = "query($d: DateTime) { searchCredentials(filter: {updatedSince: $d}) { totalCount } }"
OUT_OF_RANGE_MOMENTS = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59.999999-00:01"]


@pytest.mark.parametrize("moment", OUT_OF_RANGE_MOMENTS)
async def test_a_search_since_a_moment_outside_the_calendar_is_bad_user_input(demo_client, moment):
    """Threat: `updatedSince: "0001-01-01T00:00:00+14:00"` is a valid ISO 8601 date-time whose UTC
    instant is year 0, which Python cannot convert for PostgreSQL: INTERNAL_SERVER_ERROR."""
    response = await demo_client.post("/graphql", json={"query": SEARCH_SINCE, "variables": {"d": moment}})
    assert response.status_code == 200 and _codes(response) == ["BAD_USER_INPUT"]
    assert "updatedSince" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00Z", "0001-01-01T10:00:00+10:00", "9999-12-31T23:59:59Z"])
async def test_a_search_since_the_first_or_last_moment_python_holds_still_runs(demo_client, moment):
    """The refusal is exactly the range both Python and PostgreSQL hold, not narrower."""
    response = await demo_client.post("/graphql", json={"query": SEARCH_SINCE, "variables": {"d": moment}})
    assert response.status_code == 200 and "errors" not in response.json()


@pytest.mark.parametrize("moment", ["9999-12-31T24:00:00Z", "9999-12-31T24:00:00"])
async def test_a_date_time_past_the_last_day_python_holds_is_bad_user_input(demo_client, moment):
    """Threat: "24:00" on 9999-12-31 is ISO 8601's midnight of year 10000: the DateTime scalar's
    parser raised OverflowError, and the refusal went out without any `extensions.code`."""
    response = await demo_client.post("/graphql", json={"query": SEARCH_SINCE, "variables": {"d": moment}})
    assert response.status_code == 200 and _codes(response) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("since", ["0001-01-01T00:00:00%2B14:00", "9999-12-31T23:59:59-14:00"])
@pytest.mark.parametrize("jurisdiction", ["", "US"], ids=["snapshot", "spooled"])
async def test_an_export_since_a_moment_outside_the_calendar_is_a_400(demo_client, jurisdiction, since):
    """Threat: the spooled export (a jurisdiction without a snapshot file) sent such a moment to
    PostgreSQL and answered HTTP 500 ("date value out of range"); the snapshot path answered
    with a full file. Both now refuse it as the request's error."""
    response = await demo_client.get(f"/export/credentials.jsonl?jurisdiction={jurisdiction}&updatedSince={since}")
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    assert "updatedSince" in response.json()["error_description"]


HUGE = "9" * 5000


@pytest.mark.parametrize(
    "asked, status",
    [(f"bytes={HUGE}-", 416), (f"bytes=0-{HUGE}", 206), (f"bytes=-{HUGE}", 206), (f"bytes=000{HUGE}-{HUGE}", 416)],
    ids=["first huge", "last huge", "suffix huge", "both huge"],
)
async def test_an_export_range_with_thousands_of_digits_is_read_as_a_huge_number(demo_client, asked, status):
    """Threat: `Range: bytes=<5,000 digits>-` made int() refuse (Python's 4,300-digit limit): an
    HTTP 500. A position past any file is just that: unsatisfiable as a start, the end as a last."""
    whole = await demo_client.get("/export/credentials.jsonl")
    response = await demo_client.get("/export/credentials.jsonl", headers={"range": asked})
    assert response.status_code == status
    if status == 206:
        assert response.content == whole.content


@pytest.mark.parametrize(
    "form, authorization",
    [
        ({"client_id": "\x00", "client_secret": "x"}, None),
        ({"client_id": "mc_\x00aaaaaaaaaaaaaaaaaaa", "client_secret": "x"}, None),
        ({}, "Basic " + base64.b64encode(b"%00:x").decode()),
        ({}, "Basic " + base64.b64encode(b"a\x00b:x").decode()),
        ({}, "Basic " + base64.b64encode(b"\xff\xfe:x").decode()),
        ({}, "Basic " + base64.b64encode(b"mc_aaaaaaaaaaaaaaaaaaa:\xff").decode()),
        ({}, b"Basic \xe9t\xe9"),
        ({}, "Basic "),
    ],
    ids=[
        "post NUL",
        "post NUL inside",
        "basic %00",
        "basic NUL",
        "basic not utf-8",
        "basic secret",
        "basic latin-1 header",
        "basic nothing",
    ],
)
@pytest.mark.parametrize("endpoint", ["/oauth/token", "/oauth/revoke"])
async def test_a_client_id_with_a_nul_or_not_utf8_is_invalid_client(demo_client, endpoint, form, authorization):
    """Threat: `client_id=%00` (form or HTTP Basic) reached PostgreSQL, and Basic credentials that
    are not UTF-8 crashed authlib's parser: HTTP 500 on the token endpoint, for anyone."""
    headers = {"authorization": authorization} if authorization else {}
    data = {"grant_type": "client_credentials", "token": "x", **form}
    body = "&".join(f"{k}={quote(v, errors='surrogatepass')}" for k, v in data.items())
    headers["content-type"] = "application/x-www-form-urlencoded"
    response = await demo_client.post(endpoint, content=body.encode(), headers=headers)
    assert response.status_code in (400, 401) and response.json()["error"] == "invalid_client"


ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Credential { id } } }"
BAD_REPRESENTATIONS = {
    "a number": 1,
    "a string": "x",
    "a list": [1],
    "no typename": {"id": "x"},
    "empty": {},
    "typename not text": {"__typename": 5, "id": "x"},
    "unknown type": {"__typename": "Nope", "id": "x"},
    "not an entity": {"__typename": "Skill", "id": "x"},
    "no id": {"__typename": "Credential"},
    "id a number": {"__typename": "Credential", "id": 5},
    "id null": {"__typename": "Credential", "id": None},
    "id an object": {"__typename": "Provider", "id": {"a": 1}},
}


@pytest.mark.parametrize("name", list(BAD_REPRESENTATIONS))
async def test_a_malformed_entity_representation_is_bad_user_input_at_its_index(demo_client, name):
    """Threat: `_entities` representations that are not `{__typename, id}` objects of an entity
    type (a number, no __typename, an unknown type, no id...) raised inside Strawberry's
    federation resolver: INTERNAL_SERVER_ERROR. Each is now refused at its own index, and
    the good representations beside it still resolve."""
    good = {"__typename": "Credential", "id": oracle.gid("Credential", oracle.published()[0].id)}
    variables = {"r": [good, BAD_REPRESENTATIONS[name]]}
    response = await demo_client.post("/graphql", json={"query": ENTITIES, "variables": variables})
    body = response.json()
    assert response.status_code == 200 and _codes(response) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["path"] == ["_entities", 1]
    assert body["data"]["_entities"] == [{"__typename": "Credential", "id": good["id"]}, None]


async def test_fields_beside_the_key_of_a_representation_are_ignored(demo_client):
    """A router may send more than the key (as for @requires); the key alone decides."""
    good = {"__typename": "Credential", "id": oracle.gid("Credential", oracle.published()[0].id), "extra": 1}
    response = await demo_client.post("/graphql", json={"query": ENTITIES, "variables": {"r": [good]}})
    assert response.status_code == 200 and "errors" not in response.json()
    assert response.json()["data"]["_entities"] == [{"__typename": "Credential", "id": good["id"]}]


NUL_CURSOR = _cursor({"l": "search", "k": ["a\u0000", ROW], "o": "TITLE", "m": "all"})


@pytest.mark.parametrize(
    "path",
    [
        "/?q=%00",
        "/fr/?q=a%00b",
        "/?region=%00",
        "/credentials/%00",
        "/fr/credentials/x%00",
        f"/?sort=TITLE&after={NUL_CURSOR}",
    ],
)
async def test_a_page_asked_for_with_a_nul_is_a_400_page(demo_client, path):
    """Threat: a NUL in a page's query or path (refused by the API as INVALID_CHARACTERS, which
    the pages did not know) answered HTTP 500 "Something went wrong on our side"."""
    response = await demo_client.get(path, headers={"accept": "text/html"})
    assert response.status_code == 400 and "text/html" in response.headers["content-type"]


def _persisted(digest: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


@pytest.mark.parametrize("text", ["# not a query at all " + "x" * 1000, "{ unclosed", "\x00"])
async def test_a_persisted_query_that_is_not_graphql_is_answered_as_a_syntax_error_and_not_kept(demo_client, text):
    """Threat: anonymous APQ registration kept any text of up to 100 kB with its hash, GraphQL or
    not (5,000 per process, about 450 MB). Text that does not parse is answered as GraphQL
    answers a syntax error, and a second request by hash does not find it."""
    digest = persisted_queries.sha256(text)
    registering = await demo_client.post("/graphql", json={"query": text, "extensions": _persisted(digest)})
    assert registering.status_code in (200, 400)
    assert "Syntax Error" in registering.json()["errors"][0]["message"]
    assert _codes(registering) == ["BAD_USER_INPUT"]
    by_hash = await demo_client.post("/graphql", json={"extensions": _persisted(digest)})
    assert _codes(by_hash) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_registered_persisted_queries_are_bounded_by_their_total_size(demo_client, monkeypatch):
    """Threat: the registry of persisted queries was bounded by count only, so 5,000 documents of
    100 kB each held about 450 MB. It now also keeps at most MAX_REGISTERED_BYTES of text,
    the least recently used going first."""
    documents = [f"# padding {'x' * 2000}\n{{ a{n}: __typename }}" for n in range(5)]
    monkeypatch.setattr(persisted_queries, "MAX_REGISTERED_BYTES", 3 * len(documents[0]) + 100)
    for document in documents:
        digest = persisted_queries.sha256(document)
        response = await demo_client.post("/graphql", json={"query": document, "extensions": _persisted(digest)})
        assert response.status_code == 200 and "errors" not in response.json()
    found = []
    for document in documents:
        response = await demo_client.post(
            "/graphql", json={"extensions": _persisted(persisted_queries.sha256(document))}
        )
        found.append("errors" not in response.json())
    assert found == [False, False, True, True, True]
