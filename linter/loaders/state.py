"""`terraform show -json` of a state -> an Inventory: values only, all known (recorded), IDs
matched against the IDs other resources export."""
from __future__ import annotations

from typing import Any

from ..model import UNKNOWN, Inventory, Resource, normalize_value
from ..provider import canonical_type, convert
from .plan_refs import _split_module


def load_state(doc: dict[str, Any], source: str) -> Inventory:
    inv = Inventory(source=source, kind="state")
    root = (doc.get("values") or {}).get("root_module") or {}
    for raw in walk_state(root):
        inv.add(_from_state(raw, source))
    inv.link_literal_ids()
    return inv


def _from_state(raw: dict[str, Any], source: str) -> Resource:
    address = raw["address"]
    module, _ = _split_module(address)
    rtype = canonical_type(raw.get("type", ""))
    values = convert(rtype, normalize_value(raw.get("values") or {}))
    return Resource(
        address=address,
        type=rtype,
        name=raw.get("name", ""),
        module=module,
        index=raw.get("index"),
        values=values,
        region=values.get("region") or UNKNOWN,
        recorded=True,
        source=source,
    )


def walk_state(module: dict[str, Any]) -> list[dict[str, Any]]:
    out = [r for r in module.get("resources") or [] if isinstance(r, dict) and r.get("mode", "managed") == "managed"]
    for child in module.get("child_modules") or []:
        if isinstance(child, dict):
            out += walk_state(child)
    return out
