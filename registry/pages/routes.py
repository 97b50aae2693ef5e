"""The registry's own pages: search (`/`, `/fr/`), a listing (`/credentials/{id}`,
`/fr/credentials/{id}`) and statistics (`/statistics`, `/fr/statistics`). Server-rendered
HTML that works without JavaScript; every piece of data comes from a named GraphQL operation
(registry.pages.operations)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from registry.domain.local_dates import registry_today
from registry.domain.search import COST_CEILINGS, WORKLOAD_RANGES, workload_range_value
from registry.domain.vocabularies import OCCUPATION_SCHEME
from registry.pages import charts
from registry.pages.compare import COMPARE_PATHS, compare, compare_url
from registry.pages.embed import EMBED_PATHS, embedded_search
from registry.pages.feeds import FEED_PATHS, feed_path, search_feed
from registry.pages.occupations import OCCUPATION_PATHS, occupation, occupation_path
from registry.pages.operations import OperationFailed, run
from registry.pages.rendering import failed_page, home_path, language_of, other_language, page_path, render
from registry.pages.search_state import DISTANCES, ORDERS, STARTS, SearchState
from registry.pages.words import Words

HERE = Path(__file__).resolve().parent
COST_ORDER = [str(ceiling) for ceiling in COST_CEILINGS]
HOURS_ORDER = [workload_range_value(low, high) for low, high in WORKLOAD_RANGES]
PATHS = ("/", "/fr/", "/fr", "/statistics", "/fr/statistics")


@dataclass(frozen=True)
class Option:
    """One value of a filter as the page offers it: a link that adds or removes it."""

    label: str
    count: int | None  # None: the page shows no count for it
    selected: bool
    href: str


@dataclass(frozen=True)
class FilterGroup:
    """One filter (a facet) with its options."""

    name: str
    legend: str
    options: list[Option]


async def search(request: Request) -> Response:
    """The search page, in English at `/` and in French at `/fr/`. A place the registry does
    not know is said beside the form, over the results of the search without it."""
    lang = language_of(request)
    state = SearchState.from_params(request.query_params)
    unknown_place = None
    try:
        try:
            answer = await run(request, "SearchPage", _search_variables(state, lang))
        except OperationFailed as failed:
            if "UNKNOWN_PLACE" not in failed.problem_codes:
                raise
            unknown_place, state = state.near, state.without("near", state.near)
            answer = await run(request, "SearchPage", _search_variables(state, lang))
    except OperationFailed as failed:
        return failed_page(request, lang, failed)
    result = answer["searchCredentials"]
    path = home_path(lang)
    groups = _groups(state, result["facets"], Words(lang), path)
    previous = state.previous_page()
    return render(
        request,
        "search.html",
        lang,
        state=state,
        result=result,
        groups=groups,
        active=_active(state, groups, Words(lang), path, answer["deliverers"]),
        orders=[order for order in ORDERS if order != "NEAREST" or state.near],
        distances=DISTANCES,
        unknown_place=unknown_place,
        nearest=_nearest,
        next_url=state.next_page(result["pageInfo"]["endCursor"]).url(path)
        if result["pageInfo"]["hasNextPage"]
        else None,
        previous_url=previous.url(path) if previous else None,
        recognized_url=state.toggled("recognized", "yes").url(path),
        feed_url=replace(state, after=None, back=(), sort="RELEVANCE", compare=()).url(feed_path(lang)),
        compare_url=compare_url(lang, list(state.compare)) if state.compare else None,
        suggestions=(answer.get("suggestions") or {}).get("nodes", []),
        occupation_url=lambda code: occupation_path(lang, code),
        other_url=state.in_another_language().url(home_path(other_language(lang))),
    )


def _search_variables(state: SearchState, lang: str) -> dict:
    """The search page's variables: the state's search, and occupations for the words typed
    (on the first page only: a worker looking further is past that way in)."""
    return {
        **state.variables(lang, registry_today()),
        "suggest": bool(state.text) and state.after is None,
    }


def _groups(state: SearchState, facets: dict, words: Words, path: str) -> list[FilterGroup]:
    """The filters beside the results, each value with its count and the link that toggles it."""

    def options(name: str, values: list[dict], label, order: list[str] | None = None) -> list[Option]:
        shown = {v["value"]: v for v in values}
        for chosen in state.chosen(name):  # a value in force stays offered (to be removed) even at 0
            shown.setdefault(chosen, {"value": chosen, "count": 0, "label": None})
        ordered = sorted(shown.values(), key=lambda v: order.index(v["value"])) if order else list(shown.values())
        return [
            Option(label(v), v["count"], state.has(name, v["value"]), state.toggled(name, v["value"]).url(path))
            for v in ordered
        ]

    def cost_label(v):
        return words.t("free") if v["value"] == "0" else words.t("cost_up_to", amount=words.money(float(v["value"])))

    def hours_label(v):
        low, _, high = v["value"].partition("-")
        return words.t("hours_over", low=low) if not high else words.t("hours_range", low=low, high=high)

    def code(v):
        return words.code(v["value"])

    def named(v):
        return v.get("label") or v["value"]

    return [
        FilterGroup("mode", words.t("delivery"), options("mode", facets["deliveryMode"], code)),
        FilterGroup("by", words.t("recognized_by"), options("by", facets["recognizedBy"], named)),
        FilterGroup("region", words.t("region"), options("region", facets["region"], code)),
        FilterGroup("language", words.t("language"), options("language", facets["language"], code)),
        FilterGroup("type", words.t("type"), options("type", facets["credentialType"], code)),
        FilterGroup("cost", words.t("cost"), options("cost", facets["cost"], cost_label, COST_ORDER)),
        FilterGroup("hours", words.t("workload"), options("hours", facets["workload"], hours_label, HOURS_ORDER)),
        FilterGroup("starts", words.t("starts"), _start_options(state, words, path)),
    ]


def _start_options(state: SearchState, words: Words, path: str) -> list[Option]:
    """When the next offering starts: without counts, for a rolling intake matches them all."""
    return [
        Option(words.t(f"starts_{value}"), None, state.has("starts", value), state.toggled("starts", value).url(path))
        for value in STARTS
    ]


def _nearest(offerings: list[dict]) -> dict | None:
    """The offering a `near` search found closest (the one with the smallest distance)."""
    measured = [o for o in offerings if o.get("distanceKm") is not None]
    return min(measured, key=lambda o: o["distanceKm"]) if measured else None


def _active(
    state: SearchState, groups: list[FilterGroup], words: Words, path: str, deliverers: list[dict | None]
) -> list[tuple[str, str]]:
    """(label, link that removes it) for every filter in force (``deliverers``: the providers
    the "delivered by" filter names, as the operation found them)."""
    found = [(option.label, option.href) for group in groups for option in group.options if option.selected]
    names = {p["id"]: p["name"] for p in deliverers if p and "id" in p}  # another type's ID: {}
    for deliverer in state.chosen("deliverer"):
        name = names.get(deliverer) or words.t("an_institution")
        found.append((words.t("delivered_by_chip", name=name), state.without("deliverer", deliverer).url(path)))
    if state.recognized:
        found.insert(0, (words.t("recognized_only"), state.toggled("recognized", "yes").url(path)))
    if state.near:
        found.append((words.t("near_chip", place=state.near, km=state.km), state.without("near", state.near).url(path)))
    return found


async def credential(request: Request) -> Response:
    """A listing's page, with its schema.org description embedded for search engines."""
    return await credential_page(request, language_of(request))


async def credential_page(request: Request, lang: str) -> Response:
    """The HTML page of the listing ``request`` names, in ``lang``."""
    try:
        listing = (await run(request, "CredentialDetail", {"id": request.path_params["id"], "lang": lang}))[
            "credential"
        ]
    except OperationFailed as failed:
        return failed_page(request, lang, failed)
    if listing is None:
        return failed_page(request, lang, OperationFailed("NOT_FOUND", ""))
    return render(
        request,
        "credential.html",
        lang,
        c=listing,
        delivered_url=lambda provider: SearchState(lists={"deliverer": (provider["id"],)}).url(home_path(lang)),
        occupation_url=lambda code: occupation_path(lang, code),
        occupation_scheme=OCCUPATION_SCHEME,  # the classification whose occupations have pages
        json_ld=json.loads(listing["schemaOrg"]),
        other_url=page_path(other_language(lang), f"/credentials/{listing['id']}"),
        history=[_history_entry(node) for node in listing["history"]["nodes"]],
    )


def _history_entry(node: dict) -> dict:
    return {"version": node["version"], "kind": node["kind"], "at": node["changedAt"][:10]}


async def statistics(request: Request) -> Response:
    """Counts for ministry staff, drawn as bar charts from the registryStatistics query."""
    lang = language_of(request)
    words = Words(lang)
    try:
        stats = (await run(request, "RegistryStatistics", {"months": 12}))["registryStatistics"]
    except OperationFailed as failed:
        return failed_page(request, lang, failed)
    figures = []
    for chart_id, key, title_key, draw in [
        ("by-province", "byProvince", "by_province", charts.bar_chart),
        ("by-delivery", "byDeliveryMode", "by_delivery", charts.bar_chart),
        ("by-provider-kind", "byProviderKind", "by_provider_kind", charts.bar_chart),
        ("by-recognition", "byRecognition", "by_recognition", charts.bar_chart),
        ("per-month", "publishedPerMonth", "per_month", charts.column_chart),
    ]:
        items = [
            (words.month(v["value"]) if key == "publishedPerMonth" else words.code(v["value"]), v["count"])
            for v in stats[key]
        ]
        title = words.t(title_key)
        figures.append(
            {"id": chart_id, "title": title, "items": items, "svg": draw(chart_id, title, items, words.number)}
        )
    return render(
        request,
        "statistics.html",
        lang,
        stats=stats,
        figures=figures,
        other_url=page_path(other_language(lang), "/statistics"),
    )


async def not_found(request: Request, _exc: Exception) -> HTMLResponse:
    """Any address nothing answers: the registry's own page, in the language of the path, with
    a way back to the search (never a bare "Not Found" without title, language or landmark)."""
    lang = language_of(request)
    words = Words(lang)
    return render(
        request,
        "error.html",
        lang,
        404,
        message=words.t("page_not_found"),
        detail=None,
        other_url=home_path(other_language(lang)),
    )


def is_page(path: str) -> bool:
    """Whether ``path`` is one of these pages or feeds (the response cache may keep them)."""
    return (
        path in PATHS
        or path in FEED_PATHS
        or path in EMBED_PATHS
        or path in COMPARE_PATHS.values()
        or path.startswith(("/fr/credentials/", "/occupations/", "/fr/professions/"))
    )


def routes() -> list:
    """The pages' routes, and their stylesheet under /static."""
    searches = [Route(path, search) for path in ("/", "/fr/", "/fr")]
    return [
        *searches,
        Route("/fr/credentials/{id}", credential),
        *[Route(path, search_feed) for path in FEED_PATHS],
        *[Route(path, embedded_search) for path in EMBED_PATHS],
        *[Route(path, compare) for path in COMPARE_PATHS.values()],
        *[Route(path, occupation) for path in OCCUPATION_PATHS.values()],
        Route("/statistics", statistics),
        Route("/fr/statistics", statistics),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
