"""A cache of parsed files, keyed by content hash and package version.

Entries live in the user cache directory (`VPCEP_LINT_CACHE_DIR` overrides; `--no-cache` turns
the cache off). An entry that cannot be read, or does not hold what its key says, is ignored
and rewritten, never trusted.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile

from vpcep_lint import __version__
from vpcep_lint.loaders.hcl_syntax import ParsedFile

_MAGIC = b"vpcep-lint-cache-2\n"


def default_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if sys.platform == "darwin":
        base = os.path.join(os.path.expanduser("~"), "Library", "Caches")
    elif os.name == "nt":
        base = os.environ.get("LOCALAPPDATA") or base
    return os.path.join(base, "vpcep-lint")


class ParseCache:
    def __init__(self, directory: str | None) -> None:
        self.directory = directory

    @classmethod
    def open(cls, directory: str | None = None) -> ParseCache:
        path = directory or os.environ.get("VPCEP_LINT_CACHE_DIR") or default_dir()
        try:
            os.makedirs(path, exist_ok=True)
        except OSError:
            return cls(None)  # read-only home, for example: run without a cache
        return cls(path)

    @staticmethod
    def key(text: str, path: str) -> str:
        kind = "tfvars.json" if path.endswith(".tfvars.json") else "json" if path.endswith(".json") else "hcl"
        digest = hashlib.sha256()
        for part in (__version__, kind, text):
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\0")
        return digest.hexdigest()

    def _file(self, key: str) -> str:
        assert self.directory is not None
        return os.path.join(self.directory, key[:2], key + ".pickle")

    def get(self, text: str, path: str) -> ParsedFile | None:
        if self.directory is None:
            return None
        key = self.key(text, path)
        try:
            with open(self._file(key), "rb") as fh:
                data = fh.read()
            if not data.startswith(_MAGIC + key.encode() + b"\n"):
                return None
            value = pickle.loads(data[len(_MAGIC) + len(key) + 1:])
        except Exception:  # missing, truncated or foreign: not trusted
            return None
        return value if isinstance(value, ParsedFile) else None

    def put(self, text: str, path: str, parsed: ParsedFile) -> None:
        if self.directory is None:
            return
        key = self.key(text, path)
        target = self._file(key)
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(_MAGIC + key.encode() + b"\n")
                pickle.dump(parsed, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except (OSError, pickle.PicklingError, RecursionError):
            return

    def close(self) -> None:
        pass
