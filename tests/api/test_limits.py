"""Documents too deep, too wide or too long are refused before anything runs, each with its own code."""

from __future__ import annotations

import pytest

from registry.api import limits
from registry.api.kept_documents import KEPT
from tests.support.graphql import post, statements


def _codes(response) -> list[str]:
    return [error["extensions"]["code"] for error in response.json()["errors"]]


async def test_a_query_nested_past_the_depth_limit_is_refused(demo_client):
    nested = "links { target { " * 6 + "id" + " } }" * 6
    response = await post(demo_client, "{ searchCredentials { nodes { %s } } }" % nested)
    assert _codes(response) == ["QUERY_TOO_DEEP"] and statements(response) == 0


async def test_too_many_aliases_are_refused(demo_client):
    aliases = " ".join(f"a{n}: searchCredentials {{ totalCount }}" for n in range(limits.MAX_ALIASES + 1))
    response = await post(demo_client, "{ %s }" % aliases)
    assert _codes(response) == ["TOO_MANY_ALIASES"] and statements(response) == 0


async def test_a_document_of_too_many_tokens_is_refused(demo_client):
    padding = " ".join("a" for _ in range(limits.MAX_TOKENS))
    response = await post(demo_client, "{ %s }" % padding)
    assert _codes(response) == ["TOO_MANY_TOKENS"] and statements(response) == 0


async def test_a_document_longer_than_the_limit_is_refused_before_it_is_parsed(demo_client):
    """One string literal of the 4 MB a body may hold took 0.6 s of a worker to parse."""
    long_literal = '{ credential(id: "%s") { id } }'
    text = long_literal % ("x" * (limits.MAX_DOCUMENT_CHARS - len(long_literal) + 3))
    response = await post(demo_client, text)
    assert _codes(response) == ["DOCUMENT_TOO_LONG"] and statements(response) == 0
    assert not KEPT.keeps(text, max_tokens=limits.MAX_TOKENS)


@pytest.mark.parametrize(
    "quoted",
    [
        "characters found. Allowed: 1",
        "exceeds maximum operation depth of 1",
        "aliases found. Allowed: 1",
        "directives found. Allowed: 1",
        "Syntax Error: Document contains more than 5000 tokens. Parsing aborted.",
    ],
)
@pytest.mark.parametrize(
    "document",
    ['{ "%s" }', '{ searchCredentials(orderBy: "%s") { totalCount } }'],
    ids=["syntax error", "validation error"],
)
async def test_an_error_quoting_a_limits_message_is_not_taken_for_that_limit(demo_client, document, quoted):
    """Syntax and validation errors quote the text they stopped at, which the sender chose."""
    response = await post(demo_client, document % quoted)
    assert _codes(response) == ["BAD_USER_INPUT"] and quoted in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("document", ["{ ...Nope }", "query { a: __typename ...Nope }"])
async def test_a_spread_of_an_unknown_fragment_is_the_clients_error(demo_client, document):
    """Strawberry's depth and alias limiters look fragments up by name: a KeyError, once a 500."""
    response = await post(demo_client, document)
    assert _codes(response) == ["BAD_USER_INPUT"] and "Unknown fragment 'Nope'" in response.text


async def test_a_document_as_long_as_the_limit_is_parsed(demo_client):
    long_literal = '{ credential(id: "%s") { id } }'
    response = await post(demo_client, long_literal % ("x" * (limits.MAX_DOCUMENT_CHARS - len(long_literal) + 2)))
    assert _codes(response) == ["NOT_FOUND"]


async def test_too_many_directives_are_refused(demo_client):
    fields = " ".join("__typename @include(if: true)" for _ in range(limits.MAX_DIRECTIVES + 1))
    response = await post(demo_client, "{ %s }" % fields)
    assert _codes(response) == ["TOO_MANY_DIRECTIVES"] and statements(response) == 0


async def test_directives_within_the_limit_are_honoured(demo_client):
    response = await post(demo_client, "{ a: __typename @include(if: true) b: __typename @skip(if: true) }")
    assert response.json()["data"] == {"a": "Query"}


async def test_the_named_operations_fit_within_the_limits(demo_client):
    from registry.http.persisted_queries import named_operations

    for document in named_operations().values():
        response = await post(demo_client, document, {"id": "x", "region": "CA-ON", "slug": "x"})
        assert not {
            "QUERY_TOO_DEEP",
            "TOO_MANY_ALIASES",
            "TOO_MANY_TOKENS",
            "TOO_MANY_DIRECTIVES",
            "DOCUMENT_TOO_LONG",
        } & set(error.get("extensions", {}).get("code") for error in response.json().get("errors", []))


async def test_a_document_asked_again_is_not_validated_again(demo_client):
    """The limits' rules used to be new classes on every request, so the validation cache
    (keyed by the rules) never hit and every request was validated afresh."""
    query = "{ searchCredentials(first: 1) { totalCount nodes { id title } } }"
    await post(demo_client, query)
    before = KEPT.derivations
    await post(demo_client, query)
    assert KEPT.derivations == before
