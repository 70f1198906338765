"""Unknown values that carry the identity of the expression they come from.

`var.vpc_cidr` with no value is unknown, but two VPCs with `cidr = var.vpc_cidr` have the same
CIDR whatever it is, and `cidrsubnet(var.vpc_cidr, 8, 1)` is the same subnet wherever it is
written. Inside the evaluator such a value is a `Symbol`, keyed by the canonical text of its
expression after references are resolved (a module input set from `var.vpc_cidr` is the root's
`var.vpc_cidr`). Everything that computes with a value treats a Symbol as UNKNOWN (`plain`);
only passing a value on (a variable, a local, an output, a module input, an attribute) and the
pure functions in SYMBOLIC_FUNCTIONS keep it.

A Symbol never leaves the loader: `strip` turns it into UNKNOWN in a resource's values and
records its key by attribute path (`Resource.unknown_keys`), so every other reader sees the
usual UNKNOWN and only what asks for `unknown_keys` can tell that two unknowns are equal.
"""
from __future__ import annotations

import json
from typing import Any

from ..model import UNKNOWN
from ..records import record
from .hcl_tree import SCALAR_TYPES

SYMBOLIC_FUNCTIONS = {"cidrsubnet", "cidrhost", "cidrnetmask", "lower", "upper", "trimspace", "tostring"}
"""Pure functions of their arguments: applied to a Symbol and known values, the result is a Symbol."""


@record(frozen=True)
class Symbol:
    key: str
    """The expression, references resolved: `var.vpc_cidr`, `cidrsubnet(var.vpc_cidr,8,1)`."""

    def __repr__(self) -> str:
        return f"Symbol({self.key})"


def is_unknown(v: Any) -> bool:
    return v is UNKNOWN or isinstance(v, Symbol)




def plain(v: Any) -> Any:
    """`v` with every Symbol in it read as UNKNOWN (for anything that computes with the value)."""
    if type(v) in SCALAR_TYPES:  # no Symbol in it (most values: checked first)
        return v
    if isinstance(v, Symbol):
        return UNKNOWN
    if isinstance(v, list) and _holds_symbol(v):
        return [plain(x) for x in v]
    if isinstance(v, dict) and _holds_symbol(v):
        return {k: plain(x) for k, x in v.items()}
    return v


def _holds_symbol(v: Any) -> bool:
    if type(v) in SCALAR_TYPES:
        return False
    if isinstance(v, Symbol):
        return True
    if isinstance(v, list):
        return any(_holds_symbol(x) for x in v)
    if isinstance(v, dict):
        return any(_holds_symbol(x) for x in v.values())
    return False


def apply(name: str, args: list[Any]) -> Symbol | None:
    """`name(args)` as a Symbol when some argument is one and the others are known; else None."""
    if name not in SYMBOLIC_FUNCTIONS or not any(isinstance(a, Symbol) for a in args):
        return None
    parts = []
    for a in args:
        if isinstance(a, Symbol):
            parts.append(a.key)
        elif a is UNKNOWN or _holds_symbol(a) or isinstance(a, (list, dict)):
            return None
        else:
            parts.append(json.dumps(a, sort_keys=True))
    return Symbol(f"{name}({','.join(parts)})")


def strip(values: Any, at: tuple[Any, ...] = (), keys: dict[str, str] | None = None) -> tuple[Any, dict[str, str]]:
    """`values` with each Symbol replaced by UNKNOWN, and the Symbols' keys by dotted path (`cidr`,
    `route[0].destination`)."""
    keys = {} if keys is None else keys
    if isinstance(values, Symbol):
        keys[path_str(at)] = values.key
        return UNKNOWN, keys
    if isinstance(values, dict):
        if _holds_symbol(values):
            return {k: strip(v, at + (k,), keys)[0] for k, v in values.items()}, keys
    elif isinstance(values, list) and _holds_symbol(values):
        return [strip(v, at + (i,), keys)[0] for i, v in enumerate(values)], keys
    return values, keys


def path_str(path: tuple[Any, ...]) -> str:
    """(`network`, 0, `port`) -> `network[0].port`."""
    out = ""
    for p in path:
        if isinstance(p, int) and not isinstance(p, bool):
            out += f"[{p}]"
        elif isinstance(p, str) and out and not p.isidentifier():
            out += f'["{p}"]'
        else:
            out += ("." if out else "") + str(p)
    return out
