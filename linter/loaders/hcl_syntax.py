"""HCL text -> the syntax tree of hcl_tree (blocks, attributes and expressions, with positions).

With `grammar`, the only modules that import `hcl2` (python-hcl2 8.x). It uses the raw parse tree, which keeps
line and column of every block and attribute (hcl_convert turns it into the tree). A large file is
parsed a piece at a time. Terraform JSON syntax is in tf_json.
"""
from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from . import grammar
from .hcl_convert import Converter
from .hcl_tree import MAX_DIGITS, MAX_NESTING, Attribute, Block, Expr, HclSyntaxError, ParsedFile, too_deep

if TYPE_CHECKING:
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

__all__ = [
    "MAX_DIGITS", "MAX_NESTING", "Attribute", "Block", "Expr", "HclSyntaxError", "ParsedFile",
    "CHUNK_CHARS", "chunks", "join_pieces", "parse_hcl", "parse_piece",
]


def parse_hcl(text: str, path: str) -> ParsedFile:
    """Parse HCL native syntax; raise HclSyntaxError with a position on failure."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

    if not text.endswith("\n"):
        text += "\n"
    limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(max(limit, 20000))
        if len(text) > CHUNK_CHARS:
            chunked = _parse_in_chunks(text, path)
            if chunked is not None:
                return chunked
        tree = grammar.parser().parse(text + "\n")  # what hcl2.parses_to_tree does, with our parser
        converter = Converter()
        body = converter.body(tree.children[0], "", [], 1, 1)
        body.end_line = text.count("\n") + 1
        return ParsedFile(path, body, converter.comments)
    except (UnexpectedToken, UnexpectedCharacters) as exc:
        raise _unexpected(text, exc) from None
    except UnexpectedEOF:
        raise HclSyntaxError("unexpected end of file (unclosed block or bracket?)", text.count("\n"), 1) from None
    except UnexpectedInput as exc:
        raise HclSyntaxError("syntax error", getattr(exc, "line", None), getattr(exc, "column", None)) from None
    except RecursionError:
        raise too_deep() from None
    finally:
        sys.setrecursionlimit(limit)



def _unexpected(text: str, exc: UnexpectedToken | UnexpectedCharacters) -> HclSyntaxError:
    """The error for what lark could not parse, said as an HCL user would understand it."""
    from lark.exceptions import UnexpectedCharacters

    # lark lets a quoted string run on over line ends and fails further down: point at its start
    split = _split_string(text)
    failed_at = (exc.line, exc.column) if isinstance(exc.line, int) and isinstance(exc.column, int) else (len(text), 0)
    if split is not None and split <= failed_at:
        return HclSyntaxError("unterminated string (a quoted string cannot span lines)", *split)
    if isinstance(exc, UnexpectedCharacters):
        pos = cast("int | None", exc.pos_in_stream)  # lark declares it None; its subclasses set an int
        char = text[pos] if pos is not None and 0 <= pos < len(text) else "?"
        return HclSyntaxError(f"unexpected character {char!r}", exc.line, exc.column)
    return _unexpected_token(exc)


def _unexpected_token(exc: UnexpectedToken) -> HclSyntaxError:
    tok = exc.token
    if tok.type == "$END":
        if "STRING_CHARS" in (exc.expected or ()):  # the end came inside a quoted string
            return HclSyntaxError('unterminated string (no closing ")', exc.line, exc.column)
        return HclSyntaxError("unexpected end of file (unclosed block or bracket?)", exc.line, exc.column)
    if tok.type == "STRING_CHARS":
        # outside a string, the lexer swallows the rest of the line as string characters
        raw = str(tok)
        if raw.startswith("<<"):
            return HclSyntaxError("unterminated heredoc (no line with its closing marker)", exc.line, exc.column)
        if not raw.strip():
            return HclSyntaxError("expected a value", exc.line, exc.column)
        return HclSyntaxError(f"unexpected character {raw.strip()[0]!r}", exc.line, exc.column)
    shown = str(tok).strip() or tok.type
    return HclSyntaxError(f"unexpected {_describe(shown)}", exc.line, exc.column)


CHUNK_CHARS = 512 * 1024
"""A larger file is parsed a piece at a time: the parse tree of one piece is all that is in memory."""
_TOP_LEVEL = re.compile(
    r"^(?:resource|data|module|variable|output|locals|provider|terraform|moved|import|check|removed)\b", re.M)


def chunks(text: str, size: int | None = None) -> list[tuple[int, int]]:
    """Where to cut `text` into pieces of about `size` characters: (start, end) pairs, each cut at
    the start of a line that opens a top-level block. A cut inside a comment, heredoc or bracket
    leaves a piece that does not parse: the caller then parses the whole text instead."""
    size = CHUNK_CHARS if size is None else size
    cuts = [0]
    while True:
        m = _TOP_LEVEL.search(text, cuts[-1] + size)
        if m is None:
            break
        cuts.append(m.start())
    return list(zip(cuts, cuts[1:] + [len(text)], strict=True))


def _parse_in_chunks(text: str, path: str, size: int | None = None) -> ParsedFile | None:
    """The file parsed piece by piece, the same as parsed whole; None when a piece does not parse
    alone (then the whole text is parsed, and its error is the one reported)."""
    pieces = chunks(text, size)
    if len(pieces) < 2:
        return None
    parts = []
    for start, end in pieces:
        part = parse_piece(text, start, end)
        if part is None:
            return None
        parts.append(part)
    return join_pieces(path, text, parts)


def join_pieces(path: str, text: str, parts: Sequence[ParsedFile | None]) -> ParsedFile | None:
    """One file from its pieces, in order; None if one did not parse or an argument is set in two."""
    root = Block("", [], 1, 1, text.count("\n") + 1, 1)
    comments: list[tuple[int, str]] = []
    for part in parts:
        if part is None:
            return None
        for name, attr in part.body.attributes.items():
            if name in root.attributes:
                return None  # set twice: the whole parse says where
            root.attributes[name] = attr
        root.blocks.extend(part.body.blocks)
        comments.extend(part.comments)
    return ParsedFile(path, root, comments)


def parse_piece(text: str, start: int, end: int) -> ParsedFile | None:
    """`text[start:end]` parsed with the lines and columns it has in `text` (pieces start at a line
    start: only lines move); None when it does not parse alone."""
    from lark.exceptions import LarkError

    limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(max(limit, 20000))
        tree = grammar.parser().parse(text[start:end] + "\n")
        converter = Converter()
        body = converter.body(tree.children[0], "", [], 1, 1)
    except (LarkError, HclSyntaxError, RecursionError):
        return None
    finally:
        sys.setrecursionlimit(limit)
    offset = text.count("\n", 0, start)
    if offset:
        stack = list(body.blocks)
        for attr in body.attributes.values():
            _shift(attr, offset)
        while stack:
            block = stack.pop()
            _shift(block, offset)
            for attr in block.attributes.values():
                _shift(attr, offset)
            stack.extend(block.blocks)
    return ParsedFile("", body, [(line + offset, c) for line, c in converter.comments])


def _shift(node: Block | Attribute, lines: int) -> None:
    node.line += lines
    node.end_line += lines


_HEREDOC_START = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n")


def _split_string(text: str) -> tuple[int, int] | None:
    """Line and column of the first quoted string that runs past the end of its line, if any.

    A small scanner that knows comments, heredocs and `${...}` nesting, run only on failure.
    """
    stack: list[int] = []  # open strings (their start) and, as -1, open braces and interpolations
    i, n = 0, len(text)
    while i < n:
        if stack and stack[-1] >= 0:  # inside a quoted string
            if text[i] == "\n":
                start = stack[-1]
                return text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start)
            i = _string_step(text, i, stack)
        else:
            i = _code_step(text, i, stack)
            if i < 0:
                return None  # a heredoc that is never closed: the scanner cannot tell
    return None


def _string_step(text: str, i: int, stack: list[int]) -> int:
    """Past one character (or escape, or interpolation start) inside a quoted string."""
    c = text[i]
    if c == "\\" or text.startswith(("$${", "%%{"), i):
        return i + (3 if c != "\\" else 2)
    if c == '"':
        stack.pop()
    elif text.startswith(("${", "%{"), i):
        stack.append(-1)
        return i + 2
    return i + 1


def _code_step(text: str, i: int, stack: list[int]) -> int:
    """Past one character, comment or heredoc outside quoted strings; -1 for a heredoc never closed."""
    c = text[i]
    if c == "#" or text.startswith("//", i):
        end = text.find("\n", i)
        return len(text) if end < 0 else end
    if text.startswith("/*", i):
        end = text.find("*/", i + 2)
        return len(text) if end < 0 else end + 2
    if (m := _HEREDOC_START.match(text, i)) is not None:
        closing = re.compile(r"^[ \t]*" + re.escape(m.group(1)) + r"[ \t]*$", re.M).search(text, m.end())
        return -1 if closing is None else closing.end()
    if c == '"':
        stack.append(i)
    elif c == "{" and stack:
        stack.append(-1)
    elif c == "}" and stack:
        stack.pop()
    return i + 1


def _describe(token: str) -> str:
    token = token.replace("\n", "\\n")
    if len(token) > 30:
        token = token[:27] + "..."
    return repr(token)

