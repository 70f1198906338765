"""Resource building: the values, references and source positions of each resource instance."""
from __future__ import annotations

from typing import Any

from ..model import UNKNOWN, Ref, Resource, Span
from ..provider import convert
from . import symbolic
from .evaluator import FOR_COST, Evaluator, ResourceGroup, ResourcePath, Scope
from .expansion import ModuleExpansion
from .hcl_tree import SCALAR_TYPES, Block
from .module_def import comments_for, traversal_name
from .module_instance import ModuleInstance, ResourceInstance
from .symbolic import path_str

META_ATTRIBUTES = {"count", "for_each", "provider", "depends_on"}
META_BLOCKS = {"lifecycle", "provisioner", "connection"}


class ResourceBuilding(ModuleExpansion):
    def read_resource(self, ref: ResourcePath) -> Any:
        inst = self.instances.get(ref.address)
        if inst is None or not ref.path:
            return UNKNOWN
        values = self.evaluate(inst)
        if values is None:
            return UNKNOWN
        v: Any = values
        for part in ref.path:
            if isinstance(v, dict) and isinstance(part, str) and part in v:
                v = v[part]
            elif isinstance(v, list) and isinstance(part, int) and 0 <= part < len(v):
                v = v[part]
            else:
                return UNKNOWN
        if v is None:
            return UNKNOWN  # unset in configuration: computed by the provider
        if v is UNKNOWN and inst.symbols:
            key = inst.symbols.get(path_str(ref.path))
            return UNKNOWN if key is None else symbolic.Symbol(key)
        return v

    # -- building resources ---------------------------------------------------------------------
    def evaluate(self, inst: ResourceInstance) -> dict[str, Any] | None:
        if inst.values is not None:
            return inst.values
        if inst.evaluating:
            return None
        inst.evaluating = True
        outer, self.incomplete = self.incomplete, False
        unresolved: set[tuple[Any, ...]] = set()
        try:
            values, refs = self._eval_body(inst.module, inst.block, inst.scope, (), unresolved,
                                           getattr(inst.block, "file", self.root))
        finally:
            inst.evaluating = False
            premature = self.incomplete
            self.incomplete = outer or premature
        normalized, symbols = self.strip_normalize(values)
        converted: dict[str, Any] = convert(inst.type, normalized)
        if premature:  # read a module instance not expanded yet: evaluated again when read again
            return converted
        inst.values, inst.refs, inst.unresolved, inst.symbols = converted, refs, unresolved, symbols
        return converted

    def _eval_body(
        self, module: ModuleInstance, block: Block, scope: Scope, at: tuple[Any, ...],
        unresolved: set[tuple[Any, ...]] | None = None, file: str | None = None,
    ) -> tuple[dict[str, Any], dict[tuple[Any, ...], list[Ref]]]:
        values: dict[str, Any] = {}
        refs: dict[tuple[Any, ...], list[Ref]] = {}
        for name, attr in block.attributes.items():
            if not at and name in META_ATTRIBUTES:
                continue
            expr = attr.expr
            if expr[0] == "lit" and type(expr[1]) in SCALAR_TYPES:  # a literal: nothing to read or resolve
                values[name] = expr[1]
                continue
            ev = Evaluator(module, scope)
            values[name] = self.guarded_value(ev, attr, file)
            if ev.refs:
                refs[at + (name,)] = _dedupe(ev.refs)
            if ev.open and unresolved is not None:
                unresolved.add(at + (name,))
        counts: dict[str, int] = {}
        for sub in block.blocks:
            if not at and sub.type in META_BLOCKS:
                continue
            if sub.type == "dynamic" and sub.labels:
                self._eval_dynamic(module, sub, scope, at, values, refs, counts, unresolved, file)
                continue
            i = counts.get(sub.type, 0)
            if values.get(sub.type) is UNKNOWN:
                continue
            sv, sr = self._eval_body(module, sub, scope, at + (sub.type, i), unresolved, file)
            values.setdefault(sub.type, []).append(sv)
            refs.update(sr)
            counts[sub.type] = i + 1
        return values, refs

    def _eval_dynamic(
        self,
        module: ModuleInstance,
        block: Block,
        scope: Scope,
        at: tuple[Any, ...],
        values: dict[str, Any],
        refs: dict[tuple[Any, ...], list[Ref]],
        counts: dict[str, int],
        unresolved: set[tuple[Any, ...]] | None = None,
        file: str | None = None,
    ) -> None:
        name = block.labels[0]
        iterator = name
        it_attr = block.attributes.get("iterator")
        if it_attr is not None and it_attr.expr[0] == "var":
            iterator = it_attr.expr[1]
        content = next((b for b in block.blocks if b.type == "content"), None)
        fe = block.attributes.get("for_each")
        ev = Evaluator(module, scope)
        coll = self.guarded(lambda: ev.eval(fe.expr), fe, file) if fe else UNKNOWN
        if isinstance(coll, ResourceGroup):
            coll = coll.members()
        if content is None or not isinstance(coll, (list, dict)) or values.get(name) is UNKNOWN:
            ev.materialize(coll)
            values[name] = UNKNOWN
            return
        pairs = list(coll.items()) if isinstance(coll, dict) else list(enumerate(coll))
        self.spend(len(pairs) * FOR_COST)
        for k, v in pairs:
            i = counts.get(name, 0)
            sv, sr = self._eval_body(module, content, scope.child(**{iterator: {"key": k, "value": v}}), at + (name, i),
                                     unresolved, file)
            values.setdefault(name, []).append(sv)
            refs.update(sr)
            counts[name] = i + 1

    def build(self, inst: ResourceInstance) -> Resource:
        values = self.evaluate(inst) or {}
        block = inst.block
        file = getattr(block, "file", self.root)
        span, attr_spans = self._spans(block, file)
        region, region_from = values.get("region"), None
        # a region the resource sets itself stays unknown when it is: the provider's is not borrowed
        if region is None or (region is UNKNOWN and "region" not in block.attributes):
            key = "huaweicloud"
            pattr = block.attributes.get("provider")
            if pattr is not None:
                key = traversal_name(pattr.expr) or key
            region = self.provider_region(inst.module, key)
            if "region" not in block.attributes:
                region_from = self.provider_origin(inst.module, key)
        comments = self._comments(inst.module, block, file) + tuple(inst.module.call_comments)
        name = block.labels[1]
        return Resource(
            address=inst.address,
            type=inst.type,
            name=name,
            module=inst.module.prefix.rstrip("."),
            index=inst.key,
            values=values,
            region=region,
            region_from=region_from,
            span=span,
            attr_spans=attr_spans,
            refs={k: [r for r in v if r.address != inst.address] for k, v in inst.refs.items()},
            unresolved=set(inst.unresolved),
            unknown_keys=dict(inst.symbols),
            recorded=False,
            source=self.sources.display(self.root),
            comments=comments,
        )


    def _comments(self, module: ModuleInstance, block: Block, file: str) -> tuple[str, ...]:
        """The comments on and in a resource block: once per run for a block of a called module."""
        memo = self.sources.comments
        hit = memo.get(id(block))
        if hit is not None and hit[0] is block and hit[1] == file:
            return hit[2]
        found = tuple(comments_for(module.definition.comments.get(file, []), block))
        memo[id(block)] = (block, file, found)
        return found

    def _spans(self, block: Block, file: str) -> tuple[Span, dict[str, Span]]:
        """Where a resource block and its attributes are: the same for every instance of the block and
        every root that calls its module, so made once per run (each resource gets its own dict)."""
        memo = self.sources.spans
        hit = memo.get(id(block))
        if hit is not None and hit[0] is block and hit[1] == file:
            return hit[2], dict(hit[3])
        rel = self.sources.display(file)
        span = Span(rel, block.line, block.column, block.end_line, block.end_column)
        attr_spans = {
            name: Span(rel, a.line, a.column, a.end_line, a.end_column) for name, a in block.attributes.items()
        }
        seen: dict[str, int] = {}
        for sub in block.blocks:
            name = sub.type if sub.type != "dynamic" else (sub.labels or ["dynamic"])[0]
            sub_span = Span(rel, sub.line, sub.column, sub.end_line, sub.end_column)
            attr_spans.setdefault(name, sub_span)
            if sub.type != "dynamic":  # `ingress_rules[1]`: the n-th static block, for a path's deciding entry
                attr_spans.setdefault(f"{name}[{seen.get(name, 0)}]", sub_span)
                seen[name] = seen.get(name, 0) + 1
        memo[id(block)] = (block, file, span, attr_spans)
        return span, dict(attr_spans)


def _dedupe(refs: list[Ref]) -> list[Ref]:
    return list(dict.fromkeys(refs))

