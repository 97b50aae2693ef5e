"""Where the time of a request goes, on the benchmark's data: Python CPU versus SQL per named
operation (in-process, one client, response cache off), and EXPLAIN ANALYZE of each search
statement the benchmark's searches run.

Usage: python bench/profile.py [--requests 20] > bench/results/profile-latest.md
(needs `make bench` to have seeded .microcred-bench/ once)
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import datetime
import hashlib
import os
import re
import statistics
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from registry.app import create_app  # noqa: E402
from registry.config import Settings  # noqa: E402
from registry.db import Executor, connect, current_statements, resolve_database_url  # noqa: E402
from registry.domain.search import PUBLIC, CredentialFilter, CredentialOrder, Near, SearchRequest  # noqa: E402
from registry.interop.gazetteer import resolve  # noqa: E402
from registry.store import search  # noqa: E402

OPERATIONS = ROOT / "graphql" / "operations"
TORONTO = resolve("Toronto, ON")  # the benchmark's place, as the API resolves it
assert TORONTO is not None
SEARCHES = {
    "text 'data', ONLINE, CA-ON (the benchmark's search)": SearchRequest(
        query="data", filter=CredentialFilter(delivery_modes=["ONLINE"], regions=["CA-ON"])
    ),
    "typo 'dta analysys' (fuzzy titles)": SearchRequest(query="dta analysys"),
    "no text, CA-QC (the province browse)": SearchRequest(filter=CredentialFilter(regions=["CA-QC"]), first=0),
    "no text, newest first": SearchRequest(),
    "near Toronto (50 km), starting within 90 days, nearest first (the benchmark's near search)": SearchRequest(
        filter=CredentialFilter(
            near=Near(TORONTO.latitude, TORONTO.longitude, 50),
            starts_from=datetime.date.today(),
            starts_to=datetime.date.today() + datetime.timedelta(days=90),
        ),
        order=CredentialOrder.NEAREST,
    ),
}


class Recording(Executor):
    """An executor that keeps every statement it runs, for EXPLAIN."""

    def __init__(self, target) -> None:
        super().__init__(target)
        self.seen: list[tuple[str, tuple]] = []

    async def _run(self, method, sql, args):
        self.seen.append((sql, args))
        return await super()._run(method, sql, args)


class StatementTimes:
    """Every statement a request runs while installed (not the app's background work), timed,
    keyed by its opening words and a digest of its whole text."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = collections.defaultdict(list)
        original = Executor._run

        async def timed(executor, method, sql, args):
            started = time.perf_counter()
            try:
                return await original(executor, method, sql, args)
            finally:
                if current_statements() is not None:  # set for the requests only
                    key = f"{' '.join(sql.split())[:60]} … #{hashlib.blake2b(sql.encode(), digest_size=3).hexdigest()}"
                    self.times[key].append((time.perf_counter() - started) * 1000)

        Executor._run = timed  # type: ignore[method-assign]


async def split(client: httpx.AsyncClient, operation: str, variables: dict, requests: int, timing) -> str:
    body = {"query": (OPERATIONS / f"{operation}.graphql").read_text(), "variables": variables}
    for _ in range(3):
        await client.post("/graphql", json=body)
    timing.times.clear()
    cpu, wall, sql = time.process_time(), time.perf_counter(), 0.0
    for _ in range(requests):
        response = await client.post("/graphql", json=body)
        sql += float(re.search(r"dur=([\d.]+)", response.headers["server-timing"]).group(1))
    statements = "".join(
        f"| | {statistics.median(ms):.1f} ms x {len(ms) / requests:.1f}: `{opening}` | | | |\n"
        for opening, ms in timing.times.items()
    )
    return (
        f"| {operation} | {(time.perf_counter() - wall) / requests * 1000:.1f} | "
        f"{(time.process_time() - cpu) / requests * 1000:.1f} | {sql / requests:.1f} | {len(response.content)} |\n"
        + statements
    ).rstrip("\n")


async def settled(client: httpx.AsyncClient, seconds: float) -> None:
    """Once the facet index is built, ``seconds`` more for the export snapshot that a starting
    app rebuilds (about 40 s of one core at 100,000 listings), which would be measured too."""
    while True:
        ready = await client.get("/readyz")
        if ready.status_code != 200:
            raise SystemExit(f"/readyz answered {ready.status_code}: {ready.text} (run `microcred migrate upgrade`?)")
        if ready.json().get("facetIndex") in ("ready", "off"):
            break
        await asyncio.sleep(1)
    await asyncio.sleep(seconds)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--settle", type=float, default=50, help="seconds to wait once the facet index is built")
    args = parser.parse_args()
    settings = Settings.from_env({**os.environ, "MICROCRED_DATA_DIR": str(ROOT / ".microcred-bench")})
    dsn = await resolve_database_url(settings)
    # Without the rate limits: one client asking repeatedly meets them at once, and a refused
    # request would be measured as a fast one.
    unlimited = (1e12, 1e12)
    app = create_app(
        Settings(response_cache_bytes=0, server_timing=True, rate_anonymous=unlimited, rate_client=unlimited), dsn
    )
    print(
        "# Where the time goes\n\nIn-process, one client, response cache off; SQL is the statements' time "
        "summed (some run concurrently); under each operation, each statement's median and how many a "
        "request runs.\n\n| operation | wall ms | Python CPU ms | SQL ms | bytes |\n|---|---:|---:|---:|---:|"
    )
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=600
        ) as client:
            await settled(client, args.settle)
            timing = StatementTimes()
            found = (
                await client.post(
                    "/graphql",
                    json={
                        "query": "{ searchCredentials(first: 1, orderBy: NEWEST) { nodes { id provider { slug } } } }"
                    },
                )
            ).json()
            node = found["data"]["searchCredentials"]["nodes"][0]
            for operation, variables in [
                (
                    "SearchPage",
                    {"query": "data", "first": 20, "filter": {"deliveryModes": ["ONLINE"], "regions": ["CA-ON"]}},
                ),
                ("FacetBrowse", {"region": "CA-QC"}),
                (
                    "SearchPage",
                    {
                        "first": 20,
                        "orderBy": "NEAREST",
                        "filter": {
                            "near": {"place": "Toronto, ON", "withinKm": 50},
                            "startsBetween": {
                                "from": datetime.date.today().isoformat(),
                                "to": (datetime.date.today() + datetime.timedelta(days=90)).isoformat(),
                            },
                        },
                    },
                ),
                ("CredentialDetail", {"id": node["id"]}),
                ("ProviderPage", {"slug": node["provider"]["slug"]}),
                ("ChangeFeedPoll", {}),
            ]:
                print(await split(client, operation, variables, args.requests, timing))
    db = await connect(dsn, settings, min_size=1, max_size=1)
    async with db.connection() as conn:
        for title, request in SEARCHES.items():
            recording = Recording(conn._target)  # the same connection, recording what it runs
            mode = await search.match_mode(recording, request, PUBLIC)
            await search.page(recording, request, PUBLIC, mode, None)
            await search.facets(recording, request, PUBLIC, mode, with_total=True)
            print(f"\n## {title}\n")
            for sql, values in recording.seen:
                plan = await conn.fetch(f"explain (analyze, buffers off, costs off) {sql}", *values)
                print("```\n" + sql[:160] + " ...\n" + "\n".join(row[0] for row in plan) + "\n```")
    await db.close()


if __name__ == "__main__":
    asyncio.run(main())
