"""Network algebra for the checks: address sets, port sets, protocols and first-match evaluation.

Pure and exact: sets are sorted, disjoint, merged integer intervals, so union, intersection and
difference never approximate. Nothing here reads resources; `reach` turns rules into `Match`es.
The sets are in `address_sets`, the evaluation in `first_match`; this module names both.
"""
from __future__ import annotations

from .address_sets import (
    ENDPOINT_CIDR,
    ENDPOINT_RANGE,
    AddressSet,
    Intervals,
    InvalidValue,
    PortSet,
    parse_addresses,
    protocol_matches,
    protocol_of,
)
from .first_match import Decision, FlowSpace, Match, Segment, Verdict, first_match

__all__ = [
    "ENDPOINT_CIDR", "ENDPOINT_RANGE", "AddressSet", "Decision", "FlowSpace", "Intervals", "InvalidValue", "Match",
    "PortSet", "Segment", "Verdict", "first_match", "parse_addresses", "protocol_matches", "protocol_of",
]
