"""boardlib benchmarks: pytest-benchmark files (``bench_*.py``) and the realtime script."""
