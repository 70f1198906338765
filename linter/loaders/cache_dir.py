"""The cache directory: created private (0700), used only when it is ours and nobody else can write
to it, and every operation in it relative to a descriptor of the checked directory (see `cache`)."""
from __future__ import annotations

import os
import stat
import sys
import time
from typing import Any

from ..loaders.sources import ReadError, read_bytes

_HAS_DIR_FD = os.open in os.supports_dir_fd and os.replace in os.supports_dir_fd


def default_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if sys.platform == "darwin":
        base = os.path.join(os.path.expanduser("~"), "Library", "Caches")
    elif os.name == "nt":
        base = os.environ.get("LOCALAPPDATA") or base
    return os.path.join(base, "vpcep-lint")


def configured_dir(directory: str | None = None) -> str:
    return directory or os.environ.get("VPCEP_LINT_CACHE_DIR") or default_dir()


class CacheDir:
    """A directory checked to be ours and private, and the few operations the caches need in it.

    On systems that have them, every operation is relative to a descriptor of the checked
    directory, so that replacing the directory (or a path above it) after the check changes nothing.
    """

    def __init__(self, path: str, fd: int | None) -> None:
        self.path = path
        self.fd = fd

    @classmethod
    def open(cls, path: str) -> CacheDir | str:
        """The directory (created 0700 when missing), or why it is not used."""
        try:
            _make_private_dirs(path)
        except OSError as exc:
            return f"cannot create the cache directory {path}: {exc.strerror or exc}"
        fd = None
        try:
            if _HAS_DIR_FD:
                fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
                st = os.fstat(fd)
            else:  # pragma: no cover - Windows
                st = os.stat(path)
        except OSError as exc:
            return f"cannot open the cache directory {path}: {exc.strerror or exc}"
        problem = _unsafe(st)
        if problem is not None:
            if fd is not None:
                os.close(fd)
            return f"the cache directory {path} {problem}; running without a cache"
        return cls(path, fd)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def _at(self, name: str) -> str:
        return name if self.fd is not None else os.path.join(self.path, name)

    def _kw(self) -> dict[str, Any]:
        return {"dir_fd": self.fd} if self.fd is not None else {}

    def read(self, name: str, limit: int) -> tuple[bytes, float] | None:
        """The bytes of a regular file (no link followed, at most `limit`) and its mtime; None if not there."""
        try:
            data = read_bytes(self._at(name), limit, dir_fd=self.fd, nofollow=True)
            st = os.stat(self._at(name), follow_symlinks=False, **self._kw())
        except (ReadError, OSError):
            return None
        return data, st.st_mtime

    def write(self, name: str, data: bytes) -> bool:
        """Write `name` atomically (a private temporary file renamed into place)."""
        tmp = f".{name}.{os.getpid()}.{time.monotonic_ns()}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(self._at(tmp), flags, 0o600, **self._kw())
        except OSError:
            return False
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            if self.fd is not None:
                os.replace(tmp, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
            else:  # pragma: no cover - Windows
                os.replace(self._at(tmp), self._at(name))
            return True
        except OSError:
            self.remove(tmp)
            return False

    def touch(self, name: str) -> None:
        try:
            if self.fd is not None and os.utime in os.supports_dir_fd:
                os.utime(name, dir_fd=self.fd, follow_symlinks=False)
            else:  # pragma: no cover
                os.utime(self._at(name))
        except (OSError, NotImplementedError):
            pass

    def remove(self, name: str) -> None:
        try:
            os.unlink(self._at(name), **self._kw())
        except OSError:
            pass

    def entries(self) -> list[tuple[str, int, float]]:
        """(name, size, mtime) of the regular files directly in the directory."""
        out = []
        try:
            with os.scandir(self.fd if self.fd is not None and os.scandir in os.supports_fd else self.path) as it:
                for entry in it:
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    if stat.S_ISREG(st.st_mode):
                        out.append((entry.name, st.st_size, st.st_mtime))
        except OSError:
            pass
        return out

    def prune(self, prefixes: tuple[str, ...], max_bytes: int, max_age: float, now: float | None = None) -> int:
        """Remove entries (names starting with `prefixes`) unused for `max_age` seconds, then the least
        recently used until the rest fit in three quarters of `max_bytes`. Returns how many were removed."""
        now = time.time() if now is None else now
        mine = []
        removed = 0
        for name, size, mtime in self.entries():
            if name.startswith(".") and name.endswith(".tmp"):
                if now - mtime > 3600:  # left by a run that died while writing
                    self.remove(name)
                continue
            if not name.startswith(prefixes):
                continue
            if now - mtime > max_age:
                self.remove(name)
                removed += 1
            else:
                mine.append((mtime, name, size))
        total = sum(size for _, _, size in mine)
        if total > max_bytes:
            mine.sort()
            for _, name, size in mine:
                if total <= max_bytes * 3 // 4:
                    break
                self.remove(name)
                total -= size
                removed += 1
        return removed


def _make_private_dirs(path: str) -> None:
    """Create `path` and any missing parent 0700, whatever the umask."""
    missing = []
    p = os.path.abspath(path)
    while not os.path.isdir(p):
        missing.append(p)
        parent = os.path.dirname(p)
        if parent == p:
            break
        p = parent
    for d in reversed(missing):
        try:
            os.mkdir(d, 0o700)
        except FileExistsError:
            continue
        os.chmod(d, 0o700)  # mkdir's mode is cut by the umask, never widened; make it exact


def _unsafe(st: os.stat_result) -> str | None:
    if not stat.S_ISDIR(st.st_mode):
        return "is not a directory"
    if os.name == "nt":  # pragma: no cover - no POSIX owner or mode bits
        return None
    if st.st_uid != os.geteuid():
        return "belongs to another user"
    if st.st_mode & 0o022:
        return "can be written by other users"
    return None
