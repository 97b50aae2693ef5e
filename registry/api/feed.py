"""The change feed query: portals follow it to stay in sync without missing anything."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Optional

import strawberry
from strawberry import Private

from registry.api import cursors
from registry.api.enums import ChangeKind
from registry.api.errors import BadUserInput
from registry.api.types import Credential
from registry.store import changes as store

FEED = "changes"
MAX_FEED_PAGE = 1000


@strawberry.type(description="One change of a listing.")
class ChangeEvent:
    cursor: str = strawberry.field(description="Pass as `after` to continue after this event.")
    kind: ChangeKind = strawberry.field(description="What happened.")
    version: int = strawberry.field(description="The listing's version after the change (recognitions keep it).")
    at: datetime = strawberry.field(description="When it happened.")
    credential_id: Private[object]

    @strawberry.field(description="The listing as it is now (retired listings included).")
    async def credential(self, info: strawberry.Info) -> Credential:
        return Credential.from_record(await info.context.loaders.credential.load(self.credential_id))


@strawberry.type(description="A page of the change feed.")
class ChangeFeed:
    events: list[ChangeEvent] = strawberry.field(description="Changes in feed order.")
    end_cursor: Optional[str] = strawberry.field(
        description="Where to continue from: the last event's cursor, or the `after` given when nothing is new. "
        "Keep it and poll with it; no change is ever missed or repeated."
    )
    has_more: bool = strawberry.field(description="True when more changes are ready right now.")


async def changes(
    info: strawberry.Info,
    after: Annotated[
        Optional[str],
        strawberry.argument(description="The `endCursor` of your last poll; none to start from the beginning."),
    ] = None,
    first: Annotated[
        Optional[int], strawberry.argument(description="How many events (0 to 1000; null means 100).")
    ] = 100,
    jurisdiction: Annotated[
        Optional[str],
        strawberry.argument(
            description="Only listings of providers in, or offered in, this jurisdiction (`CA-ON`; `CA` for all)."
        ),
    ] = None,
    kinds: Annotated[Optional[list[ChangeKind]], strawberry.argument(description="Only these kinds of change.")] = None,
) -> ChangeFeed:
    size = 100 if first is None else first
    if size < 0 or size > MAX_FEED_PAGE:
        raise BadUserInput(f"`first` must be between 0 and {MAX_FEED_PAGE} (got {size}).", field="first")
    position = cursors.decode_position(after, FEED)
    # The feed's order and completeness are the primary's: its listings are read there too.
    info.context.read_from(info.context.primary)
    found, more = await store.read(
        info.context.db,
        after=position,
        first=size,
        viewer=info.context.viewer,
        jurisdiction=jurisdiction,
        kinds=[k.value for k in kinds] if kinds else None,
    )
    events = [
        ChangeEvent(
            cursor=cursors.encode_position(FEED, change.position),
            kind=change.kind,
            version=change.version,
            at=change.at,
            credential_id=change.credential_id,
        )
        for change in found
    ]
    return ChangeFeed(events=events, end_cursor=events[-1].cursor if events else after, has_more=more)
