"""Where the time of the side-by-side queries goes (bench/versus.py's three shapes), in process:
wall and Python CPU a request, the SQL statements' time and count, and the cyclic collector's
share. With ``--cprofile N`` it also writes a cProfile of shape N (0, 1, 2) to
``.microcred-bench/versus-N.prof`` (read it with ``python -m pstats``).

Usage: python bench/profile_versus.py [--requests 100] [--cprofile 1]
(needs `make bench` to have seeded .microcred-bench/ once)
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on the path, and its profile.py would shadow the
# standard library's (which cProfile imports): the project's root takes its place.
ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

import argparse  # noqa: E402
import asyncio  # noqa: E402
import cProfile  # noqa: E402
import gc  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import time  # noqa: E402

import httpx  # noqa: E402

from bench.versus import SHAPES  # noqa: E402
from registry.app import create_app  # noqa: E402
from registry.config import Settings  # noqa: E402
from registry.db import resolve_database_url  # noqa: E402

DATA_DIR = ROOT / ".microcred-bench"


class CollectorClock:
    """Seconds the cyclic garbage collector ran, from gc.callbacks."""

    def __init__(self) -> None:
        self.seconds, self._started = 0.0, 0.0
        gc.callbacks.append(self._tick)

    def _tick(self, phase: str, _info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started


async def measure(client: httpx.AsyncClient, body: dict, requests: int, profile: cProfile.Profile | None) -> str:
    for _ in range(3):
        response = await client.post("/graphql", json=body)
        assert response.status_code == 200 and "errors" not in response.json(), response.text[:300]
    clock = CollectorClock()
    cpu, wall, sql = time.process_time(), time.perf_counter(), 0.0
    if profile:
        profile.enable()
    for _ in range(requests):
        response = await client.post("/graphql", json=body)
        sql += float(re.search(r"dur=([\d.]+)", response.headers["server-timing"]).group(1))
    if profile:
        profile.disable()
    count = re.search(r'"(\d+) statements', response.headers["server-timing"]).group(1)
    cpu_ms = (time.process_time() - cpu) / requests * 1000
    return (
        f"{(time.perf_counter() - wall) / requests * 1000:.1f} | {cpu_ms:.1f} | {sql / requests:.1f} | {count} | "
        f"{clock.seconds / requests * 1000:.2f} | {len(response.content)}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--cprofile", type=int, choices=range(len(SHAPES)))
    args = parser.parse_args()
    settings = Settings.from_env({**os.environ, "MICROCRED_DATA_DIR": str(DATA_DIR)})
    dsn = await resolve_database_url(settings)
    unlimited = (1e12, 1e12)
    # The benchmark's data folder: the export's snapshot is there already, so no rebuild of it
    # shares the process with the measurement.
    app = create_app(
        Settings(
            data_dir=DATA_DIR,
            response_cache_bytes=0,
            server_timing=True,
            rate_anonymous=unlimited,
            rate_client=unlimited,
        ),
        dsn,
    )
    print(
        "| query | wall ms | Python CPU ms | SQL ms | statements | collector ms | bytes |\n|---|---:|---:|---:|---:|---:|---:|"
    )
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            newest = {"query": "{ searchCredentials(first: 1, orderBy: NEWEST) { nodes { id } } }"}
            listing_id = (await client.post("/graphql", json=newest)).json()["data"]["searchCredentials"]["nodes"][0][
                "id"
            ]
            for number, (name, query, _) in enumerate(SHAPES):
                profile = cProfile.Profile() if args.cprofile == number else None
                body = {"query": query, "variables": {"id": listing_id}}
                print(f"| {name} | {await measure(client, body, args.requests, profile)} |")
                if profile:
                    profile.dump_stats(DATA_DIR / f"versus-{number}.prof")


if __name__ == "__main__":
    asyncio.run(main())
