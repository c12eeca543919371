"""Benchmarks: `make bench` runs tests.bench.run (not collected by pytest)."""
