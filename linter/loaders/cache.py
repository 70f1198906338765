"""A cache of parsed files: plain JSON data, checked before it is used, in a directory only we can write.

Entries live in the user cache directory (`VPCEP_LINT_CACHE_DIR` overrides; `--no-cache` turns
the parse cache off). What makes it safe to keep, and to share (docs/security.md):

- an entry is JSON holding the syntax tree of one file (blocks, attributes, expressions as
  strings, numbers and lists): decoding it can build nothing but those, it never runs code
  (no pickle, no marshal of code, no classes named by the data);
- an entry counts only for the exact text, file kind, vpcep-lint version, python-hcl2 and lark
  versions and parser code it was made from: all of them are in its key, the key is in its
  header, and a digest of its body is in its header too;
- an entry that does not decode to exactly the expected shape, or does not fit the text (its
  line count), is a miss and is rewritten: never a result;
- the directory is created 0700 and used only when it belongs to the user running vpcep-lint
  and nobody else can write to it; otherwise the run goes on without a cache and says so;
- every entry is opened without following links, only when it is a regular file, and read with
  a size cap; the cache is kept under a size and an age bound (least recently used go first).
"""
from __future__ import annotations

import hashlib
import sys
import time
from functools import cache

from .. import __version__, installed
from ..loaders import cache_entry
from ..loaders.cache_dir import CacheDir, configured_dir, default_dir
from ..loaders.cache_entry import FORMAT, decode_entry, encode_entry
from ..loaders.hcl_tree import ParsedFile

__all__ = [  # the cache's names as they were when one module held them (grammar.py, tests)
    "FORMAT", "MAX_AGE", "MAX_BYTES", "CacheDir", "ParseCache", "code_digest", "configured_dir", "decode_entry",
    "default_dir", "encode_entry",
]

MAX_BYTES = 256 * 1024 * 1024
"""Above this total size, the least recently used entries are removed (down to three quarters)."""
MAX_AGE = 30 * 24 * 3600
"""Entries not used for this long are removed."""
_TOUCH_AFTER = 24 * 3600
"""A hit marks its entry used (its mtime) at most this often."""


@cache
def code_digest() -> str:
    """What the parsed form of a text depends on: our version and parser code, python-hcl2 and lark."""
    from ..loaders import hcl_convert, hcl_syntax, hcl_tree, tf_json

    digest = hashlib.sha256()
    parts = [__version__, str(FORMAT), _version("python-hcl2"), _version("lark")]
    for part in parts:
        digest.update(part.encode() + b"\0")
    for module in (hcl_syntax, hcl_convert, hcl_tree, tf_json, cache_entry, sys.modules[__name__]):
        try:
            with open(module.__file__ or "", "rb") as fh:  # our own code, not an input
                digest.update(fh.read())
        except OSError:  # pragma: no cover - a zip import: the versions must do
            digest.update(b"?")
    return digest.hexdigest()


def _version(dist: str) -> str:
    return installed.version(dist) or "?"


def _kind(path: str) -> str:
    return "tfvars.json" if path.endswith(".tfvars.json") else "json" if path.endswith(".json") else "hcl"


class ParseCache:
    def __init__(self, directory: CacheDir | None, problem: str | None = None,
                 max_bytes: int = MAX_BYTES, max_age: float = MAX_AGE) -> None:
        self.dir = directory
        self.problem = problem
        """Why there is no cache although one was asked for (said once, as a note)."""
        self.max_bytes = max_bytes
        self.max_age = max_age
        self.written = 0

    @property
    def directory(self) -> str | None:
        return self.dir.path if self.dir is not None else None

    @classmethod
    def open(cls, directory: str | None = None) -> ParseCache:
        opened = CacheDir.open(configured_dir(directory))
        if isinstance(opened, str):
            return cls(None, opened)
        return cls(opened, max_bytes=MAX_BYTES, max_age=MAX_AGE)

    @staticmethod
    def key(text: str, path: str) -> str:
        digest = hashlib.sha256()
        for part in (code_digest(), _kind(path), text):
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\0")
        return digest.hexdigest()

    @staticmethod
    def _name(key: str) -> str:
        return f"p-{key}.json"

    def get(self, text: str, path: str) -> ParsedFile | None:
        if self.dir is None:
            return None
        key = self.key(text, path)
        name = self._name(key)
        found = self.dir.read(name, _entry_limit(text))
        if found is None:
            return None
        data, mtime = found
        parsed = decode_entry(data, key, text, path)
        if parsed is not None and time.time() - mtime > _TOUCH_AFTER:
            self.dir.touch(name)
        return parsed

    def put(self, text: str, path: str, parsed: ParsedFile) -> None:
        if self.dir is None:
            return
        key = self.key(text, path)
        data = encode_entry(parsed, key, text)
        if data is not None and len(data) <= _entry_limit(text) and self.dir.write(self._name(key), data):
            self.written += 1

    def prune(self, now: float | None = None) -> int:
        if self.dir is None:
            return 0
        return self.dir.prune(("p-", "s-"), self.max_bytes, self.max_age, now)  # parses, callers scans

    def close(self) -> None:
        if self.dir is not None:
            if self.written:
                self.prune()
            self.dir.close()
            self.dir = None


def _entry_limit(text: str) -> int:
    return 1024 * 1024 + 16 * len(text)


