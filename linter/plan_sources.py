"""A plan or state located in its source: each planned resource gets the file:line, attribute
places and comments of its block, and the source's references where they are narrower."""
from __future__ import annotations

from .model import Inventory, Resource


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
            _narrow_refs(r, exact)


def _narrow_refs(planned: Resource, source: Resource) -> None:
    """Where the plan's references are coarser than the source's, keep the source's.

    A plan records `module.net[count.index].vpc_id` as just `module.net`: every output of every
    instance. The evaluated source names the one resource; it only ever narrows the plan's list.
    """
    for path, refs in source.refs.items():
        have = planned.refs.get(path)
        if have and refs and set(refs) < set(have):
            planned.refs[path] = list(refs)
