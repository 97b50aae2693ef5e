"""The registry side by side with PostGraphile 4 on the same database (issue 16).

PostGraphile is installed from npm into a folder the benchmark owns
(``.microcred-bench/postgraphile/``, ``npm install postgraphile@4``, once) and started with
``--cluster-workers`` on the benchmark's database. Four queries ask both servers for the same
fields: one credential with provider, skills, recognitions and their authorities; the 20 newest
listings with the provider name; 20 listings with provider, skills, recognitions, authorities;
20 listings with what a search page shows of each.
When npm (or node) is missing the comparison says so and is skipped; the rest of the benchmark
runs.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from uuid import UUID

import asyncpg
import httpx

POSTGRAPHILE_VERSION = "4"

# Same fields both sides. The registry's titles and names are strings in the requested
# language; PostGraphile returns the stored language map (jsonb) whole. Recognitions: every
# one (``activeOnly: false``), as PostGraphile has no notion of "in force".
REGISTRY_DETAIL = """query($id: ID!) { credential(id: $id) {
  id title(lang: "en") status workloadHours deliveryMode
  provider { id slug name(lang: "en") jurisdiction website }
  skills { id scheme code label(lang: "en") }
  recognitions(activeOnly: false) { id kind validFrom validUntil revokedAt authority { id name(lang: "en") kind } }
} }"""
POSTGRAPHILE_DETAIL = """query($id: UUID!) { credentialById(id: $id) {
  id title status workloadHours deliveryMode
  providerByProviderId { id slug name jurisdiction website }
  credentialSkillsByCredentialId(orderBy: POSITION_ASC) { nodes { skillBySkillId { id scheme code label } } }
  recognitionsByCredentialId { nodes { id kind validFrom validUntil revokedAt
    recognitionAuthorityByAuthorityId { id name kind } } }
} }"""

REGISTRY_NEWEST = """{ searchCredentials(first: 20, orderBy: NEWEST) { nodes {
  id title(lang: "en") provider { name(lang: "en") } } } }"""
# PostGraphile orders by columns only: there is no index on published_at (the registry's
# NEWEST uses an expression index), so it reads the first 20 published listings by primary key.
POSTGRAPHILE_NEWEST = """{ allCredentials(first: 20, orderBy: PRIMARY_KEY_ASC, condition: {status: PUBLISHED}) {
  nodes { id title providerByProviderId { name } } } }"""

REGISTRY_LIST = """{ searchCredentials(first: 20, orderBy: NEWEST) { nodes {
  id title(lang: "en") status workloadHours deliveryMode
  provider { id slug name(lang: "en") jurisdiction website }
  skills { id scheme code label(lang: "en") }
  recognitions(activeOnly: false) { id kind validFrom validUntil revokedAt authority { id name(lang: "en") kind } }
} } }"""
POSTGRAPHILE_LIST = """{ allCredentials(first: 20, orderBy: PRIMARY_KEY_ASC, condition: {status: PUBLISHED}) { nodes {
  id title status workloadHours deliveryMode
  providerByProviderId { id slug name jurisdiction website }
  credentialSkillsByCredentialId(orderBy: POSITION_ASC) { nodes { skillBySkillId { id scheme code label } } }
  recognitionsByCredentialId { nodes { id kind validFrom validUntil revokedAt
    recognitionAuthorityByAuthorityId { id name kind } } }
} } }"""

# What SearchPage shows of each of its 20 listings (the near search's `distanceKm` aside, which
# PostGraphile cannot compute): the part of a search page both servers can be asked for. It
# leaves out the search itself (the near page, the matching set) and the 11 facets, so it is a
# lower bound of a search page's cost on either side. PostGraphile returns the stored cost and
# language maps; it has no notion of "recognised" or "next start", so it reads the rows those
# are computed from (the recognitions' and offerings' dates).
REGISTRY_PAGE_LISTINGS = """{ searchCredentials(first: 20, orderBy: NEWEST) { nodes {
  id title(lang: "en") description(lang: "en") credentialType deliveryMode pace workloadHours
  cost { amount currency } languages regions audiences isRecognized nextStartDate
  offerings { place { municipality region } }
  provider { id name(lang: "en") jurisdiction }
  skills { id label(lang: "en") }
  occupations { code title(lang: "en") }
  recognitions { kind validUntil authority { id name(lang: "en") } }
} } }"""
POSTGRAPHILE_PAGE_LISTINGS = """{ allCredentials(first: 20, orderBy: PRIMARY_KEY_ASC, condition: {status: PUBLISHED}) {
  nodes {
  id title description credentialType deliveryMode pace workloadHours
  costAmount costCurrency languages regions audiences
  offeringsByCredentialId(orderBy: START_DATE_ASC) { nodes { startDate cancelledAt municipality region } }
  providerByProviderId { id name jurisdiction }
  credentialSkillsByCredentialId(orderBy: POSITION_ASC) { nodes { skillBySkillId { id label } } }
  credentialOccupationsByCredentialId(orderBy: POSITION_ASC) { nodes { occupationByOccupationId { code title } } }
  recognitionsByCredentialId { nodes { kind validFrom validUntil revokedAt
    recognitionAuthorityByAuthorityId { id name } } }
} } }"""

SHAPES = [
    ("one credential with provider, skills, recognitions and their authorities", REGISTRY_DETAIL, POSTGRAPHILE_DETAIL),
    ("20 newest listings with provider name", REGISTRY_NEWEST, POSTGRAPHILE_NEWEST),
    ("20 listings with provider, skills, recognitions, authorities", REGISTRY_LIST, POSTGRAPHILE_LIST),
    (
        "20 listings with what a search page shows of each (no search, no facets)",
        REGISTRY_PAGE_LISTINGS,
        POSTGRAPHILE_PAGE_LISTINGS,
    ),
]


def install(folder: Path) -> tuple[Path | None, str]:
    """PostGraphile's CLI in ``folder`` (installed from npm once), or None and why not."""
    binary = folder / "node_modules" / ".bin" / "postgraphile"
    if binary.exists():
        return binary, f"PostGraphile from {folder} (installed earlier)"
    if not shutil.which("npm") or not shutil.which("node"):
        return None, "npm (or node) is not installed: PostGraphile is skipped"
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "package.json").exists():
        (folder / "package.json").write_text('{"name": "microcred-bench-postgraphile", "private": true}\n')
    print(f"Installing postgraphile@{POSTGRAPHILE_VERSION} into {folder} (npm, once)...", file=sys.stderr)
    done = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", f"postgraphile@{POSTGRAPHILE_VERSION}"],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0 or not binary.exists():
        return (
            None,
            f"npm install postgraphile@{POSTGRAPHILE_VERSION} failed: PostGraphile is skipped\n{done.stderr[-2000:]}",
        )
    return binary, f"PostGraphile installed from npm into {folder}"


def version(folder: Path) -> str:
    package = folder / "node_modules" / "postgraphile" / "package.json"
    return json.loads(package.read_text())["version"]


def command(binary: Path, dsn: str, port: int, workers: int) -> list[str]:
    return [
        str(binary),
        "--connection",
        dsn,
        "--schema",
        "public",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--cluster-workers",
        str(workers),
        "--disable-query-log",
        "--disable-default-mutations",
        "--dynamic-json",
        "--no-setof-functions-contain-nulls",
    ]


def start(binary: Path, dsn: str, port: int, workers: int, log: Path) -> subprocess.Popen:
    """PostGraphile in its own process group, so that its cluster workers stop with it."""
    with log.open("w") as out:
        return subprocess.Popen(
            command(binary, dsn, port, workers),
            cwd=binary.parent.parent.parent,
            env={**os.environ, "NODE_ENV": "production"},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen) -> None:
    """Stop PostGraphile's process group (its master and workers), then wait for it."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)
    except ProcessLookupError:
        pass


def wait_ready(url: str, process: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"PostGraphile exited early:\n{log.read_text()[-2000:]}")
        try:
            if httpx.post(url, json={"query": "{ __typename }"}, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"PostGraphile did not answer at {url}:\n{log.read_text()[-2000:]}")


async def busiest_credential(dsn: str) -> UUID:
    """A published listing with skills and the most recognitions (so the detail has every part)."""
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(
            """select c.id from credentials c
               join recognitions r on r.credential_id = c.id
               where c.status = 'PUBLISHED'
                 and exists (select 1 from credential_skills s where s.credential_id = c.id)
               group by c.id order by count(*) desc, c.id limit 1"""
        )
    finally:
        await conn.close()


def bodies(credential: UUID) -> list[tuple[str, str, str]]:
    """(shape, registry body, PostGraphile body) for each query."""
    from registry.domain import ids

    found = []
    for name, registry, postgraphile in SHAPES:
        variables_registry = {"id": ids.encode("Credential", credential)} if "$id" in registry else {}
        variables_postgraphile = {"id": str(credential)} if "$id" in postgraphile else {}
        found.append(
            (
                name,
                json.dumps({"query": registry, "variables": variables_registry}),
                json.dumps({"query": postgraphile, "variables": variables_postgraphile}),
            )
        )
    return found


def check(url: str, body: str) -> int:
    """POST once; fail on GraphQL errors or an empty answer; the response size in bytes."""
    response = httpx.post(url, content=body, headers={"content-type": "application/json"}, timeout=30)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}: {response.text[:1000]}")
    answer = response.json()
    if answer.get("errors") or not answer.get("data") or None in answer["data"].values():
        raise RuntimeError(f"{url}: {response.text[:1000]}")
    return len(response.content)


def table(found: dict) -> str:
    lines = [
        f"Side by side with PostGraphile {found['postgraphile_version']} "
        f"(`--cluster-workers {found['workers']}`), same database, registry cache off, "
        f"wrk {found['connections']} connections, {found['duration_s']} s each:",
        "",
        "| query (same fields both sides) | this registry | PostGraphile 4 | ratio |",
        "|---|---:|---:|---:|",
    ]
    for row in found["rows"]:
        ours, theirs = row["registry"], row["postgraphile"]
        lines.append(
            f"| {row['shape']} | {ours['rps']:,} req/s, p99 {ours['p99_ms']:.1f} ms | "
            f"{theirs['rps']:,} req/s, p99 {theirs['p99_ms']:.1f} ms | {ours['rps'] / theirs['rps']:.2f}x |"
        )
    errors = [r for r in found["rows"] if r["registry"]["errors"] or r["postgraphile"]["errors"]]
    if errors:
        lines.append(
            "\nErrors: "
            + "; ".join(f"{r['shape']}: {r['registry']['errors']} / {r['postgraphile']['errors']}" for r in errors)
        )
    lines.append(
        "\nPostGraphile reads the 20 listings by primary key (first 20 published): it orders by columns "
        "only and `published_at` has no index; the registry's NEWEST uses its expression index."
    )
    return "\n".join(lines)
