"""Offerings: when and where a listing runs, and the rules an offering follows.

An offering's dates are calendar dates of its place (of its listing's region when it is
online); without a start date it is a rolling intake. It is cancelled, never deleted.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from registry.domain.enums import DeliveryMode, OfferingAvailability, OfferingField, ScheduleTiming
from registry.domain.errors import Problem
from registry.domain.language import is_language_tag
from registry.domain.local_dates import local_today
from registry.domain.vocabularies import PROVINCES_AND_TERRITORIES

SCHEDULE_TIMINGS = tuple(ScheduleTiming)
AVAILABILITIES = tuple(OfferingAvailability)
REGION = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_TEXT = {"external_id": 200, "place_name": 200, "street_address": 300, "municipality": 200, "postal_code": 20}
MAX_SEATS = 100_000
MAX_OFFERINGS = 200  # a listing shows at most this many (those that have not ended)
MAX_KEPT = 1_000  # a listing keeps at most this many, ended and cancelled ones included
TOO_MANY = (
    f"A listing shows at most {MAX_OFFERINGS} offerings that have not ended (cancelled ones included) and keeps"
    f" at most {MAX_KEPT} in all."
)
MAX_LANGUAGES = 20  # per offering
# An offering's dates are the days of a real course: outside these, a typo (0202, 9999), and a
# calendar cannot hold the day after 9999-12-31 that an all-day event ends on.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)
_DATES = ("start_date", "end_date", "registration_opens", "registration_deadline")
# The sphere PostgreSQL's earthdistance measures on (its earth(), in metres): distances shown
# are computed on the same one as the distances searches filter and order by.
EARTH_RADIUS_KM = 6378.168


@dataclass(frozen=True)
class Place:
    """Where an offering runs: a campus or building in a municipality of a region."""

    municipality: str
    region: str
    name: str | None = None
    street_address: str | None = None
    postal_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None


# What each field updateOffering may empty (its `clear`) becomes: a run may lose its dates (a
# rolling intake), its place (online), cost, seats, deadlines, timings and languages; its delivery
# mode, availability and key it always has.
CLEARABLE: dict[str, Any] = {
    "start_date": None,
    "end_date": None,
    "registration_opens": None,
    "registration_deadline": None,
    "place": None,
    "schedule_timings": [],
    "languages": [],
    "cost_amount": None,
    "cost_currency": None,
    "seats_total": None,
    "seats_available": None,
}
# The OfferingChanges fields each OfferingField names.
FIELDS_NAMED: dict[OfferingField, tuple[str, ...]] = {
    OfferingField.COST: ("cost_amount", "cost_currency"),
    **{field: (field.value.lower(),) for field in OfferingField if field != OfferingField.COST},
}


@dataclass(frozen=True)
class OfferingChanges:
    """The fields an add or an update sets; None leaves a field as it is (or unset), and the
    fields named in ``cleared`` are emptied (CLEARABLE)."""

    external_id: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    registration_opens: date | None = None
    registration_deadline: date | None = None
    delivery_mode: str | None = None
    place: Place | None = None
    schedule_timings: list[str] | None = None
    languages: list[str] | None = None
    cost_amount: float | None = None
    cost_currency: str | None = None
    seats_total: int | None = None
    seats_available: int | None = None
    availability: str | None = None
    cleared: frozenset[str] = frozenset()

    def given(self) -> dict[str, Any]:
        """The fields set, by name."""
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name != "cleared" and getattr(self, f.name) is not None
        }


def clearing_problems(changes: OfferingChanges) -> list[Problem]:
    """A problem for each field ``changes`` would both set and empty."""
    given = changes.given().keys()
    return [
        Problem(("clear",), "INVALID_VALUE", f"{field.value} is given and cleared at once: do one or the other.")
        for field, names in FIELDS_NAMED.items()
        if changes.cleared & given & set(names)
    ]


@dataclass(frozen=True)
class Offering:
    """One run of a listing."""

    id: UUID
    credential_id: UUID
    external_id: str | None
    start_date: date | None
    end_date: date | None
    registration_opens: date | None
    registration_deadline: date | None
    delivery_mode: str
    place: Place | None
    schedule_timings: list[str]
    languages: list[str]
    cost_amount: float | None
    cost_currency: str | None
    seats_total: int | None
    seats_available: int | None
    availability: str
    cancelled_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime

    def applied(self, changes: OfferingChanges) -> OfferingChanges:
        """The offering as ``changes`` would leave it, as a whole set of changes (to check)."""
        current = {f.name: getattr(self, f.name) for f in dataclasses.fields(OfferingChanges) if f.name != "cleared"}
        emptied = {name: CLEARABLE[name] for name in changes.cleared}
        return OfferingChanges(**(current | emptied | changes.given()))

    def changed_by(self, changes: OfferingChanges) -> bool:
        """Whether ``changes`` would leave it any different (the same values again change nothing,
        and make no version or change-feed entry)."""
        return self.applied(changes) != self.applied(OfferingChanges())

    def has_ended(self, now: datetime, listing_region: str | None) -> bool:
        """Whether its last day is past where it runs (``ended``): a listing shows it no more by default."""
        return ended(self.start_date, self.end_date, self.place, now, listing_region)

    def today(self, now: datetime, listing_region: str | None) -> date:
        """The date at the instant ``now`` where it runs: its place's region's, else its listing's."""
        return local_today(self.place.region if self.place else listing_region, now)


RETIRED = "A retired listing's offerings are not added to or changed, only cancelled."


def takes_offering_changes(status: str) -> bool:
    """Whether a listing with this status may have offerings added or changed (a retired one is
    not offered any more, by any way in; its offerings may still be cancelled)."""
    return status != "RETIRED"


def listing_region(regions: list[str] | None) -> str | None:
    """The region an online offering of a listing with these regions runs in: its first."""
    return regions[0] if regions else None


def ended(start: date | None, end: date | None, place: Place | None, now: datetime, listing_region: str | None) -> bool:
    """Whether an offering with these dates has ended: its last day (its start, when it has no
    end) is before today where it runs (its place's region, else ``listing_region``, its
    listing's first region, where an online offering runs); a rolling intake never ends. The
    searches state the same rule in SQL (``store.search._not_ended``)."""
    last_day = end or start
    return last_day is not None and last_day < local_today(place.region if place else listing_region, now)


def _counted(
    start: date | None, end: date | None, place: Place | None, cancelled: bool, now: datetime, region: str | None
) -> bool:
    """Whether an offering counts toward the limit: a listing shows it (it has not ended). A
    cancelled rolling intake is shown (as cancelled) but not counted: it has no last day that
    would ever make room, and an intake replaced again and again would fill the listing for good."""
    return not ended(start, end, place, now, region) and not (cancelled and (end or start) is None)


@dataclass(frozen=True)
class SetPlan:
    """What a listing's whole set of offerings, as submitted, does to the offerings it has:
    those to add, to update (those that differ), and to cancel (keyed ones no longer given)."""

    adds: list[OfferingChanges]
    updates: list[tuple[Offering, OfferingChanges]]
    cancels: list[Offering]


def over_the_limit(current: list[Offering], plan: SetPlan, now: datetime, listing_region: str | None) -> bool:
    """Whether writing ``plan`` (adds, updates, cancels) would leave a listing that had ``current``
    counting more than MAX_OFFERINGS offerings (``_counted``), or keeping more than MAX_KEPT. What
    counts is the result: an update moving a run that ended into the future counts, a cancelled run
    counts until its last day (a listing shows it), and runs that ended make room. A write that
    counts no more than before is never refused for it."""
    updated = {offering.id: changes for offering, changes in plan.updates}
    cancelled = {offering.id for offering in plan.cancels}

    def counted_after(o: Offering) -> bool:
        if o.id in updated:
            after = o.applied(updated[o.id])
            return _counted(after.start_date, after.end_date, after.place, False, now, listing_region)
        gone = o.cancelled_at is not None or o.id in cancelled
        return _counted(o.start_date, o.end_date, o.place, gone, now, listing_region)

    def counted_now(o: Offering) -> bool:
        return _counted(o.start_date, o.end_date, o.place, o.cancelled_at is not None, now, listing_region)

    before = sum(map(counted_now, current))
    after = sum(map(counted_after, current)) + sum(
        _counted(a.start_date, a.end_date, a.place, False, now, listing_region) for a in plan.adds
    )
    return (after > MAX_OFFERINGS and after > before) or bool(plan.adds) and len(current) + len(plan.adds) > MAX_KEPT


def check_set(
    submitted: list[OfferingChanges],
    current: list[Offering],
    now: datetime,
    listing_region: str | None,
    listing_status: str | None = None,
) -> list[Problem]:
    """Every rule a submitted set breaks, each at ("offerings", position, ...): each offering
    valid as it would be stored (a known key's fields merged into the stored offering), keyed,
    its key given once, and not the key of a cancelled one; the listing within the limit once
    the set is written (``now`` and ``listing_region`` tell which of its offerings have ended);
    and nothing added or changed on a listing whose ``listing_status`` takes no offering changes
    (None: a listing not stored yet)."""
    problems: list[Problem] = []
    cancelled = {o.external_id for o in current if o.cancelled_at is not None}
    live = {o.external_id: o for o in current if o.external_id and o.cancelled_at is None}
    seen: set[str] = set()
    for position, changes in enumerate(submitted):
        at = ("offerings", str(position))
        stored = live.get(changes.external_id or "")
        as_stored = stored.applied(changes) if stored else changes  # a known key updates what it states
        problems += [Problem((*at, *p.field[1:]), p.code, p.message) for p in check_offering(as_stored)]
        key = changes.external_id
        if not key:
            problems.append(Problem((*at, "externalId"), "REQUIRED", "A submitted offering needs its `externalId`."))
        elif key in seen:
            problems.append(Problem((*at, "externalId"), "DUPLICATE", f"{key!r} is given twice."))
        elif key in cancelled:
            problems.append(
                Problem((*at, "externalId"), "CANCELLED", f"{key!r} was cancelled: give a new run a new key.")
            )
        seen.add(key or "")
    plan = plan_set(submitted, current)
    if over_the_limit(current, plan, now, listing_region):
        problems.append(Problem(("offerings",), "TOO_MANY", TOO_MANY))
    if listing_status is not None and not takes_offering_changes(listing_status) and (plan.adds or plan.updates):
        problems.append(Problem(("offerings",), "RETIRED", RETIRED))
    return problems


def plan_set(submitted: list[OfferingChanges], current: list[Offering]) -> SetPlan:
    """What to write for a valid submitted set (check_set): matched by key; offerings without
    a key (added one by one) are left as they are."""
    live = {o.external_id: o for o in current if o.external_id and o.cancelled_at is None}
    adds, updates = [], []
    for changes in submitted:
        found = live.get(changes.external_id or "")
        if found is None:
            adds.append(changes)
        elif found.changed_by(changes):
            updates.append((found, changes))
    given = {changes.external_id for changes in submitted}
    return SetPlan(adds, updates, [o for key, o in live.items() if key not in given])


def distance_km(latitude: float, longitude: float, place: Place | None) -> float | None:
    """The great-circle distance from a point to a place (None when it has no coordinates)."""
    if place is None or place.latitude is None or place.longitude is None:
        return None
    lat1, lat2 = math.radians(latitude), math.radians(place.latitude)
    half = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin(math.radians(place.longitude - longitude) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(half)))


def chord_metres(arc_km: float) -> float:
    """The straight line through the earth between two points ``arc_km`` apart on its surface
    (on the sphere PostgreSQL measures on): the longer the arc, the longer the chord, so
    chords compare as distances do, and PostgreSQL measures them (cube_distance) without the
    trigonometry earth_distance adds to each."""
    half_angle = min(arc_km / (2 * EARTH_RADIUS_KM), math.pi / 2)
    return 2 * EARTH_RADIUS_KM * 1000 * math.sin(half_angle)


def check_offering(changes: OfferingChanges) -> list[Problem]:
    """Every rule a whole offering (as it would be stored) breaks; empty when it may be written."""
    problems: list[Problem] = []
    mode = changes.delivery_mode
    if mode is None:
        problems.append(_problem(("deliveryMode",), "REQUIRED", "`deliveryMode` is required."))
    elif mode not in DeliveryMode.__members__:
        problems.append(_problem(("deliveryMode",), "INVALID_VALUE", f"{mode!r} is not a delivery mode."))
    problems += _place_problems(changes.place, mode)
    problems += _order("endDate", changes.start_date, changes.end_date, "`endDate` is before `startDate`.")
    problems += _order(
        "registrationDeadline",
        changes.registration_opens,
        changes.registration_deadline,
        "`registrationDeadline` is before `registrationOpens`.",
    )
    last_day = changes.end_date or changes.start_date
    after_it = "Registration cannot {} after the offering ends."
    problems += _order("registrationOpens", changes.registration_opens, last_day, after_it.format("open"))
    problems += _order("registrationDeadline", changes.registration_deadline, last_day, after_it.format("close"))
    if changes.end_date is not None and changes.start_date is None:
        message = "An offering with an end has a start (a rolling intake has neither)."
        problems.append(_problem(("startDate",), "REQUIRED", message))
    problems += [problem for name in _DATES for problem in _date_problems(name, getattr(changes, name))]
    problems += _seats_problems(changes.seats_total, changes.seats_available)
    problems += _listed("scheduleTimings", changes.schedule_timings, SCHEDULE_TIMINGS)
    problems += _unique("scheduleTimings", changes.schedule_timings)
    problems += _unique("languages", [tag.lower() for tag in changes.languages or []])  # tags ignore case
    if len(changes.languages or []) > MAX_LANGUAGES:
        problems.append(_problem(("languages",), "TOO_MANY", f"An offering has at most {MAX_LANGUAGES} languages."))
    if changes.availability is not None and changes.availability not in AVAILABILITIES:
        problems.append(_problem(("availability",), "INVALID_VALUE", f"{changes.availability!r} is not one."))
    problems += [
        _problem(("languages",), "INVALID_LANGUAGE", f"{tag!r} is not a BCP 47 language tag.")
        for tag in changes.languages or []
        if not is_language_tag(tag)
    ]
    problems += _cost_problems(changes.cost_amount, changes.cost_currency)
    if changes.external_id is not None and not 1 <= len(changes.external_id) <= MAX_TEXT["external_id"]:
        problems.append(_problem(("externalId",), "OUT_OF_RANGE", "`externalId` is 1 to 200 characters."))
    elif changes.external_id is not None and not changes.external_id.strip():
        problems.append(_problem(("externalId",), "BLANK", "`externalId` is not only spaces."))
    return problems


def _place_problems(place: Place | None, mode: str | None) -> list[Problem]:
    if place is None:
        if mode in ("IN_PERSON", "HYBRID"):
            return [_problem(("place",), "REQUIRED", "An in-person or hybrid offering needs its `place`.")]
        return []
    problems = []
    region = place.region or ""
    if not REGION.fullmatch(region) or region.startswith("CA-") and region not in PROVINCES_AND_TERRITORIES:
        # A Canadian place's province says what day it is there: it must be one that exists.
        problems.append(_problem(("place", "region"), "INVALID_REGION", "Use an ISO 3166-2 code such as 'CA-ON'."))
    for name in ("municipality", "name", "street_address", "postal_code"):
        value = place.municipality if name == "municipality" else getattr(place, name)
        if value is not None and not 0 < len(value.strip()) <= MAX_TEXT[{"name": "place_name"}.get(name, name)]:
            problems.append(
                _problem(("place", _camel(name)), "OUT_OF_RANGE", f"`{_camel(name)}` is blank or too long.")
            )
    if (place.latitude is None) != (place.longitude is None):
        problems.append(_problem(("place",), "INCOMPLETE", "Give both `latitude` and `longitude`, or neither."))
    problems += _range(("place", "latitude"), place.latitude, -90, 90)
    problems += _range(("place", "longitude"), place.longitude, -180, 180)
    return problems


def _seats_problems(total: int | None, available: int | None) -> list[Problem]:
    problems = _range(("seatsTotal",), total, 0, MAX_SEATS) + _range(("seatsAvailable",), available, 0, MAX_SEATS)
    if total is not None and available is not None and available > total:
        problems.append(_problem(("seatsAvailable",), "OUT_OF_RANGE", "More seats available than there are."))
    return problems


def _cost_problems(amount: float | None, currency: str | None) -> list[Problem]:
    problems = _range(("cost", "amount"), amount, 0, 1_000_000)
    if (amount is None) != (currency is None):
        problems.append(_problem(("cost",), "INCOMPLETE", "A cost has an amount and a currency."))
    if currency is not None and not CURRENCY.fullmatch(currency):
        problems.append(_problem(("cost", "currency"), "INVALID_CURRENCY", f"{currency!r} is not an ISO 4217 code."))
    return problems


def _order(name: str, first: date | None, then: date | None, message: str) -> list[Problem]:
    return [_problem((name,), "EMPTY_RANGE", message)] if first and then and then < first else []


def _range(path: tuple[str, ...], value: float | None, low: float, high: float) -> list[Problem]:
    if value is None:
        return []
    if isinstance(value, float) and not math.isfinite(value) or not low <= value <= high:
        return [_problem(path, "OUT_OF_RANGE", f"`{path[-1]}` must be between {low:g} and {high:g}.")]
    return []


def _date_problems(name: str, value: date | None) -> list[Problem]:
    if value is None or EARLIEST_DATE <= value <= LATEST_DATE:
        return []
    message = f"`{_camel(name)}` must be between {EARLIEST_DATE} and {LATEST_DATE}."
    return [_problem((_camel(name),), "OUT_OF_RANGE", message)]


def _unique(name: str, values: list[str] | None) -> list[Problem]:
    repeated = sorted(value for value, times in Counter(values or []).items() if times > 1)
    return [_problem((name,), "DUPLICATE", f"{value!r} is given more than once.") for value in repeated]


def _listed(name: str, values: list[str] | None, allowed: tuple[str, ...]) -> list[Problem]:
    return [
        _problem((name,), "INVALID_VALUE", f"{value!r} is not one of {', '.join(allowed)}.")
        for value in values or []
        if value not in allowed
    ]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _problem(path: tuple[str, ...], code: str, message: str) -> Problem:
    return Problem(("offering", *path), code, message)
