"""Paths into a resource's values: matching a reference's path pattern, expanding `*`, and the
string leaves that hold a known resource ID (for `Inventory.link_literal_ids`)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def path_under(key: tuple[str | int, ...], prefix: tuple[str | int, ...]) -> bool:
    if len(key) < len(prefix):
        return False
    for a, b in zip(key, prefix, strict=False):  # key may be longer
        if b == "*":
            continue
        if a != b:
            return False
    return True


def expand_path(
    value: Any, parts: tuple[str | int, ...], at: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    if not parts:
        yield at, value
        return
    head, rest = parts[0], parts[1:]
    if head == "*":
        if isinstance(value, list):
            for i, item in enumerate(value):
                yield from expand_path(item, rest, at + (i,))
        return
    if isinstance(value, dict) and head in value:
        yield from expand_path(value[head], rest, at + (head,))


# Free-text and bulky attributes that never hold another resource's ID.
_NOT_REFERENCES = frozenset({"name", "description", "tags", "user_data", "timeouts", "cidr", "status"})


def id_leaves(values: dict[str, Any], ids: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """(path, value) of every string leaf that is a known ID, in document order."""
    out: list[tuple[tuple[str | int, ...], str]] = []
    for k, v in values.items():
        if k in _NOT_REFERENCES:
            continue
        if isinstance(v, str):
            if v in ids:
                out.append(((k,), v))
        elif isinstance(v, (dict, list)):
            _id_leaves_below(v, (k,), ids, out)
    return out


def _id_leaves_below(value: dict[str, Any] | list[Any], at: tuple[str | int, ...], ids: dict[str, Any],
                     out: list[tuple[tuple[str | int, ...], str]]) -> None:
    for k, v in value.items() if isinstance(value, dict) else enumerate(value):
        if isinstance(v, str):
            if v in ids:
                out.append((at + (k,), v))
        elif isinstance(v, (dict, list)):
            _id_leaves_below(v, at + (k,), ids, out)
