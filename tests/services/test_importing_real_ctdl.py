"""Credential Engine's published examples through `microcred import` for real: each document of a
supported class becomes a draft with its CTID (exit 0), a second import changes nothing, and
the registry's own CTDL of it imports back as the same listing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from registry.domain import ids
from tests.support.commands import invoke
from tests.support.listings import create_sparse, gql
from tests.support.parties import access_token
from tests.support.processes import process_env

CORPUS = Path(__file__).resolve().parents[1] / "interop" / "fixtures" / "credential_engine"
SUPPORTED = sorted(path.name for path in CORPUS.glob("*.json") if not path.name.startswith("Organization"))
QUERY = "query($id: ID!) { credential(id: $id) { status jsonLd(format: CTDL) } }"


def _import(path: Path, env: dict) -> str:
    result = invoke("import", str(path), "--provider", "north-college", "--format", "ctdl", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.parametrize("name", SUPPORTED)
async def test_an_example_imports_as_a_draft_with_its_ctid_and_again_as_unchanged(
    name, db_dsn, db, parties, client, tmp_path
):
    env = process_env(DATABASE_URL=db_dsn)
    document = json.loads((CORPUS / name).read_text())
    ctid = next(node for node in document.get("@graph", [document]) if "ceterms:ctid" in node)["ceterms:ctid"]

    assert "1 created, 0 updated, 0 unchanged, 0 failed" in _import(CORPUS / name, env)
    assert "0 created, 0 updated, 1 unchanged, 0 failed" in _import(CORPUS / name, env)

    listing_id = await db.fetchval("select id from credentials where ce_ctid = $1", ctid)
    token = await access_token(client, parties.provider)
    shown = (await gql(client, QUERY, {"id": ids.encode("Credential", listing_id)}, token))["data"]["credential"]
    exported = json.loads(shown["jsonLd"])
    assert shown["status"] == "DRAFT" and exported["ceterms:ctid"] == ctid
    (tmp_path / "ours.json").write_text(json.dumps(exported))
    assert "0 created, 0 updated, 1 unchanged, 0 failed" in _import(tmp_path / "ours.json", env)


def test_an_organization_is_reported_not_imported(db_dsn, parties):
    result = invoke(
        "import",
        str(CORPUS / "Organization-1.json"),
        "--provider",
        "north-college",
        "--format",
        "ctdl",
        env=process_env(DATABASE_URL=db_dsn),
    )
    assert result.returncode == 1 and "UNSUPPORTED_TYPE" in result.stdout and "0 created" in result.stdout


async def test_a_sparse_draft_with_precise_numbers_exported_as_ctdl_imports_back_unchanged(
    db_dsn, parties, client, tmp_path
):
    token = await access_token(client, parties.provider)
    listing_id = await create_sparse(client, token, workloadHours=1234.567, durationWeeks=10.1234567)
    exported = json.loads((await gql(client, QUERY, {"id": listing_id}, token))["data"]["credential"]["jsonLd"])
    assert "ceterms:description" not in exported
    (tmp_path / "ours.json").write_text(json.dumps(exported))
    assert "0 created, 0 updated, 1 unchanged, 0 failed" in _import(
        tmp_path / "ours.json", process_env(DATABASE_URL=db_dsn)
    )
