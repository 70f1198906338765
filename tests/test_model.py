"""The same configuration gives the same model as HCL, as a plan, and as a state.

For every fixture that exists in several forms (the model fixtures and every rule case), what
rules read must agree: addresses, types, regions, known values and references.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES

from vpcep_lint.api import Options, lint
from vpcep_lint.model import UNKNOWN, Inventory, Resource, contains_unknown

CASES = sorted(p.parent for p in FIXTURES.glob("**/plan.json") if list(p.parent.glob("*.tf")))


def inventory(path: Path) -> Inventory:
    report = lint([str(path)], Options(rules=[], cwd=str(path if path.is_dir() else path.parent)))
    assert not report.errors, [str(e) for e in report.errors]
    assert len(report.inventories) == 1
    return report.inventories[0]


def contained(hcl: Any, other: Any) -> bool:
    """Every value HCL knows is in `other` (which may add provider defaults)."""
    if hcl is UNKNOWN or hcl is None:
        return True
    if other is UNKNOWN and contains_unknown(hcl):
        return True  # Terraform: a collection holding an unknown is unknown as a whole
    if isinstance(other, str) and isinstance(hcl, (int, float)) and not isinstance(hcl, bool):
        return str(hcl) == other  # Terraform converts a number to the string the schema wants
    if isinstance(hcl, dict):
        return isinstance(other, dict) and all(contained(v, other.get(k)) for k, v in hcl.items())
    if isinstance(hcl, list):
        if not isinstance(other, list) or len(hcl) != len(other):
            return False
        if all(contained(a, b) for a, b in zip(hcl, other, strict=True)):
            return True
        # blocks kept in a set come out of Terraform in another order
        return all(any(contained(a, b) for b in other) for a in hcl)
    return bool(hcl == other)


def ref_heads(r: Resource, inv: Inventory) -> set[tuple[Any, str]]:
    return {(path[0], ref.address) for path, refs in r.refs.items() for ref in refs if inv.get(ref.address)}


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(FIXTURES)) for c in CASES])
def test_plan_model_matches_hcl_model(case: Path) -> None:
    hcl, plan = inventory(case), inventory(case / "plan.json")
    assert sorted(r.address for r in hcl) == sorted(r.address for r in plan)
    for r in hcl:
        p = plan.get(r.address)
        assert p is not None
        assert p.type == r.type
        # a region HCL cannot know (its own, from a variable without a value) is the plan's value
        assert p.region == r.region or r.region is UNKNOWN, f"{r.address}: region {p.region!r} in the plan, {r.region!r} in HCL"
        for name, value in r.values.items():
            assert contained(value, p.values.get(name)), f"{r.address}.{name}: {value!r} vs {p.values.get(name)!r}"
        assert {(k, ref.address, ref.attribute) for k, refs in r.refs.items() for ref in refs} == {
            (k, ref.address, ref.attribute) for k, refs in p.refs.items() for ref in refs
        }, r.address


@pytest.mark.parametrize("form", ["state.json", "plan-existing.json"])
@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(FIXTURES)) for c in CASES])
def test_recorded_model_resolves_literal_ids_like_hcl(case: Path, form: str) -> None:
    if not (case / form).exists():
        pytest.skip(f"no {form}")
    hcl, other = inventory(case), inventory(case / form)
    assert sorted(r.address for r in hcl) == sorted(r.address for r in other)
    for r in hcl:
        o = other.get(r.address)
        assert o is not None and o.recorded
        if isinstance(r.region, str):
            assert o.region == r.region, r.address
        for name, value in r.values.items():
            if name == "tags":
                continue
            assert contained(value, o.values.get(name)), f"{r.address}.{name}: {value!r} vs {o.values.get(name)!r}"
        missing = ref_heads(r, hcl) - ref_heads(o, other)
        assert not missing, f"{r.address}: references not found through literal IDs: {sorted(missing)}"


def test_parity_covers_the_model_fixtures() -> None:
    names = {c.name for c in CASES if c.parent.name == "model"}
    assert {"module-count-foreach", "provider-aliases", "v2-aliases", "unset-vs-unknown", "literal-ids"} <= names
