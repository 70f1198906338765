"""What the installed distributions declare: entry points and versions, read from their
`*.dist-info` / `*.egg-info` folders on `sys.path`.

This is the part of `importlib.metadata` a run needs (rules and formatters are found through entry
points, the parse cache is keyed on python-hcl2's and lark's versions), read the way it reads it:
the path entries in order, the first distribution of a name wins, `entry_points.txt` as sections
of `name = value` pairs. Importing `importlib.metadata` costs more than the reading (its email,
zip and CSV machinery) and was a sixth of every run's start-up. Where that reading could differ
(a zip file on the path, a finder of distributions other than the standard path finder), the
answer comes from `importlib.metadata` itself.

Nothing here runs anything: a file is only read. An entry point's object is imported only by
`load()`, as with `importlib.metadata`.
"""
from __future__ import annotations

import importlib
import os
import re
import sys
from functools import reduce
from typing import Any, Protocol

_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")


class EntryPointLike(Protocol):
    """What the registries read of an entry point (this module's, or `importlib.metadata`'s)."""

    name: str
    value: str
    group: str

    def load(self) -> Any: ...


class Distribution:
    """A distribution's folder; its `name` is the `Name:` field of its metadata."""

    def __init__(self, path: str, key: str) -> None:
        self.path = path
        self.key = key
        """The normalized name from the folder's name (`acme_rules` for `Acme.Rules-2.0.dist-info`)."""
        self._name: str | None = None
        self._points: list[tuple[str, str, str]] | None = None

    @property
    def name(self) -> str:
        if self._name is None:
            self._name = self.field("Name") or ""
        return self._name

    @property
    def version(self) -> str:
        return self.field("Version") or ""

    def field(self, key: str) -> str | None:
        """A header field of METADATA (PKG-INFO for an egg-info folder)."""
        text = self.read("METADATA") or self.read("PKG-INFO") or ""
        prefix = key.lower() + ":"
        for line in text.splitlines():
            if not line.strip():
                break  # the headers end at the first blank line; the long description follows
            if line.lower().startswith(prefix):
                return line[len(prefix):].strip()
        return None

    def points(self) -> list[tuple[str, str, str]]:
        """(group, name, value) of every entry point it declares."""
        if self._points is None:
            self._points = _sections(self.read("entry_points.txt") or "")
        return self._points

    def read(self, name: str) -> str | None:
        try:
            with open(os.path.join(self.path, name), encoding="utf-8") as fh:
                return fh.read()
        except (OSError, UnicodeDecodeError):
            return None


class EntryPoint:
    """One `name = module:attr` line of a group, as `importlib.metadata.EntryPoint` gives it."""

    __slots__ = ("name", "value", "group", "dist")

    def __init__(self, name: str, value: str, group: str, dist: Distribution) -> None:
        self.name = name
        self.value = value
        self.group = group
        self.dist = dist

    def load(self) -> Any:
        match = _VALUE.match(self.value)
        if match is None:
            raise ValueError(f"entry point {self.name!r}: {self.value!r} is not module:attribute")
        module = importlib.import_module(match.group("module"))
        attrs = [a for a in (match.group("attr") or "").split(".") if a]
        return reduce(getattr, attrs, module)

    def __repr__(self) -> str:
        return f"EntryPoint(name={self.name!r}, value={self.value!r}, group={self.group!r})"


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower().replace("-", "_")


def _plain_paths() -> bool:
    """Whether `sys.path`'s folders are the only place distributions can come from."""
    from importlib.machinery import PathFinder

    for finder in sys.meta_path:
        if finder is not PathFinder and getattr(finder, "find_distributions", None) is not None:
            return False
    return True


_known: tuple[tuple[tuple[str, int], ...], list[Distribution] | None] | None = None
"""The last listing and the path entries (with their modification times) it was made from."""


def distributions() -> list[Distribution] | None:
    """Every distribution on `sys.path`, the first of each name; None where only
    `importlib.metadata` can tell (a zip file on the path, another finder of distributions).
    Listed again when the path or the modification time of a folder on it changes (what
    importlib.metadata and the import system watch too)."""
    global _known
    if not _plain_paths():
        return None
    key = tuple((entry, _mtime(entry)) for entry in sys.path)
    if _known is None or _known[0] != key:
        _known = (key, _listing())
    return _known[1]


def _mtime(entry: str) -> int:
    try:
        return os.stat(entry or ".").st_mtime_ns
    except OSError:
        return -1


def _listing() -> list[Distribution] | None:
    seen: set[str] = set()
    found: list[Distribution] = []
    for entry in sys.path:
        root = entry or "."
        try:
            children = os.listdir(root)
        except NotADirectoryError:
            return None  # a zip file on the path
        except OSError:
            continue  # a folder that is not there: importlib.metadata skips it too
        for child in children:
            low = child.lower()
            if not low.endswith((".dist-info", ".egg-info")):
                continue
            path = os.path.join(entry, child) if entry else child
            if low.endswith(".egg-info") and not os.path.isdir(path):
                return None  # an egg-info file (very old setuptools): leave it to importlib.metadata
            key = _normalized(low.rpartition(".")[0].partition("-")[0])
            if key in seen:
                continue
            seen.add(key)
            found.append(Distribution(path, key))
    return found


def _sections(text: str) -> list[tuple[str, str, str]]:
    """(group, name, value) of each `name = value` line under a `[group]` header."""
    pairs = []
    group: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            group = line.strip("[]")
            continue
        if group is None:
            continue
        name, sep, value = line.partition("=")
        if sep:  # a line that is not name = value declares nothing
            pairs.append((group, name.strip(), value.strip()))
    return pairs


def entry_points(group: str) -> list[Any]:
    """Every entry point of `group`, in path order (the callers sort them)."""
    dists = distributions()
    if dists is None:
        from importlib.metadata import entry_points as from_metadata

        return list(from_metadata(group=group))
    found: list[Any] = []
    for dist in dists:
        found += [EntryPoint(n, v, g, dist) for g, n, v in dist.points() if g == group]
    return found


def version(name: str) -> str | None:
    """The installed version of distribution `name`; None when it is not installed."""
    dists = distributions()
    if dists is None:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as from_metadata

        try:
            return from_metadata(name)
        except PackageNotFoundError:
            return None
    want = _normalized(name)
    for dist in dists:
        if dist.key == want:
            return dist.version or None
    return None
