"""Small helpers for tests: lint a snippet of HCL, or a path, with selected rules; the processes a
process has started (Linux `/proc`)."""
from __future__ import annotations

import contextlib
import os
import textwrap
from pathlib import Path
from typing import Any

from vpcep_lint.api import Options, Report, lint
from vpcep_lint.registry import discover

PROVIDER = """
terraform {
  required_providers {
    huaweicloud = { source = "huaweicloud/huaweicloud" }
  }
}
provider "huaweicloud" { region = "cn-north-4" }
"""


def rules(*ids: str) -> list[Any]:
    found, errors = discover()
    assert not errors, errors
    return [r for r in found if not ids or r.id in ids]


def lint_paths(paths: list[str], *ids: str, cwd: str | None = None, **options: Any) -> Report:
    return lint([str(p) for p in paths], Options(rules=rules(*ids), cwd=cwd, **options))


def lint_hcl(tmp_path: Path, source: str, *ids: str, with_provider: bool = True) -> list[str]:
    """`["VPCEP001 huaweicloud_networking_secgroup.a", ...]` for a configuration snippet."""
    d = tmp_path / "snippet"
    d.mkdir(exist_ok=True)
    (d / "main.tf").write_text((PROVIDER if with_provider else "") + textwrap.dedent(source))
    report = lint_paths([str(d)], *ids, cwd=str(tmp_path))
    return [f"{f.rule_id} {f.address}" for f in report.findings]


def child_pids(pid: int) -> list[int]:
    """The processes `pid` has started and not yet waited for (zombies included)."""
    out: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{task}/children") as fh:
            out += [int(c) for c in fh.read().split()]
    return out


def alive(pid: int) -> bool:
    """`pid` runs (it is neither gone nor a zombie)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
