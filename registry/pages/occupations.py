"""An occupation's page, `/occupations/{code}` and `/fr/professions/{code}`: a way in for a
worker whose job is changing and for an employer hiring for a role. What the occupation is and
the job titles people use for it; then the credentials aligned with it that an authority
recognises (an employer narrows them to the authorities it trusts), then the others, each
with the skills it teaches. The search page suggests these pages for the words typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from registry.domain import ids
from registry.pages.feeds import feed_path
from registry.pages.operations import OperationFailed, run
from registry.pages.rendering import failed_page, home_path, language_of, other_language, render
from registry.pages.search_state import SearchState

OCCUPATION_PATHS = {"en": "/occupations/{key}", "fr": "/fr/professions/{key}"}
MAX_AUTHORITIES = 10  # an employer names a few; more is not a person choosing


@dataclass(frozen=True)
class AuthorityOption:
    """An authority recognising credentials for this occupation: its count, and the link that
    narrows the recognised list to it (or widens it again)."""

    name: str
    count: int
    selected: bool
    href: str


def occupation_path(lang: str, code: str) -> str:
    """The occupation's page in ``lang``."""
    return OCCUPATION_PATHS[lang].format(key=code)


async def occupation(request: Request) -> Response:
    """The page of the occupation the address names by code (or by global ID, as the
    registry's Open Badges alignments do: that address moves to the code's)."""
    lang, key = language_of(request), request.path_params["key"]
    if not key.isdigit():
        return await _by_global_id(request, lang, key)
    chosen = list(dict.fromkeys(request.query_params.getlist("by")))[:MAX_AUTHORITIES]
    try:
        variables = {"code": key, "lang": lang, "authorities": chosen or None, "narrowed": bool(chosen)}
        answer = await run(request, "OccupationPage", variables)
    except OperationFailed as failed:
        return failed_page(request, lang, failed)
    found = answer["occupation"]
    if found is None:
        return failed_page(request, lang, OperationFailed("NOT_FOUND", ""))
    path = occupation_path(lang, key)
    return render(
        request,
        "occupation.html",
        lang,
        o=found,
        recognised=answer["recognised"],
        others=answer["others"],
        authorities=_authorities(answer["recognised"]["facets"]["recognizedBy"], chosen, path),
        narrowed=bool(chosen),
        # Listings recognised only by authorities not chosen: in neither list, so counted here.
        recognised_elsewhere=answer["everyAuthority"]["totalCount"] - answer["recognised"]["totalCount"]
        if chosen
        else 0,
        every_authority_url=path,
        search_url=SearchState(lists={"occupation": (key,)}).url(home_path(lang)),
        feed_url=SearchState(lists={"occupation": (key,)}).url(feed_path(lang)),
        other_url=_with_authorities(occupation_path(other_language(lang), key), chosen),
    )


def _authorities(counts: list[dict], chosen: list[str], path: str) -> list[AuthorityOption]:
    """Each authority's option: selecting one adds it to the narrowing, selecting it again removes it."""
    shown = {v["value"]: v for v in counts}  # a chosen authority recognising none here has no name to show
    options = []
    for value in shown.values():
        toggled = [a for a in chosen if a != value["value"]] if value["value"] in chosen else [*chosen, value["value"]]
        name = value.get("label") or value["value"]
        options.append(
            AuthorityOption(name, value["count"], value["value"] in chosen, _with_authorities(path, toggled))
        )
    return sorted(options, key=lambda option: (-option.count, option.name))


def _with_authorities(path: str, authorities: list[str]) -> str:
    return f"{path}?{urlencode([('by', a) for a in authorities])}" if authorities else path


async def _by_global_id(request: Request, lang: str, key: str) -> Response:
    """An occupation's global ID moves to its code's page; anything else is not found."""
    if ids.decode_as(key, "Occupation") is not None:
        try:
            found = (await run(request, "OccupationCode", {"id": key}))["node"]
        except OperationFailed as failed:
            return failed_page(request, lang, failed)
        if found and found.get("code"):
            return RedirectResponse(occupation_path(lang, found["code"]), status_code=301)
    return failed_page(request, lang, OperationFailed("NOT_FOUND", ""))
