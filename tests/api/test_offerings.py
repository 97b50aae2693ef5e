"""Offerings over GraphQL: a provider adds, changes and cancels the runs of its listings;
everyone reads them on the listing; the change feed announces each change."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from tests.support.listings import CANCEL_OFFERING, COMPLETE, DRAFT, PUBLISH, RETIRE, create, gql
from tests.support.offerings import ADD, FIELDS, IN_SUDBURY, ONLINE_ROLLING, add_offering
from tests.support.parties import access_token
from tests.support.webhooks import REGISTER, SECRET, deliver_all

UPDATE = f"""
mutation($input: UpdateOfferingInput!) {{
  updateOffering(input: $input) {{ offering {{ {FIELDS} }} userErrors {{ field code message }} }}
}}
"""
CANCEL = f"""
mutation($input: CancelOfferingInput!) {{
  cancelOffering(input: $input) {{ offering {{ {FIELDS} }} userErrors {{ field code message }} }}
}}
"""
LISTING = """
query($id: ID!, $past: Boolean) {
  credential(id: $id) { nextStartDate offerings(includePast: $past) { id externalId startDate cancelledAt } }
}
"""


@pytest.fixture
async def listing(client, parties):
    """A published listing of the provider's, and the provider's token."""
    token = await access_token(client, parties.provider)
    made = (await create(client, token, **COMPLETE))["credential"]
    await gql(client, PUBLISH, {"input": {"id": made["id"]}}, token)
    return made["id"], token


async def test_a_provider_adds_offerings_that_everyone_reads_on_the_listing(client, listing):
    credential_id, token = listing
    added = await add_offering(client, token, credential_id, IN_SUDBURY)
    assert added["userErrors"] == [] and added["offering"]["version"] == 1
    assert added["offering"]["place"]["municipality"] == "Sudbury" and added["offering"]["availability"] == "OPEN"
    assert (await add_offering(client, token, credential_id, ONLINE_ROLLING))["userErrors"] == []
    read = (await gql(client, LISTING, {"id": credential_id}))["data"]["credential"]
    assert [o["externalId"] for o in read["offerings"]] == ["rolling", "2027-01"]  # a rolling intake first
    assert read["nextStartDate"] == IN_SUDBURY["startDate"]


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"place": None}, ["offering", "place"], "REQUIRED"),
        ({"endDate": str(date.today()), "registrationDeadline": None}, ["offering", "endDate"], "EMPTY_RANGE"),
        ({"seatsAvailable": 30}, ["offering", "seatsAvailable"], "OUT_OF_RANGE"),
        ({"place": {**IN_SUDBURY["place"], "region": "Ontario"}}, ["offering", "place", "region"], "INVALID_REGION"),
        ({"place": {**IN_SUDBURY["place"], "latitude": 91}}, ["offering", "place", "latitude"], "OUT_OF_RANGE"),
        ({"cost": {"amount": 10, "currency": "dollars"}}, ["offering", "cost", "currency"], "INVALID_CURRENCY"),
    ],
)
async def test_an_offering_breaking_a_rule_is_refused_with_its_field_and_nothing_is_written(
    client, listing, db, change, field, code
):
    credential_id, token = listing
    refused = await add_offering(client, token, credential_id, {**IN_SUDBURY, **change})
    assert refused["offering"] is None and [(e["field"], e["code"]) for e in refused["userErrors"]] == [(field, code)]
    assert await db.fetchval("select count(*) from offerings") == 0


async def test_a_place_given_without_coordinates_gets_its_municipality_s_from_the_gazetteer(client, listing):
    credential_id, token = listing
    place = {"municipality": "Trois-Rivières", "region": "CA-QC"}
    added = await add_offering(client, token, credential_id, {**IN_SUDBURY, "place": place})
    assert added["userErrors"] == []
    located = added["offering"]["place"]
    assert (round(located["latitude"], 2), round(located["longitude"], 2)) == (46.35, -72.55)


async def test_a_place_the_gazetteer_does_not_know_is_kept_without_coordinates(client, listing):
    credential_id, token = listing
    place = {"municipality": "Lakeside Campus Village", "region": "CA-ON"}
    added = await add_offering(client, token, credential_id, {**IN_SUDBURY, "place": place})
    assert added["userErrors"] == [] and added["offering"]["place"]["latitude"] is None


async def test_another_provider_cannot_add_to_a_listing_not_its_own(client, parties, listing):
    credential_id, _ = listing
    other = await access_token(client, parties.other_provider)
    answer = await gql(client, ADD, {"input": {"credentialId": credential_id, "offering": IN_SUDBURY}}, other)
    assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_an_offering_key_is_unique_per_listing(client, listing):
    credential_id, token = listing
    await add_offering(client, token, credential_id, IN_SUDBURY)
    again = await add_offering(client, token, credential_id, IN_SUDBURY)
    assert [e["code"] for e in again["userErrors"]] == ["DUPLICATE"]


async def test_a_retired_listing_takes_no_new_offering(client, listing):
    credential_id, token = listing
    retired = await gql(client, RETIRE, {"input": {"id": credential_id, "reason": "Replaced"}}, token)
    assert retired["data"]["retireCredential"]["userErrors"] == []
    refused = await add_offering(client, token, credential_id, IN_SUDBURY)
    assert refused["offering"] is None and [(e["field"], e["code"]) for e in refused["userErrors"]] == [
        (["credentialId"], "RETIRED")
    ]


async def test_a_retired_listing_s_offerings_are_not_changed_only_cancelled(client, listing):
    credential_id, token = listing
    offering = (await add_offering(client, token, credential_id, IN_SUDBURY))["offering"]
    await gql(client, RETIRE, {"input": {"id": credential_id, "reason": "Replaced"}}, token)
    moved = {"id": offering["id"], "offering": {"startDate": "2027-06-01", "endDate": "2027-07-01"}}
    refused = (await gql(client, UPDATE, {"input": moved}, token))["data"]["updateOffering"]
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [(["id"], "RETIRED")]
    cancelled = await gql(client, CANCEL_OFFERING, {"input": {"id": offering["id"], "reason": "Retired"}}, token)
    assert cancelled["data"]["cancelOffering"]["userErrors"] == []


async def test_an_update_that_changes_nothing_makes_no_version_and_announces_nothing(client, listing, db):
    credential_id, token = listing
    offering = (await add_offering(client, token, credential_id, IN_SUDBURY))["offering"]
    same = {"id": offering["id"], "offering": {"seatsAvailable": IN_SUDBURY["seatsAvailable"]}}
    answer = (await gql(client, UPDATE, {"input": same}, token))["data"]["updateOffering"]
    assert answer["userErrors"] == [] and answer["offering"]["version"] == 1
    assert await db.fetchval("select count(*) from offering_versions") == 1
    assert await db.fetchval("select count(*) from changes where kind = 'OFFERING_UPDATED'") == 0


async def test_an_update_changes_what_it_names_and_a_stale_version_is_a_conflict(client, listing):
    credential_id, token = listing
    offering = (await add_offering(client, token, credential_id, IN_SUDBURY))["offering"]
    changed = (
        await gql(
            client,
            UPDATE,
            {
                "input": {
                    "id": offering["id"],
                    "expectedVersion": 1,
                    "offering": {"seatsAvailable": 3, "availability": "FEW_SEATS"},
                }
            },
            token,
        )
    )["data"]["updateOffering"]
    assert changed["userErrors"] == []
    assert (changed["offering"]["seatsAvailable"], changed["offering"]["version"]) == (3, 2)
    assert changed["offering"]["place"] == offering["place"]  # omitted fields stay as they are
    stale = (
        await gql(
            client,
            UPDATE,
            {"input": {"id": offering["id"], "expectedVersion": 1, "offering": {"seatsAvailable": 2}}},
            token,
        )
    )["data"]["updateOffering"]
    assert [e["code"] for e in stale["userErrors"]] == ["CONFLICT"]


async def _update(client, token, offering_id, fields, clear=None):
    wanted = {"id": offering_id, "offering": fields, **({"clear": clear} if clear is not None else {})}
    return (await gql(client, UPDATE, {"input": wanted}, token))["data"]["updateOffering"]


async def test_an_update_empties_the_fields_it_clears_and_leaves_the_others(client, listing):
    credential_id, token = listing
    offering = (await add_offering(client, token, credential_id, IN_SUDBURY))["offering"]
    clear = ["REGISTRATION_DEADLINE", "SEATS_TOTAL", "SEATS_AVAILABLE", "SCHEDULE_TIMINGS"]
    answer = await _update(client, token, offering["id"], {}, clear)
    assert answer["userErrors"] == []
    changed = answer["offering"]
    assert [changed[name] for name in ("registrationDeadline", "seatsTotal", "seatsAvailable")] == [None] * 3
    assert changed["scheduleTimings"] == [] and changed["version"] == 2
    assert (changed["startDate"], changed["place"], changed["languages"]) == (
        offering["startDate"],
        offering["place"],
        offering["languages"],
    )


async def test_a_null_in_an_update_leaves_the_field_as_it_is(client, listing):
    credential_id, token = listing
    offering = (await add_offering(client, token, credential_id, IN_SUDBURY))["offering"]
    answer = await _update(client, token, offering["id"], {"registrationDeadline": None, "seatsAvailable": 3})
    assert answer["offering"]["registrationDeadline"] == offering["registrationDeadline"]


async def test_an_update_emptying_the_dates_and_place_of_an_online_run_makes_it_a_rolling_intake(client, listing):
    credential_id, token = listing
    offering = (await add_offering(client, token, credential_id, IN_SUDBURY))["offering"]
    clear = ["START_DATE", "END_DATE", "REGISTRATION_DEADLINE", "PLACE"]
    changed = (await _update(client, token, offering["id"], {"deliveryMode": "ONLINE"}, clear))["offering"]
    assert (changed["startDate"], changed["endDate"], changed["place"]) == (None, None, None)


async def test_an_update_leaving_a_run_without_what_it_needs_is_refused_and_changes_nothing(client, listing):
    credential_id, token = listing
    offering = (await add_offering(client, token, credential_id, IN_SUDBURY))["offering"]
    no_place = await _update(client, token, offering["id"], {}, ["PLACE"])  # still in person
    assert [(e["field"], e["code"]) for e in no_place["userErrors"]] == [(["offering", "place"], "REQUIRED")]
    only_end = await _update(client, token, offering["id"], {}, ["START_DATE"])
    assert [e["code"] for e in only_end["userErrors"]] == ["REQUIRED"]  # an end without a start
    both = await _update(client, token, offering["id"], {"cost": {"amount": 5, "currency": "CAD"}}, ["COST"])
    assert [(e["field"], e["code"]) for e in both["userErrors"]] == [(["clear"], "INVALID_VALUE")]
    after = (await gql(client, LISTING, {"id": credential_id}, token))["data"]["credential"]["offerings"][0]
    assert after["startDate"] == offering["startDate"]


async def test_a_cancelled_offering_stays_on_record_and_cannot_change(client, listing):
    credential_id, token = listing
    offering = (await add_offering(client, token, credential_id, IN_SUDBURY))["offering"]
    cancelled = (await gql(client, CANCEL, {"input": {"id": offering["id"], "reason": "Too few learners"}}, token))[
        "data"
    ]["cancelOffering"]
    assert cancelled["offering"]["cancelledAt"] and cancelled["offering"]["availability"] == "CLOSED"
    again = (await gql(client, CANCEL, {"input": {"id": offering["id"], "reason": "Again"}}, token))["data"]
    assert [e["code"] for e in again["cancelOffering"]["userErrors"]] == ["ALREADY_CANCELLED"]
    update = {"input": {"id": offering["id"], "offering": {"seatsAvailable": 1}}}
    changed = (await gql(client, UPDATE, update, token))["data"]["updateOffering"]
    assert [e["code"] for e in changed["userErrors"]] == ["CANCELLED"]
    read = (await gql(client, LISTING, {"id": credential_id}))["data"]["credential"]
    assert read["offerings"][0]["cancelledAt"] and read["nextStartDate"] is None


async def test_an_offering_that_has_ended_is_shown_only_when_past_ones_are_asked_for(client, listing):
    credential_id, token = listing
    past = {**IN_SUDBURY, "externalId": "2020", "startDate": "2020-01-06", "endDate": "2020-03-27"}
    past["registrationDeadline"] = "2019-12-15"
    assert (await add_offering(client, token, credential_id, past))["userErrors"] == []
    assert (await gql(client, LISTING, {"id": credential_id}))["data"]["credential"]["offerings"] == []
    shown = (await gql(client, LISTING, {"id": credential_id, "past": True}))["data"]["credential"]["offerings"]
    assert [o["externalId"] for o in shown] == ["2020"]


async def test_the_change_feed_announces_each_change_of_an_offering(client, listing):
    credential_id, token = listing
    offering = (await add_offering(client, token, credential_id, IN_SUDBURY))["offering"]
    await gql(client, UPDATE, {"input": {"id": offering["id"], "offering": {"seatsAvailable": 5}}}, token)
    await gql(client, CANCEL, {"input": {"id": offering["id"], "reason": "Moved online"}}, token)
    feed = (await gql(client, "{ changes(first: 100) { events { kind credential { id } } } }", {}))["data"]["changes"]
    kinds = [e["kind"] for e in feed["events"] if e["credential"]["id"] == credential_id]
    assert kinds[-3:] == ["OFFERING_ADDED", "OFFERING_UPDATED", "OFFERING_CANCELLED"]


async def test_an_offering_resolves_by_its_global_id_only_as_far_as_its_listing_does(client, parties):
    token = await access_token(client, parties.provider)
    draft = (await create(client, token, **COMPLETE))["credential"]["id"]  # not published: its provider's only
    offering = (await add_offering(client, token, draft, IN_SUDBURY))["offering"]
    query = "query($id: ID!) { node(id: $id) { id ... on Offering { externalId credential { id } } } }"
    mine = (await gql(client, query, {"id": offering["id"]}, token))["data"]["node"]
    assert mine == {"id": offering["id"], "externalId": "2027-01", "credential": {"id": draft}}
    assert (await gql(client, query, {"id": offering["id"]}))["data"]["node"] is None


async def test_a_webhook_is_told_of_an_added_offering_with_its_id(hook_client, parties, db, receiver):
    admin = await access_token(hook_client, parties.admin)
    await gql(
        hook_client, REGISTER, {"input": {"url": receiver.url, "secret": SECRET, "kinds": ["OFFERING_ADDED"]}}, admin
    )
    token = await access_token(hook_client, parties.provider)
    made = (await create(hook_client, token, **COMPLETE))["credential"]
    await gql(hook_client, PUBLISH, {"input": {"id": made["id"]}}, token)
    offering = (await add_offering(hook_client, token, made["id"], IN_SUDBURY))["offering"]
    await deliver_all(db)
    events = [json.loads(body) for _, body, _, status in receiver.received if status == 204]
    assert [(e["kind"], e["credentialId"], e["offeringId"]) for e in events] == [
        ("OFFERING_ADDED", made["id"], offering["id"])
    ]


DRAFT_FIELDS = {**DRAFT, **COMPLETE}
SUBMIT = """
mutation($input: SubmitCredentialsInput!) {
  submitCredentials(input: $input) {
    results { created credential { id offerings(includePast: true) { id externalId version cancelledAt seatsAvailable } }
              userErrors { field code message } }
  }
}
"""


async def _submit(client, token, offerings_given):
    listing = {**DRAFT_FIELDS, "offerings": offerings_given}
    answer = await gql(client, SUBMIT, {"input": {"credentials": [listing], "publish": True}}, token)
    return answer["data"]["submitCredentials"]["results"][0]


async def test_a_submission_makes_a_listing_s_offerings_the_set_it_gives(client, parties, db):
    token = await access_token(client, parties.provider)
    first = await _submit(client, token, [IN_SUDBURY, ONLINE_ROLLING])
    assert first["userErrors"] == [] and {o["externalId"] for o in first["credential"]["offerings"]} == {
        "2027-01",
        "rolling",
    }
    again = await _submit(client, token, [IN_SUDBURY, ONLINE_ROLLING])
    assert again["credential"]["offerings"] == first["credential"]["offerings"]  # the same set changes nothing
    fewer_seats = {**IN_SUDBURY, "seatsAvailable": 2}
    autumn = {**IN_SUDBURY, "externalId": "2027-09"}
    changed = {
        o["externalId"]: o for o in (await _submit(client, token, [fewer_seats, autumn]))["credential"]["offerings"]
    }
    assert (changed["2027-01"]["seatsAvailable"], changed["2027-01"]["version"]) == (2, 2)
    assert changed["2027-09"]["version"] == 1 and changed["rolling"]["cancelledAt"] is not None  # left out: cancelled
    assert await db.fetchval("select count(*) from offerings") == 3  # never deleted


async def test_a_submitted_offering_is_checked_as_it_would_be_stored_with_what_it_leaves_out(client, parties, db):
    token = await access_token(client, parties.provider)
    await _submit(client, token, [IN_SUDBURY])  # ends on day 100
    later_start = {k: v for k, v in IN_SUDBURY.items() if k != "endDate"}
    later_start["startDate"] = str(date.today() + timedelta(days=300))  # after the end it keeps
    refused = await _submit(client, token, [later_start])
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
        (["credentials", "0", "offerings", "0", "endDate"], "EMPTY_RANGE")
    ]
    more_seats = {k: v for k, v in IN_SUDBURY.items() if k != "seatsTotal"} | {"seatsAvailable": 30}  # of 24
    assert [e["code"] for e in (await _submit(client, token, [more_seats]))["userErrors"]] == ["OUT_OF_RANGE"]
    assert await db.fetchval("select version from offerings") == 1


async def test_a_resubmitted_offering_keeps_what_it_leaves_out(client, parties):
    token = await access_token(client, parties.provider)
    offering_id = (await _submit(client, token, [IN_SUDBURY]))["credential"]["offerings"][0]["id"]
    changed = await _update(client, token, offering_id, {"seatsAvailable": 2, "availability": "FEW_SEATS"})
    assert changed["userErrors"] == []
    without_seats = {k: v for k, v in IN_SUDBURY.items() if k not in ("seatsTotal", "seatsAvailable")}
    again = (await _submit(client, token, [without_seats]))["credential"]["offerings"][0]
    assert (again["seatsAvailable"], again["version"]) == (2, 2)  # nothing it states differs: unchanged


async def test_clearing_a_field_that_is_already_empty_changes_nothing(client, listing, db):
    credential_id, token = listing
    offering = (await add_offering(client, token, credential_id, ONLINE_ROLLING))["offering"]
    answer = await _update(client, token, offering["id"], {}, ["COST", "REGISTRATION_DEADLINE"])
    assert answer["userErrors"] == [] and answer["offering"]["version"] == 1
    assert await db.fetchval("select count(*) from changes where kind = 'OFFERING_UPDATED'") == 0


async def test_a_retired_listing_takes_no_new_offering_from_a_submission(client, parties):
    token = await access_token(client, parties.provider)
    first = await _submit(client, token, [IN_SUDBURY])
    await gql(client, RETIRE, {"input": {"id": first["credential"]["id"], "reason": "Replaced"}}, token)
    listing = {**DRAFT_FIELDS, "offerings": [IN_SUDBURY, ONLINE_ROLLING]}
    answer = await gql(client, SUBMIT, {"input": {"credentials": [listing], "publish": False}}, token)
    result = answer["data"]["submitCredentials"]["results"][0]
    assert [(e["field"], e["code"]) for e in result["userErrors"]] == [(["credentials", "0", "offerings"], "RETIRED")]


async def test_an_update_bringing_a_run_that_ended_back_counts_toward_the_limit(client, listing, monkeypatch):
    monkeypatch.setattr("registry.domain.offerings.MAX_OFFERINGS", 1)
    credential_id, token = listing
    assert (await add_offering(client, token, credential_id, IN_SUDBURY))["userErrors"] == []
    last_year = {**IN_SUDBURY, "externalId": "2025-01", "startDate": "2025-01-06", "endDate": "2025-02-28"}
    ended = (await add_offering(client, token, credential_id, {**last_year, "registrationDeadline": None}))["offering"]
    assert ended is not None  # it has ended: a listing does not show it, so it takes no room
    later = {"startDate": IN_SUDBURY["startDate"], "endDate": IN_SUDBURY["endDate"]}
    moved = (await gql(client, UPDATE, {"input": {"id": ended["id"], "offering": later}}, token))["data"]
    assert [(e["field"], e["code"]) for e in moved["updateOffering"]["userErrors"]] == [(["id"], "TOO_MANY")]


async def test_a_submitted_offering_needs_its_key_and_a_refused_one_writes_nothing(client, parties, db):
    token = await access_token(client, parties.provider)
    result = await _submit(client, token, [{**IN_SUDBURY, "externalId": None}])
    assert [(e["field"], e["code"]) for e in result["userErrors"]] == [
        (["credentials", "0", "offerings", "0", "externalId"], "REQUIRED")
    ]
    assert await db.fetchval("select count(*) from credentials") == 0


async def test_a_single_listing_write_takes_no_offerings(client, parties):
    token = await access_token(client, parties.provider)
    refused = await create(client, token, **COMPLETE, offerings=[IN_SUDBURY])
    assert [e["code"] for e in refused["userErrors"]] == ["NOT_HERE"]
