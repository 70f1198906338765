"""The same inputs give byte-identical text and JSON output: across runs, across PYTHONHASHSEED
values, and whatever the order of the inputs on the command line (SARIF: see test_sarif.py).

The fast tests use a sample of fixtures chosen for breadth (every input kind, modules with count
and for_each, several findings per resource, input errors); the slow ones use every fixture.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT

from vpcep_lint.cli import main

SEEDS = ("0", "1", "12345")
FORMATS = ("text", "json")


def all_inputs() -> list[str]:
    dirs = sorted({p.parent for p in FIXTURES.rglob("*.tf")} | {p.parent for p in FIXTURES.rglob("*.tf.json")})
    docs = sorted(p for p in FIXTURES.rglob("*.json") if not p.name.endswith(".tf.json") and p.name.startswith(("plan", "state")))
    return [p.relative_to(ROOT).as_posix() for p in [*dirs, *docs]]


SAMPLE = {
    "examples/broken-endpoint": ("", "plan.json", "state.json", "plan-existing.json"),
    "model/module-count-foreach": ("", "plan.json", "state.json"),
    "model/provider-aliases": ("", "plan.json"),
    "VPCEP001/bad/two-services-share-one-nic": ("", "plan.json", "state.json", "plan-existing.json"),
    "VPCEP002/bad/deny-before-allow": ("", "plan.json"),
    "VPCEP004/bad/overlapping-subnets": ("", "plan.json"),
    "VPCEP005/bad/route-on-one-side-only": ("", "plan.json"),
    "VPCEP007/bad/recorded-rejected": ("state.json",),
    "VPCEP000/bad/syntax-stray-brace": ("",),
    "VPCEP000/bad/duplicate-resource": ("",),
    "VPCEP000/bad/dynamic-blocks": ("",),
    "VPCEP000/bad/tf-json": ("",),
    "VPCEP000/bad/json-array": ("plan.json",),
    "VPCEP000/bad/truncated-plan": ("plan.json",),
}


def sample() -> list[str]:
    out = [(FIXTURES / case / form).relative_to(ROOT).as_posix() for case, forms in SAMPLE.items() for form in forms]
    assert all((ROOT / p).exists() for p in out)
    return out


def run_cli_in_processes(inputs: list[str], tmp_path: Path) -> dict[tuple[str, str], tuple[int, bytes, bytes]]:
    """Run the CLI once per (seed, format), side by side; (exit code, stdout, stderr) of each."""
    procs = {}
    for seed in SEEDS:
        for fmt in FORMATS:
            env = {**os.environ, "PYTHONHASHSEED": seed, "VPCEP_LINT_CACHE_DIR": str(tmp_path / f"cache-{seed}-{fmt}")}
            procs[seed, fmt] = subprocess.Popen(
                [sys.executable, "-m", "vpcep_lint.cli", "-f", fmt, *inputs],
                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )
    out = {}
    for key, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=300)
        out[key] = (proc.returncode, stdout, stderr)
    return out


def assert_same_across_seeds(results: dict[tuple[str, str], tuple[int, bytes, bytes]]) -> None:
    for fmt in FORMATS:
        first = results[SEEDS[0], fmt]
        assert first[0] == 2 and first[1] and b"Traceback" not in first[2]  # the VPCEP000 cases make it 2
        for seed in SEEDS[1:]:
            assert results[seed, fmt] == first, f"-f {fmt}: PYTHONHASHSEED={seed} differs from {SEEDS[0]}"


def test_output_is_identical_across_hash_seeds(tmp_path: Path) -> None:
    assert_same_across_seeds(run_cli_in_processes(sample(), tmp_path))


@pytest.mark.slow
def test_output_is_identical_across_hash_seeds_for_every_fixture(tmp_path: Path) -> None:
    assert_same_across_seeds(run_cli_in_processes(all_inputs(), tmp_path))


def cli(*args: str) -> tuple[int, str, str]:
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(main, list(args))
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "a,b",
    [
        pytest.param("fixtures/examples/broken-endpoint", "fixtures/examples/broken-endpoint/plan.json", id="dir-and-plan"),
        pytest.param("fixtures/examples/broken-endpoint/state.json", "fixtures/model/module-count-foreach", id="state-and-modules"),
        pytest.param("fixtures/VPCEP000/bad/syntax-stray-brace", "fixtures/VPCEP000/bad/truncated-plan/plan.json", id="two-bad-inputs"),
        pytest.param("fixtures/examples/broken-endpoint/main.tf", "fixtures/VPCEP000/bad/duplicate-resource", id="file-and-bad-dir"),
    ],
)
def test_input_order_does_not_matter(a: str, b: str, fmt: str) -> None:
    forward, backward = cli(a, b, "-f", fmt), cli(b, a, "-f", fmt)
    assert forward == backward
    assert forward[1]


@pytest.mark.parametrize("fmt", FORMATS)
def test_reversing_many_inputs_changes_nothing(fmt: str) -> None:
    inputs = sample()
    first = cli(*inputs, "-f", fmt)
    assert first[0] == 2
    assert cli(*reversed(inputs), "-f", fmt) == first
    assert cli(*inputs, "-f", fmt) == first  # and a second run in the same process
