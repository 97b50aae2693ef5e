"""Credential Engine's published CTDL schema and context, and the check of a document against them."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

CONTEXTS = Path(__file__).resolve().parents[2] / "registry" / "interop" / "contexts"


@cache
def schema() -> dict[str, dict]:
    """The CTDL schema's terms by their @id."""
    return {node["@id"]: node for node in json.loads((CONTEXTS / "ctdl-schema.json").read_text())["@graph"]}


@cache
def context() -> dict[str, Any]:
    """The published CTDL JSON-LD context."""
    return json.loads((CONTEXTS / "ctdl-context.json").read_text())["@context"]


def misuses(node: Any, where: str = "$") -> list[str]:
    """Every way ``node`` strays from the published CTDL: unknown classes, properties outside
    their domain, concepts that do not exist, prefixes the context does not define."""
    terms, prefixes = schema(), context()
    if isinstance(node, list):
        return [m for n, item in enumerate(node) for m in misuses(item, f"{where}[{n}]")]
    if isinstance(node, str) and re.fullmatch(r"[a-zA-Z]+:[A-Za-z]+", node) and node.split(":")[0] in prefixes:
        return [] if node in terms else [f"{where}: no concept {node}"]
    if not isinstance(node, dict) or "@type" not in node:
        return []
    kind = node["@type"]
    found = [] if terms.get(kind, {}).get("@type") == "rdfs:Class" else [f"{where}: no class {kind}"]
    for name, value in node.items():
        if name.startswith("@"):
            continue
        if name.split(":")[0] not in prefixes:
            found.append(f"{where}: prefix of {name} not in the context")
        elif kind not in terms.get(name, {}).get("schema:domainIncludes", []):
            found.append(f"{where}: {name} is not a property of {kind}")
        found += misuses(value, f"{where}.{name}")
    return found
