"""First-match evaluation of ordered rules over a space of flows (addresses x ports of one protocol):
what security groups, network ACLs and ELB access control all come down to (`reach` builds the
`Match`es from resources). Pure and exact, like `address_sets`."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Enum
from itertools import pairwise

from .address_sets import ANY_ADDRESS, AddressSet, PortSet, merge_intervals
from .records import record


class Verdict(str, Enum):
    ALLOWED = "allowed"
    DENIED = "denied"
    UNKNOWN = "unknown"


Segment = tuple[int, int, AddressSet]
"""Ports lo..hi, each paired with the same addresses."""


_NOWHERE = AddressSet()  # immutable: one empty set for every port no segment holds


@record(frozen=True, repr=False)
class FlowSpace:
    """A set of (address, port) pairs for one protocol.

    Stored as boxes cut along the port axis: disjoint port intervals in order, each with the
    addresses that go with every port in it; neighbours with equal addresses are merged, so
    equal spaces compare equal.
    """

    segments: tuple[Segment, ...] = ()

    @classmethod
    def of(cls, addresses: AddressSet, ports: PortSet) -> FlowSpace:
        if addresses.is_empty():
            return cls()
        return cls(tuple((lo, hi, addresses) for lo, hi in ports.intervals))

    @classmethod
    def empty(cls) -> FlowSpace:
        return cls()

    def _combine(
        self, other: FlowSpace, op: Callable[[AddressSet, AddressSet], AddressSet]
    ) -> FlowSpace:
        """Apply `op` to the addresses of both spaces, port interval by port interval."""
        a, b = self.segments, other.segments
        both = a + b
        cuts = sorted({lo for lo, _, _ in both} | {hi + 1 for _, hi, _ in both})
        out: list[Segment] = []
        i = j = 0  # the first segment of each space not ending before the cut (cuts only grow)
        na, nb = len(a), len(b)
        for lo, next_lo in pairwise(cuts):
            while i < na and a[i][1] < lo:
                i += 1
            while j < nb and b[j][1] < lo:
                j += 1
            addresses = op(a[i][2] if i < na and a[i][0] <= lo else _NOWHERE,
                           b[j][2] if j < nb and b[j][0] <= lo else _NOWHERE)
            if addresses.is_empty():
                continue
            if out and out[-1][1] == lo - 1 and out[-1][2] == addresses:
                out[-1] = (out[-1][0], next_lo - 1, addresses)
            else:
                out.append((lo, next_lo - 1, addresses))
        return FlowSpace(tuple(out))

    def __or__(self, other: FlowSpace) -> FlowSpace:
        return self._combine(other, AddressSet.__or__)

    def __and__(self, other: FlowSpace) -> FlowSpace:
        return self._combine(other, AddressSet.__and__)

    def __sub__(self, other: FlowSpace) -> FlowSpace:
        return self._combine(other, AddressSet.__sub__)

    def is_empty(self) -> bool:
        return not self.segments

    def describe(self) -> list[tuple[AddressSet, PortSet]]:
        """The space as (addresses, ports) pairs with distinct addresses and disjoint ports."""
        groups: dict[AddressSet, list[tuple[int, int]]] = {}
        for lo, hi, addresses in self.segments:
            groups.setdefault(addresses, []).append((lo, hi))
        return [(addresses, PortSet(merge_intervals(ports))) for addresses, ports in groups.items()]

    def __str__(self) -> str:
        return "; ".join(f"{a} on {p}" for a, p in self.describe()) or "nothing"

    def __repr__(self) -> str:
        return f"FlowSpace({str(self)!r})"


@record(frozen=True)
class Match:
    """One security-group or ACL rule, already filtered to the flow's protocol."""

    allow: bool | None  # None: the action is not known before apply
    addresses: AddressSet | None  # None: unknown remote, e.g. a computed address group
    ports: PortSet | None  # None: unknown ports
    label: str = ""

    @property
    def is_known(self) -> bool:
        return self.allow is not None and self.addresses is not None and self.ports is not None


@record(frozen=True)
class Decision:
    """How a flow space splits under a rule list; `*_by` name the rules that decided a part."""

    allowed: FlowSpace
    denied: FlowSpace  # explicitly denied, or matched by no rule
    unknown: FlowSpace  # a rule that may or may not match came first
    denied_by: tuple[str, ...] = ()
    unknown_by: tuple[str, ...] = ()

    @property
    def verdict(self) -> Verdict:
        if not self.denied.is_empty():
            return Verdict.DENIED
        if not self.unknown.is_empty():
            return Verdict.UNKNOWN
        return Verdict.ALLOWED


def first_match(space: FlowSpace, rules: Sequence[Match]) -> Decision:
    """Decide every pair of `space` by the first rule in `rules` that matches it."""
    undecided = space
    allowed, denied, unknown = FlowSpace(), FlowSpace(), FlowSpace()
    denied_by: list[str] = []
    unknown_by: list[str] = []
    for rule in rules:
        if undecided.is_empty():
            break
        # A rule with an unknown part may match anything it could match; that part stays unknown.
        reach = FlowSpace.of(
            ANY_ADDRESS if rule.addresses is None else rule.addresses,
            PortSet.ALL if rule.ports is None else rule.ports,
        )
        hit = undecided & reach
        if hit.is_empty():
            continue
        undecided -= hit
        if not rule.is_known:
            unknown |= hit
            unknown_by.append(rule.label)
        elif rule.allow:
            allowed |= hit
        else:
            denied |= hit
            denied_by.append(rule.label)
    # Security groups are whitelists and ACLs end in an implicit deny-all: unmatched is denied.
    denied |= undecided
    return Decision(allowed, denied, unknown, tuple(denied_by), tuple(unknown_by))
