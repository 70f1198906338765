"""Rule discovery through the `vpcep_lint.rules` entry-point group (built-ins use it too), and the
rule listing (`--list-rules`, `--explain`)."""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .installed import EntryPointLike as EntryPoint
from .installed import entry_points
from .records import record
from .rule import Rule

GROUP = "vpcep_lint.rules"
VALID_ID = re.compile(r"^[A-Z]{2,8}[0-9]{3}$")


@record(frozen=True)
class RuleLoadError:
    """A rule that could not be loaded; reported as an internal error."""

    name: str
    distribution: str
    message: str

    def __str__(self) -> str:
        return f"rule {self.name} from {self.distribution} failed to load: {self.message}"


class DuplicateRuleError(Exception):
    pass


def _distribution(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    return getattr(dist, "name", None) or "unknown distribution"


def discover(eps: Iterable[EntryPoint] | None = None) -> tuple[list[type[Rule]], list[RuleLoadError]]:
    """Find, then load, every rule; sorted by id. A duplicate id raises DuplicateRuleError."""
    found = sorted(eps if eps is not None else entry_points(group=GROUP), key=lambda e: (e.name, e.value))
    rules: dict[str, type[Rule]] = {}
    errors: list[RuleLoadError] = []
    for ep in found:
        try:
            cls = ep.load()
        except Exception as exc:  # a broken plugin must not take the others down
            errors.append(RuleLoadError(ep.name, _distribution(ep), f"{type(exc).__name__}: {exc}"))
            continue
        if not (isinstance(cls, type) and issubclass(cls, Rule)):
            errors.append(RuleLoadError(ep.name, _distribution(ep),
                                        "entry point is not a vpcep_lint.rule.Rule subclass"))
            continue
        if cls.id != ep.name or not VALID_ID.match(cls.id):
            errors.append(RuleLoadError(ep.name, _distribution(ep),
                                        f"rule id {cls.id!r} must match the entry point name and {VALID_ID.pattern}"))
            continue
        if cls.id in rules and rules[cls.id] is not cls:
            raise DuplicateRuleError(
                f"rule id {cls.id} is provided twice: by {rules[cls.id].package} and by {_distribution(ep)}"
            )
        cls.package = "vpcep-lint" if cls.__module__.startswith("vpcep_lint.") else _distribution(ep)
        rules[cls.id] = cls
    return [rules[k] for k in sorted(rules)], errors


def rules_table(rules: Sequence[type[Rule]]) -> str:
    """`--list-rules`: id, severity, summary and the distribution providing each rule, in columns."""
    rows = [("ID", "SEVERITY", "SUMMARY", "PACKAGE")]
    rows += [(r.id, r.severity.value, r.title, r.package) for r in rules]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "".join(
        f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}".rstrip() + "\n" for row in rows
    )


def explain(cls: type[Rule]) -> str:
    """`--explain ID`: the rule's summary, severity, distribution and documentation."""
    return f"{cls.id}: {cls.title}\nseverity: {cls.severity.value}    provided by: {cls.package}\n\n{cls.doc()}"
