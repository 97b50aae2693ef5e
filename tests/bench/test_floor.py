"""The benchmark's floor runs the statements of the GraphQL search it is the floor of, so that
the ratio between them measures only what GraphQL, the middleware and the resolvers add."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from bench.floor import build_from_env
from registry.db import Executor, current_statements

SEARCH_PAGE = (Path(__file__).resolve().parents[2] / "graphql" / "operations" / "SearchPage.graphql").read_text()
TODAY = date.today()
# Each floor route, and the variables of the benchmark's SearchPage workload it stands for.
WORKLOADS = {
    "/search": {"query": "data", "first": 20, "filter": {"deliveryModes": ["ONLINE"], "regions": ["CA-ON"]}},
    "/near": {
        "first": 20,
        "orderBy": "NEAREST",
        "filter": {
            "near": {"place": "Toronto, ON", "withinKm": 50},
            "startsBetween": {"from": TODAY.isoformat(), "to": (TODAY + timedelta(days=90)).isoformat()},
        },
    },
}


@pytest.fixture
async def floor(demo_dsn, monkeypatch):
    monkeypatch.setenv("FLOOR_DSN", demo_dsn)
    app = build_from_env()
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://floor") as client:
            yield client


async def _statements(send, only_requests: bool) -> list[tuple[str, tuple]]:
    """The statements (text, parameters) run while ``send()`` is answered."""
    seen: list[tuple[str, tuple]] = []
    original = Executor._run

    async def recording(executor, method, sql, args):
        if not only_requests or current_statements() is not None:  # the app's own, not its background work
            seen.append((sql, args))
        return await original(executor, method, sql, args)

    Executor._run = recording
    try:
        response = await send()
    finally:
        Executor._run = original
    assert response.status_code == 200 and "errors" not in response.json()
    return seen


@pytest.mark.parametrize("route", WORKLOADS)
async def test_a_floor_route_runs_the_statements_of_its_graphql_search(floor, demo_client, route):
    body = {"query": SEARCH_PAGE, "variables": WORKLOADS[route]}
    await floor.get(route)  # the first request of each readies what later ones reuse
    await demo_client.post("/graphql", json=body)
    by_floor = await _statements(lambda: floor.get(route), only_requests=False)
    by_graphql = await _statements(lambda: demo_client.post("/graphql", json=body), only_requests=True)
    assert sorted(sql for sql, _ in by_floor) == sorted(sql for sql, _ in by_graphql)
    # The same search (the same place, dates and words) and the same page of listings; the facet
    # index's statement carries each process's own snapshot, so its values may differ.
    assert _values_but_the_snapshot(by_floor) == _values_but_the_snapshot(by_graphql)


def _values_but_the_snapshot(statements: list[tuple[str, tuple]]) -> list[tuple[str, tuple]]:
    return sorted((sql, args) for sql, args in statements if "pg_current_snapshot()" not in sql)
