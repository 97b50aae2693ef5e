"""What a search asks for, who is asking, and the rules a search request must follow."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from registry.domain.currency import DEFAULT_STALE_AFTER_DAYS
from registry.domain.enums import (
    Audience,
    CredentialOrder,
    CredentialType,
    DeliveryMode,
    Pace,
    ScheduleTiming,
    not_of,
)
from registry.domain.errors import Problem
from registry.domain.language import is_language_tag
from registry.domain.local_dates import dates_everywhere
from registry.domain.records import LanguageMap

MAX_PAGE_SIZE = 100
# The cost facet's ceilings (0: free), each a `maxCost` a portal can offer as a filter.
COST_CEILINGS = (0, 500, 1000, 2500)
# The workload facet's ranges of hours, (min, max or None), each a min/max filter pair.
WORKLOAD_RANGES = ((0, 10), (10, 40), (40, 120), (120, None))


def workload_range_value(low: float, high: float | None) -> str:
    """How a workload range is named in the facet: ``"10-40"``, ``"120-"``."""
    return f"{low:g}-{'' if high is None else f'{high:g}'}"


# Facet name (as in the API) -> the filter fields it ignores while being counted.
FACETS: dict[str, tuple[str, ...]] = {
    "deliveryMode": ("delivery_modes",),
    "region": ("regions",),
    "language": ("languages",),
    "credentialType": ("credential_types",),
    "pace": ("paces",),
    "audience": ("audiences",),
    "provider": ("provider_ids",),
    "recognitionKind": ("recognition_kinds",),
    "recognizedBy": ("recognized_by_authority_ids",),
    "cost": ("max_cost",),
    "workload": ("min_workload_hours", "max_workload_hours"),
}


# Facets counted by PostgreSQL (not the facet index): of the listings' offerings, and of how
# current they are (which changes with time, not with writes); each over the result filtered
# by everything except its own filter fields.
SQL_FACETS: dict[str, tuple[str, ...]] = {
    "startWindow": ("starts_from", "starts_to"),
    "scheduleTiming": ("schedule_timings",),
    "currency": ("stale",),
}
# startWindow's values: when a listing's offerings start, as `startsBetween` ranges from today.
START_WINDOWS = {"NEXT_30_DAYS": 30, "NEXT_90_DAYS": 90}  # days from today; LATER: after 90; ANY_TIME: rolling


@dataclass(frozen=True, slots=True)
class FacetCount:
    """How many listings of the result have one value of a facet (and the name of the
    provider or authority the value is, for those facets)."""

    value: str
    count: int
    name: LanguageMap | None = None


REGION_PATTERN = r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$"


def is_region(code: str) -> bool:
    """An ISO 3166 code: a country (`CA`) or a subdivision (`CA-ON`), nothing around it."""
    return re.fullmatch(REGION_PATTERN, code) is not None


@dataclass(frozen=True)
class Visibility:
    """Which listings a request may see.

    The public sees published listings (and, asked for by ID, retired ones that were once
    published); a provider's own client also sees that provider's drafts (a publisher's, those
    of the providers it acts for); an operator sees all.
    """

    own_provider_ids: frozenset[UUID] = frozenset()
    admin: bool = False

    @classmethod
    def of(cls, *provider_ids: UUID) -> "Visibility":
        """What the clients of these providers see."""
        return cls(own_provider_ids=frozenset(provider_ids))

    def sees_all_of(self, provider_id: UUID) -> bool:
        """Whether this viewer sees everything of the provider's listings: drafts, every
        version, and who made each change (the provider itself and operators)."""
        return self.admin or provider_id in self.own_provider_ids

    def may_see(self, provider_id: UUID, published_at: object | None) -> bool:
        """The one visibility rule: a listing is public from its first publication on (so
        a draft retired before it was ever published stays private); otherwise only its
        provider and operators see it. registry/store/visibility.py states it in SQL."""
        return published_at is not None or self.sees_all_of(provider_id)


PUBLIC = Visibility()


@dataclass(frozen=True)
class Near:
    """A point and a distance: offerings in person or hybrid within ``within_km`` of it."""

    latitude: float
    longitude: float
    within_km: float


# The filter's conditions on a listing's offerings: one offering (not cancelled) must meet them all.
OFFERING_CONDITIONS = ("starts_from", "starts_to", "registration_open", "near", "schedule_timings", "seats_available")
MAX_NEAR_KM = 2000.0


@dataclass(frozen=True)
class CredentialFilter:
    """Every way a search can narrow its result; None means "no condition"."""

    provider_ids: tuple[UUID, ...] | None = None
    regions: tuple[str, ...] | None = None
    delivery_modes: tuple[str, ...] | None = None
    paces: tuple[str, ...] | None = None
    audiences: tuple[str, ...] | None = None
    fundable: bool | None = None
    languages: tuple[str, ...] | None = None
    credential_types: tuple[str, ...] | None = None
    skill_ids: tuple[UUID, ...] | None = None
    occupation_codes: tuple[str, ...] | None = None
    max_cost: float | None = None
    max_workload_hours: float | None = None
    min_workload_hours: float | None = None
    recognized: bool | None = None
    recognized_by_authority_ids: tuple[UUID, ...] | None = None
    recognition_kinds: tuple[str, ...] | None = None
    updated_since: datetime | None = None
    statuses: tuple[str, ...] | None = None
    min_completeness: float | None = None
    starts_from: date | None = None  # with starts_to: has an offering starting in the range (rolling: any)
    starts_to: date | None = None
    registration_open: bool | None = None
    near: Near | None = None
    schedule_timings: tuple[str, ...] | None = None
    seats_available: bool | None = None
    offered_by_provider_ids: tuple[UUID, ...] | None = None  # owned or delivered (as a partner) by any of these
    stale: bool | None = None  # not confirmed current for stale_after_days (True), or confirmed (False)
    stale_after_days: int = DEFAULT_STALE_AFTER_DAYS  # the registry's policy, which `stale` and its facet use

    @property
    def on_offerings(self) -> bool:
        """Whether any condition is on the listing's offerings."""
        return any(getattr(self, name) is not None for name in OFFERING_CONDITIONS)

    def without(self, name: str) -> "CredentialFilter":
        """The same filter with one condition dropped (facets ignore their own filter)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values[name] = None
        return CredentialFilter(**values)


@dataclass(frozen=True)
class SearchRequest:
    """A full-text search with filters, an order and a page window."""

    query: str | None = None
    filter: CredentialFilter = CredentialFilter()
    order: CredentialOrder = CredentialOrder.RELEVANCE
    lang: str | None = None
    first: int = 20

    @property
    def text(self) -> str | None:
        """The query text, or None when there is nothing to search for."""
        return self.query.strip() if self.query and self.query.strip() else None

    @property
    def effective_order(self) -> CredentialOrder:
        """RELEVANCE without a query text has nothing to rank by: it means NEWEST."""
        if self.order == CredentialOrder.RELEVANCE and self.text is None:
            return CredentialOrder.NEWEST
        return self.order

    def sort_basis(self, now: datetime) -> str | None:
        """What besides a listing decides where it stands in this search's list at the instant
        ``now``: the words (they rank the list in RELEVANCE, and in every order they decide
        which listings match and whether titles are then matched in full text or fuzzily), the
        language titles are read in (TITLE), the point distances are from (NEAREST), the day
        where each offering runs (SOONEST_START: a rolling intake starts "today" there); None
        when nothing does. A page's cursor holds for a search with the same basis only."""
        order, near = self.effective_order, self.filter.near
        parts = []
        if self.text is not None:
            parts.append("words:" + " ".join(self.text.lower().split()))
        if order == CredentialOrder.SOONEST_START:
            parts.append("days:" + ",".join(day.isoformat() for day in dates_everywhere(now)))
        elif order == CredentialOrder.TITLE:
            parts.append(f"lang:{self.lang or 'en'}")  # titles are read in English when no language is asked
        elif order == CredentialOrder.NEAREST and near is not None:
            parts.append(f"point:{near.latitude!r},{near.longitude!r}")
        return ";".join(parts) or None


def check_page_size(first: int, field: str = "first") -> list[Problem]:
    """``first`` must be between 0 and MAX_PAGE_SIZE."""
    if first < 0:
        return [Problem((field,), "INVALID_PAGE_SIZE", f"`{field}` must not be negative (got {first}).")]
    if first > MAX_PAGE_SIZE:
        return [Problem((field,), "INVALID_PAGE_SIZE", f"`{field}` may be at most {MAX_PAGE_SIZE} (got {first}).")]
    return []


# The filter's conditions on enumerated values, and the values each may name (never the API's
# NOT_STATED, which only shows that a draft lacks a value).
FILTER_ENUMS: dict[str, type[StrEnum]] = {
    "delivery_modes": DeliveryMode,
    "paces": Pace,
    "credential_types": CredentialType,
    "audiences": Audience,
}


def check_filter(f: CredentialFilter) -> list[Problem]:
    """Every rule a CredentialFilter must follow; an empty list means it is valid."""
    problems: list[Problem] = []
    for region in f.regions or ():
        if not is_region(region):
            problems.append(
                Problem(
                    ("filter", "regions"),
                    "INVALID_REGION",
                    f"{region!r} is not an ISO 3166 code such as 'CA-ON' or 'CA'.",
                )
            )
    for tag in f.languages or ():
        if not is_language_tag(tag):
            problems.append(
                Problem(
                    ("filter", "languages"),
                    "INVALID_LANGUAGE",
                    f"{tag!r} is not a BCP 47 language tag such as 'en' or 'fr-CA'.",
                )
            )
    for name, enum in FILTER_ENUMS.items():
        problems += [
            Problem(("filter", _camel(name)), "INVALID_VALUE", m) for m in not_of(enum, getattr(f, name) or ())
        ]
    if f.min_completeness is not None and not 0 <= f.min_completeness <= 1:
        problems.append(Problem(("filter", "minCompleteness"), "OUT_OF_RANGE", "`minCompleteness` is between 0 and 1."))
    for name in ("max_cost", "max_workload_hours", "min_workload_hours"):
        value = getattr(f, name)
        if value is not None and value < 0:
            problems.append(
                Problem(("filter", _camel(name)), "NEGATIVE_NUMBER", f"`{_camel(name)}` must not be negative.")
            )
    problems += _offering_problems(f)
    if (
        f.min_workload_hours is not None
        and f.max_workload_hours is not None
        and f.min_workload_hours > f.max_workload_hours
    ):
        problems.append(
            Problem(
                ("filter", "minWorkloadHours"), "EMPTY_RANGE", "`minWorkloadHours` is greater than `maxWorkloadHours`."
            )
        )
    return problems


def _offering_problems(f: CredentialFilter) -> list[Problem]:
    problems = [
        Problem(("filter", "scheduleTimings"), "INVALID_VALUE", m)
        for m in not_of(ScheduleTiming, f.schedule_timings or ())
    ]
    if f.starts_from and f.starts_to and f.starts_to < f.starts_from:
        problems.append(Problem(("filter", "startsBetween"), "EMPTY_RANGE", "`to` is before `from`."))
    if f.near is not None:
        near = f.near
        if not (math.isfinite(near.within_km) and 0 < near.within_km <= MAX_NEAR_KM):
            problems.append(
                Problem(
                    ("filter", "near", "withinKm"), "OUT_OF_RANGE", f"`withinKm` is above 0, at most {MAX_NEAR_KM:g}."
                )
            )
        if not (-90 <= near.latitude <= 90 and -180 <= near.longitude <= 180):
            problems.append(Problem(("filter", "near"), "OUT_OF_RANGE", "The coordinates are out of range."))
    return problems


def check_order(order: CredentialOrder, f: CredentialFilter) -> list[Problem]:
    """An order the filter does not allow: NEAREST needs a place to be near."""
    if order == CredentialOrder.NEAREST and f.near is None:
        return [Problem(("orderBy",), "NEAR_REQUIRED", "NEAREST orders by distance from `filter.near`: give it.")]
    return []


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)
