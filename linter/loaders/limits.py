"""Bounds on the work one root module may ask of the HCL evaluator (docs/security.md).

A configuration that goes past one is an input error at the expression; past a per-root bound,
the root is not linted at all.
"""
from __future__ import annotations

from . import functions

MAX_MODULE_DEPTH = 32
"""Module calls nested deeper than this are not followed (an error)."""
MAX_INSTANCES = functions.MAX_INSTANCES
"""Instances of one resource or module block (`count`, `for_each`)."""
MAX_RESOURCE_INSTANCES = 250_000
"""Resource instances of one root module, all modules included."""
MAX_MODULE_INSTANCES = 5_000
"""Module instances of one root module."""
MAX_WORK = 1_000_000
"""Iterations of `for` expressions and `dynamic` blocks, and elements built by functions, in one root module."""


class LimitExceeded(Exception):
    """A bound of the root module was passed: the root is not linted (an error at the expression)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.where: tuple[str, int, int] | None = None

