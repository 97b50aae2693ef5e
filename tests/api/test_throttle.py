"""Cost limits and rate limiting by cost: every answer reports its cost, an operation over the
maximum is refused before it runs, and a caller over its allowance gets 429 with Retry-After,
whichever process it reaches."""

from __future__ import annotations

import dataclasses
from contextlib import AsyncExitStack, asynccontextmanager

import httpx

from registry.app import create_app
from tests.support.apps import SETTINGS
from tests.support.graphql import statements
from tests.support.metrics import sample
from tests.support.parties import access_token

LIMITED = dataclasses.replace(
    SETTINGS, max_query_cost=5_000, rate_anonymous=(1_000.0, 10.0), rate_client=(1_000.0, 10.0)
)
PAGE = {"query": "{ skills(first: 20) { nodes { id code } } }"}  # 2 + 20 x 1


@asynccontextmanager
async def serving(dsn: str, settings=LIMITED):
    app = create_app(settings, dsn)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://registry.test"
        ) as client:
            yield client


async def test_every_answer_reports_its_cost_and_the_callers_allowance(db_dsn):
    async with serving(db_dsn) as client:
        reported = (await client.post("/graphql", json=PAGE)).json()["extensions"]["cost"]
    assert (
        reported["requestedQueryCost"] == 22 and reported["actualQueryCost"] == 1
    )  # the result object: no listings yet
    assert reported["throttleStatus"] == {"maximumAvailable": 1000.0, "currentlyAvailable": 978.0, "restoreRate": 10.0}


async def test_an_operation_over_the_maximum_cost_is_refused_before_it_runs(db_dsn):
    deep = "{ searchCredentials(first: 100) { nodes { history(first: 100) { nodes { version } } } } }"
    async with serving(db_dsn) as client:
        response = await client.post("/graphql", json={"query": deep})
    error = response.json()["errors"][0]["extensions"]
    assert error == {"code": "QUERY_TOO_COMPLEX", "cost": 10352, "maximumCost": 5000}
    assert statements(response) == 0


async def test_a_caller_over_its_allowance_gets_429_with_retry_after(db_dsn):
    async with serving(db_dsn) as client:
        answers = [await client.post("/graphql", json=PAGE) for _ in range(50)]  # 50 x 22 > 1,000
    refused = [a for a in answers if a.status_code == 429]
    assert refused and all(a.status_code == 200 for a in answers[:45])
    assert refused[0].json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert int(refused[0].headers["retry-after"]) >= 1


async def test_refusals_are_counted_in_the_metrics(db_dsn):
    async with serving(db_dsn) as client:
        before = await sample(client, "microcred_rate_limited_total", caller="anonymous")
        refused = sum([(await client.post("/graphql", json=PAGE)).status_code == 429 for _ in range(50)])
        assert refused and await sample(client, "microcred_rate_limited_total", caller="anonymous") == before + refused


async def test_clients_with_tokens_have_buckets_of_their_own(db_dsn, parties):
    async with serving(db_dsn) as client:
        for _ in range(50):
            await client.post("/graphql", json=PAGE)
        token = await access_token(client, parties.provider)
        own = await client.post("/graphql", json=PAGE, headers={"authorization": f"Bearer {token}"})
    assert own.status_code == 200 and own.json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 978.0


async def test_the_allowance_is_shared_by_every_process(db_dsn):
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(serving(db_dsn))
        second = await stack.enter_async_context(serving(db_dsn))
        for _ in range(25):
            await first.post("/graphql", json=PAGE)
        answers = [await second.post("/graphql", json=PAGE) for _ in range(25)]
    assert any(a.status_code == 429 for a in answers)
