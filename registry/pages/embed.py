"""`/embed/search` and `/fr/embed/search`: a compact, script-free list of the newest listings a
search finds, for a small portal or a college site to put in an `<iframe>`: the search page's
address parameters choose it (`deliverer=` a provider's, `region=` a province's,
`occupation=` an occupation's). The only page other sites may frame
(``Settings.embed_frame_ancestors``); its links open the registry in a new tab.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from registry.domain.local_dates import registry_today
from registry.http.response_cache import CACHEABLE
from registry.pages.operations import OperationFailed, run
from registry.pages.rendering import OWN_POLICY, failed_page, home_path, language_of, templates
from registry.pages.search_state import SearchState
from registry.pages.words import Words

EMBED_PATHS = ("/embed/search", "/fr/embed/search")
SHOWN = 10


async def embedded_search(request: Request) -> Response:
    """GET /embed/search?<the search page's parameters>"""
    lang = language_of(request)
    state = SearchState.from_params(request.query_params)
    variables = state.variables(lang, registry_today())
    wanted = {k: v for k, v in variables.items() if k in ("query", "filter", "lang")}
    try:
        result = (await run(request, "EmbedSearch", wanted | {"first": SHOWN}))["searchCredentials"]
    except OperationFailed as failed:
        return failed_page(request, lang, failed)
    ancestors = " ".join(request.app.state.settings.embed_frame_ancestors)
    home = home_path(lang)
    response = templates.TemplateResponse(
        request,
        "embed.html",
        {"w": Words(lang), "lang": lang, "result": result, "home": home, "search_url": state.url(home)},
    )
    response.headers["content-language"] = lang
    # The pages' own policy (no script at all), but framable by the sites the registry allows.
    response.headers["content-security-policy"] = f"{OWN_POLICY}; frame-ancestors {ancestors}"
    request.scope[CACHEABLE] = True
    return response
