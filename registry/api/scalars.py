"""Custom scalars of the contract: URL and LanguageTag (DateTime and Date are Strawberry's).

Resolvers annotate with the NewTypes; ``SCALARS`` tells the schema how each is
written and read (``StrawberryConfig.scalar_map``).
"""

from __future__ import annotations

from typing import NewType
from urllib.parse import urlsplit

import strawberry
from strawberry.types.scalar import ScalarDefinition

from registry.domain.language import is_language_tag

URL = NewType("URL", str)
LanguageTag = NewType("LanguageTag", str)


def _parse_url(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("URL must be a string.")
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc or any(ch.isspace() for ch in value):
        raise ValueError(f"{value!r} is not an absolute http(s) URL.")
    return value


def _parse_language_tag(value: object) -> str:
    if not isinstance(value, str) or not is_language_tag(value):
        raise ValueError(f"{value!r} is not a BCP 47 language tag such as 'en', 'fr' or 'fr-CA'.")
    return value


SCALARS: dict[object, ScalarDefinition] = {
    URL: strawberry.scalar(
        name="URL",
        description="An absolute http(s) URL, e.g. `https://example.ca/programs/data-analytics`.",
        serialize=str,
        parse_value=_parse_url,
    ),
    LanguageTag: strawberry.scalar(
        name="LanguageTag",
        description="A BCP 47 language tag, e.g. `en`, `fr`, `fr-CA`, `oj` (Anishinaabemowin).",
        serialize=str,
        parse_value=_parse_language_tag,
    ),
}
