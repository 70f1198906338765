"""`terraform show -json` output (a plan, or a state: `state.py`) -> an Inventory.

Plans: values come from `resource_changes[].change.after` with `after_unknown`; the
`configuration` tells an argument left unset (provider default) from one computed later, and
its `expressions.*.references` give the references. State: values only, all known.
Both: known ID values are matched against the IDs other resources export.
"""
from __future__ import annotations

from typing import Any

from ..model import ENVIRONMENT, UNKNOWN, InputError, Inventory, Resource, Unchecked, normalize_value, strip_keys
from ..provider import BLOCKS, canonical_type, convert, set_blocks
from .plan_decode import change_fields, identity
from .plan_refs import References, _ConfigModule, _obj, _split_module
from .plan_shape import PlanError, _schema, check_shape, kind_of, locate
from .state import load_state, walk_state


class PlanLoader(References):
    def __init__(self, doc: dict[str, Any], source: str, kind: str) -> None:
        self.doc = doc
        self.source = source
        self.kind = kind
        self.config_modules: dict[str, _ConfigModule] = {}
        self.provider_config: dict[str, Any] = {}
        self.variables: dict[str, Any] = {}
        self._instances_by_config: dict[str, list[str]] | None = None
        self._by_module_config: dict[tuple[str, str], list[Resource]] | None = None
        self._providers: dict[str, tuple[Any, Any]] = {}

    def load(self) -> Inventory:
        if self.kind == "state":
            return load_state(self.doc, self.source)
        inv = Inventory(source=self.source, kind=self.kind)
        config = self.doc.get("configuration") or {}
        self.provider_config = config.get("provider_config") or {}
        self.variables = {k: (v or {}).get("value", UNKNOWN) for k, v in (self.doc.get("variables") or {}).items()}
        if config.get("root_module") is not None:
            self._walk_config(config["root_module"], "")
        else:
            inv.unchecked.append(Unchecked("input", "the configuration",
                                           "not in the plan; unset and unknown values cannot be told apart",
                                           source=self.source))
        if not self._add_changes(inv):
            # older plans, or hand-cut ones: fall back to planned_values
            root = (self.doc.get("planned_values") or {}).get("root_module") or {}
            for raw in walk_state(root):
                if raw.get("mode", "managed") == "managed":
                    inv.add(self._resource(raw, raw.get("values"), None, False))
        self._resolve_references(inv)
        inv.link_literal_ids()
        return inv

    def _add_changes(self, inv: Inventory) -> bool:
        """The resources of `resource_changes` (deleted ones left out); False when there are none."""
        seen: set[str] = set()
        if self.doc.get("resource_changes"):
            # the model is built from resource_changes: let the rest of the document go early,
            # it is most of the memory a large plan takes
            self.doc.pop("planned_values", None)
            self.doc.pop("prior_state", None)
        for rc in self.doc.get("resource_changes") or []:
            fields = change_fields(rc)
            if fields is None:
                continue
            address, actions, before, after, after_unknown = fields
            if actions == ["delete"] or address in seen:
                continue
            seen.add(address)
            recorded = before and "create" not in actions
            inv.add(self._resource(rc, after, after_unknown, recorded))
            rc["change"] = None  # read once; the model holds its own copy
        return bool(seen)

    # -- configuration --------------------------------------------------------------------------
    def _walk_config(self, module: dict[str, Any], prefix: str) -> None:
        cm = _ConfigModule(prefix)
        for r in module.get("resources") or []:
            if r.get("mode", "managed") == "managed" and "address" in r:
                cm.resources[r.get("type", "") + "." + r.get("name", "")] = r
        cm.outputs = _obj(module.get("outputs"))
        cm.calls = _obj(module.get("module_calls"))
        self.config_modules[prefix] = cm
        for name, call in cm.calls.items():
            if isinstance(call, dict) and isinstance(call.get("module"), dict):
                self._walk_config(call["module"], f"{prefix}module.{name}.")

    def _config_for(self, module_config_prefix: str, rtype: str, name: str) -> dict[str, Any] | None:
        cm = self.config_modules.get(module_config_prefix)
        if cm is None:
            return None
        return cm.resources.get(f"{rtype}.{name}")

    # -- resources ----------------------------------------------------------------------------
    def _resource(self, raw: dict[str, Any], after: Any, after_unknown: Any, recorded: bool) -> Resource:
        address, raw_type, name, index = identity(raw)
        module, _ = _split_module(address)
        rtype = canonical_type(raw_type)
        config = self._config_for(strip_keys(module + ".") if module else "", raw_type, name)
        exprs = config.get("expressions") if config else None
        unset = exprs if isinstance(exprs, dict) and not recorded else None
        if unset is not None and isinstance(after, dict) and (not after_unknown or isinstance(after_unknown, dict)):
            # one pass: merged, normalized, and the arguments the configuration does not set unset
            values = _merge_unset(after, after_unknown or {}, unset, BLOCKS.get(rtype, {}))
            _align_sets(rtype, values, exprs)
            _unset_nested(values, unset)
        else:
            values = _merge_unknown(after or {}, after_unknown or {})  # also normalizes
            if exprs is not None:
                _align_sets(rtype, values, exprs)
            if exprs is not None and not recorded:
                values = _unset_from_config(values, exprs, frozenset(BLOCKS.get(rtype, ())))
        convert(rtype, values)
        region, region_from = values.get("region"), None
        # a region the resource sets itself stays unknown when it is: the provider's is not borrowed
        if region is None or (region is UNKNOWN and "region" not in (exprs or {})):
            region, region_from = self._region_of(config, module, exprs)
        res = Resource(
            address=address,
            type=rtype,
            name=name,
            module=module,
            index=index,
            values=values,
            region=region,
            region_from=region_from,
            recorded=recorded,
            source=self.source,
        )
        res._config = config  # type: ignore[attr-defined]
        return res

    def _region_of(self, config: dict[str, Any] | None, module: str, exprs: Any) -> tuple[Any, Any]:
        """`region` and `region_from` of a resource that sets no known region: its provider's, the
        same for every resource of that provider configuration (worked out once for each)."""
        if config is None:
            return UNKNOWN, None
        key = config.get("provider_config_key") or "huaweicloud"
        found = self._providers.get(key) if isinstance(key, str) else None
        if found is None:
            found = (self._provider_region(config, module), self._provider_origin(config))
            if isinstance(key, str):
                self._providers[key] = found
        return found[0], (found[1] if "region" not in (exprs or {}) else None)

    def _provider_region(self, config: dict[str, Any] | None, module: str) -> Any:
        if config is None:
            return UNKNOWN
        key = config.get("provider_config_key") or "huaweicloud"
        pc = self.provider_config.get(key)
        if pc is None and ":" in key:
            pc = self.provider_config.get(key.split(":", 1)[1])
        if pc is None:
            return UNKNOWN
        expr = (pc.get("expressions") or {}).get("region")
        if not isinstance(expr, dict):
            return UNKNOWN
        if "constant_value" in expr:
            value = expr["constant_value"]
            return value if isinstance(value, str) and value else UNKNOWN
        refs = expr.get("references") or []
        if (isinstance(refs, list) and refs and isinstance(refs[0], str) and refs[0].startswith("var.")
                and not pc.get("module_address")):
            value = self.variables.get(refs[0][4:], UNKNOWN)
            return value if isinstance(value, str) and value else UNKNOWN
        return UNKNOWN

    def _provider_origin(self, config: dict[str, Any]) -> Any:
        """`Resource.region_from`: the provider configuration the resource uses (Terraform names
        it by `provider_config_key`, the same key for every module that inherits it)."""
        key = config.get("provider_config_key") or "huaweicloud"
        pc = self.provider_config.get(key)
        if pc is None and ":" in key:
            key = key.split(":", 1)[1]
            pc = self.provider_config.get(key)
        if pc is None:
            return ENVIRONMENT if key == "huaweicloud" else None
        if not pc.get("alias") and "region" not in (pc.get("expressions") or {}):
            return ENVIRONMENT
        return ("provider", key)

def _merge_unknown(after: Any, unknown: Any) -> Any:
    """`after` with UNKNOWN where `after_unknown` says so, and empty strings read as unset.
    (JSON gives exact types: `type(x) is ...` tests them faster than isinstance.)"""
    if unknown is True:
        return UNKNOWN
    t = type(after)
    if t is str:
        return after or None
    if t is dict:
        if not unknown:
            return _normalize(after)
        u = unknown if type(unknown) is dict else {}
        out = {k: _merge_unknown(v, u[k]) if k in u else _normalize(v) for k, v in after.items()}
        for k, flag in u.items():
            if k not in out:
                out[k] = UNKNOWN if flag is True or (type(flag) in (dict, list) and flag) else None
        return out
    if t is list:
        if not unknown or type(unknown) is not list:
            return _normalize(after)
        flags = unknown
        n = len(flags)
        return [_merge_unknown(v, flags[i]) if i < n else _normalize(v) for i, v in enumerate(after)]
    if after is None and type(unknown) in (dict, list) and unknown:
        return UNKNOWN
    return after


def _merge_unset(after: dict[str, Any], unknown: dict[str, Any], exprs: dict[str, Any],
                 blocks: dict[str, str]) -> dict[str, Any]:
    """`_unset_from_config(_merge_unknown(after, unknown), exprs, blocks)` on the top level in
    one pass (`_unset_nested` does the blocks, once the sets are aligned). Done in `after`
    itself: a change's values are read once (same keys, same order as a copy would have)."""
    for k, v in after.items():
        if k in unknown:
            value = _merge_unknown(v, unknown[k])
            if value is UNKNOWN and not _stays_unknown(k, exprs, blocks):
                value = None
            after[k] = value
        else:
            t = type(v)
            if t is str:
                if not v:
                    after[k] = None
            elif t is dict or t is list:
                _normalize_here(v)
    for k, flag in unknown.items():
        if k not in after:
            unknown_here = flag is True or (type(flag) in _NESTED and flag)
            after[k] = UNKNOWN if unknown_here and _stays_unknown(k, exprs, blocks) else None
    return after


def _normalize_here(value: dict[str, Any] | list[Any]) -> None:
    """`_normalize` in place, for a value decoded from JSON (no object in it is shared)."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for k, v in items:
        t = type(v)
        if t is str:
            if not v:
                value[k] = None  # type: ignore[index]
        elif t is dict or t is list:
            _normalize_here(v)


def _unset_nested(values: dict[str, Any], exprs: dict[str, Any]) -> None:
    """The nested blocks' part of `_unset_from_config`, in place."""
    for k, written in exprs.items():
        v = values.get(k)
        if isinstance(written, list) and type(v) is list:
            values[k] = _unset_blocks(v, written)


def _normalize(value: Any) -> Any:
    """`normalize_value` for the exact types JSON gives: empty strings read as unset."""
    t = type(value)
    if t is str:
        return value or None
    if t is dict:
        return {k: (v or None) if type(v) is str else _normalize(v) if type(v) in _NESTED else v
                for k, v in value.items()}
    if t is list:
        return [(v or None) if type(v) is str else _normalize(v) if type(v) in _NESTED else v for v in value]
    return value


_NESTED = (dict, list)


def _align_sets(rtype: str, values: dict[str, Any], exprs: Any) -> None:
    """Put the elements of set-typed blocks (a route table's `route`...) in configuration order,
    so that the references read from the configuration's i-th block meet the i-th value."""
    if not isinstance(exprs, dict) or rtype not in BLOCKS:
        return
    for name in set_blocks(rtype):
        items, blocks = values.get(name), exprs.get(name)
        if not isinstance(items, list) or not isinstance(blocks, list) or len(items) != len(blocks):
            continue
        free = list(range(len(items)))
        order: list[int] = []
        for block in blocks:
            fits = [i for i in free if _fits(items[i], block)]
            if not fits:
                break
            # the element agreeing on the most constants; ties agree on every known value
            best = max(fits, key=lambda i: _agreement(items[i], block))
            order.append(best)
            free.remove(best)
        else:
            values[name] = [items[i] for i in order]


def _constants(block: Any) -> dict[str, Any]:
    if not isinstance(block, dict):
        return {}
    return {k: v["constant_value"] for k, v in block.items() if isinstance(v, dict) and "constant_value" in v}


def _fits(item: Any, block: Any) -> bool:
    if not isinstance(item, dict):
        return False
    for k, c in _constants(block).items():
        v = item.get(k)
        if v is not UNKNOWN and normalize_value(c) is not None and str(v) != str(c):
            return False
    return True


def _agreement(item: dict[str, Any], block: Any) -> int:
    return sum(1 for k, c in _constants(block).items() if str(item.get(k)) == str(c))


def _stays_unknown(key: str, exprs: Any, blocks: Any) -> bool:
    """Whether an unknown argument stays unknown: the configuration sets it, it is `id`, or it is a
    nested block (a `dynamic` block is absent from the configuration's expressions)."""
    return key in exprs or key == "id" or key in blocks


def _unset_from_config(values: dict[str, Any], exprs: Any, blocks: frozenset[str] = frozenset()) -> dict[str, Any]:
    """An unknown argument the configuration does not set is unset, not unknown. Not so for a
    nested block: a `dynamic` block is absent from the configuration's expressions."""
    if not isinstance(exprs, dict):
        return values
    out = dict(values)
    for k, v in values.items():
        if v is UNKNOWN:
            if not _stays_unknown(k, exprs, blocks):
                out[k] = None
        elif type(v) is list and isinstance(exprs.get(k), list):
            out[k] = _unset_blocks(v, exprs[k])
    return out


def _unset_blocks(items: list[Any], written: list[Any]) -> list[Any]:
    """`_unset_from_config` of each block of a list against the block written at its place."""
    return [_unset_from_config(item, written[i]) if isinstance(item, dict) and i < len(written) else item
            for i, item in enumerate(items)]


def load_document(doc: Any, source: str) -> Inventory:
    kind = kind_of(doc)
    if kind is None:
        raise PlanError("JSON document is neither a Terraform plan nor a state (`terraform show -json` output)")
    check_shape(doc, kind)
    return PlanLoader(doc, source, kind).load()


__all__ = ["PlanError", "load_document", "kind_of", "check_shape", "locate", "InputError", "_schema"]
