"""Tokens of a trusted external issuer (a province's own server) are accepted by configuration."""

from __future__ import annotations

import time

import pytest
from joserfc.jwk import RSAKey

from auth.external import external_client_id
from tests.support.apps import SETTINGS
from tests.support.external_issuer import (
    ISSUER,
    VIEWER,
    graphql,
    mint,
    province_key,
    registry_trusting,
    serving_jwks,
    trusted_issuer,
)


@pytest.fixture(scope="module")
def key():
    return province_key()


@pytest.fixture(scope="module")
def jwks_url(key):
    with serving_jwks(key) as url:
        yield url


@pytest.fixture
async def province_client(db_dsn, jwks_url, parties):
    async with registry_trusting(db_dsn, SETTINGS, trusted_issuer(jwks_url, providers=["north-college"])) as client:
        yield client


async def _viewer(client, token):
    return await graphql(client, VIEWER, token=token)


async def test_a_trusted_issuers_token_acts_for_the_named_provider(province_client, key):
    response = await _viewer(province_client, mint(key))
    assert response.status_code == 200
    assert response.json()["data"]["viewer"] == {
        "clientId": external_client_id(ISSUER, "province-sis"),
        "scopes": ["credentials:write"],
        "provider": {"slug": "north-college"},
    }


async def test_admin_scope_from_outside_is_never_granted(province_client, key):
    viewer = (await _viewer(province_client, mint(key, scope="registry:admin credentials:write"))).json()
    assert viewer["data"]["viewer"]["scopes"] == ["credentials:write"]


@pytest.mark.parametrize(
    "claims",
    [{"provider": "nowhere-college"}, {"aud": "someone-else"}, {"exp": int(time.time()) - 300}],
    ids=["unknown provider", "wrong audience", "expired"],
)
async def test_bad_claims_are_refused(province_client, key, claims):
    assert (await _viewer(province_client, mint(key, **claims))).status_code == 401


async def test_a_token_signed_by_another_key_is_refused(province_client):
    impostor = RSAKey.generate_key(2048, parameters={"kid": "province-1"})
    assert (await _viewer(province_client, mint(impostor))).status_code == 401


async def test_an_untrusted_issuer_is_refused(province_client, key):
    assert (await _viewer(province_client, mint(key, iss="https://elsewhere.example"))).status_code == 401
