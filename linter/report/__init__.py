"""Reporters: one module per output format, each a `render(report, options) -> str` registered in
the `vpcep_lint.formatters` entry-point group (see formatters.py)."""
