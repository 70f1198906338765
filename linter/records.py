"""Value classes declared like dataclasses, made without compiling code for each of them.

`dataclasses.dataclass` writes the source of `__init__`, `__repr__`, `__eq__`, `__hash__` (and, for
a frozen class, `__setattr__` and `__delattr__`) and compiles each one when the class is created:
about 1 ms of start-up per class, about 50 ms for the classes a run imports. `record` gives the
same class for the options this package uses, with one difference in cost: only `__init__` is
compiled (it is called for every instance, so it must be as fast as the dataclass one), and only
when the class makes its first instance; the other methods are shared functions that read the
class's field names.

What is the same as `@dataclass`: the fields (annotations in the class body, `ClassVar` excluded),
their defaults and `field(default=..., default_factory=..., repr=..., compare=..., hash=...)`,
`__post_init__`, the generated methods' results (the same tuples compared and hashed, the same
repr text, `FrozenInstanceError` with the same messages), methods the class defines itself kept,
`__match_args__`, `__hash__ = None` for a class compared by value but not frozen. What is not
there: `dataclasses.fields`, `dataclasses.replace` and `asdict` (use `replace` here), ordering,
`slots`, `kw_only`, `InitVar` and inheriting fields from another record (each refused with an
error when the class is declared). Classes that plugins make or read (`Finding`, `Related`) stay
dataclasses.

mypy reads `record` as `dataclasses.dataclass` (it is that name when type checking), so the
classes are checked as dataclasses.
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable
from dataclasses import MISSING, Field, FrozenInstanceError, field
from operator import attrgetter
from typing import TYPE_CHECKING, Any

__all__ = ["field", "record", "replace"]

_OPTIONS = frozenset({"frozen", "repr", "eq"})
_FIELDS = "__record_fields__"
_MAKE_INIT = "__record_init__"


class _Field:
    __slots__ = ("name", "default", "factory", "repr", "compare", "hash")

    def __init__(self, name: str, spec: Any) -> None:
        self.name = name
        self.default: Any = MISSING
        self.factory: Any = MISSING
        self.repr = self.compare = True
        self.hash: bool | None = None
        if isinstance(spec, Field):
            if not spec.init or spec.kw_only is True or spec.metadata:
                raise TypeError(f"record field {name!r}: init=False, kw_only and metadata are not supported")
            self.default, self.factory = spec.default, spec.default_factory
            self.repr, self.compare, self.hash = spec.repr, spec.compare, spec.hash
        else:
            self.default = spec

    @property
    def required(self) -> bool:
        return self.default is MISSING and self.factory is MISSING


def _is_class_var(annotation: Any) -> bool:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__origin__", annotation)
    if not isinstance(text, str):
        return repr(text).startswith("typing.ClassVar")
    return text.startswith(("ClassVar", "typing.ClassVar", "t.ClassVar"))


def _tuple_of(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving the tuple of these attributes of an object, the tuple a dataclass compares."""
    if len(names) >= 2:
        return attrgetter(*names)  # a tuple for two names or more
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return lambda obj: ()


def _set_if_absent(cls: type, name: str, value: Any) -> None:
    if name not in cls.__dict__:
        setattr(cls, name, value)


def _init_source(cls: type, fields: list[_Field], frozen: bool) -> tuple[str, dict[str, Any]]:
    """The source of `__init__` (the statements `dataclasses` writes for these options) and its globals."""
    space: dict[str, Any] = {"__builtins__": __builtins__, "_MISSING": MISSING, "_object_setattr": object.__setattr__}
    params, lines = ["self"], []
    for f in fields:
        name = f.name
        if f.factory is not MISSING:
            space[f"_factory_{name}"] = f.factory
            params.append(f"{name}=_MISSING")
            value = f"_factory_{name}() if {name} is _MISSING else {name}"
        else:
            if f.default is not MISSING:
                space[f"_default_{name}"] = f.default
                params.append(f"{name}=_default_{name}")
            else:
                params.append(name)
            value = name
        lines.append(f"_object_setattr(self, {name!r}, {value})" if frozen else f"self.{name} = {value}")
    if "__post_init__" in cls.__dict__:
        lines.append("self.__post_init__()")
    body = "\n".join(f"    {line}" for line in lines or ["pass"])
    return f"def __init__({', '.join(params)}):\n{body}\n", space


def _first_init(self: Any, *args: Any, **kwargs: Any) -> None:
    """Compile the class's `__init__` the first time it makes an instance, then make this one."""
    owner = next(c for c in type(self).__mro__ if c.__dict__.get("__init__") is _first_init)
    make = owner.__dict__.get(_MAKE_INIT)
    if make is not None:
        source, space = make()
        exec(compile(source, f"<record {owner.__qualname__}.__init__>", "exec"), space)  # noqa: S102  # our own source, from our class's field names
        init = space["__init__"]
        init.__qualname__ = f"{owner.__qualname__}.__init__"
        owner.__init__ = init  # type: ignore[misc]
        try:
            delattr(owner, _MAKE_INIT)
        except AttributeError:  # another thread made it at the same time
            pass
    owner.__dict__["__init__"](self, *args, **kwargs)


def _make(cls: type, frozen: bool, repr_: bool, eq: bool) -> type:
    fields = _fields_of(cls)
    names = tuple(f.name for f in fields)
    setattr(cls, _FIELDS, names)
    _set_if_absent(cls, "__match_args__", names)
    if "__init__" not in cls.__dict__:
        setattr(cls, _MAKE_INIT, lambda: _init_source(cls, fields, frozen))
        cls.__init__ = _first_init  # type: ignore[misc]
    if repr_:
        _set_if_absent(cls, "__repr__", _repr_of(tuple(f.name for f in fields if f.repr)))
    if eq:
        _compare_by_value(cls, fields, frozen)
    if frozen:
        _freeze(cls, frozenset(names))
    return cls


def _fields_of(cls: type) -> list[_Field]:
    """The class's fields, in the order of its annotations, as `dataclasses` finds them."""
    for base in cls.__mro__[1:]:
        if _FIELDS in base.__dict__ or "__dataclass_fields__" in base.__dict__:
            raise TypeError(f"record {cls.__qualname__}: fields inherited from {base.__qualname__} are not supported")
    fields: list[_Field] = []
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if _is_class_var(annotation):
            continue
        if isinstance(annotation, str) and annotation.startswith(("InitVar", "dataclasses.InitVar")):
            raise TypeError(f"record {cls.__qualname__}: InitVar is not supported")
        spec = cls.__dict__.get(name, MISSING)
        f = _Field(name, spec)
        if f.required and fields and not fields[-1].required:
            raise TypeError(f"non-default argument {name!r} follows default argument")
        if isinstance(spec, Field):  # the class attribute becomes the default, as in a dataclass
            if f.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, f.default)
        fields.append(f)
    return fields


def _compare_by_value(cls: type, fields: list[_Field], frozen: bool) -> None:
    """`__eq__` on the compared fields' tuple; `__hash__` on it when frozen, none when mutable."""
    own_hash = cls.__dict__.get("__hash__", MISSING)
    has_own_hash = not (own_hash is MISSING or (own_hash is None and "__eq__" in cls.__dict__))
    compared = _tuple_of(tuple(f.name for f in fields if f.compare))

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented

    __eq__.__qualname__ = f"{cls.__qualname__}.__eq__"
    _set_if_absent(cls, "__eq__", __eq__)
    if has_own_hash:
        return
    if frozen:
        hashed = _tuple_of(tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash)))

        def __hash__(self: Any) -> int:
            return hash(hashed(self))

        __hash__.__qualname__ = f"{cls.__qualname__}.__hash__"
        cls.__hash__ = __hash__  # type: ignore[method-assign,assignment]
    else:
        cls.__hash__ = None  # type: ignore[assignment]


def _repr_of(names: tuple[str, ...]) -> Callable[[Any], str]:
    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({inner})"

    return __repr__


def _freeze(cls: type[Any], names: frozenset[str]) -> None:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    for method in (__setattr__, __delattr__):
        if method.__name__ in cls.__dict__:
            raise TypeError(f"Cannot overwrite attribute {method.__name__} in class {cls.__name__}")
        method.__qualname__ = f"{cls.__qualname__}.{method.__name__}"
        setattr(cls, method.__name__, method)


def replace(obj: Any, /, **changes: Any) -> Any:
    """A copy of a record with some fields changed, as `dataclasses.replace` makes it."""
    names = getattr(type(obj), _FIELDS)
    unknown = set(changes) - set(names)
    if unknown:
        raise TypeError(f"{type(obj).__qualname__} has no field {sorted(unknown)[0]!r}")
    return type(obj)(**{name: changes[name] if name in changes else getattr(obj, name) for name in names})


def _record(cls: type | None = None, /, **options: Any) -> Any:
    unknown = set(options) - _OPTIONS
    if unknown:
        raise TypeError(f"record does not support {', '.join(sorted(unknown))}")

    def wrap(c: type) -> type:
        return _make(
            c, bool(options.get("frozen", False)), bool(options.get("repr", True)), bool(options.get("eq", True))
        )

    return wrap if cls is None else wrap(cls)


if TYPE_CHECKING:
    from dataclasses import dataclass as record
else:
    record = _record
