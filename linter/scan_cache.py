"""The callers scan kept between runs: what the text scan of each `.tf` file of a project found,
and the module calls its parse confirmed, for files that have not changed since.

The pre-commit hook on a module file looks for the roots that call it (`roots.callers`): it reads
every `.tf` file of the project and parses those that may hold a call. Between two commits almost
none of them change, so the result for each file is kept in the cache directory, one entry per
project (`s-<key>.json`), and used again only for a file whose `lstat` (device, inode, size,
modification and change times in nanoseconds) is the same as when it was read. A file changed
within `RACY_SECONDS` of being read is not kept (a change in the same clock tick would leave its
times as they were); any later change moves its change time, which no one can set back.

Safe as the parse cache is (docs/security.md): the entry is JSON, decoded into exactly the expected
shape (strings, integers, booleans) or not used; its header holds its key (the vpcep-lint version,
the scan and parser code, the project's path) and the SHA-256 of its body. What it holds is only
`source` strings as written; they are resolved again on every run. A damaged, forged-shape or
stale entry is a miss: the files are read again.
"""
from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from .loaders.cache_dir import CacheDir
from .loaders.cache_entry import sealed, unsealed

FORMAT = 1
_MAGIC = b"vpcep-lint-scan-%d " % FORMAT
RACY_SECONDS = 2.0
"""A file changed this recently when it was read is not kept."""
MAX_ENTRY_BYTES = 64 * 1024 * 1024
"""The largest scan entry read."""

Record = tuple[list[str], bool, "list[str] | None"]
"""(sources the text scan found, whether the file may hold a module call, the calls its parse
confirmed, or None when it was not parsed)."""


def _stat_key(st: os.stat_result) -> list[int]:
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


class ScanCache:
    """The records of one project's files: looked up by path and `lstat`, saved when any changed."""

    def __init__(self, directory: CacheDir | None, project: str) -> None:
        self.dir = directory
        self.project = project
        self.key = _key(project)
        self.files: dict[str, tuple[list[int], Record]] = {}
        self.changed = False
        self.now = time.time()

    @classmethod
    def open(cls, directory: CacheDir | None, project: str) -> ScanCache:
        scan = cls(directory, project)
        if directory is not None:
            found = directory.read(scan._name(), MAX_ENTRY_BYTES)
            if found is not None:
                scan.files = decode_scan(found[0], scan.key, project) or {}
        return scan

    def _name(self) -> str:
        return f"s-{self.key}.json"

    def lookup(self, path: str, st: os.stat_result) -> Record | None:
        found = self.files.get(path)
        return found[1] if found is not None and found[0] == _stat_key(st) else None

    def store(self, path: str, st: os.stat_result, record: Record) -> None:
        if self.dir is None:
            return
        if self.now - max(st.st_mtime_ns, st.st_ctime_ns) / 1e9 < RACY_SECONDS:
            self.files.pop(path, None)
            return
        self.files[path] = (_stat_key(st), record)
        self.changed = True

    def confirmed(self, path: str, calls: list[str]) -> None:
        """Record the calls the parse of a kept file confirmed."""
        found = self.files.get(path)
        if found is not None and self.dir is not None:
            sources, may_call, _ = found[1]
            self.files[path] = (found[0], (sources, may_call, calls))
            self.changed = True

    def save(self) -> None:
        if self.dir is not None and self.changed:
            data = encode_scan(self.files, self.key, self.project)
            if data is not None:
                self.dir.write(self._name(), data)
            self.changed = False


def _key(project: str) -> str:
    import hashlib  # here: a run of plans alone never reads this cache, nor pays for OpenSSL's start-up

    from .loaders.cache import code_digest

    digest = hashlib.sha256()
    for part in (code_digest(), str(FORMAT), project):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    for module in ("roots", "scan_cache"):
        try:
            with open(sys.modules[f"{__package__}.{module}"].__file__ or "", "rb") as fh:  # our code, not an input
                digest.update(fh.read())
        except (OSError, KeyError):  # pragma: no cover - a zip import: the version must do
            digest.update(b"?")
    return digest.hexdigest()


def encode_scan(files: dict[str, tuple[list[int], Record]], key: str, project: str) -> bytes | None:
    body_doc = [project, [[path, st, sources, may_call, calls] for path, (st, (sources, may_call, calls))
                          in sorted(files.items())]]
    try:
        body = json.dumps(body_doc, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    except (ValueError, TypeError, RecursionError):
        return None
    return sealed(_MAGIC, key, body)


class _Bad(Exception):
    pass


def decode_scan(data: bytes, key: str, project: str) -> dict[str, tuple[list[int], Record]] | None:
    """The records an entry holds, or None when it is not exactly a scan entry for `project`."""
    body = unsealed(data, _MAGIC, key)
    if body is None:
        return None
    try:
        doc = json.loads(body)
        if type(doc) is not list or len(doc) != 2 or doc[0] != project or type(doc[1]) is not list:
            raise _Bad
        return dict(_record(r) for r in doc[1])
    except (_Bad, ValueError, TypeError, RecursionError, MemoryError):
        return None


def _strings(v: Any) -> list[str]:
    if type(v) is not list or any(type(x) is not str for x in v):
        raise _Bad
    return v


def _record(r: Any) -> tuple[str, tuple[list[int], Record]]:
    if type(r) is not list or len(r) != 5:
        raise _Bad
    path, st, sources, may_call, calls = r
    if type(path) is not str or type(st) is not list or len(st) != 5 or any(type(x) is not int for x in st):
        raise _Bad
    if type(may_call) is not bool:
        raise _Bad
    return path, (st, (_strings(sources), may_call, None if calls is None else _strings(calls)))
