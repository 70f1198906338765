"""What a run returns: the `Report`, what it says of each input, and the VPCEP000 finding of an input error."""
from __future__ import annotations

import traceback

from .engine import RuleCrash
from .model import InputError, Inventory, Span, Unchecked
from .records import field, record
from .registry import RuleLoadError
from .rule import Finding, Rule, Severity

INPUT_ERROR_ID = "VPCEP000"
"""The rule of inputs that could not be read, parsed or understood."""


@record
class InputInfo:
    path: str
    kind: str
    """`hcl`, `plan`, `state` or `error`."""
    resources: int = 0
    subjects: int = 0
    """Endpoint services, endpoints and peerings: what the rules check. 0: nothing was checked."""


@record
class LoaderCrash:
    """A loader bug met on one input: that input is not linted, the others still are."""

    source: str
    message: str
    detail: str = ""

    @classmethod
    def of(cls, source: str, exc: Exception) -> LoaderCrash:
        """The crash of an exception being handled (its traceback is the detail `--debug` prints)."""
        return cls(source, f"{type(exc).__name__}: {exc}", traceback.format_exc())

    def __str__(self) -> str:
        return f"loading {self.source} crashed: {self.message}"


@record
class Report:
    inputs: list[InputInfo] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    warnings: list[InputError] = field(default_factory=list)
    """Input problems Terraform only warns about (a value for an undeclared variable in a var file)."""
    crashes: list[RuleCrash] = field(default_factory=list)
    load_errors: list[RuleLoadError] = field(default_factory=list)
    rules: list[type[Rule]] = field(default_factory=list)
    unchecked: list[Unchecked] = field(default_factory=list)
    """What could not be checked: modules not followed, values not known statically."""
    excluded: list[str] = field(default_factory=list)
    """Inputs, and directories below directory arguments, that the configuration's `exclude` skipped."""
    config_path: str | None = None
    """The configuration file in force, if any (the CLI sets it)."""
    inventories: list[Inventory] = field(default_factory=list)
    loader_crashes: list[LoaderCrash] = field(default_factory=list)
    cwd: str = ""
    """The directory finding paths are relative to (reporters that rebase paths need it)."""
    shown_files: dict[str, set[str]] | None = None
    """For inputs given as files: the files whose findings are reported, by input."""
    notices: list[str] = field(default_factory=list)
    """Said on every run: a cache directory refused, for example."""
    not_read: list[InputError] = field(default_factory=list)
    """Files deliberately not read (a link out of the boundary): VPCEP000 notes, not errors."""

    @property
    def internal_errors(self) -> list[str]:
        return [str(c) for c in [*self.crashes, *self.load_errors, *self.loader_crashes]]

    def add_errors(self, errors: list[InputError]) -> None:
        """Input errors, and the files deliberately not read (a VPCEP000 note each, and not checked; no exit 2)."""
        for err in errors:
            if not err.note:
                self.errors.append(err)
            elif err not in self.not_read:
                self.not_read.append(err)
                what, _, why = err.message.partition("; ")
                self.unchecked.append(Unchecked("input", what, why or "not read", file=err.source))


def input_error_finding(err: InputError) -> Finding:
    return Finding(
        rule_id=INPUT_ERROR_ID,
        severity=Severity.NOTE if err.note else Severity.ERROR,
        message=err.message,
        address="",
        span=Span(err.source, err.line or 1, err.column or 1),
        source=err.source,
    )
