"""Parsed documents and what requests derive from them (validation, prices) are kept by text,
found again by identity, and bounded by an estimate of the memory they hold."""

from __future__ import annotations

import gc
import tracemalloc

import pytest
from graphql import GraphQLError, parse

from registry.api.kept_documents import KEPT, MAX_ENTRIES, TOKEN_BYTES, KeptDocuments, weight_of
from registry.api.limits import MAX_TOKENS
from tests.support.graphql import OPERATIONS, errors, post


def _fields(count: int) -> str:
    """The heaviest text a request may send for its length: one-letter fields, 2 tokens each."""
    return "{ " + " ".join(["a"] * count) + " }"


def test_the_same_text_is_parsed_once():
    kept = KeptDocuments()
    assert kept.parse("{ a }") is kept.parse("{ a }")


def test_the_same_text_with_other_parse_options_is_parsed_again():
    kept = KeptDocuments()
    assert kept.parse("{ a }") is not kept.parse("{ a }", max_tokens=10)


def test_a_syntax_error_is_raised_each_time_and_nothing_is_kept():
    kept = KeptDocuments()
    for _ in range(2):
        try:
            kept.parse("{ a ")
        except GraphQLError as error:
            assert "Syntax Error" in error.message
        else:
            raise AssertionError("a syntax error was parsed")
    assert len(kept) == 0


def test_a_result_is_derived_once_for_a_kept_document():
    kept, computed = KeptDocuments(), []
    document = kept.parse("{ a }")
    for _ in range(3):
        assert kept.derive(document, "answer", lambda: computed.append(1) or 42) == 42
    assert computed == [1]


def test_a_result_is_derived_at_every_call_for_a_document_not_kept():
    kept, computed = KeptDocuments(), []
    document = parse("{ a }")
    for _ in range(3):
        kept.derive(document, "answer", lambda: computed.append(1))
    assert computed == [1, 1, 1]


def test_the_least_recently_used_documents_leave_first_when_the_budget_is_spent():
    one = weight_of("{ a0 }", parse("{ a0 }"))
    kept = KeptDocuments(budget=10 * one + 5)  # ten such documents, not eleven
    documents = [kept.parse(f"{{ a{n} }}") for n in range(10)]
    assert kept.parse("{ a0 }") is documents[0]  # used again: now the most recent
    kept.parse("{ b0 }")  # as heavy as the others
    assert kept.holds(documents[0]) and not kept.holds(documents[1])
    assert len(kept) == 10 and kept.weight <= kept.budget


def test_a_document_asked_again_outlives_a_flood_of_documents_asked_once():
    kept = KeptDocuments(max_entries=20)
    portal = kept.parse("{ portal }")
    kept.parse("{ portal }")
    for n in range(1_000):
        kept.parse(f"{{ flood{n} }}")
    assert kept.protects(portal) and kept.parse("{ portal }") is portal


def test_a_document_asked_once_waits_on_probation():
    kept = KeptDocuments()
    document = kept.parse("{ a }")
    assert kept.holds(document) and not kept.protects(document)


def test_protected_documents_pushed_out_go_back_to_probation_not_away():
    kept = KeptDocuments(max_entries=10)  # 8 protected at most
    asked_twice = [kept.parse(f"{{ a{n} }}") for n in range(9)]
    for n in range(9):
        kept.parse(f"{{ a{n} }}")
    assert not kept.protects(asked_twice[0]) and kept.holds(asked_twice[0])
    assert all(kept.protects(document) for document in asked_twice[1:])


def test_the_protected_segment_holds_at_most_its_share_of_the_budget():
    one = weight_of("{ a00 }", parse("{ a00 }"))
    kept = KeptDocuments(budget=20 * one)  # 16 protected by weight; entries far from their bound
    asked_twice = [kept.parse(f"{{ a{n:02} }}") for n in range(18)]
    for n in range(18):
        kept.parse(f"{{ a{n:02} }}")
    assert [kept.protects(document) for document in asked_twice] == [False] * 2 + [True] * 16
    assert all(kept.holds(document) for document in asked_twice) and kept.weight <= kept.budget


def test_a_forgotten_protected_document_gives_back_its_weight():
    kept = KeptDocuments()
    document = kept.parse("{ a }")
    kept.parse("{ a }")
    kept.forget(document)
    assert not kept.holds(document) and kept.weight == 0 and len(kept) == 0


def test_no_more_than_max_entries_are_kept_however_light():
    kept = KeptDocuments(max_entries=3)
    for n in range(5):
        kept.parse(f"{{ a{n} }}")
    assert len(kept) == 3


def test_a_text_heavier_than_a_tenth_of_the_budget_is_parsed_afresh_each_time():
    kept = KeptDocuments(budget=100 * TOKEN_BYTES)
    heavy = _fields(9)  # 13 tokens
    assert kept.parse(heavy) is not kept.parse(heavy)
    assert len(kept) == 0 and kept.weight == 0


@pytest.mark.parametrize(
    "make",
    [
        lambda: _fields(2_000),  # one-letter fields: the most nodes a text can make per token
        lambda: "{ " + " ".join(f"a{n}: b(c: {n})" for n in range(500)) + " }",
        lambda: '{ a(b: "' + "x" * 50_000 + '") }',
        lambda: '{ a(b: "' + "\U0001f600" * 40_000 + '") }',  # 4 bytes a character, held twice
    ],
    ids=["one-letter fields", "aliased arguments", "long literal", "emoji literal"],
)
def test_a_documents_estimated_weight_is_at_least_the_memory_it_holds(make):
    """Measured, not assumed: the text (as a request's body brings it) and its parse."""
    gc.collect()
    tracemalloc.start()
    text = make()
    document = parse(text)
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert held <= weight_of(text, document)


async def test_a_valid_document_asked_again_is_not_validated_again(demo_client):
    query = "{ searchCredentials(first: 1) { nodes { id } } }"
    await post(demo_client, query)
    before = KEPT.derivations
    await post(demo_client, query)
    assert KEPT.derivations == before


async def test_an_invalid_document_is_not_kept_so_each_repeat_is_validated_and_charged_again(demo_client):
    query = "{ searchCredentials(first: 1) { nodes { noSuchField } } }"
    first = await errors(demo_client, query)
    before = KEPT.derivations
    second = await errors(demo_client, query)
    assert not KEPT.keeps(query, max_tokens=MAX_TOKENS) and KEPT.derivations == before + 1
    assert second == first and "noSuchField" in first[0]["message"]


def test_a_forgotten_document_is_parsed_again():
    kept = KeptDocuments()
    document = kept.parse("{ a }")
    kept.forget(document)
    assert not kept.holds(document) and kept.weight == 0 and kept.parse("{ a }") is not document


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


def test_a_document_dropped_is_freed_without_the_cyclic_collector():
    """The serving workers run the collector seldom: documents freed only by it piled up."""
    kept, heavy = KeptDocuments(budget=10 * TOKEN_BYTES), _fields(2_000)
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        for _ in range(5):
            kept.parse(heavy)
        after_five = tracemalloc.get_traced_memory()[0]
        for _ in range(20):
            kept.parse(heavy)
        after_twenty_five = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        gc.enable()
    assert after_twenty_five - after_five < 100_000


async def test_a_portals_operation_asked_twice_is_not_charged_again_after_a_flood_of_new_documents(demo_client):
    """The outside review's flood: more new documents than the store keeps, each sent once."""
    page = (OPERATIONS / "SearchPage.graphql").read_text()
    for _ in range(2):
        await post(demo_client, page)
    for n in range(MAX_ENTRIES + 100):
        await post(demo_client, f"{{ flood{n}: __typename }}")
    answer = (await post(demo_client, page)).json()
    assert "documentCost" not in answer["extensions"]["cost"]
