"""Kempelen's benchmarks (not tests): `python -m bench.run`. See bench/README.md."""
