"""Whether a path is a directory or below it, compared as written (resolve both first for files)."""
from __future__ import annotations

import os


def is_within(path: str, top: str, sep: str = os.sep) -> bool:
    """`path` is `top` or below it: `/a/bc` is not below `/a/b`, and everything is below `/`."""
    return path == top or path.startswith(top.rstrip(sep) + sep)
