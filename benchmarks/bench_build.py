"""The desktop build (scripts/build): start-up of the built app against the same from source, and
its size. Skipped, with a note, when there is no build in dist/.

Both start the real app (`run_app`) on the same 100-case store with FIELDWORK_EXIT_WHEN_SHOWN=1,
which quits as soon as the main window is shown: from double-click to a usable window.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.generate import fill_inspection
from benchmarks.harness import Result, absolute_result, median, ratio_result, samples

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "dist" / "fieldwork"
STARTUP = "start-up to main window, desktop build vs source"
SIZE = "desktop build size"
MAX_RATIO = 1.1  # issue 21: the build starts no slower than the same app from source
MAX_MB = 150  # on Linux; scripts/build refuses a larger build


def built_executable() -> Path | None:
    for name in ("fieldwork", "fieldwork.exe"):
        if (BUILD / name).is_file():
            return BUILD / name
    return None


def folder_mb(folder: Path) -> float:
    """Size in MiB, as `du -sm` reports it (scripts/build)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 2**20


def _start_seconds(command: list[str], data_dir: Path, repeats: int) -> list[float]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "FIELDWORK_EXIT_WHEN_SHOWN": "1",
    }
    return samples(
        lambda: subprocess.run(
            [*command, "--data-dir", str(data_dir)],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=120,
        ),
        repeats,
    )


def _skipped(name: str, why: str) -> Result:
    return Result(name, 0.0, "s", None, None, "skipped", True, f"skipped: {why}")


def run(quick: bool = False) -> list[Result]:
    executable = built_executable()
    if executable is None:
        why = f"no desktop build in {BUILD.relative_to(ROOT)}/; run scripts/build first"
        return [_skipped(STARTUP, why)]
    repeats = 3 if quick else 9
    from fieldwork.store import open_store

    with tempfile.TemporaryDirectory(prefix="fieldwork-bench-build-") as tmp:
        data_dir = Path(tmp) / "data"
        store = open_store(data_dir, actor="bench")
        fill_inspection(store, "BENCH-100", 100)
        store.close()
        frozen_command = [str(executable)]
        source_command = [sys.executable, "-m", "fieldwork"]
        # One untimed start of each: both then start with warm disk caches and a remembered window.
        _start_seconds(frozen_command, data_dir, 1)
        _start_seconds(source_command, data_dir, 1)
        frozen, source = [], []
        for _ in range(repeats):  # interleaved, so a busy moment of the machine hits both
            frozen += _start_seconds(frozen_command, data_dir, 1)
            source += _start_seconds(source_command, data_dir, 1)
    results = [
        ratio_result(
            STARTUP,
            median(frozen),
            median(source),
            "s",
            MAX_RATIO,
            f"baseline: the same app from source (python -m fieldwork), same store; {repeats} starts each",
        )
    ]
    if sys.platform.startswith("linux"):
        results.append(absolute_result(SIZE, folder_mb(BUILD), "MB", MAX_MB, "dist/fieldwork on Linux"))
    return results
