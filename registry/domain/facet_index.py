"""Facet counts from compressed bitmaps of listings, held in memory.

Every value of every dimension (a region, a provider, a cost ceiling, a status...) has the
set of listings that have it, as a Roaring bitmap of the listings' `ordinal` numbers. Which
values a listing has is PostgreSQL's answer (registry/store/facet_changes.py reads it with the
same expressions the SQL facets count); the index only keeps the sets. A search's filter
becomes a few sets (the union of the values it accepts), and each facet's counts are
intersections: the result filtered by everything except the facet's own filter, intersected
with each value's set. A province's 100,000 listings are counted in a few milliseconds
instead of the second PostgreSQL needs to group them.

Which values each filter accepts mirrors `registry/store/search.py`'s conditions; `plan` says
which filters the index models, and the tests check the two against each other on random
filters, texts and viewers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable, Mapping, Sequence

from pyroaring import BitMap

from registry.domain.records import LanguageMap
from registry.domain.search import (
    COST_CEILINGS,
    FACETS,
    OFFERING_CONDITIONS,
    WORKLOAD_RANGES,
    CredentialFilter,
    FacetCount,
    Visibility,
    workload_range_value,
)

# Filters the index cannot answer from its bitmaps: PostgreSQL finds the listings that pass
# them (with the text match), and the index intersects its sets with those.
SQL_ONLY = frozenset(
    {
        "skill_ids",
        "occupation_codes",
        "offered_by_provider_ids",
        "min_completeness",
        "updated_since",
        "stale",
        *OFFERING_CONDITIONS,
    }
)
# Dimensions that are not facets but that filters and visibility need; a listing has the
# value YES in a yes-or-no dimension when it is so.
STATUS, FUNDABLE, RECOGNIZED = "status", "fundable", "recognized"
DIMENSIONS = (*FACETS, STATUS, FUNDABLE, RECOGNIZED)
YES = "yes"
_PARTY_FACETS = ("provider", "recognizedBy")  # their values are IDs, counted with the party's name


# Values: what a listing has in one dimension; Listing: its values in every dimension.
Values = Iterable[str]
Listing = Mapping[str, Values]


@dataclass(frozen=True)
class Condition:
    """One filter as a set of listings: those with a value ``accepts`` takes in ``dimension``
    (or, ``negated``, every other listing). ``fields`` are the filter fields it states: a
    facet's counts ignore the conditions of its own fields."""

    fields: frozenset[str]
    dimension: str
    accepts: Callable[[str], bool]
    negated: bool = False


@dataclass(frozen=True)
class Plan:
    """A filter as the index answers it: its conditions, who is looking, and what is left
    for PostgreSQL (``sql_filter``: the SQL_ONLY filters, with the statuses asked for so
    that PostgreSQL looks among the same listings; ``needs_sql`` when there are any)."""

    conditions: tuple[Condition, ...]
    statuses: tuple[str, ...]
    viewer: Visibility
    sql_filter: CredentialFilter

    @property
    def needs_sql(self) -> bool:
        return any(getattr(self.sql_filter, name) is not None for name in SQL_ONLY)


def _any_of(name: str, dimension: str, values: Sequence[object] | None) -> list[Condition]:
    if not values:
        return []
    wanted = {str(value) for value in values}
    return [Condition(frozenset({name}), dimension, wanted.__contains__)]


def _flag(name: str, dimension: str, value: bool | None) -> list[Condition]:
    if value is None:
        return []
    return [Condition(frozenset({name}), dimension, YES.__eq__, negated=not value)]


def _languages(tags: Sequence[str] | None) -> list[Condition]:
    if not tags:
        return []
    wanted = set(tags)
    # A listing taught in `fr-CA` matches a search for `fr` (its primary subtag), as in SQL.
    return [Condition(frozenset({"languages"}), "language", lambda v: v in wanted or v.split("-")[0] in wanted)]


def _cost(ceiling: float | None) -> list[Condition] | None:
    if ceiling is None:
        return []
    if ceiling not in COST_CEILINGS:
        return None  # a ceiling the facet does not count: PostgreSQL answers
    return [Condition(frozenset({"max_cost"}), "cost", f"{ceiling:g}".__eq__)]


def _workload(low: float | None, high: float | None) -> list[Condition] | None:
    if low is None and high is None:
        return []
    for range_low, range_high in WORKLOAD_RANGES:
        if (low, high) == (range_low, range_high):
            name = workload_range_value(range_low, range_high)
            return [Condition(frozenset({"min_workload_hours", "max_workload_hours"}), "workload", name.__eq__)]
    return None  # a range the facet does not count: PostgreSQL answers


def plan(f: CredentialFilter, viewer: Visibility) -> Plan | None:
    """How the index answers ``f`` for ``viewer``, or None when it cannot (a cost ceiling or
    a workload range other than the facets' own)."""
    cost, workload = _cost(f.max_cost), _workload(f.min_workload_hours, f.max_workload_hours)
    if cost is None or workload is None:
        return None
    conditions = [
        *_any_of("provider_ids", "provider", f.provider_ids),
        *_any_of("regions", "region", f.regions),
        *_any_of("delivery_modes", "deliveryMode", f.delivery_modes),
        *_any_of("paces", "pace", f.paces),
        *_any_of("audiences", "audience", f.audiences),
        *_any_of("credential_types", "credentialType", f.credential_types),
        *_any_of("recognized_by_authority_ids", "recognizedBy", f.recognized_by_authority_ids),
        *_any_of("recognition_kinds", "recognitionKind", f.recognition_kinds),
        *_languages(f.languages),
        *_flag("fundable", FUNDABLE, f.fundable),
        *_flag("recognized", RECOGNIZED, f.recognized),
        *cost,
        *workload,
    ]
    sql_filter = CredentialFilter(
        statuses=f.statuses, stale_after_days=f.stale_after_days, **{name: getattr(f, name) for name in SQL_ONLY}
    )
    return Plan(tuple(conditions), f.statuses or ("PUBLISHED",), viewer, sql_filter)


@dataclass
class FacetIndex:
    """The listings' values as bitmaps per dimension and value, the names of the parties
    among the values, and the day it counts recognitions in force for (``today``)."""

    today: date
    _sets: dict[str, dict[str, BitMap]] = field(default_factory=dict)
    _everything: BitMap = field(default_factory=BitMap)
    _names: dict[str, LanguageMap] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self._everything)

    @classmethod
    def of(cls, today: date, sets: Iterable[tuple[str, str, Iterable[int]]]) -> FacetIndex:
        """An index of (dimension, value, ordinals of the listings that have it) triples; a
        listing with no value in any dimension must still come, under STATUS."""
        index = cls(today)
        for dimension, value, ordinals in sets:
            members = BitMap(ordinals)
            index._sets.setdefault(dimension, {})[value] = members
            index._everything |= members
        return index

    def put(self, ordinal: int, listing: Listing) -> None:
        """Add the listing numbered ``ordinal`` with its values, or replace what the index knew of it."""
        self.put_all([(ordinal, listing)])

    def put_all(self, listings: Sequence[tuple[int, Listing]]) -> None:
        """Add or replace each (ordinal, values) of ``listings``: one pass over the sets for
        all of them, however many there are."""
        changed = BitMap(ordinal for ordinal, _ in listings)
        for values in self._sets.values():
            for members in values.values():
                members.difference_update(changed)
        self._everything |= changed
        added: dict[tuple[str, str], list[int]] = {}
        for ordinal, listing in listings:
            for dimension, dimension_values in listing.items():
                for value in dimension_values:
                    added.setdefault((dimension, value), []).append(ordinal)
        for (dimension, value), ordinals in added.items():
            self._set(dimension, value).update(ordinals)

    def name(self, party_id: str, name: LanguageMap) -> None:
        """Remember the name of a provider or authority, shown with its facet value."""
        self._names[party_id] = name

    def counts(
        self, plan: Plan, names: Sequence[str], within: BitMap | None = None
    ) -> tuple[dict[str, list[FacetCount]], int]:
        """(counts per value of each facet in ``names``, the total) of the listings ``plan``
        finds among ``within`` (all when None). Each facet ignores its own filter."""
        scope = self._visible(plan)
        if within is not None:
            scope &= within
        conditions = [(c.fields, self._members(c)) for c in plan.conditions]
        owned = {name: frozenset(FACETS[name]) for name in names}
        every_owned = frozenset().union(*owned.values())
        for fields, members in conditions:
            if not fields & every_owned:
                scope &= members  # no facet asked for ignores it: narrow once
        result: dict[str, list[FacetCount]] = {name: [] for name in FACETS}
        for name in names:
            narrowed = scope
            for fields, members in conditions:
                if fields & every_owned and not fields & owned[name]:
                    narrowed = narrowed & members
            result[name] = self._count(name, narrowed)
        total = scope
        for fields, members in conditions:
            if fields & every_owned:
                total = total & members
        return result, len(total)

    def _count(self, facet: str, among: BitMap) -> list[FacetCount]:
        named = facet in _PARTY_FACETS
        found = [
            FacetCount(value, n, self._names.get(value) if named else None)
            for value, members in self._sets.get(facet, {}).items()
            if (n := members.intersection_cardinality(among))
        ]
        found.sort(key=lambda c: (-c.count, c.value))
        return found

    def _visible(self, plan: Plan) -> BitMap:
        """The listings of the wanted statuses the viewer may see in lists (as
        store.credentials.visible_in_lists): published ones, and its own or all otherwise."""
        statuses = self._union(STATUS, set(plan.statuses).__contains__)
        if plan.viewer.admin:
            return statuses
        published = self._set(STATUS, "PUBLISHED")
        providers = self._sets.get("provider", {})
        own = [providers.get(str(provider), BitMap()) for provider in plan.viewer.own_provider_ids]
        return statuses & BitMap.union(published, *own)

    def _members(self, condition: Condition) -> BitMap:
        members = self._union(condition.dimension, condition.accepts)
        return self._everything - members if condition.negated else members

    def _union(self, dimension: str, accepts: Callable[[str], bool]) -> BitMap:
        return BitMap.union(BitMap(), *(s for v, s in self._sets.get(dimension, {}).items() if accepts(v)))

    def _set(self, dimension: str, value: str) -> BitMap:
        values = self._sets.setdefault(dimension, {})
        members = values.get(value)
        if members is None:
            members = values[value] = BitMap()
        return members
