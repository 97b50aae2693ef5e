"""Demo offerings: for most demo listings, one to three runs across real Canadian places of
their provider's province (the bundled gazetteer), some rolling, some full, some cancelled,
some already over; dated from the day the demo is loaded.

Each listing's offerings come from a random generator of their own (seeded by the demo seed
and the listing's key), so the demo listings themselves stay exactly what they were.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta, timezone

from registry.domain.offerings import Offering, Place
from registry.domain.records import Credential
from registry.interop.gazetteer import largest_places

TIMINGS = ["DAYTIME", "EVENING", "WEEKEND"]
PLACES_PER_PROVINCE = 30  # the largest places of each: cities and regional centres (Sudbury, Thunder Bay)


def offerings_of(credential: Credential, region: str, seed: int, today: date) -> list[Offering]:
    """The demo offerings of one listing (none for about a quarter of them)."""
    rng = random.Random(f"{seed}:{credential.external_id}:offerings")
    if rng.random() < 0.25:
        return []
    places = largest_places(region, PLACES_PER_PROVINCE) or largest_places("CA-ON", PLACES_PER_PROVINCE)
    return [_offering(credential, rng, places, today, n) for n in range(rng.randint(1, 3))]


def _offering(credential: Credential, rng: random.Random, places: list, today: date, n: int) -> Offering:
    mode = credential.delivery_mode or "ONLINE"
    rolling = rng.random() < 0.15
    start = None if rolling else today + timedelta(days=rng.randrange(-120, 240))
    if start is not None:
        start -= timedelta(days=start.weekday())  # intakes start on Mondays
    weeks = max(1, int(credential.duration_weeks or 8))
    where = rng.choice(places)
    total = rng.choice([16, 20, 24, 30, 40])
    left = rng.choice([0, 0, 2, 3, rng.randint(4, total)])
    cancelled = rng.random() < 0.08
    moment = datetime.combine(min(today, start or today) - timedelta(days=60), datetime.min.time(), timezone.utc)
    return Offering(
        id=uuid.UUID(int=rng.getrandbits(128), version=4),
        credential_id=credential.id,
        external_id=f"{credential.external_id}-run-{n + 1}",
        start_date=start,
        end_date=start + timedelta(weeks=weeks) - timedelta(days=3) if start else None,
        registration_opens=start - timedelta(days=90) if start else None,
        registration_deadline=start - timedelta(days=7) if start else None,
        delivery_mode=mode,
        place=None
        if mode == "ONLINE"
        else Place(
            municipality=where.name,
            region=where.region,
            name=f"{where.name} campus",
            latitude=round(where.latitude + rng.uniform(-0.02, 0.02), 5),
            longitude=round(where.longitude + rng.uniform(-0.02, 0.02), 5),
        ),
        schedule_timings=sorted(rng.sample(TIMINGS, rng.randint(1, 2)), key=TIMINGS.index),
        languages=list(credential.languages),
        cost_amount=None,
        cost_currency=None,
        seats_total=total,
        seats_available=left,
        availability="CLOSED" if cancelled else ("FULL" if left == 0 else "FEW_SEATS" if left <= 3 else "OPEN"),
        cancelled_at=moment + timedelta(days=30) if cancelled else None,
        version=2 if cancelled else 1,
        created_at=moment,
        updated_at=moment + timedelta(days=30) if cancelled else moment,
    )
