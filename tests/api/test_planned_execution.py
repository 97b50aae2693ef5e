"""Planned execution (registry/api/planned_execution.py) answers exactly what graphql-core's
general way answers: the named operations, queries generated from the schema by a generator
we did not write (hypothesis-graphql), and the ways a plan must give an object back."""

from __future__ import annotations

import dataclasses
import gc
import json
from collections.abc import Iterator
from typing import Optional

import httpx
import pytest
import strawberry
from graphql import DocumentNode, FieldNode, TypeInfo, TypeInfoVisitor, Visitor, is_required_argument, print_ast, visit
from hypothesis import HealthCheck, given, settings
from hypothesis_graphql import queries
from strawberry.dataloader import DataLoader
from strawberry.permission import BasePermission
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from registry.api.loaders import Loaders
from registry.api.planned_execution import PlannedExecutionContext, count_planned_objects
from registry.api.schema import schema as registry_schema
from tests.support import demo_oracle as oracle
from tests.support.apps import SETTINGS, api_client
from tests.support.graphql import operation, planned_objects, post
from tests.support.threaded_server import serving_in_thread

GENERAL = dataclasses.replace(SETTINGS, planned_execution=False)


def answer(response: httpx.Response) -> str:
    """What a response says, keys in their order: its data, its errors and its cost (not the
    caller's remaining budget, nor the document toll: both registries serve in one process and
    share its kept documents, so only the first to parse a document pays it)."""
    body = response.json()
    cost = {**body.get("extensions", {}).get("cost", {}), "throttleStatus": None, "documentCost": None}
    return json.dumps({"data": body.get("data"), "errors": body.get("errors"), "cost": cost})


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
    # All twenty from one plan, the first included.
    assert planned_objects(response) >= 20


@pytest.mark.parametrize("planned", [True, False], ids=["planned", "general"])
async def test_a_request_leaves_nothing_it_read_to_the_cyclic_collector(demo_client, general_client, planned):
    # What a request read (its execution context, its loaders and their records) goes when it
    # ends, by reference counting: left in a reference cycle, it waited for the collector, whose
    # passes over it were a tenth of a search page's CPU.
    client = demo_client if planned else general_client
    await post(client, operation("SearchPage"), {"first": 20})  # what a first request builds
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        response = await post(client, operation("SearchPage"), {"first": 20})
        gc.collect()
        request_objects = (StrawberryGraphQLCoreExecutionContext, Loaders, DataLoader)
        left = {type(o).__name__ for o in gc.garbage if isinstance(o, request_objects)}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert response.status_code == 200 and "errors" not in response.json()
    assert left == set()


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
    """The generated query with its fields' optional arguments left out. Random arguments are
    refused (a cursor no list gave out, `first: -55643`), and a refused query reaches no object:
    the generator's selections are what this test is after, over the registry's real listings.
    Required arguments stay (a field without them would not even validate)."""
    type_info = TypeInfo(registry_schema._schema)

    class LeaveOutOptionalArguments(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> FieldNode:
            definition = type_info.get_field_def()
            required = {
                name for name, argument in (definition.args if definition else {}).items()
                if is_required_argument(argument)
            }  # fmt: skip
            return FieldNode(
                alias=node.alias, name=node.name, directives=node.directives, selection_set=node.selection_set,
                arguments=tuple(a for a in node.arguments if a.name.value in required),
            )  # fmt: skip

    return print_ast(visit(document, TypeInfoVisitor(type_info, LeaveOutOptionalArguments())))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(query=queries(registry_schema._schema, fields=LISTING_ROOTS, print_ast=with_default_arguments))
def test_a_generated_query_answers_the_same_planned_and_general(both_ways, query):
    planned_client, general_client = both_ways
    planned = planned_client.post("/graphql", json={"query": query})
    general = general_client.post("/graphql", json={"query": query})
    # Links (JSON-LD's @id) are absolute, on each server's own address.
    on_planned = answer(planned).replace(str(planned_client.base_url).rstrip("/"), "https://registry")
    on_general = answer(general).replace(str(general_client.base_url).rstrip("/"), "https://registry")
    assert on_planned == on_general


# The ways a plan gives an object back, on a schema of their own: the answers (errors, their
# paths, nulls) must be graphql-core's.


class Forbidden(BasePermission):
    message = "not for you"

    def has_permission(self, source, info, **kwargs) -> bool:
        return source.number != 2


@strawberry.input
class Where:
    tags: list[str]


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

    @strawberry.field
    def tagged(self, where: Where) -> list[str]:
        where.tags.append(str(self.number))  # changes its input: planned, the next item would see it
        return where.tags


ITEMS = [Item(number=n, label=None if n == 4 else f"item {n}") for n in range(1, 6)]


@strawberry.type
class ItemQuery:
    @strawberry.field
    def items(self) -> list[Item]:
        return ITEMS

    @strawberry.field
    def one(self) -> list[Item]:
        return ITEMS[:1]

    @strawberry.field
    def broken(self) -> list[Item]:
        return [ITEMS[0], None, ValueError("bad")]  # type: ignore[list-item]  # a null and an error among them

    @strawberry.field
    def awaited(self) -> list[Optional[Item]]:
        return [_later(ITEMS[0]), _later(None)]  # type: ignore[list-item]  # items graphql-core awaits

    @strawberry.field
    def boxes(self) -> list[Box]:
        return [Box(), Box()]


async def _later(value: Optional[Item]) -> Optional[Item]:
    return value


@strawberry.type
class Box:
    @strawberry.field
    def contents(self) -> list[Optional[Item]]:
        return [_later(ITEMS[1]), _later(None)]  # type: ignore[list-item]


@strawberry.type
class ItemMutation:
    @strawberry.mutation
    def touch(self) -> list[Item]:
        return ITEMS


PLANNED = strawberry.Schema(query=ItemQuery, mutation=ItemMutation, execution_context_class=PlannedExecutionContext)
GENERAL_SCHEMA = strawberry.Schema(query=ItemQuery, mutation=ItemMutation)


async def _same_answer(query: str) -> dict:
    """The planned answer, once it is the general one (keys in the same order); with how many
    objects it completed from plans."""
    count = count_planned_objects()
    planned, general = await PLANNED.execute(query), await GENERAL_SCHEMA.execute(query)
    assert json.dumps(planned.data) == json.dumps(general.data)
    assert [(e.message, e.path) for e in planned.errors or []] == [(e.message, e.path) for e in general.errors or []]
    return {"data": planned.data, "errors": planned.errors, "planned": count.objects}


async def test_a_list_s_items_are_completed_from_one_plan_the_first_included():
    answer = await _same_answer("{ items { number label checkedLater: number } }")
    assert answer["planned"] == len(ITEMS)


async def test_a_list_of_one_object_is_completed_the_general_way():
    """One object costs less the general way than a plan made for it."""
    assert (await _same_answer("{ one { number label } }"))["planned"] == 0


async def test_a_list_holding_a_null_or_an_error_where_the_schema_says_non_null_is_graphql_core_s_error():
    """A selection that reads nothing of its source would have a plan complete anything as an object."""
    answer = await _same_answer("{ broken { __typename } }")
    assert answer["data"] is None and [e.path for e in answer["errors"]] == [["broken", 1]]


async def test_a_list_of_awaitables_is_awaited_the_general_way():
    answer = await _same_answer("{ awaited { __typename } }")
    assert answer["data"] == {"awaited": [{"__typename": "Item"}, None]}


async def test_a_list_of_awaitables_inside_planned_objects_is_awaited_the_general_way():
    answer = await _same_answer("{ boxes { contents { __typename } } }")
    assert answer["data"] == {"boxes": [{"contents": [{"__typename": "Item"}, None]}] * 2}


async def test_a_list_given_up_on_is_completed_the_general_way_whole():
    """An item the plan cannot complete (a resolver that raises) sends the list the general
    way: every item once, and the error at that item's own path."""
    answer = await _same_answer("{ items { number checked } }")
    assert answer["planned"] == 0 and [e.path for e in answer["errors"]] == [["items", 2, "checked"]]


async def test_an_error_in_one_item_is_reported_at_its_own_path():
    answer = await _same_answer("{ items { number checked } }")
    assert [e.path for e in answer["errors"]] == [["items", 2, "checked"]]


async def test_a_null_for_a_non_null_field_is_graphql_core_s_error():
    answer = await _same_answer("{ items { number requiredLabel } }")
    assert [e.path for e in answer["errors"]] == [["items", 3, "requiredLabel"]]


async def test_an_asynchronous_field_is_completed_the_general_way():
    answer = await _same_answer("{ items { number later } }")
    assert [item["later"] for item in answer["data"]["items"]] == [10, 20, 30, 40, 50]
    assert answer["planned"] == 0


async def test_a_field_s_permission_is_still_checked():
    answer = await _same_answer("{ items { number guarded } }")
    assert [e.path for e in answer["errors"]] == [["items", 1, "guarded"]]
    assert answer["planned"] == 0  # a field with a permission is never planned


async def test_a_field_given_an_input_object_is_never_planned():
    """Its converted argument would be one object shared by every item's resolver."""
    answer = await _same_answer('{ items { number tagged(where: {tags: ["x"]}) } }')
    assert answer["planned"] == 0 and [item["tagged"] for item in answer["data"]["items"]] == [
        ["x", "1"],
        ["x", "2"],
        ["x", "3"],
        ["x", "4"],
        ["x", "5"],
    ]


async def test_a_mutation_s_objects_are_completed_the_general_way():
    assert (await _same_answer("mutation { touch { number label } }"))["planned"] == 0


async def test_aliases_fragments_and_skipped_fields_answer_the_same():
    await _same_answer(
        "query { first: items { n: number ...L } second: items { number @skip(if: true) label } "
        "__typename } fragment L on Item { label __typename }"
    )


@strawberry.type
class Shelf:
    number: int

    @strawberry.field
    def items(self) -> list[Item]:
        return ITEMS


@strawberry.type
class ShelfQuery:
    @strawberry.field
    def shelves(self) -> list[Shelf]:
        return [Shelf(number=n) for n in range(3)]


INCREMENTAL = StrawberryConfig(enable_experimental_incremental_execution=True)


async def _streamed(schema: strawberry.Schema, query: str) -> list:
    return [part.formatted async for part in await schema.stream(query)]


async def test_a_list_streamed_inside_planned_objects_is_streamed_as_graphql_core_streams_it():
    query = "{ shelves { number items @stream(initialCount: 1) { number } } }"
    planned = strawberry.Schema(query=ShelfQuery, config=INCREMENTAL, execution_context_class=PlannedExecutionContext)
    general = strawberry.Schema(query=ShelfQuery, config=INCREMENTAL)
    answer = await _streamed(planned, query)
    assert answer == await _streamed(general, query)
    assert len(answer[0]["pending"]) == 3  # each shelf's items: one at once, the rest later
