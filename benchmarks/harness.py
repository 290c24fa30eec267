"""Timing helpers and the results file: medians over repeats, each beside its baseline."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Result:
    name: str
    value: float
    unit: str
    baseline: float | None
    ratio: float | None
    target: str
    met: bool
    note: str = ""


def time_once(func: Callable[[], object]) -> float:
    """Seconds for one call."""
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def samples(func: Callable[[], object], repeats: int, setup: Callable[[], object] | None = None) -> list[float]:
    """Seconds for each of `repeats` calls (setup, if any, runs untimed before each)."""
    out = []
    for _ in range(repeats):
        if setup is not None:
            setup()
        out.append(time_once(func))
    return out


def median(values: list[float]) -> float:
    return statistics.median(values)


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]


def ratio_result(name: str, value: float, baseline: float, unit: str, max_ratio: float, note: str = "") -> Result:
    ratio = value / baseline if baseline else float("inf")
    return Result(
        name,
        round(value, 4),
        unit,
        round(baseline, 4),
        round(ratio, 3),
        f"ratio <= {max_ratio}",
        ratio <= max_ratio,
        note,
    )


def absolute_result(
    name: str, value: float, unit: str, limit: float, note: str = "", baseline: float | None = None
) -> Result:
    ratio = round(value / baseline, 3) if baseline else None
    return Result(
        name,
        round(value, 4),
        unit,
        None if baseline is None else round(baseline, 4),
        ratio,
        f"<= {limit} {unit}",
        value <= limit,
        note,
    )


def write_results(results: list[Result], path: Path) -> None:
    path.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n", encoding="utf-8")


def table(results: list[Result]) -> str:
    rows = [("benchmark", "value", "baseline", "ratio", "target", "met")]
    for r in results:
        rows.append(
            (
                r.name,
                f"{r.value:g} {r.unit}",
                "" if r.baseline is None else f"{r.baseline:g}",
                "" if r.ratio is None else f"{r.ratio:g}",
                r.target,
                "yes" if r.met else "NO",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"- {r.name}: {r.note}" for r in results if r.note]
    return "\n".join(lines + ([""] + notes if notes else []))
