"""Delivering webhooks: at least once, signed, retried with backoff, from the outbox.

Any number of workers may run: each claims due deliveries with FOR UPDATE SKIP LOCKED and
leases them for a while, so a worker that dies only delays its deliveries.

Every POST carries:
  X-Microcred-Event-Id   the change's ID, the same on every retry (de-duplicate on it);
  X-Microcred-Signature  t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the webhook's secret>.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import random
import time

import httpx
from cryptography.fernet import Fernet
from prometheus_client import Counter

from registry.config import Settings
from registry.db import Database
from registry.domain import ids
from registry.services import outbound
from registry.store import webhooks
from registry.store.webhooks import DueDelivery

# The worker's own measure; /metrics (registry.http.metrics) serves every registered metric.
WEBHOOK_FAILURES = Counter("microcred_webhook_failures_total", "Failed webhook delivery attempts.", ["retrying"])

log = logging.getLogger("microcred.webhooks")
BATCH = 20
LEASE_SECONDS = 60.0
TIMEOUT_SECONDS = 10.0
MAX_RETRY_SECONDS = 3600.0


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The X-Microcred-Signature value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event_body(claimed: DueDelivery) -> bytes:
    """The JSON body of one event."""
    event: dict[str, str | int] = {
        "id": f"chg-{claimed.seq}",
        "kind": claimed.kind,
        "credentialId": ids.encode("Credential", claimed.credential_id),
        "version": claimed.version,
        "at": claimed.at.isoformat(),
    }
    if claimed.recognition_id:
        event["recognitionId"] = ids.encode("Recognition", claimed.recognition_id)
    if claimed.offering_id:
        event["offeringId"] = ids.encode("Offering", claimed.offering_id)
    return json.dumps(event, separators=(",", ":")).encode()


def retry_delay(attempts: int, base: float) -> float:
    """Exponential backoff with jitter: about base, 2 base, 4 base... up to an hour."""
    return min(base * 2.0 ** (attempts - 1), MAX_RETRY_SECONDS) * random.uniform(0.5, 1.5)


class Worker:
    """Sends due deliveries until stopped."""

    def __init__(self, db: Database, settings: Settings, cipher: Fernet) -> None:
        self.db, self.settings, self.cipher = db, settings, cipher
        self._in_flight: set[int] = set()  # deliveries sent and not yet answered

    async def run_once(self, http: httpx.AsyncClient) -> int:
        """Claim and send one batch; returns how many deliveries were attempted."""
        claimed = await webhooks.claim_due(self.db, BATCH, LEASE_SECONDS)
        await asyncio.gather(*(self._send(http, item) for item in claimed))
        return len(claimed)

    async def run(self, stop: asyncio.Event, idle_seconds: float = 1.0) -> None:
        """Deliver until ``stop`` is set, resting when nothing is due.

        Stopping lets the deliveries in progress finish for up to ``drain_seconds``; those
        still unanswered then are released at once for another worker, not left leased."""
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False) as http:
            while not stop.is_set():
                batch = asyncio.ensure_future(self._round(http))
                stopping = asyncio.ensure_future(stop.wait())
                await asyncio.wait({batch, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if not batch.done():
                    await self._drain(batch)
                    stopping.cancel()
                    return
                stopping.cancel()
                if not batch.result():
                    try:
                        await asyncio.wait_for(stop.wait(), idle_seconds)
                    except asyncio.TimeoutError:
                        pass

    async def _round(self, http: httpx.AsyncClient) -> int:
        try:
            return await self.run_once(http)
        except Exception:  # a worker must outlive a bad moment of the database
            log.exception("webhook delivery round failed")
            return 0

    async def _drain(self, batch: asyncio.Future[int]) -> None:
        done, _ = await asyncio.wait({batch}, timeout=self.settings.drain_seconds)
        if done:
            return
        unanswered = sorted(self._in_flight)  # taken first: cancelling empties it
        batch.cancel()
        await asyncio.gather(batch, return_exceptions=True)
        if unanswered:
            released = await webhooks.release(self.db, unanswered)
            log.warning("stopping: released %d unanswered webhook deliveries for another worker", released)

    async def _send(self, http: httpx.AsyncClient, claimed: DueDelivery) -> None:
        self._in_flight.add(claimed.id)
        try:
            await self._deliver(http, claimed)
        finally:
            self._in_flight.discard(claimed.id)

    async def _deliver(self, http: httpx.AsyncClient, claimed: DueDelivery) -> None:
        body = event_body(claimed)
        secret = self.cipher.decrypt(claimed.secret_encrypted).decode()
        headers = {
            "content-type": "application/json",
            "user-agent": "microcred-webhooks/1",
            "x-microcred-event-id": f"chg-{claimed.seq}",
            "x-microcred-signature": signature(secret, int(time.time()), body),
        }
        try:
            target = await outbound.pinned(claimed.url, self.settings)
            response = await http.post(
                target.url, content=body, headers={**headers, **target.headers}, extensions=target.extensions
            )
        except outbound.Blocked as blocked:
            await self._failed(claimed, None, str(blocked), retry=False)
            return
        except (httpx.HTTPError, OSError) as error:  # timeouts, refused connections, DNS failures
            await self._failed(claimed, None, f"{type(error).__name__}: {error}", retry=True)
            return
        if 200 <= response.status_code < 300:
            await webhooks.delivered(self.db, claimed.id, response.status_code)
        else:
            retry = response.status_code >= 500 or response.status_code in {408, 429}
            await self._failed(claimed, response.status_code, f"HTTP {response.status_code}", retry=retry)

    async def _failed(self, claimed: DueDelivery, status: int | None, error: str, *, retry: bool) -> None:
        WEBHOOK_FAILURES.labels("yes" if retry else "no").inc()
        delay = retry_delay(claimed.attempts, self.settings.webhook_retry_base_seconds) if retry else None
        await webhooks.failed(
            self.db,
            claimed.id,
            claimed.webhook_id,
            status_code=status,
            error=error,
            retry_in=delay,
            give_up_after_hours=self.settings.webhook_give_up_hours,
        )
