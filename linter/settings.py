"""Configuration (`[tool.vpcep-lint]` or `.vpcep-lint.toml`), inline suppressions and baselines."""
from __future__ import annotations

import dataclasses
import datetime as dt
import fnmatch
import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from vpcep_lint.rule import Finding, Rule, Severity

SUPPRESSION_ID = "VPCEP900"
"""Findings about suppression comments themselves (unused, expired, malformed)."""

CONFIG_FILES = (".vpcep-lint.toml", "pyproject.toml")


class ConfigError(Exception):
    pass


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


def _load_toml(path: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def find_config(start: str) -> tuple[str, dict[str, Any]] | None:
    d = os.path.abspath(start)
    if not os.path.isdir(d):
        d = os.path.dirname(d)
    while True:
        for name in CONFIG_FILES:
            path = os.path.join(d, name)
            if os.path.isfile(path):
                data = _load_toml(path)
                if name == "pyproject.toml":
                    section = data.get("tool", {}).get("vpcep-lint")
                    if section is None:
                        continue
                    return path, section
                return path, data
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def _validate(section: Any, path: str, known_ids: set[str]) -> None:
    import jsonschema

    from vpcep_lint.loaders.plan import _schema

    validator = jsonschema.Draft7Validator(_schema("config.schema.json"))
    error = jsonschema.exceptions.best_match(validator.iter_errors(section))
    if error is not None:
        where = ".".join(str(p) for p in error.absolute_path)
        raise ConfigError(f"{path}: {('[' + where + '] ') if where else ''}{error.message}")
    ids: list[str] = list(section.get("select", [])) + list(section.get("ignore", [])) + list(section.get("severity", {}))
    for rules in section.get("per-path-ignores", {}).values():
        ids += rules
    for rid in ids:
        if not any(k.startswith(rid.upper()) for k in known_ids):
            raise ConfigError(f"{path}: unknown rule id {rid!r}")


def resolve(kw: dict[str, Any], paths: Sequence[str], known_ids: set[str]) -> Config:
    found: tuple[str, dict[str, Any]] | None
    if kw.get("config_path"):
        path = kw["config_path"]
        data = _load_toml(path)
        section = data.get("tool", {}).get("vpcep-lint", {}) if os.path.basename(path) == "pyproject.toml" else data
        found = (path, section)
    else:
        starts = [p for p in paths if p != "-"] or ["."]
        found = find_config(starts[0])
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
    if kw.get("select"):
        conf.select = _split(kw["select"])
    if kw.get("ignore"):
        conf.ignore = conf.ignore + _split(kw["ignore"])
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
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def _rel(path: str, base: str) -> str:
    try:
        return os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")
    except ValueError:
        return path.replace(os.sep, "/")


def _matches(path: str, patterns: Iterable[str], base: str) -> bool:
    rel = _rel(path, base)
    for pat in patterns:
        pat = pat.rstrip("/")
        if fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(rel, pat + "/*") or rel.startswith(pat + "/"):
            return True
        if "/" not in pat and any(fnmatch.fnmatch(part, pat) for part in rel.split("/")):
            return True
    return False


def apply_exclude(paths: list[str], conf: Config) -> list[str]:
    """Drop excluded inputs, also when passed explicitly (as pre-commit passes them)."""
    if not conf.exclude:
        return paths
    return [p for p in paths if p == "-" or not _matches(p, conf.exclude, conf.base)]


# -- inline suppressions -----------------------------------------------------------------------

_SUPPRESS = re.compile(r"vpcep-lint:\s*ignore\b(.*)$")
_IDS = re.compile(r"^\[([A-Za-z0-9_, ]+)\]")
_KV = re.compile(r'(\w+)=(?:"((?:[^"\\]|\\.)*)"|(\S+))')


@dataclass
class Suppression:
    ids: tuple[str, ...]
    reason: str | None
    until: dt.date | None
    text: str
    problem: str | None = None
    used: bool = False


def parse_suppression(comment: str) -> Suppression | None:
    m = _SUPPRESS.search(comment)
    if not m:
        return None
    rest = m.group(1).strip().rstrip("*/").strip()
    ids_m = _IDS.match(rest)
    if not ids_m:
        return Suppression((), None, None, comment, problem="a rule id is required: ignore[VPCEP001]")
    ids = tuple(x.strip().upper() for x in ids_m.group(1).split(",") if x.strip())
    kv = {k: (a if a is not None else b) for k, a, b in _KV.findall(rest[ids_m.end():])}
    until = None
    problem = None
    if "until" in kv:
        try:
            until = dt.date.fromisoformat(kv["until"])
        except ValueError:
            problem = f"until={kv['until']!r} is not a date (YYYY-MM-DD)"
    reason = kv.get("reason")
    if not reason:
        problem = problem or 'a reason is required: reason="..."'
    return Suppression(ids, reason, until, comment, problem)


def apply_after(report: Any, conf: Config, kw: dict[str, Any], today: dt.date | None = None) -> None:
    """Severity overrides, per-path ignores, inline suppressions and the baseline, in that order."""
    today = today or dt.date.today()
    findings: list[Finding] = []
    for f in report.findings:
        if f.rule_id in conf.severity:
            f = dataclasses.replace(f, severity=Severity(conf.severity[f.rule_id]))
        if f.span is not None and f.rule_id != "VPCEP000":
            ignored = [ids for pat, ids in conf.per_path_ignores.items() if _matches(f.span.file, [pat], conf.base)]
            if any(any(f.rule_id.startswith(i) for i in ids) for ids in ignored):
                continue
        findings.append(f)

    # suppressions live on resources (block comments, and module blocks leading to them)
    comments: dict[tuple[str, str], tuple[str, ...]] = {}
    spans: dict[tuple[str, str], Any] = {}
    for inv in report.inventories:
        for r in inv:
            if r.comments:
                comments[(inv.source, r.address)] = r.comments
                spans[(inv.source, r.address)] = r.span
    parsed: dict[tuple[str, str], list[Suppression]] = {}
    for key, texts in comments.items():
        sups = [s for s in (parse_suppression(t) for t in texts) if s is not None]
        if sups:
            parsed[key] = sups
    extra: list[Finding] = []
    out: list[Finding] = []
    for f in findings:
        sups = parsed.get((f.source, f.address), [])
        applied = None
        for s in sups:
            if s.problem or f.rule_id not in s.ids:
                continue
            if s.until is not None and s.until < today:
                s.used = True
                extra.append(_note(f, f"suppression of {f.rule_id} expired on {s.until.isoformat()}; the finding applies again", "expired:" + f.rule_id))
                continue
            s.used = True
            applied = s.reason
            break
        out.append(dataclasses.replace(f, suppressed=applied) if applied else f)
    seen_texts: set[tuple[str, str, str]] = set()
    for (source, address), sups in sorted(parsed.items()):
        for s in sups:
            token = (source, s.text, ",".join(s.ids))
            if s.problem:
                if token not in seen_texts:
                    extra.append(_meta(source, address, spans.get((source, address)), f"malformed suppression: {s.problem}", Severity.WARNING, "malformed:" + s.text))
            elif not s.used and token not in seen_texts and not _used_elsewhere(s, parsed):
                extra.append(_meta(source, address, spans.get((source, address)), f"unused suppression of {', '.join(s.ids)}", Severity.NOTE, "unused:" + ",".join(s.ids)))
            seen_texts.add(token)
    out.extend(extra)

    if kw.get("baseline"):
        known = load_baseline(kw["baseline"])
        out = [f for f in out if (f.rule_id, f.address, f.key or f.attribute or "") not in known]
    report.findings = sorted(out, key=lambda f: f.sort_key())
    if kw.get("write_baseline"):
        from vpcep_lint.report import json_report

        with open(kw["write_baseline"], "w", encoding="utf-8") as fh:
            fh.write(json_report.render(report))


def _used_elsewhere(s: Suppression, parsed: dict[tuple[str, str], list[Suppression]]) -> bool:
    # a comment on a module block is shared by every resource below it
    return any(o.used and o.text == s.text and o.ids == s.ids for sups in parsed.values() for o in sups)


def _note(f: Finding, message: str, key: str) -> Finding:
    return Finding(rule_id=SUPPRESSION_ID, severity=Severity.NOTE, message=message, address=f.address,
                   key=key, span=f.span, source=f.source)


def _meta(source: str, address: str, span: Any, message: str, severity: Severity, key: str) -> Finding:
    return Finding(rule_id=SUPPRESSION_ID, severity=severity, message=message, address=address,
                   key=key, span=span, source=source)


def load_baseline(path: str) -> set[tuple[str, str, str]]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        return {
            (f["rule_id"], f.get("resource") or "", f.get("key") or f.get("attribute") or "")
            for f in data["findings"]
        }
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: not a vpcep-lint JSON report usable as a baseline ({exc})") from None


# -- rule listing ------------------------------------------------------------------------------

def rules_table(rules: Sequence[type[Rule]]) -> str:
    rows = [("ID", "SEVERITY", "SUMMARY", "PACKAGE")]
    rows += [(r.id, r.severity.value, r.title, r.package) for r in rules]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "".join(
        f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}".rstrip() + "\n" for row in rows
    )


def explain(cls: type[Rule]) -> str:
    return f"{cls.id}: {cls.title}\nseverity: {cls.severity.value}    provided by: {cls.package}\n\n{cls.doc()}\n"
