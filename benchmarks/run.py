"""Run the benchmark suite: `make bench` (or `scripts/bench`, `python -m benchmarks.run [--quick]`).

Writes benchmarks/results.json and prints a table. Each figure is a median over repeated runs
beside a baseline measured in the same run, so a slow or busy machine moves both.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _compile_bytecode() -> None:
    """Write fieldwork's .pyc files first, as an installed app has them. Without this, a machine
    with PYTHONDONTWRITEBYTECODE set (some CI images) compiles every module at every start and
    the start-up figures measure the compiler, not the app."""
    import compileall

    compileall.compile_dir(str(Path(__file__).resolve().parents[1] / "fieldwork"), quiet=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, for a smoke check")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results.json"))
    parser.add_argument(
        "--only", choices=["workspace", "bundles", "lead", "build"], action="append", help="run only these parts"
    )
    args = parser.parse_args(argv)

    _compile_bytecode()
    from benchmarks import bench_build, bench_bundles, bench_lead, bench_workspace
    from benchmarks.harness import table, write_results

    results = []
    parts = {"workspace": bench_workspace, "bundles": bench_bundles, "lead": bench_lead, "build": bench_build}
    for name, module in parts.items():
        if not args.only or name in args.only:
            results += module.run(quick=args.quick)
    write_results(results, Path(args.out))
    print(table(results))
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
