"""Finding, reading and parsing the files of a module tree, with clear errors and a cache."""
from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING, Any

from vpcep_lint.loaders.hcl_syntax import HclSyntaxError, ParsedFile, parse_hcl, parse_tf_json, parse_tfvars_json
from vpcep_lint.model import InputError

if TYPE_CHECKING:
    from vpcep_lint.loaders.cache import ParseCache
    from vpcep_lint.loaders.hcl import HclLoader, ModuleDef

MAX_FILE_BYTES = 64 * 1024 * 1024


def decode(data: bytes, path: str) -> str | InputError:
    """Bytes -> text: UTF-8 (a BOM is allowed), UTF-16 (Windows shells write it); anything else is an error."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_json(data):
        encoding = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-16-le" if data[1] == 0 else "utf-16-be")
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


def _utf16_json(data: bytes) -> bool:
    """UTF-16 without a byte order mark: `{` or `[` with a zero byte beside it."""
    return len(data) >= 2 and (data[0:1] in (b"{", b"[") and data[1] == 0 or data[0] == 0 and data[1:2] in (b"{", b"["))


def read_text(path: str) -> str | InputError:
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            # a FIFO or device would block or never end
            return InputError(path, "is a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file")
        if st.st_size > MAX_FILE_BYTES and not path.endswith(".json"):
            return InputError(path, "file too large to be a Terraform source")
        with open(path, "rb") as fh:
            data = fh.read()
    except MemoryError:
        return InputError(path, "not enough memory to read the file")
    except PermissionError:
        return InputError(path, "cannot read file: permission denied")
    except IsADirectoryError:
        return InputError(path, "is a directory")
    except OSError as exc:
        return InputError(path, f"cannot read file: {exc.strerror or exc}")
    return decode(data, path)


class SourceSet:
    """The files one run reads; parsed files are shared between loaders of one run."""

    def __init__(self, cache: ParseCache | None = None, cwd: str | None = None) -> None:
        self.cache = cache
        self.cwd = os.path.realpath(cwd or os.getcwd())
        self._parsed: dict[str, ParsedFile | InputError] = {}
        self._defs: dict[str, Any] = {}
        self._shown: dict[str, str] = {}

    def display(self, path: str) -> str:
        """A path as users see it: relative to the working directory when below it, POSIX separators."""
        shown = self._shown.get(path)
        if shown is None:
            shown = self._shown[path] = self._display(path)
        return shown

    def _display(self, path: str) -> str:
        absolute = os.path.abspath(path)
        real = os.path.realpath(absolute)
        for base in (self.cwd,):
            for candidate in (absolute, real):
                if candidate == base:
                    return "."
                if candidate.startswith(base.rstrip(os.sep) + os.sep):
                    return os.path.relpath(candidate, base).replace(os.sep, "/")
        return absolute.replace(os.sep, "/")

    @staticmethod
    def module_files(directory: str) -> list[str]:
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            return []
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
            if os.path.isfile(path):
                out.append(path)
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            names = []
        out += [os.path.join(directory, n) for n in names if n.endswith((".auto.tfvars", ".auto.tfvars.json"))]
        return out

    def parse(self, path: str) -> ParsedFile | InputError:
        key = os.path.abspath(path)
        if key in self._parsed:
            return self._parsed[key]
        result = self._parse(path)
        self._parsed[key] = result
        return result

    def parsed_paths(self) -> set[str]:
        """The paths of the files parsed so far, as they were found (not as they are shown)."""
        return {r.path for r in self._parsed.values() if isinstance(r, ParsedFile)}

    def prime(self, results: dict[str, ParsedFile | InputError]) -> None:
        """Take files parsed elsewhere (in worker processes)."""
        for path, result in results.items():
            self._parsed[os.path.abspath(path)] = result

    def _parse(self, path: str) -> ParsedFile | InputError:
        shown = self.display(path)
        text = read_text(path)
        if isinstance(text, InputError):
            text.source = shown
            return text
        if self.cache is not None:
            cached = self.cache.get(text, path)
            if cached is not None:
                cached.path = path
                return cached
        result = parse_source(text, path, shown)
        if self.cache is not None and isinstance(result, ParsedFile):
            self.cache.put(text, path, result)
        return result

    def module_def(self, directory: str, loader: HclLoader) -> ModuleDef | None:
        key = os.path.realpath(directory)
        if key not in self._defs:
            self._defs[key] = loader.definition(directory)
        return self._defs[key]  # type: ignore[no-any-return]


def parse_source(text: str, path: str, shown: str) -> ParsedFile | InputError:
    if not text.strip():
        # an empty .tf file is valid Terraform; it just declares nothing
        return ParsedFile(path, _empty_body(text))
    try:
        if path.endswith(".tfvars.json"):
            return parse_tfvars_json(text, path)
        if path.endswith(".json"):
            return parse_tf_json(text, path)
        return parse_hcl(text, path)
    except HclSyntaxError as exc:
        return InputError(shown, f"HCL syntax error: {exc.message}", exc.line, exc.column)


def _empty_body(text: str) -> Any:
    from vpcep_lint.loaders.hcl_syntax import Block

    return Block("", [], 1, 1, text.count("\n") + 1, 1)
