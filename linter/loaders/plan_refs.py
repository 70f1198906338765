"""References in a plan: each `configuration` expression's references, followed through module
calls, outputs and `for_each`/`count` keys to the resource instances of `resource_changes`."""
from __future__ import annotations

import json
import re
from bisect import bisect_left
from functools import lru_cache
from typing import Any

from ..model import Inventory, Ref, Resource, strip_keys
from ..records import field, record


@record
class _ConfigModule:
    prefix: str  # "module.a.module.b." (no keys)
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)


class References:
    """Reference resolution for `PlanLoader` (which holds the configuration modules it reads)."""

    config_modules: dict[str, _ConfigModule]
    _instances_by_config: dict[str, list[str]] | None
    _by_module_config: dict[tuple[str, str], list[Resource]] | None = None

    def _module_instances(self, inv: Inventory) -> dict[str, list[str]]:
        """Module instances that hold resources, by their configuration prefix (`module.a.`), sorted."""
        if self._instances_by_config is None:
            index: dict[str, set[str]] = {}
            for module in {r.module for r in inv}:
                index.setdefault(strip_keys(module + "."), set()).add(module)
            self._instances_by_config = {k: sorted(v) for k, v in index.items()}
        return self._instances_by_config

    def _in_module(self, inv: Inventory) -> dict[tuple[str, str], list[Resource]]:
        """The resources by module instance and configuration address, in inventory order."""
        if self._by_module_config is None:
            index: dict[tuple[str, str], list[Resource]] = {}
            for r in inv:
                index.setdefault((r.module, r.config_address), []).append(r)
            self._by_module_config = index
        return self._by_module_config

    def _resolve_references(self, inv: Inventory) -> None:
        # a reference straight to a resource leads to the same instances from every resource of
        # the same module instance (and key, when the expression uses one): resolved once
        direct: dict[tuple[str, Any, str], list[Ref]] = {}
        # the instances of one configuration block share its expressions: read once per block
        read: dict[int, list[tuple[tuple[Any, ...], list[tuple[str, bool]], list[str]]]] = {}
        for res in inv:
            config = getattr(res, "_config", None)
            if config is None:
                continue
            paths = read.get(id(config))  # every config stays alive as some resource's `_config`
            if paths is None:
                paths = read[id(config)] = _followed(config.get("expressions") or {})
            for path, follow, markers in paths:
                targets = self._targets(inv, res, path, follow, markers, config, direct)
                if targets:
                    res.refs[path] = list(targets)

    def _targets(self, inv: Inventory, res: Resource, path: tuple[Any, ...], follow: list[tuple[str, bool]],
                 markers: list[str], config: dict[str, Any],
                 direct: dict[tuple[str, Any, str], list[Ref]]) -> dict[Ref, None]:
        """What the references at `path` lead to; the path is noted unresolved if one leads nowhere."""
        targets: dict[Ref, None] = {}
        address, module = res.address, res.module
        for r, to_resource in follow:
            if to_resource:  # what `_resolve` does with it, without its bookkeeping
                token = (module, res.index if markers else None, r)
                found = direct.get(token)
                if found is None:
                    found = direct[token] = _unique(self._resolve_resource(inv, *token))
            else:
                found = self._resolve(inv, module, res.index, [r] + markers, config, set())
            if not found:
                res.unresolved.add(path)
            for t in found:
                if t.address != address:
                    targets[t] = None
        return targets

    def _resolve(
        self,
        inv: Inventory,
        module: str,
        key: Any,
        refs: list[str],
        config: dict[str, Any] | None,
        seen: _Seen | set[tuple[str, str]],
    ) -> list[Ref]:
        """Reference strings seen from a resource (or call) in module instance `module`."""
        # the tokens met on the way here and, as the loop goes, those of the earlier references:
        # a layer over the caller's, not a copy (a copy per reference is quadratic in their number)
        seen = _Seen(set(), seen if isinstance(seen, _Seen) else _Seen(set(seen), None))
        out: list[Ref] = []
        uses_key = any(r.startswith(("each.", "count.")) for r in refs)
        for ref in _maximal(refs):
            token = (module, ref)
            if token in seen:
                continue
            seen.tokens.add(token)
            if ref.startswith(("each.key", "count.", "path.", "terraform.", "self.", "data.", "local.")):
                continue
            if ref.startswith("each.value"):
                rest = ref[len("each.value"):]
                fe = _strings(_obj(_obj(config).get("for_each_expression")).get("references"))
                for base in _maximal(fe):
                    if key is not None:
                        out += self._resolve(inv, module, key, [f"{base}[{json.dumps(key)}]{rest}"], None, seen)
                continue
            if ref.startswith("var."):
                out += self._resolve_var(inv, module, ref[4:].split(".")[0].split("[")[0], seen)
                continue
            if ref.startswith("module."):
                out += self._resolve_module(inv, module, key if uses_key else None, ref, seen)
                continue
            out += self._resolve_resource(inv, module, key if uses_key else None, ref)
        return _unique(out)

    def _resolve_resource(self, inv: Inventory, module: str, key: Any, ref: str) -> list[Ref]:
        parsed = _resource_ref(ref)
        if parsed is None:
            return []
        rtype, name, index, rest = parsed
        prefix = module + "." if module else ""
        # the instances of `rtype.name` in this module instance (each such address starts with the prefix)
        candidates = self._in_module(inv).get((module, strip_keys(prefix) + f"{rtype}.{name}"), [])
        if index:
            wanted = f"{prefix}{rtype}.{name}{index}"
            candidates = [r for r in candidates if r.address == wanted]
        elif key is not None and len(candidates) > 1:
            same = [r for r in candidates if r.index == key]
            candidates = same or candidates
        return [Ref(r.address, rest) for r in candidates]

    def _resolve_var(self, inv: Inventory, module: str, var: str, seen: _Seen) -> list[Ref]:
        if not module:
            return []
        parent, call_name, call_key = _parent_of(module)
        cm = self.config_modules.get(strip_keys(parent + ".") if parent else "")
        call = cm.calls.get(call_name) if cm else None
        if not call:
            return []
        expr = _obj(_obj(call).get("expressions")).get(var)
        refs = _all_refs(expr)
        return self._resolve(inv, parent, call_key, refs, call, seen)

    def _resolve_module(self, inv: Inventory, module: str, key: Any, ref: str, seen: _Seen) -> list[Ref]:
        m = re.match(r'module\.([A-Za-z0-9_-]+)((?:\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?)(?:\.([A-Za-z0-9_-]+))?', ref)
        if not m:
            return []
        name, index, output = m.group(1), m.group(2), m.group(3)
        prefix = module + "." if module else ""
        child_config = strip_keys(prefix) + f"module.{name}."
        cm = self.config_modules.get(child_config)
        if cm is None:
            return []
        base = f"{prefix}module.{name}"
        instances = [i for i in self._module_instances(inv).get(child_config, ())
                     if i == base or i.startswith(base + "[")]
        if index:
            instances = [i for i in instances if i == f"{prefix}module.{name}{index}"]
        elif key is not None and len(instances) > 1:
            same = [i for i in instances if i.endswith(f"[{json.dumps(key)}]")]
            instances = same or instances
        outputs = [output] if output else sorted(cm.outputs)
        out: list[Ref] = []
        for inst in instances or [f"{prefix}module.{name}"]:
            for o in outputs:
                expr = _obj(cm.outputs.get(o)).get("expression")
                out += self._resolve(inv, inst, None, _all_refs(expr), None, seen)
        return out


_NOT_DIRECT = ("each", "count", "var.", "module.", "path.", "terraform.", "self.", "data.", "local.")
"""References `_resolve_references` hands to `_resolve`; any other is one to a resource."""
_RESOURCE_REF = re.compile(r'([A-Za-z0-9_-]+)((?:\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?)(?:\.?(.*))?$')


@lru_cache(maxsize=4096)
def _resource_ref(ref: str) -> tuple[str, str, str, str] | None:
    """`type.name[index].rest` -> its four parts; None when it is not a resource reference."""
    parts = ref.split(".", 2)
    if len(parts) < 2:
        return None
    m = _RESOURCE_REF.match(ref[len(parts[0]) + 1:])
    if not m:
        return None
    return parts[0], m.group(1), m.group(2), m.group(3) or ""


@record
class _Seen:
    tokens: set[tuple[str, str]]
    parent: _Seen | None

    def __contains__(self, token: tuple[str, str]) -> bool:
        layer: _Seen | None = self
        while layer is not None:
            if token in layer.tokens:
                return True
            layer = layer.parent
        return False


_MODULE_RE = re.compile(r'^((?:module\.[A-Za-z0-9_-]+(?:\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?\.)*)(.*)$')


def _split_module(address: str) -> tuple[str, str]:
    if not address.startswith("module."):
        return "", address
    m = _MODULE_RE.match(address)
    assert m is not None
    return m.group(1).rstrip("."), m.group(2)


def _parent_of(module: str) -> tuple[str, str, Any]:
    """`module.a["x"].module.b[0]` -> ("module.a[\"x\"]", "b", 0)."""
    parts = re.findall(r'module\.([A-Za-z0-9_-]+)(\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?', module)
    name, index = parts[-1]
    parent = "".join(f"module.{n}{i}." for n, i in parts[:-1]).rstrip(".")
    key: Any = None
    if index:
        inner = index[1:-1]
        key = json.loads(inner) if inner.startswith('"') else int(inner)
    return parent, name, key


def _expression_refs(exprs: Any, at: tuple[Any, ...],
                     out: list[tuple[tuple[Any, ...], list[str]]]) -> list[tuple[tuple[Any, ...], list[str]]]:
    """Each attribute path of a configuration's `expressions` that has references, with their
    strings, in document order (added to `out`)."""
    if not isinstance(exprs, dict):
        return out
    for k, v in exprs.items():
        if isinstance(v, dict):
            refs = v.get("references", v)
            if isinstance(refs, list):
                out.append((at + (k,), [r for r in refs if isinstance(r, str)]))
            elif "constant_value" not in v:
                _expression_refs(v, at + (k,), out)
        elif isinstance(v, list):
            for i, item in enumerate(v):
                _expression_refs(item, at + (k, i), out)
    return out


_SKIPPED = ("each.key", "count.", "path.", "terraform.")
"""References `_targets` does not follow: they name no resource."""


def _followed(exprs: Any) -> list[tuple[tuple[Any, ...], list[tuple[str, bool]], list[str]]]:
    """Each path of `exprs` with references: the ones to follow (each once, with whether it is
    one straight to a resource) and the key markers (`each.key`, `count.index`) that tie them to
    the resource's own key."""
    out = []
    for path, refs in _expression_refs(exprs, (), []):
        markers = [r for r in refs if r.startswith(("each.key", "count."))]
        if not markers and any(r.startswith("each.") for r in refs):
            markers = ["each.key"]
        follow = [(r, not r.startswith(_NOT_DIRECT)) for r in (_maximal(refs) if len(refs) > 1 else refs)
                  if not r.startswith(_SKIPPED)]
        out.append((path, follow, markers))
    return out


def _all_refs(expr: Any) -> list[str]:
    out: list[str] = []
    if isinstance(expr, dict):
        refs = expr.get("references")
        if isinstance(refs, list):
            out += [r for r in refs if isinstance(r, str)]
        for k, v in expr.items():
            if k not in ("references", "constant_value"):
                out += _all_refs(v)
    elif isinstance(expr, list):
        for item in expr:
            out += _all_refs(item)
    return out


def _obj(v: Any) -> dict[str, Any]:
    """`v` when it is an object; {} for anything else (null, a number where an object belongs)."""
    return v if isinstance(v, dict) else {}


def _strings(v: Any) -> list[str]:
    return [x for x in v if isinstance(x, str)] if isinstance(v, list) else []


def _maximal(refs: list[str]) -> list[str]:
    """Drop references that only repeat a prefix of another one in the same list (in n log n:
    the references that extend `r` sort right after it, one run for `r.` and one for `r[`)."""
    refs = _strings(refs)
    if len(refs) == 2:  # the usual `x.name.id`, `x.name`
        a, b = refs
        if b.startswith((a + ".", a + "[")):
            return [b]
        if a == b or a.startswith((b + ".", b + "[")):
            return [a]
        return [a, b]
    if len(refs) < 8:
        kept: list[str] = []
        for r in refs:
            if r in kept:
                continue
            longer = (r + ".", r + "[")
            for o in refs:
                if o.startswith(longer):
                    break
            else:
                kept.append(r)
        return kept
    ordered = sorted(set(refs))

    def extended(prefix: str) -> bool:
        i = bisect_left(ordered, prefix)
        return i < len(ordered) and ordered[i].startswith(prefix)

    return list(dict.fromkeys(r for r in refs if not (extended(r + ".") or extended(r + "["))))


def _unique(refs: list[Ref]) -> list[Ref]:
    return list(dict.fromkeys(refs))
