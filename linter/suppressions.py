"""Inline suppressions: `# vpcep-lint: ignore[VPCEP001] reason="..." until=YYYY-MM-DD` on a resource
(or on a module block, for every resource of that module), read, applied to the findings, and
reported when malformed, expired, unused or naming an unknown rule (VPCEP900)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Callable, Iterable
from typing import Any

from .comment_places import CommentLines
from .model import Inventory, Resource, Span, excerpt, strip_keys
from .records import field, record
from .registry import VALID_ID, discover
from .rule import Finding, Severity

SUPPRESSION_ID = "VPCEP900"
"""Findings about suppression comments themselves (malformed, unused, expired, unknown rule)."""

RULE_ID = VALID_ID

_SUPPRESS = re.compile(r"^(?:#|//|/\*)\s*vpcep-lint\s*:\s*(ignore\b|\w+(?=\s*\[))(.*)$", re.S)
_IDS = re.compile(r"^\[([^\]]*)\]")
_BLANK = re.compile(r"\s*")
_FIELD = re.compile(r'\s*([A-Za-z_]\w*)=(?:"((?:[^"\\]|\\.)*)"|([^\s"]+))')
_FIELDS = ("reason", "until")
_EXPECTED = 'expected reason="..." and until=YYYY-MM-DD'


@record
class Suppression:
    ids: tuple[str, ...]
    reason: str | None
    until: dt.date | None
    text: str
    problem: str | None = None
    used: set[str] = field(default_factory=set)
    """The ids that suppressed (or, expired, would have suppressed) a finding."""


class _Malformed(Exception):
    def __init__(self, problem: str, ids: tuple[str, ...] = ()) -> None:
        super().__init__(problem)
        self.problem = problem
        self.ids = ids


def parse_suppression(comment: str) -> Suppression | None:
    """`# vpcep-lint: ignore[VPCEP001,VPCEP002] reason="..." until=2027-01-31`; None for other comments.

    A comment that starts with `vpcep-lint:` but cannot be read is returned with `problem` set.
    """
    text = comment.strip()
    m = _SUPPRESS.match(text)
    if not m:
        return None
    directive, rest = m.group(1), m.group(2).strip()
    if text.startswith("/*") and rest.endswith("*/"):
        rest = rest[:-2].rstrip()
    try:
        if directive != "ignore":
            raise _Malformed(f"unknown directive {excerpt(directive)}; write ignore[RULE] reason=\"...\"")
        ids, pos = _ids(rest)
        fields = _fields(rest, pos, ids)
        until = _until(fields, ids)
        reason = (fields.get("reason") or "").strip()
        if not reason:
            raise _Malformed('a reason is required: reason="..."', ids)
    except _Malformed as bad:
        return Suppression(bad.ids, None, None, text, problem=bad.problem)
    return Suppression(ids, reason, until, text)


def _ids(rest: str) -> tuple[tuple[str, ...], int]:
    """The rule ids in `[...]`, and where the fields after them start."""
    ids_m = _IDS.match(rest)
    ids = tuple(x.strip().upper() for x in ids_m.group(1).split(",") if x.strip()) if ids_m else ()
    if not ids_m or not ids:
        raise _Malformed("a rule id is required: ignore[VPCEP001]")
    for rid in ids:
        if not RULE_ID.match(rid):
            raise _Malformed(f"{excerpt(rid)} is not a rule id (like VPCEP001)", ids[:8])
    return ids, ids_m.end()


def _fields(rest: str, pos: int, ids: tuple[str, ...]) -> dict[str, str]:
    fields: dict[str, str] = {}
    while pos < len(rest):
        if _BLANK.fullmatch(rest, pos):  # no copy of the rest per field: that would be quadratic
            break
        fm = _FIELD.match(rest, pos)
        if not fm:
            raise _Malformed(f"cannot read {excerpt(rest[pos:pos + 200].strip())}; {_EXPECTED}", ids)
        key = fm.group(1)
        if key not in _FIELDS:
            raise _Malformed(f"unknown field {excerpt(key)}; {_EXPECTED}", ids)
        value = fm.group(2) if fm.group(2) is not None else fm.group(3)
        fields[key] = re.sub(r"\\(.)", r"\1", value)
        pos = fm.end()
    return fields


def _until(fields: dict[str, str], ids: tuple[str, ...]) -> dt.date | None:
    if "until" not in fields:
        return None
    try:
        return dt.date.fromisoformat(fields["until"])
    except ValueError:
        raise _Malformed(f"until={excerpt(fields['until'])} is not a date (YYYY-MM-DD)", ids) from None


# -- where each suppression is and what it covers -----------------------------------------------------

@record
class _Site:
    """One suppression comment and the resources it covers."""

    suppression: Suppression
    source: str
    address: str
    span: Span | None
    carriers: list[Resource] = field(default_factory=list)


def _collect(inventories: Iterable[Inventory]) -> list[_Site]:
    """Suppression comments of every input: a resource's own, and those on module blocks above it."""
    lines = CommentLines()
    sites: dict[tuple[Any, ...], _Site] = {}
    for inv in inventories:
        inherited: list[tuple[str, _Site]] = []
        for r in inv:
            for text in dict.fromkeys(r.comments):
                sup = parse_suppression(text)
                if sup is not None:
                    _site_of(sup, text, r, inv.source, lines, sites, inherited).carriers.append(r)
        for text, site in inherited:
            site.address = _common_module(site.carriers)
            for path in _module_files(inv):
                site.span = lines.find(path, text.strip())
                if site.span is not None:
                    break
    return list(sites.values())


def _site_of(sup: Suppression, text: str, r: Resource, source: str, lines: CommentLines,
             sites: dict[tuple[Any, ...], _Site], inherited: list[tuple[str, _Site]]) -> _Site:
    """The resource's own comment (found in its block), else one on a module block: shared by every
    resource of that module instance, and placed once all of them are known."""
    own = None
    if r.span is not None:
        first = lines.comment_start(r.span.file, r.span.line - 1)
        own = lines.find(r.span.file, text.strip(), first, r.span.end_line or r.span.line)
    if own is not None:
        return sites.setdefault((source, own.file, own.line, own.column), _Site(sup, source, r.address, own))
    key = (source, "module", sup.text)
    if key not in sites:
        sites[key] = _Site(sup, source, "", None)
        inherited.append((sup.text, sites[key]))
    return sites[key]


def _module_files(inv: Inventory) -> list[str]:
    """The .tf files of an input's root directory, then of the other module directories it reads."""
    dirs = [inv.source] if os.path.isdir(inv.source) else []
    dirs += sorted({os.path.dirname(r.span.file) or "." for r in inv if r.span is not None} - set(dirs))
    out = []
    for d in dirs:
        try:
            names = sorted(os.listdir(d))
        except OSError:
            continue
        out += [name if d == "." else f"{d}/{name}" for name in names if name.endswith(".tf")]
    return out


def _common_module(carriers: list[Resource]) -> str:
    """`module.a.module.b` shared by all resources under a module block (instance keys dropped)."""
    paths = [strip_keys(c.module).split(".") for c in carriers if c.module]
    if not paths:
        return ""
    common = os.path.commonprefix(paths)
    return ".".join(common[: len(common) - len(common) % 2])


# -- applying them ---------------------------------------------------------------------------------

def known_rule_ids() -> set[str]:
    try:
        return {r.id for r in discover()[0]}
    except Exception:  # a duplicate id is reported by the CLI before this point
        return set()


_Add = Callable[[Finding], None]


def apply_suppressions(findings: list[Finding], report: Any, today: dt.date, known_ids: set[str] | None,
                       configure: Callable[[Iterable[Finding]], list[Finding]]) -> list[Finding]:
    """`findings` with those a suppression covers marked suppressed, and (when VPCEP900 runs) the
    findings about the suppressions themselves, passed through `configure` (severity, per-path ignores)."""
    sites = _collect(report.inventories)
    if not sites:
        return findings
    extra: dict[tuple[str, str, str], Finding] = {}

    def add(f: Finding) -> None:
        extra.setdefault((f.source, f.address, f.key), f)

    out = _suppressed(findings, sites, today, add)
    known = known_ids if known_ids is not None else known_rule_ids()
    ran = {r.id for r in getattr(report, "rules", [])}
    shown = getattr(report, "shown_files", None) or {}
    for site in sites:
        _judge(site, known, ran, shown, add)
    if SUPPRESSION_ID not in ran:  # deselected (--select, --ignore): the comments still apply
        return out
    return out + configure(extra.values())


def _suppressed(findings: list[Finding], sites: list[_Site], today: dt.date, add: _Add) -> list[Finding]:
    by_resource: dict[tuple[str, str], list[_Site]] = {}
    for site in sites:
        for r in site.carriers:
            by_resource.setdefault((site.source, r.address), []).append(site)
    out: list[Finding] = []
    for f in findings:
        applied = None
        for site in by_resource.get((f.source, f.address), []):
            s = site.suppression
            if s.problem or f.rule_id not in s.ids:
                continue
            s.used.add(f.rule_id)
            if s.until is not None and s.until < today:
                add(_meta(f.source, f.address, f.span, Severity.NOTE, f"expired:{f.rule_id}",
                          f"suppression of {f.rule_id} expired on {s.until.isoformat()}; the finding applies again"))
                continue
            applied = s.reason
            break
        out.append(dataclasses.replace(f, suppressed=applied) if applied else f)
    return out


def _visible(site: _Site, shown: dict[str, set[str]], *, all_carriers: bool) -> bool:
    """Whether the files reported for the site's input (some files of a directory) hold the site."""
    files = shown.get(site.source)
    if files is None:
        return True
    spans = [c.span for c in site.carriers] if all_carriers or site.span is None else [site.span]
    return all(sp is not None and sp.file in files for sp in spans)


def _judge(site: _Site, known: set[str], ran: set[str], shown: dict[str, set[str]], add: _Add) -> None:
    """The findings about one suppression comment: malformed, naming an unknown rule, or unused."""
    s = site.suppression
    span = site.span or next((c.span for c in site.carriers if c.span is not None), None)
    if s.problem:
        if _visible(site, shown, all_carriers=False):
            add(_meta(site.source, site.address, span, Severity.WARNING, "malformed:" + _comment_key(s.text),
                      f"malformed suppression, it suppresses nothing: {s.problem}"))
        return
    for rid in s.ids:
        if rid not in known:
            if _visible(site, shown, all_carriers=False):
                add(_meta(site.source, site.address, span, Severity.NOTE, "unknown:" + rid, f"suppression of {rid}, "
                          "which is not a known rule (is the plugin providing it installed?)"))
        elif rid in ran and rid not in s.used and _visible(site, shown, all_carriers=True):
            add(_meta(site.source, site.address, span, Severity.NOTE, "unused:" + rid,
                      f"unused suppression of {rid}: the rule reports nothing here"))


def _comment_key(text: str) -> str:
    """A comment as a finding's key: itself when short; else its start and a digest of the rest (reports
    and baselines carry the key: they need not carry a 400 KB comment)."""
    if len(text) <= 200:
        return text
    import hashlib

    return text[:120] + "...sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _meta(source: str, address: str, span: Span | None, severity: Severity, key: str, message: str) -> Finding:
    return Finding(rule_id=SUPPRESSION_ID, severity=severity, message=message, address=address,
                   key=key, span=span, source=source)
