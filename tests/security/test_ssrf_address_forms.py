"""SSRF through webhook URLs: no address form reaches loopback, link-local, metadata or other
internal addresses, neither when a webhook is registered nor when it is delivered.

Registration goes through the real GraphQL `registerWebhook` mutation with a real token of a
provider's `webhooks:manage` client, against the app both by default and with
`webhooks_allow_private`. Delivery runs the real worker against real loopback listeners that
record every TCP connection: a refused form must not even open one.
"""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from auth.secrets import fernet
from registry.app import create_app
from registry.services import operators
from registry.services.webhook_delivery import Worker
from registry.store import webhooks as webhook_store
from tests.support.apps import SETTINGS
from tests.support.listeners import ipv6_loopback_available, recording_listener
from tests.support.parties import Credentials, access_token

PRIVATE_SETTINGS = dataclasses.replace(SETTINGS, webhooks_allow_private=True)
SETTINGS_BY_NAME = {"default": SETTINGS, "allow-private": PRIVATE_SETTINGS}
REGISTER = """
mutation($input: RegisterWebhookInput!) {
  registerWebhook(input: $input) { webhook { id url } userErrors { field code message } }
}
"""
CREATE = """
mutation($input: CreateCredentialInput!) {
  createCredential(input: $input) { credential { id } userErrors { field code message } }
}
"""
# Long enough for a refused delivery to show up as a connection, short enough not to stall
# when the old code is run against these tests and tries an unroutable address.
DELIVERY_TIMEOUT_SECONDS = 1.0


@dataclasses.dataclass
class Registry:
    """The app under both settings on one database, and tokens of the North College clients."""

    clients: dict[str, httpx.AsyncClient]  # by setting name
    hooks_token: str  # webhooks:manage, bound to North College
    hooks_client_id: str
    listings_token: str  # credentials:write for North College


async def graphql(client: httpx.AsyncClient, query: str, variables: dict, token: str) -> dict:
    """The JSON body of a GraphQL POST made with ``token``."""
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
async def registry(db_dsn, parties, db):
    """Two apps on one fresh database: default settings and allow-private."""
    hooks = await operators.register_client(
        db, name="North hooks", scopes=["webhooks:manage"], provider_id=parties.provider_id
    )
    apps = {name: create_app(settings, db_dsn) for name, settings in SETTINGS_BY_NAME.items()}
    async with (
        apps["default"].router.lifespan_context(apps["default"]),
        apps["allow-private"].router.lifespan_context(apps["allow-private"]),
    ):
        clients = {
            name: httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://registry.test")
            for name, app in apps.items()
        }
        try:
            default = clients["default"]
            yield Registry(
                clients=clients,
                hooks_token=await access_token(default, Credentials(hooks.client_id, hooks.client_secret)),
                hooks_client_id=hooks.client_id,
                listings_token=await access_token(default, parties.provider),
            )
        finally:
            for client in clients.values():
                await client.aclose()


async def registration_verdicts(registry: Registry, urls: list[str]) -> dict[tuple[str, str], object]:
    """For each URL and setting: the userErrors of registerWebhook, or "registered"."""
    verdicts = {}
    for setting, client in registry.clients.items():
        for url in urls:
            body = await graphql(client, REGISTER, {"input": {"url": url}}, registry.hooks_token)
            assert "errors" not in body, body
            payload = body["data"]["registerWebhook"]
            verdicts[url, setting] = (
                [(tuple(e["field"]), e["code"]) for e in payload["userErrors"]]
                if payload["userErrors"]
                else "registered"
            )
            assert (payload["webhook"] is None) == bool(payload["userErrors"])
    return verdicts


def refused_everywhere(urls: list[str], code: str) -> dict[tuple[str, str], object]:
    """The verdicts expected when every URL is refused with ``code`` on the url field, under both settings."""
    return {(url, setting): [(("url",), code)] for setting in SETTINGS_BY_NAME for url in urls}


async def test_registration_refuses_mapped_and_unspecified_forms_of_loopback_and_metadata(registry):
    """Threat: the audit's reproductions: [::ffff:127.0.0.1], 0.0.0.0 and [::ffff:169.254.169.254] reaching
    loopback and link-local listeners through a block list, plus their IPv6 and name kin."""
    urls = [
        "https://[::ffff:127.0.0.1]:9999/",
        "https://0.0.0.0:9999/",
        "https://[::ffff:169.254.169.254]/",
        "https://[::ffff:7f00:1]/",
        "https://[::ffff:0.0.0.0]/",
        "https://[::ffff:0:127.0.0.1]/",
        "https://[::127.0.0.1]/",
        "https://[::]/",
        "https://[::1]/",
        "https://127.0.0.1/",
        "https://localhost/",
        "https://hooks.localhost/",
    ]
    assert await registration_verdicts(registry, urls) == refused_everywhere(urls, "FORBIDDEN_ADDRESS")


async def test_registration_refuses_6to4_nat64_and_teredo_wrappers_of_internal_addresses(registry):
    """Threat: 2002::/16, 64:ff9b::/96, 64:ff9b:1::/48 and Teredo carrying 127.0.0.1 or metadata past an
    IPv6-only check (6to4 passed by default before)."""
    urls = [
        "https://[2002:7f00:1::]/",
        "https://[2002:a9fe:a9fe::]/",
        "https://[64:ff9b::7f00:1]/",
        "https://[64:ff9b::a9fe:a9fe]/",
        "https://[64:ff9b:1::a9fe:a9fe]/",
        "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
    ]
    assert await registration_verdicts(registry, urls) == refused_everywhere(urls, "FORBIDDEN_ADDRESS")


async def test_registration_refuses_shared_space_and_cloud_metadata_even_with_allow_private(registry):
    """Threat: cloud metadata (instance credentials) at 169.254.169.254, 100.100.100.200 (in 100.64.0.0/10,
    which passed by default) and fd00:ec2::254 (inside the ULA range allow-private opens)."""
    urls = [
        "https://169.254.169.254/latest/meta-data/",
        "https://100.100.100.200/",
        "https://100.64.0.1/",
        "https://[fd00:ec2::254]/",
        "https://192.0.0.192/",
    ]
    assert await registration_verdicts(registry, urls) == refused_everywhere(urls, "FORBIDDEN_ADDRESS")


async def test_registration_refuses_link_local_multicast_broadcast_reserved_and_documentation(registry):
    """Threat: special-purpose ranges Python calls private, which allow-private used to open."""
    urls = [
        "https://169.254.1.1/",
        "https://[fe80::1]/",
        "https://[fe80::1%25eth0]/",
        "https://224.0.0.1/",
        "https://[ff02::1]/",
        "https://255.255.255.255/",
        "https://240.0.0.1/",
        "https://192.0.2.1/",
        "https://[2001:db8::1]/",
        "https://198.18.0.1/",
    ]
    assert await registration_verdicts(registry, urls) == refused_everywhere(urls, "FORBIDDEN_ADDRESS")


async def test_registration_refuses_numeric_host_forms_as_ambiguous(registry):
    """Threat: parser differentials: decimal, hex, octal, short and full-width forms of 127.0.0.1 that a
    check reads as names while the resolver reads them as loopback."""
    urls = [
        "https://2130706433/",
        "https://0x7f.1/",
        "https://127.1/",
        "https://0177.0.0.1/",
        "https://0x7f000001/",
        "https://127.0.0.1./",
        "https://\uff11\uff12\uff17.\uff10.\uff10.\uff11/",
    ]
    assert await registration_verdicts(registry, urls) == refused_everywhere(urls, "AMBIGUOUS_ADDRESS")


async def test_allow_private_opens_rfc1918_and_unique_local_addresses_only(registry):
    """Threat: private ranges reachable without the operator's opt-in (10.1.2.3 passed by default
    before), and the opt-in opening more than RFC 1918 and fc00::/7."""
    urls = [
        "https://10.1.2.3/",
        "https://172.16.0.1/",
        "https://192.168.1.1/",
        "https://[fd12:3456::1]/",
        "https://hooks.example.com/x",
    ]
    forbidden = [(("url",), "FORBIDDEN_ADDRESS")]
    assert await registration_verdicts(registry, urls) == {
        **{(url, "default"): forbidden for url in urls[:4]},
        **{(url, "allow-private"): "registered" for url in urls[:4]},
        ("https://hooks.example.com/x", "default"): "registered",
        ("https://hooks.example.com/x", "allow-private"): "registered",
    }


async def stored_webhook(db, registry: Registry, url: str) -> None:
    """A webhook stored as it is, past registration: one registered before these rules, or by a bug."""
    await webhook_store.create(
        db,
        client_id=registry.hooks_client_id,
        url=url,
        secret_encrypted=fernet(SETTINGS).encrypt(b"receiver-secret-0123456789"),
        kinds=[],
        jurisdiction=None,
    )


async def a_change(registry: Registry, external_id: str) -> None:
    """Create a draft listing of North College: one change, queued for its webhook."""
    draft = {
        "credential": {
            "externalId": external_id,
            "title": [{"lang": "en", "value": "Welding Safety"}],
            "workloadHours": 20,
            "deliveryMode": "ONLINE",
            "pace": "SELF_PACED",
            "assessment": "PROJECT",
            "url": "https://north.example.ca/welding-safety",
            "occupationCodes": [],
        }
    }
    body = await graphql(registry.clients["default"], CREATE, {"input": draft}, registry.listings_token)
    assert body["data"]["createCredential"]["userErrors"] == [], body


async def deliver_once(db, settings) -> None:
    """One round of the real worker under ``settings``."""
    async with httpx.AsyncClient(timeout=DELIVERY_TIMEOUT_SECONDS) as http:
        await Worker(db, settings, fernet(settings)).run_once(http)


async def delivery_outcomes(db) -> list[tuple[str, int, int | None]]:
    """(status, attempts, HTTP status answered) of every delivery, oldest first."""
    rows = await db.fetch(
        "select status::text as status, attempts, last_status_code from webhook_deliveries order by id"
    )
    return [(row["status"], row["attempts"], row["last_status_code"]) for row in rows]


async def assert_refused_without_contact(db, registry: Registry, url: str, listener, settings_by_name) -> None:
    """Deliver one change to ``url`` under each setting; each is refused for good and nobody connects."""
    await stored_webhook(db, registry, url)
    for n, settings in enumerate(settings_by_name.values()):
        await a_change(registry, f"SSRF-{n}")
        await deliver_once(db, settings)
    assert listener.peers == [], f"{url} reached the loopback listener"
    # FAILED after one attempt with no HTTP answer: refused outright. A connection that failed
    # would stay PENDING for a retry, as if the network were down.
    assert await delivery_outcomes(db) == [("FAILED", 1, None)] * len(settings_by_name)


LOOPBACK_FORMS = [
    ("https://0.0.0.0:{port}/hook", "127.0.0.1"),
    ("https://[::ffff:127.0.0.1]:{port}/hook", "127.0.0.1"),
    ("https://[::ffff:7f00:1]:{port}/hook", "127.0.0.1"),
    ("https://[::ffff:0.0.0.0]:{port}/hook", "127.0.0.1"),
    ("https://[::]:{port}/hook", "::1"),
]


@pytest.mark.parametrize(("form", "listener_host"), LOOPBACK_FORMS, ids=[form for form, _ in LOOPBACK_FORMS])
async def test_delivery_never_connects_to_loopback_through_unspecified_or_mapped_forms(
    registry, db, form, listener_host
):
    """Threat: a stored webhook at 0.0.0.0, :: or an IPv4-mapped loopback address makes the worker connect to the
    registry's own loopback services (the audit's MICROCRED_WEBHOOKS_ALLOW_PRIVATE=1 reproduction)."""
    if listener_host == "::1" and not ipv6_loopback_available():
        pytest.skip("no IPv6 loopback on this machine")
    with recording_listener(listener_host) as listener:
        await assert_refused_without_contact(db, registry, form.format(port=listener.port), listener, SETTINGS_BY_NAME)


NUMERIC_FORMS = [
    "https://2130706433:{port}/hook",
    "https://0x7f.1:{port}/hook",
    "https://127.1:{port}/hook",
    "https://0177.0.0.1:{port}/hook",
]


@pytest.mark.parametrize("form", NUMERIC_FORMS)
async def test_delivery_never_hands_a_numeric_host_to_the_resolver(registry, db, form):
    """Threat: parser differential at delivery: the resolver reads 0x7f.1 as an address the check never judged.

    Loopback is allowed here on purpose: the refusal must come from the form itself, not from
    what the resolver happens to make of it."""
    loopback_allowed = {
        name: dataclasses.replace(settings, webhooks_allow_loopback=True) for name, settings in SETTINGS_BY_NAME.items()
    }
    with recording_listener("127.0.0.1") as listener:
        await assert_refused_without_contact(db, registry, form.format(port=listener.port), listener, loopback_allowed)


# NAT64 forms are left out here: the old block list already refused them at delivery (Python
# calls 64:ff9b::/96 reserved); the registration and unit tests cover them.
WRAPPED_FORMS = [
    "https://[2002:7f00:1::]:{port}/hook",
    "https://[2002:a9fe:a9fe::]:{port}/hook",
    "https://100.100.100.200:{port}/hook",
    "https://100.64.0.1:{port}/hook",
]


@pytest.mark.parametrize("form", WRAPPED_FORMS)
async def test_delivery_refuses_6to4_and_shared_space_before_connecting(registry, db, form):
    """Threat: by default, 6to4 wrappers of loopback or metadata and 100.64.0.0/10 (Alibaba's metadata
    address) were dialled: the worker must refuse them outright, not try and retry them as a network failure."""
    with recording_listener("127.0.0.1") as listener:
        await assert_refused_without_contact(db, registry, form.format(port=listener.port), listener, SETTINGS_BY_NAME)
