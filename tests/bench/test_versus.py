"""The registry's side of the side by side with PostGraphile asks what its shape says, and gets
it: a query that failed would stop the benchmark, and one asking less than a search page shows
would flatter the registry's column."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import parse
from graphql.language import FieldNode, OperationDefinitionNode, SelectionSetNode

from bench.versus import REGISTRY_PAGE_LISTINGS, SHAPES, bodies, busiest_credential

SEARCH_PAGE = (Path(__file__).resolve().parents[2] / "graphql" / "operations" / "SearchPage.graphql").read_text()


@pytest.mark.parametrize("shape", [name for name, _, _ in SHAPES])
async def test_a_side_by_side_query_answers_without_errors(demo_client, demo_dsn, shape):
    credential = await busiest_credential(demo_dsn)
    body = next(registry for name, registry, _ in bodies(credential) if name == shape)

    answer = (await demo_client.post("/graphql", content=body, headers={"content-type": "application/json"})).json()

    assert "errors" not in answer
    (root,) = answer["data"].values()
    listings = root["nodes"] if "nodes" in root else [root]
    assert listings and all(listing["id"] for listing in listings)


def test_the_search_page_listings_query_asks_all_that_search_page_shows_of_a_listing():
    # All but the distance, which only a near search has and PostGraphile cannot compute.
    assert _listing_fields(REGISTRY_PAGE_LISTINGS) == _listing_fields(SEARCH_PAGE) - {"offerings.distanceKm"}


def _listing_fields(document: str) -> set[str]:
    """The dotted paths of the fields a document selects of searchCredentials' nodes."""
    operation = parse(document).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    search = _field(operation.selection_set, "searchCredentials")
    assert search.selection_set is not None
    nodes = _field(search.selection_set, "nodes")
    assert nodes.selection_set is not None
    return _paths(nodes.selection_set)


def _field(selection_set: SelectionSetNode, name: str) -> FieldNode:
    (found,) = [f for f in selection_set.selections if isinstance(f, FieldNode) and f.name.value == name]
    return found


def _paths(selection_set: SelectionSetNode) -> set[str]:
    paths = set()
    for node in selection_set.selections:
        assert isinstance(node, FieldNode)
        paths.add(node.name.value)
        if node.selection_set is not None:
            paths |= {f"{node.name.value}.{path}" for path in _paths(node.selection_set)}
    return paths
