"""The benchmarks: `make bench` (bench/run.py) and `make bench-pages` (bench/pages.py)."""
