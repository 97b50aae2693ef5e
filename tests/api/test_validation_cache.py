"""Each parsed document is validated once, found again by its identity, never by hashing it."""

from __future__ import annotations

from graphql import parse

from registry.api.schema import CACHE_SIZE
from registry.api.validation_cache import _Document, validation_cache
from tests.support.graphql import errors, post


async def test_an_invalid_document_asked_again_gets_the_same_errors_without_validating_again(demo_client):
    query = "{ searchCredentials(first: 1) { nodes { noSuchField } } }"
    first = await errors(demo_client, query)
    before = validation_cache(CACHE_SIZE).cache_info()
    second = await errors(demo_client, query)
    after = validation_cache(CACHE_SIZE).cache_info()
    assert (after.hits - before.hits, after.misses - before.misses) == (1, 0)
    assert second == first and "noSuchField" in first[0]["message"]


async def test_a_document_is_found_without_walking_its_tree(demo_client):
    """graphql-core's nodes hash every field of the tree below them: the page's document
    cost 1.5% of a served search to hash at each request."""
    query = "{ searchCredentials(first: 1) { totalCount } }"
    await post(demo_client, query)
    hashed = []
    original = type(parse("{ a }")).__hash__

    def counting(node):
        hashed.append(node)
        return original(node)

    document_type = type(parse("{ a }"))
    document_type.__hash__ = counting
    try:
        response = await post(demo_client, query)
    finally:
        document_type.__hash__ = original
    assert response.json()["data"]["searchCredentials"]["totalCount"] >= 0
    assert hashed == []


def test_the_same_text_parsed_twice_is_two_documents():
    rules: tuple = ()
    once, twice = parse("{ a }"), parse("{ a }")
    assert _Document(once, rules) == _Document(once, rules)
    assert _Document(once, rules) != _Document(twice, rules)
