"""Rules for registering providers and recognition authorities."""

from __future__ import annotations

import re
from dataclasses import dataclass

from registry.domain.errors import Problem
from registry.domain.language import is_language_tag

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
PROVINCE = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
COUNTRY_OR_PROVINCE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
WEBSITE = re.compile(r"^https?://[^\s/]+\S*$")


@dataclass(frozen=True)
class Party:
    """A provider or an authority to register."""

    slug: str
    name: dict[str, str]
    kind: str
    jurisdiction: str
    website: str | None = None


def check_party(
    *, slug: str, name: dict[str, str], jurisdiction: str, website: str | None, national_allowed: bool
) -> list[Problem]:
    """Problems with a provider's (or, with ``national_allowed``, an authority's) details."""
    problems = []
    if not SLUG.fullmatch(slug) or len(slug) > 80:
        problems.append(
            Problem(
                ("slug",),
                "INVALID_SLUG",
                "A slug is lower-case words joined by hyphens, e.g. 'northern-college' (80 characters at most).",
            )
        )
    if not name:
        problems.append(Problem(("name",), "REQUIRED", "A name is needed in at least one language."))
    for lang, text in name.items():
        if not is_language_tag(lang) or not text.strip():
            problems.append(
                Problem(("name",), "INVALID_NAME", f"The name in {lang!r} is blank or its tag is not BCP 47.")
            )
    pattern = COUNTRY_OR_PROVINCE if national_allowed else PROVINCE
    if not pattern.fullmatch(jurisdiction):
        example = "'CA' or 'CA-ON'" if national_allowed else "'CA-ON'"
        problems.append(Problem(("jurisdiction",), "INVALID_JURISDICTION", f"Use an ISO 3166 code such as {example}."))
    if website is not None and not WEBSITE.fullmatch(website):
        problems.append(Problem(("website",), "INVALID_URL", "`website` must be an http(s) URL."))
    return problems
