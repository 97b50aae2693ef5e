"""A listing's offerings as an iCalendar file that a calendar parser reads: one all-day event
per dated offering, a cancelled one marked so, a rolling intake left out."""

from __future__ import annotations

from datetime import date, timedelta

from icalendar import Calendar

from registry.pages.calendar import calendar
from tests.support.listings import CANCEL_OFFERING, COMPLETE, PUBLISH, create, gql
from tests.support.offerings import IN_SUDBURY, ONLINE_ROLLING
from tests.support.offerings import add_offering as _add
from tests.support.parties import access_token


async def _published_with_offerings(client, parties):
    token = await access_token(client, parties.provider)
    made = (await create(client, token, **COMPLETE))["credential"]
    await gql(client, PUBLISH, {"input": {"id": made["id"]}}, token)
    first = (await _add(client, token, made["id"], IN_SUDBURY))["offering"]
    later = {**IN_SUDBURY, "externalId": "2027-09", "startDate": str(date.today() + timedelta(days=300))}
    later["endDate"] = later["startDate"]
    second = (await _add(client, token, made["id"], later))["offering"]
    await _add(client, token, made["id"], ONLINE_ROLLING)
    await gql(client, CANCEL_OFFERING, {"input": {"id": second["id"], "reason": "Moved"}}, token)
    return made["id"], first, second


async def test_a_listing_s_offerings_are_a_calendar_a_parser_reads(client, parties):
    credential_id, first, second = await _published_with_offerings(client, parties)
    answer = await client.get(f"/credentials/{credential_id}/offerings.ics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(answer.content)
    events = {str(e["uid"]).split("@")[0]: e for e in calendar.walk("VEVENT")}
    assert set(events) == {first["id"], second["id"]}  # the rolling intake has no date to put in a calendar
    event = events[first["id"]]
    assert event.decoded("dtstart") == date.fromisoformat(IN_SUDBURY["startDate"])
    assert event.decoded("dtend") == date.fromisoformat(IN_SUDBURY["endDate"]) + timedelta(days=1)
    assert "Sudbury" in str(event["location"]) and str(event["status"]) == "CONFIRMED"
    assert str(events[second["id"]]["status"]) == "CANCELLED"


async def test_a_listing_nobody_may_see_has_no_calendar(client, parties):
    token = await access_token(client, parties.provider)
    draft = (await create(client, token, **COMPLETE))["credential"]["id"]
    assert (await client.get(f"/credentials/{draft}/offerings.ics")).status_code == 404
    assert (await client.get("/credentials/no-such-id/offerings.ics")).status_code == 404


async def test_an_event_s_uid_is_the_registry_s_whatever_host_the_request_names(client, parties):
    # A calendar matches a later copy's events (a cancellation) by UID: a UID taken from the
    # request's Host header changed with it, and a shared cache handed one caller's to all.
    credential_id, _, _ = await _published_with_offerings(client, parties)
    answer = await client.get(f"/credentials/{credential_id}/offerings.ics", headers={"host": "attacker.example"})
    uids = [str(event["uid"]) for event in Calendar.from_ical(answer.content).walk("VEVENT")]
    assert uids and all(uid.endswith("@registry.test") for uid in uids)


def test_a_run_on_the_last_day_there_is_is_a_one_day_event_not_a_failure():
    # A run stored before dates were bounded (9999-12-31) made the calendar a 500: the day after
    # it, where an all-day event ends, does not exist. It is one day without an end.
    run = {
        "id": "o1", "startDate": "9999-12-31", "endDate": None, "registrationDeadline": None, "deliveryMode": "ONLINE",
        "cancelledAt": None, "version": 1, "place": None,
    }  # fmt: skip
    listing = {
        "title": "Far Future",
        "url": "https://example.ca/far",
        "provider": {"name": "College"},
        "offerings": [run],
    }
    (event,) = Calendar.from_ical(calendar(listing, "registry.test")).walk("VEVENT")
    assert event.decoded("dtstart") == date.max and "dtend" not in event


def test_line_breaks_in_a_title_are_escaped_never_a_new_line_in_the_file():
    # A title's line feed made the calendar a 500; a bare carriage return went into the file raw,
    # where a reader that normalises line ends found an event the provider wrote into its title.
    run = {
        "id": "o1", "startDate": "2027-01-11", "endDate": None, "registrationDeadline": None, "deliveryMode": "ONLINE",
        "cancelledAt": None, "version": 1, "place": None,
    }  # fmt: skip
    title = "Free course\rBEGIN:VEVENT\rUID:evil@attacker\rEND:VEVENT\nsecond line"
    listing = {"title": title, "url": "https://example.ca/c", "provider": {"name": "College"}, "offerings": [run]}
    text = calendar(listing, "registry.test")
    assert b"\r" not in text.replace(b"\r\n", b"")
    parsed = Calendar.from_ical(text.replace(b"\r\n", b"\n"))
    assert [str(e["uid"]) for e in parsed.walk("VEVENT")] == ["o1@registry.test"]
    assert b"X-WR-CALNAME:Free course\\nBEGIN:VEVENT\\nUID:evil@attacker" in text
