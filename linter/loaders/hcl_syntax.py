"""HCL text -> a small syntax tree of blocks, attributes and expressions, with positions.

With `grammar`, the only modules that import `hcl2` (python-hcl2 8.x). It uses the raw parse tree, which keeps
line and column of every block and attribute, and turns each expression into plain tuples:

    ("lit", value)                 ("tmpl", [str | expr, ...])     ("var", name)
    ("attr", expr, name)           ("index", expr, key_expr)       ("splat", expr, [op, ...])
    ("call", name, [expr], expand) ("tuple", [expr])               ("object", [(key, value)])
    ("cond", c, a, b)              ("binop", op, a, b)             ("unop", op, a)
    ("for", key_var, value_var, collection, key_expr | None, value_expr, cond | None, group)
    ("opaque", reason)             (a template directive or anything not evaluated)

Plain data only, which lets parsed files be cached as JSON (cache.py).
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from ..loaders import grammar, jsontext

Expr = tuple[Any, ...]


@dataclass
class Attribute:
    name: str
    expr: Expr
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass
class Block:
    type: str
    labels: list[str]
    line: int
    column: int
    end_line: int
    end_column: int
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)


@dataclass
class ParsedFile:
    path: str
    body: Block
    comments: list[tuple[int, str]] = field(default_factory=list)


class HclSyntaxError(Exception):
    """A file that cannot be read as HCL: `syntax` False for one that parses but holds what no
    Terraform value can be (an escape that is no character, a number too long, nesting too deep)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None, syntax: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.syntax = syntax


MAX_NESTING = 128
"""Blocks, brackets and calls nested deeper than this are an input error (Terraform code stays
far below; deeper would only exhaust the stack later)."""
MAX_DIGITS = 4300
"""The longest integer literal read (Python's own limit for converting text to int)."""


def _too_deep(line: int | None = None, column: int | None = None) -> HclSyntaxError:
    return HclSyntaxError(f"nesting too deep to parse (more than {MAX_NESTING} levels)", line, column, syntax=False)


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
        converter = _Converter()
        body = converter.body(tree.children[0], "", [], 1, 1)
        body.end_line = text.count("\n") + 1
        return ParsedFile(path, body, converter.comments)
    except (UnexpectedToken, UnexpectedCharacters) as exc:
        # lark lets a quoted string run on over line ends and fails further down: point at its start
        split = _split_string(text)
        failed_at = (exc.line, exc.column) if isinstance(exc.line, int) and isinstance(exc.column, int) else (len(text), 0)
        if split is not None and split <= failed_at:
            raise HclSyntaxError("unterminated string (a quoted string cannot span lines)", *split) from None
        if isinstance(exc, UnexpectedCharacters):
            char = text[exc.pos_in_stream] if 0 <= exc.pos_in_stream < len(text) else "?"
            raise HclSyntaxError(f"unexpected character {char!r}", exc.line, exc.column) from None
        tok = exc.token
        shown = str(tok).strip() or tok.type
        if tok.type == "$END":
            if "STRING_CHARS" in (exc.expected or ()):  # the end came inside a quoted string
                raise HclSyntaxError('unterminated string (no closing ")', exc.line, exc.column) from None
            raise HclSyntaxError("unexpected end of file (unclosed block or bracket?)", exc.line, exc.column) from None
        if tok.type == "STRING_CHARS":
            # outside a string, the lexer swallows the rest of the line as string characters
            raw = str(tok)
            if raw.startswith("<<"):
                raise HclSyntaxError("unterminated heredoc (no line with its closing marker)", exc.line, exc.column) from None
            if not raw.strip():
                raise HclSyntaxError("expected a value", exc.line, exc.column) from None
            raise HclSyntaxError(f"unexpected character {raw.strip()[0]!r}", exc.line, exc.column) from None
        raise HclSyntaxError(f"unexpected {_describe(shown)}", exc.line, exc.column) from None
    except UnexpectedEOF:
        raise HclSyntaxError("unexpected end of file (unclosed block or bracket?)", text.count("\n"), 1) from None
    except UnexpectedInput as exc:
        raise HclSyntaxError("syntax error", getattr(exc, "line", None), getattr(exc, "column", None)) from None
    except RecursionError:
        raise _too_deep() from None
    finally:
        sys.setrecursionlimit(limit)


CHUNK_CHARS = 512 * 1024
"""A larger file is parsed a piece at a time: the parse tree of one piece is all that is in memory."""
_TOP_LEVEL = re.compile(r"^(?:resource|data|module|variable|output|locals|provider|terraform|moved|import|check|removed)\b", re.M)


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
    return list(zip(cuts, cuts[1:] + [len(text)]))


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


def join_pieces(path: str, text: str, parts: list[ParsedFile | None]) -> ParsedFile | None:
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
        converter = _Converter()
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
        c = text[i]
        if stack and stack[-1] >= 0:  # inside a quoted string
            if c == "\\" or text.startswith(("$${", "%%{"), i):
                i += 3 if c != "\\" else 2
            elif c == "\n":
                start = stack[-1]
                return text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start)
            elif c == '"':
                stack.pop()
                i += 1
            elif text.startswith(("${", "%{"), i):
                stack.append(-1)
                i += 2
            else:
                i += 1
            continue
        if c == "#" or text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif (m := _HEREDOC_START.match(text, i)) is not None:
            closing = re.compile(r"^[ \t]*" + re.escape(m.group(1)) + r"[ \t]*$", re.M).search(text, m.end())
            if closing is None:
                return None
            i = closing.end()
        elif c == '"':
            stack.append(i)
            i += 1
        elif c == "{" and stack:
            stack.append(-1)
            i += 1
        elif c == "}" and stack:
            stack.pop()
            i += 1
        else:
            i += 1
    return None


def _describe(token: str) -> str:
    token = token.replace("\n", "\\n")
    if len(token) > 30:
        token = token[:27] + "..."
    return repr(token)


def _pos(node: Any) -> tuple[int, int, int, int]:
    meta = getattr(node, "meta", None)
    if meta is None or getattr(meta, "empty", True):
        line = getattr(node, "line", 1) or 1
        col = getattr(node, "column", 1) or 1
        return line, col, getattr(node, "end_line", line) or line, getattr(node, "end_column", col) or col
    return meta.line, meta.column, meta.end_line, meta.end_column


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE_RE = re.compile(r'\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)', re.S)


class _BadEscape(Exception):
    pass


def _unescape(raw: str) -> str:
    if "\\" not in raw:
        return raw

    def repl(m: re.Match[str]) -> str:
        s = m.group(1)
        if len(s) > 1 and s[0] in "uU":  # a lone `\u` (no hex digits after it) is kept as written
            code = int(s[1:], 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                # no Unicode character has that number (a surrogate is half of a UTF-16 pair)
                raise _BadEscape(f"invalid escape \\{s}: not a Unicode character")
            return chr(code)
        return _ESCAPES.get(s, "\\" + s)

    return _ESCAPE_RE.sub(repl, raw)


def _unescape_at(raw: str, node: Any) -> str:
    try:
        return _unescape(raw)
    except _BadEscape as exc:
        line, col, _, _ = _pos(node)
        raise HclSyntaxError(str(exc), line, col, syntax=False) from None


def _is(node: Any, text: str) -> bool:
    """`node` is the token `text` (never renders a subtree: str() of a Tree prints all of it)."""
    return isinstance(node, str) and node == text


class _Converter:
    def __init__(self) -> None:
        self.comments: list[tuple[int, str]] = []
        self.depth = 0

    def _enter(self, node: Any) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            line, col, _, _ = _pos(node)
            raise _too_deep(line, col)

    def _note_comments(self, node: Any) -> None:
        for tok in node.children:
            value = str(tok)
            if "#" not in value and "/" not in value:
                continue  # blank lines only
            line = getattr(tok, "line", None) or 1
            pieces = value.split("\n")
            i = 0
            while i < len(pieces):
                stripped = pieces[i].strip()
                if stripped.startswith("/*") and "*/" not in stripped:
                    # a block comment over several lines is one comment, placed on its last line
                    j = i
                    while j + 1 < len(pieces) and "*/" not in pieces[j]:
                        j += 1
                    self.comments.append((line + j, " ".join(p.strip() for p in pieces[i:j + 1])))
                    i = j + 1
                    continue
                if stripped.startswith(("#", "//", "/*")):
                    self.comments.append((line + i, stripped))
                i += 1

    def body(self, node: Any, btype: str, labels: list[str], line: int, col: int) -> Block:
        self._enter(node)
        try:
            return self._body(node, btype, labels, line, col)
        finally:
            self.depth -= 1

    def _body(self, node: Any, btype: str, labels: list[str], line: int, col: int) -> Block:
        block = Block(btype, labels, line, col, line, col)
        for child in node.children:
            kind = getattr(child, "data", None)
            if kind == "attribute":
                name = self._name(child.children[0])
                expr = self.expr(child.children[-1])
                l1, c1, l2, c2 = _pos(child)
                if name in block.attributes:  # HCL: "Attribute redefined"
                    first = block.attributes[name].line
                    raise HclSyntaxError(f"argument {name!r} is set twice (first on line {first})", l1, c1)
                block.attributes[name] = Attribute(name, expr, l1, c1, l2, c2)
            elif kind == "block":
                block.blocks.append(self.block(child))
            elif kind == "new_line_or_comment":
                self._note_comments(child)
        for sub in block.blocks:
            name = sub.labels[0] if sub.type == "dynamic" and sub.labels else sub.type
            if btype and name in block.attributes:  # Terraform: a name is an argument or a block type, never both
                first = block.attributes[name].line
                raise HclSyntaxError(f"{name!r} is set as an argument (line {first}) and as a block", sub.line, sub.column)
        return block

    def block(self, node: Any) -> Block:
        parts = node.children
        btype = self._name(parts[0])
        labels: list[str] = []
        body_node = None
        for p in parts[1:]:
            kind = getattr(p, "data", None)
            if kind == "string":
                labels.append("".join(str(x) if isinstance(x, str) else "" for x in self._string_parts(p)))
            elif kind in ("identifier", "keyword", "literal_value"):
                labels.append(self._name(p))
            elif kind == "body":
                body_node = p
            elif kind == "new_line_or_comment":
                self._note_comments(p)
        l1, c1, l2, c2 = _pos(node)
        block = self.body(body_node, btype, labels, l1, c1) if body_node is not None else Block(btype, labels, l1, c1, l2, c2)
        block.end_line, block.end_column = l2, c2
        return block

    @staticmethod
    def _name(node: Any) -> str:
        if hasattr(node, "children"):
            return str(node.children[0])
        return str(node)

    def _string_parts(self, node: Any) -> list[Any]:
        out: list[Any] = []
        for part in node.children:
            if getattr(part, "data", None) != "string_part":
                continue
            inner = part.children[0]
            kind = getattr(inner, "data", None)
            if kind is None:
                tok = str(inner)
                if getattr(inner, "type", "") == "ESCAPED_INTERPOLATION":
                    out.append(tok[1:])
                elif getattr(inner, "type", "") == "ESCAPED_DIRECTIVE":
                    out.append(tok[1:])
                else:
                    out.append(_unescape_at(tok, inner))
            elif kind == "interpolation":
                out.append(self.expr(inner.children[1]))
            else:
                out.append(("opaque", "template directive"))
        return out

    def expr(self, node: Any) -> Expr:
        kind = getattr(node, "data", None)
        if kind is None:  # a bare token
            return ("lit", str(node))
        if kind == "expr_term":  # a wrapper around every term: not a level of its own
            return self._expr(node, kind)
        self._enter(node)
        try:
            return self._expr(node, kind)
        finally:
            self.depth -= 1

    def _expr(self, node: Any, kind: str) -> Expr:
        ch = [c for c in node.children if getattr(c, "data", None) != "new_line_or_comment"]
        if kind == "expr_term":
            if len(ch) == 3 and _is(ch[0], "("):
                return self.expr(ch[1])
            return self.expr(ch[0])
        if kind == "int_lit":
            digits = str(ch[0])
            if len(digits) > MAX_DIGITS:
                line, col, _, _ = _pos(node)
                raise HclSyntaxError(f"a number of {len(digits):,} digits (at most {MAX_DIGITS:,} are read)", line, col, syntax=False)
            return ("lit", int(digits))
        if kind == "float_lit":
            return ("lit", float(str(ch[0])))
        if kind == "literal_value":
            return ("lit", {"true": True, "false": False, "null": None}[str(ch[0])])
        if kind == "string":
            parts = self._string_parts(node)
            if all(isinstance(p, str) for p in parts):
                return ("lit", "".join(parts))
            if len(parts) == 1:
                return parts[0]
            return ("tmpl", parts)
        if kind in ("heredoc_template", "heredoc_template_trim"):
            return _heredoc(str(ch[0]), kind == "heredoc_template_trim")
        if kind == "template_string":
            return ("lit", _unescape_at(str(ch[0])[2:-2], node))
        if kind == "identifier":
            return ("var", str(ch[0]))
        if kind == "get_attr_expr_term":
            return ("attr", self.expr(ch[0]), self._name(ch[1].children[-1]))
        if kind == "index_expr_term":
            idx = ch[1]
            if idx.data == "short_index":
                return ("index", self.expr(ch[0]), ("lit", int(str(idx.children[-1]))))
            inner = [c for c in idx.children if getattr(c, "data", None) not in (None, "new_line_or_comment")]
            return ("index", self.expr(ch[0]), self.expr(inner[0]))
        if kind in ("attr_splat_expr_term", "full_splat_expr_term"):
            ops: list[Expr] = []
            for op in ch[1].children:
                okind = getattr(op, "data", None)
                if okind == "get_attr":
                    ops.append(("attr", self._name(op.children[-1])))
                elif okind == "short_index":
                    ops.append(("index", ("lit", int(str(op.children[-1])))))
                elif okind == "braces_index":
                    inner = [c for c in op.children if getattr(c, "data", None) not in (None, "new_line_or_comment")]
                    ops.append(("index", self.expr(inner[0])))
            return ("splat", self.expr(ch[0]), ops)
        if kind == "tuple":
            return ("tuple", [self.expr(c) for c in ch if getattr(c, "data", None) is not None])
        if kind == "object":
            items = []
            for elem in ch:
                if getattr(elem, "data", None) != "object_elem":
                    continue
                key_node = elem.children[0].children[0]
                if getattr(key_node, "data", None) == "keyword":
                    key: Expr = ("lit", self._name(key_node))
                else:
                    key = self.expr(key_node)
                    if key[0] == "var":  # a bare word key is a string, not a variable
                        key = ("lit", key[1])
                items.append((key, self.expr(elem.children[-1])))
            return ("object", items)
        if kind == "function_call":
            name = self._name(ch[0])
            if len(ch) > 1 and _is(ch[1], "::"):
                name = "::".join(self._name(c) for c in ch if getattr(c, "data", None) == "identifier")
            args: list[Expr] = []
            expand = False
            for c in ch:
                if getattr(c, "data", None) == "arguments":
                    for a in c.children:
                        if getattr(a, "data", None) not in (None, "new_line_or_comment"):
                            args.append(self.expr(a))
                        elif _is(a, "..."):
                            expand = True
            return ("call", name, args, expand)
        if kind == "conditional":
            exprs = [c for c in ch if getattr(c, "data", None) is not None]
            return ("cond", self.expr(exprs[0]), self.expr(exprs[1]), self.expr(exprs[2]))
        if kind == "binary_op":
            left = self.expr(ch[0])
            term = ch[1]
            tch = [c for c in term.children if getattr(c, "data", None) != "new_line_or_comment"]
            op = str(tch[0].children[0]) if hasattr(tch[0], "children") else str(tch[0])
            return ("binop", op.strip(), left, self.expr(tch[-1]))
        if kind == "unary_op":
            return ("unop", str(ch[0]), self.expr(ch[1]))
        if kind in ("for_tuple_expr", "for_object_expr"):
            return self._for(kind, ch)
        if kind == "interpolation":
            return self.expr(ch[1])
        return ("opaque", kind)

    def _for(self, kind: str, ch: list[Any]) -> Expr:
        intro = next(c for c in ch if getattr(c, "data", None) == "for_intro")
        names = [self._name(c) for c in intro.children if getattr(c, "data", None) == "identifier"]
        coll = [c for c in intro.children if getattr(c, "data", None) not in (None, "identifier", "new_line_or_comment")]
        key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        rest = [c for c in ch if getattr(c, "data", None) not in (None, "for_intro", "new_line_or_comment")]
        cond_node = next((c for c in rest if getattr(c, "data", None) == "for_cond"), None)
        exprs = [c for c in rest if c is not cond_node]
        cond = None
        if cond_node is not None:
            cexprs = [c for c in cond_node.children if getattr(c, "data", None) not in (None, "new_line_or_comment")]
            cond = self.expr(cexprs[0])
        group = any(_is(c, "...") for c in ch)
        if kind == "for_tuple_expr":
            return ("for", key_var, value_var, self.expr(coll[0]), None, self.expr(exprs[0]), cond, False)
        return ("for", key_var, value_var, self.expr(coll[0]), self.expr(exprs[0]), self.expr(exprs[1]), cond, group)


def _heredoc(raw: str, trim: bool) -> Expr:
    lines = raw.split("\n")
    body = lines[1:-2] if len(lines) >= 3 else []
    if trim:
        indents = [len(line) - len(line.lstrip()) for line in body if line.strip()]
        cut = min(indents) if indents else 0
        body = [line[cut:] for line in body]
    text = "\n".join(body) + ("\n" if body else "")
    if "${" in text or "%{" in text:
        return ("opaque", "heredoc template")
    return ("lit", text)


# -- Terraform JSON syntax (.tf.json) ---------------------------------------------------------


def _load_json(text: str) -> Any:
    """A JSON document that holds only what a Terraform value can, else HclSyntaxError at the place."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HclSyntaxError(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise _too_deep() from None
    except ValueError:  # an integer too long to convert
        at = jsontext.long_integer(text)
        where = jsontext.position(text, at) if at is not None else (None, None)
        raise HclSyntaxError(f"a number of more than {MAX_DIGITS:,} digits", *where, syntax=False) from None
    at = jsontext.lone_surrogate(text)
    if at is not None:
        raise HclSyntaxError(f"invalid escape {text[at:at + 6]}: not a Unicode character (half of a UTF-16 pair)",
                             *jsontext.position(text, at), syntax=False)
    if jsontext.too_deep(data, MAX_NESTING):
        raise _too_deep()
    return data


def parse_tf_json(text: str, path: str) -> ParsedFile:
    """Read a `.tf.json` file into the same block structure (positions: the line of each name)."""
    data = _load_json(text)
    if not isinstance(data, dict):
        raise HclSyntaxError("a .tf.json file must hold a JSON object", 1, 1)
    lines = text.split("\n")
    root = Block("", [], 1, 1, len(lines), 1)
    finder = _LineFinder(lines)
    labels_for = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1, "locals": 0, "terraform": 0}
    for btype, content in data.items():
        if btype.startswith("//"):
            continue
        depth = labels_for.get(btype, 0)
        for labels, body in _json_blocks(content, depth):
            line = finder.find(labels[-1] if labels else btype)
            root.blocks.append(_json_body(btype, labels, body, line, finder))
    return ParsedFile(path, root, [])


def _json_blocks(content: Any, depth: int, labels: tuple[str, ...] = ()) -> list[tuple[list[str], Any]]:
    if depth == 0:
        items = content if isinstance(content, list) else [content]
        return [(list(labels), item) for item in items]
    out: list[tuple[list[str], Any]] = []
    if isinstance(content, dict):
        for key, value in content.items():
            out.extend(_json_blocks(value, depth - 1, labels + (key,)))
    elif isinstance(content, list):
        for item in content:
            out.extend(_json_blocks(item, depth, labels))
    return out


def parse_tfvars_json(text: str, path: str) -> ParsedFile:
    """A `.tfvars.json` file: one JSON object whose keys are variables and whose values are literal."""
    data = _load_json(text)
    if not isinstance(data, dict):
        raise HclSyntaxError("a .tfvars.json file must hold a JSON object", 1, 1)
    lines = text.split("\n")
    root = Block("", [], 1, 1, len(lines), 1)
    finder = _LineFinder(lines)
    for name, value in data.items():
        line = finder.find(name)
        root.attributes[name] = Attribute(name, ("lit", value), line, 1, line, 1)
    return ParsedFile(path, root, [])


class _LineFinder:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.cursor = 0

    def find(self, name: str) -> int:
        needle = json.dumps(name)
        for i in range(self.cursor, len(self.lines)):
            if needle in self.lines[i]:
                self.cursor = i + 1
                return i + 1
        return 1


_NESTED_BLOCK_NAMES = {
    "network", "port_mapping", "ingress_rules", "egress_rules", "associated_subnets", "ip_list",
    "route", "fixed_ip", "allowed_address_pairs", "port_ranges", "ip_extra_set", "timeouts", "dynamic", "content",
}


def _json_body(btype: str, labels: list[str], body: Any, line: int, finder: _LineFinder) -> Block:
    block = Block(btype, labels, line, 1, line, 1)
    if not isinstance(body, dict):
        return block
    for key, value in body.items():
        if key.startswith("//"):
            continue
        if key in _NESTED_BLOCK_NAMES and btype in ("resource", "dynamic", "") and isinstance(value, (dict, list)):
            items = value if isinstance(value, list) else [value]
            if all(isinstance(i, dict) for i in items):
                if key == "dynamic":
                    for name, inner in value.items() if isinstance(value, dict) else []:
                        block.blocks.append(_json_body("dynamic", [name], inner, line, finder))
                    continue
                for item in items:
                    block.blocks.append(_json_body(key, [], item, line, finder))
                continue
        if key in ("provider", "depends_on") and btype == "resource" and isinstance(value, str):
            block.attributes[key] = Attribute(key, _json_template(value, traversal=True), line, 1, line, 1)
            continue
        block.attributes[key] = Attribute(key, _json_value(value), line, 1, line, 1)
    return block


def _json_value(value: Any) -> Expr:
    if isinstance(value, str):
        return _json_template(value)
    if isinstance(value, list):
        return ("tuple", [_json_value(v) for v in value])
    if isinstance(value, dict):
        return ("object", [(("lit", k), _json_value(v)) for k, v in value.items()])
    return ("lit", value)


def _json_template(text: str, traversal: bool = False) -> Expr:
    if traversal:
        try:
            parsed = parse_hcl(f"x = {text}\n", "<json>")
            return parsed.body.attributes["x"].expr
        except HclSyntaxError:
            return ("lit", text)
    if "${" not in text and "%{" not in text:
        return ("lit", text)
    try:
        escaped = json.dumps(text)
        parsed = parse_hcl(f"x = {escaped}\n", "<json>")
        return parsed.body.attributes["x"].expr
    except HclSyntaxError:
        return ("opaque", "template")
