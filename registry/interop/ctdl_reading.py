"""The reading of one CTDL object: the document it is in (to follow references), what was
carried (`Marks`), and the problems (the object fails) and notes (it does not) found."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from registry.domain.errors import Problem
from registry.interop.ctdl_graph import Document
from registry.interop.ctdl_report import Marks
from registry.interop.ctdl_values import concept, text


@dataclass
class Reading:
    document: Document
    marks: Marks = field(default_factory=Marks)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)

    def nodes(self, value: Any) -> list[Any]:
        """A property's values, references to objects of the document followed."""
        return self.document.nodes_of(value)

    def take(self, node: dict, key: str) -> Any:
        """``node[key]``, marked as carried into the listing."""
        return self.marks.take(node, key)

    def text(self, node: dict, key: str) -> dict[str, str] | None:
        """The language map of ``node[key]``, noted when the property holds no text."""
        value = self.take(node, key)
        found = text(value)
        self.no_text(key, value, found)
        return found

    def no_text(self, key: str, value: Any, found: Any) -> None:
        """A note when a property is there but what was read of it is empty (only nulls)."""
        if value is not None and not found:
            self.note(key, "NO_TEXT", f"`{key}` holds no text (null is no text); it was left out.")

    def note(self, where: str, code: str, message: str) -> None:
        self.notes.append(Problem(("credential", where), code, message))

    def problem(self, where: str, code: str, message: str) -> None:
        self.problems.append(Problem(("credential", where), code, message))

    def concept(
        self, node: dict, keys: tuple[str, ...], mapping: dict[str, str], enum: type[StrEnum] | None
    ) -> str | None:
        """The registry value of the concepts under ``keys`` (alignments or bare concepts): an
        alignment's codedNotation when it is one of ``enum``'s values (the registry's own
        vocabulary), else its CTDL concept through ``mapping``. The registry keeps one
        value: the first; the others, and concepts with no registry value, are noted."""
        found: str | None = None
        for key in keys:
            for item in self.nodes(self.take(node, key)):
                value = self._value(item, mapping, enum)
                if value is None:
                    self.note(
                        key, "UNMAPPED_VALUE", f"{_name(item)!r} has no registry equivalent; it was not imported."
                    )
                elif found is None:
                    found = value
                elif value != found:
                    self.note(
                        key,
                        "ONE_VALUE_KEPT",
                        f"{_name(item)!r} was not imported: the registry keeps one value ({found}).",
                    )
        return found

    @staticmethod
    def _value(item: Any, mapping: dict[str, str], enum: type[StrEnum] | None) -> str | None:
        code = item.get("ceterms:codedNotation") if isinstance(item, dict) else None
        if enum is not None and code in enum.__members__:
            return str(code)
        return mapping.get(concept(item) or "")


def _name(item: Any) -> Any:
    """How a note names a value: its concept, else its code, else the value."""
    if isinstance(item, dict):
        return concept(item) or item.get("ceterms:codedNotation") or item.get("ceterms:targetNodeName") or item
    return item
