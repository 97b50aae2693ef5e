"""The registry's records as plain, immutable values: what the store returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

LanguageMap = dict[str, str]


@dataclass(frozen=True, slots=True)
class Provider:
    """An institution that awards credentials."""

    id: UUID
    slug: str
    name: LanguageMap
    kind: str
    jurisdiction: str
    website: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Authority:
    """A body (ministry, regulator, industry association...) that recognises credentials."""

    id: UUID
    slug: str
    name: LanguageMap
    kind: str
    jurisdiction: str
    website: str | None


@dataclass(frozen=True, slots=True)
class Skill:
    """A skill from a taxonomy (scheme + code), with a label per language."""

    id: UUID
    scheme: str
    code: str
    label: LanguageMap


@dataclass(frozen=True, slots=True)
class Occupation:
    """An occupation from a classification (NOC 2021, ISCO, SOC...)."""

    id: UUID
    scheme: str
    code: str
    title: LanguageMap
    # Loaded with the occupation's own page or search, not with every listing it tags (None).
    definition: LanguageMap | None = None
    example_titles: dict[str, list[str]] | None = None  # the job titles people use, per language


@dataclass(frozen=True, slots=True)
class Recognition:
    """An authority's recognition of a credential, valid for a period unless revoked."""

    id: UUID
    credential_id: UUID
    authority_id: UUID
    kind: str
    valid_from: date
    valid_until: date | None
    note: str | None
    created_at: datetime
    revoked_at: datetime | None

    def is_active(self, today: date) -> bool:
        """In force on ``today``: not revoked, started, not expired."""
        return (
            self.revoked_at is None
            and self.valid_from <= today
            and (self.valid_until is None or today <= self.valid_until)
        )


@dataclass(frozen=True, slots=True)
class CredentialLink:
    """A stackability relation from one listing to another."""

    from_id: UUID
    to_id: UUID
    kind: str


@dataclass(frozen=True, slots=True)
class PathwayStep:
    """A listing on the stack around another, reached through PART_OF and PREPARES_FOR links:
    one it leads to (``LEADS_TO``, following the links) or builds on (``BUILDS_ON``, against
    them), ``depth`` links away at the nearest, ``kind`` the last link on the way."""

    direction: str
    kind: str
    depth: int
    credential: "Credential"


@dataclass(frozen=True, slots=True)
class CostItem:
    """One cost of a listing besides its main cost (tuition, or the total): what it is for,
    how much, and optionally what it covers."""

    type: str
    amount: float
    currency: str
    description: LanguageMap | None = None


@dataclass(frozen=True, slots=True)
class Credential:
    """A micro-credential listing."""

    id: UUID
    provider_id: UUID
    external_id: str | None
    status: str
    credential_type: str
    title: LanguageMap
    description: LanguageMap
    learning_outcomes: list[LanguageMap]
    level_framework: str | None
    level_value: str | None
    workload_hours: float | None
    ects_credits: float | None
    duration_weeks: float | None
    delivery_mode: str | None
    pace: str | None
    languages: list[str]
    regions: list[str]
    cost_amount: float | None
    cost_currency: str | None
    assessment: str | None
    quality_assurance: str | None
    prerequisites: LanguageMap | None
    audiences: list[str]
    funding_programs: list[str]
    url: str
    version: int
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    retired_at: datetime | None
    ctid: str  # Credential Engine's identifier: kept from an import, else minted once (ids.mint_ctid)
    level_reason: str | None = None
    keywords: dict[str, list[str]] = field(default_factory=dict)
    cost_items: list[CostItem] = field(default_factory=list)
    last_verified_at: datetime | None = None  # when its provider last confirmed it current (or wrote it)


@dataclass(frozen=True, slots=True)
class CredentialVersion:
    """One entry of a listing's append-only history."""

    credential_id: UUID
    version: int
    kind: str
    changed_at: datetime
    actor: str
    snapshot: dict[str, Any]
    note: str | None = None
