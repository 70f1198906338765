"""`terraform show -json` output (a plan, or a state) -> an Inventory.

Plans: values come from `resource_changes[].change.after` with `after_unknown`; the
`configuration` tells an argument left unset (provider default) from one computed later, and
its `expressions.*.references` give the references. State: values only, all known.
Both: known ID values are matched against the IDs other resources export.
"""
from __future__ import annotations

import json
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources as importlib_resources
from typing import Any

from ..model import (
    UNKNOWN,
    InputError,
    Inventory,
    Ref,
    Resource,
    Unchecked,
    normalize_value,
    strip_keys,
)
from ..provider import BLOCKS, canonical_type, convert, set_blocks

SUPPORTED_MAJOR = {0, 1}


class PlanError(Exception):
    def __init__(self, message: str, line: int | None = None, at: tuple[str | int, ...] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.at = at
        """The JSON path of the offending value, for `locate`."""


@lru_cache(maxsize=None)
def _schema(name: str) -> Any:
    text = importlib_resources.files("vpcep_lint").joinpath("schemas", name).read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=None)
@lru_cache(maxsize=None)
def _fast_check(name: str) -> Any:
    from ..schemacheck import compile_schema

    return compile_schema(_schema(name))


def _validator(name: str) -> Any:
    import jsonschema

    return jsonschema.Draft7Validator(_schema(name))


def kind_of(doc: Any) -> str | None:
    """`plan`, `state`, or None when the document is neither."""
    if not isinstance(doc, dict) or "format_version" not in doc:
        return None
    if any(k in doc for k in ("planned_values", "resource_changes", "configuration", "prior_state")):
        return "plan"
    if "values" in doc or set(doc) <= {"format_version", "terraform_version"}:
        return "state"
    return None


def check_shape(doc: Any, kind: str) -> None:
    """Validate the subset of the document the loader reads; raise PlanError naming the place."""
    version = doc.get("format_version")
    if not isinstance(version, str) or not re.fullmatch(r"\d+\.\d+", version):
        raise PlanError(f"format_version {version!r} is not a version string", at=("format_version",))
    major = int(version.split(".")[0])
    if major not in SUPPORTED_MAJOR:
        raise PlanError(f"unsupported format_version {version} (supported: 0.1 to 1.x)", at=("format_version",))
    name = "plan.schema.json" if kind == "plan" else "state.schema.json"
    try:
        valid = _fast_check(name)(doc)
    except RecursionError:
        raise PlanError("nesting too deep") from None
    if not valid:  # jsonschema only to explain a rejection: it is slow on large plans
        import jsonschema

        validator = _validator(name)
        error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
        at = tuple(error.absolute_path) if error is not None else ()
        where = "/".join(str(p) for p in at) or "(top level)"
        raise PlanError(f"unexpected shape at {where}: {_short(error.message if error else 'invalid')}", at=at)
    if kind == "plan" and "resource_changes" not in doc and "planned_values" not in doc:
        raise PlanError("the plan has neither resource_changes nor planned_values: nothing to lint")


def _short(message: str) -> str:
    """jsonschema quotes the whole offending value; a line on stderr needs only its start."""
    return message if len(message) <= 200 else message[:197] + "..."


_WS = re.compile(r"[ \t\n\r]*")


def _skip(text: str, i: int) -> int:
    """The index of the first non-blank character at or after `i`."""
    m = _WS.match(text, i)
    return m.end() if m else i


def locate(text: str, at: tuple[str | int, ...]) -> tuple[int, int] | None:
    """Line and column of the value at JSON path `at` in the document `text`; None if not found."""
    decoder = json.JSONDecoder()
    i = _skip(text, 0)
    try:
        for key in at:
            if text.startswith("{", i) and isinstance(key, str):
                i = _skip(text, i + 1)
                while not text.startswith("}", i):
                    name, i = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
                    i = _skip(text, _skip(text, i) + 1)  # past the ':'
                    if name == key:
                        break
                    _, i = decoder.raw_decode(text, i)
                    i = _skip(text, i)
                    if text.startswith(",", i):
                        i = _skip(text, i + 1)
                else:
                    return None
            elif text.startswith("[", i) and isinstance(key, int):
                i = _skip(text, i + 1)
                for _ in range(key):
                    _, i = decoder.raw_decode(text, i)
                    i = _skip(text, _skip(text, i) + 1)  # past the ','
            else:
                return None
    except (ValueError, IndexError, RecursionError):
        return None
    line = text.count("\n", 0, i) + 1
    return line, i - text.rfind("\n", 0, i)


@dataclass
class _ConfigModule:
    prefix: str  # "module.a.module.b." (no keys)
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)


class PlanLoader:
    def __init__(self, doc: dict[str, Any], source: str, kind: str) -> None:
        self.doc = doc
        self.source = source
        self.kind = kind
        self.config_modules: dict[str, _ConfigModule] = {}
        self.provider_config: dict[str, Any] = {}
        self.variables: dict[str, Any] = {}
        self._instances_by_config: dict[str, list[str]] | None = None

    def load(self) -> Inventory:
        inv = Inventory(source=self.source, kind=self.kind)
        if self.kind == "state":
            root = (self.doc.get("values") or {}).get("root_module") or {}
            for raw in _walk_state(root):
                inv.add(self._from_state(raw))
            inv.link_literal_ids()
            return inv
        config = self.doc.get("configuration") or {}
        self.provider_config = config.get("provider_config") or {}
        self.variables = {k: (v or {}).get("value", UNKNOWN) for k, v in (self.doc.get("variables") or {}).items()}
        if config.get("root_module") is not None:
            self._walk_config(config["root_module"], "")
        else:
            inv.unchecked.append(Unchecked("input", "the configuration", "not in the plan; unset and unknown values cannot be told apart", source=self.source))
        seen: set[str] = set()
        if self.doc.get("resource_changes"):
            # the model is built from resource_changes: let the rest of the document go early,
            # it is most of the memory a large plan takes
            self.doc.pop("planned_values", None)
            self.doc.pop("prior_state", None)
        for rc in self.doc.get("resource_changes") or []:
            if rc.get("mode", "managed") != "managed":
                continue
            change = rc.get("change") or {}
            actions = change.get("actions") or []
            if actions == ["delete"]:
                continue
            address = rc["address"]
            if address in seen:
                continue
            seen.add(address)
            recorded = change.get("before") is not None and "create" not in actions
            inv.add(self._resource(rc, change.get("after"), change.get("after_unknown"), recorded))
            rc["change"] = None  # read once; the model holds its own copy
        if not seen:
            # older plans, or hand-cut ones: fall back to planned_values
            root = (self.doc.get("planned_values") or {}).get("root_module") or {}
            for raw in _walk_state(root):
                if raw.get("mode", "managed") == "managed":
                    inv.add(self._resource(raw, raw.get("values"), None, False))
        self._resolve_references(inv)
        inv.link_literal_ids()
        return inv

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
    def _from_state(self, raw: dict[str, Any]) -> Resource:
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
            source=self.source,
        )

    def _resource(self, raw: dict[str, Any], after: Any, after_unknown: Any, recorded: bool) -> Resource:
        address = raw["address"]
        module, _ = _split_module(address)
        raw_type = raw.get("type", "")
        rtype = canonical_type(raw_type)
        config = self._config_for(strip_keys(module + ".") if module else "", raw_type, raw.get("name", ""))
        exprs = config.get("expressions") if config else None
        values = _merge_unknown(after or {}, after_unknown or {})  # also normalizes
        if exprs is not None:
            _align_sets(rtype, values, exprs)
        if exprs is not None and not recorded:
            values = _unset_from_config(values, exprs, frozenset(BLOCKS.get(rtype, ())))
        convert(rtype, values)
        region = values.get("region")
        if region is None or region is UNKNOWN:
            region = self._provider_region(config, module)
        res = Resource(
            address=address,
            type=rtype,
            name=raw.get("name", ""),
            module=module,
            index=raw.get("index"),
            values=values,
            region=region,
            recorded=recorded,
            source=self.source,
        )
        res._config = config  # type: ignore[attr-defined]
        return res

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
        if isinstance(refs, list) and refs and isinstance(refs[0], str) and refs[0].startswith("var.") and not pc.get("module_address"):
            value = self.variables.get(refs[0][4:], UNKNOWN)
            return value if isinstance(value, str) and value else UNKNOWN
        return UNKNOWN

    # -- references ---------------------------------------------------------------------------
    def _module_instances(self, inv: Inventory) -> dict[str, list[str]]:
        """Module instances that hold resources, by their configuration prefix (`module.a.`), sorted."""
        if self._instances_by_config is None:
            index: dict[str, set[str]] = {}
            for module in {r.module for r in inv}:
                index.setdefault(strip_keys(module + "."), set()).add(module)
            self._instances_by_config = {k: sorted(v) for k, v in index.items()}
        return self._instances_by_config

    def _resolve_references(self, inv: Inventory) -> None:
        for res in inv:
            config = getattr(res, "_config", None)
            if config is None:
                continue
            exprs = config.get("expressions") or {}
            for path, refs in _expression_refs(exprs, ()):
                # each reference once: what it leads to, and whether it leads to no resource
                markers = [r for r in refs if r.startswith(("each.key", "count."))]
                if any(r.startswith("each.") for r in refs) and not markers:
                    markers = ["each.key"]
                targets: dict[Ref, None] = {}
                for r in _maximal(refs):
                    if r.startswith(("each.key", "count.", "path.", "terraform.")):
                        continue
                    found = self._resolve(inv, res.module, res.index, [r] + markers, config, set())
                    if not found:
                        res.unresolved.add(path)
                    targets.update((t, None) for t in found if t.address != res.address)
                if targets:
                    res.refs[path] = list(targets)

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
        parts = ref.split(".", 2)
        if len(parts) < 2:
            return []
        rtype = parts[0]
        name_and_rest = ref[len(parts[0]) + 1:]
        m = re.match(r'([A-Za-z0-9_-]+)((?:\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?)(?:\.?(.*))?$', name_and_rest)
        if not m:
            return []
        name, index, rest = m.group(1), m.group(2), m.group(3) or ""
        prefix = module + "." if module else ""
        config_address = strip_keys(prefix) + f"{rtype}.{name}"
        candidates = [r for r in inv.instances(config_address) if r.address.startswith(prefix) or not prefix]
        candidates = [r for r in candidates if r.module == module]
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
        instances = [i for i in self._module_instances(inv).get(child_config, ()) if i == base or i.startswith(base + "[")]
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


@dataclass
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


def _walk_state(module: dict[str, Any]) -> list[dict[str, Any]]:
    out = [r for r in module.get("resources") or [] if isinstance(r, dict) and r.get("mode", "managed") == "managed"]
    for child in module.get("child_modules") or []:
        if isinstance(child, dict):
            out += _walk_state(child)
    return out


_MODULE_RE = re.compile(r'^((?:module\.[A-Za-z0-9_-]+(?:\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?\.)*)(.*)$')


def _split_module(address: str) -> tuple[str, str]:
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


def _merge_unknown(after: Any, unknown: Any) -> Any:
    """`after` with UNKNOWN where `after_unknown` says so, and empty strings read as unset."""
    if unknown is True:
        return UNKNOWN
    if isinstance(after, str):
        return after if after != "" else None
    if isinstance(after, dict):
        if not unknown:
            return {k: _merge_unknown(v, None) for k, v in after.items()}
        u = unknown if isinstance(unknown, dict) else {}
        out = {k: _merge_unknown(v, u.get(k)) for k, v in after.items()}
        for k, flag in u.items():
            if k not in out:
                out[k] = _merge_unknown(None, flag)
        return out
    if isinstance(after, list):
        u = unknown if isinstance(unknown, list) else []
        return [_merge_unknown(v, u[i] if i < len(u) else None) for i, v in enumerate(after)]
    if after is None and isinstance(unknown, (dict, list)) and unknown:
        return UNKNOWN
    return after


def _align_sets(rtype: str, values: dict[str, Any], exprs: Any) -> None:
    """Put the elements of set-typed blocks (a route table's `route`...) in configuration order,
    so that the references read from the configuration's i-th block meet the i-th value."""
    if not isinstance(exprs, dict):
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


def _unset_from_config(values: dict[str, Any], exprs: Any, blocks: frozenset[str] = frozenset()) -> dict[str, Any]:
    """An unknown argument the configuration does not set is unset, not unknown. Not so for a
    nested block: a `dynamic` block is absent from the configuration's expressions."""
    if not isinstance(exprs, dict):
        return values
    out = dict(values)
    for k, v in values.items():
        if v is UNKNOWN and k not in exprs and k not in ("id",) and k not in blocks:
            out[k] = None
        elif isinstance(v, list) and isinstance(exprs.get(k), list):
            blocks = exprs[k]
            out[k] = [
                _unset_from_config(item, blocks[i]) if isinstance(item, dict) and i < len(blocks) else item
                for i, item in enumerate(v)
            ]
    return out


def _expression_refs(exprs: Any, at: tuple[Any, ...]) -> list[tuple[tuple[Any, ...], list[str]]]:
    out: list[tuple[tuple[Any, ...], list[str]]] = []
    if not isinstance(exprs, dict):
        return out
    for k, v in exprs.items():
        if isinstance(v, dict) and "references" in v and isinstance(v["references"], list):
            out.append((at + (k,), [r for r in v["references"] if isinstance(r, str)]))
        elif isinstance(v, list):
            for i, item in enumerate(v):
                out += _expression_refs(item, at + (k, i))
        elif isinstance(v, dict) and "constant_value" not in v:
            out += _expression_refs(v, at + (k,))
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
    if len(refs) < 8:
        return list(dict.fromkeys(r for r in refs if not any(o != r and o.startswith((r + ".", r + "[")) for o in refs)))
    ordered = sorted(set(refs))

    def extended(prefix: str) -> bool:
        i = bisect_left(ordered, prefix)
        return i < len(ordered) and ordered[i].startswith(prefix)

    return list(dict.fromkeys(r for r in refs if not (extended(r + ".") or extended(r + "["))))


def _unique(refs: list[Ref]) -> list[Ref]:
    return list(dict.fromkeys(refs))


def load_document(doc: Any, source: str) -> Inventory:
    kind = kind_of(doc)
    if kind is None:
        raise PlanError("JSON document is neither a Terraform plan nor a state (`terraform show -json` output)")
    check_shape(doc, kind)
    return PlanLoader(doc, source, kind).load()


__all__ = ["PlanError", "load_document", "kind_of", "InputError"]
