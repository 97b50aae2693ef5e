"""What the database can take, for values that arrive from outside already parsed: text
without NUL or lone UTF-16 surrogates, UUIDs in their one canonical spelling, finite
numbers, integers that fit a bigint, and moments that both Python and PostgreSQL hold.

A value outside these passes Python's own checks (``UUID("{...}")``, ``json.loads("1e400")``,
``datetime.fromisoformat("0001-01-01T00:00:00+14:00")``) and only fails on its way into a
statement, where the failure looks like ours. The edges check with these first.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timezone
from uuid import UUID

BIGINT_MAX = 2**63 - 1
# Python's calendar (years 1 to 9999) is the narrower of the two; PostgreSQL's runs from 4713 BC.
EARLIEST = datetime.min.replace(tzinfo=timezone.utc)
LATEST = datetime.max.replace(tzinfo=timezone.utc)
_UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")


def is_storable_text(value: object) -> bool:
    """Text PostgreSQL can store: a str without NUL and without unpaired surrogates."""
    return isinstance(value, str) and _UNSTORABLE_TEXT.search(value) is None


def is_canonical_uuid(value: object) -> bool:
    """A UUID as ``str(UUID)`` writes it (lower case, hyphenated): the only spelling we hand out."""
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        return str(UUID(value)) == value
    except ValueError:
        return False


def finite_number(value: object) -> float | None:
    """``value`` as a finite float8, or None (not a number, a bool, NaN, infinite, past float range)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:  # an int too large for a double
        return None
    return number if math.isfinite(number) else None


def fits_bigint(value: object, minimum: int = -BIGINT_MAX - 1) -> bool:
    """An int (not a bool) between ``minimum`` and PostgreSQL's largest bigint."""
    return isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= BIGINT_MAX


def in_calendar(moment: datetime) -> bool:
    """Whether ``moment`` names an instant between EARLIEST and LATEST (UTC), the moments that
    reach PostgreSQL intact: "0001-01-01T00:00:00+14:00" is year 0 in UTC. A moment without a
    zone is taken in the local zone, as the database driver takes it."""
    try:
        moment.astimezone(timezone.utc)
    except (OverflowError, ValueError, OSError):
        return False
    return True


def calendar_problem(name: str, moment: datetime) -> str | None:
    """A message for people when ``moment`` is outside the calendar, else None."""
    if in_calendar(moment):
        return None
    return (
        f"`{name}` must be between {EARLIEST.isoformat()} and {LATEST.isoformat()} in UTC (got {moment.isoformat()})."
    )
