"""SARIF 2.1.0 for GitHub code scanning, built with sarif-om; see docs/sarif.md.

With sarif_objects (sarif-om objects that write only the fields given, and their serialization)
and sarif_rules (the rule descriptors), the only modules that import `sarif_om`. No JSON `null`,
no timestamps, sorted keys: the same report gives the same bytes.
"""
from __future__ import annotations

import hashlib
import os
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sarif_om as om

from .. import __version__
from ..api import INPUT_ERROR_ID, Report
from ..model import Span
from ..report.formatters import RenderOptions
from ..roots import git_top
from ..rule import Finding, Related
from .sarif_objects import dumps, explicit, sarif_message
from .sarif_rules import INFORMATION_URI, descriptor, registered_rules

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "vpcepLint/v1"
PLAN_NOTE = "(location in {kind} file; pass --source-dir for file:line)"
NO_SPAN_NOTE = "(no file:line known for this resource)"
OUTSIDE_NOTE = "(file outside the SARIF root, named by its base name only; set --sarif-root)"

# -- paths and URIs ----------------------------------------------------------------------------

git_root = git_top
"""The git work tree containing a directory, without running git (the one finder the run uses)."""


def resolve_root(root: str | None, cwd: str) -> tuple[str, bool]:
    """The SARIF root and whether it is known (given, or a git work tree) rather than guessed (`cwd`)."""
    if root:
        return os.path.realpath(os.path.join(cwd, root)), True
    found = git_root(cwd)
    if found is not None:
        return found, True
    return os.path.realpath(cwd), False


def relative_path(path: str, root: str, cwd: str) -> str | None:
    """`path` (as the loaders show it: relative to `cwd`, or absolute) relative to `root`, POSIX.

    None when the file is not below `root`. Symbolic links are resolved first, as GitHub asks.
    """
    full = os.path.realpath(os.path.join(cwd, path))
    try:
        rel = os.path.relpath(full, os.path.realpath(root))
    except ValueError:  # another drive on Windows
        return None
    rel = rel.replace(os.sep, "/")
    if rel == ".." or rel.startswith("../") or os.path.isabs(rel):
        return None
    return rel


def to_uri(path: str) -> str:
    """A relative POSIX path as a relative URI reference: spaces, `%`, `#`, `?`, non-ASCII escaped."""
    return urllib.parse.quote(path, safe="/")


class _Paths:
    def __init__(self, root: str, cwd: str, kinds: dict[str, str] | None = None) -> None:
        self.root = root
        self.cwd = cwd
        self.kinds = kinds or {}
        """Input path -> `hcl`, `plan`, `state`: which note a finding without file:line gets."""

    def shown(self, path: str) -> str:
        """A path for message text: relative to the root, else its base name; never absolute."""
        if path == "<stdin>":
            return path
        return relative_path(path, self.root, self.cwd) or os.path.basename(path.rstrip("/\\")) or path

    def no_span_note(self, source: str) -> str:
        kind = self.kinds.get(source, "plan")
        if kind == "hcl":
            return NO_SPAN_NOTE
        return PLAN_NOTE.format(kind="state" if kind == "state" else "plan")

    def uri(self, path: str) -> tuple[str, bool]:
        """The artifact URI of a file and whether it lies outside the root (then: its base name)."""
        if path == "<stdin>":
            return to_uri(path), False
        rel = relative_path(path, self.root, self.cwd)
        if rel is None:
            return to_uri(os.path.basename(path.rstrip("/\\")) or "-"), True
        return to_uri(rel), False


# -- results -----------------------------------------------------------------------------------

def _region(line: int, column: int | None, end_line: int | None = None, end_column: int | None = None) -> Any:
    line = max(line, 1)
    column = max(column or 1, 1)
    if end_line is not None and end_line < line:
        end_line = end_column = None
    if end_column is not None and (end_line is None or (end_line == line and end_column <= column)):
        end_column = None
    return explicit(om.Region, start_line=line, start_column=column, end_line=end_line, end_column=end_column)


def _placed(paths: _Paths, span: Span | None, source: str, text: str) -> tuple[Any, str]:
    """The physical location of a span and its message text; with no span, the top of the input
    with a note saying so (GitHub wants a physical location on every location, GH1001), and a
    note when the file is outside the SARIF root."""
    if span is not None:
        region = _region(span.line, span.column, span.end_line, span.end_column)
        physical, outside = _physical(paths, span.file, region)
    else:
        physical, outside = _physical(paths, source or "<stdin>", _region(1, 1))
        text += " " + paths.no_span_note(source)
    if outside:
        text += " " + OUTSIDE_NOTE
    return physical, text


def _physical(paths: _Paths, file: str, region: Any) -> tuple[Any, bool]:
    uri, outside = paths.uri(file)
    loc = explicit(
        om.PhysicalLocation,
        artifact_location=explicit(om.ArtifactLocation, uri=uri, uri_base_id=SRCROOT),
        region=region,
    )
    return loc, outside


def _logical(address: str) -> list[Any] | None:
    if not address:
        return None
    return [explicit(om.LogicalLocation, fully_qualified_name=address, kind="resource")]


def _result(f: Finding, index: int, paths: _Paths) -> Any:
    text = f.message
    if f.address and f.address not in text:
        text += f" [{f.address}]"
    physical, text = _placed(paths, f.span, f.source, text)
    related = [_related(r, n, f, paths) for n, r in enumerate(f.related, start=1)]
    suppressions = None
    if f.suppressed is not None:
        suppressions = [explicit(om.Suppression, kind="inSource", justification=f.suppressed or None)]
    return explicit(
        om.Result,
        rule_id=f.rule_id,
        rule_index=index,
        level=f.severity.value,
        message=sarif_message(text),
        locations=[explicit(om.Location, physical_location=physical, logical_locations=_logical(f.address))],
        related_locations=related or None,
        code_flows=_code_flows(f, paths),
        partial_fingerprints={FINGERPRINT_KEY: _fingerprint(f, physical)},
        suppressions=suppressions,
    )


def _fingerprint(f: Finding, physical: Any) -> str:
    """A finding's own fingerprint; an input error's names its file and its problem (they have no address)."""
    if f.rule_id != INPUT_ERROR_ID:
        return f.fingerprint
    raw = "\x1f".join((f.rule_id, physical.artifact_location.uri, f.message))
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _related(r: Related, n: int, f: Finding, paths: _Paths) -> Any:
    text = f"{r.role}: {r.address}"
    physical, text = _placed(paths, r.span, f.source, text)
    return explicit(
        om.Location,
        id=n,
        physical_location=physical,
        logical_locations=_logical(r.address),
        message=sarif_message(text),
    )


def _code_flows(f: Finding, paths: _Paths) -> list[Any] | None:
    """The finding's path as one thread flow, one location per step (GitHub: "Show paths")."""
    if not f.path:
        return None
    locations = []
    for n, step in enumerate(f.path):
        text = f"{step.role}: {step.address}: {step.message}" + (f" ({step.blocked})" if step.blocked else "")
        physical, text = _placed(paths, step.span, f.source, text)
        location = explicit(om.Location, physical_location=physical, logical_locations=_logical(step.address),
                       message=sarif_message(text))
        locations.append(explicit(om.ThreadFlowLocation, location=location, execution_order=n + 1,
                             importance="essential" if step.blocked else "important"))
    blocked = next((s.blocked for s in f.path if s.blocked), "")
    flow = explicit(om.ThreadFlow, locations=locations)
    return [explicit(om.CodeFlow, thread_flows=[flow], message=sarif_message(blocked) if blocked else None)]


# -- the run -----------------------------------------------------------------------------------

def _invocation(report: Report, paths: _Paths, rule_index: dict[str, int]) -> Any:
    notes: list[Any] = []
    for err in report.errors:
        locations = None
        if err.source:
            physical, _ = _physical(paths, err.source, _region(err.line or 1, err.column or 1))
            locations = [explicit(om.Location, physical_location=physical)]
        notes.append(
            explicit(
                om.Notification,
                level="error",
                message=sarif_message(f"{paths.shown(err.source)}: {err.message}" if err.source else err.message),
                locations=locations,
                descriptor=explicit(om.ReportingDescriptorReference, id=INPUT_ERROR_ID),
                associated_rule=_rule_ref(INPUT_ERROR_ID, rule_index),
            )
        )
    for crash in sorted(report.crashes, key=lambda c: (c.rule_id, c.source, c.message)):
        notes.append(
            explicit(
                om.Notification,
                level="error",
                message=sarif_message(f"rule {crash.rule_id} crashed on {paths.shown(crash.source)}: {crash.message}"),
                associated_rule=_rule_ref(crash.rule_id, rule_index),
            )
        )
    for warning in report.warnings:
        locations = None
        if warning.source:
            physical, _ = _physical(paths, warning.source, _region(warning.line or 1, warning.column or 1))
            locations = [explicit(om.Location, physical_location=physical)]
        said = f"{paths.shown(warning.source)}: {warning.message}" if warning.source else warning.message
        notes.append(explicit(om.Notification, level="warning", locations=locations, message=sarif_message(said)))
    for item in report.unchecked:
        locations = None
        if item.file:
            physical, _ = _physical(paths, item.file, _region(item.line or 1, None))
            locations = [explicit(om.Location, physical_location=physical)]
        notes.append(explicit(om.Notification, level="note", locations=locations,
                         message=sarif_message(f"not checked: {item.what}: {item.why}"
                                          + (f" [{item.address}]" if item.address else ""))))
    for load_error in sorted(report.load_errors, key=str):
        notes.append(explicit(om.Notification, level="error", message=sarif_message(str(load_error))))
    for loader_crash in sorted(getattr(report, "loader_crashes", []), key=str):
        notes.append(explicit(om.Notification, level="error",
                         message=sarif_message(
                             f"loading {paths.shown(loader_crash.source)} crashed: {loader_crash.message}")))
    return explicit(
        om.Invocation,
        execution_successful=not (report.errors or report.internal_errors),
        tool_execution_notifications=notes or None,
    )


def _rule_ref(rule_id: str, rule_index: dict[str, int]) -> Any:
    if rule_id not in rule_index:
        return None
    return explicit(om.ReportingDescriptorReference, id=rule_id, index=rule_index[rule_id])


def default_category(paths: Sequence[str] | None, report: Report, root: str, cwd: str) -> str:
    """`vpcep-lint/<first input relative to the root>/`: a GitHub category with an empty run id."""
    first = next(iter(paths or ()), None) or (report.inputs[0].path if report.inputs else None)
    if first is None or first == ".":
        part = relative_path(first or ".", root, cwd)
    elif first in ("-", "<stdin>"):
        part = "stdin"
    else:
        part = relative_path(first, root, cwd)
        if part is None:
            part = os.path.basename(os.path.normpath(first))
    part = (part or "").strip("/")
    return "vpcep-lint/" + (part + "/" if part and part != "." else "")


def build(
    report: Report,
    *,
    root: str | None = None,
    category: str | None = None,
    paths: Sequence[str] | None = None,
) -> Any:
    """The sarif-om `SarifLog` of a report."""
    cwd = getattr(report, "cwd", None) or os.getcwd()
    root, known = resolve_root(root, cwd)
    where = _Paths(root, cwd, {i.path: i.kind for i in report.inputs})

    classes = {cls.id: cls for cls in report.rules}
    used = {f.rule_id for f in report.findings} | ({INPUT_ERROR_ID} if report.errors else set())
    ids = sorted(set(classes) | used)
    if used - set(classes):  # not among the rules run: a deselected VPCEP000 still has its notifications
        classes = {**registered_rules(), **classes}
    rule_index = {rid: n for n, rid in enumerate(ids)}
    rules = [descriptor(rid, classes.get(rid)) for rid in ids]

    findings = sorted(report.findings, key=lambda f: f.sort_key())
    results = [_result(f, rule_index[f.rule_id], where) for f in findings]

    if category:
        automation_id = category if category.endswith("/") else category + "/"
    else:
        automation_id = default_category(paths, report, root, cwd)

    driver = explicit(
        om.ToolComponent,
        name="vpcep-lint",
        version=__version__,
        semantic_version=__version__,
        information_uri=INFORMATION_URI,
        rules=rules,
    )
    run = explicit(
        om.Run,
        tool=explicit(om.Tool, driver=driver),
        results=results,
        invocations=[_invocation(report, where, rule_index)],
        automation_details=explicit(om.RunAutomationDetails, id=automation_id),
        original_uri_base_ids={SRCROOT: {"uri": Path(root).as_uri().rstrip("/") + "/"}} if known else None,
        column_kind="unicodeCodePoints",
    )
    return explicit(om.SarifLog, schema_uri=SCHEMA_URI, version="2.1.0", runs=[run])


def render(report: Report, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    return dumps(build(report, root=options.sarif_root, category=options.category, paths=options.paths))
