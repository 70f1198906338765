"""Runs the rules over an inventory; one crashing rule does not hide the others."""
from __future__ import annotations

import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field

from vpcep_lint.model import Inventory, Unchecked
from vpcep_lint.rule import Finding, Rule


@dataclass
class RuleCrash:
    rule_id: str
    source: str
    message: str
    detail: str = ""

    def __str__(self) -> str:
        return f"rule {self.rule_id} crashed on {self.source}: {self.message}"


@dataclass
class EngineResult:
    findings: list[Finding] = field(default_factory=list)
    unchecked: list[Unchecked] = field(default_factory=list)
    crashes: list[RuleCrash] = field(default_factory=list)


def run_rules(rules: Sequence[Rule], inv: Inventory) -> EngineResult:
    result = EngineResult()
    seen: set[tuple[object, ...]] = set()
    for rule in rules:
        try:
            found = list(rule.check(inv))
        except Exception as exc:
            result.crashes.append(
                RuleCrash(rule.id, inv.source, f"{type(exc).__name__}: {exc}", traceback.format_exc())
            )
            continue
        for f in found:
            if isinstance(f, Unchecked):
                if f not in result.unchecked:
                    result.unchecked.append(f)
                continue
            key = (f.rule_id, f.address, f.key, f.message)
            if key not in seen:
                seen.add(key)
                result.findings.append(f)
    return result
