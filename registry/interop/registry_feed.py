"""Another Microcred registry's answers to the harvest operations (graphql/operations/
HarvestChanges and HarvestListings), read into this registry's terms.

A listing comes in the bulk export's form (the operation's aliases give the export's keys);
only its texts arrive as lists of translations, which become language maps here. Its
provider, and the authorities of its recognitions, come as parties to match by slug.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from registry.domain.parties import Party

MAX_ID = 200  # the longest ID, cursor or key of the source this registry keeps
# Texts the operation asks for with every translation, as lists of {lang, value}.
_TRANSLATED = ("title", "description", "prerequisites")


class Malformed(ValueError):
    """An answer that is not shaped like the harvest operations' answers."""


@dataclass(frozen=True)
class ChangePage:
    """One page of the source's change feed: the listings it names, in order, and where to go on."""

    listing_ids: list[str]
    end_cursor: str | None
    has_more: bool
    events: int


@dataclass(frozen=True)
class RemoteRecognition:
    """A recognition as the source registry holds it."""

    id: str
    authority: Party
    kind: str
    valid_from: date
    valid_until: date | None
    note: str | None
    revoked: bool


@dataclass(frozen=True)
class RemoteListing:
    """A listing as the source registry holds it: its ID there, its status, the export form of
    its content, its provider and its recognitions."""

    id: str
    status: str
    document: dict[str, Any]
    provider: Party
    recognitions: list[RemoteRecognition]
    harvested: bool = False  # the source itself harvested it from elsewhere


def change_page(data: Any) -> ChangePage:
    """The `changes` field of a HarvestChanges answer."""
    try:
        feed = data["changes"]
        ids = list(dict.fromkeys(_text(event["credential"]["id"], MAX_ID) for event in feed["events"]))
        cursor = feed["endCursor"]
        end = None if cursor is None else _text(cursor, MAX_ID)
        return ChangePage(ids, end, bool(feed["hasMore"]), len(feed["events"]))
    except (KeyError, TypeError, ValueError) as error:
        raise Malformed(f"The change feed's answer is malformed ({type(error).__name__}: {error}).") from error


@dataclass(frozen=True)
class Unreadable:
    """A listing of the answer that is not shaped like one: why."""

    reason: str


def listings(data: Any) -> list[RemoteListing | Unreadable | None]:
    """The `nodes` of a HarvestListings answer; None where the source no longer shows a listing,
    Unreadable where a node is malformed (the others are read all the same)."""
    try:
        nodes = data["nodes"]
    except (KeyError, TypeError) as error:
        raise Malformed(f"The answer has no listings ({type(error).__name__}: {error}).") from error
    if not isinstance(nodes, list):
        raise Malformed("The answer's listings are not a list.")
    return [None if node is None else _readable(node) for node in nodes]


def _readable(node: Any) -> RemoteListing | Unreadable:
    try:
        return _listing(node)
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        return Unreadable(f"The listing is malformed ({type(error).__name__}: {str(error)[:200]}).")


def _listing(node: dict[str, Any]) -> RemoteListing:
    document = {
        key: value for key, value in node.items() if key not in {"provider", "recognitions", "status", "id", "source"}
    }
    for key in _TRANSLATED:
        document[key] = _language_map(document.get(key))
    document["learningOutcomes"] = [_language_map(outcome) for outcome in document.get("learningOutcomes") or []]
    document["keywords"] = {entry["lang"]: list(entry["values"]) for entry in document.get("keywords") or []}
    remote_id = _text(node["id"], MAX_ID)
    if document.get("externalId") is not None:
        _text(document["externalId"], MAX_ID)
    if not document.get("externalId"):  # a listing without one is known by its ID at the source
        document["externalId"] = remote_id
    recognitions = [_recognition(r) for r in node.get("recognitions") or []]
    harvested = node.get("source") is not None
    return RemoteListing(remote_id, _text(node["status"]), document, party(node["provider"]), recognitions, harvested)


def _recognition(node: dict[str, Any]) -> RemoteRecognition:
    until = node.get("validUntil")
    return RemoteRecognition(
        id=_text(node["id"], MAX_ID),
        authority=party(node["authority"]),
        kind=_text(node["kind"]),
        valid_from=date.fromisoformat(node["validFrom"]),
        valid_until=date.fromisoformat(until) if until else None,
        note=node.get("note"),
        revoked=node.get("revokedAt") is not None,
    )


def party(node: dict[str, Any]) -> Party:
    """A provider or authority of the answer, to match by slug (or register) here."""
    return Party(
        slug=_text(node["slug"]),
        name=_language_map(node["name"]) or {},
        kind=_text(node["kind"]),
        jurisdiction=_text(node["jurisdiction"]),
        website=node.get("website"),
    )


def _language_map(entries: Any) -> dict[str, str] | None:
    if not entries:
        return None
    return {_text(entry["lang"]): _text(entry["value"]) for entry in entries}


def _text(value: Any, longest: int | None = None) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, found {type(value).__name__}")
    if longest is not None and len(value) > longest:
        raise ValueError(f"an identifier longer than {longest} characters")
    return value


# The operations a harvester sends, from the folder every registry knows them from (a source
# running its safelist accepts them from anonymous callers, by their exact text).
OPERATIONS = Path(__file__).resolve().parents[2] / "graphql" / "operations"


@cache
def operation(name: str) -> str:
    """The text of a named operation of graphql/operations/."""
    return (OPERATIONS / f"{name}.graphql").read_text()
