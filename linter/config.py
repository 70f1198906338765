"""The configuration: `.vpcep-lint.toml` or `[tool.vpcep-lint]` of a pyproject.toml, found from the
first input up to the top of the project, validated, merged with the command-line flags; and what
it does to inputs (`exclude`) and to findings (`severity`, `per-path-ignores`)."""
from __future__ import annotations

import dataclasses
import fnmatch
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .file_paths import is_within
from .model import excerpt
from .records import field, record
from .rule import Finding, Severity

CONFIG_FILES = (".vpcep-lint.toml", "pyproject.toml")
"""Looked for in this order in each directory, from the first input up to the file system root."""


class ConfigError(Exception):
    """A configuration, baseline or settings problem: one line naming the file; exit code 2."""


@record
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
    from .loaders.jsontext import too_deep
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
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {short(one_line(str(exc)))}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nesting too deep") from None
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
    from .loaders.sources import forget_real_paths
    from .roots import boundary_for

    forget_real_paths()  # the configuration is looked up before the run: links may have changed since the last
    stop = boundary_for(start, root).project
    d = os.path.abspath(start)
    if not os.path.isdir(d):
        d = os.path.dirname(d)
    real = os.path.realpath(d)
    if not is_within(real, stop):
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


def one_line(text: str) -> str:
    return " ".join(text.split())


def short(text: str, limit: int = 200) -> str:
    """A message that quotes a value (jsonschema, tomllib) cut to its start."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _validate(section: Any, path: str, known_ids: set[str]) -> None:
    import jsonschema

    from .loaders.plan import _schema

    validator = jsonschema.Draft7Validator(_schema("config.schema.json"))
    error = jsonschema.exceptions.best_match(validator.iter_errors(section))
    if error is not None:
        where = ".".join(str(p) for p in error.absolute_path)
        raise ConfigError(f"{path}: {('[' + short(where, 80) + '] ') if where else ''}{short(one_line(error.message))}")
    _validate_prefixes(section, path, known_ids)
    for root in section.get("var-files", {}):
        parts = root.replace("\\", "/").split("/")
        if os.path.isabs(root) or root.startswith(("/", "\\")) or ".." in parts:
            raise ConfigError(f"{path}: [var-files] root {excerpt(root)} must be a directory below the configuration "
                              "file's (relative, without '..')")
    for rid in section.get("severity", {}):
        if rid.upper() not in known_ids:
            raise ConfigError(f"{path}: [severity] unknown rule id {excerpt(rid)} (see vpcep-lint --list-rules)")


def _validate_prefixes(section: Any, path: str, known_ids: set[str]) -> None:
    prefixes = [("select", r) for r in section.get("select", [])] + [("ignore", r) for r in section.get("ignore", [])]
    for pattern, rules in section.get("per-path-ignores", {}).items():
        prefixes += [(f"per-path-ignores.{pattern}", r) for r in rules]
    for key, rid in prefixes:
        if not any(k.startswith(rid.upper()) for k in known_ids):
            raise ConfigError(f"{path}: [{short(key, 80)}] unknown rule id or prefix {excerpt(rid)} "
                              "(see vpcep-lint --list-rules)")


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
        _validate(found[1], found[0], known_ids)
        _read_section(conf, *found)
    if kw.get("select"):
        conf.select = _split(kw["select"])  # replaces the file's list
    if kw.get("ignore"):
        conf.ignore = conf.ignore + [i for i in _split(kw["ignore"]) if i not in conf.ignore]  # adds to it
    if kw.get("fail_on"):
        conf.fail_on = kw["fail_on"]
    return conf


def _read_section(conf: Config, path: str, section: Any) -> None:
    conf.path = path
    conf.base = os.path.dirname(os.path.abspath(path))
    conf.select = [s.upper() for s in section.get("select", [])]
    conf.ignore = [s.upper() for s in section.get("ignore", [])]
    conf.severity = {k.upper(): v for k, v in section.get("severity", {}).items()}
    conf.per_path_ignores = {k: [x.upper() for x in v] for k, v in section.get("per-path-ignores", {}).items()}
    conf.fail_on = section.get("fail-on", conf.fail_on)
    conf.exclude = list(section.get("exclude", []))
    conf.var_files = {k: list(v) for k, v in section.get("var-files", {}).items()}


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


# -- what the configuration does to inputs and findings ---------------------------------------------

def _rel(path: str, base: str) -> str:
    try:
        return os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")
    except ValueError:  # another drive on Windows
        return path.replace(os.sep, "/")


def matches(path: str, patterns: Iterable[str], base: str) -> bool:
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


def excluder(conf: Config) -> Callable[[str], bool] | None:
    """`exclude` as a test on one path, for the directories found below a directory argument."""
    if not conf.exclude:
        return None
    return lambda path: matches(path, conf.exclude, conf.base)


def apply_exclude(paths: list[str], conf: Config) -> list[str]:
    """Drop excluded inputs, also when passed explicitly (as pre-commit passes them)."""
    if not conf.exclude:
        return paths
    return [p for p in paths if p == "-" or not matches(p, conf.exclude, conf.base)]


def configured(findings: Iterable[Finding], conf: Config) -> list[Finding]:
    """The configuration's severity overrides and per-path ignores, for every rule alike."""
    out: list[Finding] = []
    for f in findings:
        if f.rule_id in conf.severity:
            f = dataclasses.replace(f, severity=Severity(conf.severity[f.rule_id]))
        if f.span is not None and conf.per_path_ignores:
            ignored = [ids for pat, ids in conf.per_path_ignores.items() if matches(f.span.file, [pat], conf.base)]
            if any(f.rule_id.startswith(i) for ids in ignored for i in ids):
                continue
        out.append(f)
    return out
