"""Reporters: one module per output format, each a `render(report, ...) -> str`."""
