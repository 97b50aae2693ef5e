"""What an operation is charged for: its requested price, walked once for each document and
values of the variables that size its lists; then the objects its answer's data holds."""

from __future__ import annotations

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
DOCUMENT = parse(PAGE)
SCHEMA = schema._schema


def _walked(document, variables: dict) -> Price:
    """The price walked afresh, as before any was kept."""
    operation = get_operation_ast(document, None)
    coerced = get_variable_values(SCHEMA, operation.variable_definitions, variables)
    return cost._walked_price(SCHEMA, document, operation, coerced)


def test_the_variables_a_price_depends_on_are_those_of_sizing_arguments():
    assert cost._sizing_variables(DOCUMENT) == ("first", "ids")


def test_searches_that_differ_only_in_their_filters_are_priced_once():
    kept = len(cost._PRICES.entries)
    cost.requested_price(SCHEMA, DOCUMENT, None, {"first": 7, "filter": {"regions": ["CA-ON"]}})
    cost.requested_price(SCHEMA, DOCUMENT, None, {"first": 7, "filter": {"regions": ["CA-QC"]}, "lang": "fr"})
    assert len(cost._PRICES.entries) == kept + 1


@given(
    first=st.one_of(st.none(), st.integers(min_value=-5, max_value=3_000)),
    ids=st.lists(st.sampled_from(["a", "b", "c"]), max_size=4),
    regions=st.lists(st.sampled_from(["CA-ON", "CA-QC"]), max_size=2),
    given_first=st.booleans(),
)
def test_a_kept_price_is_the_price_walked_afresh(first, ids, regions, given_first):
    variables = {"ids": ids, "filter": {"regions": regions}, **({"first": first} if given_first else {})}
    assert cost.requested_price(SCHEMA, DOCUMENT, None, variables) == _walked(DOCUMENT, variables)


def test_variables_that_do_not_coerce_cost_nothing_even_with_a_price_kept_for_their_sizes():
    assert cost.requested_price(SCHEMA, DOCUMENT, None, {"first": 3}).total > 0
    assert cost.requested_price(SCHEMA, DOCUMENT, None, {"first": 3, "filter": {"regions": 7}}) == cost.FREE


def test_the_same_text_parsed_twice_is_priced_for_each_document():
    again = parse(PAGE)
    assert cost.requested_price(SCHEMA, again, None, {"first": 4}) == _walked(DOCUMENT, {"first": 4})
    assert cost._PRICES.get((SCHEMA, again), (None, (4, ())), lambda: None) is not None


def test_only_the_last_prices_are_kept():
    for first in range(cost.PRICE_CACHE_SIZE + 10):
        cost.requested_price(SCHEMA, DOCUMENT, None, {"first": first})
    assert len(cost._PRICES.entries) == cost.PRICE_CACHE_SIZE
