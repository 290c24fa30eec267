"""Benchmarks: measured figures as ratios to baselines taken in the same run (never in tests)."""
