"""Finding, reading and parsing the files of a module tree, with clear errors and a cache."""
from __future__ import annotations

import os
import stat
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

from ..model import InputError
from .hcl_tree import MAX_NESTING, Attribute, Block, HclSyntaxError, ParsedFile
from .real_paths import LISTED, RUN_MEMOS, forget_real_paths, outside, real_path

__all__ = ["RUN_MEMOS", "forget_real_paths", "outside", "real_path"]  # kept importable from here

if TYPE_CHECKING:
    from .module_def import ModuleDef


class ParseCache(Protocol):
    """Parsed files kept between runs (loaders.cache), keyed by their text."""

    written: int
    """Entries this process has written (the cache is pruned after a run that wrote some)."""

    def get(self, text: str, path: str) -> ParsedFile | None: ...

    def put(self, text: str, path: str, parsed: ParsedFile) -> None: ...


def decode(data: bytes | bytearray, path: str) -> str | InputError:
    """Bytes -> text: UTF-8 (a BOM is allowed), UTF-16 (Windows shells write it); anything else is an error."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_json(data):
        with_bom = data[:2] in (b"\xff\xfe", b"\xfe\xff")
        encoding = "utf-16" if with_bom else ("utf-16-le" if data[1] == 0 else "utf-16-be")
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            return InputError(path, "not valid UTF-16 text")
    if data.startswith(b"PK\x03\x04"):
        return InputError(path, "a saved plan file (binary); lint `terraform show -json PLANFILE` output instead")
    if b"\x00" in data[:8192]:
        return InputError(path, "binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return InputError(path, f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", line, column)


def _utf16_json(data: bytes | bytearray) -> bool:
    """UTF-16 without a byte order mark: `{` or `[` with a zero byte beside it."""
    return len(data) >= 2 and (data[0:1] in (b"{", b"[") and data[1] == 0 or data[0] == 0 and data[1:2] in (b"{", b"["))


MAX_SOURCE_BYTES = 32 * 1024 * 1024
"""The largest .tf, .tf.json or .tfvars file read (docs/security.md, benchmarks/RESULTS.md)."""
MAX_DOCUMENT_BYTES = 512 * 1024 * 1024
"""The largest plan or state document read."""
MAX_SETTINGS_BYTES = 4 * 1024 * 1024
"""The largest configuration file read."""
MAX_BASELINE_BYTES = 256 * 1024 * 1024
"""The largest baseline (a JSON report) read."""

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


class ReadError(Exception):
    """Why a file was not read: the message of an InputError, a ConfigError..."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_bytes(path: str, limit: int | None = None, *, dir_fd: int | None = None, nofollow: bool = False,
               head: bool = False) -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them; raise ReadError otherwise
    (with `head`, a larger file gives its first `limit` bytes instead).

    The one way any file is read. Opened without blocking (a FIFO would block `open` itself),
    then checked on the open descriptor: a directory, FIFO, socket or device is refused before a
    byte is read, and a file larger than `limit` is refused without reading it all.
    """
    fd = _open(path, _OPEN_FLAGS | (getattr(os, "O_NOFOLLOW", 0) if nofollow else 0), dir_fd)
    try:
        st = os.fstat(fd)
        _check_size_and_kind(st, limit, head)
        with os.fdopen(fd, "rb", buffering=0, closefd=False) as fh:
            return _read_capped(fh, st.st_size, limit, head)
    except MemoryError:
        raise ReadError("not enough memory to read the file") from None
    except OSError as exc:
        raise ReadError(f"cannot read file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _open(path: str, flags: int, dir_fd: int | None) -> int:
    """A descriptor open on `path` (relative to `dir_fd` when given); ReadError when it cannot be opened."""
    try:
        return os.open(path, flags, dir_fd=dir_fd) if dir_fd is not None else os.open(path, flags)
    except PermissionError:
        raise ReadError("cannot read file: permission denied") from None
    except IsADirectoryError:
        raise ReadError("is a directory") from None
    except (OSError, ValueError) as exc:
        raise ReadError(f"cannot read file: {getattr(exc, 'strerror', None) or exc}") from None


def _check_size_and_kind(st: os.stat_result, limit: int | None, head: bool) -> None:
    """ReadError for a directory, a FIFO, socket or device, or (without `head`) a file over `limit`."""
    if stat.S_ISDIR(st.st_mode):
        raise ReadError("is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise ReadError("not a regular file (a FIFO, socket or device)")
    if limit is not None and st.st_size > limit and not head:
        raise ReadError(f"file too large ({st.st_size:,} bytes; the limit is {limit:,})")


def _read_capped(fh: BinaryIO, size: int, limit: int | None, head: bool) -> bytes:
    """The bytes of an open file of `size` bytes, never more than `limit` (the first `limit` with `head`)."""
    if head and limit is not None:
        return fh.read(limit)
    cap = (limit if limit is not None else size) + 1
    data = fh.read(min(size, cap - 1) + 1)
    if len(data) > size:  # it grows while we read: never more than the limit
        rest = fh.read(max(cap - len(data), 0)) if limit is not None else fh.read()
        data += rest or b""
        if limit is not None and len(data) > limit:
            raise ReadError(f"file too large (more than {limit:,} bytes)")
    return data


def read_text(path: str, limit: int | None = None) -> str | InputError:
    """A source or document as text (decoded as `decode` does), or why it cannot be."""
    if limit is None:
        document = path.endswith(".json") and not path.endswith((".tf.json", ".tfvars.json"))
        limit = MAX_DOCUMENT_BYTES if document else MAX_SOURCE_BYTES
    try:
        data = read_bytes(path, limit)
    except ReadError as exc:
        return InputError(path, exc.message)
    try:
        return decode(data, path)
    except MemoryError:
        return InputError(path, "not enough memory to read the file")


def read_stream(stream: Any, limit: int | None = None) -> bytes | bytearray:
    """At most `limit` bytes of a stream (standard input); ReadError when there is more."""
    limit = MAX_DOCUMENT_BYTES if limit is None else limit
    data = bytearray()
    while True:  # in chunks: read(limit) would allocate the whole limit up front
        chunk = stream.read(min(1 << 20, limit + 1 - len(data)))
        if not chunk:
            return data
        data += chunk
        if len(data) > limit:
            raise ReadError(f"more than {limit:,} bytes on standard input")


class SourceSet:
    """The files one run reads; parsed files are shared between loaders of one run."""

    def __init__(self, cache: ParseCache | None = None, cwd: str | None = None,
                 boundary_of: Callable[[str], tuple[str, str, str, str]] | None = None) -> None:
        self.cache = cache
        self.cwd = os.path.realpath(cwd or os.getcwd())
        self.boundary_of = boundary_of
        """For a directory: the boundary its files must resolve within and how to name it, then the
        boundary (and its name) for a file that is itself a symbolic link. With it, no caller can
        read a file of a module tree through a link out of its boundary."""
        self._boundaries: dict[str, tuple[str, str, str, str]] = {}
        self._parsed: dict[str, ParsedFile | InputError] = {}
        self._defs: dict[str, ModuleDef | None] = {}
        self._shown: dict[str, str] = {}
        # by block, made once per run (a module's blocks are shared by every root that calls it):
        self.spans: dict[int, tuple[Any, ...]] = {}  # source places (`ResourceBuilding._spans`)
        self.var_types: dict[int, tuple[Any, Any]] = {}  # declared types (`HclLoader.module_arg`)
        self.codes: dict[int, Any] = {}  # expressions seen, then compiled (`Evaluator.eval`)
        self.comments: dict[int, tuple[Any, str, tuple[str, ...]]] = {}  # `ResourceBuilding._comments`
        self._by_text: dict[tuple[str, str], ParsedFile] = {}
        """Files parsed so far by kind and text: roots often hold files of the same text (their
        `variables.tf`, `versions.tf`), parsed or decoded from the cache once per run."""

    def display(self, path: str) -> str:
        """A path as users see it: relative to the working directory when below it, POSIX separators."""
        shown = self._shown.get(path)
        if shown is None:
            shown = self._shown[path] = self._display(path)
        return shown

    def _display(self, path: str) -> str:
        absolute = os.path.abspath(path)
        real = real_path(absolute)
        for base in (self.cwd,):
            for candidate in (absolute, real):
                if candidate == base:
                    return "."
                if candidate.startswith(base.rstrip(os.sep) + os.sep):
                    return os.path.relpath(candidate, base).replace(os.sep, "/")
        return absolute.replace(os.sep, "/")

    @staticmethod
    def module_files(directory: str) -> list[str]:
        found = SourceSet.list_module_files(directory)
        return [] if isinstance(found, InputError) else found

    @staticmethod
    def list_module_files(directory: str) -> list[str] | InputError:
        """The `.tf` and `.tf.json` files of a module directory, or why it cannot be listed (listed
        once per run: the scan, the parse workers and the loader all ask)."""
        found = LISTED.get(directory)
        if found is None:
            listed = SourceSet._list_module_files(directory)
            if isinstance(listed, InputError):
                return listed  # said by whoever asks (a fresh error each time)
            found = LISTED[directory] = listed
        return list(found)

    @staticmethod
    def _list_module_files(directory: str) -> list[str] | InputError:
        try:
            names = sorted(os.listdir(directory))
        except PermissionError:
            return InputError(directory, "cannot read directory: permission denied")
        except (OSError, ValueError) as exc:
            return InputError(directory, f"cannot read directory: {getattr(exc, 'strerror', None) or exc}")
        out = []
        for name in names:
            if name.endswith((".tf", ".tf.json")) and not name.startswith("."):
                path = os.path.join(directory, name)
                if not os.path.isdir(path):  # a broken link or a special file is read, and reported
                    out.append(path)
        return out

    @staticmethod
    def tfvars_files(directory: str) -> list[str]:
        """What Terraform reads without -var-file, in its order: terraform.tfvars(.json), *.auto.tfvars(.json)."""
        out = []
        for name in ("terraform.tfvars", "terraform.tfvars.json"):
            path = os.path.join(directory, name)
            if os.path.lexists(path):  # read, and reported when it is not a regular file, as *.auto.tfvars are
                out.append(path)
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            names = []
        out += [os.path.join(directory, n) for n in names if n.endswith((".auto.tfvars", ".auto.tfvars.json"))]
        return out

    def parse(self, path: str, boundary: str | None = None, where: str = "the boundary") -> ParsedFile | InputError:
        """The parsed file; with a `boundary` (`where` names it), a file that resolves outside it is not
        read: a note says so."""
        key = os.path.abspath(path)
        if key in self._parsed:
            return self._parsed[key]
        if self.boundary_of is not None:
            directory = os.path.dirname(key)
            if directory not in self._boundaries:
                self._boundaries[directory] = self.boundary_of(directory)
            default, default_where, links, links_where = self._boundaries[directory]
            if boundary is None:
                boundary, where = default, default_where
            if links != default and os.path.islink(path) and outside(path, links) is not None:
                note = self._parsed[key] = self.outside_note(path, links_where)
                return note
        if boundary is not None and outside(path, boundary) is not None:
            note = self._parsed[key] = self.outside_note(path, where)
            return note
        result = self._parse(path)
        self._parsed[key] = result
        return result

    def outside_note(self, path: str, where: str = "the boundary") -> InputError:
        return InputError(self.display(path), f"a symbolic link to a file outside {where}; not read", note=True)

    def parsed_paths(self) -> set[str]:
        """The paths of the files parsed so far, as they were found (not as they are shown)."""
        return {r.path for r in self._parsed.values() if isinstance(r, ParsedFile)}

    def prime(self, results: dict[str, ParsedFile | InputError]) -> None:
        """Take files parsed elsewhere (in worker processes)."""
        for path, result in results.items():
            self._parsed[os.path.abspath(path)] = result

    def known(self, text: str, path: str) -> ParsedFile | None:
        """The parsed form of `text` found at `path` when it is known already: a file of the same
        text parsed in this run, or the parse cache's entry for it."""
        same = self._by_text.get((parse_kind(path), text))
        if same is not None:
            return copy_parsed(same, path)
        if self.cache is not None:
            cached = self.cache.get(text, path)
            if cached is not None:
                cached.path = path
                self._by_text[(parse_kind(path), text)] = cached
                return cached
        return None

    def _parse(self, path: str) -> ParsedFile | InputError:
        shown = self.display(path)
        text = read_text(path)
        if isinstance(text, InputError):
            text.source = shown
            return text
        known = self.known(text, path)
        if known is not None:
            return known
        result = parse_source(text, path, shown)
        if isinstance(result, ParsedFile):
            self._by_text[(parse_kind(path), text)] = result
            if self.cache is not None:
                self.cache.put(text, path, result)
        return result

    def module_def(self, directory: str, read: Callable[[str], ModuleDef | None]) -> ModuleDef | None:
        """The module read from `directory` by `read`, once per run however many calls lead there."""
        key = real_path(directory)
        if key not in self._defs:
            self._defs[key] = read(directory)
        return self._defs[key]


def may_be_document(path: str) -> bool:
    """A file that may hold a plan or state: `.json`, but not Terraform's JSON syntax nor a var file."""
    return path.endswith(".json") and not path.endswith((".tf.json", ".tfvars.json"))


def parse_kind(path: str) -> str:
    """What a file's parsed form depends on besides its text: the reader `parse_source` gives it."""
    return "tfvars.json" if path.endswith(".tfvars.json") else "json" if path.endswith(".json") else "hcl"


def copy_parsed(parsed: ParsedFile, path: str) -> ParsedFile:
    """A file of the same text as `parsed`, found at `path`: its own blocks and attributes, the
    expressions (tuples, never changed once parsed) shared."""
    return ParsedFile(path, _copy_block(parsed.body), list(parsed.comments))


def _copy_block(b: Block) -> Block:
    attributes = {k: Attribute(a.name, a.expr, a.line, a.column, a.end_line, a.end_column)
                  for k, a in b.attributes.items()}
    return Block(b.type, list(b.labels), b.line, b.column, b.end_line, b.end_column, attributes,
                 [_copy_block(x) for x in b.blocks])


def parse_source(text: str, path: str, shown: str) -> ParsedFile | InputError:
    from .hcl_syntax import parse_hcl  # imported by the first parse: a run of plans parses nothing
    from .tf_json import parse_tf_json, parse_tfvars_json

    if not text.strip():
        # an empty .tf file is valid Terraform; it just declares nothing
        return ParsedFile(path, _empty_body(text))
    try:
        kind = parse_kind(path)
        if kind == "tfvars.json":
            return parse_tfvars_json(text, path)
        if kind == "json":
            return parse_tf_json(text, path)
        return parse_hcl(text, path)
    except HclSyntaxError as exc:
        message = f"HCL syntax error: {exc.message}" if exc.syntax else exc.message
        return InputError(shown, message, exc.line, exc.column)
    except RecursionError:  # nesting the parser could hold, but not what follows it
        return InputError(shown, f"nesting too deep to parse (more than {MAX_NESTING} levels)")


def _empty_body(text: str) -> Block:
    return Block("", [], 1, 1, text.count("\n") + 1, 1)
