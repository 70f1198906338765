"""A plan read the fast way (msgspec, `loaders/plan_decode.py`) says what `json` would have said.

The over-long-number check looks only around every 4,300th byte: a number of 4,301 digits must
be refused wherever it starts, and one of 4,300 read, as the standard path does.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from vpcep_lint.cli import main

EXAMPLE_PLAN = FIXTURES / "examples" / "broken-endpoint" / "plan.json"


def _plan_with_number(tmp_path: Path, digits: int, at: int) -> Path:
    """The example plan, with an unread `padding` string then a number of `digits` digits, so that
    the number starts `at` bytes into the file."""
    doc = json.loads(EXAMPLE_PLAN.read_text(encoding="utf-8"))
    head = '{"format_version": "1.2", "padding": "'
    rest = json.dumps({k: v for k, v in doc.items() if k != "format_version"})[1:]
    pad = at - len(head) - len('", "n": ')
    assert pad >= 0
    text = head + "x" * pad + '", "n": ' + "7" * digits + ", " + rest
    assert text.index("7" * digits) == at
    path = tmp_path / "plan.json"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("at", [100, 4299, 4300, 4301, 8599, 8600, 8601, 12_901, 17_199, 17_200])
def test_a_number_of_4301_digits_is_refused_wherever_it_is(tmp_path: Path, at: int) -> None:
    path = _plan_with_number(tmp_path, 4301, at)
    result = CliRunner().invoke(main, [str(path), "--no-cache"])
    assert result.exit_code == 2, result.output
    assert "invalid JSON: a number of more than 4,300 digits" in result.stderr


@pytest.mark.parametrize("at", [100, 4300, 8600])
def test_a_number_of_4300_digits_is_read(tmp_path: Path, at: int) -> None:
    path = _plan_with_number(tmp_path, 4300, at)
    result = CliRunner().invoke(main, [str(path), "--no-cache"])
    assert result.exit_code == 1, result.output  # the example's findings
    assert "digits" not in result.stderr
