"""`/credentials/{id}/offerings.ics`: a listing's upcoming offerings as an iCalendar (RFC 5545),
so that a learner can put an intake in a calendar.

Each dated offering is an all-day event from its start to its end (a rolling intake has no
date to put in a calendar and is left out); a cancelled one stays, with STATUS:CANCELLED, so
that a calendar that imported it learns of the cancellation. The data comes from the GraphQL
schema itself (registry.pages.operations): the listing is there only for whoever may see it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from icalendar import Calendar, Event, vText
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from registry.http.response_cache import CACHEABLE
from registry.pages.operations import OperationFailed, execute

QUERY = """
query Offerings($id: ID!) {
  credential(id: $id) {
    id title url provider { name }
    offerings {
      id startDate endDate registrationDeadline deliveryMode cancelledAt version
      place { name streetAddress municipality region postalCode }
    }
  }
}
"""


async def offerings_calendar(request: Request) -> Response:
    """GET /credentials/{id}/offerings.ics"""
    try:
        listing = (await execute(request, QUERY, {"id": request.path_params["id"]}))["credential"]
    except OperationFailed:
        listing = None
    if listing is None:
        return JSONResponse({"error": "not_found", "error_description": "No such credential."}, status_code=404)
    request.scope[CACHEABLE] = True  # public data: the response cache may share it
    return Response(
        calendar(listing, urlsplit(request.app.state.settings.issuer).hostname or "microcred"),
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="offerings.ics"'},
    )


def calendar(listing: dict[str, Any], host: str) -> bytes:
    """The iCalendar of a listing's dated offerings. ``host`` is the registry's own (from its
    configured public address, never a request's Host header): an event's UID must stay the
    same in every copy a calendar imports, or a later cancellation reaches none of them."""
    cal = Calendar()
    cal.add("prodid", "-//Microcred Registry//Offerings//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", vText(listing["title"]))  # text, escaped: an X- property is not typed by default
    stamp = datetime.now(timezone.utc).replace(microsecond=0)
    for offering in listing["offerings"]:
        if offering["startDate"] is not None:
            cal.add_component(_event(listing, offering, host, stamp))
    return cal.to_ical()


def _event(listing: dict[str, Any], offering: dict[str, Any], host: str, stamp: datetime) -> Event:
    start = date.fromisoformat(offering["startDate"])
    last = date.fromisoformat(offering["endDate"]) if offering["endDate"] else start
    event = Event()
    event.add("uid", f"{offering['id']}@{host}")
    event.add("dtstamp", stamp)
    event.add("sequence", offering["version"])
    event.add("summary", f"{listing['title']} ({listing['provider']['name']})")
    event.add("dtstart", start)
    if last < date.max:  # an all-day event ends the day after (exclusive); without one, it is one day
        event.add("dtend", last + timedelta(days=1))
    event.add("url", listing["url"])
    if offering["place"]:
        place = offering["place"]
        parts = [place["name"], place["streetAddress"], place["municipality"], place["region"], place["postalCode"]]
        event.add("location", ", ".join(part for part in parts if part))
    if offering["registrationDeadline"]:
        event.add("description", f"Registration deadline: {offering['registrationDeadline']}.")
    event.add("status", "CANCELLED" if offering["cancelledAt"] else "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    return event
