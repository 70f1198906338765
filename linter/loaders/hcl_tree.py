"""The syntax tree of a Terraform file: blocks, attributes and expressions, with positions.

Expressions are plain tuples (so parsed files can be cached as JSON, cache.py):

    ("lit", value)                 ("tmpl", [str | expr, ...])     ("var", name)
    ("attr", expr, name)           ("index", expr, key_expr)       ("splat", expr, [op, ...])
    ("call", name, [expr], expand) ("tuple", [expr])               ("object", [(key, value)])
    ("cond", c, a, b)              ("binop", op, a, b)             ("unop", op, a)
    ("for", key_var, value_var, collection, key_expr | None, value_expr, cond | None, group)
    ("opaque", reason)             (a template directive or anything not evaluated)
"""
from __future__ import annotations

from typing import Any

from ..records import field, record

Expr = tuple[Any, ...]


@record
class Attribute:
    name: str
    expr: Expr
    line: int
    column: int
    end_line: int
    end_column: int


@record
class Block:
    type: str
    labels: list[str]
    line: int
    column: int
    end_line: int
    end_column: int
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)


@record
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
SCALAR_TYPES = frozenset({str, int, float, bool, type(None)})
"""The exact types of a scalar value, a literal's or a JSON one's: `type(v) in SCALAR_TYPES` holds
for a value that is no list, map, Symbol or namespace (a subclass is not one)."""


def too_deep(line: int | None = None, column: int | None = None) -> HclSyntaxError:
    return HclSyntaxError(f"nesting too deep to parse (more than {MAX_NESTING} levels)", line, column, syntax=False)
