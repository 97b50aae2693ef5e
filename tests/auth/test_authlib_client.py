"""An institution gets its token with authlib's own OAuth 2.0 client, then calls the API."""

from __future__ import annotations

import httpx
from authlib.integrations.httpx_client import AsyncOAuth2Client

from registry.app import create_app
from tests.support.apps import SETTINGS


async def test_authlib_client_credentials_flow(db_dsn, parties):
    app = create_app(SETTINGS, db_dsn)
    async with app.router.lifespan_context(app):
        async with AsyncOAuth2Client(
            client_id=parties.provider.client_id,
            client_secret=parties.provider.client_secret,
            scope="credentials:write",
            token_endpoint_auth_method="client_secret_basic",
            transport=httpx.ASGITransport(app=app),
            base_url="https://registry.test",
        ) as institution:
            token = await institution.fetch_token("https://registry.test/oauth/token", grant_type="client_credentials")
            assert token["token_type"] == "Bearer" and token["scope"] == "credentials:write"
            response = await institution.post(
                "https://registry.test/graphql", json={"query": "{ viewer { clientId provider { slug } } }"}
            )
    assert response.json()["data"]["viewer"] == {
        "clientId": parties.provider.client_id,
        "provider": {"slug": "north-college"},
    }
