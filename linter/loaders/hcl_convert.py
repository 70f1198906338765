"""The lark parse tree of HCL native syntax -> the syntax tree of hcl_tree (positions kept)."""
from __future__ import annotations

import re
from typing import Any

from .hcl_tree import MAX_DIGITS, MAX_NESTING, Attribute, Block, Expr, HclSyntaxError, too_deep


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


class Converter:
    def __init__(self) -> None:
        self.comments: list[tuple[int, str]] = []
        self.depth = 0

    def _enter(self, node: Any) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            line, col, _, _ = _pos(node)
            raise too_deep(line, col)

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
                raise HclSyntaxError(f"{name!r} is set as an argument (line {first}) and as a block",
                                     sub.line, sub.column)
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
        if body_node is not None:
            block = self.body(body_node, btype, labels, l1, c1)
        else:
            block = Block(btype, labels, l1, c1, l2, c2)
        block.end_line, block.end_column = l2, c2
        return block

    @staticmethod
    def _name(node: Any) -> str:
        if hasattr(node, "children"):
            return str(node.children[0])
        return str(node)

    def _string_parts(self, node: Any) -> list[str | Expr]:
        out: list[str | Expr] = []
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

    def _expr(self, node: Any, kind: str) -> Expr:  # noqa: C901 - one branch per kind of HCL expression node
        ch = [c for c in node.children if getattr(c, "data", None) != "new_line_or_comment"]
        if kind == "expr_term":
            if len(ch) == 3 and _is(ch[0], "("):
                return self.expr(ch[1])
            return self.expr(ch[0])
        if kind == "int_lit":
            digits = str(ch[0])
            if len(digits) > MAX_DIGITS:
                line, col, _, _ = _pos(node)
                raise HclSyntaxError(f"a number of {len(digits):,} digits (at most {MAX_DIGITS:,} are read)",
                                     line, col, syntax=False)
            return ("lit", int(digits))
        if kind == "float_lit":
            return ("lit", float(str(ch[0])))
        if kind == "literal_value":
            return ("lit", {"true": True, "false": False, "null": None}[str(ch[0])])
        if kind == "string":
            parts = self._string_parts(node)
            texts = [p for p in parts if isinstance(p, str)]
            if len(texts) == len(parts):
                return ("lit", "".join(texts))
            if len(parts) == 1 and not isinstance(parts[0], str):
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
        coll = [c for c in intro.children
                if getattr(c, "data", None) not in (None, "identifier", "new_line_or_comment")]
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
