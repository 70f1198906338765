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
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


class UnsupportedSchema(ValueError):
    pass


def compile_schema(schema: dict[str, Any]) -> Check:
    definitions = schema.get("definitions", {})
    compiled: dict[str, Check] = {}

    def ref(name: str) -> Check:
        def check(v: Any) -> bool:
            return compiled[name](v)

        return check

    def build(node: dict[str, Any]) -> Check:
        checks: list[Check] = []
        for key, value in node.items():
            if key in ("$schema", "$id", "title", "description", "definitions"):
                continue
            if key == "$ref":
                if not value.startswith("#/definitions/"):
                    raise UnsupportedSchema(value)
                checks.append(ref(value.rsplit("/", 1)[1]))
            elif key == "type":
                checks.append(_type_check([value] if isinstance(value, str) else list(value)))
            elif key == "required":
                checks.append(lambda v, req=tuple(value): not isinstance(v, dict) or all(k in v for k in req))
            elif key == "properties":
                checks.append(_properties_check({k: build(sub) for k, sub in value.items()}))
            elif key == "additionalProperties":
                known = set(node.get("properties", {}))
                if value is False:
                    checks.append(lambda v, known=known: not isinstance(v, dict) or all(k in known for k in v))
                elif isinstance(value, dict):
                    extra = build(value)
                    checks.append(lambda v, known=known, extra=extra: not isinstance(v, dict) or all(
                        extra(x) for k, x in v.items() if k not in known))
            elif key == "items":
                checks.append(_items_check(build(value)))
            elif key == "enum":
                checks.append(lambda v, allowed=tuple(value): any(_same(v, a) for a in allowed))
            elif key == "const":
                checks.append(lambda v, c=value: _same(v, c))
            elif key == "pattern":
                rx = re.compile(value)
                checks.append(lambda v, rx=rx: not isinstance(v, str) or rx.search(v) is not None)
            elif key == "propertyNames":
                names = build(value)
                checks.append(lambda v, names=names: not isinstance(v, dict) or all(names(k) for k in v))
            elif key == "minimum":
                checks.append(lambda v, m=value: not isinstance(v, (int, float)) or isinstance(v, bool) or v >= m)
            else:
                raise UnsupportedSchema(key)
        if len(checks) == 1:
            return checks[0]
        if len(checks) == 2:
            first, second = checks
            return lambda v: first(v) and second(v)
        return lambda v: all(c(v) for c in checks)

    for name, sub in definitions.items():
        compiled[name] = build(sub)
    return build(schema)


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
