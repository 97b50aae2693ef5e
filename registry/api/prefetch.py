"""Listings fetched with the relations a request selects of them, in one statement.

Resolvers read a listing's provider, skills, recognitions... through the request's loaders,
one statement per relation. A root field that returns listings (``credential``,
``searchCredentials``) first looks at what its selection asks of them and brings it all in one
statement (``store.listing_bundles``), then hands it to the loaders (``Loaders.prime``): the
resolvers stay as they are and find their loads already answered. Asking for more than the
resolvers end up reading (a field under ``@skip``) only costs a column; deeper levels (a link
target's provider) are left to the loaders.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping, Sequence
from uuid import UUID

import strawberry
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from registry.api.errors import BadUserInput
from registry.api.types import page_size
from registry.domain.records import Credential
from registry.store.listing_bundles import Bundle, Part, Wanted, bundles

# The relations a Credential field reads through the loaders.
_PARTS_OF_FIELD: dict[str, frozenset[Part]] = {
    "provider": frozenset({Part.PROVIDER}),
    "offeredBy": frozenset({Part.PARTNERS}),
    "skills": frozenset({Part.SKILLS}),
    "occupations": frozenset({Part.OCCUPATIONS}),
    "links": frozenset({Part.LINKS}),
    "linkedFrom": frozenset({Part.BACKLINKS}),
    "pathway": frozenset({Part.PATHWAY}),
    "recognitions": frozenset({Part.RECOGNITIONS}),
    "isRecognized": frozenset({Part.RECOGNITIONS}),
    # What api.jsonld.listing_view loads for the mappings (were it to load more, that would
    # cost a statement of its own, not a wrong answer).
    "jsonLd": frozenset(
        {
            Part.PROVIDER,
            Part.PARTNERS,
            Part.SKILLS,
            Part.OCCUPATIONS,
            Part.LINKS,
            Part.BACKLINKS,
            Part.RECOGNITIONS,
            Part.OFFERINGS,
        }
    ),
    "history": frozenset({Part.HISTORY_COUNT}),
    "offerings": frozenset({Part.OFFERINGS}),
    "nextStartDate": frozenset({Part.OFFERINGS}),
}


def fields(selections: Sequence[Selection], type_name: str | None = None) -> Iterator[SelectedField]:
    """The fields of a selection set, through its fragments (with ``type_name``, leaving out
    fragments on other object types: ``... on Provider`` in a selection of nodes)."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, (FragmentSpread, InlineFragment)):
            condition = selection.type_condition
            if type_name is None or condition in (None, type_name, "Node"):
                yield from fields(selection.selections, type_name)


def wanted(selections: Sequence[Selection]) -> Wanted:
    """The relations a selection set of Credential fields reads."""
    parts: set[Part] = set()
    sizes: set[int] = set()
    for field in fields(selections, "Credential"):
        parts |= _PARTS_OF_FIELD.get(field.name, frozenset())
        if field.name == "history" and (size := _first_page_size(field.arguments)) is not None:
            sizes.add(size)
    return Wanted(frozenset(parts), frozenset(sizes))


def _first_page_size(arguments: Mapping[str, Any]) -> int | None:
    """The size of a first page of a connection (no ``after``) asked with these arguments, if
    it is one the resolver accepts."""
    if arguments.get("after") is not None:
        return None
    first = arguments.get("first")
    if isinstance(first, str) and first.isdigit():
        first = int(first)  # a literal in the document arrives as its text, a variable as its value
    if first is not None and not isinstance(first, int):
        return None
    try:
        return page_size(first)
    except BadUserInput:
        return None  # the resolver refuses it, with its own error


def node_selections(selections: Sequence[Selection]) -> list[Selection]:
    """What a connection's selection (``nodes { ... }``, ``edges { node { ... } }``) asks of its items."""
    found: list[Selection] = []
    for field in fields(selections):
        if field.name == "nodes":
            found.extend(field.selections)
        elif field.name == "edges":
            found.extend(s for edge in fields(field.selections) if edge.name == "node" for s in edge.selections)
    return found


async def listings(
    info: strawberry.Info, ids: Sequence[UUID], selections: Sequence[Selection]
) -> dict[UUID, Credential]:
    """The listings with these IDs the caller may see, with what ``selections`` reads of them
    waiting in the request's loaders. One statement."""
    found = await _bring(info, ids, wanted(selections), listings=True)
    return {listing_id: bundle.listing for listing_id, bundle in found.items() if bundle.listing is not None}


async def relations(info: strawberry.Info, ids: Sequence[UUID], selections: Sequence[Selection]) -> None:
    """Bring what ``selections`` reads of listings the caller has just read into the loaders,
    in one statement (none when it reads no relation)."""
    asked = wanted(selections)
    if asked != Wanted():
        await _bring(info, ids, asked, listings=False)


async def _bring(info: strawberry.Info, ids: Sequence[UUID], asked: Wanted, *, listings: bool) -> dict[UUID, Bundle]:
    """One bundle statement, its answers handed to the request's loaders."""
    context = info.context
    found = await bundles(context.db, ids, context.viewer, asked, listings=listings)
    context.loaders.prime(ids, found, listings=listings)
    return found
