"""The normalized model every loader produces and every rule reads.

A value in `Resource.values` is one of three things:
- known: a plain Python value (str, int, float, bool, list, dict);
- unknown: the `UNKNOWN` sentinel (computed at apply time, or not statically evaluable);
- unset: `None` (absent from the configuration; the provider default applies).
An empty string is read as unset, as the provider stores unset optional strings that way.
"""
from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any, Final, NamedTuple

from .provider import EXPORTED_IDS
from .records import field, record
from .value_paths import expand_path, id_leaves, path_under


class UnknownValue(enum.Enum):
    """A value that cannot be known before apply or without evaluating the inputs.

    One member, `UNKNOWN`: a type checker then narrows `X | UnknownValue` to `X` after `is not UNKNOWN`,
    so a value that may be unknown cannot be used as a known one without that test.
    """

    UNKNOWN = "UNKNOWN"

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __str__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        raise TypeError("UNKNOWN has no truth value; test `is UNKNOWN` first")


UNKNOWN: Final = UnknownValue.UNKNOWN

ENVIRONMENT = ("environment",)
"""`Resource.region_from` of a resource on a default provider configuration that sets no region:
the provider reads it from the environment (HW_REGION_NAME), the same for every such resource."""


def contains_unknown(value: object) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(contains_unknown(v) for v in value)
    return False


class Span(NamedTuple):
    """A place in a source file; lines and columns count from 1 (a tuple: cheap to make and hash)."""

    file: str
    line: int
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class Ref(NamedTuple):
    """A resolved reference: the address of a resource instance and the attribute path read."""

    address: str
    attribute: str = "id"


_PATH_PART = re.compile(r"[^.\[\]]+|\[[^\]]*\]")


@lru_cache(maxsize=8192)  # pure, and called with the same few paths by every rule and resource
def split_path(path: str) -> tuple[str | int, ...]:
    """`network[0].port` or `network.0.port` -> ("network", 0, "port")."""
    parts: list[str | int] = []
    for token in _PATH_PART.findall(path):
        token = token.strip("[]\"")
        parts.append(int(token) if token.isdigit() else token)
    return tuple(parts)


def join_path(parts: Iterable[str | int]) -> str:
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + p
    return out


@record
class Resource:
    """One managed resource instance."""

    address: str
    type: str
    name: str
    module: str = ""
    index: int | str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    region: Any = None
    region_from: Any = None
    """Where `region` comes from when the resource sets none: a hashable token of its provider
    configuration (`ENVIRONMENT` for a default one with no region); None when not known. Two
    resources with the same token are in the same region, whatever its value."""
    span: Span | None = None
    attr_spans: dict[str, Span] = field(default_factory=dict)
    refs: dict[tuple[str | int, ...], list[Ref]] = field(default_factory=dict)
    unresolved: set[tuple[str | int, ...]] = field(default_factory=set)
    """Attribute paths with a reference that leads to no resource (a variable, a data source...)."""
    unknown_keys: dict[str, str] = field(default_factory=dict)
    """Unknown values (by dotted path) that are the value of an expression, keyed by it: two
    unknowns with the same key are equal (`cidr = var.vpc_cidr` in two VPCs). HCL only."""
    recorded: bool = False
    """True when the values were read from a real state (state file, prior state, no-op change)."""
    source: str = ""
    """The input the resource came from (a directory, plan or state file)."""
    comments: tuple[str, ...] = ()
    """Comments inside the resource block or on the lines above it (HCL, or plan with source)."""

    @property
    def config_address(self) -> str:
        """The address without instance keys: `module.net.huaweicloud_vpc.this`."""
        return strip_keys(self.address)

    def get(self, path: str | tuple[str | int, ...], default: Any = None) -> Any:
        """The value at `path` (`network[0].uuid`); None when absent, UNKNOWN when unknown."""
        parts = split_path(path) if isinstance(path, str) else path
        value: Any
        if len(parts) == 1 and type(parts[0]) is str:  # `cidr`: most reads
            value = self.values.get(parts[0])
            return default if value is None else value
        value = self.values
        for part in parts:
            if value is UNKNOWN:
                return UNKNOWN
            if isinstance(part, int):
                if not isinstance(value, list) or part >= len(value):
                    return default
                value = value[part]
            else:
                if not isinstance(value, dict) or part not in value:
                    return default
                value = value[part]
        return default if value is None else value

    def blocks(self, name: str) -> list[dict[str, Any]] | UnknownValue:
        """The nested blocks called `name`: a list of dicts, [] when unset, UNKNOWN when unknown."""
        value = self.values.get(name)
        if value is None:
            return []
        if isinstance(value, dict):
            return [value]
        if not isinstance(value, list):  # UNKNOWN itself, or a value no block can be
            return UNKNOWN
        if any(v is UNKNOWN for v in value):
            return UNKNOWN
        return [v for v in value if isinstance(v, dict)]

    def has_unresolved(self, path: str | tuple[str | int, ...]) -> bool:
        """Whether some reference at or below `path` could not be followed to a resource."""
        parts = split_path(path) if isinstance(path, str) else tuple(path)
        return any(path_under(key, parts) for key in self.unresolved)

    def span_of(self, attribute: str | None) -> Span | None:
        if attribute:
            head = split_path(attribute)[0]
            span = self.attr_spans.get(attribute) or self.attr_spans.get(str(head))
            if span:
                return span
        return self.span


_KEY = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\]')


def strip_keys(address: str) -> str:
    return _KEY.sub("", address) if "[" in address else address


def excerpt(text: str, limit: int = 40) -> str:
    """`text` quoted for a message, cut to its first `limit` characters: no message repeats a file."""
    if len(text) > limit:
        return repr(text[:limit]) + f"... ({len(text):,} characters)"
    return repr(text)


@record
class InputError:
    """An input that could not be read, parsed or understood."""

    source: str
    message: str
    line: int | None = None
    column: int | None = None
    note: bool = False
    """Not an error: something deliberately not read (a link out of the boundary), said as a note."""

    def __str__(self) -> str:
        where = self.source
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        return f"{where}: {self.message}"


@record(frozen=True)
class Unchecked:
    """Something a run could not check: a module not followed, a value not known statically.

    Never a finding (unknown is not wrong), but every run counts these, and the reports list them.
    """

    kind: str
    """`module` (not followed), `value` (not known statically), `subject` (a service, endpoint or
    peering whose other side is not in the configuration), `undocumented` (a path Huawei does not
    document), `input` (a whole input or root)."""
    what: str
    why: str
    file: str | None = None
    line: int | None = None
    address: str = ""
    source: str = ""
    """The root or input it was met in."""

    @property
    def where(self) -> str:
        if self.file:
            return f"{self.file}:{self.line}" if self.line else self.file
        return self.address or self.source

    def __str__(self) -> str:
        return f"{self.where}: {self.what}: {self.why}"


@record
class Inventory:
    """All resources of one input, indexed by address, type and ID value."""

    resources: list[Resource] = field(default_factory=list)
    source: str = ""
    kind: str = ""
    """`hcl`, `plan` or `state`."""
    unchecked: list[Unchecked] = field(default_factory=list)
    """What the loader could not follow (modules not read, counts not known statically)."""
    warnings: list[InputError] = field(default_factory=list)
    """Input problems that are not errors (a var file's value for an undeclared variable)."""
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """Views built once from the resources (`vpcep_lint.domain.Domain.of`); cleared by `add`."""

    def __post_init__(self) -> None:
        self._by_address: dict[str, Resource] = {}
        self._by_type: dict[str, list[Resource]] = {}
        self._by_config: dict[str, list[Resource]] = {}
        self._reverse: dict[str, list[tuple[Resource, tuple[str | int, ...], str]]] | None = None
        for r in self.resources:
            self._index(r)

    def _index(self, r: Resource) -> None:
        self._by_address[r.address] = r
        self._by_type.setdefault(r.type, []).append(r)
        self._by_config.setdefault(r.config_address, []).append(r)

    def add(self, r: Resource) -> None:
        self.resources.append(r)
        self._index(r)
        self._reverse = None
        self.derived.clear()

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def get(self, address: str) -> Resource | None:
        return self._by_address.get(address)

    def of_type(self, *types: str) -> list[Resource]:
        out: list[Resource] = []
        for t in types:
            out.extend(self._by_type.get(t, ()))
        return out

    def instances(self, config_address: str) -> list[Resource]:
        return self._by_config.get(config_address, [])

    # -- references -----------------------------------------------------------------------

    def link_literal_ids(self) -> None:
        """Turn known ID values into references (state and plans of existing resources)."""
        by_id = self._exported_ids()
        if not by_id:
            return
        for r in self.resources:
            for path, value in id_leaves(r.values, by_id):
                targets = [t for t in by_id[value] if t.address != r.address]
                if not targets:
                    continue
                have = r.refs.setdefault(path, [])
                for t in targets:
                    if t not in have:
                        have.append(t)
        self._reverse = None
        self.derived.clear()

    def _exported_ids(self) -> dict[str, list[Ref]]:
        """Each known ID value, and the attributes exporting it (`id`, and the provider's other IDs)."""
        by_id: dict[str, list[Ref]] = {}
        for r in self.resources:
            rid = r.values.get("id")
            if isinstance(rid, str) and rid:
                by_id.setdefault(rid, []).append(Ref(r.address, "id"))
            for pattern in EXPORTED_IDS.get(r.type, ()):
                for path, value in expand_path(r.values, split_path(pattern)):
                    if isinstance(value, str) and value:
                        by_id.setdefault(value, []).append(Ref(r.address, join_path(path)))
        return by_id

    def refs(self, resource: Resource, path: str | tuple[str | int, ...] = ()) -> list[Ref]:
        """References made by `resource` at `path` or below it, in source order."""
        parts = split_path(path) if isinstance(path, str) else tuple(path)
        out: dict[Ref, None] = {}  # in order, each once
        if "*" in parts:
            for key, refs in resource.refs.items():
                if path_under(key, parts):
                    out.update(dict.fromkeys(refs))
        else:
            n = len(parts)
            for key, refs in resource.refs.items():
                if key[:n] == parts:
                    out.update(dict.fromkeys(refs))
        return list(out)

    def targets(
        self, resource: Resource, path: str | tuple[str | int, ...], *types: str
    ) -> list[tuple[Resource, str]]:
        """Resources (with the attribute read) that `resource` points at from `path`."""
        out: list[tuple[Resource, str]] = []
        for ref in self.refs(resource, path):  # each once: so is each (target, attribute)
            target = self._by_address.get(ref.address)
            if target is None or (types and target.type not in types):
                continue
            out.append((target, ref.attribute))
        return out

    def target_resources(
        self, resource: Resource, path: str | tuple[str | int, ...], *types: str
    ) -> list[Resource]:
        out: dict[str, Resource] = {}  # one resource per address
        for target, _ in self.targets(resource, path, *types):
            out.setdefault(target.address, target)
        return list(out.values())

    def referrers(self, target: Resource, *types: str) -> list[tuple[Resource, tuple[str | int, ...], str]]:
        """Resources pointing at `target`: (resource, path of the attribute, attribute read)."""
        if self._reverse is None:  # each (resource, path, attribute) once per target, in order
            rev: dict[str, list[tuple[Resource, tuple[str | int, ...], str]]] = {}
            for r in self.resources:
                for key, refs in r.refs.items():
                    if len(refs) == 1:
                        rev.setdefault(refs[0].address, []).append((r, key, refs[0].attribute))
                        continue
                    for ref in dict.fromkeys(refs):  # a path's refs: (address, attribute) each once
                        rev.setdefault(ref.address, []).append((r, key, ref.attribute))
            self._reverse = rev
        found = self._reverse.get(target.address, ())
        if not types:
            return list(found)
        return [item for item in found if item[0].type in types]


def normalize_value(value: Any) -> Any:
    """Empty strings read as unset, recursively."""
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, dict):
        return {k: normalize_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize_value(v) for v in value]
    return value
