"""Expressions compiled into closures: what `Evaluator.eval` runs instead of walking the tuples.

A module's expressions are evaluated once in every module instance of every root that calls it
(150 roots of a repository reach one module file), so each is turned once per run into a closure
`code(ev)` that does what `Evaluator._eval` does for it, with the tag dispatch, the tuple
indexing and, for `var.x`, `local.x`, `module.x` and `TYPE.NAME`, the namespace object of the
first name done at compile time. The closures call back into the evaluator for everything that
is not about the shape of the expression (reading a variable, a resource, a function call), so
the values, the references recorded and what is left unknown are those of `_eval`.

Like `Evaluator.eval`, each closure reads a RecursionError below it as UNKNOWN.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..model import UNKNOWN
from . import functions
from .symbolic import is_unknown, plain

Code = Callable[[Any], Any]
"""code(evaluator) -> the value `evaluator._eval(expr)` would return."""

_SPECIAL_ROOTS = frozenset({"var", "local", "module", "data", "path", "self", "count", "each", "terraform"})
"""First names that are not a resource type (see `Evaluator.root`)."""


def compile_expr(e: Any) -> Code:
    """The closure of expression `e` (RecursionError while compiling one too deep: propagated)."""
    make = _MAKERS.get(e[0])
    return make(e) if make is not None else _unknown


def _unknown(ev: Any) -> Any:
    return UNKNOWN


def _lit(e: Any) -> Code:
    value = e[1]

    def code(ev: Any) -> Any:
        return value

    return code


def _var(e: Any) -> Code:
    name = e[1]

    def code(ev: Any) -> Any:
        try:
            return ev.root(name)
        except RecursionError:
            return UNKNOWN

    return code


def _attr(e: Any) -> Code:
    base, name = e[1], e[2]
    if base[0] == "var":
        first = base[1]
        if first == "var":
            return _named(first, name, lambda ev: ev.module.var(name))
        if first == "local":
            return _named(first, name, lambda ev: ev.module.local(name))
        if first == "module":
            return _named(first, name, lambda ev: ev.module.loader.module_value(ev.module, name))
        if first not in _SPECIAL_ROOTS:  # TYPE.NAME of a resource
            return _named(first, name, lambda ev: ev.module.loader.resource_value(ev.module, first, name))
    of = compile_expr(base)

    def code(ev: Any) -> Any:
        try:
            return ev.get_attr(of(ev), name)
        except RecursionError:
            return UNKNOWN

    return code


def _named(first: str, name: str, read: Code) -> Code:
    """`first.name` where `first` names a namespace (`var`, `local`, `module`, a resource type):
    what `get_attr(root(first), name)` gives, without the namespace, unless the scope binds `first`."""

    def code(ev: Any) -> Any:
        try:
            names = ev.scope.names
            if first in names:
                return ev.get_attr(names[first], name)
            value = read(ev)
            if is_unknown(value):  # as `Evaluator._opened`
                ev.open = True
            return value
        except RecursionError:
            return UNKNOWN

    return code


def _index(e: Any) -> Code:
    of, key = compile_expr(e[1]), compile_expr(e[2])

    def code(ev: Any) -> Any:
        try:
            return ev.get_index(of(ev), ev.materialize(key(ev)))
        except RecursionError:
            return UNKNOWN

    return code


def _splat(e: Any) -> Code:
    of, ops = compile_expr(e[1]), e[2]

    def code(ev: Any) -> Any:
        try:
            return ev.splat(of(ev), ops)
        except RecursionError:
            return UNKNOWN

    return code


def _tuple(e: Any) -> Code:
    items = [compile_expr(x) for x in e[1]]

    def code(ev: Any) -> Any:
        try:
            return [c(ev) for c in items]
        except RecursionError:
            return UNKNOWN

    return code


def _object(e: Any) -> Code:
    pairs = [(compile_expr(k), compile_expr(v)) for k, v in e[1]]

    def code(ev: Any) -> Any:
        try:
            obj: dict[str, Any] = {}
            for k, v in pairs:
                key = plain(ev.materialize(k(ev)))
                val = v(ev)
                if key is UNKNOWN or key is None:
                    ev.materialize(val)
                    return UNKNOWN
                obj[functions.to_string(key)] = val
            return obj
        except RecursionError:
            return UNKNOWN

    return code


def _call(e: Any) -> Code:
    name, args, expand = e[1], [compile_expr(a) for a in e[2]], e[3]
    structural = name in functions.STRUCTURAL

    def code(ev: Any) -> Any:
        try:
            values = [c(ev) for c in args] if structural else [ev.materialize(c(ev)) for c in args]
            return ev.apply(name, ev.spread(name, values, expand))
        except RecursionError:
            return UNKNOWN

    return code


def _template(e: Any) -> Code:
    parts = [p if isinstance(p, str) else compile_expr(p) for p in e[1]]

    def code(ev: Any) -> Any:
        try:
            out = []
            size = 0
            for part in parts:
                if not isinstance(part, str):
                    v = ev.materialize(part(ev))
                    if is_unknown(v) or isinstance(v, (list, dict)):
                        for rest in parts:  # the references of every part are still read
                            if not isinstance(rest, str):
                                ev.materialize(rest(ev))
                        return UNKNOWN
                    part = functions.to_string(v)
                size += len(part)
                if size > functions.MAX_STRING:
                    raise functions.ValueTooLarge(
                        f"a string template builds more than {functions.MAX_STRING:,} characters")
                out.append(part)
            return "".join(out)
        except RecursionError:
            return UNKNOWN

    return code


def _cond(e: Any) -> Code:
    test, yes, no = compile_expr(e[1]), compile_expr(e[2]), compile_expr(e[3])

    def code(ev: Any) -> Any:
        try:
            c = ev.materialize(test(ev))
            if isinstance(c, bool):
                return yes(ev) if c else no(ev)
            ev.materialize(yes(ev))
            ev.materialize(no(ev))
            return UNKNOWN
        except RecursionError:
            return UNKNOWN

    return code


def _binop(e: Any) -> Code:
    op, left, right = e[1], compile_expr(e[2]), compile_expr(e[3])

    def code(ev: Any) -> Any:
        try:
            return functions.binop(op, plain(ev.materialize(left(ev))), plain(ev.materialize(right(ev))))
        except RecursionError:
            return UNKNOWN

    return code


def _unop(e: Any) -> Code:
    op, of = e[1], compile_expr(e[2])

    def code(ev: Any) -> Any:
        try:
            return functions.unop(op, plain(ev.materialize(of(ev))))
        except RecursionError:
            return UNKNOWN

    return code


def _for(e: Any) -> Code:
    def code(ev: Any) -> Any:
        try:
            return ev.for_expr(e)  # a scope per element: its parts are compiled on their own
        except RecursionError:
            return UNKNOWN

    return code


_MAKERS: dict[str, Callable[[Any], Code]] = {
    "lit": _lit, "tmpl": _template, "var": _var, "attr": _attr, "index": _index, "splat": _splat,
    "tuple": _tuple, "object": _object, "call": _call, "cond": _cond, "binop": _binop, "unop": _unop,
    "for": _for,
}
