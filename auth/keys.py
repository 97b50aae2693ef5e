"""Token signing keys: kept in the database (private halves encrypted), rotated on demand.

The newest active key signs; every key is published in the JWKS, so tokens signed before
a rotation keep validating until they expire. Each process reloads its key ring at least
once a minute, and at once when it meets a ``kid`` it does not know that the database has
(another process rotated).
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from cryptography.fernet import Fernet
from joserfc.jwk import ECKey, KeySet, KeySetSerialization

from registry.db import Executor
from registry.store import oauth
from registry.store.oauth import KeyRecord

ALGORITHM = "ES256"
RELOAD_SECONDS = 60.0


@dataclass(frozen=True)
class KeyRing:
    """The keys of one moment: the one that signs, and every one that verifies."""

    signing_kid: str
    signing_key: ECKey
    public: KeySet
    loaded_at: float
    fingerprint: str

    def jwks(self) -> KeySetSerialization:
        """The JSON Web Key Set to publish (public halves only)."""
        return self.public.as_dict(private=False)

    def knows(self, kid: str | None) -> bool:
        return kid is not None and any(key.kid == kid for key in self.public.keys)


def new_key_record(cipher: Fernet) -> KeyRecord:
    """A fresh ES256 key pair, its private half encrypted."""
    kid = secrets.token_urlsafe(12)
    key = ECKey.generate_key("P-256", parameters={"kid": kid, "use": "sig", "alg": ALGORITHM})
    return KeyRecord(
        kid=kid,
        algorithm=ALGORITHM,
        public_jwk=key.as_dict(private=False),
        private_key_encrypted=cipher.encrypt(key.as_pem(private=True)),
        created_at=datetime.now(timezone.utc),  # not stored: the database stamps the row it inserts
        retired_at=None,
    )


async def rotate(db: Executor, cipher: Fernet) -> str:
    """Add a new signing key and retire the others from signing; returns the new kid."""
    record = new_key_record(cipher)
    await oauth.add_signing_key(db, record)
    await oauth.retire_keys_except(db, [record.kid])
    return record.kid


class Keys:
    """The process's view of the key ring, reloaded when stale or when a kid is unknown."""

    def __init__(self, cipher: Fernet) -> None:
        self.cipher = cipher
        self._ring: KeyRing | None = None
        # One load at a time: on a new database, two first requests must not both create a key.
        self._loading = asyncio.Lock()

    async def ring(self, db: Executor, *, kid: str | None = None) -> KeyRing:
        """The current key ring; creates the first key on a new database."""
        ring = self._ring
        if ring is None or time.monotonic() - ring.loaded_at > RELOAD_SECONDS:
            return await self._reload(db, ring)
        if kid is not None and not ring.knows(kid):
            # Another process may have rotated. A cheap look first, so that tokens with
            # made-up kids cannot make every request reload and decrypt the keys.
            if await oauth.signing_keys_fingerprint(db) != ring.fingerprint:
                return await self._reload(db, ring)
        return ring

    async def _reload(self, db: Executor, seen: KeyRing | None) -> KeyRing:
        async with self._loading:
            ring = self._ring
            if ring is None or ring is seen:  # nobody reloaded while we waited
                ring = self._ring = await self._load(db)
            return ring

    async def _load(self, db: Executor) -> KeyRing:
        records = await oauth.signing_keys(db)
        if not any(r.retired_at is None for r in records):
            await rotate(db, self.cipher)
            records = await oauth.signing_keys(db)
        active = next(r for r in records if r.retired_at is None)
        private = ECKey.import_key(self.cipher.decrypt(active.private_key_encrypted), {"kid": active.kid})
        public = KeySet([ECKey.import_key(r.public_jwk) for r in records])
        return KeyRing(active.kid, private, public, time.monotonic(), await oauth.signing_keys_fingerprint(db))
