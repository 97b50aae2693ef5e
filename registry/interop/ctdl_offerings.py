"""Offerings in CTDL: a learning opportunity's `ceterms:hasOffering`, its `ScheduledOffering`s.

CTDL gives a scheduled offering no dates, so each reads as a rolling intake, with its delivery
type, schedule timings, place (`availableAt`) and cost, keyed by its CTID or `@id` so that
importing the same document again changes nothing. A credential's own `ceterms:availableAt`
(where it is available, as the export writes the places of a listing's offerings) is not an
offering: it is left as it is, with a note, and the listing's offerings with it.
"""

from __future__ import annotations

from typing import Any

from registry.domain.enums import DeliveryMode
from registry.domain.offerings import MAX_OFFERINGS, MAX_TEXT, REGION, OfferingChanges, Place
from registry.interop import ctdl, gazetteer
from registry.interop.ctdl_costs import read_costs
from registry.interop.ctdl_reading import Reading
from registry.interop.ctdl_values import concept, many, number, one_text

DELIVERY = {node: mode for mode, (node, _) in ctdl.DELIVERY.items()}
TIMINGS = {
    "scheduleTiming:Daytime": "DAYTIME",
    "scheduleTiming:Evening": "EVENING",
    "scheduleTiming:Weekends": "WEEKEND",
}
COUNTRIES = {"ca": "CA", "can": "CA", "canada": "CA", "us": "US", "usa": "US", "united states": "US"}


def read_offerings(node: dict, r: Reading) -> list[OfferingChanges] | None:
    """The offerings an object states (None when it states none: its offerings are left as
    they are)."""
    if r.take(node, "ceterms:availableAt") is not None:
        r.note(
            "ceterms:availableAt",
            "PLACES_NOT_IMPORTED",
            "The places a credential is available at are not offerings (CTDL dates no run of a credential); "
            "its offerings are left as they are.",
        )
    scheduled = r.nodes(r.take(node, "ceterms:hasOffering"))
    if not scheduled:
        return None
    found = [o for position, item in enumerate(scheduled) if (o := _scheduled(item, position, r))]
    unique = list({o.external_id: o for o in found}.values())
    if len(unique) > MAX_OFFERINGS:
        r.note("ceterms:hasOffering", "OFFERINGS_LEFT_OUT", f"Only the first {MAX_OFFERINGS} offerings were imported.")
    return unique[:MAX_OFFERINGS]


def _scheduled(item: Any, position: int, r: Reading) -> OfferingChanges | None:
    """A ScheduledOffering as an offering; None (with a note) when it is not in the document,
    or when it is in person or hybrid and none of its places can be coded."""
    if not isinstance(item, dict):
        r.note("ceterms:hasOffering", "UNRESOLVED", f"{item!r} is not in the document; it was not imported.")
        return None
    places = [_place(value, "ceterms:hasOffering", r) for value in r.nodes(r.take(item, "ceterms:availableAt"))]
    place = next((p for p in places if p is not None), None)
    modes = [DELIVERY[c] for c in map(concept, many(r.take(item, "ceterms:deliveryType"))) if c in DELIVERY]
    mode = modes[0] if modes else (DeliveryMode.IN_PERSON.value if place else DeliveryMode.ONLINE.value)
    r.take(item, "ceterms:availableOnlineAt")
    if mode != DeliveryMode.ONLINE.value and place is None:
        r.note("ceterms:hasOffering", "OFFERING_LEFT_OUT", "An offering in person with no place read was left out.")
        return None
    timings = [TIMINGS[c] for c in map(concept, many(r.take(item, "ceterms:scheduleTimingType"))) if c in TIMINGS]
    costs = read_costs(r.nodes(item.get("ceterms:estimatedCost")), r.marks)
    for key in ("@type", "@id", "ceterms:ctid", "ceterms:name", "ceterms:description", "ceterms:offeredBy"):
        r.take(item, key)
    key = item.get("ceterms:ctid") or item.get("@id") or f"offering-{position + 1}"
    return OfferingChanges(
        external_id=str(key)[: MAX_TEXT["external_id"]],
        delivery_mode=mode,
        place=place if mode != DeliveryMode.ONLINE.value else None,
        schedule_timings=list(dict.fromkeys(timings)) or None,
        cost_amount=costs.amount,
        cost_currency=costs.currency if costs.amount is not None else None,
    )


def _place(value: Any, where: str, r: Reading) -> Place | None:
    """A CTDL Place as an offering's place; None (with a note) when it names no municipality
    in a region the registry can code."""
    if not isinstance(value, dict):
        return None
    r.marks.done(value)
    municipality = one_text(value.get("ceterms:addressLocality"))
    region = _region(one_text(value.get("ceterms:addressRegion")), one_text(value.get("ceterms:addressCountry")))
    if not municipality or region is None:
        named = one_text(value.get("ceterms:name")) or municipality or "A place"
        r.note(where, "PLACE_LEFT_OUT", f"{named!r} has no municipality and region the registry can code.")
        return None
    latitude, longitude = number(value.get("ceterms:latitude")), number(value.get("ceterms:longitude"))
    has_point = latitude is not None and longitude is not None
    return Place(
        municipality=municipality[: MAX_TEXT["municipality"]],
        region=region,
        name=_short(one_text(value.get("ceterms:name")), "place_name"),
        street_address=_short(one_text(value.get("ceterms:streetAddress")), "street_address"),
        postal_code=_short(value.get("ceterms:postalCode"), "postal_code"),
        latitude=latitude if has_point else None,
        longitude=longitude if has_point else None,
    )


def _region(region: str | None, country: str | None) -> str | None:
    """The ISO 3166-2 code of a region as CTDL publishers write it ("ON", "Ontario", "CA-ON",
    "IN" in the United States)."""
    if not region:
        return None
    if REGION.fullmatch(region.strip().upper()):
        return region.strip().upper()
    nation = COUNTRIES.get(gazetteer.fold(country or "canada"))
    if nation == "CA":
        return gazetteer.PROVINCE_NAMES.get(gazetteer.fold(region))
    if nation == "US" and len(region.strip()) == 2 and region.strip().isalpha():
        return f"US-{region.strip().upper()}"
    return None


def _short(value: Any, limit: str) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text[: MAX_TEXT[limit]] or None
