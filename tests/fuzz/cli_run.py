"""Run the installed ``strokescope`` console script for the fuzzer, under limits.

Each run is a subprocess under util-linux ``prlimit`` (address space, CPU seconds) with a
wall-clock backstop; its peak RSS comes from ``wait4``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 120.0
"""CPU seconds a run may use (``RLIMIT_CPU``): a loop that never ends is a hang."""
WALL_LIMIT_S = 900.0
"""Wall-clock backstop for a run that blocks without using CPU (a read that never returns).
It is generous because the CI and benchmark machines may be shared: wall time there says
little about the program, CPU time does."""
MEMORY_LIMIT = 8 * 2**30
NOBODY = 65534


@dataclass(frozen=True)
class CliRun:
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float
    timed_out: bool


def cli() -> str:
    exe = Path(sys.executable).with_name("strokescope")
    assert exe.is_file(), f"{exe}: the console script is not installed (pip install -e .)"
    return str(exe)


def _wrap(argv: list[str], unprivileged: bool, timeout: float) -> list[str]:
    """Prefix ``argv`` with util-linux ``prlimit`` (address space, CPU) and, for permission
    mutations under root, ``setpriv`` (run as nobody); exec keeps the pid for ``wait4``."""
    prefix = ["prlimit", f"--as={MEMORY_LIMIT}", f"--cpu={int(timeout)}:{int(timeout) + 2}", "--"]
    if unprivileged and os.geteuid() == 0:
        prefix += ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    return prefix + argv


def run_cli(
    args: list[str],
    *,
    timeout: float = TIMEOUT_S,
    unprivileged: bool = False,
    home: Path | None = None,
) -> CliRun:
    """Run ``strokescope *args``: peak RSS from ``wait4``, the group killed on timeout."""
    argv = [cli(), *args]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if home is not None:
        env["HOME"] = str(home)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(
            _wrap(argv, unprivileged, timeout),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - t0 > max(WALL_LIMIT_S, timeout):
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        seconds = time.monotonic() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        cpu = usage.ru_utime + usage.ru_stime
        timed_out = timed_out or (
            proc.returncode in (-signal.SIGXCPU, -signal.SIGKILL) and cpu >= timeout - 1
        )
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    return CliRun(
        argv, proc.returncode, stdout, stderr, seconds, usage.ru_maxrss / 1024.0, timed_out
    )
