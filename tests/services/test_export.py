"""Bulk export: every published listing as JSON Lines, filterable, in constant memory."""

from __future__ import annotations

import json
import subprocess
import time
from datetime import datetime, timezone

import psutil
import pytest

from tests.support import demo_oracle as oracle
from tests.support.commands import invoke
from tests.support.processes import MICROCRED, ROOT, process_env


async def _lines(client, **params) -> list[dict]:
    response = await client.get("/export/credentials.jsonl", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


async def test_the_export_holds_every_published_listing_once(demo_client):
    lines = await _lines(demo_client)
    assert [line["id"] for line in lines] == [
        oracle.gid("Credential", c.id) for c in sorted(oracle.published(), key=lambda c: (c.updated_at, str(c.id)))
    ]
    first = lines[0]
    assert first["updatedAt"] and first["status"] == "PUBLISHED" and first["provider"]["slug"]
    assert isinstance(first["skills"], list) and "title" in first


async def test_the_export_filters_by_jurisdiction_and_update_time(demo_client):
    since = datetime(2025, 9, 1, tzinfo=timezone.utc)
    lines = await _lines(demo_client, jurisdiction="CA-NU", updatedSince=since.isoformat())
    providers = {p.id: p for p in oracle.ref().providers}
    expected = {
        oracle.gid("Credential", c.id)
        for c in oracle.published()
        if c.updated_at >= since and (providers[c.provider_id].jurisdiction == "CA-NU" or "CA-NU" in c.regions)
    }
    assert expected and {line["id"] for line in lines} == expected


@pytest.mark.parametrize(
    "params", [{"jurisdiction": "Nunavut"}, {"updatedSince": "yesterday"}, {"updatedSince": "2026-01-01T00:00:00"}]
)
async def test_bad_filters_are_a_400(demo_client, params):
    response = await demo_client.get("/export/credentials.jsonl", params=params)
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def _seed(env: dict, count: int) -> None:
    seeded = invoke("seed", "--credentials", str(count), "--seed", "5", env=env)
    assert seeded.returncode == 0, seeded.stderr


def _export_peak(env: dict, output) -> tuple[int, int]:
    """(lines written, the export process's peak resident memory in bytes)."""
    process = subprocess.Popen(
        [*MICROCRED, "export", "--output", str(output)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    watched, peak = psutil.Process(process.pid), 0
    while process.poll() is None:
        try:
            peak = max(peak, watched.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.05)
    assert process.returncode == 0, process.stderr.read()
    return output.read_bytes().count(b"\n"), peak


def test_exporting_six_times_as_many_listings_takes_no_more_memory(db_dsn, tmp_path):
    """The export streams: its memory does not grow with what it writes (measured at 1,500
    and 9,000 listings, the process and its libraries included)."""
    env = process_env(DATABASE_URL=db_dsn)
    _seed(env, 1_500)
    small_lines, small_peak = _export_peak(env, tmp_path / "small.jsonl")
    _seed(env, 9_000)
    large_lines, large_peak = _export_peak(env, tmp_path / "large.jsonl")
    assert small_lines > 1_200 and large_lines > 5 * small_lines
    assert large_peak < 120 * 2**20, f"peak {large_peak / 2**20:.0f} MiB"
    # Six times the lines (about 13 MiB more written) cost at most a few MiB more: held in
    # memory, they would cost more than that again.
    assert large_peak - small_peak < 8 * 2**20, f"{small_peak / 2**20:.0f} -> {large_peak / 2**20:.0f} MiB"
