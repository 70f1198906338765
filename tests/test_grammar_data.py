"""The grammar kept in the cache directory: its LALR table as rows of integers, read back into the
same parser, and refused (the grammar is built again) when a row is not exactly one."""
from __future__ import annotations

import json
from typing import Any

import pytest

from vpcep_lint.loaders import grammar

TF = 'resource "huaweicloud_vpcep_endpoint" "e" {\n  service_id = var.s\n  ports = [80, 443]\n}\n'


@pytest.fixture(scope="module")
def kept() -> dict[str, Any]:
    data = grammar.dump(grammar.build(open(grammar._grammar_path(), encoding="utf-8").read()))
    assert data is not None
    return json.loads(data)  # type: ignore[no-any-return]


def rows(doc: dict[str, Any]) -> list[list[int]]:
    return doc["data"]["parser"]["parser"]["states"]["\0s"]  # type: ignore[no-any-return]


def test_the_table_is_kept_as_rows_and_reads_back_into_a_parser_that_parses_the_same(kept: dict[str, Any]) -> None:
    assert rows(kept) and all(len(r) % 3 == 1 for r in rows(kept))
    loaded = grammar.load(json.dumps(kept).encode())
    built = grammar.build(open(grammar._grammar_path(), encoding="utf-8").read())
    assert loaded is not None
    assert loaded.parse(TF) == built.parse(TF)


@pytest.mark.parametrize("damage", [
    lambda r: r[0].append(1),  # a row cut short
    lambda r: r[0].__setitem__(2, 2),  # an action that is neither shift nor reduce
    lambda r: r[0].__setitem__(3, "1"),  # a number that is a string
    lambda r: r[0].__setitem__(3, True),  # a number that is a boolean
    lambda r: r.append("row"),  # a row that is not a list
])
def test_a_damaged_table_is_refused(kept: dict[str, Any], damage: Any) -> None:
    doc = json.loads(json.dumps(kept))
    damage(rows(doc))
    assert grammar.load(json.dumps(doc).encode()) is None


def test_a_table_in_the_previous_form_is_refused(kept: dict[str, Any]) -> None:
    doc = json.loads(json.dumps(kept))
    doc["data"]["parser"]["parser"]["states"] = {"\0d": [[0, {"\0d": [[0, {"\0t": [0, 1]}]]}]]}
    assert grammar.load(json.dumps(doc).encode()) is None
