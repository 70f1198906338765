"""What one run remembers about the file system: real paths, directory listings, work tree tops.

A repository's files share a few directories, and links do not change while a run reads them;
`forget_real_paths` starts a run (an embedder's next `lint` may see other links).
"""
from __future__ import annotations

import os
from typing import Any

from ..file_paths import is_within

_REAL: dict[str, str] = {}


def real_path(path: str) -> str:
    """`os.path.realpath(path)`, remembered for the rest of the run: a repository's files share a
    few directories, and links do not change while it runs (`forget_real_paths` starts a run).

    A plain name in a directory resolves as that directory's real path joined with the name, then
    followed when the name itself is a link: one `lstat` per file instead of one per component.
    """
    found = _REAL.get(path)  # absolute paths only are remembered: a relative one misses here
    if found is not None:
        return found
    if not os.path.isabs(path):  # remembered by where it is: the working directory may change between runs
        path = os.path.join(os.getcwd(), path)
        found = _REAL.get(path)
    if found is None:
        head, tail = os.path.split(path)
        if head and tail and tail not in (".", "..") and head != path:
            found = os.path.join(real_path(head), tail)
            if os.path.islink(found):
                found = os.path.realpath(found)
        else:
            found = os.path.realpath(path)
        _REAL[path] = found
    return found


LISTED: dict[str, list[str]] = {}
RUN_MEMOS: list[dict[str, Any]] = [_REAL, LISTED]
"""What is remembered about the file system for one run (real paths, listings, work tree tops)."""


def forget_real_paths() -> None:
    """Start a run: links and directories may have changed since the last one."""
    for memo in RUN_MEMOS:
        memo.clear()


def outside(path: str, boundary: str) -> str | None:
    """Where `path` really is, when that is outside the directory `boundary`; None when inside.

    Every file of a module tree goes through this before it is opened: a link to a file outside
    the boundary is not read. Both are resolved (links, `..`), so the answer is about the file
    that `open` would reach.
    """
    try:
        real = os.path.normcase(real_path(path))
        base = os.path.normcase(real_path(boundary))
    except (OSError, ValueError):
        return path
    if is_within(real, base):
        return None
    return real
