"""SARIF 2.1.0 for GitHub code scanning, built with sarif-om; see docs/sarif.md.

The only module that imports `sarif_om`. Its classes are filled in by `_om`, which remembers
which fields were given; `_plain` writes exactly those, so sarif-om's own defaults (`rank: -1`,
`ruleIndex: -1`, `language: "en-US"`, ...) never reach the file and `level: "warning"` is kept
when we set it. No JSON `null`, no timestamps, sorted keys: the same report gives the same bytes.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attr
import sarif_om as om

from .. import __version__
from ..api import INPUT_ERROR_ID, Report
from ..model import Span
from ..report.formatters import RenderOptions
from ..roots import git_top
from ..rule import Finding, Related, Rule, Severity

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/vpcep-lint/vpcep-lint"
HELP_URI = INFORMATION_URI + "/blob/main/docs/rules/{id}.md"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "vpcepLint/v1"
BASE_TAGS = ("security", "terraform", "huaweicloud", "vpcep")
PRECISIONS = ("very-high", "high", "medium", "low")
SECURITY_SEVERITY = {Severity.ERROR: "9.0", Severity.WARNING: "5.0", Severity.NOTE: "2.0"}
"""GitHub: 9.0+ critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low. "7.5" (high) is reserved."""
PLAN_NOTE = "(location in {kind} file; pass --source-dir for file:line)"
NO_SPAN_NOTE = "(no file:line known for this resource)"
OUTSIDE_NOTE = "(file outside the SARIF root, named by its base name only; set --sarif-root)"
GITHUB_TEXT_LIMIT = 1024

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


# -- sarif-om construction and serialization ---------------------------------------------------

_EXPLICIT = "_vpcep_explicit"


def _om(cls: Any, **fields: Any) -> Any:
    """A sarif-om object with the fields given (None values left out); only those are written."""
    given = {k: v for k, v in fields.items() if v is not None}
    obj = cls(**given)
    setattr(obj, _EXPLICIT, frozenset(given))
    return obj


def _plain(obj: Any) -> Any:
    if attr.has(type(obj)):
        explicit = getattr(obj, _EXPLICIT, None)
        out: dict[str, Any] = {}
        for f in attr.fields(type(obj)):
            value = getattr(obj, f.name)
            if value is None:
                continue
            if explicit is not None and f.name not in explicit:
                continue
            if explicit is None and _is_default(value, f.default):
                continue
            out[f.metadata.get("schema_property_name", f.name)] = _plain(value)
        return out
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj if v is not None]
    if isinstance(obj, Severity):
        return obj.value
    return obj


def _is_default(value: Any, default: Any) -> bool:
    if isinstance(default, attr.Factory):  # type: ignore[arg-type]
        default = default.factory()
    return bool(value == default)


def dumps(log: Any) -> str:
    return json.dumps(_plain(log), indent=2, sort_keys=True, ensure_ascii=True) + "\n"


# -- text --------------------------------------------------------------------------------------

def _text(text: str) -> str:
    """Plain message text: SARIF §3.11.5 reserves `{` and `}` for placeholders, so they are doubled."""
    return text.replace("{", "{{").replace("}", "}}")


def _message(text: str) -> Any:
    return _om(om.Message, text=_text(text))


def _first_paragraph(doc: str) -> str:
    """The first paragraph that is not a Markdown heading (a rule page starts with `# ID: title`)."""
    paragraphs = [p for p in doc.strip().split("\n\n") if p.strip()]
    para = next((p for p in paragraphs if not p.lstrip().startswith("#")), paragraphs[0] if paragraphs else "")
    return _clip(" ".join(para.split()))


def _clip(text: str) -> str:
    return text if len(text) <= GITHUB_TEXT_LIMIT else text[: GITHUB_TEXT_LIMIT - 3].rstrip() + "..."


def _pascal(title: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in re.findall(r"[A-Za-z0-9]+", title)) or "Rule"


# -- rules -------------------------------------------------------------------------------------

def _descriptor(rule_id: str, cls: type[Rule] | None) -> Any:
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
    return _om(
        om.ReportingDescriptor,
        id=rule_id,
        name=name if re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", name or "") else _pascal(title),
        short_description=_om(om.MultiformatMessageString, text=_clip(title)),
        full_description=_om(om.MultiformatMessageString, text=_first_paragraph(doc)),
        help=_om(om.MultiformatMessageString, text=doc, markdown=doc),
        help_uri=HELP_URI.format(id=rule_id) if ours else None,
        default_configuration=_om(om.ReportingConfiguration, level=severity.value),
        properties=properties,
    )


# -- results -----------------------------------------------------------------------------------

def _region(line: int, column: int | None, end_line: int | None = None, end_column: int | None = None) -> Any:
    line = max(line, 1)
    column = max(column or 1, 1)
    if end_line is not None and end_line < line:
        end_line = end_column = None
    if end_column is not None and (end_line is None or (end_line == line and end_column <= column)):
        end_column = None
    return _om(om.Region, start_line=line, start_column=column, end_line=end_line, end_column=end_column)


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
    loc = _om(
        om.PhysicalLocation,
        artifact_location=_om(om.ArtifactLocation, uri=uri, uri_base_id=SRCROOT),
        region=region,
    )
    return loc, outside


def _logical(address: str) -> list[Any] | None:
    if not address:
        return None
    return [_om(om.LogicalLocation, fully_qualified_name=address, kind="resource")]


def _result(f: Finding, index: int, paths: _Paths) -> Any:
    text = f.message
    if f.address and f.address not in text:
        text += f" [{f.address}]"
    physical, text = _placed(paths, f.span, f.source, text)
    related = [_related(r, n, f, paths) for n, r in enumerate(f.related, start=1)]
    suppressions = None
    if f.suppressed is not None:
        suppressions = [_om(om.Suppression, kind="inSource", justification=f.suppressed or None)]
    return _om(
        om.Result,
        rule_id=f.rule_id,
        rule_index=index,
        level=f.severity.value,
        message=_message(text),
        locations=[_om(om.Location, physical_location=physical, logical_locations=_logical(f.address))],
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
    return _om(
        om.Location,
        id=n,
        physical_location=physical,
        logical_locations=_logical(r.address),
        message=_message(text),
    )


def _code_flows(f: Finding, paths: _Paths) -> list[Any] | None:
    """The finding's path as one thread flow, one location per step (GitHub: "Show paths")."""
    if not f.path:
        return None
    locations = []
    for n, step in enumerate(f.path):
        text = f"{step.role}: {step.address}: {step.message}" + (f" ({step.blocked})" if step.blocked else "")
        physical, text = _placed(paths, step.span, f.source, text)
        location = _om(om.Location, physical_location=physical, logical_locations=_logical(step.address),
                       message=_message(text))
        locations.append(_om(om.ThreadFlowLocation, location=location, execution_order=n + 1,
                             importance="essential" if step.blocked else "important"))
    blocked = next((s.blocked for s in f.path if s.blocked), "")
    flow = _om(om.ThreadFlow, locations=locations)
    return [_om(om.CodeFlow, thread_flows=[flow], message=_message(blocked) if blocked else None)]


# -- the run -----------------------------------------------------------------------------------

def _invocation(report: Report, paths: _Paths, rule_index: dict[str, int]) -> Any:
    notes: list[Any] = []
    for err in report.errors:
        locations = None
        if err.source:
            physical, _ = _physical(paths, err.source, _region(err.line or 1, err.column or 1))
            locations = [_om(om.Location, physical_location=physical)]
        notes.append(
            _om(
                om.Notification,
                level="error",
                message=_message(f"{paths.shown(err.source)}: {err.message}" if err.source else err.message),
                locations=locations,
                descriptor=_om(om.ReportingDescriptorReference, id=INPUT_ERROR_ID),
                associated_rule=_rule_ref(INPUT_ERROR_ID, rule_index),
            )
        )
    for crash in sorted(report.crashes, key=lambda c: (c.rule_id, c.source, c.message)):
        notes.append(
            _om(
                om.Notification,
                level="error",
                message=_message(f"rule {crash.rule_id} crashed on {paths.shown(crash.source)}: {crash.message}"),
                associated_rule=_rule_ref(crash.rule_id, rule_index),
            )
        )
    for warning in report.warnings:
        locations = None
        if warning.source:
            physical, _ = _physical(paths, warning.source, _region(warning.line or 1, warning.column or 1))
            locations = [_om(om.Location, physical_location=physical)]
        said = f"{paths.shown(warning.source)}: {warning.message}" if warning.source else warning.message
        notes.append(_om(om.Notification, level="warning", locations=locations, message=_message(said)))
    for item in report.unchecked:
        locations = None
        if item.file:
            physical, _ = _physical(paths, item.file, _region(item.line or 1, None))
            locations = [_om(om.Location, physical_location=physical)]
        notes.append(_om(om.Notification, level="note", locations=locations,
                         message=_message(f"not checked: {item.what}: {item.why}"
                                          + (f" [{item.address}]" if item.address else ""))))
    for load_error in sorted(report.load_errors, key=str):
        notes.append(_om(om.Notification, level="error", message=_message(str(load_error))))
    for loader_crash in sorted(getattr(report, "loader_crashes", []), key=str):
        notes.append(_om(om.Notification, level="error",
                         message=_message(
                             f"loading {paths.shown(loader_crash.source)} crashed: {loader_crash.message}")))
    return _om(
        om.Invocation,
        execution_successful=not (report.errors or report.internal_errors),
        tool_execution_notifications=notes or None,
    )


def _registered() -> dict[str, type[Rule]]:
    from ..registry import DuplicateRuleError, discover

    try:
        return {cls.id: cls for cls in discover()[0]}
    except DuplicateRuleError:
        return {}


def _rule_ref(rule_id: str, rule_index: dict[str, int]) -> Any:
    if rule_id not in rule_index:
        return None
    return _om(om.ReportingDescriptorReference, id=rule_id, index=rule_index[rule_id])


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
        classes = {**_registered(), **classes}
    rule_index = {rid: n for n, rid in enumerate(ids)}
    rules = [_descriptor(rid, classes.get(rid)) for rid in ids]

    findings = sorted(report.findings, key=lambda f: f.sort_key())
    results = [_result(f, rule_index[f.rule_id], where) for f in findings]

    if category:
        automation_id = category if category.endswith("/") else category + "/"
    else:
        automation_id = default_category(paths, report, root, cwd)

    driver = _om(
        om.ToolComponent,
        name="vpcep-lint",
        version=__version__,
        semantic_version=__version__,
        information_uri=INFORMATION_URI,
        rules=rules,
    )
    run = _om(
        om.Run,
        tool=_om(om.Tool, driver=driver),
        results=results,
        invocations=[_invocation(report, where, rule_index)],
        automation_details=_om(om.RunAutomationDetails, id=automation_id),
        original_uri_base_ids={SRCROOT: {"uri": Path(root).as_uri().rstrip("/") + "/"}} if known else None,
        column_kind="unicodeCodePoints",
    )
    return _om(om.SarifLog, schema_uri=SCHEMA_URI, version="2.1.0", runs=[run])


def render(report: Report, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    return dumps(build(report, root=options.sarif_root, category=options.category, paths=options.paths))
