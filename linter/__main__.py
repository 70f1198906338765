"""The `vpcep-lint` console script, and `python -m vpcep_lint`.

A run builds many objects and frees almost none before it exits, so the cycle collector is
switched off before the command's modules are imported, not only once they are (`cli.main`
switches it off for a run as a library call too).
"""
from __future__ import annotations

import gc


def entry() -> None:
    gc.disable()
    from .cli import entry as run

    run()


if __name__ == "__main__":
    entry()
