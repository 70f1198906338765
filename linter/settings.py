"""The settings' names as they were when one module held them all; the code is in `config`
(the configuration file and flags), `suppressions` (inline comments), `baseline`,
`finding_filters` (all three applied to a run's findings) and `registry` (rule listing)."""
from __future__ import annotations

from .baseline import BaselineKey, filter_baseline, load_baseline
from .config import CONFIG_FILES, Config, ConfigError, apply_exclude, excluder, find_config, resolve, show
from .finding_filters import apply_after
from .registry import explain, rules_table
from .results import INPUT_ERROR_ID
from .suppressions import RULE_ID, SUPPRESSION_ID, Suppression, parse_suppression

__all__ = [
    "CONFIG_FILES", "INPUT_ERROR_ID", "RULE_ID", "SUPPRESSION_ID", "BaselineKey", "Config", "ConfigError",
    "Suppression", "apply_after", "apply_exclude", "excluder", "explain", "filter_baseline", "find_config",
    "load_baseline", "parse_suppression", "resolve", "rules_table", "show",
]
