"""Development tools: test and benchmark support that is not part of the product.

Importable from the repository root (pytest and ``python -m benchmarks.<name>`` both run
there); the wheel ships only ``index`` and ``bot`` (``[tool.setuptools.packages.find]``).
"""
