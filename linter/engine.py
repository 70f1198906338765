"""Runs the rules over an inventory; one crashing rule does not hide the others."""
from __future__ import annotations

import traceback
from collections.abc import Sequence

from .domain import Unknown
from .model import Inventory, Unchecked
from .records import field, record
from .rule import Finding, Rule


@record
class RuleCrash:
    rule_id: str
    source: str
    message: str
    detail: str = ""

    def __str__(self) -> str:
        return f"rule {self.rule_id} crashed on {self.source}: {self.message}"


@record
class EngineResult:
    findings: list[Finding] = field(default_factory=list)
    unchecked: list[Unchecked] = field(default_factory=list)
    crashes: list[RuleCrash] = field(default_factory=list)


def run_rules(rules: Sequence[Rule], inv: Inventory) -> EngineResult:
    result = EngineResult()
    seen: set[tuple[object, ...]] = set()
    skipped: dict[tuple[str, str, str | None], tuple[Unknown, list[str]]] = {}
    for rule in rules:
        try:
            found = list(rule.check(inv))
        except Exception as exc:
            result.crashes.append(
                RuleCrash(rule.id, inv.source, f"{type(exc).__name__}: {exc}", traceback.format_exc())
            )
            continue
        for f in found:
            _take(rule.id, f, result, seen, skipped)
    for unknown, ids in skipped.values():
        item = unchecked(unknown, ids)
        if item not in result.unchecked:
            result.unchecked.append(item)
    return result


def _take(rule_id: str, f: Finding | Unknown | Unchecked, result: EngineResult, seen: set[tuple[object, ...]],
          skipped: dict[tuple[str, str, str | None], tuple[Unknown, list[str]]]) -> None:
    """One item a rule yielded: a finding (repeats dropped), what it could not check, or an unknown part."""
    if isinstance(f, Unknown):
        # one item per unknown part, naming every rule that skipped it
        _, ids = skipped.setdefault((f.resource.address, f.what, f.attribute), (f, []))
        if rule_id not in ids:
            ids.append(rule_id)
    elif isinstance(f, Unchecked):
        if f not in result.unchecked:
            result.unchecked.append(f)
    else:
        key = (f.rule_id, f.address, f.key, f.message)
        if key not in seen:
            seen.add(key)
            result.findings.append(f)


def unchecked(unknown: Unknown, rule_ids: Sequence[str]) -> Unchecked:
    span = unknown.resource.span_of(unknown.attribute)
    return Unchecked(
        unknown.kind,
        unknown.what,
        f"{unknown.why}; {', '.join(rule_ids)} not checked",
        span.file if span else None,
        span.line if span else None,
        unknown.resource.address,
        unknown.resource.source,
    )
