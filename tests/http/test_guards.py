"""The HTTP edge: body limits, security headers, CORS, readiness, and 503 instead of a hang or
a 500 when the database cannot serve."""

from __future__ import annotations

import dataclasses
from contextlib import asynccontextmanager

import httpx

from registry import migrate
from registry.app import create_app
from tests.support.apps import SETTINGS

COUNT = {"query": "{ searchCredentials { totalCount } }"}


@asynccontextmanager
async def serving(dsn: str, **settings):
    app = create_app(dataclasses.replace(SETTINGS, **settings), dsn)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://registry.test"
        ) as client:
            yield client, app


async def test_a_body_over_the_limit_is_refused_413_before_anything_reads_it(db_dsn):
    async with serving(db_dsn, max_body_bytes=1_000) as (client, _):
        response = await client.post("/graphql", json={"query": "{ __typename }", "padding": "x" * 2_000})
        assert response.status_code == 413 and response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


async def test_a_streamed_body_without_a_length_is_cut_off_at_the_limit(db_dsn):
    async def chunks():
        for _ in range(10):
            yield b"x" * 500

    async with serving(db_dsn, max_body_bytes=1_000) as (client, _):
        response = await client.post("/oauth/token", content=chunks())
        assert response.status_code == 413 and response.json()["error"] == "request_too_large"


async def test_every_response_carries_the_security_headers(client):
    for response in (
        await client.get("/healthz"),
        await client.post("/graphql", json=COUNT),
        await client.get("/graphql", headers={"accept": "text/html"}),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY" and response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["strict-transport-security"].startswith("max-age=")
    assert "default-src 'none'" in (await client.post("/graphql", json=COUNT)).headers["content-security-policy"]


async def test_cors_answers_only_the_origins_allowed(db_dsn):
    preflight = {"access-control-request-method": "POST", "access-control-request-headers": "content-type"}
    async with serving(db_dsn, cors_origins=("https://portal.example.ca",)) as (client, _):
        allowed = await client.options("/graphql", headers={"origin": "https://portal.example.ca", **preflight})
        other = await client.options("/graphql", headers={"origin": "https://elsewhere.example", **preflight})
        assert allowed.headers["access-control-allow-origin"] == "https://portal.example.ca"
        assert "access-control-allow-origin" not in other.headers


async def test_without_an_allow_list_no_origin_is_allowed(client):
    response = await client.post("/graphql", json=COUNT, headers={"origin": "https://portal.example.ca"})
    assert "access-control-allow-origin" not in response.headers


async def test_readiness_needs_the_schema_at_this_codes_head(db_dsn):
    async with serving(db_dsn) as (client, app):
        await app.state.facet_index.warm()
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        answer = ready.json()
        assert answer.pop("export") in ("building", "current")  # the export keeper's own test says which
        assert answer == {"status": "ready", "revision": migrate.head_revision(), "facetIndex": "ready"}
        await migrate.downgrade(db_dsn, "-1")
        behind = await client.get("/readyz")
        assert behind.status_code == 503 and behind.json()["status"] == "migrating"
        assert (await client.get("/healthz")).status_code == 200  # alive all the same


async def test_an_exhausted_pool_answers_503_with_retry_after_then_recovers(db_dsn):
    async with serving(db_dsn, pool_min_size=1, pool_max_size=1, pool_timeout_seconds=0.2) as (client, app):
        held = await app.state.db.pool.acquire()
        try:
            busy = await client.post("/graphql", json=COUNT)
            ready = await client.get("/readyz")
            alive = await client.get("/healthz")
        finally:
            await app.state.db.pool.release(held)
        assert busy.status_code == 503 and busy.headers["retry-after"] == "1"
        assert busy.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert ready.status_code == 503 and ready.json()["error"] == "service_unavailable"
        assert alive.status_code == 200  # the process lives: nothing to restart
        assert (await client.post("/graphql", json=COUNT)).status_code == 200


async def test_connections_carry_lock_and_idle_transaction_timeouts(db_dsn):
    async with serving(db_dsn, lock_timeout_ms=1234, idle_in_transaction_ms=5678) as (_, app):
        async with app.state.db.connection() as conn:
            assert await conn.fetchval("show lock_timeout") == "1234ms"
            assert await conn.fetchval("show idle_in_transaction_session_timeout") == "5678ms"


async def test_batched_requests_are_refused(client):
    response = await client.post("/graphql", json=[{"query": "{ __typename }"}, {"query": "{ __typename }"}])
    assert response.status_code == 400


async def test_production_mode_hides_field_suggestions(db_dsn, client):
    typo = {"query": "{ searchCredential { totalCount } }"}
    assert "Did you mean" in (await client.post("/graphql", json=typo)).text
    async with serving(db_dsn, production=True) as (production, _):
        message = (await production.post("/graphql", json=typo)).json()["errors"][0]["message"]
    assert message == "Cannot query field 'searchCredential' on type 'Query'."


async def test_readiness_says_when_the_facet_index_is_off(db_dsn):
    async with serving(db_dsn, facet_index=False) as (client, _):
        ready = await client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["facetIndex"] == "off"
