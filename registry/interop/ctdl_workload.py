"""How long a credential takes: workload hours and calendar weeks.

Hours come from `ceterms:estimatedDuration` (a duration in hours or minutes: `PT60H`, or
its `ceterms:timeRequired`), else from a credit value in hours (ctdl_requirements), else
from `schema:timeRequired`; a later source that says otherwise is noted. A duration in days
or longer is the calendar length.
"""

from __future__ import annotations

from registry.interop import ctdl
from registry.interop.ctdl_reading import Reading
from registry.interop.ctdl_values import duration, same_text


def read_workload(node: dict, credit_hours: list[tuple[float, str]], r: Reading) -> tuple[float | None, float | None]:
    """(workload hours, calendar weeks)."""
    hours, weeks = _durations(node, r)
    hours += credit_hours
    timed = duration(r.take(node, "schema:timeRequired"))
    if timed is not None and timed[0] is not None:
        hours.append((timed[0], "schema:timeRequired"))
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
            if key not in profile:
                continue
            where, found = f"ceterms:estimatedDuration/{key}", duration(r.take(profile, key))
            if found is None:
                r.note(where, "INVALID_DURATION", f"{profile[key]!r} is not an ISO 8601 duration (PT40H, P8W).")
            elif found[0] is not None:
                hours.append((found[0], where))
            elif key == length:
                weeks = found[1]
            else:
                r.note(where, "UNMAPPED_VALUE", f"{profile[key]!r}: a time required in days is not hours.")
        if any(same_text(profile.get("ceterms:description"), t) for t in (ctdl.WORKLOAD, ctdl.LENGTH)):
            r.take(profile, "ceterms:description")
    return hours, weeks
