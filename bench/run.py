"""`make bench`: 100,000 listings, the real server, a compiled load generator, one table.

Seeds the deterministic demo data into its own data folder (once), starts `microcred serve`
as a user would, drives each workload (a named operation of graphql/operations/) with wrk at
1, 8 and 32 connections, and reports requests/s, p50/p95/p99 latency, errors, SQL statements
per request and the server's memory. The same search SQL served by a bare Starlette endpoint
(bench/floor.py) is the floor the GraphQL stack is compared with.

Usage: python bench/run.py [--duration 10] [--connections 1,8,32] [--listings 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = ROOT / "graphql" / "operations"
RESULTS = ROOT / "bench" / "results"
DATA_DIR = ROOT / ".microcred-bench"
LUA = """
wrk.method = "{method}"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{url}: the server exited early")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def microcred(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "registry.cli", *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True)


async def dsn_and_count(env: dict) -> tuple[str, int]:
    from registry.config import Settings
    from registry.db import resolve_database_url

    dsn = await resolve_database_url(Settings.from_env(env))
    conn = await asyncpg.connect(dsn)
    try:
        return dsn, await conn.fetchval("select count(*) from credentials")
    except asyncpg.UndefinedTableError:
        return dsn, 0
    finally:
        await conn.close()


def wrk(url: str, method: str, body: str | None, connections: int, duration: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA.format(method=method, body=json.dumps(body) if body else "nil"))
    out = subprocess.run(["wrk", f"-c{connections}", f"-t{min(connections, 2)}", f"-d{duration}s", "-s", script.name,
                          url], capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    requests, micros, errors, p50, p95, p99 = map(int, re.search(r"RESULT (.*)", out).group(1).split())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"connections": connections, "rps": round(requests / (micros / 1e6), 1),
            "p50_ms": p50 / 1000, "p95_ms": p95 / 1000, "p99_ms": p99 / 1000,
            "errors": errors + (int(non2xx.group(1)) if non2xx else 0)}


def statements(url: str, body: str) -> int:
    response = httpx.post(url, content=body, headers={"content-type": "application/json"}, timeout=30)
    response.raise_for_status()
    assert "errors" not in response.json(), response.text[:500]
    return int(re.search(r'desc="(\d+) statements"', response.headers["server-timing"]).group(1))


def rss_mb(pid: int) -> float:
    process = psutil.Process(pid)
    return round(sum(p.memory_info().rss for p in [process, *process.children(recursive=True)]) / 2**20, 1)


def workloads(base: str) -> dict[str, tuple[str, dict]]:
    """Workload -> (operation, variables), with IDs found on the running server."""
    find = httpx.post(f"{base}/graphql", json={"query": "{ searchCredentials(first: 1, orderBy: NEWEST) { nodes { id "
                                                        "provider { slug } } } }"}).json()
    listing = find["data"]["searchCredentials"]["nodes"][0]
    return {
        "search (text, 2 filters, facets)": ("SearchPage", {"query": "data", "first": 20, "filter": {
            "deliveryModes": ["ONLINE"], "regions": ["CA-ON"]}}),
        "browse a province (facets only)": ("FacetBrowse", {"region": "CA-QC"}),
        "credential detail": ("CredentialDetail", {"id": listing["id"]}),
        "provider page": ("ProviderPage", {"slug": listing["provider"]["slug"]}),
        "change feed poll": ("ChangeFeedPoll", {}),
    }


def table(results: dict) -> str:
    lines = ["| workload | conns | req/s | p50 ms | p95 ms | p99 ms | errors | SQL/req | RSS MB |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, found in results["workloads"].items():
        for run in found["runs"]:
            lines.append(f"| {name} | {run['connections']} | {run['rps']} | {run['p50_ms']:.1f} | {run['p95_ms']:.1f} | "
                         f"{run['p99_ms']:.1f} | {run['errors']} | {found['statements']} | {found['rss_mb']} |")
    floor = results["floor"]
    lines.append(f"\nFloor (bare Starlette + asyncpg, same search SQL, {floor['connections']} conns): "
                 f"{floor['rps']} req/s, p99 {floor['p99_ms']:.1f} ms. GraphQL search / floor: {results['ratio']:.2f}x")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", default="1,8,32")
    parser.add_argument("--listings", type=int, default=100_000)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: `apt-get install wrk` (make bench does it).")
    env = {**os.environ, "MICROCRED_DATA_DIR": str(DATA_DIR), "MICROCRED_SERVER_TIMING": "1"}
    env.pop("DATABASE_URL", None)
    dsn, count = asyncio.run(dsn_and_count(env))
    if count < args.listings:
        print(f"Seeding {args.listings} listings (once)...", file=sys.stderr)
        microcred("seed", "--credentials", str(args.listings), "--seed", "42", env=env)
    port, floor_port = free_port(), free_port()
    server = subprocess.Popen([sys.executable, "-m", "registry.cli", "serve", "--port", str(port), "--no-demo"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    floor = subprocess.Popen([sys.executable, str(ROOT / "bench" / "floor.py"), dsn, str(floor_port)], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/healthz", server)
        wait_for(f"http://127.0.0.1:{floor_port}/search", floor)
        results = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                   "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                              f"{round(psutil.virtual_memory().total / 2**30)} GiB, Python {platform.python_version()}",
                   "listings": max(count, args.listings), "duration_s": args.duration, "workloads": {}}
        connections = [int(c) for c in args.connections.split(",")]
        for name, (operation, variables) in workloads(base).items():
            body = json.dumps({"query": (OPERATIONS / f"{operation}.graphql").read_text(), "variables": variables})
            found = {"operation": operation, "statements": statements(f"{base}/graphql", body), "runs": []}
            for conns in connections:
                found["runs"].append(wrk(f"{base}/graphql", "POST", body, conns, args.duration))
            found["rss_mb"] = rss_mb(server.pid)
            results["workloads"][name] = found
            print(f"{name}: {[r['rps'] for r in found['runs']]} req/s", file=sys.stderr)
        results["floor"] = wrk(f"http://127.0.0.1:{floor_port}/search", "GET", None, 8, args.duration)
        search = next(iter(results["workloads"].values()))["runs"]
        graphql_at_8 = next((r for r in search if r["connections"] == 8), search[-1])
        results["ratio"] = graphql_at_8["rps"] / results["floor"]["rps"]
    finally:
        for process in (server, floor):
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    report = f"# Benchmark, {results['date']}\n\n{results['machine']}; {results['listings']} listings; " \
             f"{args.duration} s per run.\n\n{table(results)}\n"
    (RESULTS / "latest.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
