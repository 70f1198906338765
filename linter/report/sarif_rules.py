"""SARIF rule descriptors (`tool.driver.rules`) from the registered rules and their pages."""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import sarif_om as om

from ..rule import Rule, Severity
from .sarif_objects import explicit

INFORMATION_URI = "https://github.com/vpcep-lint/vpcep-lint"
HELP_URI = INFORMATION_URI + "/blob/main/docs/rules/{id}.md"
BASE_TAGS = ("security", "terraform", "huaweicloud", "vpcep")
PRECISIONS = ("very-high", "high", "medium", "low")
SECURITY_SEVERITY = {Severity.ERROR: "9.0", Severity.WARNING: "5.0", Severity.NOTE: "2.0"}
"""GitHub: 9.0+ critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low. "7.5" (high) is reserved."""
GITHUB_TEXT_LIMIT = 1024


def first_paragraph(doc: str) -> str:
    """The first paragraph that is not a Markdown heading (a rule page starts with `# ID: title`)."""
    paragraphs = [p for p in doc.strip().split("\n\n") if p.strip()]
    para = next((p for p in paragraphs if not p.lstrip().startswith("#")), paragraphs[0] if paragraphs else "")
    return _clip(" ".join(para.split()))


def _clip(text: str) -> str:
    return text if len(text) <= GITHUB_TEXT_LIMIT else text[: GITHUB_TEXT_LIMIT - 3].rstrip() + "..."


def _pascal(title: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in re.findall(r"[A-Za-z0-9]+", title)) or "Rule"


# -- rules -------------------------------------------------------------------------------------

def descriptor(rule_id: str, cls: type[Rule] | None) -> Any:
    if cls is not None:
        name, title, severity = cls.__name__, cls.title or rule_id, cls.severity
        tags: Sequence[str] = cls.tags
        precision, doc = cls.precision, cls.doc()
        ours = cls.package == "vpcep-lint"
    else:  # a finding whose rule is not in the report (should not happen): describe it minimally
        name, title, severity, tags = _pascal(rule_id), rule_id, Severity.WARNING, ()
        precision, doc, ours = "medium", rule_id, False
    properties: dict[str, Any] = {
        "tags": list(dict.fromkeys([*BASE_TAGS, *tags])),
        "security-severity": SECURITY_SEVERITY[severity],
    }
    if precision in PRECISIONS:
        properties["precision"] = precision
    doc = doc.strip() or title
    return explicit(
        om.ReportingDescriptor,
        id=rule_id,
        name=name if re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", name or "") else _pascal(title),
        short_description=explicit(om.MultiformatMessageString, text=_clip(title)),
        full_description=explicit(om.MultiformatMessageString, text=first_paragraph(doc)),
        help=explicit(om.MultiformatMessageString, text=doc, markdown=doc),
        help_uri=HELP_URI.format(id=rule_id) if ours else None,
        default_configuration=explicit(om.ReportingConfiguration, level=severity.value),
        properties=properties,
    )


def registered_rules() -> dict[str, type[Rule]]:
    from ..registry import DuplicateRuleError, discover

    try:
        return {cls.id: cls for cls in discover()[0]}
    except DuplicateRuleError:
        return {}
