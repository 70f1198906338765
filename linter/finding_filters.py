"""What the settings do to a run's findings, in order: the configuration's severity overrides and
per-path ignores, inline suppressions, then the baseline.

Writing a baseline (`--write-baseline`) is the caller's: it renders the findings this returns.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from .baseline import filter_baseline, load_baseline
from .config import Config, configured
from .rule import Finding
from .suppressions import apply_suppressions


def apply_after(report: Any, conf: Config, kw: dict[str, Any], today: dt.date | None = None,
                known_ids: set[str] | None = None) -> list[Finding]:
    """Set `report.findings` to what is reported; return every finding found now, sorted (also
    those the baseline hides: what a new baseline holds). `kw["baseline"]`: the baseline to read."""
    findings = configured(report.findings, conf)
    findings = apply_suppressions(findings, report, today or dt.date.today(), known_ids,
                                  lambda found: configured(found, conf))
    current = sorted(findings, key=lambda f: f.sort_key())
    if kw.get("baseline"):
        findings = filter_baseline(current, load_baseline(kw["baseline"]))
    report.findings = sorted(findings, key=lambda f: f.sort_key())
    return current
