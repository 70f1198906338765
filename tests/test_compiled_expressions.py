"""Compiled expressions (loaders.compiled) give what the tuple walk gives: values, references,
what is unresolved and the keys of unknowns, on every HCL fixture and on deep nesting."""
from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES

from vpcep_lint.loaders.hcl import HclLoader
from vpcep_lint.loaders.sources import SourceSet

DIRECTORIES = sorted({p.parent for p in FIXTURES.rglob("*.tf")})


COMPILED: list[int] = []
"""How many expressions the last compiled load ran compiled."""


def _loaded(directory: Path, compiled: bool) -> list[Any]:
    sources = SourceSet()
    if compiled:
        # an expression is compiled the second time it is evaluated in a run: a first load of the
        # same files notes them all, so that the load compared runs every one compiled
        HclLoader(str(directory), sources).load()
    loader = HclLoader(str(directory), sources)
    if not compiled:
        loader.codes = None  # type: ignore[assignment]  # every Evaluator walks the tuples
    inv = loader.load()
    if compiled:
        COMPILED[:] = [sum(1 for v in sources.codes.values() if len(v) == 2 and callable(v[1]))]
    resources = sorted(inv.resources, key=lambda r: r.address)
    return [
        [(r.address, repr(r.values), sorted(r.refs.items()), sorted(r.unresolved), sorted(r.unknown_keys.items()),
          r.region) for r in resources],
        [str(e) for e in loader.errors],
        [f"{u.what}: {u.why}" for u in inv.unchecked],
    ]


def test_there_are_fixtures_to_compare() -> None:
    assert len(DIRECTORIES) > 50


@pytest.mark.parametrize("directory", DIRECTORIES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_same_as_the_walk_on_every_fixture(directory: Path) -> None:
    assert _loaded(directory, compiled=True) == _loaded(directory, compiled=False)


def test_same_as_the_walk_on_deep_nesting_in_a_called_module(tmp_path: Path) -> None:
    def nest(depth: int, wrap: Any) -> str:
        expr = "var.x"
        for _ in range(depth):
            expr = wrap(expr)
        return expr

    shapes = {
        "tuple": lambda e: f"[{e}]", "call": lambda e: f"lower({e})", "cond": lambda e: f'(true ? {e} : "z")',
        "object": lambda e: f"{{k = {e}}}", "paren": lambda e: f"({e})", "for": lambda e: f"[for v in [1] : {e}]",
        "index": lambda e: f"[{e}][0]", "binop": lambda e: f"({e} == var.x)",
    }
    body = "\n".join(f"    {name} = {nest(60, wrap)}" for name, wrap in shapes.items())
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "main.tf").write_text(textwrap.dedent('''\
        variable "x" { default = "A" }
        resource "huaweicloud_vpc" "v" {
          name = "n"
          tags = {
        ''') + body + "\n  }\n}\n")
    (tmp_path / "main.tf").write_text('module "m" {\n  source = "./mod"\n  x = "B"\n}\n')
    compiled = _loaded(tmp_path, compiled=True)
    assert COMPILED[0] > 0, "the second load ran compiled expressions"
    assert compiled[1] == [], compiled[1]
    assert "'tuple': [[[[" in compiled[0][0][1]  # evaluated, not unknown
    assert compiled == _loaded(tmp_path, compiled=False)


def test_an_expression_evaluated_once_is_not_compiled(tmp_path: Path) -> None:
    """A large root evaluates each of its blocks once: nothing would reuse a compiled expression,
    so none is kept (the memory of a 1000-stack root)."""
    (tmp_path / "main.tf").write_text(textwrap.dedent("""\
        resource "huaweicloud_vpc" "v" {
          name = "a-${var.x}"
          cidr = "10.0.0.0/16"
        }
        variable "x" { default = "b" }
        """))
    sources = SourceSet()
    HclLoader(str(tmp_path), sources).load()
    assert sources.codes and not any(len(v) == 2 and callable(v[1]) for v in sources.codes.values())
    HclLoader(str(tmp_path), sources).load()  # the same files again, as a second root reads a module
    assert any(len(v) == 2 and callable(v[1]) for v in sources.codes.values())
