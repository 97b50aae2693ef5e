"""Rotating the signing key: new tokens use the new key, old ones keep working."""

from __future__ import annotations

import base64
import json

from auth.keys import rotate
from auth.secrets import fernet
from tests.support.apps import SETTINGS, api_client
from tests.support.parties import access_token

VIEWER = {"query": "{ viewer { clientId } }"}


def _kid(token: str) -> str:
    header = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]


async def _accepted(client, token: str) -> bool:
    response = await client.post("/graphql", json=VIEWER, headers={"authorization": f"Bearer {token}"})
    return response.status_code == 200


async def test_after_rotation_new_tokens_use_the_new_key_and_old_ones_still_validate(client, parties, db, db_dsn):
    old = await access_token(client, parties.provider)
    new_kid = await rotate(db, fernet(SETTINGS))
    # A process started after the rotation (here: a second app on the same database) signs with the new key...
    async with api_client(db_dsn) as fresh:
        new = await access_token(fresh, parties.provider)
        assert _kid(new) == new_kid != _kid(old)
        assert await _accepted(fresh, old)
        kids = {k["kid"] for k in (await fresh.get("/.well-known/jwks.json")).json()["keys"]}
        assert {_kid(old), new_kid} <= kids
    # ...and a process that started before it learns the new key when it first meets it.
    assert await _accepted(client, new) and await _accepted(client, old)


async def test_private_keys_are_stored_encrypted(client, parties, db):
    await access_token(client, parties.provider)
    stored = await db.fetchval("select private_key_encrypted from signing_keys limit 1")
    assert b"PRIVATE KEY" not in stored
    assert b"PRIVATE KEY" in fernet(SETTINGS).decrypt(stored)
