"""Providers, authorities and clients registered for real, and tokens from the real endpoint."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from registry.services import operators
from registry.store import oauth, providers, recognitions


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class Parties:
    provider_id: object
    other_provider_id: object
    authority_id: object
    provider: Credentials  # credentials:write credentials:publish
    provider_write_only: Credentials
    other_provider: Credentials
    authority: Credentials  # recognitions:write
    admin: Credentials  # registry:admin
    revoked: Credentials


async def registered_client(db, **kwargs) -> Credentials:
    """A client registered by operators, with its secret."""
    created = await operators.register_client(db, **kwargs)
    return Credentials(created.client_id, created.client_secret)


@pytest.fixture
async def parties(db) -> Parties:
    college = await providers.create(
        db,
        slug="north-college",
        name={"en": "North College", "fr": "Collège du Nord"},
        kind="COLLEGE",
        jurisdiction="CA-ON",
        website="https://north.example.ca",
    )
    other = await providers.create(
        db, slug="south-polytechnic", name={"en": "South Polytechnic"}, kind="POLYTECHNIC", jurisdiction="CA-BC"
    )
    ministry = await recognitions.create_authority(
        db, slug="skills-ministry", name={"en": "Skills Ministry"}, kind="GOVERNMENT", jurisdiction="CA-ON"
    )
    revoked = await registered_client(db, name="Old SIS", scopes=["credentials:write"], provider_id=college.id)
    await oauth.revoke_client(db, revoked.client_id)
    return Parties(
        provider_id=college.id,
        other_provider_id=other.id,
        authority_id=ministry.id,
        provider=await registered_client(
            db, name="North SIS", scopes=["credentials:write", "credentials:publish"], provider_id=college.id
        ),
        provider_write_only=await registered_client(
            db, name="North drafts", scopes=["credentials:write"], provider_id=college.id
        ),
        other_provider=await registered_client(
            db, name="South SIS", scopes=["credentials:write", "credentials:publish"], provider_id=other.id
        ),
        authority=await registered_client(db, name="Ministry", scopes=["recognitions:write"], authority_id=ministry.id),
        admin=await registered_client(db, name="Operators", scopes=["registry:admin", "credentials:write"], admin=True),
        revoked=revoked,
    )


async def token_response(client, creds: Credentials, scope: str | None = None, *, method: str = "basic"):
    """POST /oauth/token with client_secret_basic (default) or client_secret_post."""
    form = {"grant_type": "client_credentials"}
    if scope is not None:
        form["scope"] = scope
    if method == "basic":
        return await client.post("/oauth/token", data=form, auth=(creds.client_id, creds.client_secret))
    return await client.post(
        "/oauth/token", data={**form, "client_id": creds.client_id, "client_secret": creds.client_secret}
    )


async def access_token(client, creds: Credentials, scope: str | None = None) -> str:
    response = await token_response(client, creds, scope)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


@pytest.fixture
async def signing_key(db):
    """The registry's own private signing key, to mint tokens with wrong claims."""
    from auth.keys import Keys
    from auth.secrets import fernet
    from tests.support.apps import SETTINGS

    ring = await Keys(fernet(SETTINGS)).ring(db)
    return ring.signing_key
