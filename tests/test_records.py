"""`records.record` makes the same classes as `dataclasses.dataclass` for the options the package uses.

Each class body below is declared twice, once with each decorator, and the two classes are held
to the same answers: constructor arguments and defaults, repr, equality, hashing, frozen errors,
pickling and copying, pattern matching. Then every class of the package is checked to be made by
one or the other as documented.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib
import inspect
import pickle
import pkgutil
from typing import Any, ClassVar

import pytest

import vpcep_lint
from vpcep_lint import records
from vpcep_lint.records import field, record


def _bodies(deco: Any) -> dict[str, type]:
    """The same class bodies, decorated by `deco` (`dataclasses.dataclass` or `records.record`)."""

    @deco
    class Plain:
        name: str
        count: int = 0
        tags: list[str] = field(default_factory=list)

    @deco(frozen=True)
    class Frozen:
        low: int
        high: int
        label: str = "x"
        notes: dict[str, str] = field(default_factory=dict, hash=False)

    @deco(frozen=True, repr=False)
    class OwnRepr:
        v4: tuple[int, ...] = ()
        v6: tuple[int, ...] = field(default=())
        ALL: ClassVar[int] = 7

        def __repr__(self) -> str:
            return f"<{len(self.v4)} {len(self.v6)}>"

    @deco
    class Hidden:
        key: str
        cache: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

        @property
        def upper(self) -> str:
            return self.key.upper()

    @deco
    class Posted:
        items: list[int] = field(default_factory=list)
        total: int = 0

        def __post_init__(self) -> None:
            self.total = sum(self.items)

    @deco(frozen=True)
    class Empty:
        pass

    @deco(frozen=True)
    class Single:
        key: str

    return {c.__name__: c for c in (Plain, Frozen, OwnRepr, Hidden, Posted, Empty, Single)}


DATA = _bodies(dataclasses.dataclass)
RECORDS = _bodies(record)

SAMPLES: dict[str, list[tuple[tuple[Any, ...], dict[str, Any]]]] = {
    "Plain": [(("a",), {}), (("a", 2), {}), (("a",), {"tags": ["t"]}), (("b", 0, []), {})],
    "Frozen": [((1, 2), {}), ((1, 2, "y"), {}), ((1, 2), {"notes": {"k": "v"}}), ((2, 1), {})],
    "OwnRepr": [((), {}), (((1, 2),), {}), ((), {"v6": (3,)})],
    "Hidden": [(("k",), {}), (("k", {"a": 1}), {}), (("j",), {})],
    "Posted": [((), {}), (([1, 2],), {}), (([3],), {"total": 9})],
    "Empty": [((), {})],
    "Single": [(("a",), {}), (("b",), {}), ((), {"key": "a"})],
}


def _pair(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Any]:
    return DATA[name](*copy.deepcopy(args), **copy.deepcopy(kwargs)), RECORDS[name](*args, **kwargs)


def _parameters(cls: type) -> list[tuple[str, Any, Any]]:
    """Name, kind and default of each constructor parameter (a default made by a factory as "factory")."""
    out = []
    for p in inspect.signature(cls).parameters.values():
        default = "factory" if p.default is dataclasses.MISSING or repr(p.default) == "<factory>" else p.default
        out.append((p.name, p.kind, default))
    return out


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_the_constructor_takes_the_same_arguments(name: str) -> None:
    RECORDS[name](*SAMPLES[name][0][0], **SAMPLES[name][0][1])  # the first instance compiles __init__
    assert _parameters(RECORDS[name]) == _parameters(DATA[name])
    for args, kwargs in SAMPLES[name]:
        a, b = _pair(name, args, kwargs)
        assert vars(a) == vars(b)
    with pytest.raises(TypeError):
        RECORDS[name](*range(9))


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_repr_equality_and_hash_are_the_dataclass_ones(name: str) -> None:
    made = [_pair(name, args, kwargs) for args, kwargs in SAMPLES[name]]
    frozen = DATA[name].__dataclass_params__.frozen  # type: ignore[attr-defined]
    for a, b in made:
        assert repr(a) == repr(b)
        assert (type(a).__hash__ is None) == (type(b).__hash__ is None) == (not frozen)
        if frozen:
            assert hash(a) == hash(b)
    for a1, b1 in made:
        for a2, b2 in made:
            assert (a1 == a2) == (b1 == b2)
            assert (a1 != a2) == (b1 != b2)
            if frozen:
                assert (hash(a1) == hash(a2)) == (hash(b1) == hash(b2))
    b = made[0][1]
    assert b != object() and b.__eq__(made[0][0]) is NotImplemented


def test_a_frozen_record_refuses_changes_with_the_dataclass_messages() -> None:
    a, b = _pair("Frozen", (1, 2), {})
    for target in (a, b):
        with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'low'"):
            target.low = 5
        with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'other'"):
            target.other = 5
        with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'high'"):
            del target.high
    assert b.low == 1


def test_class_attributes_are_left_as_a_dataclass_leaves_them() -> None:
    for name in SAMPLES:
        d, r = DATA[name], RECORDS[name]
        for attr in ("count", "label", "v4", "v6", "tags", "notes", "cache", "ALL", "total"):
            assert hasattr(d, attr) == hasattr(r, attr), (name, attr)
            if hasattr(d, attr):
                assert getattr(d, attr) == getattr(r, attr)
        assert d.__match_args__ == r.__match_args__
    assert RECORDS["Hidden"]("k").upper == "K"


@record(frozen=True)
class Interval:
    low: int
    high: int
    notes: dict[str, str] = field(default_factory=dict, hash=False)


def test_a_record_pickles_copies_and_matches_like_a_dataclass() -> None:
    b = Interval(1, 2, notes={"k": "v"})
    again = pickle.loads(pickle.dumps(b))
    assert again == b and again is not b and hash(again) == hash(b)
    m = RECORDS["Plain"]("a", tags=["t"])
    c = copy.copy(m)
    assert c == m and c.tags is m.tags
    assert copy.deepcopy(m).tags is not m.tags
    match Interval(3, 4):
        case Interval(low, high):
            assert (low, high) == (3, 4)
        case _:
            pytest.fail("a record's positional pattern did not match")


def test_replace_makes_a_changed_copy_and_runs_post_init() -> None:
    p = RECORDS["Posted"]([1, 2])
    q = records.replace(p, items=[5])
    assert (q.items, q.total, p.items) == ([5], 5, [1, 2])
    f = RECORDS["Frozen"](1, 2)
    assert records.replace(f, label="z") == RECORDS["Frozen"](1, 2, "z")
    with pytest.raises(TypeError, match="has no field 'nope'"):
        records.replace(f, nope=1)


def test_options_and_shapes_it_does_not_make_are_refused_when_declared() -> None:
    with pytest.raises(TypeError, match="does not support order"):

        @record(order=True)  # type: ignore[call-overload]
        class Ordered:
            a: int

    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):

        @record
        class Misordered:
            a: int = 0
            b: int  # type: ignore[misc]

    with pytest.raises(TypeError, match="inherited"):

        @record
        class Child(RECORDS["Plain"]):  # type: ignore[misc]
            extra: int = 0


def test_every_class_of_the_package_is_a_record_but_the_plugin_facing_ones() -> None:
    """The rules' `Finding` and `Related` stay dataclasses (plugins make them and may use
    `dataclasses.replace`); every other value class of the package is a record, so that importing
    the package compiles no method."""
    seen: dict[str, str] = {}
    for info in pkgutil.walk_packages(vpcep_lint.__path__, "vpcep_lint."):
        if info.name.startswith("vpcep_lint.rules"):
            continue
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if isinstance(obj, type) and obj.__module__ == info.name:
                if "__dataclass_fields__" in obj.__dict__:
                    seen[obj.__qualname__] = "dataclass"
                elif "__record_fields__" in obj.__dict__:
                    seen[obj.__qualname__] = "record"
    assert {n for n, kind in seen.items() if kind == "dataclass"} == {"Finding", "Related"}
    assert {"Resource", "Inventory", "AddressSet", "Report", "Unchecked"} <= {
        n for n, k in seen.items() if k == "record"
    }
