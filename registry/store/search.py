"""Full-text search over listings: one page, the total, and the facet counts.

Text matches English and French stemmed, accent-free vectors (title weighted A;
provider, skills and outcomes B; description C) with web-search syntax. When the
full-text search finds nothing, titles are matched by trigram word similarity so
that typos still find something.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Callable, Sequence

from registry.db import Executor
from registry.domain.enums import CredentialOrder
from registry.domain.local_dates import dates_by_region
from registry.domain.offerings import chord_metres
from registry.domain.records import Credential
from registry.domain.search import (
    COST_CEILINGS,
    FACETS,
    SQL_FACETS,
    START_WINDOWS,
    WORKLOAD_RANGES,
    CredentialFilter,
    FacetCount,
    Near,
    SearchRequest,
    Visibility,
    workload_range_value,
)
from registry.store import credentials
from registry.store.paging import Key, Page, after_condition, page_from_rows
from registry.store.recognitions import ACTIVE
from registry.store.sql import Params


class MatchMode(StrEnum):
    """How the query text is matched: all rows, full text, or fuzzy titles."""

    ALL = "all"
    FULL_TEXT = "fts"
    FUZZY = "fuzzy"


_COST_CEILINGS = ", ".join(str(ceiling) for ceiling in COST_CEILINGS)
_WORKLOAD_RANGES = ", ".join(
    f"case when c.workload_hours >= {low}{'' if high is None else f' and c.workload_hours <= {high}'}"
    f" then '{workload_range_value(low, high)}' end"
    for low, high in WORKLOAD_RANGES
)

# Facet name -> how one listing's values for it are produced in the facet base table.
# A draft may not state its delivery mode or pace yet: it counts in neither facet.
FACET_VALUES: dict[str, str] = {
    "deliveryMode": "array_remove(array[c.delivery_mode::text], null)",
    # A value given twice counts the listing once.
    "region": "array(select distinct v from unnest(c.regions) v)",
    "language": "array(select distinct v from unnest(c.languages) v)",
    "credentialType": "array[c.credential_type::text]",
    "pace": "array_remove(array[c.pace::text], null)",
    "audience": "array(select distinct v::text from unnest(c.audiences) v)",
    "provider": "array[c.provider_id::text]",
    # Every ceiling the listing fits under, as the `maxCost` filter would find it.
    "cost": f"array(select b::text from unnest(array[{_COST_CEILINGS}]) b where coalesce(c.cost_amount, 0) <= b)",
    # Every range the listing falls in (a boundary value in both), as the min/max filters would.
    "workload": f"array_remove(array[{_WORKLOAD_RANGES}], null)",
}
# Facets of the recognitions in force, gathered for the scanned listings in one grouped join.
_RECOGNITION_FACETS = {"recognitionKind": "rs.kinds", "recognizedBy": "rs.authorities"}
# Facets whose values are parties: their names come with the counts (no lookup afterwards).
_FACET_NAMES = {
    "provider": "(select p.name from providers p where p.id = v::uuid)",
    "recognizedBy": "(select a.name from recognition_authorities a where a.id = v::uuid)",
}


_TSQUERY = "(websearch_to_tsquery('english', f_unaccent({q})) || websearch_to_tsquery('french', f_unaccent({q})))"
_FUZZY_TEXT = "lower(f_unaccent({q}))"


def _match(mode: MatchMode, text: str | None, params: Params) -> tuple[str, str, str]:
    """(extra FROM item, match predicate, rank expression) for a match mode."""
    if mode == MatchMode.ALL or text is None:
        return "", "true", "0"
    q = params.add(text)
    if mode == MatchMode.FULL_TEXT:
        return f", (select {_TSQUERY.format(q=q)} as tsq) q", "c.search_doc @@ q.tsq", "ts_rank(c.search_doc, q.tsq)"
    fuzzy = _FUZZY_TEXT.format(q=q)
    return "", f"c.title_text %> {fuzzy}", f"word_similarity({fuzzy}, c.title_text)"


def _sort(order: CredentialOrder, rank: str, lang: str | None, f: CredentialFilter, params: Params) -> tuple[str, str]:
    """(ascending sort expression, its SQL type) for an order; ties break on id."""
    if order == CredentialOrder.SOONEST_START:  # among the offerings the filter accepts; rolling: today
        accepted, today = _offering_match(f, params), _today(params)
        return (
            f"coalesce((select extract(epoch from min(coalesce(o.start_date, {today}))::timestamp)::float8"
            f" from offerings o where {accepted} and (o.start_date is null or o.start_date >= {today})), {_LAST})",
            "float8",
        )
    if order == CredentialOrder.RELEVANCE:
        return f"(-({rank}))::float8", "float8"
    if order == CredentialOrder.TITLE:
        # Byte order ("C"), so that the order is the same on every server, whatever its locale.
        return f'lower(f_unaccent(pick_lang(c.title, {params.add(lang or "en")}::text))) collate "C"', "text"
    if order == CredentialOrder.COST_ASC:
        return "coalesce(c.cost_amount, 0)::float8", "float8"
    if order == CredentialOrder.COST_DESC:
        return "(-coalesce(c.cost_amount, 0))::float8", "float8"
    if order == CredentialOrder.WORKLOAD_ASC:  # a draft without a workload yet sorts first, as 0
        return "coalesce(c.workload_hours, 0)::float8", "float8"
    return credentials.NEWEST_SQL, "float8"


def _conditions(f: CredentialFilter, p: Params) -> dict[str, str]:
    """One SQL predicate per filter field that is set, keyed by the field's name."""
    found: dict[str, str] = {}

    def any_of(name: str, column: str, cast: str = "text") -> None:
        values = getattr(f, name)
        if values:
            found[name] = f"{column} = any({p.add(list(values))}::{cast}[])"

    any_of("provider_ids", "c.provider_id", "uuid")
    any_of("delivery_modes", "c.delivery_mode::text")
    any_of("paces", "c.pace::text")
    any_of("credential_types", "c.credential_type::text")
    if f.regions:
        found["regions"] = f"c.regions && {p.add(list(f.regions))}::text[]"
    if f.audiences:
        found["audiences"] = f"c.audiences::text[] && {p.add(list(f.audiences))}::text[]"
    if f.languages:
        tags = p.add(list(f.languages))
        found["languages"] = (
            f"exists (select 1 from unnest(c.languages) l"
            f" where l = any({tags}::text[]) or split_part(l, '-', 1) = any({tags}::text[]))"
        )
    if f.fundable is not None:
        found["fundable"] = f"(cardinality(c.funding_programs) > 0) = {p.add(f.fundable)}::boolean"
    if f.skill_ids:
        wanted = sorted(set(f.skill_ids))
        found["skill_ids"] = (
            f"(select count(*) from credential_skills cs where cs.credential_id = c.id"
            f" and cs.skill_id = any({p.add(wanted)}::uuid[])) = {len(wanted)}"
        )
    if f.occupation_codes:
        found["occupation_codes"] = (
            "exists (select 1 from credential_occupations co join occupations o on o.id = co.occupation_id"
            f" where co.credential_id = c.id and o.code = any({p.add(list(f.occupation_codes))}::text[]))"
        )
    if f.max_cost is not None:
        found["max_cost"] = f"(c.cost_amount is null or c.cost_amount <= {p.add(f.max_cost)}::numeric)"
    if f.max_workload_hours is not None:
        found["max_workload_hours"] = f"c.workload_hours <= {p.add(f.max_workload_hours)}::float8"
    if f.min_workload_hours is not None:
        found["min_workload_hours"] = f"c.workload_hours >= {p.add(f.min_workload_hours)}::float8"
    active = f"select 1 from recognitions r where r.credential_id = c.id and {ACTIVE}"
    if f.recognized is not None:
        found["recognized"] = f"exists ({active}) = {p.add(f.recognized)}::boolean"
    if f.recognized_by_authority_ids:
        ids = p.add(list(f.recognized_by_authority_ids))
        found["recognized_by_authority_ids"] = f"exists ({active} and r.authority_id = any({ids}::uuid[]))"
    if f.recognition_kinds:
        kinds = p.add(list(f.recognition_kinds))
        found["recognition_kinds"] = f"exists ({active} and r.kind::text = any({kinds}::text[]))"
    if f.min_completeness is not None:
        found["min_completeness"] = f"c.completeness >= {p.add(f.min_completeness)}::real"
    if f.updated_since is not None:
        found["updated_since"] = f"c.updated_at >= {p.add(f.updated_since)}::timestamptz"
    if f.offered_by_provider_ids:
        deliverers = p.add(list(f.offered_by_provider_ids))
        found["offered_by_provider_ids"] = (
            f"(c.provider_id = any({deliverers}::uuid[]) or exists (select 1 from credential_partners cp"
            f" where cp.credential_id = c.id and cp.provider_id = any({deliverers}::uuid[])))"
        )
    if f.stale is not None:
        found["stale"] = f"({_stale(f, p)}) = {p.add(f.stale)}::boolean"
    if f.on_offerings:
        found.update(_offering_conditions(f, p))
    return found


def _stale(f: CredentialFilter, p: Params) -> str:
    """Whether listing ``c`` has gone unconfirmed for longer than the registry allows."""
    return f"c.last_verified_at < now() - make_interval(days => {p.add(f.stale_after_days)}::int)"


def _today(p: Params, region: str = "coalesce(o.region, c.regions[1])") -> str:
    """SQL: offering ``o``'s "today", the calendar date in ``region``'s time zone (by default its
    place's, its listing's when it is online) at the statement's instant. The dates come from the
    registry's time zone data as a parameter (registry/domain/local_dates.py), not from
    PostgreSQL's, whose copy may differ from the one the pages and calendars read."""
    dates = f"{p.once('dates', _dates_now)}::jsonb"
    return f"coalesce(({dates} ->> {region})::date, ({dates} ->> '')::date)"


def _dates_now() -> dict[str, str]:
    return _dates_at(datetime.now(UTC))


def _dates_at(now: datetime) -> dict[str, str]:
    """The dates a statement's "today" reads: each region's at ``now``, and UTC's."""
    return {**dates_by_region(now), _UTC: now.date().isoformat()}


_UTC = "UTC"  # not a region code (those have a hyphen): the date in UTC, among the dates
# The same for an offering near a place: in person or hybrid, so it has a region of its own
# (the table's checks), and no listing is needed.
_IN_PERSON = "o.region"
# The same for an offering read without its listing: the listing's region looked up only when
# the offering has none (online) and only where it is needed (see _not_ended).
_LOOKED_UP = "coalesce(o.region, (select l.regions[1] from credentials l where l.id = o.credential_id))"
_LAST = "1e18::float8"  # sorts after every real value


def _not_ended(today: str, utc_today: str) -> str:
    """SQL: offering ``o``'s last day (its start, when it has no end) is not before ``today``
    (its own "today", an SQL date); a rolling intake never ends (``Offering.has_ended``).

    Every time zone of ``local_today`` is behind UTC (tests/domain/test_local_dates.py), so its
    date is UTC's or the day before: only a run whose last day is that day before needs its own
    date looked up (1,600 rows near Toronto)."""
    last = "coalesce(o.end_date, o.start_date)"
    return f"({last} is null or {last} >= {utc_today} or ({last} >= {utc_today} - 1 and {last} >= {today}))"


def _utc_today(p: Params) -> str:
    """SQL: the date in UTC at the statement's instant (the same instant as ``_today``'s), read
    once per statement (an InitPlan), not at every row."""
    return f"(select ({p.once('dates', _dates_now)}::jsonb ->> '{_UTC}')::date)"


def _registration_open(today: str, p: Params) -> str:
    """SQL: offering ``o`` takes registrations on ``today`` (an SQL date)."""
    return (
        "o.availability in ('OPEN', 'FEW_SEATS', 'WAITLIST')"
        f" and (o.registration_opens is null or o.registration_opens <= {today})"
        f" and (o.registration_deadline is null or o.registration_deadline >= {today})"
        f" and {_not_ended(today, _utc_today(p))}"
    )


_SEATS_LEFT = "o.availability not in ('FULL', 'CLOSED') and (o.seats_available is null or o.seats_available > 0)"


def _point(near: Near, p: Params) -> str:
    return f"ll_to_earth({p.add(near.latitude)}::float8, {p.add(near.longitude)}::float8)"


def _offering_match(f: CredentialFilter, p: Params, *, of_listing: bool = True) -> str:
    """The conditions one offering (alias ``o``) of listing ``c`` must meet for the filter:
    not cancelled, not ended (what the listing's offerings show), and every offering condition
    asked for that holds of a single offering (``of_listing`` False: of any listing, to group
    them by listing; its listing is ``c`` too unless the filter is near a place)."""
    today = _today(p) if of_listing or _joins_listing(f) else _today(p, _IN_PERSON if f.near else _LOOKED_UP)
    parts = ["o.credential_id = c.id"] if of_listing else []
    parts += ["o.cancelled_at is null", _not_ended(today, _utc_today(p))]
    if f.starts_from is not None or f.starts_to is not None:  # a rolling intake starts any time
        bounds = [f"o.start_date >= {p.add(f.starts_from)}::date"] if f.starts_from else []
        bounds += [f"o.start_date <= {p.add(f.starts_to)}::date"] if f.starts_to else []
        parts.append(f"(o.start_date is null or ({' and '.join(bounds)}))")
    if f.registration_open:
        parts.append(_registration_open(today, p))
    if f.seats_available:
        parts.append(_SEATS_LEFT)
    if f.schedule_timings:
        parts.append(f"o.schedule_timings && {p.add(list(f.schedule_timings))}::schedule_timing[]")
    if f.near is not None:  # online offerings are near nothing; the box lets the index answer
        point, metres = _point(f.near, p), f"{p.add(f.near.within_km * 1000)}::float8"
        parts.append(
            "o.delivery_mode <> 'ONLINE' and o.latitude is not null"
            f" and earth_box({point}, {metres}) @> o.place_point"
            f" and cube_distance({point}, o.place_point) <= {p.add(chord_metres(f.near.within_km))}"
        )
    return " and ".join(parts)


def _accepted_offerings(f: CredentialFilter, p: Params) -> str:
    """FROM and WHERE of the offerings (alias ``o``) of any listing that meet the filter's
    offering conditions, to group them by listing. With their listing (alias ``c``) when every
    offering needs its "today" (``_joins_listing``)."""
    source = "offerings o join credentials c on c.id = o.credential_id" if _joins_listing(f) else "offerings o"
    return f"{source} where {_offering_match(f, p, of_listing=False)}"


def _joins_listing(f: CredentialFilter) -> bool:
    """Whether offerings grouped by listing are read with their listing: when every one needs
    its "today" (registrations open) and some may be online (not near a place), whose "today" is
    their listing's region's."""
    return bool(f.registration_open) and f.near is None


def _held_by_one_offering(f: CredentialFilter) -> dict[str, Any]:
    """The filter's fields that `_offering_match` states (as "one offering meets them all"),
    each mapped to None, to take them out of a filter."""
    named = [name for name in ("near", "schedule_timings", "starts_from", "starts_to") if getattr(f, name)]
    named += [name for name in ("registration_open", "seats_available") if getattr(f, name) is True]
    return dict.fromkeys(named)


def _offering_conditions(f: CredentialFilter, p: Params) -> dict[str, str]:
    """The offering conditions as predicates on listing ``c``: one offering meets every
    condition asked for as true; asked for as false, no offering takes registrations (or has
    seats left)."""
    found = {}
    if _held_by_one_offering(f):
        found["offerings"] = f"exists (select 1 from offerings o where {_offering_match(f, p)})"
    for name in ("registration_open", "seats_available"):
        if getattr(f, name) is False:
            today = _today(p)
            condition = _registration_open(today, p) if name == "registration_open" else _SEATS_LEFT
            found[name] = (
                f"not exists (select 1 from offerings o where o.credential_id = c.id and o.cancelled_at is null"
                f" and {_not_ended(today, _utc_today(p))} and {condition})"
            )
    return found


def _where(req: SearchRequest, viewer: Visibility, mode: MatchMode, p: Params) -> tuple[str, str, str]:
    """(extra FROM item, full WHERE clause, rank expression) of a search."""
    source, match, rank = _match(mode, req.text, p)
    parts = [credentials.visible_in_lists(p, viewer, req.filter.statuses), match, *_conditions(req.filter, p).values()]
    return source, " and ".join(parts), rank


def matching_ordinals(req: SearchRequest, viewer: Visibility, mode: MatchMode, p: Params) -> str:
    """A subselect of the `ordinal` numbers of listings that match (the facet index
    intersects its bitmaps with them), as an int array: every listing that matches, and
    perhaps some that ``viewer`` may not see or of other statuses, which the index's own
    visibility and statuses leave out.

    A search whose only conditions for PostgreSQL are ones an offering meets (no text) is
    answered from the offerings alone, which hold their listing's ordinal (migration 0036): near
    a place, from the index over their points, without reading a listing (with
    ``registrationOpen``, an online offering's listing is read for its region's "today")."""
    held = _held_by_one_offering(req.filter)
    if req.text is None and held and not _conditions(replace(req.filter, **held), Params()):
        accepted = _accepted_offerings(req.filter, p)
        return f"(select coalesce(array_agg(distinct o.credential_ordinal), '{{}}') from {accepted})"
    source, where, _ = _where(req, viewer, mode, p)
    return f"(select coalesce(array_agg(c.ordinal), '{{}}') from credentials c{source} where {where})"


async def match_mode(db: Executor, req: SearchRequest, viewer: Visibility) -> MatchMode:
    """FULL_TEXT when the query text finds anything under the filters, else FUZZY."""
    if req.text is None:
        return MatchMode.ALL
    p = Params()
    source, where, _ = _where(req, viewer, MatchMode.FULL_TEXT, p)
    found = await db.fetchval(f"select exists (select 1 from credentials c{source} where {where})", *p.values)
    return MatchMode.FULL_TEXT if found else MatchMode.FUZZY


async def page(
    db: Executor, req: SearchRequest, viewer: Visibility, mode: MatchMode, after: Key | None
) -> Page[Credential]:
    """One page of the result, in the requested order."""
    if req.effective_order == CredentialOrder.NEAREST and req.filter.near is not None:
        return await _nearest_page(db, req, viewer, mode, after)
    p = Params()
    source, where, rank = _where(req, viewer, mode, p)
    sort, sort_type = _sort(req.effective_order, rank, req.lang, req.filter, p)
    keyset = after_condition(sort, sort_type, "c.id", after, p.values)
    limit = p.add(req.first + 1)
    rows = await db.fetch(
        f"select {credentials.COLUMNS}, {sort} as _sort from credentials c{source}"
        f" where {where} and {keyset} order by {sort}, c.id limit {limit}",
        *p.values,
    )
    return page_from_rows(rows, req.first, credentials.build)


# A NEAREST page first reads this many of the nearest accepted offerings per listing it shows
# (a listing may have several near the point; the listing's own conditions turn some away).
_NEAREST_OFFERINGS_PER_LISTING = 8


async def _nearest_page(
    db: Executor, req: SearchRequest, viewer: Visibility, mode: MatchMode, after: Key | None
) -> Page[Credential]:
    """A NEAREST page: the offerings the filter accepts, grouped by listing with the nearest
    one's distance (as a chord, which orders as distances do), joined to their listings (which
    also states the filter's conditions on listings), nearest first.

    A first page without words first reads the K offerings nearest the point (the index over
    their points reads them in that order, then stops: 168 near Toronto instead of all 1,638
    within 50 km, 2.6 -> 0.6 ms): a listing among them whose distance is below the K-th
    offering's has its true distance, and every listing not among them is at least that far.
    When those listings do not fill the page (and there were K), a second statement groups every
    accepted offering instead. That happens where many offerings share the K-th one's point (a
    campus, or a municipality's centre, where offerings given without coordinates are placed):
    none of them is strictly nearer than the K-th. Later pages and searches with words group
    them all at once: the nearest offerings seldom fill those (they lie behind the cursor, or the
    words turn most of their listings away)."""
    if after is None and req.text is None:
        p = Params()
        rows = await db.fetch(_nearest_offerings_first(req, viewer, mode, p), *p.values)
        found = [row for row in rows if row["id"] is not None]
        if len(found) > req.first or not rows[0]["_cut"]:  # a full page, or every accepted offering read
            return page_from_rows(found, req.first, credentials.build)
    p = Params()
    listings, point, accepted = _nearest_parts(req, viewer, mode, after, p)
    every_offering = (
        f"select o.credential_id, min(cube_distance({point}, o.place_point)) as chord from {accepted}"
        " group by o.credential_id order by chord, o.credential_id"
    )
    return page_from_rows(await db.fetch(listings(every_offering, "true"), *p.values), req.first, credentials.build)


def _nearest_offerings_first(req: SearchRequest, viewer: Visibility, mode: MatchMode, p: Params) -> str:
    """A first NEAREST page from the K nearest accepted offerings: its listings whose distance
    is below the K-th offering's (all of them when there were fewer than K), and on every row
    (one with null columns when there are none) ``_cut``, whether there were K (then listings
    further away may still belong on the page)."""
    listings, point, accepted = _nearest_parts(req, viewer, mode, None, p)
    enough = p.add((req.first + 1) * _NEAREST_OFFERINGS_PER_LISTING)
    return (
        f"with knn as materialized (select o.credential_id, cube_distance({point}, o.place_point) as chord"
        f" from {accepted} order by o.place_point <-> {point} limit {enough}),"
        f" edge as (select count(*) = {enough} as cut, max(chord) as last from knn),"
        " near_first as ("
        + listings(
            "select credential_id, min(chord) as chord from knn group by credential_id order by chord, credential_id",
            "(not (select cut from edge) or nearest.chord < (select last from edge))",
        )
        + ") select near_first.*, edge.cut as _cut from edge left join near_first on true order by _sort, id"
    )


def _nearest_parts(
    req: SearchRequest, viewer: Visibility, mode: MatchMode, after: Key | None, p: Params
) -> tuple[Callable[[str, str], str], str, str]:
    """(the listings of grouped offerings that meet ``condition``, nearest first, a page of them
    after ``after``; the search's point; the offerings the filter accepts), their parameters in ``p``."""
    f = req.filter
    assert f.near is not None
    source, where, _ = _where(replace(req, filter=replace(f, **_held_by_one_offering(f))), viewer, mode, p)
    point = _point(f.near, p)
    accepted = _accepted_offerings(f, p)
    keyset = after_condition("nearest.chord", "float8", "nearest.credential_id", after, p.values)
    limit = p.add(req.first + 1)

    def listings(groups: str, condition: str) -> str:
        # Joined before the text's FROM item (a comma): a join binds tighter than a comma, so
        # after it the join could not see the listings. Ordered by the grouped offerings'
        # listing, the join stops once the page is full.
        return (
            f"select {credentials.COLUMNS}, nearest.chord as _sort from credentials c join ({groups}) nearest"
            f" on nearest.credential_id = c.id{source} where {where} and {keyset} and {condition}"
            f" order by nearest.chord, nearest.credential_id limit {limit}"
        )

    return listings, point, accepted


async def count(db: Executor, req: SearchRequest, viewer: Visibility, mode: MatchMode) -> int:
    """How many listings match (all pages together)."""
    p = Params()
    source, where, _ = _where(req, viewer, mode, p)
    found: int = await db.fetchval(f"select count(*) from credentials c{source} where {where}", *p.values)
    return found


def _sql_facet_values(name: str, f: CredentialFilter, p: Params) -> str:
    """A listing's values for one of the facets PostgreSQL counts, as an array expression (for
    an offering facet, over its offerings, alias ``o``, that the filter accepts)."""
    if name == "currency":
        return f"array[case when {_stale(f, p)} then 'STALE' else 'CURRENT' end]"
    match = _offering_match(f, p)
    if name == "scheduleTiming":
        return f"array(select distinct t::text from offerings o, unnest(o.schedule_timings) t where {match})"
    today = _today(p)
    windows = "".join(
        f"case when o.start_date <= {today} + {days} then '{window}' end, " for window, days in START_WINDOWS.items()
    )
    return (
        "array(select distinct w from offerings o, unnest(array_remove(array["
        f"case when o.start_date is null then 'ANY_TIME' end, {windows}"
        f"case when o.start_date > {today} + {max(START_WINDOWS.values())} then 'LATER' end], null)) w"
        f" where {match} and (o.start_date is null or o.start_date >= {today}))"
    )


async def sql_facets(
    db: Executor, req: SearchRequest, viewer: Visibility, mode: MatchMode, names: Sequence[str]
) -> dict[str, list[FacetCount]]:
    """Counts per value of the SQL_FACETS in ``names``, one statement each: each over the
    result filtered by everything but its own filter fields, each listing counted once per
    value (under NEXT_30_DAYS and NEXT_90_DAYS both when an offering starts within 30 days)."""
    found: dict[str, list[FacetCount]] = {}
    for name in names:
        own = SQL_FACETS[name]
        cleared: dict[str, Any] = dict.fromkeys(own)
        others = replace(req.filter, **cleared)
        p = Params()
        source, where, _ = _where(replace(req, filter=others), viewer, mode, p)
        values = _sql_facet_values(name, others, p)
        rows = await db.fetch(
            f'select v collate "C" as value, count(*) as n from (select {values} as vs from credentials c{source}'
            f" where {where}) listing cross join unnest(listing.vs) as v group by v order by n desc, value",
            *p.values,
        )
        found[name] = [FacetCount(row["value"], row["n"]) for row in rows]
    return found


async def facets(
    db: Executor,
    req: SearchRequest,
    viewer: Visibility,
    mode: MatchMode,
    names: Sequence[str] | None = None,
    *,
    with_total: bool = False,
) -> tuple[dict[str, list[FacetCount]], int | None]:
    """(counts per value of the facets in ``names`` (all by default), the total when
    ``with_total``), in one statement.

    Each facet is counted over the result as filtered by everything except its own
    filter, so choosing ONLINE still shows how many IN_PERSON listings there are. Only the
    facets asked for widen the set scanned: the filters of the others narrow it at once.
    The kinds of recognition in force are gathered for the scanned listings in one grouped
    join (not one lookup per listing). The total is the rows that pass every filter.
    """
    wanted = [name for name in FACETS if names is None or name in names]
    p = Params()
    source, match, _ = _match(mode, req.text, p)
    conditions = _conditions(req.filter, p)
    own = {name: " and ".join(conditions.pop(field, "true") for field in FACETS[name]) for name in wanted}
    where = " and ".join([credentials.visible_in_lists(p, viewer, req.filter.statuses), match, *conditions.values()])
    columns = ", ".join(
        ["c.id"]
        + [f'{FACET_VALUES[name]} as "v_{name}"' for name in wanted if name in FACET_VALUES]
        + [f'({own[name]}) as "f_{name}"' for name in wanted]
    )
    selects = []
    for name in wanted:
        others = " and ".join(f'"f_{other}"' for other in wanted if other != name) or "true"
        values = _RECOGNITION_FACETS.get(name, f'"v_{name}"')
        joined = " join rs on rs.credential_id = base.id" if name in _RECOGNITION_FACETS else ""
        selects.append(
            f"select '{name}' as facet, v collate \"C\" as value, count(*) as n, {_FACET_NAMES.get(name, 'null::jsonb')} as name"
            f" from base{joined} cross join unnest({values}) as v where {others} group by v"
        )
    if with_total:
        every = " and ".join(f'"f_{name}"' for name in wanted) or "true"
        selects.append(
            f"select '' as facet, null collate \"C\" as value, count(*) as n, null::jsonb as name from base where {every}"
        )
    result: dict[str, list[FacetCount]] = {name: [] for name in FACETS}
    if not selects:
        return result, None
    recognitions = (
        f", rs as (select r.credential_id, array_agg(distinct r.kind::text) as kinds,"
        f" array_agg(distinct r.authority_id::text) as authorities from recognitions r"
        f" where {ACTIVE} and r.credential_id in (select id from base) group by r.credential_id)"
        if set(_RECOGNITION_FACETS) & set(wanted)
        else ""
    )
    rows = await db.fetch(
        f"with base as materialized (select {columns} from credentials c{source} where {where}){recognitions}"
        f" {' union all '.join(selects)} order by facet, n desc, value",
        *p.values,
    )
    total = None
    for row in rows:
        if row["facet"]:
            result[row["facet"]].append(FacetCount(row["value"], row["n"], row["name"]))
        else:
            total = row["n"]
    return result, total
