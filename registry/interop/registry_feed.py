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


def change_page(data: Any) -> ChangePage:
    """The `changes` field of a HarvestChanges answer."""
    try:
        feed = data["changes"]
        ids = list(dict.fromkeys(_text(event["credential"]["id"]) for event in feed["events"]))
        cursor = feed["endCursor"]
        return ChangePage(ids, None if cursor is None else _text(cursor), bool(feed["hasMore"]), len(feed["events"]))
    except (KeyError, TypeError) as error:
        raise Malformed(f"The change feed's answer is malformed ({type(error).__name__}: {error}).") from error


def listings(data: Any) -> list[RemoteListing | None]:
    """The `nodes` of a HarvestListings answer; None where the source no longer shows a listing."""
    try:
        return [None if node is None else _listing(node) for node in data["nodes"]]
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise Malformed(f"A listing of the answer is malformed ({type(error).__name__}: {error}).") from error


def _listing(node: dict[str, Any]) -> RemoteListing:
    document = {key: value for key, value in node.items() if key not in {"provider", "recognitions", "status", "id"}}
    for key in _TRANSLATED:
        document[key] = _language_map(document.get(key))
    document["learningOutcomes"] = [_language_map(outcome) for outcome in document.get("learningOutcomes") or []]
    document["keywords"] = {entry["lang"]: list(entry["values"]) for entry in document.get("keywords") or []}
    remote_id = _text(node["id"])
    if not document.get("externalId"):  # a listing without one is known by its ID at the source
        document["externalId"] = remote_id
    recognitions = [_recognition(r) for r in node.get("recognitions") or []]
    return RemoteListing(remote_id, _text(node["status"]), document, party(node["provider"]), recognitions)


def _recognition(node: dict[str, Any]) -> RemoteRecognition:
    until = node.get("validUntil")
    return RemoteRecognition(
        id=_text(node["id"]),
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


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, found {type(value).__name__}")
    return value


# The operations a harvester sends, from the folder every registry knows them from (a source
# running its safelist accepts them from anonymous callers, by their exact text).
OPERATIONS = Path(__file__).resolve().parents[2] / "graphql" / "operations"


@cache
def operation(name: str) -> str:
    """The text of a named operation of graphql/operations/."""
    return (OPERATIONS / f"{name}.graphql").read_text()
