"""VPCEP900: an inline suppression comment that is malformed, unused or expired (docs/rules/VPCEP900.md)."""
from __future__ import annotations

from collections.abc import Iterator

from vpcep_lint.domain import Inventory
from vpcep_lint.rule import Finding, Rule, Severity


class SuppressionComment(Rule):
    """Registered so that listing, `--explain`, select/ignore, severity and SARIF know it.

    It inspects no inventory: the suppression comments are judged after every rule has run, by
    `settings.apply_after`, which reports them with this id (when the rule is selected).
    """

    id = "VPCEP900"
    title = "Inline suppression comment that is malformed, unused or expired"
    severity = Severity.WARNING
    tags = ("suppression",)
    precision = "very-high"

    def check(self, inv: Inventory) -> Iterator[Finding]:
        return iter(())
