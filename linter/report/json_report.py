"""The JSON report: stable, sorted, documented in docs/json-format.md, checked by a schema."""
from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..api import Report
from ..report.formatters import RenderOptions
from ..rule import Finding

FORMAT_VERSION = 1


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule_id": f.rule_id,
        "severity": f.severity.value,
        "message": f.message,
        "resource": f.address or None,
        "attribute": f.attribute,
        "key": f.key or None,
        "file": f.span.file if f.span else None,
        "line": f.span.line if f.span else None,
        "column": f.span.column if f.span else None,
        "source": f.source or None,
        "related": [
            {
                "resource": r.address,
                "role": r.role,
                "file": r.span.file if r.span else None,
                "line": r.span.line if r.span else None,
            }
            for r in f.related
        ],
        "path": [
            {
                "role": s.role,
                "resource": s.address,
                "message": s.message,
                "file": s.span.file if s.span else None,
                "line": s.span.line if s.span else None,
                "column": s.span.column if s.span else None,
                "blocked": s.blocked or None,
            }
            for s in f.path
        ],
        "fingerprint": f.fingerprint,
        "suppressed": f.suppressed is not None,
        "justification": f.suppressed,
    }


def as_dict(report: Report) -> dict[str, Any]:
    active = [f for f in report.findings if f.suppressed is None]
    return {
        "version": __version__,
        "format_version": FORMAT_VERSION,
        "inputs": [{"path": i.path, "kind": i.kind, "resources": i.resources, "subjects": i.subjects}
                   for i in report.inputs],
        "findings": [finding_dict(f) for f in report.findings],
        "errors": [
            {"file": e.source, "line": e.line, "column": e.column, "message": e.message} for e in report.errors
        ],
        "warnings": [
            {"file": w.source, "line": w.line, "column": w.column, "message": w.message} for w in report.warnings
        ],
        "internal_errors": sorted(report.internal_errors),
        "not_checked": [
            {"kind": u.kind, "what": u.what, "why": u.why, "file": u.file, "line": u.line,
             "resource": u.address or None, "source": u.source or None}
            for u in report.unchecked
        ],
        "summary": {
            "findings": len(active),
            "errors": sum(1 for f in active if f.severity.value == "error"),
            "warnings": sum(1 for f in active if f.severity.value == "warning"),
            "notes": sum(1 for f in active if f.severity.value == "note"),
            "suppressed": len(report.findings) - len(active),
            "inputs": len(report.inputs),
            "not_checked": len(report.unchecked),
            "rules": [r.id for r in report.rules],
        },
    }


def render(report: Report, options: RenderOptions | None = None) -> str:
    return json.dumps(as_dict(report), indent=2, sort_keys=False, ensure_ascii=False) + "\n"
