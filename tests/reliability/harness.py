"""Run the real code in a child process and SIGKILL it: at a named crash point or at a random moment.

Children are forked by a small server process (the "zygote") that has imported fieldwork, Qt
and the workers once: a child starts in a few milliseconds, so a run affords hundreds of kills.
The parent kills a child only by its own pid. `KILLS` counts kills per kind for the summary at
the end of the run.
"""

from __future__ import annotations

import atexit
import collections
import json
import os
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import workers

KILLS: collections.Counter[str] = collections.Counter()

_ZYGOTE = r"""
import importlib, json, os, sys
sys.path[:0] = json.loads(sys.argv[1])
workers = importlib.import_module(sys.argv[2])
out = os.fdopen(1, "w", buffering=1)
for line in sys.stdin:
    request = json.loads(line)
    if "wait" in request:
        _, status = os.waitpid(request["wait"], 0)
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        out.write(json.dumps({"status": code}) + "\n")
        continue
    pid = os.fork()
    if pid == 0:
        sys.stdin.close()
        workers.run(request["scenario"], request["kwargs"], request["env"], request["err"])
        os._exit(0)
    out.write(json.dumps({"pid": pid}) + "\n")
"""


class _Zygote:
    def __init__(self) -> None:
        paths = [p for p in sys.path if p]
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _ZYGOTE, json.dumps(paths), workers.__name__],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1, env=env,
        )
        atexit.register(self.close)

    def ask(self, request: dict, timeout: float) -> dict:
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            raise TimeoutError
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the fork server died")
        return json.loads(line)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


_zygote: _Zygote | None = None


def _server() -> _Zygote:
    global _zygote
    if _zygote is None or _zygote.proc.poll() is not None:
        _zygote = _Zygote()
    return _zygote


@dataclass
class Outcome:
    """How a child ended and what it acknowledged."""

    exitcode: int | None
    lines: list[str] = field(default_factory=list)
    stderr: str = ""

    @property
    def killed(self) -> bool:
        return self.exitcode == -signal.SIGKILL

    def acks(self, kind: str = "ACK") -> list[list[str]]:
        return [line.split(" ")[1:] for line in self.lines if line.split(" ")[0] == kind]


def _wait_for_acks(acks: Path, start_offset: int, count: int, server, pid: int, limit: float = 60.0) -> None:
    """Wait until the child has acknowledged `count` items (or has ended, or `limit` passed)."""
    deadline = time.monotonic() + limit
    while count > 0 and time.monotonic() < deadline:
        done = acks.read_bytes()[start_offset:].count(b"\n") if acks.exists() else 0
        if done >= count or not _alive(pid):
            return
        time.sleep(0.005)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def run_child(
    scenario: str,
    workdir: Path,
    *,
    crash_at: str | None = None,
    crash_after: int = 1,
    kill_after: float | None = None,
    kill_after_acks: int = 0,
    env: dict[str, str] | None = None,
    timeout: float = 60.0,
    **kwargs,
) -> Outcome:
    """Run `scenario` in a child. With `crash_at` it dies at that point (its `crash_after`th hit);
    with `kill_after` the parent SIGKILLs it after that many seconds, counted from its
    `kill_after_acks`th acknowledgement (so a slow, loaded machine still kills among the work
    rather than before it). Returns its outcome; the ACK file is kwargs["acks"] (created here
    when not given)."""
    workdir.mkdir(parents=True, exist_ok=True)
    acks = Path(kwargs.setdefault("acks", str(workdir / "acks.txt")))
    start_offset = acks.stat().st_size if acks.exists() else 0
    err_path = workdir / "child-stderr.txt"
    start_err = err_path.stat().st_size if err_path.exists() else 0
    child_env = {
        "FIELDWORK_CRASH_AT": crash_at or "",
        "FIELDWORK_CRASH_AFTER": str(crash_after),
        **(env or {}),
    }
    server = _server()
    pid = server.ask({"scenario": scenario, "kwargs": kwargs, "env": child_env, "err": str(err_path)}, 60)["pid"]
    if kill_after is not None:
        _wait_for_acks(acks, start_offset, kill_after_acks, server, pid)
        time.sleep(kill_after)
        os.kill(pid, signal.SIGKILL)  # ignored by the kernel if it already died at a crash point
    try:
        exitcode = server.ask({"wait": pid}, timeout)["status"]
    except TimeoutError:
        os.kill(pid, signal.SIGKILL)
        server.ask({"wait": pid}, 30)
        raise AssertionError(f"the {scenario} child did not finish in {timeout} s") from None
    text = acks.read_bytes()[start_offset:].decode() if acks.exists() else ""
    lines = text.split("\n")
    complete = lines[:-1]  # a line cut by the kill is not acknowledged
    stderr = err_path.read_bytes()[start_err:].decode(errors="replace") if err_path.exists() else ""
    outcome = Outcome(exitcode, complete, stderr)
    if outcome.killed:
        KILLS[f"{scenario}:{crash_at or 'random'}"] += 1
    elif outcome.exitcode != 0:
        raise AssertionError(f"the {scenario} child failed (exit {exitcode}):\n{stderr[-3000:]}")
    return outcome


def wait_for_kill(outcome: Outcome) -> None:
    assert outcome.killed, f"expected the child to be killed, it exited {outcome.exitcode}:\n{outcome.stderr[-3000:]}"


def monotonic_budget(seconds: float):
    """A deadline helper: `left()` says how long is left."""
    deadline = time.monotonic() + seconds
    return lambda: deadline - time.monotonic()
