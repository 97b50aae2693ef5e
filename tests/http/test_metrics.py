"""Prometheus metrics at /metrics: requests by operation and outcome, cache results, the
webhook queue and its failures."""

from __future__ import annotations

import httpx

from auth.secrets import fernet
from registry.http.persisted_queries import named_operations
from registry.services.webhook_delivery import Worker
from tests.support.listings import create, gql
from tests.support.metrics import sample
from tests.support.parties import access_token
from tests.support.webhooks import REGISTER, SECRET, WEBHOOK_SETTINGS, Receiver

SEARCH_PAGE = next(text for text in named_operations().values() if "query SearchPage" in text)


async def test_requests_are_counted_by_named_operation_and_outcome(client):
    name = "microcred_request_duration_seconds_count"
    before = await sample(client, name, operation="SearchPage", outcome="ok")
    other = await sample(client, name, operation="other", outcome="ok")
    await client.post("/graphql", json={"query": SEARCH_PAGE, "variables": {"first": 1}})
    await client.post("/graphql", json={"query": "query MadeUpName { searchCredentials { totalCount } }"})
    assert await sample(client, name, operation="SearchPage", outcome="ok") == before + 1
    assert await sample(client, name, operation="other", outcome="ok") == other + 1


async def test_the_webhook_queue_and_its_failures_are_measured(hook_client, db, parties):  # noqa: F811
    dead = Receiver(fail_every=1)
    admin = await access_token(hook_client, parties.admin)
    await gql(hook_client, REGISTER, {"input": {"url": dead.url, "secret": SECRET}}, admin)
    await create(hook_client, await access_token(hook_client, parties.provider), externalId="M-1")
    assert (
        await sample(hook_client, "microcred_webhook_queue_depth")
        == await db.fetchval("select count(*) from webhook_deliveries where status = 'PENDING'")
        >= 1
    )
    failures = await sample(hook_client, "microcred_webhook_failures_total", retrying="yes")
    async with httpx.AsyncClient(timeout=5) as http:  # one round: every attempt fails, to retry later
        assert await Worker(db, WEBHOOK_SETTINGS, fernet(WEBHOOK_SETTINGS)).run_once(http) >= 1
    assert await sample(hook_client, "microcred_webhook_failures_total", retrying="yes") > failures
    dead.server.shutdown()


async def test_made_up_paths_share_one_label(client):
    """Found by attacking a running copy: 5,000 random paths made 5,000 series (10 MB of
    /metrics, 3 s per scrape)."""
    for n in range(20):
        await client.get(f"/made-up-{n}/x")
    text = (await client.get("/metrics")).text
    assert "made-up" not in text
    assert (
        await sample(client, "microcred_request_duration_seconds_count", operation="other", outcome="client_error")
        >= 20
    )
