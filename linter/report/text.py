"""Compiler-style text: `path:line:col: VPCEP001 error: message [address]`."""
from __future__ import annotations

import re

from vpcep_lint.api import Report
from vpcep_lint.rule import Finding

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m"}
_RESET = "\033[0m"


def escape(text: str) -> str:
    """Make text from the inputs safe for a terminal: control characters become escapes."""
    text = text.replace("\n", "\\n").replace("\t", "\\t")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)


def where(f: Finding) -> str:
    if f.span is not None:
        return escape(f"{f.span.file}:{f.span.line}:{f.span.column}")
    return escape(f.source or "-")


def format_finding(f: Finding, colour: bool = False) -> str:
    sev = f.severity.value
    if colour:
        sev = f"{_COLOURS[sev]}{sev}{_RESET}"
    line = f"{where(f)}: {f.rule_id} {sev}: {escape(f.message)}"
    if f.address:
        line += f" [{escape(f.address)}]"
    if f.suppressed is not None:
        line += f" (suppressed: {escape(f.suppressed)})"
    return line


def summary(report: Report, counted: list[Finding]) -> str:
    active = [f for f in report.findings if f.suppressed is None]
    n_inputs = len(report.inputs)
    inputs = f"{n_inputs} input{'s' if n_inputs != 1 else ''}"
    if not active:
        text = f"no findings in {inputs}"
    else:
        by = {s: sum(1 for f in active if f.severity.value == s) for s in ("error", "warning", "note")}
        parts = [f"{n} {s}{'s' if n != 1 else ''}" for s, n in by.items() if n]
        text = f"{len(active)} finding{'s' if len(active) != 1 else ''} ({', '.join(parts)}) in {inputs}"
    suppressed = len(report.findings) - len(active)
    if suppressed:
        text += f", {suppressed} suppressed"
    return text


def render(report: Report, *, colour: bool = False, show_suppressed: bool = False) -> str:
    lines = [
        format_finding(f, colour)
        for f in report.findings
        if f.suppressed is None or show_suppressed
    ]
    lines.append(summary(report, report.findings))
    return "\n".join(lines) + "\n"
