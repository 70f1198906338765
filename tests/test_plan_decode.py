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


MODULE_PLAN = FIXTURES / "model" / "module-count-foreach" / "plan.json"

# (where, in `configuration`; the value put there): each makes a shape the schema accepts or rejects
_CONFIG_EDITS: list[tuple[tuple[str | int, ...], object]] = [
    (("root_module", "resources", 0, "address"), 7),
    (("root_module", "resources", 0, "name"), None),
    (("root_module", "resources", 0, "provider_config_key"), ["huaweicloud"]),
    (("root_module", "resources", 0, "expressions"), []),
    (("root_module", "resources", 0, "expressions", "direction"), "ingress"),
    (("root_module", "resources", 0, "expressions", "direction"), [{"constant_value": "ingress"}]),
    (("root_module", "resources", 0, "count_expression"), {"references": "var.n"}),
    (("root_module", "resources", 0, "count_expression"), {"references": ["var.n", 3]}),
    (("root_module", "resources", 0, "for_each_expression"), {"constant_value": 2}),
    (("root_module", "resources", 0, "extra"), {"anything": [1, None]}),
    (("root_module", "resources", 0), "a string"),
    (("root_module", "resources"), {}),
    (("root_module", "module_calls", "net", "expressions", "cidr"), 1.5),
    (("root_module", "module_calls", "net", "module"), []),
    (("root_module", "module_calls", "net", "module", "outputs", "port_id", "expression"), None),
    (("root_module", "module_calls", "net", "module", "outputs", "port_id"), {"expression": {}}),
    (("root_module", "module_calls", "net"), 3),
    (("root_module", "outputs"), {"x": {"expression": {"references": []}}}),
    (("root_module", "outputs"), {"x": []}),
    (("provider_config", "huaweicloud", "expressions"), {"region": "cn-north-4"}),
    (("provider_config", "huaweicloud"), None),
    (("provider_config",), []),
    (("root_module",), None),
    ((), {"root_module": {}, "unknown_part": 1}),
    ((), []),
]


def _edited(doc: dict, at: tuple[str | int, ...], value: object) -> dict:
    doc = json.loads(json.dumps(doc))
    if not at:
        doc["configuration"] = value
        return doc
    node = doc["configuration"]
    for key in at[:-1]:
        node = node[key]
    node[at[-1]] = value
    return doc


@pytest.mark.parametrize(("at", "value"), _CONFIG_EDITS)
def test_the_fast_path_takes_a_configuration_exactly_when_the_schema_does(at: tuple, value: object) -> None:
    from vpcep_lint.loaders.plan_decode import decode_plan
    from vpcep_lint.loaders.plan_shape import PlanError, check_shape

    doc = _edited(json.loads(MODULE_PLAN.read_text(encoding="utf-8")), at, value)
    try:
        check_shape(doc, "plan")
        schema_takes = True
    except PlanError:
        schema_takes = False
    fast = decode_plan(json.dumps(doc).encode())
    assert (fast is not None) == schema_takes
    if fast is not None:  # read as `json` reads it
        assert fast["configuration"] == doc["configuration"]
        assert fast.get("variables") == doc.get("variables")


def test_the_fast_path_reads_variables_as_json_does() -> None:
    from vpcep_lint.loaders.plan_decode import decode_plan

    doc = json.loads(MODULE_PLAN.read_text(encoding="utf-8"))
    doc["variables"] = {"region": {"value": "cn-north-4"}, "cidrs": {"value": ["10.0.0.0/8", None]}}
    assert decode_plan(json.dumps(doc).encode())["variables"] == doc["variables"]
    doc["variables"] = {"region": "cn-north-4"}
    assert decode_plan(json.dumps(doc).encode()) is None  # the schema wants an object per variable
