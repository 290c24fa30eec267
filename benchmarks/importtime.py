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


def least_times(code: str, *args: str, runs: int = 3) -> dict[str, tuple[float, float]]:
    """Module → (self ms, cumulative ms) of `python -c code args`, each the least over `runs` runs."""
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
    return least


def slowest_imports(times: dict[str, tuple[float, float]], top: int = 10) -> list[tuple[str, float, float]]:
    """The `top` modules with the longest own import time: (module, self, cumulative)."""
    ranked = sorted(times.items(), key=lambda item: item[1][0], reverse=True)[:top]
    return [(name, own, cumulative) for name, (own, cumulative) in ranked]


def by_package(times: dict[str, tuple[float, float]], top: int = 10) -> list[tuple[str, float]]:
    """The `top` top-level packages by the own times of all their modules added up (no double
    counting): what each library costs, e.g. sqlite_utils apart from click and dateutil."""
    totals: dict[str, float] = {}
    for name, (own, _) in times.items():
        root = name.split(".")[0]
        totals[root] = totals.get(root, 0.0) + own
    return sorted(totals.items(), key=lambda item: item[1], reverse=True)[:top]


def describe(imports: list[tuple[str, float, float]]) -> str:
    return "; ".join(f"{name} {own:.1f} ms (with its imports {cumulative:.1f})" for name, own, cumulative in imports)


def describe_packages(packages: list[tuple[str, float]]) -> str:
    return "; ".join(f"{name} {own:.1f} ms" for name, own in packages)
