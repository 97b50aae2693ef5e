"""The load-and-fault soak (tests/soak.py), run briefly: PostgreSQL stopped and a worker
killed under mixed load, and afterwards nothing lost, nothing duplicated, no 500."""

from __future__ import annotations

import subprocess
import sys

from tests.support.processes import ROOT, process_env, free_port


def test_a_short_soak_loses_and_duplicates_nothing():
    result = subprocess.run([sys.executable, "-m", "tests.soak", "--duration", "30", "--port", str(free_port())],
                            cwd=ROOT, env=process_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "PASSED: nothing lost, nothing duplicated" in result.stdout
