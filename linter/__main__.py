"""`python -m vpcep_lint`: the `vpcep-lint` command."""
from __future__ import annotations

from .cli import entry

if __name__ == "__main__":
    entry()
