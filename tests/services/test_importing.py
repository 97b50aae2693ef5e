"""microcred import: CSV and JSON Lines, a report per row, dry runs, round trips."""

from __future__ import annotations

import csv
import io
import json

import pytest

from registry.domain import ids
from registry.interop import csv_listings, ctdl_import
from registry.services import importing
from registry.store import providers
from tests.support.commands import invoke
from tests.support.processes import process_env


@pytest.fixture
async def college(db):
    await providers.create(
        db, slug="lakeside-college", name={"en": "Lakeside College"}, kind="COLLEGE", jurisdiction="CA-MB"
    )
    await providers.create(
        db, slug="hillside-college", name={"en": "Hillside College"}, kind="COLLEGE", jurisdiction="CA-MB"
    )
    return "lakeside-college"


def _csv(tmp_path, rows: list[dict], extra_columns: tuple[str, ...] = ()) -> str:
    path = tmp_path / "listings.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*csv_listings.ALL_COLUMNS, *extra_columns])
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


def _template_row() -> dict:
    return next(csv.DictReader(io.StringIO(csv_listings.template())))


def _seeded_env(db_dsn):
    env = process_env(DATABASE_URL=db_dsn)
    assert invoke("seed", "--credentials", "0", env=env).returncode == 0  # the skills and occupations
    return env


async def test_the_template_imports_and_publishes(db_dsn, college, tmp_path, db):
    env = _seeded_env(db_dsn)
    result = invoke("import", _csv(tmp_path, [_template_row()]), "--provider", college, "--publish", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 created, 0 updated, 0 unchanged, 0 failed" in result.stdout
    listing = await db.fetchrow("select status::text, title, learning_outcomes from credentials")
    assert listing["status"] == "PUBLISHED" and listing["title"]["fr"].startswith("L'essentiel")
    assert listing["learning_outcomes"][1] == {"en": "Build a dashboard", "fr": "Créer un tableau de bord"}
    assert await db.fetchval("select count(*) from credential_skills") == 2


async def test_bad_rows_are_reported_by_column_and_good_rows_stored(db_dsn, college, tmp_path, db):
    env = _seeded_env(db_dsn)
    bad = {
        **_template_row(),
        "externalId": "BAD-1",
        "workloadHours": "lots",
        "deliveryMode": "BOAT",
        "skills": "no-such-skill",
        "url": "ftp://files.example.ca",
    }
    result = invoke("import", _csv(tmp_path, [_template_row(), bad], ("colour",)), "--provider", college, env=env)
    assert result.returncode == 1
    assert "unknown column 'colour'" in result.stdout
    for expected in (
        "error in workloadHours: NOT_A_NUMBER",
        "error in deliveryMode: UNKNOWN_VALUE",
        "error in skills: UNKNOWN_SKILL",
        "error in url: INVALID_URL",
    ):
        assert expected in result.stdout
    assert "line 3 (BAD-1)" in result.stdout
    assert await db.fetchval("select count(*) from credentials") == 1


async def test_a_dry_run_writes_nothing(db_dsn, college, tmp_path, db):
    env = _seeded_env(db_dsn)
    result = invoke("import", _csv(tmp_path, [_template_row()]), "--provider", college, "--dry-run", env=env)
    assert result.returncode == 0 and "1 created" in result.stdout and "dry run" in result.stdout
    assert await db.fetchval("select count(*) from credentials") == 0


async def test_importing_again_changes_nothing(db_dsn, college, tmp_path):
    env = _seeded_env(db_dsn)
    path = _csv(tmp_path, [_template_row()])
    invoke("import", path, "--provider", college, env=env)
    assert "0 created, 0 updated, 1 unchanged" in invoke("import", path, "--provider", college, env=env).stdout


async def test_an_exported_listing_imports_back_as_the_same_listing(db_dsn, college, tmp_path):
    env = _seeded_env(db_dsn)
    invoke("import", _csv(tmp_path, [_template_row()]), "--provider", college, "--publish", env=env)
    exported = tmp_path / "export.jsonl"
    assert invoke("export", "--output", str(exported), env=env).returncode == 0
    # Another registry would keep the CTID; in this one it already names the first listing.
    exported.write_text(json.dumps({**json.loads(exported.read_text()), "ctid": None}) + "\n")
    imported = invoke(
        "import", str(exported), "--provider", "hillside-college", "--format", "jsonl", "--publish", env=env
    )
    assert imported.returncode == 0 and "1 created" in imported.stdout, imported.stdout
    assert invoke("export", "--output", str(tmp_path / "both.jsonl"), env=env).returncode == 0
    first, second = [json.loads(line) for line in (tmp_path / "both.jsonl").read_text().splitlines()]
    assert _comparable(first) == _comparable(second)


async def test_a_ctid_already_in_the_registry_is_refused_for_another_listing(db_dsn, college, tmp_path):
    env = _seeded_env(db_dsn)
    invoke("import", _csv(tmp_path, [_template_row()]), "--provider", college, "--publish", env=env)
    exported = tmp_path / "export.jsonl"
    invoke("export", "--output", str(exported), env=env)
    imported = invoke("import", str(exported), "--provider", "hillside-college", "--format", "jsonl", env=env)
    assert imported.returncode == 1 and "error in ctid: DUPLICATE_CTID" in imported.stdout, imported.stdout


async def _ctdl_of(client, db, external_id: str) -> dict:
    listing_id = await db.fetchval("select id from credentials where external_id = $1", external_id)
    query = "query($id: ID!) { credential(id: $id) { jsonLd(format: CTDL) } }"
    response = await client.post(
        "/graphql", json={"query": query, "variables": {"id": ids.encode("Credential", listing_id)}}
    )
    return json.loads(response.json()["data"]["credential"]["jsonLd"])


def _comparable(line: dict) -> dict:
    return {
        k: v for k, v in line.items() if k not in {"id", "ctid", "provider", "createdAt", "updatedAt", "publishedAt"}
    }


async def test_a_listing_exported_as_ctdl_imports_back_as_the_same_listing(db_dsn, college, tmp_path, db, client):
    env = _seeded_env(db_dsn)
    rich = {
        **_template_row(),
        "ectsCredits": "2",
        "prerequisites_en": "Spreadsheets",
        "prerequisites_fr": "Tableurs",
        "audiences": "MID_CAREER_WORKERS|NEWCOMERS",
    }
    invoke("import", _csv(tmp_path, [rich]), "--provider", college, "--publish", env=env)
    document = tmp_path / "listing.jsonld"
    document.write_text(json.dumps(await _ctdl_of(client, db, "DA-101")))

    again = invoke("import", str(document), "--provider", college, "--format", "ctdl", env=env)
    assert again.returncode == 0 and "0 created, 0 updated, 1 unchanged" in again.stdout, again.stdout

    taken = invoke("import", str(document), "--provider", "hillside-college", "--format", "ctdl", env=env)
    assert taken.returncode == 1 and "error in ceterms:ctid: DUPLICATE_CTID" in taken.stdout, taken.stdout
    document.write_text(json.dumps({**json.loads(document.read_text()), "ceterms:ctid": None}))
    elsewhere = invoke(
        "import", str(document), "--provider", "hillside-college", "--format", "ctdl", "--publish", env=env
    )
    assert elsewhere.returncode == 0 and "1 created" in elsewhere.stdout, elsewhere.stdout
    assert invoke("export", "--output", str(tmp_path / "both.jsonl"), env=env).returncode == 0
    first, second = [json.loads(line) for line in (tmp_path / "both.jsonl").read_text().splitlines()]
    assert _comparable(first) == _comparable(second) and first["ectsCredits"] == 2


async def test_a_ctdl_graph_imports_every_credential_and_reports_what_each_lacks(db_dsn, college, tmp_path, db, client):
    env = _seeded_env(db_dsn)
    invoke("import", _csv(tmp_path, [_template_row()]), "--provider", college, "--publish", env=env)
    good = await _ctdl_of(client, db, "DA-101")
    del good["ceterms:ctid"]  # new listings, with CTIDs of their own
    good["ceterms:identifier"][0]["ceterms:identifierValueCode"] = "DA-102"
    good["ceterms:keyword"] = {"en": ["data"]}
    broken = {**good, "@id": "_:broken", "ceterms:learningMethodType": []}
    broken["ceterms:identifier"] = [{"@type": "ceterms:IdentifierValue", "ceterms:identifierValueCode": "DA-103"}]
    organization = {"@id": "_:org", "@type": "ceterms:CredentialOrganization", "ceterms:name": {"en": "Lakeside"}}
    graph = tmp_path / "graph.jsonld"
    graph.write_text(json.dumps({"@context": good.pop("@context"), "@graph": [organization, good, broken]}))

    result = invoke("import", str(graph), "--provider", college, "--format", "ctdl", "--publish", env=env)
    assert result.returncode == 1 and "2 created, 0 updated, 0 unchanged, 1 failed" in result.stdout, result.stdout
    assert "object 1 (no externalId): error in @type: UNSUPPORTED_TYPE" in result.stdout
    assert "object 1 (no externalId): error in ceterms:name" not in result.stdout  # nothing of it was read
    assert "(DA-103): note in ceterms:learningMethodType: REQUIRED_TO_PUBLISH" in result.stdout, result.stdout
    statuses = dict(await db.fetch("select external_id, status::text from credentials where external_id like 'DA-10_'"))
    assert statuses == {"DA-101": "PUBLISHED", "DA-102": "PUBLISHED", "DA-103": "DRAFT"}


def test_the_template_is_printed(tmp_path):
    result = invoke("import", "--template", env=process_env())
    assert result.returncode == 0 and result.stdout.startswith("externalId,credentialType,title_en")


async def test_json_lines_of_the_wrong_types_are_reported_never_stored_and_never_crash(db_dsn, college, tmp_path, db):
    env = _seeded_env(db_dsn)
    base = {"title": {"en": "T"}, "url": "https://x.example/j"}
    lines = [
        {**base, "externalId": "J-1", "ctid": 5},
        {**base, "externalId": "J-2", "keywords": {"en": "data"}},
        {**base, "externalId": 7},
        {**base, "externalId": "J-4", "keywords": {"en": ["data"]}},
    ]
    path = tmp_path / "lines.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    result = invoke("import", str(path), "--provider", college, "--format", "jsonl", env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "1 created, 0 updated, 0 unchanged, 3 failed" in result.stdout, result.stdout
    assert result.stdout.count("INVALID_TYPE") == 3
    assert await db.fetchval("select count(*) from credentials") == 1


async def test_a_submission_with_the_ctid_of_a_listing_without_a_key_updates_that_listing(
    db_dsn, college, db, tmp_path
):
    env = _seeded_env(db_dsn)
    provider_id = await db.fetchval("select id from providers where slug = $1", college)
    ctid = await db.fetchval(
        "insert into credentials (provider_id, title, url) values ($1, $2, 'https://x.example/k') returning ce_ctid",
        provider_id,
        {"en": "Keyless"},
    )
    path = tmp_path / "lines.jsonl"
    path.write_text(
        json.dumps({"externalId": ctid, "ctid": ctid, "title": {"en": "Keyed"}, "url": "https://x.example/k"})
    )
    result = invoke("import", str(path), "--provider", college, "--format", "jsonl", env=env)
    assert "0 created, 1 updated" in result.stdout, result.stdout
    assert await db.fetchval("select count(*) from credentials") == 1


async def _import_csv(db, rows: list[dict]):
    """Import rows in-process (no seeding: the rows name no skills or occupations)."""
    provider = await providers.by_slug(db, "lakeside-college")
    sink = io.StringIO()
    writer = csv.DictWriter(sink, fieldnames=list(csv_listings.ALL_COLUMNS))
    writer.writeheader()
    writer.writerows({**row, "skills": "", "occupationCodes": ""} for row in rows)
    unknown, parsed = csv_listings.read(io.StringIO(sink.getvalue()))
    return await importing.import_rows(
        db, provider.id, parsed, unknown_columns=unknown, publish=True, dry_run=False, describe=csv_listings.column_of
    )


def _template_rows() -> list[dict]:
    return list(csv.DictReader(io.StringIO(csv_listings.template())))


async def test_the_templates_two_rows_import_as_one_listing_with_two_offerings(college, db):
    report = await _import_csv(db, _template_rows())
    assert (report.count("created"), report.count("failed")) == (1, 0), report.rows
    keys = await db.fetch("select external_id from offerings where cancelled_at is null order by external_id")
    assert [r["external_id"] for r in keys] == ["DA-101-2027-01", "DA-101-ONLINE"]


async def test_an_offering_left_out_of_the_next_import_is_cancelled_not_deleted(college, db):
    await _import_csv(db, _template_rows())
    report = await _import_csv(db, _template_rows()[:1])
    assert report.count("updated") == 1, report.rows
    cancelled = await db.fetch("select external_id from offerings where cancelled_at is not null")
    assert [r["external_id"] for r in cancelled] == ["DA-101-ONLINE"]
    assert await db.fetchval("select count(*) from offerings") == 2


async def test_an_invalid_offering_fails_its_listing_naming_the_line_and_column(college, db):
    first, second = _template_rows()
    report = await _import_csv(db, [first, {**second, "offeringDeliveryMode": "IN_PERSON"}])
    (row,) = report.rows
    assert row.outcome == "failed"
    assert ("offeringMunicipality (line 3)", "REQUIRED") in [(where, code) for where, code, _ in row.problems]
    assert await db.fetchval("select count(*) from credentials") == 0


async def test_a_ctdl_courses_scheduled_offerings_import_as_its_offerings(college, db):
    from tests.interop.test_ctdl_offerings import COURSE_GRAPH

    provider = await providers.by_slug(db, "lakeside-college")
    unknown, rows = ctdl_import.read(io.StringIO(json.dumps(COURSE_GRAPH)))
    report = await importing.import_rows(
        db, provider.id, rows, unknown_columns=unknown, publish=False, dry_run=False, describe=ctdl_import.property_of
    )
    assert report.count("created") == 1, report.rows
    found = await db.fetch("select delivery_mode::text, municipality from offerings order by municipality nulls first")
    assert [(r["delivery_mode"], r["municipality"]) for r in found] == [("ONLINE", None), ("HYBRID", "Sudbury")]
