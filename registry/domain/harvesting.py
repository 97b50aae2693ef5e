"""Harvest sources: the rules for where the registry may fetch listings from, and when a
harvested listing is retired.

A source is authoritative for its listings. A listing missing from a complete snapshot of its
source is retired only once two successful runs in a row have confirmed its absence, so that
one truncated or half-published file does not retire a provider's catalogue; a run that fails
(unreachable, an error status, malformed, over a limit) retires nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from registry.domain.enums import HarvestSourceKind
from registry.domain.errors import Problem
from registry.domain.ids import CTID
from registry.domain.outbound_addresses import check_url

# The sources that are a complete snapshot of one provider's listings (its own file, or what
# it owns in Credential Engine's registry), and the importer's format each is read with.
SNAPSHOT_FORMATS = {
    HarvestSourceKind.CTDL: "ctdl",
    HarvestSourceKind.JSONL: "jsonl",
    HarvestSourceKind.CSV: "csv",
    HarvestSourceKind.CREDENTIAL_ENGINE: "ctdl",
}
ABSENT_RUNS_TO_RETIRE = 2
MAX_PROBLEMS = 500  # kept per run
MIN_EVERY_MINUTES, MAX_EVERY_MINUTES = 5, 44_640  # five minutes to a month
DEFAULT_EVERY_MINUTES = 1440


@dataclass(frozen=True)
class Limits:
    """How much one run of a source may take: a hostile or broken source cannot exhaust the
    process that runs it."""

    max_bytes: int = 50 * 2**20  # one answer
    max_seconds: float = 120.0  # one request
    max_objects: int = 100_000  # a file's listings; a feed's changes in one run
    max_run_seconds: float = 1800.0  # a feed's run, which then goes on at the next run


@dataclass(frozen=True)
class HarvestSource:
    """A place the registry fetches listings from, and what it remembers of the last fetch."""

    id: UUID
    kind: str
    url: str
    provider_id: UUID | None
    every_minutes: int
    enabled: bool
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    created_at: datetime
    next_run_at: datetime
    cursor: str | None = None  # a feed's: where the next run goes on from
    organization_ctid: str | None = None  # a CREDENTIAL_ENGINE source's organisation there


@dataclass(frozen=True)
class HarvestRun:
    """One run of a source: what it did, and the problems it met."""

    id: UUID
    source_id: UUID
    started_at: datetime
    finished_at: datetime | None
    succeeded: bool | None
    not_modified: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    failed: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ListingSource:
    """Where a harvested listing came from: its source, its own address there, when the source
    last gave it, and the hash of what it gave."""

    credential_id: UUID
    source: HarvestSource
    url: str
    fetched_at: datetime
    content_hash: str


def content_hash(content: Any) -> str:
    """The SHA-256 of a listing as a source gave it (JSON-ready values, keys in any order)."""
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


OUTCOMES = ("created", "updated", "unchanged", "retired", "failed")
# A listing met several times in one run counts under the outcome that weighs most.
MERGED_OUTCOME_RANK = ("unchanged", "failed", "updated", "created", "retired")


@dataclass
class RunCounts:
    """What a run has done so far, listing by listing, and the problems it met."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    failed: int = 0
    problems: list[dict[str, str]] = field(default_factory=list)
    outcomes: dict[str, str] = field(default_factory=dict)  # by listing, for those met more than once
    problems_left_out: int = 0

    def count(self, outcome: str, listing: str | None = None) -> None:
        """One more listing with ``outcome`` (one of OUTCOMES). A ``listing`` met again in the
        same run (a feed names a listing at each of its changes) is counted once, under what
        weighs most of what happened to it (MERGED_OUTCOME_RANK)."""
        if listing is not None:
            earlier = self.outcomes.get(listing)
            if earlier is not None:
                setattr(self, earlier, getattr(self, earlier) - 1)
                outcome = max(earlier, outcome, key=MERGED_OUTCOME_RANK.index)
            self.outcomes[listing] = outcome
        setattr(self, outcome, getattr(self, outcome) + 1)

    def problem(self, where: str, message: str, code: str = "SOURCE_FAILED") -> None:
        """Note a problem at ``where`` (a line, an object, a listing of the source); past
        MAX_PROBLEMS, only counted (a hostile or broken source cannot grow a run's record)."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append({"field": where[:300], "code": code, "message": message[:1000]})
        else:
            self.problems_left_out += 1

    def recorded_problems(self) -> list[dict[str, str]]:
        """The problems as the run's record keeps them, with how many were left out."""
        if not self.problems_left_out:
            return self.problems
        more = f"{self.problems_left_out} more problems were left out of this record."
        return [*self.problems, {"field": "source", "code": "MORE_PROBLEMS", "message": more}]

    def totals(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in OUTCOMES}

    def read(self) -> int:
        """How many of the source's listings were read (written or found unchanged)."""
        return self.created + self.updated + self.unchanged


@dataclass(frozen=True)
class RunTicket:
    """A run in progress: its source, its ID, and the lease that holds the source for it."""

    source: HarvestSource
    run_id: UUID
    lease: UUID

    @property
    def actor(self) -> str:
        """Who the run's changes are by, in the listings' history: `harvest:<run ID>`."""
        return f"harvest:{self.run_id}"


@dataclass(frozen=True)
class SourceSpec:
    """A source an operator asks to add: its kind, address, schedule, and whose it is."""

    kind: str
    url: str
    every_minutes: int = DEFAULT_EVERY_MINUTES
    provider_slug: str | None = None
    organization_ctid: str | None = None  # a CREDENTIAL_ENGINE source's organisation there


def check_source(spec: SourceSpec, *, allow_loopback: bool, allow_private: bool) -> list[Problem]:
    """Every rule a new source must follow; an empty list means it may be added."""
    problems: list[Problem] = []
    if spec.kind not in HarvestSourceKind.__members__:
        problems.append(Problem(("kind",), "INVALID_KIND", f"{spec.kind!r} is not a kind of source."))
    else:
        problems += _owner_problems(HarvestSourceKind(spec.kind), spec)
    problems += check_url(spec.url, allow_loopback=allow_loopback, allow_private=allow_private)
    if not MIN_EVERY_MINUTES <= spec.every_minutes <= MAX_EVERY_MINUTES:
        problems.append(
            Problem(
                ("everyMinutes",),
                "INVALID_SCHEDULE",
                f"A source runs every {MIN_EVERY_MINUTES} to {MAX_EVERY_MINUTES} minutes.",
            )
        )
    return problems


def _owner_problems(kind: HarvestSourceKind, spec: SourceSpec) -> list[Problem]:
    """A feed carries its own providers; every other source is one provider's, and a Credential
    Engine source also names the organisation there that provider publishes as."""
    problems = []
    if kind == HarvestSourceKind.MICROCRED_FEED and spec.provider_slug is not None:
        problems.append(Problem(("provider",), "NO_PROVIDER", "A feed carries its own providers: name none."))
    if kind != HarvestSourceKind.MICROCRED_FEED and spec.provider_slug is None:
        problems.append(
            Problem(("provider",), "PROVIDER_REQUIRED", f"A {kind} source belongs to one provider: name it.")
        )
    if kind == HarvestSourceKind.CREDENTIAL_ENGINE:
        if spec.organization_ctid is None or not CTID.fullmatch(spec.organization_ctid):
            problems.append(
                Problem(
                    ("organization",),
                    "ORGANIZATION_REQUIRED",
                    "Name the organisation's CTID in the Credential Engine registry (ce-<uuid>).",
                )
            )
    elif spec.organization_ctid is not None:
        problems.append(Problem(("organization",), "NO_ORGANIZATION", "Only a CREDENTIAL_ENGINE source names one."))
    return problems


@dataclass(frozen=True)
class Harvested:
    """That a listing is harvested: from which source (ID and URL), and whether an operator
    has detached it from that source since."""

    source_id: UUID
    url: str
    detached: bool = False


def refusal(field: tuple[str, ...], harvested: Harvested | None, writer: UUID | None) -> Problem | None:
    """Why a write by ``writer`` (a source's ID, or None for the API and imports) to a listing
    is refused: a harvested listing is its source's alone, and a detached one no source's."""
    if harvested is None:
        return None
    if harvested.detached:  # this registry's now: written through the API and imports, by no source
        if writer is None:
            return None
        return Problem(field, "DETACHED", "An operator detached this listing from its source: it is written here now.")
    if writer == harvested.source_id:
        return None
    return Problem(field, "HARVESTED", f"This listing is harvested from {harvested.url}: change it there.")


def feed_takes(held_here: bool, harvested: Harvested | None, feed: UUID) -> bool:
    """Whether another registry's feed may write a listing: one this registry does not hold, or
    one it holds from that feed. Unlike a provider's own file, a feed never takes over a listing
    written here (two registries following each other would otherwise take each other's), nor
    one harvested from another source."""
    if not held_here:
        return True
    return harvested is not None and harvested.source_id == feed and not harvested.detached


def read_well(read: int, failed: int) -> bool:
    """Whether a run read its source well enough to say what is missing from it: at least one
    listing read, and no more failed than read. An error page, an empty body or a truncated
    document served with 200 must not retire a catalogue."""
    return read > 0 and failed <= read


def retires(absent_runs: int) -> bool:
    """Whether a listing missing from this many successful runs in a row is retired."""
    return absent_runs >= ABSENT_RUNS_TO_RETIRE
