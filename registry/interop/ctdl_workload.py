"""How long a credential takes: workload hours and calendar weeks.

Hours come from `ceterms:estimatedDuration` (a duration in hours or minutes: `PT60H`, or
its `ceterms:timeRequired`), else from a credit value in hours (ctdl_requirements), else
from `schema:timeRequired`; a later source that says otherwise is noted. A duration in days
or longer is the calendar length (hours written with it are part of that length, noted). A
duration of no time is none, noted.
"""

from __future__ import annotations

from typing import Any

from registry.interop import ctdl
from registry.interop.ctdl_reading import Reading
from registry.interop.ctdl_values import duration, same_text, time_in_length


def read_workload(node: dict, credit_hours: list[tuple[float, str]], r: Reading) -> tuple[float | None, float | None]:
    """(workload hours, calendar weeks)."""
    hours, weeks = _durations(node, r)
    hours += credit_hours
    timed = _duration(r.take(node, "schema:timeRequired"), "schema:timeRequired", r)
    if timed is not None and timed[0] is not None:
        hours.append((timed[0], "schema:timeRequired"))
    elif timed is not None:
        _in_days(node["schema:timeRequired"], "schema:timeRequired", r)
    if not hours:
        return None, weeks
    kept, source = hours[0]
    for value, where in hours[1:]:
        if value != kept:
            r.note(
                where,
                "OTHER_WORKLOAD",
                f"{value:g} hours: not imported; the workload is {kept:g} hours, from {source}.",
            )
    return kept, weeks


def _durations(node: dict, r: Reading) -> tuple[list[tuple[float, str]], float | None]:
    """Hours (with the property they come from) and weeks of `ceterms:estimatedDuration`: each
    profile's exact duration (else its maximum) and its time required."""
    hours: list[tuple[float, str]] = []
    weeks = None
    for profile in r.nodes(node.get("ceterms:estimatedDuration")):
        if not isinstance(profile, dict):
            continue
        length = "ceterms:exactDuration" if "ceterms:exactDuration" in profile else "ceterms:maximumDuration"
        for key in (length, "ceterms:timeRequired"):
            where = f"ceterms:estimatedDuration/{key}"
            found = _duration(r.take(profile, key), where, r)
            if found is None:
                continue
            if found[0] is not None:
                hours.append((found[0], where))
            elif key == length:
                weeks = found[1]
            else:
                _in_days(profile[key], where, r)
        if any(same_text(profile.get("ceterms:description"), t) for t in (ctdl.WORKLOAD, ctdl.LENGTH)):
            r.take(profile, "ceterms:description")
    return hours, weeks


def _duration(value: Any, where: str, r: Reading) -> tuple[float | None, float | None] | None:
    """(hours, weeks) of a duration (None when there is none), noting one that is not a
    duration, one of no time, and one whose hours are part of a calendar length."""
    if value is None:
        return None
    found = duration(value)
    if found is None:
        r.note(where, "INVALID_DURATION", f"{value!r} is not an ISO 8601 duration (PT40H, P8W).")
        return None
    hours, weeks = found
    if not (hours or weeks):
        r.note(where, "ZERO_DURATION", f"{value!r} is no time; it is not a duration and was not imported.")
        return None
    in_length = time_in_length(value)
    if in_length is not None:
        r.note(
            where,
            "MIXED_DURATION",
            f"{value!r} was imported as a calendar length of {weeks:g} weeks; its {in_length:g} hours are part of "
            "that length, not a workload.",
        )
    return found


def _in_days(value: Any, where: str, r: Reading) -> None:
    r.note(where, "UNMAPPED_VALUE", f"{value!r}: a time required in days is not hours.")
