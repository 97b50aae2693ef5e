"""The rate-limit charges of this process, admitted on a local estimate and settled with
PostgreSQL in batches.

Each caller's leaky bucket lives in PostgreSQL (registry.store.rate_buckets), shared by every
process and machine. Sending each request's charge there would cost a statement a request, so
a process keeps, per bucket, the level PostgreSQL last answered, lets it leak at the bucket's
rate, and adds what it has charged since. A charge is admitted without SQL when that estimate
has room for it and the process's unsettled charges for the bucket stay within the threshold
(a fraction of the capacity, 10% by default). Otherwise the unsettled charges are settled and
the decision is taken on the exact level, in one statement (two when refused: the refusal
settles what was admitted before). Every second, and when the app stops, every bucket's
unsettled charges are settled, one statement per restore rate.

An operation is charged what it asks for before it runs, and given back afterwards what its
answer did not use (``refund``, sent with the next settlement in the amount leaking has left of
the charge by then, and never sent twice): a bucket ends up charged about the actual cost of
what it was answered, as Shopify's API does, and never less.

The bound: a process never holds more than the threshold of unsettled charges for a bucket,
and all its estimate can miss is what other processes charged since it last settled. Once a
bucket is past its capacity, each process admits at most its threshold more before a
settlement shows it the excess. So with N processes charging one bucket, what it admits stays
within its capacity plus N times the threshold (plus what leaked meanwhile); its level in
PostgreSQL may exceed the capacity by as much, and it then refuses until the excess has
leaked. A process that dies loses its unsettled charges (at most the threshold per bucket).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from registry.db import Executor, is_unavailable
from registry.store import rate_buckets

log = logging.getLogger(__name__)

THRESHOLD = 0.1  # a process settles a bucket once its unsettled charges would pass this fraction of the capacity
PERIOD_SECONDS = 1.0  # and settles every bucket's unsettled charges this often


@dataclass(frozen=True)
class Decision:
    """Whether a charge was admitted, and the bucket's level after it (an estimate when the
    charge was admitted locally, the level PostgreSQL answered otherwise)."""

    admitted: bool
    level: float
    at: float  # when it was decided (the ledger's clock): a refund needs the charge's age


class _Refund(NamedTuple):
    """What an operation gave back: its charge, what it turned out to owe, and when it was charged."""

    charged: float
    owed: float
    charged_at: float

    def amount(self, restore: float, now: float) -> float:
        """What to give back at ``now``: what the charge less the bucket's leak since exceeds what
        it owed less that leak. Leaking, the bucket may have drained the charge away, and giving
        back what has drained would be credit against later charges; so the amount is taken when
        it is sent, not when it was given back, and it never exceeds what the bucket still holds
        of the charge (less than that when the bucket held more before it: a refund errs on the
        side of the bucket)."""
        drained = max(0.0, now - self.charged_at) * restore
        return max(0.0, max(0.0, self.charged - drained) - max(0.0, self.owed - drained))


class _Batch(NamedTuple):
    """A settlement's charges and refunds; PostgreSQL adds the difference."""

    charges: float
    refunds: float

    @property
    def net(self) -> float:
        return self.charges - self.refunds


@dataclass
class _Account:
    """One bucket as this process knows it."""

    capacity: float
    restore: float
    settled: float = 0.0  # the level PostgreSQL last answered (none yet: empty)
    settled_at: float = 0.0  # when (this process's monotonic clock)
    answered_at: datetime | None = None  # when PostgreSQL made that level (its clock)
    pending: float = 0.0  # admitted here, not yet sent
    sending: float = 0.0  # sent, not yet answered (charges less refunds)
    refunds: list[_Refund] = field(default_factory=list)  # given back, not yet sent

    def level(self, now: float) -> float:
        """The estimated level: the last answer, less what leaked since, plus what is unsettled.
        Refunds not yet sent are left out (an estimate too high only sends a decision to
        PostgreSQL sooner)."""
        return max(0.0, self._leaked(now) + self.sending + self.pending)

    def unsettled(self) -> float:
        """What this process has admitted that PostgreSQL has not acknowledged."""
        return self.pending + self.sending

    def send(self, now: float) -> _Batch:
        """Takes the pending charges and refunds for a settlement (each refund's amount as of now)."""
        batch = _Batch(self.pending, sum(refund.amount(self.restore, now) for refund in self.refunds))
        self.pending, self.refunds = 0.0, []
        self.sending += batch.net
        return batch

    def unsend(self, batch: _Batch) -> None:
        """Puts back the charges of a batch whose settlement failed. Its refunds are dropped: the
        statement may have been applied before its answer was lost, and a refund sent twice
        would be credit (a charge sent twice only charges too much)."""
        self.sending -= batch.net
        self.pending += batch.charges

    def acknowledge(self, batch: _Batch, answer: rate_buckets.Answer, now: float) -> None:
        """A settlement of ``batch`` was answered. Concurrent settlements may answer out of
        order, and a batch may give back more than it charges, so the level kept is the one
        PostgreSQL made last, not the higher one. A batch it applied whose answer is still to
        come is then counted twice (in the level and in ``sending``) until it comes: an estimate
        too high, which only sends a decision to PostgreSQL sooner."""
        self.sending -= batch.net
        if self.answered_at is None or answer.at >= self.answered_at:
            self.settled, self.settled_at, self.answered_at = answer.level, now, answer.at

    def _leaked(self, now: float) -> float:
        return max(0.0, self.settled - (now - self.settled_at) * self.restore)


class RateLedger:
    """This process's charges to the shared cost buckets (see the module's docstring)."""

    def __init__(
        self,
        db: Executor,
        *,
        threshold: float = THRESHOLD,
        period: float = PERIOD_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db, self._threshold, self._period, self._clock = db, threshold, period, clock
        self._accounts: dict[str, _Account] = {}

    async def charge(self, key: str, cost: float, *, capacity: float, restore_per_second: float) -> Decision:
        """Charge ``cost`` to ``key``'s bucket: admitted without SQL when it fits the estimate and
        the threshold, otherwise decided on the exact level after settling."""
        account = self._accounts.get(key) or self._accounts.setdefault(key, _Account(capacity, restore_per_second))
        now = self._clock()
        if cost <= 0 or self._fits(account, cost, now):
            account.pending += max(0.0, cost)
            return Decision(True, account.level(now), now)
        return await self._decide(key, account, cost, now)

    def debit(self, key: str, cost: float, *, capacity: float, restore_per_second: float) -> float:
        """Charge ``cost`` to ``key``'s bucket whatever its level, with the next settlement: work
        already done whose price was known only afterwards (the bucket may go over its capacity,
        and later charges are refused until it has leaked back). Returns the estimated level."""
        account = self._accounts.get(key) or self._accounts.setdefault(key, _Account(capacity, restore_per_second))
        account.pending += max(0.0, cost)
        return account.level(self._clock())

    def level(self, key: str) -> float:
        """``key``'s estimated level as a caller is told it, charging nothing: refunds not yet
        sent deducted (empty for a bucket this process has forgotten or never charged: it has
        leaked empty, as far as this process knows)."""
        account = self._accounts.get(key)
        if account is None:
            return 0.0
        now = self._clock()
        return max(0.0, account.level(now) - sum(refund.amount(account.restore, now) for refund in account.refunds))

    def refund(self, key: str, charged: float, owed: float, charged_at: float) -> float:
        """Give back what a charge of ``charged`` at ``charged_at`` took beyond ``owed`` (what the
        operation turned out to cost), with the next settlement, in the amount the bucket still
        holds of the charge then (``_Refund.amount``). Nothing for a bucket this process has
        forgotten: it has leaked empty. Returns the amount as of now."""
        account = self._accounts.get(key)
        if account is None:
            return 0.0
        refund = _Refund(charged, owed, charged_at)
        account.refunds.append(refund)
        return refund.amount(account.restore, self._clock())

    def _fits(self, account: _Account, cost: float, now: float) -> bool:
        within_threshold = account.unsettled() + cost <= self._threshold * account.capacity
        return within_threshold and account.level(now) + cost <= account.capacity

    async def _decide(self, key: str, account: _Account, cost: float, now: float) -> Decision:
        """Settle ``key``'s pending charges and charge ``cost`` if the exact level has room."""
        batch = account.send(now)
        try:
            answer = await rate_buckets.charge(
                self._db, key, batch.net + cost, capacity=account.capacity, restore_per_second=account.restore
            )
            admitted = answer is not None
            if answer is None:
                answer = (await rate_buckets.settle(self._db, {key: batch.net}, restore_per_second=account.restore))[
                    key
                ]
        except BaseException:
            account.unsend(batch)
            raise
        account.acknowledge(batch, answer, self._clock())
        return Decision(admitted, answer.level, now)

    async def settle(self) -> None:
        """Send every bucket's pending charges to PostgreSQL (one statement per restore rate) and
        forget the buckets this process has nothing left to know about."""
        due: dict[float, dict[str, _Account]] = {}
        for key, account in self._accounts.items():
            if account.pending != 0 or account.refunds:
                due.setdefault(account.restore, {})[key] = account
        for restore, accounts in due.items():
            await self._settle(accounts, restore)
        self._forget_idle()

    async def _settle(self, accounts: dict[str, _Account], restore: float) -> None:
        now = self._clock()
        batches = {key: account.send(now) for key, account in accounts.items()}
        try:
            levels = await rate_buckets.settle(
                self._db, {key: batch.net for key, batch in batches.items()}, restore_per_second=restore
            )
        except BaseException:
            for key, batch in batches.items():
                accounts[key].unsend(batch)
            raise
        now = self._clock()
        for key, answer in levels.items():
            accounts[key].acknowledge(batches[key], answer, now)

    def _forget_idle(self) -> None:
        """Drops the buckets with nothing unsettled that have leaked empty: as good as unknown."""
        now = self._clock()
        idle = [key for key, a in self._accounts.items() if a.unsettled() == 0 and not a.refunds and a.level(now) == 0]
        for key in idle:
            del self._accounts[key]

    async def run(self, stop: asyncio.Event) -> None:
        """Settle every period until ``stop`` is set, then once more (nothing admitted is lost
        when the app stops)."""
        while not await _stopped(stop, self._period):
            await self._settle_reporting()
        await self._settle_reporting()

    async def _settle_reporting(self) -> None:
        try:
            await self.settle()
        except Exception as error:  # a background task: report, keep the charges, and try again next period
            if is_unavailable(error):
                log.warning("rate-limit charges not settled (database unavailable: %s); retrying", error)
            else:
                log.exception("rate-limit charges not settled; retrying")


async def _stopped(stop: asyncio.Event, seconds: float) -> bool:
    """Wait up to ``seconds``; whether ``stop`` was set."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass
    return stop.is_set()
