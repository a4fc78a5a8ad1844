"""pytest-benchmark configuration: run with ``python -m pytest benchmarks``."""
