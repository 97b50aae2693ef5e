"""Cost limits and rate limiting by cost: every answer reports its cost, an operation over the
maximum is refused before it runs, and a caller over its allowance gets 429 with Retry-After,
whichever process it reaches."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import math
import random
from contextlib import AsyncExitStack
from datetime import UTC, datetime

import httpx
import pytest

from registry.api.cost import INTROSPECTION_COST
from registry.api.kept_documents import KEPT
from registry.api.limits import MAX_TOKENS
from registry.api.query import SEARCH_COST
from registry.api.throttle import DOCUMENT_CHARS_PER_POINT
from registry.config import Settings
from registry.db import connect, track_statements
from registry.services.rate_ledger import RateLedger, _Account, _Refund
from registry.store import rate_buckets
from tests.support.graphql import operation, statements
from tests.support.metrics import sample
from tests.support.parties import access_token
from tests.support.throttle import LIMITED, STILL, parsed_already, serving

PAGE = {"query": "{ skills(first: 20) { nodes { id code } } }"}  # asks 2 + 20 x 1, uses 21 (the page, 20 skills)
SEARCHES = {"query": '{ searchCredentials(query: "zzzz qqqq") { nodes { id } } }'}
INTROSPECTION = "{ __schema { queryType { name } } }"
FAILING = {"query": '{ skills(first: 100) { nodes { id } } credential(id: "not-an-id") { id } }'}


@pytest.fixture(autouse=True)
def documents_parsed_already():
    """The documents these tests send, kept already: their levels leave the document toll out."""
    parsed_already(
        *(body["query"] for body in (PAGE, WIDE_PAGE, SEARCHES, FAILING)),
        INTROSPECTION,
        operation("OccupationPage"),
    )


@pytest.fixture(autouse=True)
async def twenty_skills(db):
    """Twenty skills, so that PAGE's answer holds nearly all it asks for (the page and 20 skills:
    21 objects of the 22 it is charged before it runs; the 1 is given back after)."""
    await db.execute(
        "insert into skills (scheme, code, label)"
        " select 'test', 's' || n, jsonb_build_object('en', 'Skill ' || n) from generate_series(1, 20) n"
    )


async def test_every_answer_reports_its_cost_and_the_callers_allowance(db_dsn):
    async with serving(db_dsn) as client:
        reported = (await client.post("/graphql", json=PAGE)).json()["extensions"]["cost"]
    assert reported["requestedQueryCost"] == 22 and reported["actualQueryCost"] == 21
    assert reported["throttleStatus"] == {"maximumAvailable": 1000.0, "currentlyAvailable": 979.0, "restoreRate": 10.0}


async def test_an_answer_is_charged_what_it_used_not_what_it_asked_for(db_dsn, db):
    async with serving(db_dsn, STILL) as client:
        reported = (await client.post("/graphql", json=WIDE_PAGE)).json()["extensions"]["cost"]
    assert reported["requestedQueryCost"] == 102 and reported["actualQueryCost"] == 21
    assert reported["throttleStatus"]["currentlyAvailable"] == 979.0
    assert await rate_buckets.level(db, ADDRESS, restore_per_second=RESTORE) == pytest.approx(21, abs=0.1)


async def test_a_search_keeps_what_it_declares_for_its_database_work(db_dsn):
    """A search that finds nothing has still searched: it keeps SEARCH_COST, and its objects
    (the empty page) are what it gives back beyond one."""
    async with serving(db_dsn, STILL) as client:
        reported = (await client.post("/graphql", json=SEARCHES)).json()["extensions"]["cost"]
    assert reported["throttleStatus"]["currentlyAvailable"] == CAPACITY - SEARCH_COST - 1


async def test_introspection_keeps_its_flat_cost(db_dsn):
    async with serving(db_dsn, STILL) as client:
        reported = (await client.post("/graphql", json={"query": INTROSPECTION})).json()
    assert reported["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == CAPACITY - INTROSPECTION_COST


async def test_an_answer_with_errors_keeps_its_whole_charge(db_dsn):
    async with serving(db_dsn, STILL) as client:
        reported = (await client.post("/graphql", json=FAILING)).json()["extensions"]["cost"]
    assert reported["throttleStatus"]["currentlyAvailable"] == CAPACITY - reported["requestedQueryCost"]


async def test_a_portal_s_page_views_from_one_address_are_not_refused_under_the_default_limits(demo_dsn):
    """A school behind one address: six quick views of an occupation's page. Each asks for
    about 2,600 points and uses about 300; charged what they asked, the fourth was refused."""
    defaults = dataclasses.replace(LIMITED, rate_anonymous=Settings().rate_anonymous)
    page = {"query": operation("OccupationPage"), "variables": {"code": "72106"}}
    # An address of its own: the demo database's buckets hold what other tests charged.
    async with serving(demo_dsn, defaults, address="192.0.2.18") as client:
        answers = [await client.post("/graphql", json=page) for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 6
    assert answers[0].json()["extensions"]["cost"]["requestedQueryCost"] > Settings().rate_anonymous[0] / 4


async def test_an_operation_over_the_maximum_cost_is_refused_before_it_runs(db_dsn):
    deep = "{ searchCredentials(first: 100) { nodes { history(first: 100) { nodes { version } } } } }"
    async with serving(db_dsn) as client:
        response = await client.post("/graphql", json={"query": deep})
    error = response.json()["errors"][0]["extensions"]
    assert error == {"code": "QUERY_TOO_COMPLEX", "cost": 10352, "maximumCost": 5000}
    assert statements(response) == 0


async def test_an_operation_over_the_maximum_cost_reports_the_bucket_it_left_untouched(db_dsn):
    too_wide = "{ searchCredentials(first: 100) { nodes { history(first: 100) { nodes { version } } } } } # wide"
    parsed_already(too_wide)  # no toll: the report's bucket is the refusal's own
    async with serving(db_dsn, STILL) as client:
        await client.post("/graphql", json=PAGE)
        reported = (await client.post("/graphql", json={"query": too_wide})).json()["extensions"]["cost"]
    assert reported["throttleStatus"]["currentlyAvailable"] == CAPACITY - 21


async def test_a_caller_over_its_allowance_gets_429_with_retry_after(db_dsn):
    async with serving(db_dsn) as client:
        answers = [await client.post("/graphql", json=PAGE) for _ in range(50)]  # 50 x 21 > 1,000
    refused = [a for a in answers if a.status_code == 429]
    assert refused and all(a.status_code == 200 for a in answers[:45])
    assert refused[0].json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert int(refused[0].headers["retry-after"]) >= 1


# --- the document toll: parsing a document the process has not kept is charged -------------

_NEW_TEXTS = itertools.count()


def _new_document(padding: int = 0) -> str:
    """A valid document no test has sent before (its comment makes it new), padded with spaces."""
    return f"{{ skills(first: 1) {{ nodes {{ id }} }} }}{' ' * padding} # new {next(_NEW_TEXTS)}"


async def test_a_document_the_process_has_not_kept_pays_for_its_parse(db_dsn):
    text = _new_document()
    async with serving(db_dsn, STILL) as client:
        reported = (await client.post("/graphql", json={"query": text})).json()["extensions"]["cost"]
    assert reported["documentCost"] >= math.ceil(len(text) / DOCUMENT_CHARS_PER_POINT)
    assert reported["throttleStatus"]["currentlyAvailable"] == 1000 - reported["documentCost"] - 2  # and 1 skill


async def test_a_document_sent_again_is_not_charged_its_parse_again(db_dsn):
    text = _new_document()
    async with serving(db_dsn, STILL) as client:
        await client.post("/graphql", json={"query": text})
        again = (await client.post("/graphql", json={"query": text})).json()["extensions"]["cost"]
    assert "documentCost" not in again and again["requestedQueryCost"] == 3


async def test_an_invalid_document_still_pays_for_its_parse(db_dsn, db):
    text = "{ noSuchField }" + _new_document()[1:-1].replace("skills", "alsoNoSuchField")
    async with serving(db_dsn, STILL) as client:
        answer = (await client.post("/graphql", json={"query": text})).json()
    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert answer["extensions"]["cost"]["documentCost"] >= math.ceil(len(text) / DOCUMENT_CHARS_PER_POINT)


async def test_a_document_dearer_to_validate_than_its_length_says_pays_what_it_cost(db_dsn):
    """710 fields of one unknown name (1,422 characters, 285 points by length) took 83 ms to
    validate: graphql-core compares every pair of fields of one name (an outside review)."""
    text = "{" + " a" * 710 + f"}} # {next(_NEW_TEXTS)}"
    by_length = math.ceil(len(text) / DOCUMENT_CHARS_PER_POINT)
    async with serving(db_dsn, STILL) as client:
        answer = (await client.post("/graphql", json={"query": text})).json()
        after = await client.post("/graphql", json={"query": _new_document()})
    assert answer["extensions"]["cost"]["documentCost"] >= 10 * by_length  # 20 ms at 7 us a point
    assert after.status_code == 429  # the debt is over the bucket's 1,000


async def test_new_documents_past_the_allowance_are_refused_before_they_are_parsed(db_dsn):
    """Unique documents of 10 KB of one-letter fields took 57 ms each to parse and validate,
    for nothing: refused as invalid, they were never charged."""
    texts = [_new_document(padding=1_500) for _ in range(10)]  # 300-odd points each; 1,000 in the bucket
    async with serving(db_dsn, STILL) as client:
        answers = [await client.post("/graphql", json={"query": text}) for text in texts]
    statuses = [answer.status_code for answer in answers]
    admitted = statuses.count(200)
    assert 1 <= admitted <= 3 and statuses == [200] * admitted + [429] * (10 - admitted)
    # Only the toll's refusals are unparsed: a document whose operation is refused at its own
    # charge (a debit for slow validation can bring that first) was parsed, and paid for it.
    tolled = [text for text, answer in zip(texts, answers, strict=True) if _refused_by_the_toll(answer)]
    assert len(tolled) >= 6 and not any(KEPT.keeps(text, max_tokens=MAX_TOKENS) for text in tolled)


async def test_a_document_refused_before_its_parse_reports_its_price_and_the_callers_allowance(db_dsn):
    texts = [_new_document(padding=1_500) for _ in range(5)]  # 300-odd points each; 1,000 in the bucket
    async with serving(db_dsn, STILL) as client:
        answers = [await client.post("/graphql", json={"query": text}) for text in texts]
    text, refused = next(
        (text, answer) for text, answer in zip(texts, answers, strict=True) if _refused_by_the_toll(answer)
    )
    reported = refused.json()["extensions"]["cost"]
    assert reported["documentCost"] == math.ceil(len(text) / DOCUMENT_CHARS_PER_POINT)
    assert reported["throttleStatus"]["currentlyAvailable"] < reported["documentCost"]


async def test_an_invalid_documents_answer_reports_the_callers_allowance_after_its_parse(db_dsn):
    text = "{ noSuchField }" + _new_document()[1:-1].replace("skills", "alsoNoSuchField")
    async with serving(db_dsn, STILL) as client:
        reported = (await client.post("/graphql", json={"query": text})).json()["extensions"]["cost"]
    assert reported["throttleStatus"]["currentlyAvailable"] == 1000 - reported["documentCost"]


def _refused_by_the_toll(answer: httpx.Response) -> bool:
    """Refused before its document was parsed, not when its operation was charged (which a
    debit for slow validation can bring first): it was never priced."""
    return answer.status_code == 429 and "requestedQueryCost" not in answer.json()["extensions"]["cost"]


async def test_refusals_are_counted_in_the_metrics(db_dsn):
    async with serving(db_dsn) as client:
        before = await sample(client, "microcred_rate_limited_total", caller="anonymous")
        refused = sum([(await client.post("/graphql", json=PAGE)).status_code == 429 for _ in range(50)])
        assert refused and await sample(client, "microcred_rate_limited_total", caller="anonymous") == before + refused


async def test_clients_with_tokens_have_buckets_of_their_own(db_dsn, parties):
    async with serving(db_dsn) as client:
        for _ in range(50):
            await client.post("/graphql", json=PAGE)
        token = await access_token(client, parties.provider)
        own = await client.post("/graphql", json=PAGE, headers={"authorization": f"Bearer {token}"})
    assert own.status_code == 200 and own.json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 979.0


async def test_the_allowance_is_shared_by_every_process(db_dsn):
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(serving(db_dsn))
        second = await stack.enter_async_context(serving(db_dsn))
        for _ in range(25):
            await first.post("/graphql", json=PAGE)
        answers = [await second.post("/graphql", json=PAGE) for _ in range(25)]
    assert any(a.status_code == 429 for a in answers)


# Rate-limit charges are admitted on each process's estimate and settled with PostgreSQL in
# batches (registry/services/rate_ledger.py): at 1,000 points, a process settles a bucket once
# its unsettled charges would pass 100. These buckets barely leak, so that levels are exact.
CAPACITY, THRESHOLD, RESTORE = 1_000.0, 100.0, 0.001
ADDRESS = "ip:127.0.0.1"  # httpx's ASGI transport calls from there
WIDE_PAGE = {"query": "{ skills(first: 100) { nodes { id code } } }"}  # asks for 102, uses 21


async def test_charges_within_the_threshold_cost_no_statement(db_dsn):
    async with serving(db_dsn, STILL) as client:
        counts = [statements(await client.post("/graphql", json=PAGE)) for _ in range(5)]
    assert counts[:4] == [counts[0]] * 4  # 22, 44, 66, 88 (refunds wait for the settlement): admitted locally
    assert counts[4] == counts[0] + 1  # 110 would pass the threshold: settled, on the exact level


async def test_what_a_process_admitted_is_settled_when_it_stops(db_dsn, db):
    async with serving(db_dsn, STILL) as client:
        for _ in range(3):
            await client.post("/graphql", json=PAGE)
    assert await rate_buckets.level(db, ADDRESS, restore_per_second=RESTORE) == pytest.approx(63, abs=0.1)


async def test_the_settling_task_settles_once_more_when_stopped(db):
    ledger, stop = RateLedger(db, period=3600), asyncio.Event()
    settling = asyncio.create_task(ledger.run(stop))
    await ledger.charge("ip:a", 40, capacity=CAPACITY, restore_per_second=RESTORE)
    assert await rate_buckets.level(db, "ip:a", restore_per_second=RESTORE) == 0.0  # admitted locally
    stop.set()
    await settling
    assert await rate_buckets.level(db, "ip:a", restore_per_second=RESTORE) == pytest.approx(40, abs=0.1)


async def test_unsettled_charges_reach_postgresql_within_a_second(db_dsn, db):
    async with serving(db_dsn, STILL) as client:
        await client.post("/graphql", json=PAGE)
        for _ in range(30):  # the periodic settle, every second: no more than needed to see it
            if await rate_buckets.level(db, ADDRESS, restore_per_second=RESTORE) > 0:
                break
            await asyncio.sleep(0.1)
        assert await rate_buckets.level(db, ADDRESS, restore_per_second=RESTORE) == pytest.approx(21, abs=0.1)


async def test_a_settle_sends_every_callers_charges_in_one_statement(db):
    ledger = RateLedger(db)
    for key, cost in (("ip:a", 10), ("ip:b", 20), ("client:c", 30), ("ip:a", 5)):
        assert (await ledger.charge(key, cost, capacity=CAPACITY, restore_per_second=RESTORE)).admitted
    stats = track_statements()
    await ledger.settle()
    assert stats.count == 1
    levels = {
        key: await rate_buckets.level(db, key, restore_per_second=RESTORE) for key in ("ip:a", "ip:b", "client:c")
    }
    assert levels == pytest.approx({"ip:a": 15, "ip:b": 20, "client:c": 30}, abs=0.1)


async def test_two_processes_each_just_under_the_threshold_overshoot_by_at_most_two_thresholds(db_dsn, db):
    """The bound: N processes charging one bucket admit at most its capacity plus N times the
    threshold. Each app spends 88 it has not settled (the other cannot see it), then both spend
    until refused."""
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(serving(db_dsn, STILL))
        second = await stack.enter_async_context(serving(db_dsn, STILL))
        answers = [await app.post("/graphql", json=PAGE) for app in (first, second) for _ in range(4)]
        answers += await _until_refused(first) + await _until_refused(second)
    admitted = 21 * sum(a.status_code == 200 for a in answers)
    assert CAPACITY < admitted <= CAPACITY + 2 * THRESHOLD  # the second's 88 came too late to refuse
    assert await rate_buckets.level(db, ADDRESS, restore_per_second=RESTORE) == pytest.approx(admitted, abs=0.1)


async def test_processes_charging_in_any_order_stay_within_the_bound(db):
    """Three ledgers (processes) on one bucket, charges of any size in any order: what they admit
    never passes the capacity plus three thresholds, and all of it reaches PostgreSQL."""
    ledgers, draw = [RateLedger(db) for _ in range(3)], random.Random(16)
    admitted = 0.0
    for _ in range(300):
        cost = draw.choice([1, 7, 22, 60, 99, 150])
        decision = await draw.choice(ledgers).charge("ip:x", cost, capacity=CAPACITY, restore_per_second=RESTORE)
        admitted += cost if decision.admitted else 0
    for ledger in ledgers:
        await ledger.settle()
    assert CAPACITY - 150 < admitted <= CAPACITY + 3 * THRESHOLD
    assert await rate_buckets.level(db, "ip:x", restore_per_second=RESTORE) == pytest.approx(admitted, abs=0.1)


async def test_a_refund_reaches_postgresql_with_the_next_settlement(db):
    ledger = RateLedger(db)
    charged = await ledger.charge("ip:a", 40, capacity=CAPACITY, restore_per_second=RESTORE)
    ledger.refund("ip:a", 40, 10, charged.at)
    await ledger.settle()
    assert await rate_buckets.level(db, "ip:a", restore_per_second=RESTORE) == pytest.approx(10, abs=0.1)


async def test_a_refund_after_its_charge_was_settled_lowers_the_level(db):
    ledger = RateLedger(db)
    charged = await ledger.charge("ip:a", 40, capacity=CAPACITY, restore_per_second=RESTORE)
    await ledger.settle()
    ledger.refund("ip:a", 40, 10, charged.at)
    await ledger.settle()
    assert await rate_buckets.level(db, "ip:a", restore_per_second=RESTORE) == pytest.approx(10, abs=0.1)
    assert (await ledger.charge("ip:a", 985, capacity=CAPACITY, restore_per_second=RESTORE)).admitted


async def _refunded_at_three_seconds(db) -> tuple[RateLedger, list[float], float]:
    """A ledger on a clock of its own (``now[0]``): 500 charged at 0 s to a bucket leaking 100 a
    second, and given back at 3 s by an operation that owed 1; with the amount given back then."""
    now = [0.0]
    ledger = RateLedger(db, clock=lambda: now[0])
    charged = await ledger.charge("ip:a", 500, capacity=CAPACITY, restore_per_second=100)
    now[0] = 3.0
    return ledger, now, ledger.refund("ip:a", 500, 1, charged.at)


async def test_a_refund_gives_back_only_what_leaking_has_left_of_its_charge(db):
    """A charge of 500 that ran 3 s in a bucket leaking 100 a second has drained 300 of itself
    (at least): giving back its unused 499 would make 299 points of credit for later charges."""
    ledger, now, given_back = await _refunded_at_three_seconds(db)
    assert given_back == pytest.approx(200)
    now[0] = 6.0
    assert ledger.refund("ip:a", 500, 1, 0.0) == 0.0  # all of it has drained


async def test_a_refund_is_measured_when_it_is_sent_not_when_it_is_given(db):
    """Given back at 3 s, 200 of a 500 charge were left; by the settlement at 5 s the bucket had
    drained all of it: sending 200 then would be 200 points of credit."""
    ledger, now, given_back = await _refunded_at_three_seconds(db)
    assert given_back == pytest.approx(200)
    now[0] = 5.0
    await ledger.settle()  # PostgreSQL's own clock has barely moved: it holds the 500, less nothing given back
    assert await rate_buckets.level(db, "ip:a", restore_per_second=100) == pytest.approx(500, abs=5)


async def test_a_refund_whose_settlement_failed_is_not_sent_again(db_dsn, db):
    """The statement may have been applied before its answer was lost: a refund sent twice
    would be credit, a charge sent twice only too much."""
    away = await connect(db_dsn, Settings(), min_size=1, max_size=1)
    await away.close()
    ledger = RateLedger(db)
    charged = await ledger.charge("ip:a", 40, capacity=CAPACITY, restore_per_second=RESTORE)
    ledger.refund("ip:a", 40, 10, charged.at)
    ledger._db = away  # the database goes away for this settlement
    with pytest.raises(Exception):  # noqa: B017, PT011 - whichever way the closed pool refuses
        await ledger.settle()
    ledger._db = db
    await ledger.settle()
    assert await rate_buckets.level(db, "ip:a", restore_per_second=RESTORE) == pytest.approx(40, abs=0.1)


async def test_a_refund_to_a_bucket_the_process_has_forgotten_gives_nothing(db):
    assert RateLedger(db).refund("ip:unknown", 500, 1, 0.0) == 0.0


def test_the_level_kept_is_the_one_postgresql_made_last_whichever_answer_comes_first():
    """Two settlements in flight, a refund of 100 and a charge of 50: PostgreSQL applied the
    refund first (level 400) and then the charge (450), but the charge's answer came first."""
    account = _Account(CAPACITY, RESTORE, settled=500.0)
    account.refunds.append(_Refund(charged=100.0, owed=0.0, charged_at=0.0))
    refund = account.send(0.0)
    account.pending += 50.0
    charge = account.send(0.0)
    first, then = datetime(2026, 12, 2, 6, 0, 0, tzinfo=UTC), datetime(2026, 12, 2, 6, 0, 1, tzinfo=UTC)
    account.acknowledge(charge, rate_buckets.Answer(450.0, then), now=0.0)
    account.acknowledge(refund, rate_buckets.Answer(400.0, first), now=0.0)
    assert account.level(0.0) == pytest.approx(450.0)


async def test_a_bucket_never_holds_less_than_nothing(db):
    ledger = RateLedger(db)
    charged = await ledger.charge("ip:a", 10, capacity=CAPACITY, restore_per_second=RESTORE)
    await ledger.settle()
    ledger.refund("ip:a", 60, 10, charged.at)  # more than it holds: 50 of a 10 charge
    await ledger.settle()
    assert await rate_buckets.level(db, "ip:a", restore_per_second=RESTORE) == 0.0
    assert not (await ledger.charge("ip:a", CAPACITY + 1, capacity=CAPACITY, restore_per_second=RESTORE)).admitted


async def test_a_charge_larger_than_the_bucket_is_refused_even_by_an_empty_bucket(db):
    """An empty bucket not yet kept in PostgreSQL took any charge, however large."""
    refused = await RateLedger(db).charge("ip:new", CAPACITY + 1, capacity=CAPACITY, restore_per_second=RESTORE)
    assert not refused.admitted and refused.level == 0.0


async def test_a_debit_is_charged_past_the_capacity_and_refuses_later_charges(db):
    """Work done before its price was known (a new document's validation) is owed whatever the
    level: the bucket goes over its capacity and leaks back before anything else fits."""
    ledger = RateLedger(db)
    ledger.debit("ip:d", CAPACITY + 500, capacity=CAPACITY, restore_per_second=RESTORE)
    await ledger.settle()
    assert await rate_buckets.level(db, "ip:d", restore_per_second=RESTORE) == pytest.approx(CAPACITY + 500, abs=0.1)
    assert not (await ledger.charge("ip:d", 1, capacity=CAPACITY, restore_per_second=RESTORE)).admitted


async def _until_refused(client) -> list[httpx.Response]:
    answers = []
    while not answers or answers[-1].status_code == 200:
        answers.append(await client.post("/graphql", json=PAGE))
    assert answers[-1].json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    return answers
