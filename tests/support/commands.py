"""The `microcred` command run inside the test process, through click's test runner.

The same code as the installed command, from argument parsing to exit code, without the
second a new process spends importing the registry before it does anything. Tests of the
process itself (serving, signals, its embedded PostgreSQL) run the real one
(tests/support/processes.py)."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

from click.testing import CliRunner

from registry.cli import main


@dataclass(frozen=True)
class Ran:
    """What a command ended with, named like subprocess.CompletedProcess's fields."""

    returncode: int
    stdout: str
    stderr: str


def invoke(*args: str, env: dict[str, str]) -> Ran:
    """`microcred ARGS` with exactly the environment ``env`` (see processes.process_env).

    It runs on a thread of its own: the commands start their own event loop, which a test's
    running loop would refuse."""
    # The runner sets what it is given and leaves the rest: what ``env`` leaves out is unset.
    environment: dict[str, str | None] = {name: None for name in os.environ if name not in env}
    environment.update(env)
    ran: list[Ran] = []

    def command() -> None:
        result = CliRunner().invoke(main, list(args), env=environment, catch_exceptions=False)
        ran.append(Ran(result.exit_code, result.stdout, result.stderr))

    thread = threading.Thread(target=command)
    thread.start()
    thread.join()
    if not ran:
        raise AssertionError(f"microcred {' '.join(args)} raised (see the output above)")
    return ran[0]
