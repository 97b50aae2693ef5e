"""Reading CTDL values as publishers write them: lists or single values, language maps or
plain strings, numbers or numeric strings, ISO 8601 durations, concepts (bare or inside an
alignment), and languages by tag or by name."""

from __future__ import annotations

import math
import re
from typing import Any

from registry.domain.language import is_language_tag

# ISO 8601 durations; a number is digits with at most one decimal mark (`.` or `,`).
_N = r"\d+(?:[.,]\d+)?"
_DURATION = re.compile(
    rf"P(?:(?P<Y>{_N})Y)?(?:(?P<M>{_N})M)?(?:(?P<W>{_N})W)?(?:(?P<D>{_N})D)?"
    rf"(?:T(?:(?P<h>{_N})H)?(?:(?P<m>{_N})M)?(?:(?P<s>{_N})S)?)?"
)
_DATE_PARTS = {"Y", "M", "W", "D"}
_NUMBER = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+(\.\d+)?$")
# How JSON-LD writes a text without a language: `@none` in a language map, no `@language`
# on a value object. Such a text is read as a plain string is: English.
UNTAGGED = (None, "@none")
# Language names publishers write instead of tags (English and French names, and ISO 639-2
# codes where a shorter tag exists).
LANGUAGE_NAMES = {
    "english": "en",
    "anglais": "en",
    "eng": "en",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
    "fra": "fr",
    "fre": "fr",
    "spanish": "es",
    "español": "es",
    "espagnol": "es",
    "spa": "es",
    "german": "de",
    "deutsch": "de",
    "allemand": "de",
    "cree": "cr",
    "cri": "cr",
    "inuktitut": "iu",
    "ojibwe": "oj",
    "ojibwa": "oj",
    "mi'kmaq": "mic",
}


def many(value: Any) -> list[Any]:
    """A property's values as a list (JSON-LD allows one value without brackets)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def text(value: Any) -> dict[str, str] | None:
    """A language map from CTDL's language map, a plain string (English) or @value objects.
    A null is no text; a text without a language is English (unless the map has English)."""
    if value is None:
        return None
    if isinstance(value, str):
        return {"en": value}
    if isinstance(value, dict) and "@value" in value:
        return _language_map({value.get("@language"): value["@value"]})
    if isinstance(value, dict):
        return _language_map(value)
    if isinstance(value, list):
        merged: dict[str, str] = {}
        for item in value:
            merged.update(text(item) or {})
        return merged or None
    raise TypeError(f"{value!r} is not text")


def _language_map(value: dict) -> dict[str, str] | None:
    """The texts of a language map by language tag; tagged texts before untagged ones."""
    found: dict[str, str] = {}
    for lang, written in sorted(value.items(), key=lambda pair: pair[0] in UNTAGGED):
        words = [str(w) for w in many(written) if w is not None]
        if words:
            found.setdefault(language_key(lang), " ".join(words))
    return found or None


def language_key(lang: Any) -> str:
    """The language tag of a language map's key: `en_US` is `en-US`, a name is its tag, an
    untagged text is English; anything else is kept as written (and refused)."""
    if lang in UNTAGGED:
        return "en"
    return language_tag(lang) or str(lang)


def one_text(value: Any) -> str | None:
    """One string of a language map (or plain string): English, else any language."""
    found = text(value)
    return (found.get("en") or next(iter(found.values()), None)) if found else None


def text_lists(value: Any) -> dict[str, list[str]]:
    """Several strings per language (`ceterms:keyword`, `ceterms:condition`): a language map
    of lists or of strings, plain strings (English), or a list of any of these. Nulls are
    left out."""
    found: dict[str, list[str]] = {}
    for item in many(value):
        if isinstance(item, str):
            found.setdefault("en", []).append(item)
        elif isinstance(item, dict) and "@value" in item:
            found.setdefault(language_key(item.get("@language")), []).extend(_strings(item["@value"]))
        elif isinstance(item, dict):
            for lang, words in item.items():
                found.setdefault(language_key(lang), []).extend(_strings(words))
        elif item is not None:
            raise TypeError(f"{item!r} is not text")
    return found


def _strings(value: Any) -> list[str]:
    return [str(word) for word in many(value) if word is not None]


def same_text(value: Any, known: dict[str, str]) -> bool:
    """Whether ``value`` is the text ``known`` (in any of its languages): the registry's own
    wording, which its export writes again."""
    found = text(value) if value is not None else None
    return bool(found) and all(known.get(lang) == words for lang, words in (found or {}).items())


def number(value: Any) -> float | None:
    """A finite number, or a string holding one (`12999`, `12,999.00`); None for anything
    else (NaN and infinities, which Python's JSON reads, included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        value = value.strip().replace(",", "")
    elif not isinstance(value, (int, float)):
        return None
    try:
        found = float(value)
    except OverflowError:  # an integer beyond any float
        return None
    return found if math.isfinite(found) else None


def duration(value: Any) -> tuple[float | None, float | None] | None:
    """(hours, weeks) of an ISO 8601 duration, one of them set: hours and minutes are effort,
    days and longer are calendar length (hours written with days or longer are part of that
    length: `time_in_length`). None when ``value`` is not such a duration."""
    n = _duration_parts(value)
    if n is None:
        return None
    hours = n.get("h", 0) + n.get("m", 0) / 60 + n.get("s", 0) / 3600
    if set(n) == {"W"}:  # weeks as written (what the export writes), every digit kept
        return None, n["W"]
    if _DATE_PARTS & set(n):
        days = n.get("Y", 0) * 364 + n.get("M", 0) * 364 / 12 + n.get("W", 0) * 7 + n.get("D", 0) + hours / 24
        return None, round(days / 7, 1)  # converted from months or days: a tenth of a week is plenty
    return hours, None


def time_in_length(value: Any) -> float | None:
    """The hours of a duration that also has days or longer (`P1Y2MT3H`: 3), else None."""
    n = _duration_parts(value) or {}
    if not _DATE_PARTS & set(n) or not {"h", "m", "s"} & set(n):
        return None
    return n.get("h", 0) + n.get("m", 0) / 60 + n.get("s", 0) / 3600


def _duration_parts(value: Any) -> dict[str, float] | None:
    parts = _DURATION.fullmatch(value) if isinstance(value, str) and value not in ("P", "PT") else None
    if not parts or value.endswith("T"):
        return None
    n = {k: float(v.replace(",", ".")) for k, v in parts.groupdict().items() if v}
    return n if all(map(math.isfinite, n.values())) else None


def concept(item: Any) -> str | None:
    """The concept a value names: a bare string (`deliveryType:InPerson`) or an alignment's
    `ceterms:targetNode`."""
    if isinstance(item, str):
        return item
    if isinstance(item, dict) and isinstance(item.get("ceterms:targetNode"), str):
        return str(item["ceterms:targetNode"])
    return None


def language_tag(value: Any) -> str | None:
    """A BCP 47 tag for a language given by tag (kept as written: `en-US`) or by name
    (`English`, `Français`); None when it is neither."""
    if not isinstance(value, str):
        return None
    name = value.strip().lower()
    if name in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[name]
    tag = value.strip().replace("_", "-")  # `en_US`, as locales are written
    return tag if is_language_tag(tag) else None
