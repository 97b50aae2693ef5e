"""Tokens of a trusted external issuer can neither pass for a registered client, nor act for a
provider the issuer is not configured for, nor crash the bearer check when malformed.

Everything goes through HTTP to the real app, with tokens signed by a real issuer whose
JWKS is served on loopback, and webhooks delivered to real loopback receivers.
"""

from __future__ import annotations

import dataclasses
import re
import time

import pytest

from auth.external import external_client_id
from registry.services import operators
from tests.support.apps import SETTINGS
from tests.support.external_issuer import (
    AUDIENCE,
    ISSUER,
    KID,
    VIEWER,
    b64,
    graphql,
    mint,
    province_key,
    raw_token,
    registry_trusting,
    serving_jwks,
    trusted_issuer,
)
from tests.support.parties import Credentials, access_token
from tests.support.webhooks import deliver_all, receiving

HOOK_SETTINGS = dataclasses.replace(SETTINGS, webhooks_allow_loopback=True, webhook_retry_base_seconds=0.01)
# The form every registered client ID takes (the check on oauth_clients.client_id).
LOCAL_CLIENT_ID = re.compile(r"^mc_[A-Za-z0-9_-]{16,64}$")
ALL_SCOPES = "registry:admin recognitions:write webhooks:manage credentials:write credentials:publish"

WEBHOOKS = "{ webhooks { id url } }"
REGISTER = """
mutation($input: RegisterWebhookInput!) { registerWebhook(input: $input) { webhook { id } userErrors { code } } }
"""
DELETE = "mutation($input: DeleteWebhookInput!) { deleteWebhook(input: $input) { deleted userErrors { code } } }"
CREATE = """
mutation($input: CreateCredentialInput!) {
  createCredential(input: $input) { credential { id provider { slug } } userErrors { field code message } }
}
"""
HISTORY = "query($id: ID!) { credential(id: $id) { history { nodes { actor } } } }"


def draft(external_id: str, provider_site: str) -> dict:
    """A draft listing's input."""
    return {
        "credential": {
            "externalId": external_id,
            "title": [{"lang": "en", "value": "Welding Safety"}],
            "workloadHours": 20,
            "deliveryMode": "ONLINE",
            "pace": "SELF_PACED",
            "assessment": "PROJECT",
            "url": f"https://{provider_site}/welding-safety",
            "occupationCodes": [],
        }
    }


@pytest.fixture(scope="module")
def key():
    return province_key()


@pytest.fixture(scope="module")
def jwks_url(key):
    with serving_jwks(key) as url:
        yield url


@pytest.fixture
async def registry(db_dsn, jwks_url, parties):
    """The registry trusting the province's issuer for north-college only."""
    async with registry_trusting(db_dsn, HOOK_SETTINGS, trusted_issuer(jwks_url, providers=["north-college"])) as c:
        yield c


@pytest.fixture
async def victim(db, parties) -> Credentials:
    """A registered client of another provider (south-polytechnic) that manages webhooks."""
    made = await operators.register_client(
        db,
        name="South portal sync",
        scopes=["credentials:write", "webhooks:manage"],
        provider_id=parties.other_provider_id,
    )
    return Credentials(made.client_id, made.client_secret)


@pytest.fixture
def victim_receiver():
    with receiving() as receiver:
        yield receiver


@pytest.fixture
def attacker_receiver():
    with receiving() as receiver:
        yield receiver


@pytest.fixture
async def victim_hook(registry, victim, victim_receiver) -> str:
    """The victim's own webhook, registered with its own token: its ID."""
    token = await access_token(registry, victim)
    body = (await graphql(registry, REGISTER, {"input": {"url": victim_receiver.url}}, token)).json()
    assert body["data"]["registerWebhook"]["userErrors"] == [], body
    return body["data"]["registerWebhook"]["webhook"]["id"]


def impersonating(key, client_id: str) -> str:
    """A token the trusted issuer signed whose `client_id` claim is a registered client's ID."""
    return mint(key, client_id=client_id, scope=ALL_SCOPES)


async def victims_hooks(registry, victim: Credentials) -> list[str]:
    """The IDs of the webhooks the victim itself sees."""
    body = (await graphql(registry, WEBHOOKS, token=await access_token(registry, victim))).json()
    return [hook["id"] for hook in body["data"]["webhooks"]]


def assert_invalid_token(response, reason: str = "") -> None:
    """The RFC 6750 refusal: 401, `WWW-Authenticate: Bearer ... error="invalid_token"`, UNAUTHENTICATED."""
    assert response.status_code == 401, (response.status_code, response.text[:300])
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="microcred", error="invalid_token", error_description="'), challenge
    assert reason in challenge, challenge
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


# --- Finding 1: an external principal is never a registered client ------------------------------


async def test_an_external_token_naming_a_local_client_id_cannot_list_its_webhooks(registry, key, victim, victim_hook):
    """Threat: issuer confusion. A trusted issuer's token whose `client_id` claim copies a
    registered client's ID (IDs show as `actor`) reads that client's webhooks (URLs of its systems)."""
    response = await graphql(registry, WEBHOOKS, token=impersonating(key, victim.client_id))
    assert response.status_code == 200
    assert victim_hook not in response.text
    assert await victims_hooks(registry, victim) == [victim_hook]


async def test_an_external_token_naming_a_local_client_id_cannot_delete_its_webhooks(
    registry, key, victim, victim_hook
):
    """Threat: issuer confusion. The same token deletes another provider's webhook, silently
    cutting its portal off from changes."""
    response = await graphql(registry, DELETE, {"input": {"id": victim_hook}}, impersonating(key, victim.client_id))
    assert response.status_code == 200
    assert ((response.json().get("data") or {}).get("deleteWebhook") or {"deleted": False})["deleted"] is False
    assert await victims_hooks(registry, victim) == [victim_hook]


async def test_an_external_token_naming_a_local_client_id_cannot_receive_its_draft_events(
    registry, key, db, victim, victim_hook, victim_receiver, attacker_receiver
):
    """Threat: issuer confusion leaking unpublished data. A webhook registered by the token
    would belong to the registered client, and the delivery trigger would send it the
    drafts of that client's provider (south-polytechnic), which the issuer may not see."""
    attack = await graphql(
        registry, REGISTER, {"input": {"url": attacker_receiver.url}}, impersonating(key, victim.client_id)
    )
    assert attack.status_code == 200
    south = await access_token(registry, victim)
    made = (await graphql(registry, CREATE, {"input": draft("SOUTH-DRAFT-1", "south.example.ca")}, south)).json()
    assert made["data"]["createCredential"]["userErrors"] == [], made
    await deliver_all(db, HOOK_SETTINGS)
    listing = made["data"]["createCredential"]["credential"]
    assert [event["credentialId"] for event in victim_receiver.events] == [listing["id"]]
    assert attacker_receiver.events == []


async def test_an_external_token_never_acts_as_the_local_client_it_names(registry, key, victim):
    """Threat: issuer confusion in accountability. The token is seen as, and its writes are
    recorded under, the registered client's ID (audit trail, rate bucket, idempotency keys)."""
    token = impersonating(key, victim.client_id)
    viewer = (await graphql(registry, VIEWER, token=token)).json()["data"]["viewer"]
    assert viewer["clientId"] != victim.client_id
    assert viewer["clientId"] == external_client_id(ISSUER, victim.client_id)
    made = (await graphql(registry, CREATE, {"input": draft("NORTH-EXT-1", "north.example.ca")}, token)).json()
    listing = made["data"]["createCredential"]["credential"]
    assert listing["provider"] == {"slug": "north-college"}
    history = (await graphql(registry, HISTORY, {"id": listing["id"]}, token)).json()
    assert [node["actor"] for node in history["data"]["credential"]["history"]["nodes"]] == [viewer["clientId"]]


@pytest.mark.parametrize(
    "issuer, subject",
    [
        (ISSUER, "mc_AAAAAAAAAAAAAAAAAAAAAAAA"),
        (ISSUER, ""),
        ("mc_", "AAAAAAAAAAAAAAAAAAAAAAAA"),
        ("", ""),
    ],
)
def test_external_principal_ids_never_take_a_local_client_ids_form(issuer, subject):
    """Threat: issuer confusion by construction. Whatever the issuer and subject, the
    registry's name for an external principal is never a local client ID."""
    assert not LOCAL_CLIENT_ID.match(external_client_id(issuer, subject))


def test_two_issuers_never_share_a_principal_id():
    """Threat: one trusted issuer passing for another's principal. `#` and `%` in an issuer
    are escaped, so where the issuer ends in the name is never ambiguous."""
    pairs = [
        ("https://a.example#b", "c"),
        ("https://a.example", "b#c"),
        ("https://a.example%23b", "c"),
        ("https://a.example%2523b", "c"),
    ]
    assert len({external_client_id(*pair) for pair in pairs}) == len(pairs)


async def test_external_tokens_hold_no_scope_beyond_writing_listings(registry, key):
    """Threat: privilege escalation by claimed scopes. An issuer's token asks for every scope;
    it gets only credentials:write and credentials:publish (no admin, no recognitions, and
    no webhooks, which belong to registered, revocable clients)."""
    token = mint(key, scope=ALL_SCOPES)
    viewer = (await graphql(registry, VIEWER, token=token)).json()["data"]["viewer"]
    assert viewer["scopes"] == ["credentials:publish", "credentials:write"]
    refused = (await graphql(registry, REGISTER, {"input": {"url": "https://hooks.example/x"}}, token)).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


# --- Finding 1: an issuer acts only for the providers it is configured for --------------------


async def test_a_token_naming_a_provider_outside_its_issuers_providers_is_refused(registry, key):
    """Threat: an issuer overreaching. The province's issuer is trusted for north-college only;
    its token naming south-polytechnic (another province's institution) is refused."""
    assert (await graphql(registry, VIEWER, token=mint(key))).status_code == 200
    response = await graphql(registry, VIEWER, token=mint(key, provider="south-polytechnic"))
    assert_invalid_token(response, "not trusted to act for provider 'south-polytechnic'")


async def test_an_issuer_trusted_for_a_jurisdiction_acts_only_for_providers_there(db_dsn, jwks_url, parties, key):
    """Threat: an issuer overreaching. Trusted for CA-ON, the issuer acts for north-college
    (CA-ON) and is refused for south-polytechnic (CA-BC)."""
    async with registry_trusting(db_dsn, SETTINGS, trusted_issuer(jwks_url, jurisdictions=["CA-ON"])) as registry:
        north = (await graphql(registry, VIEWER, token=mint(key))).json()
        assert north["data"]["viewer"]["provider"] == {"slug": "north-college"}
        response = await graphql(registry, VIEWER, token=mint(key, provider="south-polytechnic"))
        assert_invalid_token(response, "not trusted to act for provider 'south-polytechnic'")


# --- Finding 2: malformed tokens are a 401 invalid_token, never a 500 ------------------------------

NOW = int(time.time())
CLAIMS = {
    "iss": ISSUER,
    "aud": AUDIENCE,
    "sub": "province-sis",
    "iat": NOW,
    "exp": NOW + 600,
    "scope": "credentials:write",
    "provider": "north-college",
}
HEADER = {"alg": "RS256", "kid": KID}
NESTED = "[" * 5000 + "]" * 5000

# Unsigned forms: refused before any key is looked up.
UNSIGNED = {
    "iss is a JSON array naming the trusted issuer": lambda: raw_token(HEADER, {**CLAIMS, "iss": [ISSUER]}),
    "iss is an object": lambda: raw_token(HEADER, {**CLAIMS, "iss": {"url": ISSUER}}),
    "iss is a number": lambda: raw_token(HEADER, {**CLAIMS, "iss": 42}),
    "kid is an array": lambda: raw_token({**HEADER, "kid": [KID]}, CLAIMS),
    "kid is an object, iss the registry's own": lambda: raw_token(
        {"alg": "ES256", "kid": {"k": 1}}, {**CLAIMS, "iss": SETTINGS.issuer}
    ),
    "alg is an array": lambda: raw_token({**HEADER, "alg": ["RS256"]}, CLAIMS),
    "header is a JSON array": lambda: raw_token(["RS256"], CLAIMS),
    "header is a JSON string": lambda: raw_token("RS256", CLAIMS),
    "claims are a JSON array": lambda: raw_token(HEADER, [CLAIMS]),
    "claims are JSON null": lambda: raw_token(HEADER, None),
    "header is not JSON": lambda: f"{b64(b'not json')}.{b64(b'{}')}.c2ln",
    "claims are not UTF-8": lambda: f"{b64(b'{}')}.{b64(bytes([0xFF, 0xFE, 0x7B]))}.c2ln",
    "not base64url": lambda: "eyJ!!!.eyJ***.c2ln",
    "base64url of impossible length": lambda: "eyJhb.eyJhb.c2ln",
    "two parts": lambda: f"{b64(b'{}')}.{b64(b'{}')}",
    "four parts": lambda: raw_token(HEADER, CLAIMS) + ".extra",
    "only dots": lambda: "..",
    "claims nested 5,000 levels deep": lambda: f"{b64(b'{}')}.{b64(NESTED.encode())}.c2ln",
    "a 1 MiB token": lambda: raw_token(HEADER, {**CLAIMS, "pad": "x" * 2**20}),
}
# Signed by the trusted issuer's real key: they pass the signature, so the claims are used.
SIGNED = {
    "aud is an object": {"aud": {"value": AUDIENCE}},
    "exp is a string": {"exp": "tomorrow"},
    "exp is past the year 9999": {"exp": 1e300},
    "exp is true": {"exp": True},
    "iat is a string": {"iat": "today"},
    "iat is negative": {"iat": -1e300},
    "client_id is an array": {"client_id": ["mc_AAAAAAAAAAAAAAAAAAAAAAAA"]},
    "sub is an object": {"sub": {"id": "province-sis"}},
    "scope is an array": {"scope": ["credentials:write"]},
    "jti is a number": {"jti": 7},
    "provider is an array": {"provider": ["north-college"]},
    "caller has control characters": {"sub": "province-sis\r\nx-admin: yes"},
    "no caller at all": {"sub": None},
}


@pytest.mark.parametrize("form", [*UNSIGNED, *SIGNED])
async def test_malformed_tokens_are_a_401_invalid_token_never_a_500(registry, key, form):
    """Threat: denial of service and error leakage through malformed tokens. Claims and
    headers of the wrong JSON type, non-objects, non-base64 and huge tokens must get the
    RFC 6750 challenge (401 invalid_token), never an unhandled exception (500)."""
    token = UNSIGNED[form]() if form in UNSIGNED else mint(key, **SIGNED[form])
    assert_invalid_token(await graphql(registry, VIEWER, token=token))


async def test_an_external_caller_keeps_idempotency_keys_of_its_own(registry, key, victim):
    """Threat: issuer confusion in replays. An external caller's Idempotency-Key is its own
    (it answered 500 once the caller stopped sharing a registered client's ID), and replays
    its own answer."""
    token = impersonating(key, victim.client_id)
    body = {"query": CREATE, "variables": {"input": draft("NORTH-EXT-2", "north.example.ca")}}
    headers = {"authorization": f"Bearer {token}", "idempotency-key": "create-north-ext-2"}
    first = await registry.post("/graphql", json=body, headers=headers)
    again = await registry.post("/graphql", json=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("idempotent-replayed") == "true" and again.json() == first.json()
