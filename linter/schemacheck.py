"""A fast yes/no check of a document against one of our JSON Schemas.

jsonschema walks a 20 MB plan in several times the time `json.load` takes. Our schemas use a
small part of JSON Schema (type, required, properties, additionalProperties, items, $ref to
#/definitions, enum, const, pattern, propertyNames, minimum), so they compile into plain Python
checks. The schema stays the one definition: when this check says no, jsonschema is asked to
explain why, and a test holds the two to the same answer.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (
        isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


class UnsupportedSchema(ValueError):
    pass


def compile_schema(schema: dict[str, Any]) -> Check:
    return _Compiler(schema.get("definitions", {})).build(schema)


_IGNORED = ("$schema", "$id", "title", "description", "definitions")


class _Compiler:
    """Each keyword of a schema node to one check (`_KEYWORDS`); a node's checks all have to pass."""

    def __init__(self, definitions: dict[str, Any]) -> None:
        self.compiled: dict[str, Check] = {}
        for name, sub in definitions.items():
            self.compiled[name] = self.build(sub)

    def build(self, node: dict[str, Any]) -> Check:
        checks: list[Check] = []
        for key, value in node.items():
            if key in _IGNORED:
                continue
            keyword = _KEYWORDS.get(key)
            if keyword is None:
                raise UnsupportedSchema(key)
            check = keyword(self, value, node)
            if check is not None:
                checks.append(check)
        if len(checks) == 1:
            return checks[0]
        if len(checks) == 2:
            first, second = checks
            return lambda v: first(v) and second(v)
        return lambda v: all(c(v) for c in checks)

    def ref(self, value: str, node: dict[str, Any]) -> Check:
        if not value.startswith("#/definitions/"):
            raise UnsupportedSchema(value)
        name = value.rsplit("/", 1)[1]
        compiled = self.compiled

        def check(v: Any) -> bool:
            return compiled[name](v)  # looked up when called: definitions may refer to each other

        return check

    def additional(self, value: Any, node: dict[str, Any]) -> Check | None:
        known = set(node.get("properties", {}))
        if value is False:
            return lambda v: not isinstance(v, dict) or all(k in known for k in v)
        if isinstance(value, dict):
            extra = self.build(value)
            return lambda v: not isinstance(v, dict) or all(extra(x) for k, x in v.items() if k not in known)
        return None

    def property_names(self, value: dict[str, Any], node: dict[str, Any]) -> Check:
        names = self.build(value)
        return lambda v: not isinstance(v, dict) or all(names(k) for k in v)


def _required(value: list[str]) -> Check:
    req = tuple(value)
    return lambda v: not isinstance(v, dict) or all(k in v for k in req)


def _enum(value: list[Any]) -> Check:
    allowed = tuple(value)
    return lambda v: any(_same(v, a) for a in allowed)


def _pattern(value: str) -> Check:
    rx = re.compile(value)
    return lambda v: not isinstance(v, str) or rx.search(v) is not None


def _minimum(m: float) -> Check:
    return lambda v: not isinstance(v, (int, float)) or isinstance(v, bool) or v >= m


def _const(c: Any) -> Check:
    return lambda v: _same(v, c)


_Keyword = Callable[[_Compiler, Any, dict[str, Any]], "Check | None"]
_KEYWORDS: dict[str, _Keyword] = {
    "$ref": _Compiler.ref,
    "type": lambda c, value, node: _type_check([value] if isinstance(value, str) else list(value)),
    "required": lambda c, value, node: _required(value),
    "properties": lambda c, value, node: _properties_check({k: c.build(sub) for k, sub in value.items()}),
    "additionalProperties": _Compiler.additional,
    "items": lambda c, value, node: _items_check(c.build(value)),
    "enum": lambda c, value, node: _enum(value),
    "const": lambda c, value, node: _const(value),
    "pattern": lambda c, value, node: _pattern(value),
    "propertyNames": _Compiler.property_names,
    "minimum": lambda c, value, node: _minimum(value),
}


_NAMES = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null", int: "integer"}


def _type_check(types: list[str]) -> Check:
    allowed = set(types)
    if "number" in allowed:
        allowed.add("integer")
    whole_floats = "integer" in allowed  # 1.0 is an integer to JSON Schema

    def check(v: Any) -> bool:
        name = _NAMES.get(type(v))
        if name is not None:
            return name in allowed
        if isinstance(v, float):
            return "number" in allowed or (whole_floats and v.is_integer())
        return _TYPES["object"](v) and "object" in allowed or any(_TYPES[t](v) for t in allowed)

    return check


def _properties_check(props: dict[str, Check]) -> Check:
    items = tuple(props.items())

    def check(v: Any) -> bool:
        if type(v) is not dict:
            return not isinstance(v, dict) or all(f(v[k]) for k, f in items if k in v)
        for k, f in items:
            if k in v and not f(v[k]):
                return False
        return True

    return check


def _items_check(item: Check) -> Check:
    def check(v: Any) -> bool:
        if isinstance(v, list):
            for x in v:
                if not item(x):
                    return False
        return True

    return check


def _same(a: Any, b: Any) -> bool:
    """JSON equality: 1 == 1.0, but true is not 1."""
    return bool(a == b) and isinstance(a, bool) == isinstance(b, bool)
