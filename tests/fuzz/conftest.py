"""Hypothesis settings for the fuzz tests: quick by default, long on demand, reproducible in CI.

    python -m pytest tests/fuzz                          # the default run, well under a minute
    FIELDWORK_FUZZ=soak python -m pytest tests/fuzz      # 50 times the examples (FIELDWORK_FUZZ_FACTOR)

Every example must finish within the deadline (2 s, also in a soak), so a reader that takes
unbounded time on some input fails the test. With CI set (CI=true), the examples are the same on
every run (derandomized) and no example database is kept. The profiles are registered here but
never loaded globally: each fuzz test takes `fuzz_settings(n)`, so other tests keep their own.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings

PROFILES = ("fuzz", "soak")
PROFILE = os.environ.get("FIELDWORK_FUZZ") or "fuzz"
if PROFILE not in PROFILES:
    raise pytest.UsageError(f"FIELDWORK_FUZZ={PROFILE!r} is not a fuzz profile; use one of {', '.join(PROFILES)}.")
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
DEADLINE = timedelta(seconds=2)

_ci = {"derandomize": True, "database": None} if IN_CI else {}
settings.register_profile(
    "fuzz",
    deadline=DEADLINE,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
    ],
    **_ci,
)
settings.register_profile("soak", settings.get_profile("fuzz"))
FACTOR = int(os.environ.get("FIELDWORK_FUZZ_FACTOR") or "50") if PROFILE == "soak" else 1


def fuzz_settings(examples: int) -> settings:
    """The active profile with `examples` examples (times the soak factor in a soak run)."""
    return settings(settings.get_profile(PROFILE), max_examples=examples * FACTOR)
