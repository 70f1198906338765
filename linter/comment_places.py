"""Where a comment is in its file: the parser keeps a comment's text, not its line, and a
suppression finding must point at the comment."""
from __future__ import annotations

import bisect
import re

from .model import Span
from .records import record

_DIRECTIVE = re.compile(r"vpcep-lint\s*:\s*\w{1,40}\s*\[[^\]]{0,400}\]")
_MARKERS = re.compile(r"#|//|/\*")
_MAX_MARKERS = 16


class CommentLines:
    """Source lines, read once per file, to find where a comment is.

    Each file is indexed once: every line by what follows each comment marker on it (the text
    the parser keeps for a comment) and by the suppression directive it holds. Finding a comment
    is then a lookup, so that thousands of suppression comments cost thousands of lookups, not
    thousands of scans of the file.
    """

    def __init__(self) -> None:
        self._files: dict[str, _FileLines | None] = {}

    def get(self, path: str) -> list[str] | None:
        f = self._file(path)
        return f.lines if f is not None else None

    def _file(self, path: str) -> _FileLines | None:
        if path not in self._files:
            self._files[path] = _FileLines.read(path)
        return self._files[path]

    def comment_start(self, path: str, line: int) -> int:
        """`line`, or where the block comment ending on `line` starts."""
        lines = self.get(path)
        if not lines or not 1 <= line <= len(lines) or not lines[line - 1].rstrip().endswith("*/"):
            return line
        start = line
        while start > 1 and "/*" not in lines[start - 1] and line - start < 100:
            start -= 1
        return start

    def find(self, path: str, text: str, first: int = 1, last: int | None = None) -> Span | None:
        """The comment's place: its whole text, else (a block comment over lines) its `vpcep-lint: ignore[...]`."""
        f = self._file(path)
        if f is None:
            return None
        stop = len(f.lines) if last is None else min(last, len(f.lines))
        first = max(first, 1)
        at = f.first_index(f.by_tail, text, first, stop)
        if at is None:
            at = f.scan(text, first, stop)
        if at is None:
            directive = directive_of(text)
            if directive is not None:
                at = f.first_index(f.by_directive, directive, first, stop) or f.scan(directive, first, stop)
                text = directive
        if at is None:
            return None
        return Span(path, at, f.lines[at - 1].find(text) + 1)


@record
class _FileLines:
    lines: list[str]
    by_tail: dict[str, list[int]]
    by_directive: dict[str, list[int]]
    text: str
    starts: list[int]

    @classmethod
    def read(cls, path: str) -> _FileLines | None:
        from .loaders.sources import MAX_SOURCE_BYTES, ReadError, read_bytes

        try:
            data = read_bytes(path, MAX_SOURCE_BYTES)
        except ReadError:
            return None
        text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
        lines = text.splitlines()
        by_tail: dict[str, list[int]] = {}
        by_directive: dict[str, list[int]] = {}
        for n, line in enumerate(lines, 1):
            for i, m in enumerate(_MARKERS.finditer(line)):
                if i == _MAX_MARKERS:
                    break
                by_tail.setdefault(line[m.start():].strip(), []).append(n)
            if "vpcep-lint" in line:
                d = directive_of(line)
                if d is not None:
                    by_directive.setdefault(d, []).append(n)
        joined = "\n".join(lines)
        starts = [0]
        for line in lines:
            starts.append(starts[-1] + len(line) + 1)
        return cls(lines, by_tail, by_directive, joined, starts)

    @staticmethod
    def first_index(index: dict[str, list[int]], key: str, first: int, stop: int) -> int | None:
        found = index.get(key)
        if not found:
            return None
        i = bisect.bisect_left(found, first)
        return found[i] if i < len(found) and found[i] <= stop else None

    def scan(self, needle: str, first: int, stop: int) -> int | None:
        """The first line in [first, stop] holding `needle`, by one search of the file's text."""
        if first > stop or not needle or "\n" in needle:
            return None
        end = self.starts[stop] - 1 if stop < len(self.starts) else len(self.text)
        at = self.text.find(needle, self.starts[first - 1], end)
        if at < 0:
            return None
        return bisect.bisect_right(self.starts, at)


def directive_of(text: str) -> str | None:
    """`vpcep-lint: ignore[...]` at the first `vpcep-lint` of `text` (one match: linear, whatever the text)."""
    at = text.find("vpcep-lint")
    if at < 0:
        return None
    m = _DIRECTIVE.match(text, at)
    return m.group(0) if m else None
