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
import json
import os
import stat
import sys
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from .. import __version__
from ..loaders.hcl_tree import Attribute, Block, ParsedFile
from ..loaders.sources import ReadError, read_bytes

FORMAT = 3
_MAGIC = b"vpcep-lint-cache-%d " % FORMAT
MAX_BYTES = 256 * 1024 * 1024
"""Above this total size, the least recently used entries are removed (down to three quarters)."""
MAX_AGE = 30 * 24 * 3600
"""Entries not used for this long are removed."""
_TOUCH_AFTER = 24 * 3600
"""A hit marks its entry used (its mtime) at most this often."""
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


@lru_cache(maxsize=None)
def code_digest() -> str:
    """What the parsed form of a text depends on: our version and parser code, python-hcl2 and lark."""
    from ..loaders import hcl_convert, hcl_syntax, hcl_tree, tf_json

    digest = hashlib.sha256()
    parts = [__version__, str(FORMAT), _version("python-hcl2"), _version("lark")]
    for part in parts:
        digest.update(part.encode() + b"\0")
    for module in (hcl_syntax, hcl_convert, hcl_tree, tf_json, sys.modules[__name__]):
        try:
            with open(module.__file__ or "", "rb") as fh:  # our own code, not an input
                digest.update(fh.read())
        except OSError:  # pragma: no cover - a zip import: the versions must do
            digest.update(b"?")
    return digest.hexdigest()


def _version(dist: str) -> str:
    try:
        from importlib.metadata import version

        return version(dist)
    except Exception:  # pragma: no cover
        return "?"


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
        return self.dir.prune(("p-",), self.max_bytes, self.max_age, now)

    def close(self) -> None:
        if self.dir is not None:
            if self.written:
                self.prune()
            self.dir.close()
            self.dir = None


def _entry_limit(text: str) -> int:
    return 1024 * 1024 + 16 * len(text)


# -- the entry format -------------------------------------------------------------------------
#
#   header: b"vpcep-lint-cache-3 <key> <sha256 of body>\n"
#   body:   JSON [lines, chars, block, comments]
#           block = [type, labels, line, column, end_line, end_column, [attribute...], [block...]]
#           attribute = [name, expr, line, column, end_line, end_column]
#           expr = the tuples of hcl_syntax as arrays; comments = [[line, text]...]


def encode_entry(parsed: ParsedFile, key: str, text: str) -> bytes | None:
    try:
        body = json.dumps(
            [text.count("\n") + 1, len(text), _enc_block(parsed.body), parsed.comments],
            separators=(",", ":"), ensure_ascii=True, check_circular=False,
        ).encode("ascii")
    except (ValueError, TypeError, RecursionError, OverflowError):
        return None
    return _MAGIC + key.encode() + b" " + hashlib.sha256(body).hexdigest().encode() + b"\n" + body


def _enc_block(b: Block) -> list[Any]:
    attrs: list[Any] = []
    for a in b.attributes.values():
        attrs += [a.name, _enc_expr(a.expr), a.line, a.column, a.end_line, a.end_column]
    return [b.type, b.labels, b.line, b.column, b.end_line, b.end_column, attrs, [_enc_block(s) for s in b.blocks]]


def _enc_expr(e: tuple[Any, ...]) -> Any:
    """A literal string, number, boolean or null as itself; anything else as an array (tag first)."""
    if e[0] == "lit" and (e[1] is None or isinstance(e[1], (str, int, float, bool))):
        return e[1]
    if e[0] == "tmpl":
        return ["tmpl", [p if isinstance(p, str) else _enc_tagged(p) for p in e[1]]]
    if e[0] == "splat":
        return ["splat", _enc_expr(e[1]), [[op[0], op[1] if op[0] == "attr" else _enc_expr(op[1])] for op in e[2]]]
    if e[0] == "object":
        return ["object", [[_enc_expr(k), _enc_expr(v)] for k, v in e[1]]]
    out: list[Any] = [e[0]]
    for x in e[1:]:
        if isinstance(x, tuple):
            out.append(_enc_tagged(x) if e[0] == "for" else _enc_expr(x))
        elif isinstance(x, list) and e[0] in ("call", "tuple"):
            out.append([_enc_expr(y) for y in x])
        else:
            out.append(x)
    return out


def _enc_tagged(e: tuple[Any, ...]) -> Any:
    """Where a bare value would be ambiguous (a template part, an optional part of `for`): always an array."""
    return ["lit", e[1]] if e[0] == "lit" else _enc_expr(e)


class _Bad(Exception):
    """The entry does not have the expected shape."""


def decode_entry(data: bytes, key: str, text: str, path: str) -> ParsedFile | None:
    """The parsed file an entry holds, or None when it is not exactly a valid entry for `text`."""
    header_end = data.find(b"\n", 0, 256)
    if header_end < 0:
        return None
    header = data[:header_end].split(b" ")
    if len(header) != 3 or header[0] + b" " != _MAGIC or header[1] != key.encode():
        return None
    body = data[header_end + 1:]
    if hashlib.sha256(body).hexdigest().encode() != header[2]:
        return None
    try:
        doc = json.loads(body)
        if type(doc) is not list or len(doc) != 4:
            raise _Bad
        lines, chars, block, comments = doc
        if lines != text.count("\n") + 1 or chars != len(text):
            raise _Bad  # an entry of another text
        pf = ParsedFile(path, _dec_block(block), _dec_comments(comments))
    except (_Bad, ValueError, TypeError, RecursionError, MemoryError):
        return None
    if pf.body.type != "" or pf.body.labels:
        return None
    return pf


def _int(v: Any) -> int:
    if type(v) is not int:
        raise _Bad
    return v


def _str(v: Any) -> str:
    if type(v) is not str:
        raise _Bad
    return v


def _dec_comments(v: Any) -> list[tuple[int, str]]:
    if type(v) is not list:
        raise _Bad
    out = []
    for c in v:
        if type(c) is not list or len(c) != 2:
            raise _Bad
        out.append((_int(c[0]), _str(c[1])))
    return out


_SCALAR = frozenset({str, int, float, bool, type(None)})


def _dec_block(v: Any) -> Block:
    if type(v) is not list or len(v) != 8:
        raise _Bad
    btype, labels, l1, c1, l2, c2, attrs, blocks = v
    if type(labels) is not list or type(attrs) is not list or type(blocks) is not list or len(attrs) % 6:
        raise _Bad
    for x in labels:
        if type(x) is not str:
            raise _Bad
    if type(btype) is not str or type(l1) is not int or type(c1) is not int or type(l2) is not int or type(c2) is not int:
        raise _Bad
    block = Block(btype, labels, l1, c1, l2, c2)
    out = block.attributes
    scalar = _SCALAR
    for i in range(0, len(attrs), 6):
        name, e, a1, a2, a3, a4 = attrs[i:i + 6]
        if type(name) is not str or name in out or type(a1) is not int or type(a2) is not int \
                or type(a3) is not int or type(a4) is not int:
            raise _Bad
        out[name] = Attribute(name, ("lit", e) if type(e) in scalar else _expr(e), a1, a2, a3, a4)
    block.blocks = [_dec_block(b) for b in blocks]
    return block


def _exprs(v: Any) -> list[Any]:
    if type(v) is not list:
        raise _Bad
    return [_expr(x) for x in v]


def _expr(v: Any) -> tuple[Any, ...]:
    """An expression from its entry form; _Bad unless it is exactly one."""
    t = type(v)
    if t in _SCALAR:
        return ("lit", v)
    if t is not list or not v:
        raise _Bad
    tag = v[0]
    n = len(v)
    if tag == "attr" and n == 3 and type(v[2]) is str:
        return ("attr", _expr(v[1]), v[2])
    if tag == "var" and n == 2 and type(v[1]) is str:
        return ("var", v[1])
    if tag == "lit" and n == 2:  # a list or object value (from JSON)
        return ("lit", v[1])
    if tag == "object" and n == 2 and type(v[1]) is list:
        pairs = []
        for p in v[1]:
            if type(p) is not list or len(p) != 2:
                raise _Bad
            pairs.append((_expr(p[0]), _expr(p[1])))
        return ("object", pairs)
    if tag == "tuple" and n == 2:
        return ("tuple", _exprs(v[1]))
    if tag == "index" and n == 3:
        return ("index", _expr(v[1]), _expr(v[2]))
    if tag == "call" and n == 4 and type(v[1]) is str and type(v[3]) is bool:
        return ("call", v[1], _exprs(v[2]), v[3])
    if tag == "tmpl" and n == 2 and type(v[1]) is list:
        return ("tmpl", [p if type(p) is str else _expr(p) for p in v[1]])
    if tag == "splat" and n == 3 and type(v[2]) is list:
        ops: list[tuple[Any, ...]] = []
        for op in v[2]:
            if type(op) is not list or len(op) != 2:
                raise _Bad
            if op[0] == "attr" and type(op[1]) is str:
                ops.append(("attr", op[1]))
            elif op[0] == "index":
                ops.append(("index", _expr(op[1])))
            else:
                raise _Bad
        return ("splat", _expr(v[1]), ops)
    if tag == "cond" and n == 4:
        return ("cond", _expr(v[1]), _expr(v[2]), _expr(v[3]))
    if tag == "binop" and n == 4 and type(v[1]) is str:
        return ("binop", v[1], _expr(v[2]), _expr(v[3]))
    if tag == "unop" and n == 3 and type(v[1]) is str:
        return ("unop", v[1], _expr(v[2]))
    if tag == "for" and n == 8 and (v[1] is None or type(v[1]) is str) and type(v[2]) is str and type(v[7]) is bool:
        return ("for", v[1], v[2], _expr(v[3]), None if v[4] is None else _expr(v[4]), _expr(v[5]),
                None if v[6] is None else _expr(v[6]), v[7])
    if tag == "opaque" and n == 2 and type(v[1]) is str:
        return ("opaque", v[1])
    raise _Bad
