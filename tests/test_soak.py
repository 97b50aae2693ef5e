"""The load-and-fault soak (tests/soak.py), run briefly: PostgreSQL stopped and a worker
killed under mixed load, and afterwards nothing lost, nothing duplicated, no 500."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pytest

from tests.support.processes import ROOT, free_port, postgres_servers_under, process_env

SOAK_FOLDERS = os.path.join(tempfile.gettempdir(), "microcred-soak-")


@pytest.fixture(scope="module")
def soak_run():
    """One 21 s soak (PostgreSQL stopped at 7 s for 5 s, a worker killed at 14 s), and the soak
    servers running before it."""
    before = set(postgres_servers_under(SOAK_FOLDERS))
    result = subprocess.run(
        [sys.executable, "-m", "tests.soak", "--duration", "21", "--port", str(free_port())],
        cwd=ROOT,
        env=process_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result, before


def test_a_short_soak_loses_and_duplicates_nothing(soak_run):
    result, _ = soak_run
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "PASSED: nothing lost, nothing duplicated" in result.stdout


def test_the_soak_stops_the_postgresql_it_started_and_restarted(soak_run):
    """The soak's own server, restarted mid-run, used to outlive the suite."""
    _, before = soak_run
    assert set(postgres_servers_under(SOAK_FOLDERS)) <= before
