"""OAuth clients, token signing keys and revoked tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence
from uuid import UUID

import asyncpg

from registry.db import Executor
from registry.store.sql import fetch_one


@dataclass(frozen=True)
class ClientRecord:
    """A machine client: who it acts for and what it may do."""

    client_id: str
    name: str
    secret_sha256: bytes
    binding: str  # PROVIDER, AUTHORITY, ADMIN or PORTAL
    provider_id: UUID | None
    authority_id: UUID | None
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None
    jurisdictions: list[str]  # a portal's: the jurisdictions it serves


@dataclass(frozen=True)
class Standing:
    """What a request checks of a token's client at once: that it is not revoked, that the
    token is not, and who the client acts for now (not when the token was issued)."""

    client_ok: bool
    token_revoked: bool
    jurisdictions: tuple[str, ...]
    acts_for: frozenset[UUID]


@dataclass(frozen=True)
class KeyRecord:
    """A token signing key, its private half encrypted."""

    kid: str
    algorithm: str
    public_jwk: dict[str, Any]
    private_key_encrypted: bytes
    created_at: datetime
    retired_at: datetime | None


_CLIENT_COLUMNS = (
    "client_id, name, secret_sha256, binding::text as binding, provider_id, authority_id, scopes,"
    " created_at, revoked_at, jurisdictions"
)


def _client(row: asyncpg.Record) -> ClientRecord:
    return ClientRecord(**dict(row))


async def create_client(
    db: Executor,
    *,
    client_id: str,
    name: str,
    secret_sha256: bytes,
    binding: str,
    provider_id: UUID | None,
    authority_id: UUID | None,
    scopes: list[str],
    jurisdictions: Sequence[str] = (),
) -> ClientRecord:
    """Store a new client; returns it as stored."""
    row = await fetch_one(
        db,
        "insert into oauth_clients"
        " (client_id, name, secret_sha256, binding, provider_id, authority_id, scopes, jurisdictions)"
        f" values ($1, $2, $3, $4, $5, $6, $7, $8) returning {_CLIENT_COLUMNS}",
        client_id,
        name,
        secret_sha256,
        binding,
        provider_id,
        authority_id,
        scopes,
        list(jurisdictions),
    )
    return _client(row)


async def client_by_id(db: Executor, client_id: str) -> ClientRecord | None:
    """The client with this ID, revoked or not."""
    row = await db.fetchrow(f"select {_CLIENT_COLUMNS} from oauth_clients where client_id = $1", client_id)
    return _client(row) if row else None


async def list_clients(db: Executor) -> list[ClientRecord]:
    """Every client, oldest first."""
    rows = await db.fetch(f"select {_CLIENT_COLUMNS} from oauth_clients order by created_at, client_id")
    return [_client(row) for row in rows]


async def revoke_client(db: Executor, client_id: str) -> bool:
    """Revoke a client: its tokens stop working at once. False when no such active client."""
    status = await db.execute(
        "update oauth_clients set revoked_at = now() where client_id = $1 and revoked_at is null", client_id
    )
    return status.endswith(" 1")


async def token_standing(db: Executor, client_id: str, jti: str) -> Standing:
    """The standing of a token's client and of the token, in one statement."""
    row = await fetch_one(
        db,
        "select c.client_id is not null as client_ok, coalesce(c.jurisdictions, '{}') as jurisdictions,"
        " exists (select 1 from revoked_tokens where jti = $2) as token_revoked,"
        " array(select g.provider_id from client_grants g where g.client_id = c.client_id and g.revoked_at is null)"
        " as acts_for"
        " from (select 1) one left join oauth_clients c on c.client_id = $1 and c.revoked_at is null",
        client_id,
        jti,
    )
    return Standing(row["client_ok"], row["token_revoked"], tuple(row["jurisdictions"]), frozenset(row["acts_for"]))


async def grant(db: Executor, client_id: str, provider_id: UUID, granted_by: str) -> bool:
    """Let a publisher's client act for a provider; False when it already may."""
    status = await db.execute(
        "insert into client_grants (client_id, provider_id, granted_by) values ($1, $2, $3) on conflict do nothing",
        client_id,
        provider_id,
        granted_by,
    )
    return status.endswith(" 1")


async def ungrant(db: Executor, client_id: str, provider_id: UUID, revoked_by: str) -> bool:
    """End a grant (kept on record); False when there was none in force."""
    status = await db.execute(
        "update client_grants set revoked_at = now(), revoked_by = $3"
        " where client_id = $1 and provider_id = $2 and revoked_at is null",
        client_id,
        provider_id,
        revoked_by,
    )
    return status.endswith(" 1")


async def acts_for(db: Executor, client_id: str) -> list[UUID]:
    """The providers a client acts for now."""
    rows = await db.fetch(
        "select provider_id from client_grants where client_id = $1 and revoked_at is null order by granted_at",
        client_id,
    )
    return [row["provider_id"] for row in rows]


async def revoke_token(db: Executor, jti: str, client_id: str, expires_at: datetime) -> None:
    """Refuse the token with this ``jti`` from now on (until it would have expired anyway)."""
    await db.execute(
        "insert into revoked_tokens (jti, client_id, expires_at) values ($1, $2, $3) on conflict do nothing",
        jti,
        client_id,
        expires_at,
    )


async def signing_keys(db: Executor) -> list[KeyRecord]:
    """Every signing key, newest first."""
    rows = await db.fetch(
        "select kid, algorithm, public_jwk, private_key_encrypted, created_at, retired_at from signing_keys"
        " order by created_at desc, kid"
    )
    return [KeyRecord(**dict(row)) for row in rows]


async def add_signing_key(db: Executor, key: KeyRecord) -> None:
    """Store a new signing key; it becomes the one new tokens are signed with."""
    await db.execute(
        "insert into signing_keys (kid, algorithm, public_jwk, private_key_encrypted) values ($1, $2, $3, $4)",
        key.kid,
        key.algorithm,
        key.public_jwk,
        key.private_key_encrypted,
    )


async def retire_keys_except(db: Executor, kids: Sequence[str]) -> None:
    """Mark every key but ``kids`` retired (still published, no longer signing)."""
    await db.execute(
        "update signing_keys set retired_at = now() where retired_at is null and kid <> all($1::text[])", list(kids)
    )


async def signing_keys_fingerprint(db: Executor) -> str:
    """Changes whenever a key is added or retired: tells a process its key ring is stale."""
    fingerprint: str = await db.fetchval(
        "select count(*)::text || '/' || coalesce(max(greatest(created_at, retired_at))::text, '') from signing_keys"
    )
    return fingerprint
