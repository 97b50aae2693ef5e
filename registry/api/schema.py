"""The Strawberry schema: the Query type plus the request-wide extensions."""

from __future__ import annotations

import strawberry
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig

from registry.api.mutations import Mutation
from registry.api.query import Query
from registry.api.scalars import SCALARS
from registry.api.types import Credential, Occupation, Provider, Recognition, RecognitionAuthority, Skill

# Bounded, so a stream of unique query texts cannot grow memory without limit.
CACHE_SIZE = 512


def build_schema() -> strawberry.Schema:
    """The registry's public schema."""
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=[Credential, Provider, Skill, Occupation, RecognitionAuthority, Recognition],
        config=StrawberryConfig(scalar_map=SCALARS),
        extensions=[
            lambda: ParserCache(maxsize=CACHE_SIZE),
            lambda: ValidationCache(maxsize=CACHE_SIZE),
        ],
    )


schema = build_schema()
