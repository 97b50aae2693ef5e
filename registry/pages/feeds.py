"""`/feeds/search.atom` and `/fr/feeds/search.atom`: any search of the search page as an Atom
feed (RFC 4287), so that a counsellor's feed reader or a portal is told of new matches without
an account. The same address parameters as the page (a provider: `deliverer=`; an occupation:
`occupation=`); the newest published listings first, each entry updated when its listing is.
The data comes from the named operation `SearchFeed`, run like the pages' own.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from xml.etree import ElementTree as ET

from starlette.requests import Request
from starlette.responses import Response

from registry.http.response_cache import CACHEABLE
from registry.pages.operations import OperationFailed, run
from registry.pages.rendering import home_path, language_of, page_path
from registry.pages.search_state import SearchState
from registry.pages.words import Words

ATOM = "http://www.w3.org/2005/Atom"
ENTRIES = 50
FEED_PATHS = ("/feeds/search.atom", "/fr/feeds/search.atom")
MEDIA_TYPE = "application/atom+xml; charset=utf-8"


def feed_path(lang: str) -> str:
    return FEED_PATHS[1] if lang == "fr" else FEED_PATHS[0]


async def search_feed(request: Request) -> Response:
    """GET /feeds/search.atom?<the search page's parameters>"""
    lang = language_of(request)
    state = SearchState.from_params(request.query_params)
    variables = {k: v for k, v in state.variables(lang, datetime.now(timezone.utc).date()).items() if k in _ASKED}
    try:
        found = (await run(request, "SearchFeed", variables | {"first": ENTRIES}))["searchCredentials"]["nodes"]
    except OperationFailed as failed:
        return Response(str(failed), status_code=failed.status, media_type="text/plain; charset=utf-8")
    request.scope[CACHEABLE] = True  # public data: the response cache may share it
    base = request.app.state.settings.issuer.rstrip("/")
    return Response(atom(found, state, lang, base), media_type=MEDIA_TYPE)


_ASKED = {"query", "filter", "lang"}  # of the page's variables, those the feed's operation takes


def atom(listings: list[dict[str, Any]], state: SearchState, lang: str, base: str) -> bytes:
    """The feed of ``listings`` (newest first) found by the search ``state``."""
    words = Words(lang)
    ET.register_namespace("", ATOM)
    feed = ET.Element(_atom("feed"), {"{http://www.w3.org/XML/1998/namespace}lang": lang})
    self_url = base + state.url(feed_path(lang))
    page_url = base + state.url(home_path(lang))
    _text(feed, "id", self_url)
    search = words.t("feed_words", words=state.text) if state.text else words.t("feed_all")
    _text(feed, "title", words.t("feed_title", site=words.t("site"), search=search))
    updated = max((listing["updatedAt"] for listing in listings), default=None)
    _text(feed, "updated", _moment(updated) if updated else _moment(datetime.now(timezone.utc).isoformat()))
    ET.SubElement(feed, _atom("link"), {"rel": "self", "type": "application/atom+xml", "href": self_url})
    ET.SubElement(feed, _atom("link"), {"rel": "alternate", "type": "text/html", "href": page_url})
    author = ET.SubElement(feed, _atom("author"))
    _text(author, "name", words.t("site"))
    _text(author, "uri", base + home_path(lang))
    _text(feed, "generator", "Microcred Registry")
    for listing in listings:
        feed.append(_entry(listing, lang, base))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _entry(listing: dict[str, Any], lang: str, base: str) -> ET.Element:
    entry = ET.Element(_atom("entry"))
    _text(entry, "id", f"{base}/credentials/{listing['id']}")
    _text(entry, "title", listing["title"])
    _text(entry, "updated", _moment(listing["updatedAt"]))
    if listing["publishedAt"]:
        _text(entry, "published", _moment(listing["publishedAt"]))
    page = base + page_path(lang, f"/credentials/{listing['id']}")
    ET.SubElement(entry, _atom("link"), {"rel": "alternate", "type": "text/html", "href": page})
    author = ET.SubElement(entry, _atom("author"))
    _text(author, "name", listing["provider"]["name"])
    ET.SubElement(entry, _atom("category"), {"term": listing["credentialType"]})
    if listing["description"]:
        _text(entry, "summary", listing["description"][:1000])
    return entry


def _atom(name: str) -> str:
    return f"{{{ATOM}}}{name}"


def _text(parent: ET.Element, name: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, _atom(name))
    element.text = value
    return element


def _moment(value: str) -> str:
    """An RFC 3339 date-time (what the API gives) with its offset, seconds precision."""
    moment = datetime.fromisoformat(value).astimezone(timezone.utc).replace(microsecond=0)
    return moment.isoformat().replace("+00:00", "Z")
