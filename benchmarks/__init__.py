"""The benchmarks, each run from the repository root as ``python -m benchmarks.<name>``.

A package so that the scripts share ``common``, ``metrics`` and ``synthetic`` by import, and
the tests in ``tests/benchmarks`` can import them the same way; see README.md here.
"""
