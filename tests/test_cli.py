"""The `microcred` command: serving, signals and the embedded PostgreSQL as a real process;
the operators' commands (seed, migrate, providers, clients, keys, sources) through the same
code run in this process (tests/support/commands.py)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from registry.domain import ids
from tests.support.commands import invoke
from tests.support.processes import (
    ROOT,
    postgres_servers_under,
    process_env,
    run,
    serve_process,
    serving,
)


def _count(base: str) -> int:
    response = httpx.post(f"{base}/graphql", json={"query": "{ searchCredentials { totalCount } }"}, timeout=30)
    return response.json()["data"]["searchCredentials"]["totalCount"]


def test_serve_answers_graphql_over_http(db_dsn):
    env = process_env(DATABASE_URL=db_dsn)
    assert run("seed", "--credentials", "30", "--seed", "2", env=env).returncode == 0
    with serving(env, "--no-demo") as base:
        assert _count(base) > 20
        page = httpx.get(f"{base}/graphql", headers={"accept": "text/html"}, timeout=10)
        assert page.status_code == 200 and "graphiql" in page.text.lower()


def test_seed_is_deterministic_and_idempotent(db_dsn):
    env = process_env(DATABASE_URL=db_dsn)
    first = invoke("seed", "--credentials", "25", "--seed", "4", env=env)
    again = invoke("seed", "--credentials", "25", "--seed", "4", env=env)
    assert first.returncode == 0 and "25 new listings loaded" in first.stdout
    assert again.returncode == 0 and "0 new listings loaded" in again.stdout


def test_migrate_down_and_up_from_the_command_line(db_dsn):
    env = process_env(DATABASE_URL=db_dsn)
    assert invoke("migrate", "downgrade", "base", env=env).returncode == 0
    assert invoke("migrate", "upgrade", env=env).returncode == 0
    assert invoke("migrate", "downgrade", env=env).returncode != 0  # a revision is required


def test_schema_prints_the_sdl():
    result = run("schema", env=process_env())
    assert result.returncode == 0 and "type Query" in result.stdout


@pytest.fixture
def data_dir():
    folder = Path(tempfile.mkdtemp(prefix="microcred-cli-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_two_processes_on_one_data_folder_share_one_embedded_server(data_dir):
    env = process_env(MICROCRED_DATA_DIR=str(data_dir))
    with serving(env, "--no-demo") as base:
        assert _count(base) == 0
        loaded = run("seed", "--credentials", "12", "--seed", "9", env=env)
        assert loaded.returncode == 0, loaded.stderr
        # Public reads see a write within a second (the answer from before may be served meanwhile).
        seen = time.monotonic() + 1.0
        while (count := _count(base)) <= 5 and time.monotonic() < seen:
            time.sleep(0.05)
        assert count > 5


def test_operators_register_providers_and_clients_then_the_client_gets_a_token(db_dsn, tmp_path):
    env = process_env(DATABASE_URL=db_dsn, MICROCRED_SECRET_KEY="cli-test-secret", MICROCRED_ISSUER="http://127.0.0.1")
    made = invoke(
        "providers",
        "create",
        "--slug",
        "lakeside-college",
        "--name",
        "Lakeside College",
        "--kind",
        "COLLEGE",
        "--jurisdiction",
        "CA-MB",
        env=env,
    )
    assert made.returncode == 0 and made.stdout.startswith("lakeside-college ")
    assert (
        invoke(
            "providers",
            "create",
            "--slug",
            "lakeside-college",
            "--name",
            "Again",
            "--kind",
            "COLLEGE",
            "--jurisdiction",
            "CA-MB",
            env=env,
        ).returncode
        == 1
    )
    authority = invoke(
        "authorities",
        "create",
        "--slug",
        "mb-ministry",
        "--name",
        "Manitoba Skills",
        "--kind",
        "GOVERNMENT",
        "--jurisdiction",
        "CA-MB",
        env=env,
    )
    assert authority.returncode == 0
    created = invoke(
        "clients",
        "create",
        "--name",
        "Lakeside SIS",
        "--provider",
        "lakeside-college",
        "--scopes",
        "credentials:write credentials:publish",
        "--json",
        env=env,
    )
    assert created.returncode == 0, created.stderr
    credentials = json.loads(created.stdout)
    refused = invoke(
        "clients",
        "create",
        "--name",
        "Too much",
        "--provider",
        "lakeside-college",
        "--scopes",
        "registry:admin",
        env=env,
    )
    assert refused.returncode == 1 and "cannot hold registry:admin" in refused.stderr
    assert (
        invoke(
            "clients",
            "create",
            "--name",
            "Ministry",
            "--authority",
            "mb-ministry",
            "--scopes",
            "recognitions:write",
            env=env,
        ).returncode
        == 0
    )
    listed = json.loads(invoke("clients", "list", "--json", env=env).stdout)
    assert {c["name"] for c in listed} == {"Lakeside SIS", "Ministry"}
    assert all("secret" not in json.dumps(c) for c in listed)

    with serving(env, "--no-demo") as base:
        token = httpx.post(
            f"{base}/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(credentials["client_id"], credentials["client_secret"]),
            timeout=10,
        )
        assert token.status_code == 200, token.text
        assert invoke("keys", "rotate", env=env).returncode == 0
        assert invoke("clients", "revoke", credentials["client_id"], env=env).returncode == 0
        refused = httpx.post(
            f"{base}/graphql",
            json={"query": "{ viewer { clientId } }"},
            timeout=10,
            headers={"authorization": f"Bearer {token.json()['access_token']}"},
        )
        assert refused.status_code == 401
    assert invoke("clients", "revoke", credentials["client_id"], env=env).returncode == 1


def test_the_readme_walkthrough_publishes_a_listing(db_dsn):
    """The README's Python example, run as written against a real server."""
    env = process_env(DATABASE_URL=db_dsn, MICROCRED_SECRET_KEY="readme-secret", MICROCRED_ISSUER="http://127.0.0.1")
    assert (
        invoke(
            "providers",
            "create",
            "--slug",
            "lakeside-college",
            "--name",
            "Lakeside College",
            "--kind",
            "COLLEGE",
            "--jurisdiction",
            "CA-MB",
            env=env,
        ).returncode
        == 0
    )
    creds = json.loads(
        invoke(
            "clients",
            "create",
            "--name",
            "Lakeside SIS",
            "--provider",
            "lakeside-college",
            "--scopes",
            "credentials:write credentials:publish",
            "--json",
            env=env,
        ).stdout
    )
    readme = (ROOT / "README.md").read_text()
    start = readme.index("```python", readme.index("## Publishing a listing")) + len("```python")
    example = readme[start : readme.index("```", start)]
    with serving(env, "--no-demo") as base:
        code = example.replace('REGISTRY = "http://127.0.0.1:8000"', f"REGISTRY = {base!r}")
        namespace = {"CLIENT_ID": creds["client_id"], "CLIENT_SECRET": creds["client_secret"], "print": lambda *a: None}
        exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 (the README's own example)
    assert namespace["published"] == {"publishCredential": {"credential": {"status": "PUBLISHED"}, "userErrors": []}}


async def test_operators_command_line_actions_are_audited(db_dsn, db):
    import getpass

    env = process_env(DATABASE_URL=db_dsn)
    assert (
        invoke(
            "providers",
            "create",
            "--slug",
            "west-college",
            "--name",
            "West College",
            "--kind",
            "COLLEGE",
            "--jurisdiction",
            "CA-BC",
            env=env,
        ).returncode
        == 0
    )
    created = invoke(
        "clients",
        "create",
        "--name",
        "West SIS",
        "--provider",
        "west-college",
        "--scopes",
        "credentials:write",
        "--json",
        env=env,
    )
    client_id = json.loads(created.stdout)["client_id"]
    assert invoke("clients", "revoke", client_id, env=env).returncode == 0
    trail = await db.fetch("select actor, action, target from audit_log order by id")
    assert [tuple(row) for row in trail] == [
        (f"cli:{getpass.getuser()}", "provider.created", "west-college"),
        (f"cli:{getpass.getuser()}", "client.created", client_id),
        (f"cli:{getpass.getuser()}", "client.revoked", client_id),
    ]


def test_sigterm_stops_serve_and_the_embedded_postgresql_it_started(tmp_path):
    """The embedded PostgreSQL kept running after `microcred serve` was stopped with SIGTERM."""
    try:
        with serve_process(process_env(MICROCRED_DATA_DIR=str(tmp_path)), "--no-demo") as served:
            assert postgres_servers_under(str(tmp_path))
            served.process.send_signal(signal.SIGTERM)
            served.process.wait(timeout=60)
        assert postgres_servers_under(str(tmp_path)) == []
    finally:  # a failure here must not leave the server behind either
        for pid in postgres_servers_under(str(tmp_path)):
            os.kill(pid, signal.SIGTERM)


def test_a_command_stops_the_embedded_postgresql_even_after_a_user_of_it_was_killed(tmp_path):
    """A `microcred serve` killed outright stayed on the embedded server's list of users, and
    from then on every command left the server running when it ended."""
    try:
        with serve_process(process_env(MICROCRED_DATA_DIR=str(tmp_path)), "--no-demo") as served:
            served.process.kill()
            served.process.wait(timeout=60)
        assert postgres_servers_under(str(tmp_path))  # killed: nothing stopped it
        migrated = run("migrate", "upgrade", env=process_env(MICROCRED_DATA_DIR=str(tmp_path)))
        assert migrated.returncode == 0, migrated.stderr
        assert postgres_servers_under(str(tmp_path)) == []
    finally:
        for pid in postgres_servers_under(str(tmp_path)):
            os.kill(pid, signal.SIGTERM)


def test_serve_advertises_the_address_it_serves_as_issuer(db_dsn):
    """`serve --port N` advertised http://127.0.0.1:8000 as issuer and token endpoint."""
    with serve_process(process_env(DATABASE_URL=db_dsn), "--no-demo") as served:
        metadata = httpx.get(f"{served.base}/.well-known/oauth-authorization-server", timeout=10).json()
    assert metadata["issuer"] == served.base and metadata["token_endpoint"] == f"{served.base}/oauth/token"


async def test_sources_add_run_and_list_harvest_a_provider_s_file(db_dsn, db):
    from tests.services.test_harvesting import _csv
    from tests.support.file_server import file_server

    env = process_env(DATABASE_URL=db_dsn, MICROCRED_WEBHOOKS_ALLOW_LOOPBACK="1")
    assert invoke("seed", "--credentials", "0", env=env).returncode == 0
    made = invoke(
        "providers",
        "create",
        "--slug",
        "lakeside",
        "--name",
        "Lakeside College",
        "--kind",
        "COLLEGE",
        "--jurisdiction",
        "CA-MB",
        env=env,
    )
    assert made.returncode == 0, made.stderr
    with file_server() as site:
        site.files["/listings.csv"] = _csv("A-1", "A-2")
        added = invoke(
            "sources", "add", "--kind", "CSV", "--url", site.url("/listings.csv"), "--provider", "lakeside", env=env
        )
        assert added.returncode == 0, added.stderr
        source_id = added.stdout.split()[0]
        ran = invoke("sources", "run", "--all", env=env)
        assert ran.returncode == 0, ran.stderr
        assert ran.stdout.strip() == f"{source_id}: 2 created, 0 updated, 0 unchanged, 0 retired, 0 failed"
        again = invoke("sources", "run", source_id, env=env)
        assert again.stdout.strip() == f"{source_id}: not modified"
    listed = json.loads(invoke("sources", "list", "--json", env=env).stdout)
    assert (listed["id"], listed["lastRun"]["notModified"]) == (source_id, True)
    assert await db.fetchval("select count(*) from credentials where status = 'PUBLISHED'") == 2
    disabled = invoke("sources", "disable", source_id, env=env)
    assert disabled.stdout.strip() == f"{source_id} disabled"
    assert json.loads(invoke("sources", "list", "--json", env=env).stdout)["enabled"] is False
    listing = ids.encode("Credential", await db.fetchval("select id from credentials where external_id = 'A-1'"))
    detached = invoke("sources", "detach", listing, env=env)
    assert detached.stdout.strip() == f"{listing} detached from {site.url('/listings.csv')}", detached.stderr
    assert invoke("sources", "detach", listing, env=env).returncode == 1  # not harvested any more


async def test_sources_mirror_another_registry_through_its_feed_and_keep_it_mirrored(db_dsn, db, province):
    from registry.domain.listings import ListingChanges
    from registry.domain.principals import operator
    from registry.services import listings
    from tests.support.province import public_view

    env = process_env(DATABASE_URL=db_dsn, MICROCRED_WEBHOOKS_ALLOW_LOOPBACK="1")
    assert invoke("seed", "--credentials", "0", env=env).returncode == 0
    added = invoke("sources", "add", "--kind", "MICROCRED_FEED", "--url", province.graphql, env=env)
    assert added.returncode == 0, added.stderr
    first = invoke("sources", "run", "--all", env=env)
    assert first.returncode == 0 and "listings read" in first.stderr, first.stderr
    assert await public_view(db) == await public_view(province.db)
    changed, withdrawn = await province.db.fetch(
        "select id, version from credentials where status = 'PUBLISHED' order by external_id limit 2"
    )
    province_operator = operator("province")
    assert (await listings.update(province.db, province_operator, *changed, ListingChanges(workload_hours=12.5))).ok
    assert (await listings.retire(province.db, province_operator, withdrawn["id"], "Withdrawn")).ok
    second = invoke("sources", "run", "--all", env=env)
    assert second.stdout.strip() == f"{added.stdout.split()[0]}: 0 created, 1 updated, 0 unchanged, 1 retired, 0 failed"
    assert await public_view(db) == await public_view(province.db)


async def test_sources_add_a_credential_engine_organisation_for_a_provider(db_dsn, db):
    from tests.support.credential_engine import credential_engine, example

    env = process_env(DATABASE_URL=db_dsn, MICROCRED_WEBHOOKS_ALLOW_LOOPBACK="1")
    assert invoke("seed", "--credentials", "0", env=env).returncode == 0
    organization = example("Organization-1.json")["ceterms:ctid"]
    provider = await db.fetchval("select slug from providers order by slug limit 1")
    with credential_engine() as registry:
        options = ["--url", registry.url, "--organization", organization, "--provider", provider]
        added = invoke("sources", "add", "--kind", "CREDENTIAL_ENGINE", *options, env=env)
        assert added.returncode == 0, added.stderr
        ran = invoke("sources", "run", "--all", env=env)
    assert ran.stdout.strip().endswith("4 created, 0 updated, 0 unchanged, 0 retired, 0 failed"), ran.stdout
    listed = json.loads(invoke("sources", "list", "--json", env=env).stdout)
    assert (listed["kind"], listed["organizationCtid"]) == ("CREDENTIAL_ENGINE", organization)


async def test_occupations_load_reads_statistics_canada_s_files_and_says_what_it_wrote(db_dsn, db):
    from tests.support.noc_files import ALL, NOC_FILES

    env = process_env(DATABASE_URL=db_dsn)
    loaded = invoke("occupations", "load", *(str(NOC_FILES / name) for name in ALL), env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "NOC 2021: 3 unit groups, 3 created, 0 changed, 0 unchanged."
    assert "cnp_2021_version_1.0_-_elements.csv: elements (fr)" in loaded.stderr
    assert await db.fetchval("select title->>'fr' from occupations where code = '72106'") == (
        "Soudeurs/soudeuses et opérateurs/opératrices de machines à souder et à braser"
    )
    refused = invoke("occupations", "load", str(ROOT / "pyproject.toml"), env=env)
    assert refused.returncode == 1 and "not a NOC 2021 structure or elements file" in refused.stderr
