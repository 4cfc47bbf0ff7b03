"""The `kempelen` command, run by the suite as a user runs it: a process of its own, its output captured."""

from __future__ import annotations

import os
import subprocess

from kempelen.testing import forkserver


def kempelen(*args: str, env: dict[str, str] | None = None, unset: tuple[str, ...] = (), stdin: str | None = None,
             timeout: float = 120) -> subprocess.CompletedProcess:
    """`kempelen <args>` with the test process's environment, less `unset`, plus `env`: forked from the test
    process's fork server, which has imported Kempelen already (a tenth of a fresh process's CPU), where there
    is one (kempelen.testing.forkserver). Tests of the entry point itself (--version, --help as a user asks for
    it, a closed pipe) start fresh processes of their own."""
    env = {**{k: v for k, v in os.environ.items() if k not in unset}, **(env or {})}
    return forkserver.run(list(args), env=env, input=stdin, timeout=timeout)
