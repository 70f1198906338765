"""What `json.loads` accepts but no input may hold: lone surrogates, numbers too long, nesting too deep.

`json.loads` turns `"\\ud800"` into a string no encoder can write (the report would die on it),
refuses integers of more than 4,300 digits with a ValueError that names no place, and builds
any nesting its stack allows. These helpers find the place of each, for a one-line input error.
"""
from __future__ import annotations

import re
from typing import Any

_SURROGATE = re.compile(r"(\\+)u([dD][89a-fA-F][0-9a-fA-F]{2})")
_LONG_DIGITS = re.compile(r"[0-9]{4301}")


def position(text: str, offset: int) -> tuple[int, int]:
    """Line and column (from 1) of `offset` in `text`."""
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def lone_surrogate(text: str) -> int | None:
    """The offset of the first `\\uD800`-`\\uDFFF` escape of a JSON text that is not half of a pair."""
    if "\\ud" not in text and "\\uD" not in text:
        return None
    pending: int | None = None  # offset of a high surrogate escape waiting for its low half
    expect_low_at = -1
    for m in _SURROGATE.finditer(text):
        if len(m.group(1)) % 2 == 0:
            continue  # `\\ud800`: an escaped backslash, then plain text
        start = m.end(1) - 1
        code = int(m.group(2), 16)
        if code >= 0xDC00:  # a low half: fine right after a high one
            if pending is not None and start == expect_low_at:
                pending = None
                continue
            return pending if pending is not None else start
        if pending is not None:
            return pending
        pending, expect_low_at = start, m.end()
    return pending


def long_integer(text: str) -> int | None:
    """The offset of the first run of more than 4,300 digits (Python will not convert it)."""
    m = _LONG_DIGITS.search(text)
    return m.start() if m else None


def too_deep(value: Any, limit: int) -> bool:
    """Whether arrays and objects nest deeper than `limit` (without recursion)."""
    stack = [(value, 1)]
    while stack:
        v, depth = stack.pop()
        if isinstance(v, dict):
            children: Any = v.values()
        elif isinstance(v, list):
            children = v
        else:
            continue
        if depth > limit:
            return True
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return False
