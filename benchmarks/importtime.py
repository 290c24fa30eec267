"""The slowest imports of a fresh process (`python -X importtime`), for the start-up figure's note.

Each module's own import time ("self": loading and running the module, not what it imports in
turn), the least over a few runs so that a busy moment of the machine does not put a module on
the list; with its cumulative time (the module and everything it imported first).
"""

from __future__ import annotations

import os
import subprocess
import sys


def parse(stderr: str) -> dict[str, tuple[float, float]]:
    """Module → (self ms, cumulative ms) from `-X importtime` output."""
    times: dict[str, tuple[float, float]] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|", 2)
        times[name.strip()] = (int(own) / 1000, int(cumulative) / 1000)
    return times


def slowest_imports(code: str, *args: str, runs: int = 3, top: int = 10) -> list[tuple[str, float, float]]:
    """The `top` modules with the longest own import time in `python -c code args`: (module, self, cumulative)."""
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    least: dict[str, tuple[float, float]] = {}
    for _ in range(runs):
        run = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code, *args],
            env=env, capture_output=True, text=True, check=True, timeout=120,
        )
        for name, (own, cumulative) in parse(run.stderr).items():
            if name in least:
                own, cumulative = min(own, least[name][0]), min(cumulative, least[name][1])
            least[name] = (own, cumulative)
    ranked = sorted(least.items(), key=lambda item: item[1][0], reverse=True)[:top]
    return [(name, own, cumulative) for name, (own, cumulative) in ranked]


def describe(imports: list[tuple[str, float, float]]) -> str:
    return "; ".join(f"{name} {own:.1f} ms (with its imports {cumulative:.1f})" for name, own, cumulative in imports)
