"""What an operation is charged for: its requested price, walked once for each document and
values of the variables that size its lists; then the objects its answer's data holds."""

from __future__ import annotations

import itertools

from graphql import get_operation_ast, parse
from graphql.execution.values import get_variable_values
from hypothesis import given
from hypothesis import strategies as st

from registry.api import cost
from registry.api.cost import Price, answered_objects
from registry.api.schema import schema


def test_an_answer_counts_every_object_below_its_data_in_objects_and_lists():
    data = {
        "searchCredentials": {  # 1
            "nodes": [
                {"id": "a", "provider": {"name": "x"}, "skills": [{"id": 1}, {"id": 2}]},  # 4
                {"id": "b", "provider": None, "skills": []},  # 1
            ],
            "facets": {"region": [{"value": "CA-ON", "count": 3}]},  # 2
        },
        "tags": [["nested", {"deep": True}]],  # 1
    }
    assert answered_objects(data) == 9


def test_data_that_is_no_object_counts_nothing():
    assert answered_objects(None) == 0
    assert answered_objects({}) == 0


# --- requested prices, kept by the values of the variables that size lists -------------------

PAGE = (
    "query($first: Int, $ids: [ID!]! = [], $filter: CredentialFilter, $lang: LanguageTag) {"
    " nodes(ids: $ids) { id }"
    " searchCredentials(first: $first, filter: $filter, lang: $lang) { nodes { id provider { id } } } }"
)
SCHEMA = schema._schema
KEPT = cost.KEPT  # the store requests parse through; prices are kept only for its documents
DOCUMENT = KEPT.parse(PAGE)


_TEXTS = itertools.count()


def _fresh(text: str = PAGE):
    """``text`` parsed through KEPT as a document priced never before (a comment makes it new)."""
    return KEPT.parse(f"{text} # {next(_TEXTS)}")


def _kept(document) -> cost._Kept | None:
    return KEPT.derived(document, ("prices", SCHEMA))


def _walked(document, variables: dict) -> Price:
    """The price walked afresh, nothing kept."""
    operation = get_operation_ast(document, None)
    coerced = get_variable_values(SCHEMA, operation.variable_definitions, variables)
    return cost._walked_price(SCHEMA, document, operation, coerced)


def test_the_variables_a_price_depends_on_are_those_of_sizing_arguments():
    assert cost._sizing_variables(DOCUMENT) == ("first", "ids")


def test_searches_that_differ_only_in_their_filters_are_priced_once():
    document = _fresh()
    cost.requested_price(SCHEMA, document, None, {"first": 7, "filter": {"regions": ["CA-ON"]}})
    cost.requested_price(SCHEMA, document, None, {"first": 7, "filter": {"regions": ["CA-QC"]}, "lang": "fr"})
    assert len(_kept(document).prices) == 1


@given(
    first=st.one_of(st.none(), st.integers(min_value=-5, max_value=3_000)),
    ids=st.lists(st.sampled_from(["a", "b", "c"]), max_size=4),
    regions=st.lists(st.sampled_from(["CA-ON", "CA-QC"]), max_size=2),
    given_first=st.booleans(),
)
def test_a_kept_price_is_the_price_walked_afresh(first, ids, regions, given_first):
    variables = {"ids": ids, "filter": {"regions": regions}, **({"first": first} if given_first else {})}
    assert cost.requested_price(SCHEMA, DOCUMENT, None, variables) == _walked(DOCUMENT, variables)


@given(one=st.one_of(st.none(), st.text(max_size=3)), other=st.one_of(st.none(), st.text(max_size=3)))
def test_an_id_in_a_literal_list_is_kept_by_whether_it_is_null(one, other):
    """An element's text cannot change a price; whether it is null can (the list is then refused)."""
    document = _fresh('query($a: ID = "x") { nodes(ids: [$a, "b"]) { id } }')
    cost.requested_price(SCHEMA, document, None, {"a": one})
    assert cost.requested_price(SCHEMA, document, None, {"a": other}) == _walked(document, {"a": other})


def test_a_kept_price_holds_the_sizes_of_its_variables_not_their_values():
    """A refused request's variables were kept whole: 1.3 million representations pinned 83 MB
    a request (an outside review)."""
    document = _fresh("query($r: [_Any!]!) { _entities(representations: $r) { __typename } }")
    representations = [{"__typename": "Credential", "id": f"secret-{n}"} for n in range(1_000)]
    cost.requested_price(SCHEMA, document, None, {"r": representations})
    assert list(_kept(document).prices) == [(None, (("items", 1_000),))]


def test_a_field_whose_other_arguments_fail_is_priced_as_asked():
    """Only sizing arguments are read: before, a failing filter priced the default page."""
    query = (
        'query($w: Float = 5) { searchCredentials(first: 1000, filter: {near: {place: "x", withinKm: $w}})'
        " { nodes { id } } }"
    )
    asked = cost.requested(SCHEMA, parse(query), None, {"w": None})
    assert asked == cost.requested(SCHEMA, parse(query), None, {"w": 5})


def test_variables_that_do_not_coerce_cost_nothing_even_with_a_price_kept_for_their_sizes():
    assert cost.requested_price(SCHEMA, DOCUMENT, None, {"first": 3}).total > 0
    assert cost.requested_price(SCHEMA, DOCUMENT, None, {"first": 3, "filter": {"regions": 7}}) == cost.FREE


def test_a_document_not_kept_is_priced_by_walking_it_each_time():
    """A text too heavy to keep (registry/api/kept_documents.py) is parsed at each request."""
    alone = parse(PAGE)
    assert cost.requested_price(SCHEMA, alone, None, {"first": 4}) == _walked(DOCUMENT, {"first": 4})
    assert _kept(alone) is None


def test_a_document_keeps_a_bounded_number_of_prices():
    document = _fresh()
    for first in range(cost.PRICES_PER_DOCUMENT + 10):
        cost.requested_price(SCHEMA, document, None, {"first": first})
    assert len(_kept(document).prices) == cost.PRICES_PER_DOCUMENT
