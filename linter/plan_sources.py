"""A plan or state located in its source: each planned resource gets the file:line, attribute
places and comments of its block, and the source's references where they are narrower, or where
they name more instances of the resources the plan names (a splat)."""
from __future__ import annotations

from .model import Inventory, Resource, strip_keys


def attach_sources(inv: Inventory, hcl: Inventory) -> None:
    """Give plan resources the file:line of their block, matched by module path and address."""
    by_config: dict[str, Resource] = {}
    for r in hcl:
        by_config.setdefault(r.config_address, r)
    for r in inv:
        src = by_config.get(r.config_address)
        if src is None:
            continue
        r.span = src.span
        r.attr_spans = dict(src.attr_spans)
        exact = hcl.get(r.address)
        r.comments = (exact or src).comments
        if exact is not None:
            _narrow_refs(r, exact, inv)


def _narrow_refs(planned: Resource, source: Resource, inv: Inventory) -> None:
    """Where the plan's references are coarser than the source's, keep the source's; where the
    source names more instances of the same resources, take them too.

    A plan records `module.net[count.index].vpc_id` as just `module.net`: every output of every
    instance. The evaluated source names the one resource; it only ever narrows the plan's list.
    A plan also records `huaweicloud_networking_secgroup.shared[*].id` as just
    `huaweicloud_networking_secgroup.shared`, the same as `...shared[count.index].id`; in an
    expression that also reads `count.index` (or `each.key`) the plan loader takes the
    instance of the same key. The source's expression tells a splat (or a `for` over the
    resource) from an index: it names every instance, and those instances are added.
    """
    for path, refs in source.refs.items():
        have = planned.refs.get(path)
        if not have or not refs:
            continue
        if set(refs) < set(have):
            planned.refs[path] = list(refs)
            continue
        named = {h.address for h in have}
        configs = {strip_keys(a) for a in named}
        extra = {
            ref.address for ref in refs
            if ref.address not in named and strip_keys(ref.address) in configs and inv.get(ref.address) is not None
        }
        if extra:
            # every instance the source names of a resource the plan names, in the source's
            # order (the order its message names them in); then what only the plan names
            kept = [ref for ref in refs if ref.address in named or ref.address in extra]
            told = {ref.address for ref in kept}
            planned.refs[path] = list(dict.fromkeys(kept + [h for h in have if h.address not in told]))
