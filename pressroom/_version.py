"""pressroom's version: the one place it is written (pyproject.toml reads it from here).

A department pins this number in its ``.pre-commit-config.yaml`` and its requirements,
so it changes with every release.
"""

__version__ = "0.2.0"
