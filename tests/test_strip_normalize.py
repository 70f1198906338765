"""The one-walk `strip_normalize` of a resource's values equals `symbolic.strip` then `normalize`."""
from __future__ import annotations

from typing import Any

import pytest

from vpcep_lint.loaders import symbolic
from vpcep_lint.loaders.functions import Unsure
from vpcep_lint.loaders.hcl import HclLoader
from vpcep_lint.loaders.sources import SourceSet
from vpcep_lint.model import UNKNOWN

S = symbolic.Symbol("var.cidr")
LONG = [f"10.0.{i}.0/24" for i in range(70)] + [""]

CASES: list[Any] = [
    {"name": "a", "empty": "", "n": 1, "f": 1.5, "b": True, "none": None, "u": UNKNOWN},
    {"cidr": S, "route": [{"destination": S, "nexthop": ""}], "name": ""},
    {"rules": [{"ports": ["", "22", [S]]}, {"ports": []}], "tags": {"a": "", "b": {"c": ""}}},
    {"long": LONG, "in": {"long": LONG}},
    {"long": LONG + [S]},
    {"unsure": Unsure(["", "x"]), "nested": [Unsure([S])]},
    {"deep": [[[[[[""]]]]]], "map": {str(i): "" for i in range(70)}},
]


def _loader(tmp_path: Any) -> HclLoader:
    return HclLoader(str(tmp_path), SourceSet())


@pytest.mark.parametrize("values", CASES)
def test_one_walk_is_strip_then_normalize(values: Any, tmp_path: Any) -> None:
    one, two = _loader(tmp_path), _loader(tmp_path)
    stripped, keys = symbolic.strip(values)
    expected = (two.normalize(stripped), keys)
    got = one.strip_normalize(values)
    assert repr(got) == repr(expected)
    assert [type(x) for x in got[0].values()] == [type(x) for x in expected[0].values()]
    assert one.work == two.work  # the same steps spent on long lists and maps
