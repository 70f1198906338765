"""Compiler-style text: `path:line:col: VPCEP001 error: message [address]`."""
from __future__ import annotations

import re

from ..api import InputInfo, Report
from ..model import Unchecked
from ..report.formatters import RenderOptions
from ..rule import Finding

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m"}
_RESET = "\033[0m"


def escape(text: str) -> str:
    """Make text from the inputs safe for a terminal: control characters become escapes."""
    text = text.replace("\n", "\\n").replace("\t", "\\t")
    return _CONTROL.sub(_escaped, text)


def _escaped(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def where(f: Finding) -> str:
    if f.span is not None:
        return escape(f"{f.span.file}:{f.span.line}:{f.span.column}")
    return escape(f.source or "-")


def via(f: Finding | Unchecked) -> str:
    """` via infra/prod` when a finding (or what was not checked) is in a file outside its root's
    directory: a module that several roots call reports one finding per root instance."""
    file = f.span.file if isinstance(f, Finding) and f.span is not None else getattr(f, "file", None)
    if not file or not f.source or f.source == "<stdin>":
        return ""
    root = f.source.rsplit("/", 1)[0] if f.source.endswith(".json") and "/" in f.source else f.source
    if root.endswith(".json"):
        root = "."
    folder = file.rsplit("/", 1)[0] if "/" in file else "."
    return "" if folder == root else f" via {f.source}"


def describe_unchecked(u: Unchecked) -> str:
    """`where: what: why [address via root]`, unescaped (each format escapes it its own way)."""
    return str(u) + (f" [{u.address}{via(u)}]" if u.address else (f" [{via(u).strip()}]" if via(u) else ""))


def format_unchecked(u: Unchecked) -> str:
    return escape(describe_unchecked(u))


def format_finding(f: Finding, colour: bool = False) -> str:
    sev = f.severity.value
    if colour:
        sev = f"{_COLOURS[sev]}{sev}{_RESET}"
    line = f"{where(f)}: {f.rule_id} {sev}: {escape(f.message)}"
    if f.address:
        line += f" [{escape(f.address + via(f))}]"
    if f.suppressed is not None:
        line += f" (suppressed: {escape(f.suppressed)})"
    return line


def format_path(f: Finding) -> list[str]:
    """The finding's path as an indented tree, one step per line with its file:line; the step
    where the traffic stops is marked `x` and says what is stopped."""
    lines = []
    depth = 0
    for n, step in enumerate(f.path):
        parallel = n > 0 and step.role == f.path[n - 1].role and step.role in PARALLEL
        depth = depth if parallel or n == 0 else depth + 1
        at = f"{step.span.file}:{step.span.line}" if step.span is not None else "(no file:line)"
        mark = "x " if step.blocked else ""
        text = f"{mark}{step.role} {step.address} at {at}: {step.message}"
        if step.blocked:
            text += f" [{step.blocked}]"
        lines.append("    " + "  " * depth + "`- " + escape(text))
    return lines


PARALLEL = ("endpoint", "route", "deciding entry")
"""Roles whose consecutive steps are alternatives side by side (several endpoints, routes or deciding
entries), drawn at one depth; every other step is one hop further."""


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"


_KINDS = {"hcl": ("root", None), "plan": ("plan", None), "state": ("state", None)}
_UNCHECKED = {"module": ("module not followed", "modules not followed"),
              "value": ("value unknown", "values unknown"),
              "subject": ("subject not checked", "subjects not checked"),
              "undocumented": ("path Huawei does not document", "paths Huawei does not document"),
              "input": ("input partly checked", "inputs partly checked")}


def inputs_phrase(report: Report) -> str:
    """`3 roots`, `1 root and 1 plan`: what was linted (inputs that could not be read are errors)."""
    counts: dict[str, int] = {}
    for i in report.inputs:
        if i.kind != "error":
            counts[i.kind] = counts.get(i.kind, 0) + 1
    ordered = sorted(counts.items(), key=lambda kv: list(_KINDS).index(kv[0]) if kv[0] in _KINDS else 9)
    parts = [_count(n, *_KINDS.get(kind, (kind, None))) for kind, n in ordered]
    if not parts:
        return "0 inputs"
    return " and ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else parts[0]


def _outside(report: Report, source: str) -> int:
    """How many subjects of an input were not checked because their other side is not in it."""
    return len({u.address for u in report.unchecked if u.kind == "subject" and u.source == source})


def _verdict(report: Report, active: list[Finding], linted: list[InputInfo], empty: int, blind: int) -> str:
    """The summary's first words: how many findings, or why there are none."""
    inputs = inputs_phrase(report)
    if active:
        by = {s: sum(1 for f in active if f.severity.value == s) for s in ("error", "warning", "note")}
        parts = [f"{n} {s}{'s' if n != 1 else ''}" for s, n in by.items() if n]
        return f"{len(active)} finding{'s' if len(active) != 1 else ''} ({', '.join(parts)}) in {inputs}"
    if not linted:
        return "nothing checked: no input was linted"
    if empty == len(linted):
        what = "its" if len(linted) == 1 else "their"
        return f"nothing checked in {inputs}: no VPC endpoint service, endpoint or peering in {what} resources"
    if empty + blind == len(linted):
        return (f"nothing checked in {inputs}: the service or VPCs of every endpoint and peering "
                f"{'in it ' if len(linted) == 1 else ''}are outside the configuration")
    return f"no findings in {inputs}"


def summary(report: Report, counted: list[Finding]) -> str:
    active = [f for f in report.findings if f.suppressed is None]
    linted = [i for i in report.inputs if i.kind != "error"]
    empty = sum(1 for i in linted if i.subjects == 0)
    blind = sum(1 for i in linted if i.subjects and _outside(report, i.path) >= i.subjects)
    text = _verdict(report, active, linted, empty, blind)
    told = [f"{empty} with nothing to check"] if empty and empty < len(linted) else []
    if blind and (active or empty + blind < len(linted)):
        told.append(f"{blind} with nothing in the configuration to check against")
    if told:
        text += f" ({', '.join(told)})"
    suppressed = len(report.findings) - len(active)
    if suppressed:
        text += f", {suppressed} suppressed"
    if report.unchecked:
        kinds: dict[str, int] = {}
        for u in report.unchecked:
            kinds[u.kind] = kinds.get(u.kind, 0) + 1
        told = [_count(kinds[k], *_UNCHECKED.get(k, (k + " not checked", k + "s not checked")))
                for k in [*_UNCHECKED, *sorted(set(kinds) - set(_UNCHECKED))] if k in kinds]
        text += "; " + ", ".join(told) + ": --show-unknown lists them"
    if report.excluded:
        config = f"the configuration {report.config_path}" if report.config_path else "the configuration"
        text += f"; {config} excludes {_count(len(report.excluded), 'path')}"
    if report.errors:  # also when their VPCEP000 findings are not listed: those inputs were not checked
        text += f"; {_count(len(report.errors), 'input error')} (not checked)"
    return text


def render(report: Report, options: RenderOptions | None = None) -> str:
    colour = options.colour if options is not None else False
    show_path = options.show_path if options is not None else False
    lines = []
    for f in report.findings:
        if f.suppressed is None:
            lines.append(format_finding(f, colour))
            lines += format_path(f) if show_path else []
    lines.append(summary(report, report.findings))
    return "\n".join(lines) + "\n"
