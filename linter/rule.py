"""What a rule is and what it yields."""
from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import ClassVar

from .domain import Unknown
from .model import Inventory, Resource, Span, Unchecked
from .paths import Step


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "note": 1}[self.value]


@dataclass(frozen=True)
class Related:
    """Another resource that takes part in a finding (the service, the NIC, the listener...)."""

    address: str
    role: str
    span: Span | None = None


@dataclass(frozen=True, kw_only=True)
class Finding:
    rule_id: str
    severity: Severity
    message: str
    address: str
    attribute: str | None = None
    key: str = ""
    """What distinguishes two findings of one rule on one resource (a port, a peer); part of the fingerprint."""
    span: Span | None = None
    related: tuple[Related, ...] = ()
    source: str = ""
    """The input the finding came from."""
    suppressed: str | None = None
    """The justification when an inline suppression applies."""
    path: tuple[Step, ...] = field(default=(), compare=False)
    """The hops of the traffic the finding is about, in order (docs/paths.md); not part of the fingerprint."""

    @property
    def fingerprint(self) -> str:
        import hashlib  # here: only a run that reports fingerprints pays for OpenSSL's start-up

        raw = "\x1f".join((self.rule_id, self.address, self.key or self.attribute or ""))
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]

    def sort_key(self) -> tuple[object, ...]:
        span = self.span
        return (
            span.file if span else "\uffff" + self.source,
            span.line if span else 0,
            span.column if span else 0,
            self.rule_id,
            self.address,
            self.key,
            self.message,
            self.source,
        )


BUILTIN_PREFIX = "vpcep_lint.rules."
PAGES = "vpcep_lint.rule_pages"
"""The package `docs/rules/` is installed as (pyproject.toml): one Markdown page per built-in rule."""


def rule_page(rule_id: str) -> str | None:
    """The page `docs/rules/<rule_id>.md` as installed with the package; None when there is none."""
    from importlib import resources  # here: only --explain and the rule pages read it

    try:
        page = resources.files(PAGES).joinpath(f"{rule_id}.md")
        return page.read_text(encoding="utf-8").strip() if page.is_file() else None
    except (ImportError, OSError):
        return None


class Rule:
    """Base class of every rule, built-in or third-party.

    A subclass sets `id`, `title` and `severity`, writes its user documentation as the class
    docstring (or its module's), and implements `check`. The built-in rules keep theirs in one
    place, their page `docs/rules/<id>.md`, installed with the package (see `rule_page`).
    """

    id: ClassVar[str] = ""
    title: ClassVar[str] = ""
    severity: ClassVar[Severity] = Severity.ERROR
    tags: ClassVar[tuple[str, ...]] = ()
    precision: ClassVar[str] = "high"
    package: ClassVar[str] = "vpcep-lint"
    """The distribution that provides the rule; filled in by the registry."""

    def __init__(self) -> None:
        self.show_unknown = False

    def check(self, inv: Inventory) -> Iterator[Finding | Unknown | Unchecked]:
        raise NotImplementedError

    @classmethod
    def doc(cls) -> str:
        """The rule's user documentation: for a built-in rule its page (`docs/rules/<id>.md`),
        otherwise its module docstring, else its class docstring."""
        if cls.__module__.startswith(BUILTIN_PREFIX):
            page = rule_page(cls.id)
            if page is not None:
                return page
        module = inspect.getmodule(cls)
        text = (module.__doc__ if module else None) or cls.__doc__ or cls.title
        return inspect.cleandoc(text)

    def finding(
        self,
        resource: Resource,
        message: str,
        *,
        attribute: str | None = None,
        key: str = "",
        severity: Severity | None = None,
        related: Iterable[tuple[Resource, str]] = (),
        path: Iterable[Step] = (),
    ) -> Finding:
        rel: list[Related] = []
        for other, role in related:
            item = Related(other.address, role, other.span)
            if item not in rel and other.address != resource.address:
                rel.append(item)
        return Finding(
            rule_id=self.id,
            severity=severity or self.severity,
            message=message,
            address=resource.address,
            attribute=attribute,
            key=key,
            span=resource.span_of(attribute),
            related=tuple(rel),
            source=resource.source,
            path=tuple(path),
        )

    def unknown(self, resource: Resource, what: str, *, attribute: str | None = None) -> Iterator[Unknown]:
        """What this rule could not check on `resource`: never a finding, always counted and listed
        (the engine names every rule that skipped the same part)."""
        yield Unknown(resource, what, attribute)
