"""Terraform's type constraints, literal expressions and type conversions for input variables."""
from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from ..model import UNKNOWN
from . import functions
from .hcl_syntax import parse_hcl
from .hcl_tree import Block, Expr, HclSyntaxError

# -- types ---------------------------------------------------------------------------------------

Type = tuple[Any, ...]
"""("string",) ("number",) ("bool",) ("any",) ("list", T) ("set", T) ("map", T) ("tuple", (T, ...))
("object", ((name, T, optional, default), ...)) with default NO_DEFAULT when none is given."""

ANY: Type = ("any",)
PRIMITIVES = {"string", "number", "bool"}
NO_DEFAULT: Any = object()


def parse_type(expr: Expr | None, depth: int = 0) -> Type:
    """A `type = ...` expression as a Type; `any` for none, and for what is not a type expression
    (Terraform rejects those; the linter just does not convert)."""
    if expr is None or depth > 64:
        return ANY
    kind = expr[0]
    if kind == "var":
        name = expr[1]
        if name in PRIMITIVES or name == "any":
            return (name,)
        if name in ("list", "map"):  # the bare keywords mean list(any), map(any)
            return (name, ANY)
        return ANY
    if kind == "lit" and isinstance(expr[1], str) and depth == 0:
        return _quoted_type(expr[1], depth)
    if kind == "call" and len(expr[2]) == 1:
        return _type_call(expr[1], expr[2][0], depth)
    return ANY


def _quoted_type(text: str, depth: int) -> Type:
    """A type written as a string: .tf.json writes it so; Terraform 0.11 quoted it too."""
    try:
        parsed = parse_hcl(f"t = {text}\n", "<type>")
    except HclSyntaxError:
        return ANY
    attr = parsed.body.attributes.get("t")
    return parse_type(attr.expr, depth + 1) if attr is not None and attr.expr[0] != "lit" else ANY


def _type_call(name: str, arg: Expr, depth: int) -> Type:
    """`list(T)`, `set(T)`, `map(T)`, `tuple([...])`, `object({...})`; `any` for another call."""
    if name in ("list", "set", "map"):
        return (name, parse_type(arg, depth + 1))
    if name == "tuple" and arg[0] == "tuple":
        return ("tuple", tuple(parse_type(a, depth + 1) for a in arg[1]))
    if name == "object" and arg[0] == "object":
        attrs = []
        for key, value in arg[1]:
            if key[0] != "lit" or not isinstance(key[1], str):
                return ANY
            attrs.append((key[1], *_object_attribute(value, depth)))
        return ("object", tuple(sorted(attrs, key=lambda a: a[0])))
    return ANY


def _object_attribute(value: Expr, depth: int) -> tuple[Type, bool, Any]:
    """An object attribute's type, whether it is `optional(...)`, and its default (or NO_DEFAULT)."""
    if not (value[0] == "call" and value[1] == "optional" and 1 <= len(value[2]) <= 2):
        return parse_type(value, depth + 1), False, NO_DEFAULT
    attr_type = parse_type(value[2][0], depth + 1)
    default = NO_DEFAULT
    if len(value[2]) == 2:
        try:
            default = convert(static_value(value[2][1]), attr_type)
        except (Rejected, ConversionError):
            default = NO_DEFAULT
    return attr_type, True, default


def type_str(t: Type) -> str:
    kind = t[0]
    if kind in ("list", "set", "map"):
        return f"{kind}({type_str(t[1])})"
    if kind == "tuple":
        return "tuple([" + ", ".join(type_str(e) for e in t[1]) + "])"
    if kind == "object":
        parts = []
        for name, at, optional, _ in t[1]:
            parts.append(f"{name} = " + (f"optional({type_str(at)})" if optional else type_str(at)))
        return "object({" + ", ".join(parts) + "})"
    return str(kind)


def parses_as_expression(t: Type | None) -> bool:
    """Whether text from `--var` or `TF_VAR_` is an expression (else it is the string itself)."""
    return t is not None and t[0] not in PRIMITIVES


# -- literal expressions -------------------------------------------------------------------------

class Rejected(Exception):
    """An expression Terraform does not evaluate where no context is given."""


def static_value(expr: Expr) -> Any:
    """The value of an expression that may use no variable and call no function (a var file's
    values, a default): raises Rejected for those; UNKNOWN for what is not evaluated here."""
    try:
        return _static(expr)
    except RecursionError:
        return UNKNOWN


def _static(e: Expr) -> Any:
    kind = e[0]
    if kind == "lit":
        return e[1]
    if kind == "var":
        raise Rejected("variables may not be used here")
    if kind == "call":
        raise Rejected("functions may not be called here")
    static = _STATIC.get(kind)
    return UNKNOWN if static is None else static(e)  # None: a template directive, a splat...


def _static_object(e: Expr) -> Any:
    obj: dict[str, Any] = {}
    unknown = False
    for k, v in e[1]:
        key, value = _static(k), _static(v)
        if key is UNKNOWN or key is None or isinstance(key, (list, dict)):
            unknown = True
            continue
        obj[functions.to_string(key)] = value
    return UNKNOWN if unknown else obj


def _static_template(e: Expr) -> Any:
    out = []
    parts = [p if isinstance(p, str) else _static(p) for p in e[1]]
    for p in parts:
        if p is UNKNOWN or p is None or isinstance(p, (list, dict)):
            return UNKNOWN
        out.append(functions.to_string(p))
    return "".join(out)


def _static_cond(e: Expr) -> Any:
    c, a, b = _static(e[1]), _static(e[2]), _static(e[3])
    return (a if c else b) if isinstance(c, bool) else UNKNOWN


def _static_index(e: Expr) -> Any:
    target, key = _static(e[1]), _static(e[2])
    if isinstance(target, list) and isinstance(key, int) and not isinstance(key, bool) and 0 <= key < len(target):
        return target[key]
    if isinstance(target, dict) and isinstance(key, str):
        return target.get(key, UNKNOWN)
    return UNKNOWN


def _static_attr(e: Expr) -> Any:
    obj = _static(e[1])
    return obj.get(e[2], UNKNOWN) if isinstance(obj, dict) else UNKNOWN


def _static_for(e: Expr) -> Any:
    _static(e[3])  # a reference in the collection is still rejected
    return UNKNOWN


_STATIC: dict[str, Callable[[Expr], Any]] = {
    "tuple": lambda e: [_static(x) for x in e[1]],
    "object": _static_object,
    "tmpl": _static_template,
    "cond": _static_cond,
    "binop": lambda e: functions.binop(e[1], _static(e[2]), _static(e[3])),
    "unop": lambda e: functions.unop(e[1], _static(e[2])),
    "index": _static_index,
    "attr": _static_attr,
    "for": _static_for,
}
"""The value of each kind of expression that `_static` evaluates (besides literals)."""


# -- conversion ----------------------------------------------------------------------------------

class ConversionError(Exception):
    def __init__(self, message: str, path: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def at(self, step: str) -> ConversionError:
        return ConversionError(self.message, (step,) + self.path)

    def __str__(self) -> str:
        return "".join(f"{p}: " for p in self.path) + self.message


_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _parse_number(text: str) -> int | float:
    if not _NUMBER.fullmatch(text):
        raise ConversionError("a number is required")
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise ConversionError("a number is required") from None
    if d == d.to_integral_value() and abs(d) < Decimal(10) ** 30:
        return int(d)
    return float(d)


def _kind_name(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if _is_number(v):
        return "number"
    if isinstance(v, str):
        return "string"
    return "other"


def convert(value: Any, t: Type) -> Any:
    """`value` converted to type `t` as Terraform converts it; raises ConversionError."""
    if value is UNKNOWN or value is None:
        return value
    converter = _CONVERTERS.get(t[0])
    # `any`: a list or map given for it is a tuple or an object, whose elements keep their types
    return value if converter is None else converter(value, t)


def _to_string(value: Any, t: Type) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or _is_number(value):
        return functions.to_string(value)
    raise ConversionError("string required")


def _to_number(value: Any, t: Type) -> Any:
    if _is_number(value):
        return int(value) if isinstance(value, float) and value.is_integer() and abs(value) < 1e30 else value
    if isinstance(value, str):
        return _parse_number(value)
    raise ConversionError("number required")


def _to_bool(value: Any, t: Type) -> Any:
    if isinstance(value, bool):
        return value
    if not isinstance(value, str):
        raise ConversionError("bool required")
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    if value.lower() in ("true", "false"):
        raise ConversionError(f'a bool is required; to convert from string, use lowercase "{value.lower()}"')
    raise ConversionError("a bool is required")


def _to_list(value: Any, t: Type) -> Any:
    kind = t[0]
    if not isinstance(value, list):
        raise ConversionError(f"{kind} of {type_str(t[1])} required")
    items = []
    for i, item in enumerate(value):
        try:
            items.append(convert(item, t[1]))
        except ConversionError as exc:
            raise exc.at(f"element {i}") from None
    if t[1] == ANY:
        items = _unify(items, kind)
    return _set(items) if kind == "set" else items


def _to_map(value: Any, t: Type) -> Any:
    if not isinstance(value, dict):
        raise ConversionError(f"map of {type_str(t[1])} required")
    out = {}
    for k, item in value.items():
        try:
            out[k] = convert(item, t[1])
        except ConversionError as exc:
            raise exc.at(f'element "{k}"') from None
    if t[1] == ANY:
        out = dict(zip(out, _unify(list(out.values()), "map"), strict=True))
    return out


def _to_tuple(value: Any, t: Type) -> Any:
    if not isinstance(value, list) or len(value) != len(t[1]):
        raise ConversionError("tuple required")
    items = []
    for i, (item, et) in enumerate(zip(value, t[1], strict=True)):
        try:
            items.append(convert(item, et))
        except ConversionError as exc:
            raise exc.at(f"element {i}") from None
    return items


def _to_object(value: Any, t: Type) -> Any:
    if not isinstance(value, dict):
        raise ConversionError("object required")
    obj: dict[str, Any] = {}
    for name, at, optional, default in t[1]:
        if name not in value and not optional:
            raise ConversionError(f'attribute "{name}" is required')
        item = value.get(name)
        if item is None and default is not NO_DEFAULT:
            item = default
        try:
            obj[name] = convert(item, at)
        except ConversionError as exc:
            raise exc.at(f'attribute "{name}"') from None
    return obj


_CONVERTERS: dict[str, Callable[[Any, Type], Any]] = {
    "string": _to_string, "number": _to_number, "bool": _to_bool, "list": _to_list, "set": _to_list,
    "map": _to_map, "tuple": _to_tuple, "object": _to_object,
}
"""How a value is converted to each kind of type; a kind not here (`any`) keeps the value."""


def _unify(items: list[Any], kind: str) -> list[Any]:
    """Elements of list(any), set(any), map(any) must share one type: mixed primitives become strings."""
    known = [x for x in items if x is not None and x is not UNKNOWN]
    kinds = {_kind_name(x) for x in known}
    if not kinds or len(kinds) == 1 and "other" not in kinds:
        return items
    if "other" not in kinds:
        return [functions.to_string(x) if x is not None and x is not UNKNOWN else x for x in items]
    shapes = {type(x) for x in known}
    if len(shapes) > 1:
        raise ConversionError(f"all {'map' if kind == 'map' else kind} elements must have the same type")
    return items


def _set(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for x in items:
        if x not in out:
            out.append(x)
    known = [x for x in out if x is not UNKNOWN and x is not None]
    if len(known) == len(out) and len({_kind_name(x) for x in out}) == 1 and _kind_name(out[0]) != "other":
        return sorted(out)
    return out


def coerce(value: Any, t: Type) -> Any:
    """`value` converted to `t` when it can be, else unchanged: for the arguments of a module call,
    whose errors Terraform reports at the call (not ours to judge)."""
    if t == ANY or not _plain(value):
        return value
    try:
        return convert(value, t)
    except (ConversionError, RecursionError):
        return value


def _plain(v: Any, depth: int = 0) -> bool:
    if depth > 32:
        return False
    if v is None or v is UNKNOWN or isinstance(v, (str, int, float, bool)):
        return True
    if isinstance(v, list):
        return all(_plain(x, depth + 1) for x in v)
    if isinstance(v, dict):
        return all(_plain(x, depth + 1) for x in v.values())
    return False



def declared_type(block: Block) -> Type:
    return parse_type(block.attributes["type"].expr) if "type" in block.attributes else ANY
