"""A load-and-fault soak: `python -m tests.soak [--duration 120]` (or `make soak`).

Starts a PostgreSQL of its own and `microcred serve --workers 2` on it; several writer
clients (each with its own OAuth client) create and update listings with Idempotency-Keys,
retrying every write with the same key until it gets a definite answer, while anonymous
readers search and read. A third of the way in PostgreSQL is stopped for a few seconds;
two thirds in a serving worker is killed (SIGKILL). At the end, what the writers were told
succeeded is compared with the database and the public change feed: nothing lost, nothing
duplicated. Prints the figures; exits 1 when anything was lost or duplicated, when any
answer was a 500, or when the registry did not recover.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from registry import migrate
from registry.config import Settings
from registry.db import connect
from registry.domain import ids
from registry.services import operators
from registry.store import providers
from tests.support.parties import Credentials, access_token
from tests.support.restartable_postgres import RestartablePostgres

ROOT = Path(__file__).resolve().parent.parent
CREATE = """mutation($input: CreateCredentialInput!) {
  createCredential(input: $input) { credential { id version } userErrors { code message } } }"""
UPDATE = """mutation($input: UpdateCredentialInput!) {
  updateCredential(input: $input) { credential { id version } userErrors { code message } } }"""
BY_EXTERNAL_ID = """query($provider: ID!, $externalId: String!) {
  credentialByExternalId(providerId: $provider, externalId: $externalId) { id version } }"""
SEARCH = """query($q: String) { searchCredentials(query: $q, first: 10) { totalCount
  edges { node { id title(lang: "en") provider { name(lang: "en") } } } } }"""
FEED = """query($after: String) { changes(after: $after, first: 1000) {
  events { kind version credential { id } } endCursor hasMore } }"""
RETRIED = {409, 429, 500, 502, 503, 504}
GIVE_UP_SECONDS = 60.0


@dataclass
class Ledger:
    """What the clients saw."""

    acknowledged: dict[tuple[str, int], str] = field(default_factory=dict)  # (credential id, version) -> title
    applied_answer_lost: list[str] = field(default_factory=list)  # titles of writes applied, answer lost
    gave_up: list[str] = field(default_factory=list)  # titles of writes never answered
    errors: Counter = field(default_factory=Counter)  # retried failures by kind
    reads: Counter = field(default_factory=Counter)  # read outcomes
    write_times: list[float] = field(default_factory=list)  # when writes were acknowledged
    read_times: list[float] = field(default_factory=list)  # when reads succeeded


@dataclass
class Faults:
    """When the faults happened, and how long recovery took."""

    database_stopped: float = 0.0
    database_started: float = 0.0
    worker_killed: float = 0.0
    worker_replaced: float = 0.0


def _listing(external_id: str, title: str) -> dict:
    return {
        "externalId": external_id,
        "title": [{"lang": "en", "value": title}],
        "workloadHours": 12,
        "deliveryMode": "ONLINE",
        "pace": "SELF_PACED",
        "assessment": "PROJECT",
        "url": f"https://soak.example.ca/{external_id}",
    }


async def write(http: httpx.AsyncClient, token: str, query: str, variables: dict, ledger: Ledger) -> dict | None:
    """Send one write with a fresh Idempotency-Key, retrying with the same key until a definite
    answer; the answer's JSON, {"lost": True} when it was applied but its answer lost, or None."""
    key, deadline = str(uuid.uuid4()), time.monotonic() + GIVE_UP_SECONDS
    headers = {"authorization": f"Bearer {token}", "idempotency-key": key}
    while time.monotonic() < deadline:
        try:
            response = await http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
        except httpx.HTTPError as error:
            ledger.errors[f"connection ({type(error).__name__})"] += 1
        else:
            if response.status_code not in RETRIED:
                body = response.json()
                codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
                if "APPLIED_ANSWER_LOST" in codes:
                    return {"lost": True}
                return body
            ledger.errors[f"HTTP {response.status_code}"] += 1
        await asyncio.sleep(random.uniform(0.2, 0.6))
    return None


async def writer(
    n: int, http: httpx.AsyncClient, token: str, provider_gid: str, ledger: Ledger, stop_at: float
) -> None:
    """Create listings and update them (expecting their version), recording every answer."""
    own: dict[str, tuple[str, int]] = {}  # external id -> (credential id, version)
    step = 0
    while time.monotonic() < stop_at:
        step += 1
        updating = own and step % 3 == 0
        external_id = random.choice(sorted(own)) if updating else f"W{n}-{step}"
        title = f"Soak {external_id} step {step}"
        if updating:
            credential_id, version = own[external_id]
            answer = await write(
                http,
                token,
                UPDATE,
                {
                    "input": {
                        "id": credential_id,
                        "expectedVersion": version,
                        "credential": _listing(external_id, title),
                    }
                },
                ledger,
            )
            field_name = "updateCredential"
        else:
            answer = await write(http, token, CREATE, {"input": {"credential": _listing(external_id, title)}}, ledger)
            field_name = "createCredential"
        if answer is None:
            ledger.gave_up.append(title)
        elif answer.get("lost"):
            ledger.applied_answer_lost.append(title)
        elif payload := (answer.get("data") or {}).get(field_name):
            if payload["userErrors"]:
                raise AssertionError(f"writer {n} was refused: {payload['userErrors']}")
            credential = payload["credential"]
            ledger.acknowledged[(credential["id"], credential["version"])] = title
            ledger.write_times.append(time.monotonic())
            own[external_id] = (credential["id"], credential["version"])
            continue
        else:
            raise AssertionError(f"writer {n} got an answer it cannot read: {answer}")
        # Not told the outcome: learn the listing's state as a client would, by reading it.
        if current := await _current(http, token, provider_gid, external_id):
            own[external_id] = current


async def _current(http: httpx.AsyncClient, token: str, provider_gid: str, external_id: str):
    for _ in range(100):
        try:
            response = await http.post(
                "/graphql",
                json={"query": BY_EXTERNAL_ID, "variables": {"provider": provider_gid, "externalId": external_id}},
                headers={"authorization": f"Bearer {token}"},
            )
            if response.status_code == 200:
                found = response.json()["data"]["credentialByExternalId"]
                return (found["id"], found["version"]) if found else None
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.5)
    raise AssertionError(f"could not read {external_id} back")


async def reader(http: httpx.AsyncClient, ledger: Ledger, stop_at: float) -> None:
    """Anonymous searches, as a portal sends them."""
    words = ["Soak", "W1", "step", "W0-1", None]
    while time.monotonic() < stop_at:
        try:
            response = await http.post("/graphql", json={"query": SEARCH, "variables": {"q": random.choice(words)}})
            outcome = (
                "ok"
                if response.status_code == 200 and "errors" not in response.json()
                else f"HTTP {response.status_code}"
            )
        except httpx.HTTPError as error:
            outcome = f"connection ({type(error).__name__})"
        ledger.reads[outcome] += 1
        if outcome == "ok":
            ledger.read_times.append(time.monotonic())
        else:
            await asyncio.sleep(0.2)


def _workers(serve_pid: int) -> set[int]:
    """The serving worker processes (uvicorn's spawned children) of ``serve_pid``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == serve_pid and b"spawn_main" in cmdline:
                found.add(int(entry.name))
    return found


async def inject_faults(
    postgres: RestartablePostgres, serve: subprocess.Popen, started: float, duration: float, faults: Faults
) -> None:
    """Stop PostgreSQL for 5 s at a third of the run; kill a worker at two thirds."""
    await asyncio.sleep(max(0.0, started + duration / 3 - time.monotonic()))
    faults.database_stopped = time.monotonic()
    await asyncio.to_thread(postgres.stop)
    await asyncio.sleep(5)
    await asyncio.to_thread(postgres.start)
    faults.database_started = time.monotonic()
    await asyncio.sleep(max(0.0, started + 2 * duration / 3 - time.monotonic()))
    before = _workers(serve.pid)
    victim = sorted(before)[0]
    os.kill(victim, signal.SIGKILL)
    faults.worker_killed = time.monotonic()
    while not (_workers(serve.pid) - before):
        await asyncio.sleep(0.1)
    faults.worker_replaced = time.monotonic()


async def audit(http: httpx.AsyncClient, token: str, dsn: str, ledger: Ledger) -> dict[str, int]:
    """Compare what the writers were told with the database and the change feed."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "select credential_id, version, snapshot->'title'->>'en' as title from credential_versions"
        )
    finally:
        await conn.close()
    stored = {(ids.encode("Credential", r["credential_id"]), r["version"]): r["title"] for r in rows}
    titles = Counter(r["title"] for r in rows)
    feed, after = Counter(), None
    while True:
        page = (
            await http.post(
                "/graphql",
                json={"query": FEED, "variables": {"after": after}},
                headers={"authorization": f"Bearer {token}"},
            )
        ).json()["data"]["changes"]
        feed.update((e["credential"]["id"], e["version"]) for e in page["events"])
        after = page["endCursor"]
        if not page["hasMore"]:
            break
    return {
        "server errors (HTTP 500)": ledger.errors["HTTP 500"] + ledger.reads["HTTP 500"],
        "acknowledged writes missing from the database": sum(
            stored.get(k) != t for k, t in ledger.acknowledged.items()
        ),
        "acknowledged writes missing from the change feed": sum(feed[k] == 0 for k in ledger.acknowledged),
        "writes applied twice (a title stored in two versions)": sum(c > 1 for c in titles.values()),
        "change-feed events repeated": sum(c > 1 for c in feed.values()),
        "writes applied with the answer lost, not in the database": sum(
            titles[t] != 1 for t in ledger.applied_answer_lost
        ),
    }


def _after(times: list[float], moment: float) -> float | None:
    later = [t for t in times if t >= moment]
    return min(later) - moment if later else None


def report(ledger: Ledger, faults: Faults, findings: dict[str, int], duration: float) -> bool:
    """Print the figures; True when nothing was lost or duplicated and service recovered."""
    write_recovery = _after(ledger.write_times, faults.database_started)
    read_recovery = _after(ledger.read_times, faults.database_started)
    print(
        f"\nSoak: {duration:.0f} s, PostgreSQL stopped for "
        f"{faults.database_started - faults.database_stopped:.1f} s, one worker killed"
    )
    print(f"  writes acknowledged   {len(ledger.acknowledged)} ({len(ledger.acknowledged) / duration:.1f}/s)")
    print(f"  applied, answer lost  {len(ledger.applied_answer_lost)}")
    print(f"  given up (unanswered) {len(ledger.gave_up)}")
    print(f"  reads                 {dict(ledger.reads)} ({ledger.reads['ok'] / duration:.0f} ok/s)")
    print(f"  retried write errors  {dict(ledger.errors)}")
    print(
        f"  after PostgreSQL came back: first write {write_recovery and f'{write_recovery:.1f} s'},"
        f" first read {read_recovery and f'{read_recovery:.1f} s'}"
    )
    print(
        f"  killed worker replaced after {faults.worker_replaced - faults.worker_killed:.1f} s;"
        f" first write after the kill {_after(ledger.write_times, faults.worker_killed) or 0:.1f} s later"
    )
    for finding, count in findings.items():
        print(f"  {finding}: {count}")
    healthy = write_recovery is not None and read_recovery is not None and not ledger.gave_up
    return healthy and not any(findings.values())


def _serve(dsn: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": dsn,
        "MICROCRED_SECRET_KEY": "soak",
        "MICROCRED_RATE_ANONYMOUS": "1e9,1e9",
        "MICROCRED_RATE_CLIENT": "1e9,1e9",
        "MICROCRED_STATEMENT_TIMEOUT_MS": "5000",
        "MICROCRED_POOL_TIMEOUT": "2",
    }
    log = open(Path(tempfile.gettempdir()) / f"microcred-soak-{port}.log", "w")
    return subprocess.Popen(
        [sys.executable, "-m", "registry.cli", "serve", "--port", str(port), "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


async def _prepare(dsn: str, writers: int) -> tuple[str, list[tuple[str, str]]]:
    await migrate.upgrade(dsn)
    db = await connect(dsn, Settings(), min_size=1, max_size=2)
    try:
        college = await providers.create(
            db, slug="soak-college", name={"en": "Soak College"}, kind="COLLEGE", jurisdiction="CA-ON"
        )
        clients = [
            await operators.register_client(
                db, name=f"Soak writer {n}", provider_id=college.id, scopes=["credentials:write"]
            )
            for n in range(writers)
        ]
    finally:
        await db.close()
    return ids.encode("Provider", college.id), [(c.client_id, c.client_secret) for c in clients]


async def soak(duration: float, writers: int, readers: int, port: int) -> bool:
    folder = Path(tempfile.mkdtemp(prefix="microcred-soak-"))
    folder.chmod(0o777)
    postgres = RestartablePostgres(folder)
    serve = None
    try:
        dsn = postgres.create_database("registry")
        provider_gid, clients = await _prepare(dsn, writers)
        serve = _serve(dsn, port)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            await _until_up(http)
            tokens = [await access_token(http, Credentials(*client)) for client in clients]
            ledger, faults, started = Ledger(), Faults(), time.monotonic()
            stop_at = started + duration
            await asyncio.gather(
                *(writer(n, http, token, provider_gid, ledger, stop_at) for n, token in enumerate(tokens)),
                *(reader(http, ledger, stop_at) for _ in range(readers)),
                inject_faults(postgres, serve, started, duration, faults),
            )
            findings = await audit(http, tokens[0], dsn, ledger)
        return report(ledger, faults, findings, duration)
    finally:
        if serve is not None:
            serve.send_signal(signal.SIGTERM)
            serve.wait(timeout=60)
        postgres.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


async def _until_up(http: httpx.AsyncClient) -> None:
    for _ in range(300):
        try:
            if (await http.get("/readyz")).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.2)
    raise AssertionError("the registry did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=120.0, help="seconds of load (default 120)")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    options = parser.parse_args()
    passed = asyncio.run(soak(options.duration, options.writers, options.readers, options.port))
    print("PASSED: nothing lost, nothing duplicated" if passed else "FAILED")
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
