"""The rules an offering follows, whole: dates in order, a place unless online, seats within
what there are, known timings, a cost with its currency."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from uuid import uuid4

from registry.domain.offerings import (
    CLEARABLE,
    FIELDS_NAMED,
    Offering,
    OfferingChanges,
    Place,
    SetPlan,
    check_offering,
    check_set,
    clearing_problems,
    over_the_limit,
)

SUDBURY = Place(municipality="Sudbury", region="CA-ON", latitude=46.49, longitude=-80.99)


def _codes(**fields) -> list[tuple[tuple[str, ...], str]]:
    changes = OfferingChanges(**{"delivery_mode": "IN_PERSON", "place": SUDBURY, **fields})
    return [(p.field, p.code) for p in check_offering(changes)]


def test_a_whole_in_person_offering_with_its_place_is_valid():
    assert _codes(start_date=date(2027, 1, 11), end_date=date(2027, 3, 26), seats_total=20, seats_available=4) == []


def test_an_online_offering_needs_no_place_and_a_rolling_intake_no_dates():
    assert check_offering(OfferingChanges(delivery_mode="ONLINE")) == []


def test_a_delivery_mode_is_required():
    assert _codes(delivery_mode=None) == [(("offering", "deliveryMode"), "REQUIRED")]


def test_an_in_person_or_hybrid_offering_needs_its_place():
    assert _codes(delivery_mode="HYBRID", place=None) == [(("offering", "place"), "REQUIRED")]


def test_dates_must_be_in_order():
    assert _codes(start_date=date(2027, 3, 1), end_date=date(2027, 2, 1)) == [(("offering", "endDate"), "EMPTY_RANGE")]
    assert _codes(registration_opens=date(2027, 2, 1), registration_deadline=date(2027, 1, 1)) == [
        (("offering", "registrationDeadline"), "EMPTY_RANGE")
    ]


def test_seats_available_cannot_exceed_seats_total():
    assert _codes(seats_total=10, seats_available=11) == [(("offering", "seatsAvailable"), "OUT_OF_RANGE")]


def test_coordinates_come_in_pairs_within_range():
    half = Place(municipality="Sudbury", region="CA-ON", latitude=46.49)
    assert _codes(place=half) == [(("offering", "place"), "INCOMPLETE")]
    far = Place(municipality="Sudbury", region="CA-ON", latitude=46.49, longitude=-181.0)
    assert _codes(place=far) == [(("offering", "place", "longitude"), "OUT_OF_RANGE")]


def test_timings_and_availability_are_known_values():
    assert _codes(schedule_timings=["NIGHT"], availability="MAYBE") == [
        (("offering", "scheduleTimings"), "INVALID_VALUE"),
        (("offering", "availability"), "INVALID_VALUE"),
    ]


def test_a_cost_has_an_amount_and_a_currency():
    assert _codes(cost_amount=100.0) == [(("offering", "cost"), "INCOMPLETE")]


def test_registration_cannot_close_after_the_offering_ends():
    ends = {"start_date": date(2027, 1, 11), "end_date": date(2027, 3, 26)}
    assert _codes(**ends, registration_deadline=date(2027, 4, 1)) == [
        (("offering", "registrationDeadline"), "EMPTY_RANGE")
    ]


def test_dates_are_those_of_a_real_course():
    assert _codes(start_date=date(9999, 12, 31)) == [(("offering", "startDate"), "OUT_OF_RANGE")]
    assert _codes(start_date=date(2027, 1, 1), end_date=date(9999, 12, 31)) == [
        (("offering", "endDate"), "OUT_OF_RANGE")
    ]
    assert _codes(registration_opens=date(1, 1, 1)) == [(("offering", "registrationOpens"), "OUT_OF_RANGE")]


def test_a_language_or_timing_is_given_once_and_languages_are_few():
    assert _codes(languages=["en", "fr", "en"], schedule_timings=["EVENING", "EVENING"]) == [
        (("offering", "scheduleTimings"), "DUPLICATE"),
        (("offering", "languages"), "DUPLICATE"),
    ]
    assert _codes(languages=[f"en-{n:03d}" for n in range(21)]) == [(("offering", "languages"), "TOO_MANY")]


def test_an_external_id_is_not_only_spaces():
    assert _codes(external_id="   ") == [(("offering", "externalId"), "BLANK")]


def _run(end: date, place: Place | None) -> Offering:
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    return Offering(
        id=uuid4(), credential_id=uuid4(), external_id="r", start_date=end, end_date=end, registration_opens=None,
        registration_deadline=None, delivery_mode="IN_PERSON" if place else "ONLINE", place=place,
        schedule_timings=[], languages=[], cost_amount=None, cost_currency=None, seats_total=None,
        seats_available=None, availability="OPEN", cancelled_at=None, version=1, created_at=moment, updated_at=moment,
    )  # fmt: skip


def test_a_run_has_ended_when_its_last_day_is_over_where_it_runs():
    # 03:30 UTC on 2 December is still 1 December in Vancouver, already 2 December in St. John's.
    now = datetime(2026, 12, 2, 3, 30, tzinfo=UTC)
    vancouver = Place(municipality="Vancouver", region="CA-BC", latitude=49.28, longitude=-123.12)
    st_johns = Place(municipality="St. John's", region="CA-NL", latitude=47.56, longitude=-52.71)
    assert not _run(date(2026, 12, 1), vancouver).has_ended(now, None)
    assert _run(date(2026, 12, 1), st_johns).has_ended(now, None)


def test_an_online_run_ends_where_its_listing_is_offered():
    now = datetime(2026, 12, 2, 3, 30, tzinfo=UTC)
    assert not _run(date(2026, 12, 1), None).has_ended(now, "CA-BC")
    assert _run(date(2026, 12, 1), None).has_ended(now, "CA-NL")


def _keyed(key: str, day: date) -> OfferingChanges:
    return OfferingChanges(external_id=key, start_date=day, end_date=day, delivery_mode="ONLINE")


NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
NEXT_YEAR, LAST_YEAR = date(2027, 6, 1), date(2025, 6, 1)


def _stored(key: str, day: date, cancelled: bool = False) -> Offering:
    run = _run(day, None)
    return replace(run, external_id=key, cancelled_at=NOW if cancelled else None)


def _adding(count: int, day: date = NEXT_YEAR) -> SetPlan:
    return SetPlan([_keyed(f"n{n}", day) for n in range(count)], [], [])


def test_a_listing_shows_at_most_200_offerings_that_have_not_ended_cancelled_ones_included():
    upcoming = [_stored(f"u{n}", NEXT_YEAR, cancelled=n % 2 == 0) for n in range(200)]
    assert over_the_limit(upcoming, _adding(1), NOW, "CA-ON")
    assert not over_the_limit(upcoming[:199], _adding(1), NOW, "CA-ON")


def test_runs_that_ended_make_room():
    ended = [_stored(f"p{n}", LAST_YEAR) for n in range(500)]
    assert not over_the_limit(ended, _adding(200), NOW, "CA-ON")


def test_an_update_moving_a_run_that_ended_into_the_future_counts():
    current = [_stored(f"u{n}", NEXT_YEAR) for n in range(199)] + [_stored("p", LAST_YEAR), _stored("q", LAST_YEAR)]
    one, two = current[-2:]
    assert not over_the_limit(current, SetPlan([], [(one, _keyed("p", NEXT_YEAR))], []), NOW, "CA-ON")
    moved_both = SetPlan([], [(one, _keyed("p", NEXT_YEAR)), (two, _keyed("q", NEXT_YEAR))], [])
    assert over_the_limit(current, moved_both, NOW, "CA-ON")


def test_a_cancelled_rolling_intake_makes_room():
    rolling = [replace(_stored(f"r{n}", NEXT_YEAR), start_date=None, end_date=None) for n in range(200)]
    assert over_the_limit(rolling, _adding(1), NOW, "CA-ON")
    cancelled = [replace(o, cancelled_at=NOW) for o in rolling]
    assert not over_the_limit(cancelled, _adding(1), NOW, "CA-ON")


def test_a_listing_keeps_at_most_1000_offerings_in_all():
    ended = [_stored(f"p{n}", LAST_YEAR) for n in range(1_000)]
    assert over_the_limit(ended, _adding(1, LAST_YEAR), NOW, "CA-ON")
    assert not over_the_limit(ended, SetPlan([], [(ended[0], _keyed("p0", LAST_YEAR))], []), NOW, "CA-ON")


def test_a_write_that_shows_no_more_than_before_is_never_refused_for_it():
    over = [_stored(f"u{n}", NEXT_YEAR) for n in range(210)]  # kept from before the limit
    assert not over_the_limit(over, SetPlan([], [(over[0], _keyed("u0", NEXT_YEAR))], []), NOW, "CA-ON")


def test_a_submitted_set_counts_the_offerings_it_cancels_and_those_without_a_key():
    current = [_stored(f"old{n}", NEXT_YEAR) for n in range(150)] + [_stored(None, NEXT_YEAR) for _ in range(10)]
    renewed = [_keyed(f"new{n}", NEXT_YEAR) for n in range(41)]  # the old keys left out are cancelled, still shown
    assert (("offerings",), "TOO_MANY") in [(p.field, p.code) for p in check_set(renewed, current, NOW, "CA-ON")]
    assert check_set(renewed[:40], current, NOW, "CA-ON") == []


def test_a_canadian_place_is_in_a_province_or_territory_that_exists():
    assert _codes(place=replace(SUDBURY, region="CA-ZZZ")) == [(("offering", "place", "region"), "INVALID_REGION")]
    assert _codes(place=replace(SUDBURY, region="FR-75")) == []


def test_a_language_tag_given_twice_in_other_cases_is_a_duplicate():
    assert _codes(languages=["en", "EN"]) == [(("offering", "languages"), "DUPLICATE")]


def test_a_submitted_set_may_hold_more_than_200_runs_when_those_past_200_have_ended():
    ended = [_keyed(f"p{n}", LAST_YEAR) for n in range(100)]
    upcoming = [_keyed(f"k{n}", NEXT_YEAR) for n in range(150)]
    assert check_set(ended + upcoming, [], NOW, "CA-ON") == []


def test_an_offering_with_an_end_has_a_start():
    assert _codes(end_date=date(2027, 1, 1)) == [(("offering", "startDate"), "REQUIRED")]


def test_registration_stays_within_a_run_that_has_only_a_start():
    start = date(2027, 1, 10)
    assert _codes(start_date=start, registration_deadline=date(2027, 6, 1)) == [
        (("offering", "registrationDeadline"), "EMPTY_RANGE")
    ]
    assert _codes(start_date=start, registration_opens=date(2027, 6, 1)) == [
        (("offering", "registrationOpens"), "EMPTY_RANGE")
    ]


def test_a_change_empties_the_fields_it_clears_and_keeps_the_others():
    run = replace(_run(NEXT_YEAR, SUDBURY), seats_total=20, schedule_timings=["EVENING"])
    after = run.applied(OfferingChanges(seats_available=3, cleared=frozenset({"seats_total", "schedule_timings"})))
    assert (after.seats_total, after.schedule_timings, after.seats_available) == (None, [], 3)
    assert (after.place, after.start_date) == (SUDBURY, NEXT_YEAR)


def test_a_field_is_not_both_given_and_cleared():
    changes = OfferingChanges(cost_amount=5.0, cost_currency="CAD", cleared=frozenset({"cost_amount", "cost_currency"}))
    assert [(p.field, p.code) for p in clearing_problems(changes)] == [(("clear",), "INVALID_VALUE")]
    assert clearing_problems(OfferingChanges(seats_total=3, cleared=frozenset({"cost_amount", "cost_currency"}))) == []


def test_every_field_a_client_may_clear_names_fields_an_offering_may_lose():
    named = {name for names in FIELDS_NAMED.values() for name in names}
    assert named == set(CLEARABLE) and not named & {"delivery_mode", "availability", "external_id"}
