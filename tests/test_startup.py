"""What a run does not import: each of these is paid for by every run that imports it (start-up
is most of a small run), so a plan run leaves out what only other runs need."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "VPCEP001" / "bad" / "deny-before-allow"

PROBE = """
import sys
from vpcep_lint.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
import json
print(json.dumps(sorted(sys.modules)))
"""

NOT_FOR_A_PLAN = {
    "importlib.metadata": "entry points are read from the distributions' folders (vpcep_lint.installed)",
    "importlib.resources": "the schemas are read beside the package, rule pages only by --explain",
    "email": "came with importlib.metadata",
    "zipfile": "came with importlib.resources",
    "tempfile": "only a run that writes a file imports it",
    "hashlib": "no cache entry is read and the text report shows no fingerprint",
    "hcl2": "no .tf beside the plan: nothing to parse",
    "lark": "no .tf beside the plan: nothing to parse",
    "jsonschema": "only a rejected document is explained with it",
    "multiprocessing": "not used at all: the workers are forked by rootpool",
}


def imported(tmp_path: Path, *args: str, says: str = "1 finding") -> set[str]:
    shutil.copy(FIXTURE / "plan.json", tmp_path / "plan.json")
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert says in proc.stdout, proc.stdout
    return set(json.loads(proc.stdout.splitlines()[-1]))


def test_a_plan_run_imports_none_of_what_only_other_runs_need(tmp_path: Path) -> None:
    modules = imported(tmp_path, "plan.json", "--no-cache")
    assert "vpcep_lint.loaders.plan" in modules, "the probe ran a plan"
    unexpected = {name: why for name, why in NOT_FOR_A_PLAN.items() if name in modules}
    assert unexpected == {}


def test_writing_a_report_to_a_file_still_works_with_tempfile_imported_late(tmp_path: Path) -> None:
    modules = imported(tmp_path, "plan.json", "--no-cache", "-f", "sarif=out.sarif", says="[")
    assert "tempfile" in modules
    assert json.loads((tmp_path / "out.sarif").read_text())["runs"][0]["results"]


def test_a_run_on_a_terraform_file_does_not_import_the_plan_decoder(tmp_path: Path) -> None:
    shutil.copy(FIXTURE / "main.tf", tmp_path / "main.tf")
    proc = subprocess.run([sys.executable, "-c", PROBE, "main.tf", "--no-cache"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "1 finding" in proc.stdout, proc.stdout
    modules = set(json.loads(proc.stdout.splitlines()[-1]))
    assert "vpcep_lint.loaders.hcl" in modules, "the probe ran on HCL"
    assert {"msgspec", "vpcep_lint.loaders.plan_decode"} & modules == set()


def test_a_warm_run_over_several_roots_does_not_import_the_parse_workers_pool(tmp_path: Path) -> None:
    """The roots are linted on every core through `rootpool`, which needs none of
    `multiprocessing` (nor do the parse workers of a large module, started through it too)."""
    for name in ("a", "b", "c", "d"):
        (tmp_path / name).mkdir()
        shutil.copy(FIXTURE / "main.tf", tmp_path / name / "main.tf")
    env = {**os.environ, "VPCEP_LINT_CACHE_DIR": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", PROBE, "."], cwd=tmp_path, capture_output=True, text=True,
                           timeout=120, check=False, env=env) for _ in range(2)]
    for proc in runs:
        assert proc.returncode == 0, proc.stderr
        assert "4 findings" in proc.stdout, proc.stdout
    modules = set(json.loads(runs[1].stdout.splitlines()[-1]))
    assert "vpcep_lint.rootpool" in modules, "the probe linted the roots on every core"
    assert "multiprocessing" not in modules


def test_parsing_a_terraform_file_runs_python_hcl2s_post_lexer_but_not_its_package(tmp_path: Path) -> None:
    """Only python-hcl2's grammar file and post-lexer are used: its package `__init__` imports all
    of its API, which a run that parses a file would pay for."""
    shutil.copy(FIXTURE / "main.tf", tmp_path / "main.tf")
    env = {**os.environ, "VPCEP_LINT_CACHE_DIR": str(tmp_path / "cache")}
    for run in range(2):  # the grammar built, then read back from the cache for an edited file
        with open(tmp_path / "main.tf", "a", encoding="utf-8") as fh:
            fh.write(f"# edit {run}\n")
        proc = subprocess.run([sys.executable, "-c", PROBE, "main.tf"], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120, check=False, env=env)
        assert proc.returncode == 0, proc.stderr
        assert "1 finding" in proc.stdout, proc.stdout
        modules = set(json.loads(proc.stdout.splitlines()[-1]))
        assert {"lark", "vpcep_lint.loaders._hcl2_postlexer"} <= modules
        assert {m for m in modules if m == "hcl2" or m.startswith("hcl2.")} == set()
