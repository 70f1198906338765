"""sarif-om objects that write only the fields given, and their serialization (for report/sarif.py).

sarif-om's classes are filled in by `_om`, which remembers which fields were given; `_plain` writes
exactly those, so sarif-om's own defaults (`rank: -1`, `ruleIndex: -1`, `language: "en-US"`, ...)
never reach the file and `level: "warning"` is kept when it is set. No JSON `null`, sorted keys.
"""
from __future__ import annotations

import json
from typing import Any

import attr
import sarif_om as om

from ..rule import Severity

_EXPLICIT = "_vpcep_explicit"


def explicit(cls: Any, **fields: Any) -> Any:
    """A sarif-om object with the fields given (None values left out); only those are written."""
    given = {k: v for k, v in fields.items() if v is not None}
    obj = cls(**given)
    setattr(obj, _EXPLICIT, frozenset(given))
    return obj


def _plain(obj: Any) -> Any:
    if attr.has(type(obj)):
        explicit = getattr(obj, _EXPLICIT, None)
        out: dict[str, Any] = {}
        for f in attr.fields(type(obj)):
            value = getattr(obj, f.name)
            if value is None:
                continue
            if explicit is not None and f.name not in explicit:
                continue
            if explicit is None and _is_default(value, f.default):
                continue
            out[f.metadata.get("schema_property_name", f.name)] = _plain(value)
        return out
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj if v is not None]
    if isinstance(obj, Severity):
        return obj.value
    return obj


def _is_default(value: Any, default: Any) -> bool:
    if isinstance(default, attr.Factory):  # type: ignore[arg-type]
        default = default.factory()
    return bool(value == default)


def dumps(log: Any) -> str:
    return json.dumps(_plain(log), indent=2, sort_keys=True, ensure_ascii=True) + "\n"


# -- text --------------------------------------------------------------------------------------

def escape_text(text: str) -> str:
    """Plain message text: SARIF §3.11.5 reserves `{` and `}` for placeholders, so they are doubled."""
    return text.replace("{", "{{").replace("}", "}}")


def sarif_message(text: str) -> Any:
    return explicit(om.Message, text=escape_text(text))
