"""Schemathesis fuzzes every query and mutation of the running registry, over real HTTP,
anonymously and with real tokens of a provider, an authority and an operator: zero server
errors. CI runs a bounded number of cases; `make fuzz` sets MICROCRED_FUZZ_EXAMPLES higher.

"No server error" means: no 5xx, an answer that is JSON, and no GraphQL error coded
INTERNAL_SERVER_ERROR (the registry masks unexpected exceptions as that, with status 200).
Refusals (UNAUTHENTICATED, FORBIDDEN, QUERY_TOO_COMPLEX, NOT_FOUND, ...) are expected answers
to arbitrary input and pass."""

from __future__ import annotations

import asyncio
import os
from collections import Counter

import asyncpg
import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.graphql import nodes

from tests.support.parties import access_token
from tests.support.processes import process_env, serve_process

EXAMPLES = int(os.environ.get("MICROCRED_FUZZ_EXAMPLES", "6"))  # per operation and caller (make fuzz: 200)

# The registry's own scalars: mostly well-formed values (so that deeper code runs), some junk.
schemathesis.graphql.scalar(
    "URL",
    st.one_of(
        st.sampled_from(["https://example.ca/c/1", "http://127.0.0.1:9/hook", "https://xn--caf-dma.ca/é?q=1#x"]),
        st.text(max_size=40),
    ).map(nodes.String),
)
schemathesis.graphql.scalar(
    "LanguageTag",
    st.one_of(st.sampled_from(["en", "fr", "fr-CA", "iu", "en-Latn-CA"]), st.text(max_size=12)).map(nodes.String),
)
schemathesis.graphql.scalar("Date", st.one_of(st.dates().map(str), st.text(max_size=12)).map(nodes.String))
schemathesis.graphql.scalar(
    "DateTime", st.one_of(st.datetimes().map(lambda d: d.isoformat() + "Z"), st.text(max_size=25)).map(nodes.String)
)


def server_errors(response) -> list[str]:
    """What in one answer counts as a server error (empty when none)."""
    if response.status_code >= 500:
        return [f"HTTP {response.status_code}: {response.text[:300]}"]
    try:
        body = response.json()
    except ValueError:
        return [f"HTTP {response.status_code} with a body that is not JSON: {response.text[:300]}"]
    return [
        f"INTERNAL_SERVER_ERROR: {error.get('message')}"
        for error in body.get("errors") or []
        if (error.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR"
    ]


def fuzz(
    base: str, callers: dict[str, str | None], examples: int, only: set[str] | None = None
) -> tuple[Counter, list[str]]:
    """Every operation of the live schema (or those labelled in ``only``, e.g. "Query.skills"),
    ``examples`` cases per caller; (cases by operation and caller, failures)."""
    schema = schemathesis.graphql.from_url(f"{base}/graphql")
    cases, failures = Counter(), []
    for result in schema.get_all_operations():
        operation = result.ok()
        if only and operation.label not in only:
            continue
        for caller, token in callers.items():
            headers = {"authorization": f"Bearer {token}"} if token else {}
            cases[(operation.label, caller)] = _fuzz_operation(operation, base, headers, examples, failures)
    return cases, failures


def _fuzz_operation(operation, base: str, headers: dict, examples: int, failures: list[str]) -> int:
    """Send ``examples`` generated cases of one operation; returns how many were sent."""
    sent = Counter()

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        response = case.call(base_url=base, headers=headers)
        sent["cases"] += 1
        failures.extend(
            f"{operation.label} ({headers and 'with a token' or 'anonymous'}): {problem}\n{case.body}"
            for problem in server_errors(response)
        )

    run()
    return sent["cases"]


def _serve_env(dsn: str) -> dict[str, str]:
    return process_env(
        DATABASE_URL=dsn,
        MICROCRED_SECRET_KEY="fuzz-secret",
        MICROCRED_RATE_ANONYMOUS="1e9,1e9",
        MICROCRED_RATE_CLIENT="1e9,1e9",
        MICROCRED_RESPONSE_CACHE_BYTES="0",
    )


async def test_fuzzing_every_operation_finds_no_server_error(db_dsn, parties):
    with serve_process(_serve_env(db_dsn), "--no-demo") as served:
        base = served.base
        callers = {"anonymous": None}
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            for name in ("provider", "authority", "admin"):
                callers[name] = await access_token(http, getattr(parties, name))
        cases, failures = await asyncio.to_thread(fuzz, base, callers, EXAMPLES)
    operations = {label for label, _ in cases}
    print(
        f"\nfuzzed {sum(cases.values())} cases: {len(operations)} operations x {len(callers)} callers,"
        f" {len(failures)} server errors"
    )  # shown by `make fuzz` (pytest -s)
    assert len(operations) >= 25, f"only {len(operations)} operations fuzzed: {sorted(operations)}"
    assert sum(cases.values()) >= len(operations) * len(callers)
    assert failures == [], f"{len(failures)} server errors in {sum(cases.values())} cases:\n" + "\n\n".join(
        failures[:5]
    )


async def test_fuzzing_reports_a_fault_it_meets(db_dsn):
    conn = await asyncpg.connect(db_dsn)
    try:
        await conn.execute("alter table skills rename to skills_elsewhere")  # every skills query now fails
    finally:
        await conn.close()
    with serve_process(_serve_env(db_dsn), "--no-demo") as served:
        _, failures = await asyncio.to_thread(fuzz, served.base, {"anonymous": None}, 25, {"Query.skills"})
    # Some cases are refused before reaching the database (a negative `first`, a bad cursor); the rest fail.
    assert failures and all("INTERNAL_SERVER_ERROR" in failure for failure in failures)
