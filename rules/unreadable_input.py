"""VPCEP000: an input that could not be read, parsed or understood (docs/rules/VPCEP000.md)."""
from __future__ import annotations

from collections.abc import Iterator

from vpcep_lint.domain import Inventory
from vpcep_lint.rule import Finding, Rule, Severity


class UnreadableInput(Rule):
    """Registered so that listing, `--explain`, select/ignore, severity and SARIF know it.

    It inspects no inventory: the loaders record what they cannot read, and `api.lint` turns each
    such error into a finding of this rule (when the rule is selected).
    """

    id = "VPCEP000"
    title = "Input that could not be read, parsed or understood"
    severity = Severity.ERROR
    tags = ("input",)
    precision = "very-high"

    def check(self, inv: Inventory) -> Iterator[Finding]:
        return iter(())
