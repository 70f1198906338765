"""The few pure Terraform functions evaluated statically; anything else is UNKNOWN.

Functions that read files (`file`, `templatefile`, `fileset`, `filebase64`...) or the
environment are never evaluated: they are simply not listed here.
"""
from __future__ import annotations

import ipaddress
import operator
from collections.abc import Callable
from typing import Any

from ..model import UNKNOWN, contains_unknown
from .cidr_functions import cidrhost, cidrsubnet

MAX_STRING = 1024 * 1024
"""The longest string an expression may build (characters)."""
MAX_COLLECTION = 100_000
"""The most elements a list or map an expression builds may have."""
MAX_INSTANCES = 10_000
"""The most instances `count` or `for_each` may give one block."""
MAX_NUMBER_BITS = 1024
"""Integers beyond this many bits are not computed (UNKNOWN): no configuration needs them."""


class ValueTooLarge(Exception):
    """An expression builds a value past a bound: an input error at the expression."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _check_string(n: int) -> None:
    if n > MAX_STRING:
        raise ValueTooLarge(f"a string of more than {MAX_STRING:,} characters")


def _check_collection(n: int) -> None:
    if n > MAX_COLLECTION:
        raise ValueTooLarge(f"a list or map of more than {MAX_COLLECTION:,} elements")

# Functions that only rearrange values: their arguments are passed through un-read, so that
# references inside them keep their target (`concat([huaweicloud_x.a.id], ...)`).
STRUCTURAL = {"concat", "tolist", "toset", "flatten", "element", "lookup", "coalesce", "try", "merge",
              "compact", "distinct", "values", "one", "coalescelist", "slice", "reverse"}


def to_string(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _num(v: Any) -> float | int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str):
        try:
            return int(v)
        except ValueError:
            try:
                return float(v)
            except ValueError:
                return None
    return None


def binop(op: str, a: Any, b: Any) -> Any:
    if a is UNKNOWN or b is UNKNOWN:
        return UNKNOWN
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if op in ("&&", "||"):
        if not isinstance(a, bool) or not isinstance(b, bool):
            return UNKNOWN
        return (a and b) if op == "&&" else (a or b)
    return _arithmetic(op, _num(a), _num(b))


_SUM_LIKE = {"+": operator.add, "-": operator.sub, "*": operator.mul}
"""Operators whose integer result can grow without bound (checked against MAX_NUMBER_BITS)."""
_NUMERIC = {"/": operator.truediv, "%": operator.mod, "<": operator.lt, ">": operator.gt, "<=": operator.le,
            ">=": operator.ge}


def _arithmetic(op: str, x: int | float | None, y: int | float | None) -> Any:
    """A numeric operator on two numbers; UNKNOWN for a non-number, a division by zero, an overflow."""
    if x is None or y is None:
        return UNKNOWN
    try:
        if op in _SUM_LIKE:
            result = _SUM_LIKE[op](x, y)
            if isinstance(result, int) and result.bit_length() > MAX_NUMBER_BITS:
                return UNKNOWN
            return result
        if op in _NUMERIC:
            return _NUMERIC[op](x, y)
    except (ZeroDivisionError, OverflowError):
        return UNKNOWN
    return UNKNOWN


def unop(op: str, a: Any) -> Any:
    if a is UNKNOWN:
        return UNKNOWN
    if op == "!":
        return (not a) if isinstance(a, bool) else UNKNOWN
    n = _num(a)
    return UNKNOWN if n is None else -n


def list_item(items: list[Any], key: Any) -> Any:
    """`items[key]` for a whole number or a string of digits in range; UNKNOWN otherwise."""
    if isinstance(key, (int, float)) and not isinstance(key, bool) and 0 <= int(key) < len(items):
        return items[int(key)]
    if isinstance(key, str) and key.isdigit() and int(key) < len(items):
        return items[int(key)]
    return UNKNOWN


def _flatten(v: list[Any]) -> list[Any]:
    out: list[Any] = []
    for x in v:
        if isinstance(x, list):
            out.extend(_flatten(x))
        else:
            out.append(x)
        _check_collection(len(out))
    return out


def _hashable(x: Any) -> Any:
    """A key equal for equal values (1 and 1.0 alike, true and 1 not)."""
    if isinstance(x, bool):
        return ("b", x)
    if isinstance(x, (int, float)):
        return ("n", x)
    if isinstance(x, list):
        return ("l", tuple(_hashable(y) for y in x))
    if isinstance(x, dict):
        return ("d", tuple(sorted((k, _hashable(y)) for k, y in x.items())))
    return ("s", x) if isinstance(x, str) else ("o", id(x))


def _distinct(v: list[Any]) -> list[Any]:
    seen: set[Any] = set()
    out: list[Any] = []
    for x in v:
        h = _hashable(x)
        if h not in seen:
            seen.add(h)
            out.append(x)
    return out


def _toset(v: Any) -> Any:
    if not isinstance(v, list):
        return UNKNOWN
    if all(isinstance(x, str) for x in v):
        return sorted(set(v))
    return _distinct(v)


def _element(v: Any, i: Any) -> Any:
    if not isinstance(v, list) or not v or _num(i) is None:
        return UNKNOWN
    return v[int(_num(i)) % len(v)]  # type: ignore[arg-type]


def _lookup(m: Any, key: Any, *default: Any) -> Any:
    if not isinstance(m, dict) or key is UNKNOWN:
        return UNKNOWN
    if to_string(key) in m:
        return m[to_string(key)]
    return default[0] if default else UNKNOWN


def _coalesce(*args: Any) -> Any:
    for a in args:
        if a is UNKNOWN:
            return UNKNOWN
        if a is not None and a != "":
            return a
    return UNKNOWN


def _merge(*maps: Any) -> Any:
    out: dict[str, Any] = {}
    for m in maps:
        if not isinstance(m, dict):
            return UNKNOWN
        out.update(m)
    return out


def _keys(m: Any) -> Any:
    return sorted(m) if isinstance(m, dict) else UNKNOWN


def _values(m: Any) -> Any:
    return [m[k] for k in sorted(m)] if isinstance(m, dict) else UNKNOWN


def _length(v: Any) -> Any:
    if isinstance(v, (list, dict, str)):
        return len(v)
    return UNKNOWN


def _format(fmt: Any, *args: Any) -> Any:
    if not isinstance(fmt, str) or contains_unknown(args):
        return UNKNOWN
    out, i, ai, size = [], 0, 0, 0
    while i < len(fmt):
        _check_string(size)
        c = fmt[i]
        if c == "%" and i + 1 < len(fmt):
            verb = fmt[i + 1]
            if verb == "%":
                out.append("%")
            elif verb in "sdvq" and ai < len(args):
                val = args[ai]
                ai += 1
                out.append(f'"{to_string(val)}"' if verb == "q" else to_string(val))
                size += len(out[-1])
            else:
                return UNKNOWN
            i += 2
            continue
        out.append(c)
        size += 1
        i += 1
    _check_string(size)
    return "".join(out)


def _slice(v: Any, a: Any, b: Any) -> Any:
    if not isinstance(v, list) or _num(a) is None or _num(b) is None:
        return UNKNOWN
    return v[int(_num(a)):int(_num(b))]  # type: ignore[arg-type]


def _join(sep: Any, lst: Any) -> Any:
    if not isinstance(lst, list) or not isinstance(sep, str):
        return UNKNOWN
    parts = [to_string(x) for x in lst]
    _check_string(sum(len(p) for p in parts) + len(sep) * max(len(parts) - 1, 0))
    return sep.join(parts)


def _split(sep: Any, s: Any) -> Any:
    if not isinstance(s, str) or not isinstance(sep, str) or not sep:
        return UNKNOWN
    _check_collection(s.count(sep) + 1)
    return s.split(sep)


def _replace(s: Any, a: Any, b: Any) -> Any:
    if not all(isinstance(x, str) for x in (s, a, b)) or a.startswith("/") or not a:
        return UNKNOWN
    _check_string(len(s) + s.count(a) * (len(b) - len(a)))
    return s.replace(a, b)


def _concat(*ls: Any) -> Any:
    if not all(isinstance(x, list) for x in ls):
        return UNKNOWN
    _check_collection(sum(len(x) for x in ls))
    return [x for lst in ls for x in lst]


def _merge_sized(*maps: Any) -> Any:
    if all(isinstance(m, dict) for m in maps):
        _check_collection(sum(len(m) for m in maps))
    return _merge(*maps)


def _one(v: Any) -> Any:
    if isinstance(v, list) and len(v) <= 1:
        return v[0] if v else None
    return UNKNOWN


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "cidrsubnet": lambda p, n, k: cidrsubnet(p, int(n), int(k)),
    "cidrhost": lambda p, h: cidrhost(p, int(h)),
    "cidrnetmask": lambda p: str(ipaddress.ip_network(p, strict=False).netmask),
    "concat": _concat,
    "tolist": lambda v: v if isinstance(v, list) else UNKNOWN,
    "toset": _toset,
    "tomap": lambda v: v if isinstance(v, dict) else UNKNOWN,
    "tostring": lambda v: to_string(v) if isinstance(v, (str, int, float, bool)) else UNKNOWN,
    "tonumber": lambda v: _num(v) if _num(v) is not None else UNKNOWN,
    "tobool": lambda v: v if isinstance(v, bool) else {"true": True, "false": False}.get(v, UNKNOWN),
    "flatten": lambda v: _flatten(v) if isinstance(v, list) else UNKNOWN,
    "distinct": lambda v: _distinct(v) if isinstance(v, list) else UNKNOWN,
    "compact": lambda v: [x for x in v if x not in (None, "")] if isinstance(v, list) else UNKNOWN,
    "element": _element,
    "lookup": _lookup,
    "coalesce": _coalesce,
    "coalescelist": lambda *ls: next((x for x in ls if isinstance(x, list) and x), UNKNOWN),
    "merge": _merge_sized,
    "keys": _keys,
    "values": _values,
    "length": _length,
    "lower": lambda s: s.lower() if isinstance(s, str) else UNKNOWN,
    "upper": lambda s: s.upper() if isinstance(s, str) else UNKNOWN,
    "trimspace": lambda s: s.strip() if isinstance(s, str) else UNKNOWN,
    "join": _join,
    "split": _split,
    "format": _format,
    "replace": _replace,
    "contains": lambda lst, v: v in lst if isinstance(lst, list) else UNKNOWN,
    "slice": _slice,
    "reverse": lambda v: list(reversed(v)) if isinstance(v, list) else UNKNOWN,
    "one": _one,
    "min": lambda *a: min(a) if a and all(_num(x) is not None for x in a) else UNKNOWN,
    "max": lambda *a: max(a) if a and all(_num(x) is not None for x in a) else UNKNOWN,
}


SHAPE = {"length", "keys"}
"""Functions of a collection's shape: the length of a list, the keys of a map, known even when some
elements are not."""


FILTERS = {"toset", "distinct", "compact", "flatten"}
"""Functions whose result's length depends on the elements' values."""


class Unsure(list):  # type: ignore[type-arg]
    """A list whose length is not known: a FILTERS result over elements not known."""


def _shape_known(name: str, args: list[Any]) -> bool:
    return name in SHAPE and len(args) == 1 and isinstance(args[0], (list, dict)) and not isinstance(args[0], Unsure)


def _known(x: Any) -> bool:
    if isinstance(x, list):
        return not isinstance(x, Unsure) and all(_known(y) for y in x)
    if isinstance(x, dict):
        return all(_known(y) for y in x.values())
    return x is None or isinstance(x, (str, int, float, bool))


def call(name: str, args: list[Any]) -> Any:
    fn = FUNCTIONS.get(name)
    if fn is None:
        return UNKNOWN
    if name not in STRUCTURAL and contains_unknown(args) and not _shape_known(name, args):
        return UNKNOWN
    if name in STRUCTURAL and any(a is UNKNOWN for a in args):
        return UNKNOWN
    try:
        result = fn(*args)
        if name in FILTERS and isinstance(result, list) and not all(_known(a) for a in args):
            return Unsure(result)
        return result
    except (TypeError, ValueError, IndexError, KeyError, OverflowError, AttributeError, RecursionError):
        return UNKNOWN
