"""Baselines: a JSON report of the findings accepted so far (`--write-baseline`), and `--baseline`,
which drops the findings it already has, one for one, so that only new ones are reported."""
from __future__ import annotations

import json
from collections import Counter
from typing import Any

from .config import ConfigError, short
from .results import INPUT_ERROR_ID
from .rule import Finding

BaselineKey = tuple[str, str, str, str]
"""(rule id, address, key, source): the fingerprint's parts plus the input; no line numbers."""


def _baseline_key(f: Finding) -> BaselineKey:
    return (f.rule_id, f.address, f.key or f.attribute or "", f.source)


def load_baseline(path: str) -> Counter[BaselineKey]:
    """The unsuppressed findings of a JSON report (`--format json` or `--write-baseline`)."""
    data = _read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise ConfigError(f'{path}: not a vpcep-lint JSON report (no "findings" list); write one with --write-baseline')
    entries: Counter[BaselineKey] = Counter()
    for i, f in enumerate(data["findings"]):
        _check_entry(path, i, f)
        if f["rule_id"] == INPUT_ERROR_ID or f.get("suppressed"):
            continue  # input errors always count; a suppression that lapses must bring its finding back
        key = f.get("key") or f.get("attribute") or ""
        entries[(f["rule_id"], f.get("resource") or "", key, f.get("source") or "")] += 1
    return entries


def _read_json(path: str) -> Any:
    from .loaders.sources import MAX_BASELINE_BYTES, ReadError, decode, read_bytes

    try:
        text = decode(read_bytes(path, MAX_BASELINE_BYTES), path)  # a BOM or UTF-16 (Windows tools) as inputs
    except ReadError as exc:
        raise ConfigError(f"{path}: cannot read baseline: {exc.message.removeprefix('cannot read file: ')}") from None
    if not isinstance(text, str):
        raise ConfigError(f"{path}: baseline is not JSON: {text.message}")
    try:
        return json.loads(text)
    except RecursionError:
        raise ConfigError(f"{path}: baseline is not JSON: nesting too deep") from None
    except ValueError as exc:
        raise ConfigError(f"{path}: baseline is not JSON: {short(str(exc))}") from None


def _check_entry(path: str, i: int, f: Any) -> None:
    if not isinstance(f, dict) or not isinstance(f.get("rule_id"), str):
        raise ConfigError(f"{path}: not a vpcep-lint JSON report (a finding without \"rule_id\")")
    for name in ("resource", "key", "attribute", "source"):
        if f.get(name) is not None and not isinstance(f[name], str):
            raise ConfigError(f"{path}: not a vpcep-lint JSON report (findings[{i}].{name} is "
                              f"{type(f[name]).__name__}, not a string)")


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
