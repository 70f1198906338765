"""The cache entry format: a parsed file as plain JSON, and back, checked to be exactly that shape.

    header: b"vpcep-lint-cache-3 <key> <sha256 of body>\n"
    body:   JSON [lines, chars, block, comments]
            block = [type, labels, line, column, end_line, end_column, [attribute...], [block...]]
            attribute = [name, expr, line, column, end_line, end_column]
            expr = the tuples of hcl_syntax as arrays; comments = [[line, text]...]
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..loaders.hcl_tree import SCALAR_TYPES, Attribute, Block, ParsedFile

FORMAT = 3
_MAGIC = b"vpcep-lint-cache-%d " % FORMAT


def encode_entry(parsed: ParsedFile, key: str, text: str) -> bytes | None:
    try:
        body = json.dumps(
            [text.count("\n") + 1, len(text), _enc_block(parsed.body), parsed.comments],
            separators=(",", ":"), ensure_ascii=True, check_circular=False,
        ).encode("ascii")
    except (ValueError, TypeError, RecursionError, OverflowError):
        return None
    return sealed(_MAGIC, key, body)


def sealed(magic: bytes, key: str, body: bytes) -> bytes:
    """An entry: the header line (`magic`, the key, the SHA-256 of the body), then the body."""
    import hashlib  # here, as in `unsealed`: a run of plans alone reads no entry

    return magic + key.encode() + b" " + hashlib.sha256(body).hexdigest().encode() + b"\n" + body


def unsealed(data: bytes, magic: bytes, key: str) -> bytes | None:
    """The body of an entry `sealed` with `magic` and `key`; None for any other bytes."""
    header_end = data.find(b"\n", 0, 256)
    if header_end < 0:
        return None
    header = data[:header_end].split(b" ")
    if len(header) != 3 or header[0] + b" " != magic or header[1] != key.encode():
        return None
    body = data[header_end + 1:]
    import hashlib

    if hashlib.sha256(body).hexdigest().encode() != header[2]:
        return None
    return body


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
    body = unsealed(data, _MAGIC, key)
    if body is None:
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




def _dec_block(v: Any) -> Block:
    if type(v) is not list or len(v) != 8:
        raise _Bad
    btype, labels, l1, c1, l2, c2, attrs, blocks = v
    if type(labels) is not list or type(attrs) is not list or type(blocks) is not list or len(attrs) % 6:
        raise _Bad
    for x in labels:
        if type(x) is not str:
            raise _Bad
    if type(btype) is not str or any(type(x) is not int for x in (l1, c1, l2, c2)):
        raise _Bad
    block = Block(btype, labels, l1, c1, l2, c2)
    out = block.attributes
    scalar = SCALAR_TYPES
    fields = iter(attrs)  # six at a time (the length is a multiple of six)
    for name, e, a1, a2, a3, a4 in zip(fields, fields, fields, fields, fields, fields, strict=True):
        if type(name) is not str or name in out or type(a1) is not int or type(a2) is not int \
                or type(a3) is not int or type(a4) is not int:
            raise _Bad
        out[name] = Attribute(name, ("lit", e) if type(e) in scalar else _expr(e), a1, a2, a3, a4)
    if blocks:
        block.blocks = [_dec_block(b) for b in blocks]
    return block


def _exprs(v: Any) -> list[Any]:
    if type(v) is not list:
        raise _Bad
    return [_expr(x) for x in v]


def _expr(v: Any) -> tuple[Any, ...]:
    """An expression from its entry form; _Bad unless it is exactly one."""
    t = type(v)
    if t in SCALAR_TYPES:
        return ("lit", v)
    if t is not list or not v or type(v[0]) is not str:
        raise _Bad
    decode = _DECODERS.get(v[0])
    if decode is None:
        raise _Bad
    return decode(v, len(v))


def _bad() -> tuple[Any, ...]:
    raise _Bad


def _pairs(v: Any) -> list[tuple[Any, Any]]:
    if type(v) is not list:
        raise _Bad
    pairs = []
    for p in v:
        if type(p) is not list or len(p) != 2:
            raise _Bad
        pairs.append((_expr(p[0]), _expr(p[1])))
    return pairs


def _splat_ops(v: Any) -> list[tuple[Any, ...]]:
    if type(v) is not list:
        raise _Bad
    ops: list[tuple[Any, ...]] = []
    for op in v:
        if type(op) is not list or len(op) != 2:
            raise _Bad
        if op[0] == "attr" and type(op[1]) is str:
            ops.append(("attr", op[1]))
        elif op[0] == "index":
            ops.append(("index", _expr(op[1])))
        else:
            raise _Bad
    return ops


def _for(v: Any) -> tuple[Any, ...]:
    if not ((v[1] is None or type(v[1]) is str) and type(v[2]) is str and type(v[7]) is bool):
        raise _Bad
    return ("for", v[1], v[2], _expr(v[3]), None if v[4] is None else _expr(v[4]), _expr(v[5]),
            None if v[6] is None else _expr(v[6]), v[7])


def _template(v: Any) -> tuple[Any, ...]:
    if type(v[1]) is not list:
        raise _Bad
    return ("tmpl", [p if type(p) is str else _expr(p) for p in v[1]])


_Decoder = Callable[[list[Any], int], tuple[Any, ...]]
_DECODERS: dict[str, _Decoder] = {  # by tag: the array's length and element types, then its parts
    "attr": lambda v, n: ("attr", _expr(v[1]), v[2]) if n == 3 and type(v[2]) is str else _bad(),
    "var": lambda v, n: ("var", v[1]) if n == 2 and type(v[1]) is str else _bad(),
    "lit": lambda v, n: ("lit", v[1]) if n == 2 else _bad(),  # a list or object value (from JSON)
    "object": lambda v, n: ("object", _pairs(v[1])) if n == 2 else _bad(),
    "tuple": lambda v, n: ("tuple", _exprs(v[1])) if n == 2 else _bad(),
    "index": lambda v, n: ("index", _expr(v[1]), _expr(v[2])) if n == 3 else _bad(),
    "call": lambda v, n: ("call", v[1], _exprs(v[2]), v[3]) if n == 4 and type(v[1]) is str and type(v[3]) is bool
    else _bad(),
    "tmpl": lambda v, n: _template(v) if n == 2 else _bad(),
    "splat": lambda v, n: ("splat", _expr(v[1]), _splat_ops(v[2])) if n == 3 else _bad(),
    "cond": lambda v, n: ("cond", _expr(v[1]), _expr(v[2]), _expr(v[3])) if n == 4 else _bad(),
    "binop": lambda v, n: ("binop", v[1], _expr(v[2]), _expr(v[3])) if n == 4 and type(v[1]) is str else _bad(),
    "unop": lambda v, n: ("unop", v[1], _expr(v[2])) if n == 3 and type(v[1]) is str else _bad(),
    "for": lambda v, n: _for(v) if n == 8 else _bad(),
    "opaque": lambda v, n: ("opaque", v[1]) if n == 2 and type(v[1]) is str else _bad(),
}
