"""Configuration (`[tool.vpcep-lint]` or `.vpcep-lint.toml`), inline suppressions, baselines, rule listing."""
from __future__ import annotations

import bisect
import copy
import dataclasses
import datetime as dt
import fnmatch
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .model import Resource, Span, excerpt, strip_keys
from .rule import Finding, Rule, Severity

SUPPRESSION_ID = "VPCEP900"
"""Findings about suppression comments themselves (malformed, unused, expired, unknown rule)."""
INPUT_ERROR_ID = "VPCEP000"

CONFIG_FILES = (".vpcep-lint.toml", "pyproject.toml")
"""Looked for in this order in each directory, from the first input up to the file system root."""

RULE_ID = re.compile(r"^[A-Z]{2,8}[0-9]{3}$")


class ConfigError(Exception):
    """A configuration, baseline or settings problem: one line naming the file; exit code 2."""


@dataclass
class Config:
    path: str | None = None
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)
    fail_on: str = "warning"
    exclude: list[str] = field(default_factory=list)
    base: str = "."
    """Directory that `exclude`, `per-path-ignores` and `var-files` patterns are relative to (the config file's)."""
    var_files: dict[str, list[str]] = field(default_factory=dict)
    """Root directory (or glob), relative to `base` -> var files, relative to that root."""


# -- finding and reading the configuration ---------------------------------------------------------

def _load_toml(path: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    from .loaders.sources import MAX_SETTINGS_BYTES, ReadError, decode, read_bytes

    try:
        # the null device is an empty configuration (`--config /dev/null`: none at all); any
        # other file that is not a regular one is refused, never read (a FIFO would block)
        text = "" if path == os.devnull else decode(read_bytes(path, MAX_SETTINGS_BYTES), path)
    except ReadError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.message.removeprefix('cannot read file: ')}") from None
    if not isinstance(text, str):
        raise ConfigError(f"{path}: invalid TOML: {text.message}")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {_short(_one_line(str(exc)))}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nesting too deep") from None
    from .loaders.jsontext import too_deep

    if too_deep(data, 32):  # settings are a few flat tables
        raise ConfigError(f"{path}: nesting too deep (more than 32 levels) for a vpcep-lint configuration")
    return data


def _section(path: str, data: dict[str, Any], explicit: bool) -> Any:
    """`[tool.vpcep-lint]` of a pyproject.toml (None when absent), else the whole document."""
    if os.path.basename(path) != "pyproject.toml":
        return data
    tool = data.get("tool")
    section = tool.get("vpcep-lint") if isinstance(tool, dict) else None
    if section is None and explicit:
        raise ConfigError(f"{path}: no [tool.vpcep-lint] table")
    return section


def find_config(start: str, root: str | None = None) -> tuple[str, Any] | None:
    """The nearest `.vpcep-lint.toml`, or `pyproject.toml` with a `[tool.vpcep-lint]` table, at or above
    `start`, up to the top of the project: `--root`, else the git work tree, else the current
    directory. Settings above it are not the project's (a planted file in /tmp must not silence a run)."""
    from .roots import boundary_for

    stop = boundary_for(start, root).project
    d = os.path.abspath(start)
    if not os.path.isdir(d):
        d = os.path.dirname(d)
    real = os.path.realpath(d)
    if not (real == stop or real.startswith(stop.rstrip(os.sep) + os.sep)):
        stop = real  # an input outside the project: only its own directory
    while True:
        for name in CONFIG_FILES:
            path = os.path.join(d, name)
            if os.path.isfile(path):
                section = _section(path, _load_toml(path), explicit=False)
                if section is not None:
                    return path, section
        parent = os.path.dirname(d)
        if os.path.realpath(d) == stop or parent == d:
            return None
        d = parent


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _short(text: str, limit: int = 200) -> str:
    """A message that quotes a value (jsonschema, tomllib) cut to its start."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _validate(section: Any, path: str, known_ids: set[str]) -> None:
    import jsonschema

    from .loaders.plan import _schema

    validator = jsonschema.Draft7Validator(_schema("config.schema.json"))
    error = jsonschema.exceptions.best_match(validator.iter_errors(section))
    if error is not None:
        where = ".".join(str(p) for p in error.absolute_path)
        raise ConfigError(f"{path}: {('[' + _short(where, 80) + '] ') if where else ''}{_short(_one_line(error.message))}")
    prefixes = [("select", r) for r in section.get("select", [])] + [("ignore", r) for r in section.get("ignore", [])]
    for pattern, rules in section.get("per-path-ignores", {}).items():
        prefixes += [(f"per-path-ignores.{pattern}", r) for r in rules]
    for key, rid in prefixes:
        if not any(k.startswith(rid.upper()) for k in known_ids):
            raise ConfigError(f"{path}: [{_short(key, 80)}] unknown rule id or prefix {excerpt(rid)} (see vpcep-lint --list-rules)")
    for root in section.get("var-files", {}):
        parts = root.replace("\\", "/").split("/")
        if os.path.isabs(root) or root.startswith(("/", "\\")) or ".." in parts:
            raise ConfigError(f"{path}: [var-files] root {excerpt(root)} must be a directory below the configuration file's "
                              "(relative, without '..')")
    for rid in section.get("severity", {}):
        if rid.upper() not in known_ids:
            raise ConfigError(f"{path}: [severity] unknown rule id {excerpt(rid)} (see vpcep-lint --list-rules)")


def resolve(kw: dict[str, Any], paths: Sequence[str], known_ids: set[str]) -> Config:
    """The settings in force: the config file found (or `--config`), then the command-line flags."""
    found: tuple[str, Any] | None
    if kw.get("config_path"):
        path = kw["config_path"]
        found = (path, _section(path, _load_toml(path), explicit=True))
    else:
        starts = [p for p in paths if p != "-"] or ["."]
        found = find_config(starts[0], kw.get("root_dir"))
    conf = Config()
    if found is not None:
        path, section = found
        _validate(section, path, known_ids)
        conf.path = path
        conf.base = os.path.dirname(os.path.abspath(path))
        conf.select = [s.upper() for s in section.get("select", [])]
        conf.ignore = [s.upper() for s in section.get("ignore", [])]
        conf.severity = {k.upper(): v for k, v in section.get("severity", {}).items()}
        conf.per_path_ignores = {k: [x.upper() for x in v] for k, v in section.get("per-path-ignores", {}).items()}
        conf.fail_on = section.get("fail-on", conf.fail_on)
        conf.exclude = list(section.get("exclude", []))
        conf.var_files = {k: list(v) for k, v in section.get("var-files", {}).items()}
    if kw.get("select"):
        conf.select = _split(kw["select"])  # replaces the file's list
    if kw.get("ignore"):
        conf.ignore = conf.ignore + [i for i in _split(kw["ignore"]) if i not in conf.ignore]  # adds to it
    if kw.get("fail_on"):
        conf.fail_on = kw["fail_on"]
    return conf


def _split(values: Iterable[str]) -> list[str]:
    return [x.strip().upper() for v in values for x in v.split(",") if x.strip()]


def show(conf: Config) -> str:
    data = {
        "config": conf.path,
        "select": conf.select or "all",
        "ignore": conf.ignore,
        "severity": conf.severity,
        "per-path-ignores": conf.per_path_ignores,
        "fail-on": conf.fail_on,
        "exclude": conf.exclude,
        "var-files": conf.var_files,
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def _rel(path: str, base: str) -> str:
    try:
        return os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")
    except ValueError:  # another drive on Windows
        return path.replace(os.sep, "/")


def _matches(path: str, patterns: Iterable[str], base: str) -> bool:
    """gitignore-like: a pattern matches the path, a directory above it, or (without `/`) any path component."""
    rel = _rel(path, base)
    for pat in patterns:
        pat = pat.rstrip("/")
        if pat.startswith("./"):
            pat = pat[2:]
        if fnmatch.fnmatchcase(rel, pat) or fnmatch.fnmatchcase(rel, pat + "/*"):
            return True
        if "/" not in pat and any(fnmatch.fnmatchcase(part, pat) for part in rel.split("/")):
            return True
    return False


def excluder(conf: Config) -> Any:
    """`exclude` as a test on one path, for the directories found below a directory argument."""
    if not conf.exclude:
        return None
    return lambda path: _matches(path, conf.exclude, conf.base)


def apply_exclude(paths: list[str], conf: Config) -> list[str]:
    """Drop excluded inputs, also when passed explicitly (as pre-commit passes them)."""
    if not conf.exclude:
        return paths
    return [p for p in paths if p == "-" or not _matches(p, conf.exclude, conf.base)]


# -- inline suppressions ---------------------------------------------------------------------------

_SUPPRESS = re.compile(r"^(?:#|//|/\*)\s*vpcep-lint\s*:\s*(ignore\b|\w+(?=\s*\[))(.*)$", re.S)
_DIRECTIVE = re.compile(r"vpcep-lint\s*:\s*\w{1,40}\s*\[[^\]]{0,400}\]")
_IDS = re.compile(r"^\[([^\]]*)\]")
_BLANK = re.compile(r"\s*")
_FIELD = re.compile(r'\s*([A-Za-z_]\w*)=(?:"((?:[^"\\]|\\.)*)"|([^\s"]+))')
_FIELDS = ("reason", "until")


@dataclass
class Suppression:
    ids: tuple[str, ...]
    reason: str | None
    until: dt.date | None
    text: str
    problem: str | None = None
    used: set[str] = field(default_factory=set)
    """The ids that suppressed (or, expired, would have suppressed) a finding."""


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

    def bad(problem: str, ids: tuple[str, ...] = ()) -> Suppression:
        return Suppression(ids, None, None, text, problem=problem)

    if directive != "ignore":
        return bad(f"unknown directive {excerpt(directive)}; write ignore[RULE] reason=\"...\"")
    ids_m = _IDS.match(rest)
    if not ids_m:
        return bad("a rule id is required: ignore[VPCEP001]")
    ids = tuple(x.strip().upper() for x in ids_m.group(1).split(",") if x.strip())
    if not ids:
        return bad("a rule id is required: ignore[VPCEP001]")
    for rid in ids:
        if not RULE_ID.match(rid):
            return bad(f"{excerpt(rid)} is not a rule id (like VPCEP001)", ids[:8])
    fields: dict[str, str] = {}
    pos = ids_m.end()
    while pos < len(rest):
        if _BLANK.fullmatch(rest, pos):  # no copy of the rest per field: that would be quadratic
            break
        fm = _FIELD.match(rest, pos)
        if not fm:
            return bad(f"cannot read {excerpt(rest[pos:pos + 200].strip())}; expected reason=\"...\" and until=YYYY-MM-DD", ids)
        key = fm.group(1)
        if key not in _FIELDS:
            return bad(f"unknown field {excerpt(key)}; expected reason=\"...\" and until=YYYY-MM-DD", ids)
        value = fm.group(2) if fm.group(2) is not None else fm.group(3)
        fields[key] = re.sub(r"\\(.)", r"\1", value)
        pos = fm.end()
    until = None
    if "until" in fields:
        try:
            until = dt.date.fromisoformat(fields["until"])
        except ValueError:
            return bad(f"until={excerpt(fields['until'])} is not a date (YYYY-MM-DD)", ids)
    reason = (fields.get("reason") or "").strip()
    if not reason:
        return bad('a reason is required: reason="..."', ids)
    return Suppression(ids, reason, until, text)


@dataclass
class _Site:
    """One suppression comment and the resources it covers."""

    suppression: Suppression
    source: str
    address: str
    span: Span | None
    carriers: list[Resource] = field(default_factory=list)


class _Lines:
    """Source lines, read once per file, to find where a comment is.

    Each file is indexed once: every line by what follows each comment marker on it (the text
    the parser keeps for a comment) and by the suppression directive it holds. Finding a comment
    is then a lookup, so that thousands of suppression comments cost thousands of lookups, not
    thousands of scans of the file.
    """

    def __init__(self) -> None:
        self._files: dict[str, _FileLines | None] = {}

    def get(self, path: str) -> list[str] | None:
        f = self._file(path)
        return f.lines if f is not None else None

    def _file(self, path: str) -> _FileLines | None:
        if path not in self._files:
            self._files[path] = _FileLines.read(path)
        return self._files[path]

    def comment_start(self, path: str, line: int) -> int:
        """`line`, or where the block comment ending on `line` starts."""
        lines = self.get(path)
        if not lines or not 1 <= line <= len(lines) or not lines[line - 1].rstrip().endswith("*/"):
            return line
        start = line
        while start > 1 and "/*" not in lines[start - 1] and line - start < 100:
            start -= 1
        return start

    def find(self, path: str, text: str, first: int = 1, last: int | None = None) -> Span | None:
        """The comment's place: its whole text, else (a block comment over lines) its `vpcep-lint: ignore[...]`."""
        f = self._file(path)
        if f is None:
            return None
        stop = len(f.lines) if last is None else min(last, len(f.lines))
        first = max(first, 1)
        at = f.first_index(f.by_tail, text, first, stop)
        if at is None:
            at = f.scan(text, first, stop)
        if at is None:
            directive = _directive(text)
            if directive is not None:
                at = f.first_index(f.by_directive, directive, first, stop) or f.scan(directive, first, stop)
                text = directive
        if at is None:
            return None
        return Span(path, at, f.lines[at - 1].find(text) + 1)


_MARKERS = re.compile(r"#|//|/\*")
_MAX_MARKERS = 16


@dataclass
class _FileLines:
    lines: list[str]
    by_tail: dict[str, list[int]]
    by_directive: dict[str, list[int]]
    text: str
    starts: list[int]

    @classmethod
    def read(cls, path: str) -> _FileLines | None:
        from .loaders.sources import MAX_SOURCE_BYTES, ReadError, read_bytes

        try:
            data = read_bytes(path, MAX_SOURCE_BYTES)
        except ReadError:
            return None
        text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
        lines = text.splitlines()
        by_tail: dict[str, list[int]] = {}
        by_directive: dict[str, list[int]] = {}
        for n, line in enumerate(lines, 1):
            for i, m in enumerate(_MARKERS.finditer(line)):
                if i == _MAX_MARKERS:
                    break
                by_tail.setdefault(line[m.start():].strip(), []).append(n)
            if "vpcep-lint" in line:
                d = _directive(line)
                if d is not None:
                    by_directive.setdefault(d, []).append(n)
        joined = "\n".join(lines)
        starts = [0]
        for line in lines:
            starts.append(starts[-1] + len(line) + 1)
        return cls(lines, by_tail, by_directive, joined, starts)

    @staticmethod
    def first_index(index: dict[str, list[int]], key: str, first: int, stop: int) -> int | None:
        found = index.get(key)
        if not found:
            return None
        i = bisect.bisect_left(found, first)
        return found[i] if i < len(found) and found[i] <= stop else None

    def scan(self, needle: str, first: int, stop: int) -> int | None:
        """The first line in [first, stop] holding `needle`, by one search of the file's text."""
        if first > stop or not needle or "\n" in needle:
            return None
        at = self.text.find(needle, self.starts[first - 1], self.starts[stop] - 1 if stop < len(self.starts) else len(self.text))
        if at < 0:
            return None
        return bisect.bisect_right(self.starts, at)


def _directive(text: str) -> str | None:
    """`vpcep-lint: ignore[...]` at the first `vpcep-lint` of `text` (one match: linear, whatever the text)."""
    at = text.find("vpcep-lint")
    if at < 0:
        return None
    m = _DIRECTIVE.match(text, at)
    return m.group(0) if m else None


def _collect(report: Any) -> list[_Site]:
    """Suppression comments of every input: a resource's own, and those on module blocks above it."""
    lines = _Lines()
    sites: dict[tuple[Any, ...], _Site] = {}
    for inv in report.inventories:
        inherited: list[tuple[str, _Site]] = []
        for r in inv:
            for text in dict.fromkeys(r.comments):
                sup = parse_suppression(text)
                if sup is None:
                    continue
                own = None
                if r.span is not None:
                    first = lines.comment_start(r.span.file, r.span.line - 1)
                    own = lines.find(r.span.file, text.strip(), first, r.span.end_line or r.span.line)
                if own is not None:
                    key: tuple[Any, ...] = (inv.source, own.file, own.line, own.column)
                    site = sites.setdefault(key, _Site(sup, inv.source, r.address, own))
                else:  # on a module block: shared by every resource of that module instance
                    key = (inv.source, "module", sup.text)
                    if key not in sites:
                        sites[key] = _Site(sup, inv.source, "", None)
                        inherited.append((sup.text, sites[key]))
                    site = sites[key]
                site.carriers.append(r)
        for text, site in inherited:
            site.address = _common_module(site.carriers)
            for path in _module_files(inv):
                site.span = lines.find(path, text.strip())
                if site.span is not None:
                    break
    return list(sites.values())


def _module_files(inv: Any) -> list[str]:
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


def _shown_files(kw: dict[str, Any], conf: Config) -> dict[str, set[str]]:
    """For directories given as some of their .tf files (pre-commit): the files whose findings are shown.

    Mirrors `api.lint`: without --all-in-dir, such a directory is loaded whole but only findings
    located in the files given are reported. A suppression covering other files cannot be judged unused.
    """
    if kw.get("all_in_dir"):
        return {}
    from .loaders.sources import SourceSet

    sources = SourceSet()
    whole: set[str] = set()
    partial: dict[str, tuple[str, set[str]]] = {}
    for raw in dict.fromkeys(apply_exclude(list(kw.get("paths") or ()), conf)):
        if raw == "-" or not os.path.exists(raw):
            continue
        if os.path.isdir(raw):
            whole.add(os.path.realpath(raw))
            continue
        directory = os.path.dirname(os.path.abspath(raw))
        if raw.endswith((".tfvars", ".tfvars.json")):
            whole.add(os.path.realpath(directory))
        elif raw.endswith((".tf", ".tf.json")):
            entry = partial.setdefault(os.path.realpath(directory), (sources.display(directory), set()))
            entry[1].add(sources.display(raw))
    return {shown: files for real, (shown, files) in partial.items() if real not in whole}


def _known_ids() -> set[str]:
    from .registry import discover

    try:
        return {r.id for r in discover()[0]}
    except Exception:  # a duplicate id is reported by the CLI before this point
        return set()


def apply_after(report: Any, conf: Config, kw: dict[str, Any], today: dt.date | None = None,
                known_ids: set[str] | None = None) -> None:
    """Severity overrides, per-path ignores, inline suppressions and the baseline, in that order."""
    today = today or dt.date.today()
    findings = _configured(report.findings, conf)
    findings = _suppress(findings, report, conf, kw, today, known_ids)

    current = sorted(findings, key=lambda f: f.sort_key())
    if kw.get("baseline"):
        findings = filter_baseline(current, load_baseline(kw["baseline"]))
    report.findings = sorted(findings, key=lambda f: f.sort_key())
    if kw.get("write_baseline"):
        from .report import json_report

        snapshot = copy.copy(report)
        snapshot.findings = current  # everything found now, also what the old baseline hid
        from .outputs import OutputError, write_atomic

        try:  # a temporary file renamed into place: a failed write leaves the old baseline whole
            write_atomic(kw["write_baseline"], json_report.render(snapshot), "baseline")
        except OutputError as exc:
            raise ConfigError(str(exc)) from None


def _configured(findings: Iterable[Finding], conf: Config) -> list[Finding]:
    """The configuration's severity overrides and per-path ignores, for every rule alike."""
    out: list[Finding] = []
    for f in findings:
        if f.rule_id in conf.severity:
            f = dataclasses.replace(f, severity=Severity(conf.severity[f.rule_id]))
        if f.span is not None and conf.per_path_ignores:
            ignored = [ids for pat, ids in conf.per_path_ignores.items() if _matches(f.span.file, [pat], conf.base)]
            if any(f.rule_id.startswith(i) for ids in ignored for i in ids):
                continue
        out.append(f)
    return out


def _suppress(findings: list[Finding], report: Any, conf: Config, kw: dict[str, Any], today: dt.date,
              known_ids: set[str] | None) -> list[Finding]:
    sites = _collect(report)
    if not sites:
        return findings
    by_resource: dict[tuple[str, str], list[_Site]] = {}
    for site in sites:
        for r in site.carriers:
            by_resource.setdefault((site.source, r.address), []).append(site)

    extra: dict[tuple[str, str, str], Finding] = {}

    def add(f: Finding) -> None:
        extra.setdefault((f.source, f.address, f.key), f)

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

    known = known_ids if known_ids is not None else _known_ids()
    ran = {r.id for r in getattr(report, "rules", [])}
    shown = getattr(report, "shown_files", None)
    if shown is None:
        shown = _shown_files(kw, conf)

    def visible(site: _Site, *, all_carriers: bool) -> bool:
        files = shown.get(site.source)
        if files is None:
            return True
        spans = [c.span for c in site.carriers] if all_carriers or site.span is None else [site.span]
        return all(sp is not None and sp.file in files for sp in spans)

    for site in sites:
        s = site.suppression
        span = site.span or next((c.span for c in site.carriers if c.span is not None), None)
        if s.problem:
            if visible(site, all_carriers=False):
                add(_meta(site.source, site.address, span, Severity.WARNING, "malformed:" + _comment_key(s.text),
                          f"malformed suppression, it suppresses nothing: {s.problem}"))
            continue
        for rid in s.ids:
            if rid not in known:
                if visible(site, all_carriers=False):
                    add(_meta(site.source, site.address, span, Severity.NOTE, "unknown:" + rid, f"suppression of {rid}, "
                              "which is not a known rule (is the plugin providing it installed?)"))
            elif rid in ran and rid not in s.used and visible(site, all_carriers=True):
                add(_meta(site.source, site.address, span, Severity.NOTE, "unused:" + rid,
                          f"unused suppression of {rid}: the rule reports nothing here"))
    if SUPPRESSION_ID not in ran:  # deselected (--select, --ignore): the comments still apply
        return out
    return out + _configured(extra.values(), conf)


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


# -- baseline --------------------------------------------------------------------------------------

BaselineKey = tuple[str, str, str, str]
"""(rule id, address, key, source): the fingerprint's parts plus the input; no line numbers."""


def _baseline_key(f: Finding) -> BaselineKey:
    return (f.rule_id, f.address, f.key or f.attribute or "", f.source)


def load_baseline(path: str) -> Counter[BaselineKey]:
    """The unsuppressed findings of a JSON report (`--format json` or `--write-baseline`)."""
    from .loaders.sources import MAX_BASELINE_BYTES, ReadError, decode, read_bytes

    try:
        text = decode(read_bytes(path, MAX_BASELINE_BYTES), path)  # a BOM or UTF-16 (Windows tools) as inputs
    except ReadError as exc:
        raise ConfigError(f"{path}: cannot read baseline: {exc.message.removeprefix('cannot read file: ')}") from None
    if not isinstance(text, str):
        raise ConfigError(f"{path}: baseline is not JSON: {text.message}")
    try:
        data = json.loads(text)
    except RecursionError:
        raise ConfigError(f"{path}: baseline is not JSON: nesting too deep") from None
    except ValueError as exc:
        raise ConfigError(f"{path}: baseline is not JSON: {_short(str(exc))}") from None
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise ConfigError(f'{path}: not a vpcep-lint JSON report (no "findings" list); write one with --write-baseline')
    entries: Counter[BaselineKey] = Counter()
    for i, f in enumerate(data["findings"]):
        if not isinstance(f, dict) or not isinstance(f.get("rule_id"), str):
            raise ConfigError(f"{path}: not a vpcep-lint JSON report (a finding without \"rule_id\")")
        for name in ("resource", "key", "attribute", "source"):
            if f.get(name) is not None and not isinstance(f[name], str):
                raise ConfigError(f"{path}: not a vpcep-lint JSON report (findings[{i}].{name} is "
                                  f"{type(f[name]).__name__}, not a string)")
        if f["rule_id"] == INPUT_ERROR_ID or f.get("suppressed"):
            continue  # input errors always count; a suppression that lapses must bring its finding back
        key = f.get("key") or f.get("attribute") or ""
        entries[(f["rule_id"], f.get("resource") or "", key, f.get("source") or "")] += 1
    return entries


def filter_baseline(findings: list[Finding], baseline: Counter[BaselineKey]) -> list[Finding]:
    """Drop the findings the baseline already has, one for one; the same input first, then any input."""
    eligible = [f.rule_id != INPUT_ERROR_ID and f.suppressed is None for f in findings]
    matched = [False] * len(findings)
    exact = Counter(baseline)
    for i, f in enumerate(findings):
        k = _baseline_key(f)
        if eligible[i] and exact[k] > 0:
            exact[k] -= 1
            matched[i] = True
    loose: Counter[tuple[str, str, str]] = Counter()
    for k, n in exact.items():
        loose[k[:3]] += n
    for i, f in enumerate(findings):
        k3 = _baseline_key(f)[:3]
        if eligible[i] and not matched[i] and loose[k3] > 0:
            loose[k3] -= 1
            matched[i] = True
    return [f for i, f in enumerate(findings) if not matched[i]]


# -- rule listing ----------------------------------------------------------------------------------

def rules_table(rules: Sequence[type[Rule]]) -> str:
    rows = [("ID", "SEVERITY", "SUMMARY", "PACKAGE")]
    rows += [(r.id, r.severity.value, r.title, r.package) for r in rules]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "".join(
        f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}".rstrip() + "\n" for row in rows
    )


def explain(cls: type[Rule]) -> str:
    return f"{cls.id}: {cls.title}\nseverity: {cls.severity.value}    provided by: {cls.package}\n\n{cls.doc()}"
