"""How the costs grow with the number of listings (issue 16): for each size, a database of its
own in the benchmark's PostgreSQL, seeded once (timed), then the uncached search page, the
province browse and the credential detail at 8 connections, the largest worker's memory, and
the database's table and index sizes. The 100,000 size is the benchmark's own database.

Usage: python bench/scale.py [--sizes 10000,100000,1000000] [--duration 10]
(`make bench LISTINGS=1000000` runs it after the usual passes). Results go to
bench/results/scale-latest.md and .json.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import sys
import time
import urllib.parse
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

from bench import run  # noqa: E402

MAIN_SIZE = 100_000  # the size of the benchmark's own database, reused as is
WORKLOADS = ("search (text, 2 filters, facets)", "browse a province (facets only)", "credential detail")


async def database_for(main_dsn: str, size: int) -> tuple[str, int]:
    """(DSN, listings in it) of the database of ``size`` listings, created when missing."""
    if size == MAIN_SIZE:
        name = urllib.parse.urlsplit(main_dsn).path.lstrip("/")
    else:
        name = f"microcred_scale_{size}"
        admin = await asyncpg.connect(main_dsn)
        try:
            if not await admin.fetchval("select 1 from pg_database where datname = $1", name):
                await admin.execute(f'create database "{name}"')
        finally:
            await admin.close()
    dsn = urllib.parse.urlunsplit(urllib.parse.urlsplit(main_dsn)._replace(path=f"/{name}"))
    conn = await asyncpg.connect(dsn)
    try:
        count = await conn.fetchval("select count(*) from credentials")
    except asyncpg.UndefinedTableError:
        count = 0
    finally:
        await conn.close()
    return dsn, count


async def sizes_on_disk(dsn: str) -> dict[str, float]:
    """MB of the tables (with their TOAST) and of their indexes."""
    conn = await asyncpg.connect(dsn)
    try:
        row = await conn.fetchrow(
            "select sum(pg_table_size(relid)) as tables, sum(pg_indexes_size(relid)) as indexes"
            " from pg_stat_user_tables"
        )
        return {"tables_mb": round(row["tables"] / 2**20), "indexes_mb": round(row["indexes"] / 2**20)}
    finally:
        await conn.close()


def measure(size: int, dsn: str, env: dict, duration: int) -> dict:
    """Serve the database of ``size`` listings and drive the workloads at 8 connections."""
    port = run.free_port()
    base = f"http://127.0.0.1:{port}"
    server = run.serve({**env, "DATABASE_URL": dsn, "MICROCRED_RESPONSE_CACHE_BYTES": "0"}, port, 2)
    try:
        run.wait_for(f"{base}/healthz", server, timeout=600)
        run.wait_for_facet_index(base, server)
        targets = run.workloads(base)
        found: dict = {}
        for name in WORKLOADS:
            operation, variables = targets[name]
            body = json.dumps({"query": (run.OPERATIONS / f"{operation}.graphql").read_text(), "variables": variables})
            # A search over a million listings may take seconds: wrk waits up to a minute for each.
            found[name] = run.wrk(f"{base}/graphql", "POST", body, 8, duration, timeout=60)
        found["rss_mb"] = run.rss_mb(server.pid)
        return found
    finally:
        run.stop(server)


def report(results: dict) -> str:
    lines = [
        f"# Cost growth, {results['date']}\n",
        f"{results['machine']}; `microcred serve --workers 2`, cache off, wrk 8 connections, "
        f"{results['duration_s']} s per run.\n",
        "| listings | seed s | search p50 / p99 ms | search req/s | browse p50 / p99 ms | browse req/s "
        "| detail p50 / p99 ms | detail req/s | RSS MB per worker | tables MB | indexes MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, found in sorted(results["sizes"].items(), key=lambda item: int(item[0])):
        cells = [f"{int(size):,}", "(not timed)" if found["seed_s"] is None else f"{found['seed_s']:.0f}"]
        for name in WORKLOADS:
            w = found[name]
            answered = f"{w['p50_ms']:.1f} / {w['p99_ms']:.1f}" if w["rps"] > 0 else "none answered"
            cells += [answered, f"{w['rps']:.1f}" + (f" ({w['errors']} errors)" if w["errors"] else "")]
        cells += [f"{found['rss_mb']:.0f}", str(found["tables_mb"]), str(found["indexes_mb"])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args()
    env = {
        **os.environ,
        "MICROCRED_DATA_DIR": str(run.DATA_DIR),
        "MICROCRED_RATE_ANONYMOUS": "1e12,1e12",
        "MICROCRED_RATE_CLIENT": "1e12,1e12",
    }
    env.pop("DATABASE_URL", None)
    main_dsn, _ = asyncio.run(run.dsn_and_count(env))
    results: dict = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": run.machine(),
        "duration_s": args.duration,
        "sizes": {},
    }
    earlier = run.RESULTS / "scale-latest.json"
    seeded = json.loads(earlier.read_text())["sizes"] if earlier.exists() else {}
    for size in (int(s) for s in args.sizes.split(",")):
        dsn, count = asyncio.run(database_for(main_dsn, size))
        seed_s = seeded.get(str(size), {}).get("seed_s")  # the time of the run that seeded it, if known
        if count < size:
            print(f"Seeding {size:,} listings (once)...", file=sys.stderr)
            started = time.monotonic()
            run.microcred("seed", "--credentials", str(size), "--seed", "42", env={**env, "DATABASE_URL": dsn})
            seed_s = time.monotonic() - started
        found = measure(size, dsn, env, args.duration)
        results["sizes"][str(size)] = {"seed_s": seed_s, **found, **asyncio.run(sizes_on_disk(dsn))}
        print(f"{size:,} listings measured", file=sys.stderr)
    run.RESULTS.mkdir(parents=True, exist_ok=True)
    (run.RESULTS / "scale-latest.json").write_text(json.dumps(results, indent=2) + "\n")
    text = report(results)
    (run.RESULTS / "scale-latest.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
