"""Slow clients against a real `microcred serve`: none may pin a database connection.

The threat (an outside audit reproduced it): a few sockets that request the bulk export and
then read nothing held one pooled connection each, in an open transaction, for as long as
they liked; with the pool gone, GraphQL answered 503 and `/readyz` went red. The same class
of attack sends a request body slowly. These tests open real sockets against a real server
(default pool of 10, default pool timeout of 5 s) and check that search keeps its normal
latency and readiness stays green while they hang on; and they check the export's own
contract: snapshot files with ETag, Last-Modified, 304, Range, a per-caller limit, and a
rebuild after a change.
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx
import pytest

from registry.config import Settings
from registry.db import connect
from registry.services import operators
from registry.services.export import export_lines
from registry.services.seeding import seed
from registry.store import providers
from tests.support.databases import RUN, clone, drop
from tests.support.processes import process_env, serve_process

LISTINGS = 5000  # about 8 MiB of export: more than a socket's send buffer (4 MiB at most here) holds
SLOW_CLIENTS = 10  # as many as the pool has connections (MICROCRED_POOL_MAX, 10)
EXPORT = "/export/credentials.jsonl"
PREBUILT = ("CA-ON", "CA-NS")  # jurisdictions with a snapshot file; `CA` (all of them here) is spooled
SEARCH = """query($q: String) { searchCredentials(query: $q, first: 20) {
  totalCount nodes { id title provider { name } skills { label } } } }"""
WORDS = ["data", "care", "welding", "soins", "safety", "energy", "design", "cloud", "français", "nursing"]


@pytest.fixture(scope="module")
async def registry_dsn(server_dsn, template_dsn):
    """A database of this module: seeded listings, and a provider whose client may publish."""
    name = f"{RUN}_slow_clients"
    dsn = await clone(server_dsn, name)
    db = await connect(dsn, Settings(), min_size=1, max_size=2)
    try:
        await seed(db, LISTINGS, 11)
        college = await providers.create(
            db, slug="tidewater-college", name={"en": "Tidewater College"}, kind="COLLEGE", jurisdiction="CA-NS"
        )
        made = await operators.register_client(
            db, name="Tidewater SIS", provider_id=college.id, scopes=["credentials:write", "credentials:publish"]
        )
    finally:
        await db.close()
    yield dsn, (made.client_id, made.client_secret)
    await drop(server_dsn, name)


@pytest.fixture(scope="module")
def served(registry_dsn, tmp_path_factory):
    """One real server with the default pool (10) and pool timeout (5 s); the response cache
    off and the cost limits out of reach, so that every search does its real work."""
    dsn, _ = registry_dsn
    env = process_env(
        DATABASE_URL=dsn,
        MICROCRED_EXPORT_DIR=str(tmp_path_factory.mktemp("exports")),
        MICROCRED_EXPORTS_PER_CALLER=str(SLOW_CLIENTS),
        MICROCRED_EXPORT_DEBOUNCE="0.2",
        MICROCRED_EXPORT_JURISDICTIONS=",".join(PREBUILT),
        MICROCRED_RESPONSE_CACHE_BYTES="0",
        MICROCRED_RATE_ANONYMOUS="1e12,1e12",
        MICROCRED_RATE_CLIENT="1e12,1e12",
        MICROCRED_SECRET_KEY="slow-clients-secret",
    )
    with serve_process(env, "--no-demo") as server:
        yield server


def _port(server) -> int:
    return int(server.base.rsplit(":", 1)[1])


def _search_seconds(base: str, word: str) -> float:
    """Seconds one uncached GraphQL search takes; it must succeed."""
    started = time.perf_counter()
    response = httpx.post(f"{base}/graphql", json={"query": SEARCH, "variables": {"q": word}}, timeout=30)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    return elapsed


def _latencies(base: str) -> list[float]:
    return [_search_seconds(base, word) for word in WORDS]


def _ready_seconds(base: str) -> float:
    started = time.perf_counter()
    response = httpx.get(f"{base}/readyz", timeout=30)
    assert response.status_code == 200, response.text
    return time.perf_counter() - started


def _bound(calm: list[float]) -> float:
    """A generous bound on a search's time under attack: ten times its calm median, and never
    less than 1.5 s; well below the 5 s a request waits for a pool connection before its 503."""
    return max(1.5, 10 * statistics.median(calm))


def _socket(server) -> socket.socket:
    sock = socket.socket()
    # A tiny receive window: what the server sends piles up in its own buffers at once.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(10)
    sock.connect(("127.0.0.1", _port(server)))
    return sock


@contextmanager
def _sockets(count: int, opener):
    """``count`` sockets from ``opener``, all closed at the end whatever happens."""
    opened: list[socket.socket] = []
    try:
        for _ in range(count):
            opened.append(opener())
        yield opened
    finally:
        for sock in opened:
            sock.close()


def _slow_reader(server, path: str = EXPORT) -> socket.socket:
    """Asks for ``path`` and then reads nothing."""
    sock = _socket(server)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: registry\r\n\r\n".encode())
    return sock


def _status(sock: socket.socket) -> bytes:
    """The status line's code, read off a socket that otherwise read nothing."""
    line = b""
    while not line.endswith(b"\r\n"):
        line += sock.recv(1)
    return line.split()[1]


def _expected(dsn: str, **filters) -> bytes:
    """What the export holds according to the database right now (the command line's path)."""

    async def read() -> bytes:
        db = await connect(dsn, Settings(), min_size=1, max_size=1)
        try:
            return b"".join([line async for line in export_lines(db, **filters)])
        finally:
            await db.close()

    return asyncio.run(read())


def _snapshot(base: str, params: dict | None = None) -> httpx.Response:
    """The export once it is served from a snapshot file (the first build follows start-up)."""
    deadline = time.monotonic() + 30
    while True:
        response = httpx.get(f"{base}{EXPORT}", params=params, timeout=30)
        assert response.status_code == 200, response.text
        if response.headers.get("x-microcred-export") == "snapshot" or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


def _measure(label: str, base: str, calm: list[float]) -> list[float]:
    busy = _latencies(base)
    print(
        f"\n{label}: search median {statistics.median(calm) * 1000:.0f} ms calm,"
        f" {statistics.median(busy) * 1000:.0f} ms (max {max(busy) * 1000:.0f} ms) under attack"
    )
    return busy


def test_ten_slow_export_readers_leave_search_fast_and_readiness_green(served):
    """Threat: slow readers of the bulk export pin every pooled connection (denial of service
    of the whole API for anonymous attackers with ten sockets). Seven read the full export (a
    snapshot file), three a filter that has none (`jurisdiction=CA`: spooled first)."""
    _snapshot(served.base)  # from here on the full export comes from its snapshot file
    calm = _latencies(served.base)
    _ready_seconds(served.base)
    paths = iter([EXPORT] * 7 + [f"{EXPORT}?jurisdiction=CA"] * 3)
    with _sockets(SLOW_CLIENTS, lambda: _slow_reader(served, next(paths))) as readers:
        # Every one is being served (none refused; the spooled ones are written out), then stalls
        # once its socket buffers are full: the status line is all a reader ever takes.
        assert [_status(sock) for sock in readers] == [b"200"] * SLOW_CLIENTS
        time.sleep(0.5)
        busy = _measure("slow export readers", served.base, calm)
        ready = _ready_seconds(served.base)
        assert max(busy) < _bound(calm) and ready < _bound(calm), (calm, busy, ready)


def _slow_sender(server, path: str, headers: str, body: bytes) -> socket.socket:
    """Sends a request announcing ``len(body) * 2`` bytes of body, sends half, then waits."""
    sock = _socket(server)
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: registry\r\nContent-Length: {len(body) * 2}\r\n{headers}\r\n".encode() + body
    )
    return sock


def test_ten_slow_request_bodies_leave_search_fast_and_readiness_green(served, registry_dsn):
    """Threat: slow request bodies (slowloris on POST) reach a layer that takes a pooled
    connection, or opens a transaction, before the body has fully arrived: GraphQL anonymous,
    GraphQL with a token and an Idempotency-Key (the idempotency layer claims keys in the
    database), and the OAuth token endpoint."""
    _, (client_id, secret) = registry_dsn
    token = httpx.post(
        f"{served.base}/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    ).json()["access_token"]
    query = b'{"query": "{ searchCredentials(first: 1) { totalCount } }"}'
    kinds = [
        ("/graphql", "Content-Type: application/json\r\n", query),
        (
            "/graphql",
            f"Content-Type: application/json\r\nAuthorization: Bearer {token}\r\nIdempotency-Key: k\r\n",
            query,
        ),
        ("/oauth/token", "Content-Type: application/x-www-form-urlencoded\r\n", b"grant_type=client_credentials&"),
    ]
    calm = _latencies(served.base)
    opened = iter(range(SLOW_CLIENTS))
    with _sockets(SLOW_CLIENTS, lambda: _slow_sender(served, *kinds[next(opened) % len(kinds)])):
        time.sleep(1.0)
        busy = _measure("slow request bodies", served.base, calm)
        ready = _ready_seconds(served.base)
        assert max(busy) < _bound(calm) and ready < _bound(calm), (calm, busy, ready)


def test_one_caller_gets_429_with_retry_after_past_its_concurrent_exports(served, registry_dsn):
    """Threat: one caller opens export downloads without end (file descriptors, memory and
    bandwidth of a process): past MICROCRED_EXPORTS_PER_CALLER at once it is refused, while
    another caller (a client with a token) keeps its own allowance."""
    _, (client_id, secret) = registry_dsn

    def admitted() -> socket.socket:
        deadline = time.monotonic() + 5  # the previous test's readers may still be letting go
        while True:
            sock = _slow_reader(served)
            if _status(sock) == b"200" or time.monotonic() > deadline:
                return sock
            sock.close()
            time.sleep(0.1)

    with _sockets(SLOW_CLIENTS, admitted) as readers:
        assert len(readers) == SLOW_CLIENTS
        refused = httpx.get(f"{served.base}{EXPORT}")
        assert refused.status_code == 429, refused.text
        assert int(refused.headers["retry-after"]) >= 1 and refused.json()["error"] == "rate_limited"
        token = httpx.post(
            f"{served.base}/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
        ).json()["access_token"]
        with httpx.stream("GET", f"{served.base}{EXPORT}", headers={"authorization": f"Bearer {token}"}) as other:
            assert other.status_code == 200
    # Their slots come back when they hang up.
    deadline = time.monotonic() + 5
    while httpx.head(f"{served.base}{EXPORT}").status_code == 429:
        assert time.monotonic() < deadline, "closed downloads never gave their slots back"
        time.sleep(0.1)


def test_the_snapshot_answers_etag_304_range_and_last_modified(served, registry_dsn):
    """Threat: a client that lost its connection restarts a 100 MB download from scratch, or
    downloads an unchanged export again and again (load without need); and a cached or resumed
    copy that is silently not the same bytes (integrity)."""
    dsn, _ = registry_dsn
    base = served.base
    full = _snapshot(base)
    body, etag, modified = full.content, full.headers["etag"], full.headers["last-modified"]
    assert full.headers["x-microcred-export"] == "snapshot"
    assert body == _expected(dsn, jurisdiction=None, updated_since=None)
    assert etag.startswith('"') and not etag.startswith("W/") and full.headers["accept-ranges"] == "bytes"
    assert int(full.headers["content-length"]) == len(body) and full.headers["x-microcred-changes-cursor"]
    assert full.headers["cache-control"] == "public, no-cache"

    def get(headers=None, params=None) -> httpx.Response:
        return httpx.get(f"{base}{EXPORT}", headers=headers, params=params)

    not_modified = get({"if-none-match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b"" and not_modified.headers["etag"] == etag
    assert get({"if-none-match": f'"other", {etag}'}).status_code == 304
    assert get({"if-modified-since": modified}).status_code == 304
    assert get({"if-none-match": '"other"', "if-modified-since": modified}).status_code == 200  # the ETag decides

    part = get({"range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == body[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(body)}" and part.headers["etag"] == etag
    assert get({"range": "bytes=-50"}).content == body[-50:]
    assert get({"range": f"bytes={len(body) - 10}-"}).content == body[-10:]
    assert get({"range": "bytes=0-9", "if-range": etag}).status_code == 206
    assert get({"range": "bytes=0-9", "if-range": '"stale"'}).content == body  # changed since: all of it
    unsatisfiable = get({"range": f"bytes={len(body)}-"})
    assert unsatisfiable.status_code == 416 and unsatisfiable.headers["content-range"] == f"bytes */{len(body)}"
    head = httpx.head(f"{base}{EXPORT}")
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == etag

    # Filters: a pre-built jurisdiction, the tail of a file for updatedSince, and a spooled one.
    since = datetime(2025, 9, 1, tzinfo=UTC)
    ontario = _snapshot(base, {"jurisdiction": "CA-ON", "updatedSince": since.isoformat()})
    assert ontario.headers["x-microcred-export"] == "snapshot"
    assert ontario.content == _expected(dsn, jurisdiction="CA-ON", updated_since=since) != b""
    assert (
        get(
            {"if-none-match": ontario.headers["etag"]}, {"jurisdiction": "CA-ON", "updatedSince": since.isoformat()}
        ).status_code
        == 304
    )
    abroad = get(params={"jurisdiction": "FR"})
    assert abroad.status_code == 200 and abroad.headers["x-microcred-export"] == "spooled"
    assert abroad.content == _expected(dsn, jurisdiction="FR", updated_since=None)
    assert parsedate_to_datetime(modified) <= datetime.now(UTC)


CREATE = """mutation($input: CreateCredentialInput!) { createCredential(input: $input) {
  credential { id } userErrors { code message } } }"""


async def test_the_snapshot_is_rebuilt_after_a_publish(served, registry_dsn):
    """Threat: portals that bootstrap from the export get stale data forever (integrity of the
    national copy): a listing published through the API shows up in the snapshot, with a new
    ETag, a later Last-Modified and a later change-feed cursor, within seconds."""
    _, (client_id, secret) = registry_dsn
    base = served.base
    before = await asyncio.to_thread(_snapshot, base)
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        token = (
            await client.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
        ).json()["access_token"]
        auth = {"authorization": f"Bearer {token}"}
        draft = {
            "externalId": "TW-1",
            "title": [{"lang": "en", "value": "Tidal energy basics"}],
            "workloadHours": 30,
            "deliveryMode": "ONLINE",
            "pace": "SELF_PACED",
            "assessment": "PROJECT",
            "url": "https://tidewater.example.ca/tidal",
            "occupationCodes": [],
            "description": [{"lang": "en", "value": "Turbines, tides and grids."}],
            "learningOutcomes": [[{"lang": "en", "value": "Size a tidal turbine"}]],
            "level": {"framework": "EQF", "value": "4"},
            "qualityAssurance": "Program review 2026",
            "languages": ["en"],
            "regions": ["CA-NS"],
        }
        created = (
            await client.post(
                "/graphql", headers=auth, json={"query": CREATE, "variables": {"input": {"credential": draft}}}
            )
        ).json()["data"]["createCredential"]
        assert created["userErrors"] == [], created
        listing_id = created["credential"]["id"]
        published = (
            await client.post(
                "/graphql",
                headers=auth,
                json={
                    "query": "mutation($id: ID!) { publishCredential(input: {id: $id}) { userErrors { code message } } }",
                    "variables": {"id": listing_id},
                },
            )
        ).json()
        assert published["data"]["publishCredential"]["userErrors"] == [], published

        deadline = time.monotonic() + 15
        while True:
            after = await client.get(EXPORT)
            if after.headers["etag"] != before.headers["etag"]:
                break
            assert time.monotonic() < deadline, "the snapshot was not rebuilt after a publish"
            await asyncio.sleep(0.2)
        nova_scotia = await client.get(EXPORT, params={"jurisdiction": "CA-NS"})
    assert after.headers["x-microcred-export"] == "snapshot" and listing_id in after.text.splitlines()[-1]
    assert parsedate_to_datetime(after.headers["last-modified"]) > parsedate_to_datetime(
        before.headers["last-modified"]
    )
    assert after.headers["x-microcred-changes-cursor"] != before.headers["x-microcred-changes-cursor"]
    assert listing_id in nova_scotia.text and nova_scotia.headers["x-microcred-export"] == "snapshot"
