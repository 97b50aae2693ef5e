"""Whether a change to a search's hot path saves CPU, measured in one process.

Two served runs of the same code differ by 10-20% on this shared machine, more than most
single changes are worth. In one process, alternating short batches of requests between the
code as built (A) and a variant (B) puts both under the same noise: differences of 0.3 ms of
CPU a request show.

A variant is a Python file defining ``apply()`` (switch to the variant, e.g. put a new
function in place of one of the registry's) and ``revert()`` (back to the code as built),
either of them a coroutine function if it must (the app is the variant's ``app`` by then,
e.g. to change a database setting and have the pool open new sessions). The
app is the one ``microcred serve`` runs (response cache off, rate limits out of the way), in
this process, with the serving workers' collector settings; each request is a real HTTP
request through httpx's ASGI transport. It prints, for A and B, the CPU time a request takes
in this process (p10 and median) and in PostgreSQL's processes (the mean over all batches:
the server's background work is counted too, alike on both sides), and whether their
answers' data are the same.

Usage: python bench/alternate.py VARIANT.py [--workload WORDS] [--rounds 10] [--batch 30]
(``--workload`` picks one of bench/run.py's workloads by words of its name: "near" by default,
"text", "detail", "provider", "browse", "feed")
(needs `make bench` to have seeded .microcred-bench/ once)
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import inspect
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import A_LISTING, OPERATIONS, workloads_for  # noqa: E402
from registry.app import create_app, spare_the_collector  # noqa: E402
from registry.config import Settings  # noqa: E402
from registry.db import resolve_database_url  # noqa: E402

UNLIMITED = (1e12, 1e12)


@dataclass
class Alternation:
    """CPU seconds of each request in this process and a request's mean in PostgreSQL's per
    batch, per side; and each side's last answer's data."""

    seconds: dict[str, list[float]]
    postgres: dict[str, list[float]]
    data: dict[str, object]

    def report(self) -> str:
        lines = []
        for side, found in self.seconds.items():
            ordered, batches = sorted(found), self.postgres[side]
            p10, median = ordered[len(ordered) // 10], ordered[len(ordered) // 2]
            # The mean over every batch: a process's CPU time counts in ticks of 10 ms, too
            # coarse for one batch's mean a request.
            lines.append(
                f"{side}: p10 {1000 * p10:.2f} ms, median {1000 * median:.2f} ms of CPU a request (n={len(found)});"
                f" PostgreSQL {1000 * sum(batches) / len(batches):.2f} ms"
            )
        lines.append(f"same data: {self.data['A'] == self.data['B']}")
        return "\n".join(lines)


class PostgresCPU:
    """The CPU seconds a PostgreSQL server's processes have used: its postmaster (from the
    ``postmaster.pid`` in its data directory) and every process it started."""

    def __init__(self, data_directory: str) -> None:
        self.postmaster = psutil.Process(int((Path(data_directory) / "postmaster.pid").read_text().split()[0]))

    def seconds(self) -> float:
        total = 0.0
        for process in (self.postmaster, *self.postmaster.children(recursive=True)):
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:  # a backend that ended meanwhile
                continue
            total += times.user + times.system
        return total


async def alternate(
    client: httpx.AsyncClient, body: dict, variant: ModuleType, postgres: PostgresCPU, *, rounds: int, batch: int
) -> Alternation:
    """``rounds`` times, a batch of requests as built (A) then one with ``variant`` applied (B);
    a few unmeasured requests after each switch warm what it changed."""
    seconds: dict[str, list[float]] = {"A": [], "B": []}
    in_postgres: dict[str, list[float]] = {"A": [], "B": []}
    data: dict[str, object] = {}
    try:
        for _ in range(rounds):
            for side, switch in (("A", variant.revert), ("B", variant.apply)):
                await _call(switch)
                for _ in range(3):
                    await client.post("/graphql", json=body)
                before = postgres.seconds()
                for _ in range(batch):
                    started = time.process_time()
                    answer = await client.post("/graphql", json=body)
                    seconds[side].append(time.process_time() - started)
                in_postgres[side].append((postgres.seconds() - before) / batch)
                data[side] = answer.json().get("data")
    finally:
        await _call(variant.revert)
    return Alternation(seconds, in_postgres, data)


async def _call(switch) -> None:
    if inspect.isawaitable(done := switch()):
        await done


async def _workload(client: httpx.AsyncClient, words: str) -> dict:
    """The request body of the one workload of bench/run.py whose name holds ``words``."""
    listing = (await client.post("/graphql", json={"query": A_LISTING})).json()["data"]["searchCredentials"]["nodes"][0]
    found = {name: w for name, w in workloads_for(listing).items() if words in name}
    if len(found) != 1:
        raise SystemExit(f"--workload {words!r} names {len(found)} workloads of bench/run.py, not one")
    [(operation, variables)] = found.values()
    return {"query": (OPERATIONS / f"{operation}.graphql").read_text(), "variables": variables}


def load_variant(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("variant", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"{path} is not a Python file")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("variant", type=Path)
    parser.add_argument("--workload", default="near", help="words of the name of one of bench/run.py's workloads")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--batch", type=int, default=30)
    args = parser.parse_args()
    variant = load_variant(args.variant)
    env = {**os.environ, "MICROCRED_DATA_DIR": str(ROOT / ".microcred-bench")}
    dsn = await resolve_database_url(Settings.from_env(env))
    settings = Settings(response_cache_bytes=0, rate_anonymous=UNLIMITED, rate_client=UNLIMITED)
    app = create_app(settings, dsn)
    variant.app = app
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=600) as c:
            while (ready := (await c.get("/readyz")).json()).get("facetIndex") != "ready" or ready.get(
                "export"
            ) != "current":
                await asyncio.sleep(0.5)  # what a starting app builds in the background is not measured
            body = await _workload(c, args.workload)
            spare_the_collector()
            postgres = PostgresCPU(await app.state.db.fetchval("show data_directory"))
            print((await alternate(c, body, variant, postgres, rounds=args.rounds, batch=args.batch)).report())


if __name__ == "__main__":
    asyncio.run(main())
