"""GitHub Actions workflow commands: one `::error file=…,line=…,col=…,title=VPCEP001::…` per finding.

Printed in a workflow step, each line becomes an annotation on the file and line. Suppressed
findings are left out; a plain summary line closes the output. File paths are relative to the
git work tree around the working directory (GitHub resolves them from the repository root).
"""
from __future__ import annotations

import os

from ..api import Report
from ..report.formatters import RenderOptions
from ..report.text import escape, summary, via
from ..rule import Finding

COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    """The message part (after `::`): GitHub decodes %25, %0D and %0A."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return escape(text)  # any other control character: a visible escape, not raw bytes in the log


def escape_property(text: str) -> str:
    """A property value (`file=`, `title=`): also `:` and `,`, which end a value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _path(file: str, cwd: str, root: str | None) -> str:
    if root is None:
        return file.replace(os.sep, "/")
    full = os.path.realpath(os.path.join(cwd, file))
    try:
        rel = os.path.relpath(full, root).replace(os.sep, "/")
    except ValueError:
        return file.replace(os.sep, "/")
    return file.replace(os.sep, "/") if rel.startswith("../") or rel == ".." else rel


def format_finding(f: Finding, cwd: str | None = None, root: str | None = None) -> str:
    props: list[str] = []
    if f.span is not None:
        path = _path(f.span.file, cwd or os.getcwd(), root)
        props += [f"file={escape_property(path)}", f"line={f.span.line}", f"col={f.span.column}"]
    props.append(f"title={escape_property(f.rule_id)}")
    message = f.message + (f" [{f.address}{via(f)}]" if f.address else "")
    return f"::{COMMANDS[f.severity.value]} {','.join(props)}::{escape_data(message)}"


def render(report: Report, options: RenderOptions | None = None) -> str:
    from ..report.sarif import git_root

    cwd = getattr(report, "cwd", None) or os.getcwd()
    root = git_root(cwd)
    lines = [format_finding(f, cwd, root) for f in report.findings if f.suppressed is None]
    lines.append(escape(summary(report, report.findings)))
    return "\n".join(lines) + "\n"
