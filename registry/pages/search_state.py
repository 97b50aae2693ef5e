"""The search page's state, held in its URL so that a search can be shared, bookmarked and
walked back with the browser's back button.

    q          the words searched for
    mode       delivery modes (repeatable)          -> filter.deliveryModes
    region     provinces or territories (repeatable) -> filter.regions
    language   languages of instruction (repeatable) -> filter.languages
    type       credential types (repeatable)        -> filter.credentialTypes
    by         recognising authorities' IDs (repeatable) -> filter.recognizedByAuthorityIds
    deliverer  providers' IDs (repeatable): what they own or deliver as partners -> filter.offeredByProviderIds
    occupation occupation codes (repeatable, e.g. NOC 2021 72106) -> filter.occupationCodes
    recognized "yes": only listings with a recognition in force -> filter.recognized
    cost       a cost ceiling (0 free, 500, 1000, 2500) -> filter.maxCost
    hours      a workload range ("10-40", "120-")  -> filter.minWorkloadHours / maxWorkloadHours
    starts     when an offering starts: "30" or "90" (within so many days), "later" -> filter.startsBetween
    near       a place or postal code                -> filter.near.place
    km         how far from it (10, 25, 50, 100, 250; 50 when left out) -> filter.near.withinKm
    sort       a CredentialOrder (NEAREST only with `near`)
    compare    listings chosen for the compare page (repeatable, at most 4): no filter
    after      the cursor of the page shown; back: the cursors of the pages before it
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from urllib.parse import urlencode

from registry.domain.search import COST_CEILINGS, WORKLOAD_RANGES, workload_range_value

ORDERS = ("RELEVANCE", "NEWEST", "TITLE", "COST_ASC", "COST_DESC", "WORKLOAD_ASC", "SOONEST_START", "NEAREST")
# `starts` -> (first day, last day) as days from today; None: no bound. A rolling intake
# matches any of them (filter.startsBetween).
STARTS = {"30": (0, 30), "90": (0, 90), "later": (91, None)}
DISTANCES = ("10", "25", "50", "100", "250")
DEFAULT_DISTANCE = "50"
# URL parameter -> the filter field it fills; each takes several values.
LISTS = {
    "mode": "deliveryModes",
    "region": "regions",
    "language": "languages",
    "type": "credentialTypes",
    "by": "recognizedByAuthorityIds",
    "deliverer": "offeredByProviderIds",
    "occupation": "occupationCodes",
}
FIRST_PAGE = "-"  # how the first page is written in `back` (it has no cursor)
PAGE_SIZE = 10
MAX_TEXT = 200
MAX_VALUES = 20
MAX_COMPARED = 4  # listings side by side on the compare page
_RANGES = {workload_range_value(low, high): (low, high) for low, high in WORKLOAD_RANGES}


@dataclass(frozen=True)
class SearchState:
    """What the page shows: words, filters, order and which page."""

    text: str = ""
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    recognized: str | None = None  # "yes" or None
    cost: str | None = None
    hours: str | None = None
    starts: str | None = None
    near: str = ""
    km: str = DEFAULT_DISTANCE
    sort: str = "RELEVANCE"
    after: str | None = None
    back: tuple[str, ...] = ()
    compare: tuple[str, ...] = ()

    @classmethod
    def from_params(cls, params) -> "SearchState":
        """Read the state from a URL's query parameters, dropping what is not valid."""
        lists = {
            name: tuple(dict.fromkeys(v for v in params.getlist(name) if v and len(v) <= 100))[:MAX_VALUES]
            for name in LISTS
        }
        cost = params.get("cost")
        hours = params.get("hours")
        sort = params.get("sort", "RELEVANCE")
        near = (params.get("near") or "").strip()[:100]
        if sort == "NEAREST" and not near:
            sort = "RELEVANCE"
        return cls(
            text=(params.get("q") or "").strip()[:MAX_TEXT],
            lists={name: values for name, values in lists.items() if values},
            recognized="yes" if params.get("recognized") == "yes" else None,
            cost=cost if cost in {str(c) for c in COST_CEILINGS} else None,
            hours=hours if hours in _RANGES else None,
            starts=params.get("starts") if params.get("starts") in STARTS else None,
            near=near,
            km=params.get("km") if params.get("km") in DISTANCES else DEFAULT_DISTANCE,
            sort=sort if sort in ORDERS else "RELEVANCE",
            after=params.get("after") or None,
            back=tuple(params.getlist("back"))[:50],
            compare=tuple(dict.fromkeys(v for v in params.getlist("compare") if v and len(v) <= 100))[:MAX_COMPARED],
        )

    def variables(self, lang: str, today: date) -> dict:
        """The SearchPage operation's variables for this state (``today`` anchors `starts`)."""
        f: dict = {LISTS[name]: list(values) for name, values in self.lists.items()}
        if self.recognized:
            f["recognized"] = True
        if self.cost is not None:
            f["maxCost"] = float(self.cost)
        if self.hours is not None:
            low, high = _RANGES[self.hours]
            f["minWorkloadHours"] = float(low)
            if high is not None:
                f["maxWorkloadHours"] = float(high)
        if self.starts is not None:
            first, last = STARTS[self.starts]
            f["startsBetween"] = {"from": (today + timedelta(days=first)).isoformat()} | (
                {"to": (today + timedelta(days=last)).isoformat()} if last is not None else {}
            )
        if self.near:
            f["near"] = {"place": self.near, "withinKm": float(self.km)}
        return {
            "query": self.text or None,
            "filter": f or None,
            "orderBy": self.sort,
            "lang": lang,
            "first": PAGE_SIZE,
            "after": self.after,
            "deliverers": list(self.lists.get("deliverer", ())),
        }

    def params(self) -> list[tuple[str, str]]:
        """The state as query parameters (the inverse of from_params)."""
        found: list[tuple[str, str]] = [("q", self.text)] if self.text else []
        for name in LISTS:
            found += [(name, value) for value in self.lists.get(name, ())]
        if self.recognized:
            found.append(("recognized", self.recognized))
        if self.cost is not None:
            found.append(("cost", self.cost))
        if self.hours is not None:
            found.append(("hours", self.hours))
        if self.starts is not None:
            found.append(("starts", self.starts))
        if self.near:
            found += [("near", self.near), ("km", self.km)]
        if self.sort != "RELEVANCE":
            found.append(("sort", self.sort))
        if self.after:
            found.append(("after", self.after))
        found += [("back", cursor) for cursor in self.back]
        found += [("compare", listing) for listing in self.compare]
        return found

    def url(self, path: str) -> str:
        query = urlencode(self.params())
        return f"{path}?{query}" if query else path

    # Changes, each a new state on its first page (a new filter gives a new result).

    def chosen(self, name: str) -> tuple[str, ...]:
        """The values of filter ``name`` in force."""
        if name in LISTS:
            return self.lists.get(name, ())
        value = getattr(self, name)
        return (value,) if value else ()

    def has(self, name: str, value: str) -> bool:
        return value in self.chosen(name)

    def toggled(self, name: str, value: str) -> "SearchState":
        """This search with the value added to filter ``name``, or taken out if it was there."""
        if self.has(name, value):
            return self.without(name, value)
        first = replace(self, after=None, back=())
        if name in LISTS:
            return replace(first, lists={**self.lists, name: (*self.lists.get(name, ()), value)})
        return first._with_single(name, value)

    def without(self, name: str, value: str) -> "SearchState":
        """This search less one value of filter ``name``."""
        first = replace(self, after=None, back=())
        if name in LISTS:
            kept = tuple(v for v in self.lists.get(name, ()) if v != value)
            lists = {**self.lists, name: kept} if kept else {k: v for k, v in self.lists.items() if k != name}
            return replace(first, lists=lists)
        return first._with_single(name, None)

    def _with_single(self, name: str, value: str | None) -> SearchState:
        """This state with the single-valued filter ``name`` set to ``value`` (None: taken out)."""
        if name == "recognized":
            return replace(self, recognized=value)
        if name == "cost":
            return replace(self, cost=value)
        if name == "hours":
            return replace(self, hours=value)
        if name == "starts":
            return replace(self, starts=value)
        if name == "near":
            return replace(self, near=value or "", sort="RELEVANCE" if self.sort == "NEAREST" else self.sort)
        raise ValueError(f"not a single-valued filter: {name}")

    def compared(self, listing_id: str) -> "SearchState":
        """This search, on the same page, with the listing added to the comparison (or taken
        out if it was there); never more than MAX_COMPARED."""
        if listing_id in self.compare:
            return replace(self, compare=tuple(i for i in self.compare if i != listing_id))
        return replace(self, compare=(*self.compare, listing_id)[:MAX_COMPARED])

    def next_page(self, cursor: str) -> "SearchState":
        return replace(self, after=cursor, back=(*self.back, self.after or FIRST_PAGE))

    def previous_page(self) -> "SearchState | None":
        if not self.back:
            return None
        cursor = self.back[-1]
        return replace(self, after=None if cursor == FIRST_PAGE else cursor, back=self.back[:-1])

    def in_another_language(self) -> "SearchState":
        """This search as the other language's page shows it: the same page, but from the first
        when titles order it (they sort otherwise in another language, and its cursor is refused)."""
        return replace(self, after=None, back=()) if self.sort == "TITLE" else self

    def page_number(self) -> int:
        return len(self.back) + 1
