"""GitHub-flavoured Markdown, for `$GITHUB_STEP_SUMMARY` and pull-request comments.

A heading, the summary line, one table of findings per input (location, rule, severity, message,
resource) with a Mermaid flowchart of each broken path under it (capped, the rest counted), then
what could not be checked. Everything taken from the inputs (messages, paths,
addresses) is escaped: it can neither end a table cell, nor open a link, an image, a code span, HTML,
math, a link, a mention or a heading. The output is capped (`MAX_CHARS`) to fit a pull-request comment
(65,536 characters); what is left out is counted in a closing line.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from ..api import Report
from ..file_paths import is_within
from ..report.formatters import RenderOptions
from ..report.text import describe_unchecked, escape, summary
from ..rule import Finding
from . import mermaid

MAX_CHARS = 60_000
"""Whole-document budget; GitHub caps a comment at 65,536 characters and a step summary at 1 MiB."""
MAX_MESSAGE = 500
"""Characters of one message (or one "not checked" item) kept before it is cut with an ellipsis."""
MAX_NOT_CHECKED = 50
MAX_CLEAN_INPUTS = 20
MAX_DIAGRAMS = 6
"""Flowcharts drawn per input (root, plan or state); the rest are counted."""
MAX_DIAGRAMS_PER_RULE = 3
DOCS_URI = "https://github.com/vpcep-lint/vpcep-lint/blob/main/docs/rules/{id}.md"
HEADER = "| Location | Rule | Severity | Message | Resource |\n| --- | --- | --- | --- | --- |"

# Backslash-escaped: what opens emphasis, code, links, strikethrough or math anywhere in a line.
_INLINE = re.compile(r"([\\`*_\[\]~$])")
_WWW = re.compile(r"\b(www)\.", re.I)
# What starts a block (heading, quote, list, thematic break) when it opens the text of a list item.
_BLOCK_START = re.compile(r"^(\d+)([.)])|^([#>+\-=])")


def text(value: str, limit: int = MAX_MESSAGE, *, line_start: bool = False) -> str:
    """Markdown that renders exactly as `value`, on one line, with no markup of its own
    (`line_start`: also where it opens a line or a list item, where `#`, `>`, `-`, `1.` start blocks)."""
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    value = escape(value)  # control characters and line breaks become visible escapes
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "&#124;")
    value = _INLINE.sub(r"\\\1", value)
    value = value.replace("@", "@&#8203;")  # no @mention, no email autolink
    value = _WWW.sub(r"\1&#46;", value.replace("://", ":&#47;/"))  # no link: a URL shows as text
    if not line_start:
        return value
    return _BLOCK_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(1) else f"\\{m.group(3)}", value)


def code(value: str, limit: int = MAX_MESSAGE) -> str:
    """Inline code made of escaped text (a `<code>` element, so no backtick can end it)."""
    return f"<code>{text(value, limit)}</code>" if value else ""


def _location(f: Finding) -> str:
    if f.span is not None:
        return code(f"{f.span.file}:{f.span.line}")
    return code(f.source or "-")


def _rule(f: Finding, ours: set[str]) -> str:
    if f.rule_id in ours:
        return f"[{text(f.rule_id)}]({DOCS_URI.format(id=f.rule_id)})"
    return text(f.rule_id)


def _row(f: Finding, ours: set[str]) -> str:
    return (
        f"| {_location(f)} | {_rule(f, ours)} | {f.severity.value} | {text(f.message)} | {code(f.address)} |"
    )


def not_checked(report: Report) -> list[str]:
    """What the run could not check, one line each (`where: what: why [address via root]`)."""
    return [describe_unchecked(u) for u in report.unchecked]


def diagrams(report: Report, source: str, options: RenderOptions, budget: int = MAX_CHARS) -> list[str]:
    """A Mermaid flowchart of each broken path of one input, placed under the input's table: grouped
    by rule, at most `MAX_DIAGRAMS_PER_RULE` per rule and `MAX_DIAGRAMS` per input, within `budget`
    characters; the paths left out are counted."""
    by_rule: dict[str, list[Finding]] = {}
    for f in report.findings:
        if f.suppressed is None and (f.source or "-") == source and any(s.blocked for s in f.path):
            by_rule.setdefault(f.rule_id, []).append(f)
    out: list[str] = []
    drawn = left = 0
    for rule_id in sorted(by_rule):
        for n, f in enumerate(by_rule[rule_id]):
            chart = mermaid.flowchart(f)
            heading = f"**{text(rule_id)}** {code(f.address)}" + (f" at {_location(f)}" if f.span else "")
            size = sum(len(x) + 1 for x in chart) + len(heading) + 2
            if n >= MAX_DIAGRAMS_PER_RULE or drawn >= MAX_DIAGRAMS or size > budget:
                left += 1
                continue
            out += [heading, "", *chart, ""]
            budget -= size
            drawn += 1
    if left:
        out += [f"… and {left} more path{'s' if left != 1 else ''} not drawn here (the SARIF report shows every path "
                "under Show paths; `--show-path` prints them as text).", ""]
    return (["#### Paths", "", *out] if drawn else out)


def _bullets(items: Iterable[str], budget: int) -> list[str]:
    items = list(items)
    out: list[str] = []
    used = 0
    for n, item in enumerate(items):
        line = f"- {text(item, line_start=True)}"
        if n >= MAX_NOT_CHECKED or used + len(line) + 1 > budget:
            out.append(f"- … and {len(items) - n} more (the JSON report lists every item)")
            break
        out.append(line)
        used += len(line) + 1
    return out


def _sections(report: Report, groups: dict[str, list[Finding]], ours: set[str], options: RenderOptions,
              budget: int) -> tuple[list[str], int]:
    """One section per input with findings (its table, then its paths) within `budget` characters;
    and how many findings they show."""
    body: list[str] = []
    used = shown = 0
    for source in sorted(groups):
        found = groups[source]
        n = len(found)
        section = [f"### {code(source)}: {n} finding{'s' if n != 1 else ''}", "", HEADER]
        size = used + sum(len(x) + 1 for x in section)
        rows = []
        for f in found:
            row = _row(f, ours)
            if size + len(row) + 1 > budget:
                break
            rows.append(row)
            size += len(row) + 1
        if not rows:
            break
        extra = ["", *diagrams(report, source, options, budget - size)]
        body += [*section, *rows, *extra]
        used = size + sum(len(x) + 1 for x in extra)
        shown += len(rows)
        if len(rows) < n:
            break
    return body, shown


def _within(source: str, path: str) -> bool:
    """Whether `source` (a file or directory a finding or an error names) is input `path` or inside it."""
    if path in (".", ""):
        return not (source.startswith(("/", "../")) or source == "..")
    return is_within(source, path, "/")


def render(report: Report, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    ours = {r.id for r in report.rules if r.package == "vpcep-lint"}  # VPCEP000 and VPCEP900 included
    active = [f for f in report.findings if f.suppressed is None]

    head = ["## vpcep-lint", "", f"**{text(summary(report, report.findings))}**", ""]
    if report.internal_errors:
        head += ["### Errors in vpcep-lint or a plugin", "", *_bullets(sorted(report.internal_errors), 8_000), ""]

    tail: list[str] = []
    unchecked = not_checked(report)
    if unchecked:
        tail += ["### Not checked", "", *_bullets(unchecked, 12_000), ""]

    groups: dict[str, list[Finding]] = {}
    for f in active:
        groups.setdefault(f.source or "-", []).append(f)
    touched = [*groups, *(e.source for e in report.errors)]  # findings and input errors name a file or the input
    clean = [i.path for i in report.inputs if not any(_within(source, i.path) for source in touched)]

    budget = MAX_CHARS - sum(len(x) + 1 for x in head + tail) - 5_000  # the closing lines
    body, shown = _sections(report, groups, ours, options, budget)
    if shown < len(active):
        body += [f"… and {len(active) - shown} more finding{'s' if len(active) - shown != 1 else ''} not shown here "
                 "(the text, JSON and SARIF reports have every one).", ""]
    if clean:
        names = ", ".join(code(p, 200) for p in clean[:MAX_CLEAN_INPUTS])
        more = f" and {len(clean) - MAX_CLEAN_INPUTS} more" if len(clean) > MAX_CLEAN_INPUTS else ""
        body += [f"No findings in {names}{more}.", ""]

    lines = head + body + tail
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"
