"""A plan decoded straight from its bytes into what the loader reads, its shape checked on the way.

`json.loads` builds every value of a plan: `planned_values`, `prior_state`, `before`, the
`*_sensitive` trees and `relevant_attributes`, about half of it never read, and then the JSON
Schema walk visits all of it again. Here msgspec decodes the plan against typed structures as
strict as `schemas/plan.schema.json` for `resource_changes`, `planned_values` and `prior_state`:
what the loader does not read is checked and skipped without being built. `variables` is
decoded whole into its typed shape; `configuration`, which the loader reads whole as `json`
gives it, is kept as its raw bytes, checked by a second typed decode as strict as the schema
(it builds nothing it checks), then decoded whole: no Python walk of the schema.

Anything this path does not accept exactly as the standard one would (not a plan, no
`resource_changes`, a shape the schema rejects, NaN, a lone surrogate, a number `json` refuses,
invalid UTF-8 even in a part not read, deep nesting, another encoding, msgspec not installed)
gives None: the caller then reads the
document the standard way, which says what is wrong in the same words as before.
"""
from __future__ import annotations

import codecs
import re
import sys
from functools import cache
from types import FrameType
from typing import Any

from ..model import InputError
from . import sources
from .hcl_tree import MAX_DIGITS
from .sources import ReadError, decode, read_bytes, read_text

_OBJECT = re.compile(rb"[ \t\r\n]*\{")
MAX_FAST_NESTING = 64
"""Deeper documents take the standard path (no Terraform plan nests half as deep)."""


class CheckedPlan(dict):  # type: ignore[type-arg]
    """A plan whose shape was checked while it was decoded (`plan_shape.check_shape` skips it)."""

    shape_checked = True


try:
    import msgspec
    from msgspec import UNSET, Struct, UnsetType
except ImportError:  # pragma: no cover - a platform without msgspec: the standard path only
    msgspec = None  # type: ignore[assignment]  # the module or None: every use tests which

if msgspec is not None:
    _Str = str | UnsetType
    _Index = str | int | UnsetType

    class _Item(Struct):
        """Read by the loader as the dict `json` would have given (a missing key is absent)."""

        def get(self, key: str, default: Any = None) -> Any:
            value = getattr(self, key, UNSET)
            return default if value is UNSET else value

        def __getitem__(self, key: str) -> Any:
            value = getattr(self, key, UNSET)
            if value is UNSET:
                raise KeyError(key)
            return value

        def __setitem__(self, key: str, value: Any) -> None:
            setattr(self, key, value)

    class _Opaque(Struct):
        """An object whose content is not read: checked to be an object, then skipped."""

    class _ValuesResource(Struct):
        address: str
        mode: _Str = UNSET
        type: _Str = UNSET
        name: _Str = UNSET
        index: _Index = UNSET
        values: _Opaque | None | UnsetType = UNSET

    class _ValuesModule(Struct):
        address: _Str = UNSET
        resources: list[_ValuesResource] | UnsetType = UNSET
        child_modules: list[_ValuesModule] | UnsetType = UNSET

    class _Values(Struct):
        root_module: _ValuesModule | UnsetType = UNSET

    class _PriorState(Struct):
        values: _Values | UnsetType = UNSET

    class _Change(_Item):
        actions: list[str] | UnsetType = UNSET
        before: _Opaque | None | UnsetType = UNSET
        after: dict[str, Any] | None | UnsetType = UNSET
        after_unknown: dict[str, Any] | bool | None | UnsetType = UNSET

    class _ResourceChange(_Item):
        address: str
        change: _Change
        module_address: _Str = UNSET
        mode: _Str = UNSET
        type: _Str = UNSET
        name: _Str = UNSET
        index: _Index = UNSET

    class _Plan(Struct):
        format_version: str
        variables: dict[str, dict[str, Any]] | UnsetType = UNSET
        planned_values: _Values | UnsetType = UNSET
        prior_state: _PriorState | UnsetType = UNSET
        resource_changes: list[_ResourceChange] | UnsetType = UNSET
        configuration: msgspec.Raw | UnsetType = UNSET

    # `configuration`, checked against the schema by one typed decode that builds nothing it
    # checks, then decoded whole (the loader reads it as `json` gives it)
    _Expressions = dict[str, _Opaque | list[msgspec.Raw]]

    class _Expression(Struct):
        references: list[msgspec.Raw] | UnsetType = UNSET

    class _ConfigResource(Struct):
        address: _Str = UNSET
        type: _Str = UNSET
        name: _Str = UNSET
        provider_config_key: _Str = UNSET
        expressions: _Expressions | UnsetType = UNSET
        count_expression: _Expression | UnsetType = UNSET
        for_each_expression: _Expression | UnsetType = UNSET

    class _ModuleCall(Struct):
        expressions: _Expressions | UnsetType = UNSET
        count_expression: _Expression | UnsetType = UNSET
        for_each_expression: _Expression | UnsetType = UNSET
        module: _ConfigModule | UnsetType = UNSET

    class _Output(Struct):
        expression: _Expression | UnsetType = UNSET

    class _ConfigModule(Struct):
        resources: list[_ConfigResource] | UnsetType = UNSET
        module_calls: dict[str, _ModuleCall] | UnsetType = UNSET
        outputs: dict[str, _Output] | UnsetType = UNSET

    class _ProviderConfig(Struct):
        expressions: _Expressions | UnsetType = UNSET

    class _Configuration(Struct):
        provider_config: dict[str, _ProviderConfig] | UnsetType = UNSET
        root_module: _ConfigModule | UnsetType = UNSET


@cache
def _decoder() -> Any:
    """The typed decoder, or None without msgspec."""
    return None if msgspec is None else msgspec.json.Decoder(_Plan)


@cache
def _config_decoders() -> tuple[Any, Any]:
    """The check of `configuration` (its shape as `schemas/plan.schema.json` has it) and its decoder."""
    return msgspec.json.Decoder(_Configuration), msgspec.json.Decoder()


def decode_plan(data: bytes | bytearray) -> CheckedPlan | None:
    """The plan in `data` as the loader reads it, or None (see the module docstring)."""
    decoder = _decoder()
    if decoder is None or not _OBJECT.match(data):
        return None
    unset = UNSET
    limit = sys.getrecursionlimit()
    depth = _depth()
    configuration: Any = unset
    try:
        sys.setrecursionlimit(depth + MAX_FAST_NESTING)
        plan = decoder.decode(data)
        if plan.resource_changes is unset or not plan.resource_changes:
            return None  # a plan read from planned_values, or a state: the standard path
        if plan.configuration is not unset:
            check, whole = _config_decoders()
            check.decode(plan.configuration)  # raises where the schema would say no
            configuration = whole.decode(plan.configuration)
    except Exception:  # msgspec's DecodeError/ValidationError, RecursionError, MemoryError...
        return None
    finally:
        sys.setrecursionlimit(limit)
    if not _as_json_reads(data):
        return None
    doc = CheckedPlan(format_version=plan.format_version)
    if plan.variables is not unset:
        doc["variables"] = plan.variables
    if configuration is not unset:
        doc["configuration"] = configuration
    doc["resource_changes"] = plan.resource_changes  # items read like dicts
    return doc


def change_fields(rc: Any) -> tuple[str, list[str], bool, Any, Any] | None:
    """A managed resource change's address, actions, whether it has a `before`, its `after` and
    `after_unknown`; None for another mode. A typed item is read field by field (its `get`, one
    call per key, costs more than the loader's own work on a small resource)."""
    if msgspec is not None and type(rc) is _ResourceChange:
        mode, change = rc.mode, rc.change
        if mode is not UNSET and mode != "managed":
            return None
        before, after, unknown = change.before, change.after, change.after_unknown
        return (rc.address, change.actions or [], before is not None and before is not UNSET,
                None if after is UNSET else after, None if unknown is UNSET else unknown)
    if rc.get("mode", "managed") != "managed":
        return None
    read = rc.get("change") or {}
    return (rc["address"], read.get("actions") or [], read.get("before") is not None, read.get("after"),
            read.get("after_unknown"))


def identity(raw: Any) -> tuple[str, str, str, Any]:
    """A resource's (or resource change's) address, type, name and index, as the loader reads them."""
    if msgspec is not None and type(raw) is _ResourceChange:
        rtype, name, index = raw.type, raw.name, raw.index
        return (raw.address, "" if rtype is UNSET else rtype, "" if name is UNSET else name,
                None if index is UNSET else index)
    return raw["address"], raw.get("type", ""), raw.get("name", ""), raw.get("index")


_DIGITS = bytes(1 if 0x30 <= b <= 0x39 else 0 for b in range(256))
_LONG_NUMBER = b"\x01" * (MAX_DIGITS + 1)


def _as_json_reads(data: bytes | bytearray) -> bool:
    """What msgspec skips unread, `json` reads: the whole text must be UTF-8 and hold no number of
    more than 4,300 digits. UTF-8 is checked a piece at a time (no copy of a large plan is held)."""
    if not data.isascii():
        utf8 = codecs.getincrementaldecoder("utf-8")()
        view, step = memoryview(data), 1 << 20
        for start in range(0, len(data), step):
            try:
                utf8.decode(view[start:start + step], final=start + step >= len(data))
            except UnicodeDecodeError:
                return False
    return not _has_long_number(data)


def _has_long_number(data: bytes | bytearray) -> bool:
    """Whether `data` holds more than 4,300 digits in a row. Such a run covers a multiple of
    4,300, and lies (4,301 digits of it at least) within 4,300 bytes either side of it: only the
    bytes around the multiples of 4,300 that are digits are looked at, a few hundredths of the text."""
    step = MAX_DIGITS
    marks = data[::step].translate(_DIGITS)
    i = marks.find(1)
    while i >= 0:
        at = i * step
        if _LONG_NUMBER in data[max(0, at - step):at + step + 1].translate(_DIGITS):
            return True
        i = marks.find(1, i + 1)
    return False


def _depth() -> int:
    frame: FrameType | None = sys._getframe()
    n = 0
    while frame is not None:
        frame, n = frame.f_back, n + 1
    return n


def read_document(path: str) -> tuple[CheckedPlan | None, str | InputError | None]:
    """A plan file decoded from its bytes, or (None, its text or why it cannot be read) as
    `sources.read_text` gives it: the file is read once either way."""
    if not sources.may_be_document(path) or _decoder() is None:
        return None, read_text(path)
    try:
        data = read_bytes(path, sources.MAX_DOCUMENT_BYTES)  # read when called, as read_text does
    except ReadError as exc:
        return None, InputError(path, exc.message)
    doc = decode_plan(data)
    if doc is not None:
        return doc, None
    try:
        return None, decode(data, path)
    except MemoryError:
        return None, InputError(path, "not enough memory to read the file")
