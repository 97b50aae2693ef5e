"""Planned execution (registry/api/planned_execution.py) answers exactly what graphql-core's
general way answers: the named operations, queries generated from the schema by a generator
we did not write (hypothesis-graphql), and the ways a plan must give an object back."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Optional

import httpx
import pytest
import strawberry
from graphql import DocumentNode, FieldNode, Visitor, print_ast, visit
from hypothesis import HealthCheck, given, settings
from hypothesis_graphql import queries
from strawberry.permission import BasePermission

from registry.api.planned_execution import PlannedExecutionContext
from registry.api.schema import schema as registry_schema
from tests.support import demo_oracle as oracle
from tests.support.apps import SETTINGS, api_client
from tests.support.graphql import operation, planned_objects, post
from tests.support.threaded_server import serving_in_thread

GENERAL = dataclasses.replace(SETTINGS, planned_execution=False)


def answer(response: httpx.Response) -> dict:
    """What a response says: its data, its errors and its cost (not the caller's remaining budget)."""
    body = response.json()
    cost = {**body.get("extensions", {}).get("cost", {}), "throttleStatus": None}
    return {"data": body.get("data"), "errors": body.get("errors"), "cost": cost}


def named_operation_cases() -> list[tuple[str, dict]]:
    """Every named operation with variables that reach real listings of the demo database."""
    listings = oracle.published()
    ids = [oracle.gid("Credential", c.id) for c in listings[:5]]
    provider = oracle.ref().providers[0]
    occupation = oracle.ref().occupations[0]
    return [
        ("SearchPage", {"first": 20}),
        ("SearchPage", {"query": "gestion", "lang": "fr", "filter": {"deliveryModes": ["ONLINE"]}}),
        ("SearchPage", {"orderBy": "NEAREST", "filter": {"near": {"place": "Toronto, ON", "withinKm": 200}}}),
        (
            "SearchPage",
            {"first": 5, "suggest": True, "query": "welding", "deliverers": [oracle.gid("Provider", provider.id)]},
        ),
        ("CredentialDetail", {"id": ids[0]}),
        ("CredentialDetail", {"id": ids[1], "lang": "fr"}),
        ("ProviderPage", {"slug": provider.slug, "first": 10}),
        ("FacetBrowse", {"region": "CA-ON"}),
        ("ChangeFeedPoll", {}),
        ("RegistryStatistics", {}),
        ("HarvestChanges", {}),
        ("HarvestListings", {"ids": ids}),
        ("SearchFeed", {"filter": {"regions": ["CA-QC"]}}),
        ("EmbedSearch", {"filter": {"deliveryModes": ["HYBRID"]}}),
        ("CompareListings", {"ids": ids[:3], "lang": "fr"}),
        ("OccupationPage", {"code": "72106", "lang": "fr"}),
        ("OccupationCode", {"id": oracle.gid("Occupation", occupation.id)}),
    ]


CASES = named_operation_cases()


@pytest.fixture
async def general_client(demo_dsn):
    """A client of an app on the demo database that completes every field the general way."""
    async with api_client(demo_dsn, GENERAL) as client:
        yield client


@pytest.mark.parametrize(("name", "variables"), CASES, ids=[f"{name}-{i}" for i, (name, _) in enumerate(CASES)])
async def test_a_named_operation_answers_the_same_planned_and_general(demo_client, general_client, name, variables):
    planned = await post(demo_client, operation(name), variables)
    general = await post(general_client, operation(name), variables)
    assert planned.status_code == general.status_code == 200
    assert answer(planned) == answer(general)


async def test_a_page_of_listings_is_completed_from_plans(demo_client):
    response = await post(demo_client, operation("SearchPage"), {"first": 20})
    # The first listing is completed the general way, the other nineteen from its plan.
    assert planned_objects(response) >= 19


async def test_the_switch_turns_plans_off(general_client):
    response = await post(general_client, operation("SearchPage"), {"first": 20})
    assert planned_objects(response) == 0


LISTING_ROOTS = ["searchCredentials", "providers", "occupations", "recognitionAuthorities", "skills", "changes"]


@pytest.fixture(scope="module")
def both_ways(demo_dsn) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """Clients of two registries served over HTTP on the demo database: planned, and general."""
    with serving_in_thread(demo_dsn) as planned, serving_in_thread(demo_dsn, GENERAL) as general:
        with httpx.Client(base_url=planned, timeout=60) as p, httpx.Client(base_url=general, timeout=60) as g:
            yield p, g


def with_default_arguments(document: DocumentNode) -> str:
    """The generated query with its fields' arguments left out. Random arguments are refused
    (a cursor no list gave out, `first: -55643`), and a refused query reaches no object: the
    generator's selections are what this test is after, over the registry's real listings."""

    class LeaveOutArguments(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> FieldNode:
            return FieldNode(
                alias=node.alias, name=node.name, arguments=(), directives=node.directives,
                selection_set=node.selection_set,
            )  # fmt: skip

    return print_ast(visit(document, LeaveOutArguments()))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(query=queries(registry_schema._schema, fields=LISTING_ROOTS, print_ast=with_default_arguments))
def test_a_generated_query_answers_the_same_planned_and_general(both_ways, query):
    planned_client, general_client = both_ways
    planned = planned_client.post("/graphql", json={"query": query})
    general = general_client.post("/graphql", json={"query": query})
    assert answer(planned) == answer(general)


# The ways a plan gives an object back, on a schema of their own: the answers (errors, their
# paths, nulls) must be graphql-core's.


class Forbidden(BasePermission):
    message = "not for you"

    def has_permission(self, source, info, **kwargs) -> bool:
        return source.number != 2


@strawberry.type
class Item:
    number: int
    label: Optional[str]

    @strawberry.field
    def checked(self) -> int:
        if self.number == 3:
            raise ValueError("three is refused")
        return self.number

    @strawberry.field
    def required_label(self) -> str:
        return self.label  # type: ignore[return-value]  # None for some items: a non-null violation

    @strawberry.field
    async def later(self) -> int:
        return self.number * 10

    @strawberry.field(permission_classes=[Forbidden])
    def guarded(self) -> int:
        return self.number


ITEMS = [Item(number=n, label=None if n == 4 else f"item {n}") for n in range(1, 6)]


@strawberry.type
class ItemQuery:
    @strawberry.field
    def items(self) -> list[Item]:
        return ITEMS


PLANNED = strawberry.Schema(query=ItemQuery, execution_context_class=PlannedExecutionContext)
GENERAL_SCHEMA = strawberry.Schema(query=ItemQuery)


async def _same_answer(query: str) -> dict:
    planned, general = await PLANNED.execute(query), await GENERAL_SCHEMA.execute(query)
    assert planned.data == general.data
    assert [(e.message, e.path) for e in planned.errors or []] == [(e.message, e.path) for e in general.errors or []]
    return {"data": planned.data, "errors": planned.errors}


async def test_an_error_in_one_item_is_reported_at_its_own_path():
    answer = await _same_answer("{ items { number checked } }")
    assert [e.path for e in answer["errors"]] == [["items", 2, "checked"]]


async def test_a_null_for_a_non_null_field_is_graphql_core_s_error():
    answer = await _same_answer("{ items { number requiredLabel } }")
    assert [e.path for e in answer["errors"]] == [["items", 3, "requiredLabel"]]


async def test_an_asynchronous_field_is_completed_the_general_way():
    answer = await _same_answer("{ items { number later } }")
    assert [item["later"] for item in answer["data"]["items"]] == [10, 20, 30, 40, 50]


async def test_a_field_s_permission_is_still_checked():
    answer = await _same_answer("{ items { number guarded } }")
    assert [e.path for e in answer["errors"]] == [["items", 1, "guarded"]]


async def test_aliases_fragments_and_skipped_fields_answer_the_same():
    await _same_answer(
        "query { first: items { n: number ...L } second: items { number @skip(if: true) label } "
        "__typename } fragment L on Item { label __typename }"
    )
