"""`make bench`: 100,000 listings, the real server, a compiled load generator, one table.

Seeds the deterministic demo data into its own data folder (once), starts `microcred serve
--workers N` as a user would, drives each workload (a named operation of graphql/operations/)
with wrk at 1, 8 and 32 connections, and reports requests/s, p50/p95/p99 latency, errors, SQL
statements per request and the server's memory per worker. Three passes:

- uncached: the response cache off, so every request does the work;
- cached: the cache on, public queries over GET by persisted-query hash, as portals send them;
- mixed: searches while a client submits batches of listings (each commit makes cached answers stale).

A search's SQL served by a bare Starlette endpoint (bench/floor.py, same workers) is the floor
its uncached GraphQL search is compared with (the text search and the near search have one).

Side by side: PostGraphile 4 (installed from npm into .microcred-bench/postgraphile/, skipped
with a note when npm is missing) serves the same database with the same workers, and four
queries asking both for the same fields are run at 8 connections on each (bench/versus.py).

Usage: python bench/run.py [--duration 10] [--connections 1,8,32] [--workers 2] [--listings 100000]
                           [--only-versus] [--no-postgraphile] [--only WORDS]

`--only WORDS` runs the workloads whose names hold WORDS, uncached, cached and their floor, and
nothing else.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import hashlib
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
import threading
import time
import urllib.parse
from pathlib import Path

import asyncpg
import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import versus  # noqa: E402

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


def machine() -> str:
    """What the benchmark ran on, in a line."""
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, "
        f"{round(psutil.virtual_memory().total / 2**30)} GiB, Python {platform.python_version()}"
    )


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


def wait_for_facet_index(base: str, process: subprocess.Popen, timeout: float = 600) -> None:
    """Until the workers' facet indexes are built: /readyz says so ten times in a row (each
    request may reach any worker), so that no measured search is counted by PostgreSQL while
    an index is being built."""
    deadline, in_a_row = time.monotonic() + timeout, 0
    while in_a_row < 10:
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"{base}: the facet index was not built in time")
        state = httpx.get(f"{base}/readyz", timeout=5).json().get("facetIndex")
        in_a_row = in_a_row + 1 if state in ("ready", "off") else 0
        time.sleep(0.1 if in_a_row else 0.5)


def wait_for_export_snapshot(base: str, process: subprocess.Popen, timeout: float = 900) -> None:
    """Until every worker's export keeper is current (`/readyz` says so ten times in a row: a
    request may reach any worker). A starting server rebuilds the snapshot when anything changed
    since it was built (about 40 s of a core at 100,000 listings), which would otherwise be
    measured as the searches' slowness."""
    deadline, in_a_row = time.monotonic() + timeout, 0
    while in_a_row < 10:
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the export snapshot was not built in time")
        in_a_row = in_a_row + 1 if httpx.get(f"{base}/readyz", timeout=10).json().get("export") == "current" else 0
        time.sleep(0.1 if in_a_row else 0.5)


def microcred(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "registry.cli", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )


async def dsn_and_count(env: dict) -> tuple[str, int]:
    """The database's address and how many listings it holds: 0 when it has none, or none of
    the offerings a seed gives them (a database seeded before offerings existed)."""
    from registry.config import Settings
    from registry.db import resolve_database_url

    dsn = await resolve_database_url(Settings.from_env(env))
    conn = await asyncpg.connect(dsn)
    try:
        count = await conn.fetchval("select count(*) from credentials")
        return dsn, count if await conn.fetchval("select exists (select from offerings)") else 0
    except asyncpg.UndefinedTableError:
        return dsn, 0
    finally:
        await conn.close()


def wrk(url: str, method: str, body: str | None, connections: int, duration: int, timeout: int = 2) -> dict:
    """wrk's figures for one workload; a request slower than ``timeout`` seconds counts as an error."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA.format(method=method, body=json.dumps(body) if body else "nil"))
    out = subprocess.run(
        [
            "wrk",
            f"-c{connections}",
            f"-t{min(connections, 2)}",
            f"-d{duration}s",
            f"--timeout={timeout}s",
            "-s",
            script.name,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script.name)
    requests, micros, errors, p50, p95, p99 = map(int, re.search(r"RESULT (.*)", out).group(1).split())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "connections": connections,
        "rps": round(requests / (micros / 1e6), 1),
        "p50_ms": p50 / 1000,
        "p95_ms": p95 / 1000,
        "p99_ms": p99 / 1000,
        "errors": errors + (int(non2xx.group(1)) if non2xx else 0),
    }


def statements(url: str, method: str, body: str | None) -> int:
    response = httpx.request(method, url, content=body, headers={"content-type": "application/json"}, timeout=30)
    response.raise_for_status()
    assert "errors" not in response.json(), response.text[:500]
    return int(re.search(r'desc="(\d+) statements"', response.headers["server-timing"]).group(1))


def rss_mb(pid: int) -> float:
    """The largest resident set among the server's worker processes (the parent when alone)."""
    process = psutil.Process(pid)
    workers = process.children(recursive=True) or [process]
    return round(max(p.memory_info().rss for p in workers) / 2**20, 1)


def serve(env: dict, port: int, workers: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "registry.cli", "serve", "--port", str(port), "--no-demo", "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(*processes: subprocess.Popen) -> None:
    for process in processes:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def persisted_get(base: str, operation: str, variables: dict) -> str:
    """The GET URL of a named operation by its persisted-query hash."""
    digest = hashlib.sha256((OPERATIONS / f"{operation}.graphql").read_text().encode()).hexdigest()
    query = urllib.parse.urlencode(
        {
            "extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": digest}}),
            "variables": json.dumps(variables),
        }
    )
    return f"{base}/graphql?{query}"


# A listing whose ID and provider's slug the detail and provider workloads ask for.
A_LISTING = "{ searchCredentials(first: 1, orderBy: NEWEST) { nodes { id provider { slug } } } }"


def workloads(base: str) -> dict[str, tuple[str, dict]]:
    """Workload -> (operation, variables), with IDs found on the running server."""
    find = httpx.post(f"{base}/graphql", json={"query": A_LISTING}).json()
    return workloads_for(find["data"]["searchCredentials"]["nodes"][0])


def workloads_for(listing: dict) -> dict[str, tuple[str, dict]]:
    """Workload -> (operation, variables), ``listing`` being ``A_LISTING``'s answer."""
    today = datetime.date.today()
    soon = {"from": today.isoformat(), "to": (today + datetime.timedelta(days=90)).isoformat()}
    return {
        "search (text, 2 filters, facets)": (
            "SearchPage",
            {"query": "data", "first": 20, "filter": {"deliveryModes": ["ONLINE"], "regions": ["CA-ON"]}},
        ),
        "browse a province (facets only)": ("FacetBrowse", {"region": "CA-QC"}),
        "near and starting soon (facets)": (
            "SearchPage",
            {
                "first": 20,
                "orderBy": "NEAREST",
                "filter": {"near": {"place": "Toronto, ON", "withinKm": 50}, "startsBetween": soon},
            },
        ),
        "credential detail": ("CredentialDetail", {"id": listing["id"]}),
        "provider page": ("ProviderPage", {"slug": listing["provider"]["slug"]}),
        "change feed poll": ("ChangeFeedPoll", {}),
    }


# Workload -> the route of bench/floor.py that makes the same store calls.
FLOORS = {"search (text, 2 filters, facets)": "/search", "near and starting soon (facets)": "/near"}


def table(results: dict) -> str:
    lines = [
        "| workload | conns | req/s | p50 ms | p95 ms | p99 ms | errors | SQL/req | RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, found in results["workloads"].items():
        for run in found["runs"]:
            lines.append(
                f"| {name} | {run['connections']} | {run['rps']} | {run['p50_ms']:.1f} | {run['p95_ms']:.1f} | "
                f"{run['p99_ms']:.1f} | {run['errors']} | {found['statements']} | {found['rss_mb']} |"
            )
    if not results["workloads"]:
        lines = []
    for name, floor in results.get("floors", {}).items():
        lines.append(
            f"\nFloor of {name} (bare Starlette + asyncpg, the same store calls, {results['workers']} workers, "
            f"{floor['connections']} conns): {floor['rps']} req/s, p99 {floor['p99_ms']:.1f} ms. "
            + (
                f"Uncached GraphQL / floor: {floor['ratio']:.2f}x"
                if floor["ratio"] is not None
                else "(no GraphQL run at 8)"
            )
        )
    mixed = results.get("mixed")
    if mixed:
        lines.append(
            f"\nMixed ({mixed['connections']} conns searching, cache on, while one client submits batches of "
            f"{mixed['batch']} listings back to back): searches {mixed['rps']} req/s, p99 {mixed['p99_ms']:.1f} ms, "
            f"{mixed['errors']} errors; {mixed['batches']} batches committed, "
            f"p50 {mixed['write_p50_ms']:.0f} ms, p99 {mixed['write_p99_ms']:.0f} ms per batch, "
            f"{mixed['write_errors']} failed."
        )
    found = results.get("versus")
    if found and "skipped" in found:
        lines.append(f"\nPostGraphile: {found['skipped']}")
    elif found:
        lines.append("\n" + versus.table(found))
    return "\n".join(lines)


def writer_token(base: str, env: dict, slug: str) -> str:
    """A real client of provider ``slug`` and a token from the real token endpoint."""
    created = json.loads(
        microcred(
            "clients",
            "create",
            "--name",
            f"bench {time.time_ns()}",
            "--provider",
            slug,
            "--scopes",
            "credentials:write credentials:publish",
            "--json",
            env=env,
        ).stdout
    )
    response = httpx.post(
        f"{base}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(created["client_id"], created["client_secret"]),
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["access_token"]


SUBMIT = """mutation($input: SubmitCredentialsInput!) {
  submitCredentials(input: $input) { createdCount updatedCount failedCount } }"""


def write_batches(base: str, token: str, size: int, until: float, found: dict) -> None:
    """Submit batches of ``size`` listings back to back until ``until``; each batch changes them."""
    durations, errors, round_number = [], 0, 0
    with httpx.Client(timeout=60, headers={"authorization": f"Bearer {token}"}) as client:
        while time.monotonic() < until:
            round_number += 1
            items = [
                {
                    "externalId": f"bench-{n}",
                    "title": [{"lang": "en", "value": f"Bench listing {n}, round {round_number}"}],
                    "description": [{"lang": "en", "value": "Data analysis for the benchmark's mixed workload."}],
                    "workloadHours": 20,
                    "deliveryMode": "ONLINE",
                    "pace": "SELF_PACED",
                    "assessment": "PROJECT",
                    "languages": ["en"],
                    "regions": ["CA-ON"],
                    "url": f"https://bench.example.ca/{n}",
                }
                for n in range(size)
            ]
            started = time.monotonic()
            response = client.post(
                f"{base}/graphql",
                json={"query": SUBMIT, "variables": {"input": {"credentials": items, "publish": True}}},
            )
            durations.append((time.monotonic() - started) * 1000)
            body = response.json() if response.status_code == 200 else {}
            if response.status_code != 200 or body.get("errors") or body["data"]["submitCredentials"]["failedCount"]:
                errors += 1
    durations.sort()
    found.update(
        batches=len(durations),
        write_errors=errors,
        write_p50_ms=durations[len(durations) // 2] if durations else 0,
        write_p99_ms=durations[min(len(durations) - 1, int(len(durations) * 0.99))] if durations else 0,
    )


def run_pass(
    base: str, server: subprocess.Popen, plan: dict, connections: list[int], duration: int, results: dict
) -> None:
    for name, (method, url, body) in plan.items():
        statements(url, method, body)  # the first may fill the cache: count the second, as wrk sees it
        found = {"statements": statements(url, method, body), "runs": []}
        for conns in connections:
            found["runs"].append(wrk(url, method, body, conns, duration))
        found["rss_mb"] = rss_mb(server.pid)
        results["workloads"][name] = found
        print(f"{name}: {[r['rps'] for r in found['runs']]} req/s", file=sys.stderr)


def run_versus(base: str, dsn: str, workers: int, duration: int, results: dict) -> None:
    """PostGraphile 4 beside the (uncached) registry on the same database: the queries of bench/versus.py, 8 conns."""
    folder = DATA_DIR / "postgraphile"
    binary, note = versus.install(folder)
    print(note, file=sys.stderr)
    if binary is None:
        results["versus"] = {"skipped": note}
        return
    port = free_port()
    url = f"http://127.0.0.1:{port}/graphql"
    log = folder / "postgraphile.log"
    process = versus.start(binary, dsn, port, workers, log)
    try:
        versus.wait_ready(url, process, log)
        found = {
            "postgraphile_version": versus.version(folder),
            "workers": workers,
            "connections": 8,
            "duration_s": duration,
            "command": " ".join(versus.command(binary, "<bench dsn>", port, workers)),
            "rows": [],
        }
        credential = asyncio.run(versus.busiest_credential(dsn))
        for shape, ours, theirs in versus.bodies(credential):
            row = {"shape": shape, "bytes": {"registry": versus.check(f"{base}/graphql", ours)}}
            row["bytes"]["postgraphile"] = versus.check(url, theirs)
            row["registry"] = wrk(f"{base}/graphql", "POST", ours, 8, duration)
            row["postgraphile"] = wrk(url, "POST", theirs, 8, duration)
            found["rows"].append(row)
            print(
                f"{shape}: registry {row['registry']['rps']} / PostGraphile {row['postgraphile']['rps']} req/s",
                file=sys.stderr,
            )
        results["versus"] = found
    finally:
        versus.stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", default="1,8,32")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--only-versus", action="store_true", help="only the side by side with PostGraphile")
    parser.add_argument("--no-postgraphile", action="store_true", help="skip the side by side with PostGraphile")
    parser.add_argument("--only", help="only the workloads whose names hold these words (uncached and cached)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: `apt-get install wrk` (make bench does it).")
    # One load generator on one address would meet the per-address rate limit at once: the
    # benchmark measures throughput, so the limits are lifted (the charge itself still runs).
    env = {
        **os.environ,
        "MICROCRED_DATA_DIR": str(DATA_DIR),
        "MICROCRED_SERVER_TIMING": "1",
        "MICROCRED_RATE_ANONYMOUS": "1e12,1e12",
        "MICROCRED_RATE_CLIENT": "1e12,1e12",
    }
    env.pop("DATABASE_URL", None)
    dsn, count = asyncio.run(dsn_and_count(env))
    if count < args.listings:
        print(f"Seeding {args.listings} listings (once)...", file=sys.stderr)
        microcred("seed", "--credentials", str(args.listings), "--seed", "42", env=env)
    connections = [int(c) for c in args.connections.split(",")]
    results = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "listings": max(count, args.listings),
        "duration_s": args.duration,
        "workers": args.workers,
        "workloads": {},
    }

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = serve({**env, "MICROCRED_RESPONSE_CACHE_BYTES": "0"}, port, args.workers)
    try:
        wait_for(f"{base}/healthz", server)
        wait_for_facet_index(base, server)
        wait_for_export_snapshot(base, server)
        targets = {name: work for name, work in workloads(base).items() if not args.only or args.only in name}
        plan = {
            f"{name}, uncached": (
                "POST",
                f"{base}/graphql",
                json.dumps({"query": (OPERATIONS / f"{operation}.graphql").read_text(), "variables": variables}),
            )
            for name, (operation, variables) in targets.items()
        }
        if not args.only_versus:
            run_pass(base, server, plan, connections, args.duration, results)
        if not args.no_postgraphile and not args.only:
            run_versus(base, dsn, args.workers, args.duration, results)
    finally:
        stop(server)
    if args.only_versus:
        return report(args, results)
    run_floors(env, dsn, args, targets, results)
    if args.only:
        return run_cached_only(env, port, args, targets, connections, results)

    server = serve(env, port, args.workers)
    try:
        wait_for(f"{base}/healthz", server)
        wait_for_facet_index(base, server)
        wait_for_export_snapshot(base, server)
        cached = {
            f"{name}, cached (GET, persisted)": ("GET", persisted_get(base, operation, variables), None)
            for name, (operation, variables) in targets.items()
            if operation != "ChangeFeedPoll"
        }
        run_pass(base, server, cached, connections, args.duration, results)

        mixed = {"connections": 8, "batch": 50}
        token = writer_token(
            base,
            env,
            httpx.post(
                f"{base}/graphql", json={"query": "{ searchCredentials(first: 1) { nodes { provider { slug } } } }"}
            ).json()["data"]["searchCredentials"]["nodes"][0]["provider"]["slug"],
        )
        method, url, body = plan[next(iter(plan))]
        writing = threading.Thread(
            target=write_batches, args=(base, token, mixed["batch"], time.monotonic() + args.duration, mixed)
        )
        writing.start()
        mixed.update(wrk(url, method, body, mixed["connections"], args.duration))
        writing.join()
        results["mixed"] = mixed
    finally:
        stop(server)
    report(args, results)


def run_floors(env: dict, dsn: str, args: argparse.Namespace, targets: dict, results: dict) -> None:
    """Each chosen workload's floor at 8 connections (bench/floor.py, alone on the machine), and
    the uncached GraphQL workload's rate at 8 connections as a ratio of it."""
    routes = {name: route for name, route in FLOORS.items() if name in targets}
    if not routes:
        return
    port = free_port()
    floor = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.floor:build_from_env",
            "--factory",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env={**env, "FLOOR_DSN": dsn},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    floors = results.setdefault("floors", {})
    try:
        for name, route in routes.items():
            wait_for(f"http://127.0.0.1:{port}{route}", floor)
            floors[name] = wrk(f"http://127.0.0.1:{port}{route}", "GET", None, 8, args.duration)
            runs = results["workloads"].get(f"{name}, uncached", {}).get("runs", [])
            at_8 = next((r for r in runs if r["connections"] == 8), None)  # the floor's own count
            floors[name]["ratio"] = at_8["rps"] / floors[name]["rps"] if at_8 else None
    finally:
        stop(floor)


def run_cached_only(
    env: dict, port: int, args: argparse.Namespace, targets: dict, connections: list[int], results: dict
) -> None:
    """The cached pass of the chosen workloads, then the report (no mixed pass)."""
    base = f"http://127.0.0.1:{port}"
    server = serve(env, port, args.workers)
    try:
        wait_for(f"{base}/healthz", server)
        wait_for_facet_index(base, server)
        wait_for_export_snapshot(base, server)
        cached = {
            f"{name}, cached (GET, persisted)": ("GET", persisted_get(base, operation, variables), None)
            for name, (operation, variables) in targets.items()
        }
        run_pass(base, server, cached, connections, args.duration, results)
    finally:
        stop(server)
    report(args, results)


def report(args: argparse.Namespace, results: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = "latest-only" if args.only else "latest"  # a partial run leaves the full run's table alone
    (RESULTS / f"{stem}.json").write_text(json.dumps(results, indent=2) + "\n")
    report = (
        f"# Benchmark, {results['date']}\n\n{results['machine']}; {results['listings']} listings; "
        f"`microcred serve --workers {args.workers}`; {args.duration} s per run.\n\n{table(results)}\n"
    )
    (RESULTS / f"{stem}.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
