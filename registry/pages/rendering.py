"""How a page is answered: its template in its language, under the pages' content policy, and
the error page of an operation that failed."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from registry.http.response_cache import CACHEABLE
from registry.pages.operations import OperationFailed
from registry.pages.words import Words

templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
# Text a visitor typed, shown inside a sentence: isolated (Unicode's first-strong isolate), so
# that right-to-left characters in it cannot reorder the rest of the sentence.
templates.env.globals["isolated"] = lambda text: f"\u2068{text}\u2069"
# No script at all; styles and images from here only; forms post back here...
OWN_POLICY = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'"
# ...and never in another site's frame (but the embed's, registry/pages/embed.py).
POLICY = f"{OWN_POLICY}; frame-ancestors 'none'"


def home_path(lang: str) -> str:
    return "/fr/" if lang == "fr" else "/"


def page_path(lang: str, path: str) -> str:
    return f"/fr{path}" if lang == "fr" else path


def render(request: Request, name: str, lang: str, status: int = 200, **values) -> HTMLResponse:
    """A page: its template in ``lang``, its own content policy, and, when it shows public data
    (200), shareable by the response cache, which the next public change empties."""
    words = Words(lang)
    response = templates.TemplateResponse(
        request,
        name,
        {"w": words, "lang": lang, "home": home_path(lang), "page_path": lambda path: page_path(lang, path), **values},
        status_code=status,
    )
    response.headers["content-language"] = lang
    response.headers["content-security-policy"] = POLICY
    if status == 200:
        request.scope[CACHEABLE] = True
    return response


def language_of(request: Request) -> str:
    return "fr" if request.url.path.startswith("/fr") else "en"


def other_language(lang: str) -> str:
    return "en" if lang == "fr" else "fr"


def failed_page(request: Request, lang: str, failed: OperationFailed) -> HTMLResponse:
    """The page of an operation that answered with an error: said in the page's language,
    with the API's own message as the detail."""
    key = {404: "not_found", 400: "bad_address", 429: "busy", 503: "busy"}.get(failed.status, "broken")
    return render(
        request,
        "error.html",
        lang,
        failed.status,
        message=Words(lang).t(key),
        detail=str(failed) if failed.status == 400 else None,
        other_url=home_path(other_language(lang)),
    )
