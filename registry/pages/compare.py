"""`/compare?ids=...` and `/fr/comparer?ids=...`: up to four listings side by side, one row per
thing a learner weighs (cost, workload, delivery, pace, next start, places, languages,
recognitions, funding, completeness). A row whose values differ says so in words and with a
mark, not by colour alone. Listings are chosen from the search page ("Add to comparison"),
the choice held in the address like everything else; no script.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from starlette.requests import Request
from starlette.responses import Response

from registry.pages.operations import OperationFailed, run
from registry.pages.rendering import failed_page, language_of, other_language, render
from registry.pages.search_state import MAX_COMPARED
from registry.pages.words import Words

COMPARE_PATHS = {"en": "/compare", "fr": "/fr/comparer"}


@dataclass(frozen=True)
class Row:
    """One thing compared: its label, each listing's value as shown, whether they differ."""

    label: str
    values: list[str]

    @property
    def differs(self) -> bool:
        return len(set(self.values)) > 1


def chosen_ids(params) -> list[str]:
    """The listings asked for (``ids``, repeated or comma-separated), each once, at most four."""
    return list(dict.fromkeys(value for value in _asked(params) if len(value) <= 100))[:MAX_COMPARED]


def _asked(params) -> list[str]:
    return [part.strip() for value in params.getlist("ids") for part in value.split(",") if part.strip()]


def compare_url(lang: str, ids: list[str]) -> str:
    return COMPARE_PATHS[lang] + "".join(("?" if n == 0 else "&") + f"ids={i}" for n, i in enumerate(ids))


async def compare(request: Request) -> Response:
    """The compare page of the listings the address names (those the caller cannot see, or
    that are no listings, are said to be left out)."""
    lang = language_of(request)
    ids = chosen_ids(request.query_params)
    try:
        found = (await run(request, "CompareListings", {"ids": ids, "lang": lang}))["nodes"] if ids else []
    except OperationFailed as error:
        return failed_page(request, lang, error)
    listings = [node for node in found if node and "id" in node]
    words = Words(lang)
    return render(
        request,
        "compare.html",
        lang,
        listings=listings,
        rows=rows(listings, words),
        left_out=len(ids) - len(listings),
        too_many=len(set(_asked(request.query_params))) > MAX_COMPARED,
        without=lambda listing_id: compare_url(lang, [i for i in ids if i != listing_id]),
        other_url=compare_url(other_language(lang), ids),
    )


def rows(listings: list[dict[str, Any]], w: Words) -> list[Row]:
    """The compared rows, each value as the page shows it."""
    every: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        (
            "cost",
            lambda c: w.money(c["cost"]["amount"] if c["cost"] else None, c["cost"]["currency"] if c["cost"] else None),
        ),
        ("workload", lambda c: w.t("hours", hours=w.number(c["workloadHours"])) if c["workloadHours"] else "-"),
        ("duration", lambda c: w.t("weeks", weeks=w.number(c["durationWeeks"])) if c["durationWeeks"] else "-"),
        ("delivery", lambda c: w.code(c["deliveryMode"])),
        ("pace", lambda c: w.code(c["pace"])),
        ("next_start_label", lambda c: c["nextStartDate"] or "-"),
        ("places", lambda c: _places(c, w)),
        ("languages", lambda c: ", ".join(w.code(tag) for tag in c["languages"]) or "-"),
        ("recognitions", lambda c: _recognitions(c, w)),
        ("funding", lambda c: ", ".join(c["fundingPrograms"]) or "-"),
        ("completeness", lambda c: f"{round(c['completeness']['score'] * 100)} %"),
    ]
    return [Row(w.t(label), [value(c) for c in listings]) for label, value in every]


def _places(listing: dict[str, Any], w: Words) -> str:
    places = {
        f"{o['place']['municipality']} ({w.code(o['place']['region'])})"
        for o in listing["offerings"]
        if o["place"] and o["place"]["municipality"] and not o["cancelledAt"]
    }
    return ", ".join(sorted(places)) or "-"


def _recognitions(listing: dict[str, Any], w: Words) -> str:
    named = sorted({f"{r['authority']['name']} ({w.code(r['kind'])})" for r in listing["recognitions"]})
    return "; ".join(named) or "-"
