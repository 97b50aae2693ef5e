"""JSON-LD processing in the tests: contexts resolve from the copies kept in
registry/interop/contexts/ (SOURCES.md there says where each comes from), never from the
network. pyld is given this module's document loader; rdflib only parses the N-Triples pyld
makes, so neither fetches anything."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Iterable

import rdflib
from pyld import jsonld

CONTEXTS = Path(__file__).resolve().parents[2] / "registry" / "interop" / "contexts"
LOCAL = {
    "https://www.w3.org/2018/credentials/v1": CONTEXTS / "elm" / "credentials-v1.jsonld",
    "http://data.europa.eu/snb/model/context/edc-ap": CONTEXTS / "elm" / "edc-ap-context.jsonld",
}


@cache
def _text(url: str) -> str:
    return LOCAL[url].read_text()


def load_document(url: str, options: Any = None) -> dict[str, Any]:
    """pyld's document loader: the local copy of a context, or an error naming the URL."""
    if url not in LOCAL:
        raise jsonld.JsonLdError(
            f"{url} has no copy in registry/interop/contexts/, and the tests do not fetch",
            "jsonld.LoadDocumentError",
            code="loading document failed",
        )
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": json.loads(_text(url)),
    }


OPTIONS = {"documentLoader": load_document}


def expand(document: dict) -> list[dict]:
    """The document in expanded JSON-LD."""
    return jsonld.expand(document, OPTIONS)


def graph(documents: Iterable[dict]) -> rdflib.Graph:
    """The triples of all the documents, in one graph (each document's blank nodes its own)."""
    merged = rdflib.Graph()
    for document in documents:
        merged.parse(data=jsonld.to_rdf(document, {**OPTIONS, "format": "application/n-quads"}), format="nt")
    return merged
