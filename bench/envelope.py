"""The machine's envelope: what a server spending a given CPU a request can answer here.

A latency target at a fixed number of connections ("p99 <= 50 ms at >= 200 req/s with 8
connections") is a property of the machine as much as of the code: with the load generator,
the workers and PostgreSQL sharing its cores, the spread between the median and the p99 grows
with the CPU each request takes. This measures that spread with a server doing nothing but the
work it is told: for each pair (Python ms, PostgreSQL ms), a bare Starlette endpoint on uvicorn
(the registry's workers, loop and HTTP parser) burns half the Python time, runs one statement
that burns the PostgreSQL time (a calibrated `generate_series` sum), burns the other half and
answers a 30 KB body; wrk drives it as `bench/run.py` does. It prints, for each pair, the rate,
p50 and p99, and the CPU a request measured (psutil over the workers and PostgreSQL).

A workload meets a target on this machine only if a pair with at least its measured CPU does.

Usage: python bench/envelope.py PY,PG [PY,PG ...] [--duration 15] [--connections 8] [--workers 2]
Run alone on the machine; each pair takes about duration + 10 seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import orjson
import psutil
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import DATA_DIR, ROOT, free_port, stop, wait_for, wrk  # noqa: E402
from registry.db import EMBEDDED_DATABASE, ensure_database, start_embedded  # noqa: E402

BURN = "select sum(x) from generate_series(1, $1::int) x"
BODY = orjson.dumps({"nodes": [{"id": n, "title": "x" * 1_400} for n in range(20)]})  # a page's size


def build_from_env() -> Starlette:
    """The endpoint, spending ENVELOPE_PY_MS of Python and ENVELOPE_PG_ROWS rows of PostgreSQL."""
    python_seconds = float(os.environ["ENVELOPE_PY_MS"]) / 1e3
    rows = int(os.environ["ENVELOPE_PG_ROWS"])

    async def page(request: Request) -> Response:
        _burn(python_seconds / 2)
        if rows:
            await request.app.state.pool.fetchval(BURN, rows)
        _burn(python_seconds / 2)
        return Response(BODY, media_type="application/json")

    @asynccontextmanager
    async def lifespan(app: Starlette):
        app.state.pool = await asyncpg.create_pool(os.environ["ENVELOPE_DSN"], min_size=4, max_size=8)
        yield
        await app.state.pool.close()

    return Starlette(routes=[Route("/", page)], lifespan=lifespan)


def _burn(seconds: float) -> None:
    """Spends ``seconds`` of this thread's CPU (not wall time: a preempted worker owes it still)."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


async def _rows_per_ms(dsn: str) -> float:
    """How many rows the burn statement sums in a millisecond of PostgreSQL, unloaded."""
    conn = await asyncpg.connect(dsn)
    try:
        for _ in range(3):
            await conn.fetchval(BURN, 200_000)
        started = time.perf_counter()
        for _ in range(20):
            await conn.fetchval(BURN, 200_000)
        return 200_000 / ((time.perf_counter() - started) / 20 * 1e3)
    finally:
        await conn.close()


def _cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.Error:  # a backend that ended meanwhile
            pass
    return total


def _postgres() -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"] and "postgres" in p.info["cmdline"][0]]


def measure(dsn: str, rows_per_ms: float, python_ms: float, postgres_ms: float, args: argparse.Namespace) -> str:
    """One table row: the pair asked, wrk's rate and latencies, the CPU a request measured."""
    port = free_port()
    env = {
        **os.environ,
        "ENVELOPE_DSN": dsn,
        "ENVELOPE_PY_MS": str(python_ms),
        "ENVELOPE_PG_ROWS": str(round(postgres_ms * rows_per_ms)),
    }
    command = ["uvicorn", "bench.envelope:build_from_env", "--factory", "--port", str(port)]
    command += ["--workers", str(args.workers), "--loop", "uvloop", "--http", "httptools", "--log-level", "warning"]
    server = subprocess.Popen([sys.executable, "-m", *command], cwd=ROOT, env=env)
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_for(url, server)
        wrk(url, "GET", None, args.connections, 3)  # warm the pool and the workers
        workers = psutil.Process(server.pid).children(recursive=True)
        before = (_cpu_seconds(workers), _cpu_seconds(_postgres()))
        run = wrk(url, "GET", None, args.connections, args.duration)
        after = (_cpu_seconds(workers), _cpu_seconds(_postgres()))
    finally:
        stop(server)
    requests = run["rps"] * args.duration
    workers_ms, postgres_cpu_ms = ((b - a) / requests * 1e3 for a, b in zip(before, after, strict=True))
    return (
        f"| {python_ms:g} | {postgres_ms:g} | {run['rps']:.0f} | {run['p50_ms']:.1f} | {run['p99_ms']:.1f} "
        f"| {workers_ms:.2f} | {postgres_cpu_ms:.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", nargs="+", help="Python ms,PostgreSQL ms a request, e.g. 4,2")
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    pairs = [tuple(float(part) for part in pair.split(",")) for pair in args.pairs]
    server = start_embedded(DATA_DIR)
    asyncio.run(ensure_database(server.get_uri(), EMBEDDED_DATABASE))
    dsn = server.get_uri(EMBEDDED_DATABASE)
    rate = asyncio.run(_rows_per_ms(dsn))
    print(f"{args.workers} workers, wrk at {args.connections} connections for {args.duration} s a pair; ", end="")
    print(f"PostgreSQL sums {rate:.0f} rows a ms.\n")
    print(
        "| Python ms asked | PostgreSQL ms asked | req/s | p50 ms | p99 ms | workers' CPU ms/req | PostgreSQL CPU ms/req |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|", flush=True)
    for python_ms, postgres_ms in pairs:
        print(measure(dsn, rate, python_ms, postgres_ms, args), flush=True)


if __name__ == "__main__":
    main()
