"""Webhooks: every event arrives, signed, despite a receiver that fails sometimes."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json

import pytest

from registry.domain.outbound_addresses import address_allowed, check_url
from registry.services import operators
from registry.services.webhook_delivery import signature
from tests.support.listings import COMPLETE, PUBLISH, create, gql
from tests.support.parties import Credentials, access_token
from tests.support.webhooks import (
    REGISTER,
    SECRET,
    WEBHOOK_SETTINGS,
    Receiver,
    deliver_all,
)

HISTORY = "{ webhooks { id disabledAt deliveries(first: 100) { eventId status attempts lastStatusCode } } }"


def verify(body: bytes, header: str, secret: str = SECRET) -> bool:
    parts = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


async def test_every_event_arrives_once_successfully_and_signed(hook_client, parties, db, receiver):
    admin = await access_token(hook_client, parties.admin)
    registered = await gql(hook_client, REGISTER, {"input": {"url": receiver.url, "secret": SECRET}}, admin)
    assert registered["data"]["registerWebhook"]["userErrors"] == []
    provider = await access_token(hook_client, parties.provider)
    for n in range(6):
        listing = (await create(hook_client, provider, externalId=f"H-{n}", **COMPLETE))["credential"]
        await gql(hook_client, PUBLISH, {"input": {"id": listing["id"]}}, provider)
    await deliver_all(db)
    expected = {f"chg-{r['seq']}" for r in await db.fetch("select seq from changes")}
    assert len(expected) == 12
    assert set(receiver.delivered()) == expected and set(receiver.delivered().values()) == {1}
    assert all(verify(body, header) for _, body, header, _ in receiver.received)
    assert any(status == 500 for *_, status in receiver.received), "the receiver never failed: nothing was retried"
    event = json.loads(receiver.received[0][1])
    assert set(event) >= {"id", "kind", "credentialId", "version", "at"}
    history = (await gql(hook_client, HISTORY, {}, admin))["data"]["webhooks"][0]["deliveries"]
    assert {d["status"] for d in history} == {"DELIVERED"} and max(d["attempts"] for d in history) >= 2


async def test_the_signature_is_an_hmac_of_timestamp_and_body():
    header = signature("s3cret", 1700000000, b'{"a":1}')
    assert header == "t=1700000000,v1=" + hmac.new(b"s3cret", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()


async def test_a_provider_webhook_does_not_see_another_providers_drafts(hook_client, parties, db, receiver):
    hooks = await operators.register_client(
        db, name="Hooks", scopes=["webhooks:manage"], provider_id=parties.other_provider_id
    )
    token = await access_token(hook_client, Credentials(hooks.client_id, hooks.client_secret))
    await gql(hook_client, REGISTER, {"input": {"url": receiver.url, "secret": SECRET}}, token)
    north = await access_token(hook_client, parties.provider)
    listing = (await create(hook_client, north, externalId="DRAFT-FIRST", **COMPLETE))["credential"]
    await deliver_all(db)
    assert receiver.received == []  # a draft of another provider
    await gql(hook_client, PUBLISH, {"input": {"id": listing["id"]}}, north)
    await deliver_all(db)
    assert [json.loads(body)["kind"] for _, body, _, _ in receiver.received] == ["PUBLISHED"]


async def test_a_webhook_failing_for_a_day_is_disabled(hook_client, parties, db):
    dead = Receiver(fail_every=1)
    admin = await access_token(hook_client, parties.admin)
    await gql(hook_client, REGISTER, {"input": {"url": dead.url, "secret": SECRET}}, admin)
    provider = await access_token(hook_client, parties.provider)
    await create(hook_client, provider, externalId="D-1")
    await db.execute("update webhooks set failing_since = now() - interval '25 hours'")
    await deliver_all(db)
    hook = (await gql(hook_client, HISTORY, {}, admin))["data"]["webhooks"][0]
    assert hook["disabledAt"] is not None and hook["deliveries"][0]["status"] == "FAILED"
    dead.server.shutdown()


async def test_deliveries_to_forbidden_addresses_are_blocked(hook_client, parties, db, receiver):
    admin = await access_token(hook_client, parties.admin)
    await gql(hook_client, REGISTER, {"input": {"url": receiver.url, "secret": SECRET}}, admin)
    provider = await access_token(hook_client, parties.provider)
    await create(hook_client, provider, externalId="S-1")
    await deliver_all(db, settings=dataclasses.replace(WEBHOOK_SETTINGS, webhooks_allow_loopback=False))
    assert receiver.received == []
    assert "may not call" in await db.fetchval("select last_error from webhook_deliveries")


@pytest.mark.parametrize("url", ["http://hooks.example.com/x", "ftp://example.com", "https://user:pw@example.com/x"])
async def test_registering_a_bad_url_is_a_user_error(hook_client, parties, url):
    admin = await access_token(hook_client, parties.admin)
    body = await gql(hook_client, REGISTER, {"input": {"url": url}}, admin)
    assert body.get("errors") or body["data"]["registerWebhook"]["userErrors"]


def test_private_and_link_local_addresses_are_refused_unless_allowed():
    assert not address_allowed("10.1.2.3", allow_loopback=True, allow_private=False)
    assert not address_allowed("169.254.169.254", allow_loopback=True, allow_private=True)
    assert not address_allowed("127.0.0.1", allow_loopback=False, allow_private=True)
    assert address_allowed("10.1.2.3", allow_loopback=False, allow_private=True)
    assert address_allowed("8.8.8.8", allow_loopback=False, allow_private=False) is True  # classified, never contacted
    assert check_url("http://127.0.0.1:9/x", allow_loopback=True, allow_private=False) == []
    assert check_url("http://127.0.0.1:9/x", allow_loopback=False, allow_private=False)[0].code == "INSECURE_URL"


async def test_webhooks_need_the_manage_scope(hook_client, parties):
    token = await access_token(hook_client, parties.provider)
    body = await gql(hook_client, REGISTER, {"input": {"url": "https://hooks.example.com/x"}}, token)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_readme_verification_snippet_accepts_real_deliveries_and_refuses_forgeries(
    hook_client, parties, db, receiver
):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    start = readme.index("```python", readme.index("def verify_signature") - 200) + len("```python")
    namespace: dict = {}
    exec(readme[start : readme.index("```", start)], namespace)  # noqa: S102 (the README's own snippet)
    verify_signature = namespace["verify_signature"]
    admin = await access_token(hook_client, parties.admin)
    await gql(hook_client, REGISTER, {"input": {"url": receiver.url, "secret": SECRET}}, admin)
    await create(hook_client, await access_token(hook_client, parties.provider), externalId="V-1")
    await deliver_all(db)
    _, body, header, _ = receiver.received[0]
    assert verify_signature(SECRET, body, header)
    assert not verify_signature("another-secret-entirely", body, header)
    assert not verify_signature(SECRET, body.replace(b"CREATED", b"RETIRED"), header)


async def test_deliveries_go_to_the_address_checked_with_the_hosts_own_name(hook_client, parties, db, receiver):
    by_name = receiver.url.replace("127.0.0.1", "localhost")
    admin = await access_token(hook_client, parties.admin)
    await gql(hook_client, REGISTER, {"input": {"url": by_name, "secret": SECRET}}, admin)
    await create(hook_client, await access_token(hook_client, parties.provider), externalId="P-1")
    await deliver_all(db)
    port = by_name.split(":")[2].split("/")[0]
    assert receiver.hosts and set(receiver.hosts) == {f"localhost:{port}"}
