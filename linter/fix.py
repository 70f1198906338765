"""`--fix` and `--diff`: write the missing line for the findings that have one right answer.

VPCEP001 adds a `huaweicloud_networking_secgroup_rule` (ingress, the service's ports,
198.19.128.0/17) after the group, in the group's file. VPCEP002 adds an allow entry for the range
and ports ahead of the entry that blocks it: an `ingress_rules` block of a
`huaweicloud_vpc_network_acl`, or a `huaweicloud_network_acl_rule` put in the legacy ACL's
`inbound_rules` list. VPCEP003 adds the range to the listener's IP group (an `ip_list` block) or
to the shared ELB's whitelist string. VPCEP005 adds a `huaweicloud_vpc_route` through the peering
to each CIDR of the peer VPC. Each fix is planned from the run's own model (`reach` decides again
what to admit), never from the message text; whatever cannot be fixed with one right answer is
refused with the reason (`Refusal`). Writing, the boundary and the diff are in `fix_write`.
"""
from __future__ import annotations

from collections.abc import Iterator

from .domain import Domain, Nic, Peering, Service
from .domain_types import Subnet, Vpc
from .model import UNKNOWN, Inventory, Resource
from .netaddr import ENDPOINT_CIDR, AddressSet, PortSet
from .paths import Gap
from .reach import LEGACY_NACL, NACL, access_control, security_group_gaps, subnet_acl_gaps
from .reach_elb import IPGROUP, LB_WHITELIST
from .records import field, record
from .rule import Finding

FIXABLE = ("VPCEP001", "VPCEP002", "VPCEP003", "VPCEP005")


@record(frozen=True)
class Edit:
    """Lines to insert after line `after` (0: at the top) of `file`, or, with `old`, one line's
    text `old` replaced by `new` on line `after`."""

    file: str
    after: int
    text: str
    old: str | None = None


@record
class Fix:
    finding: Finding
    what: str
    """`added huaweicloud_networking_secgroup_rule.vpcep_tcp_8080`..."""
    edits: list[Edit]
    roots: list[str] = field(default_factory=list)


@record
class Refusal:
    finding: Finding
    why: str


class Unfixable(Exception):
    """Why a finding gets no fix."""


def plan(inventories: list[Inventory], findings: list[Finding], cwd: str) -> Iterator[Fix | Refusal]:
    """A fix or a refusal for every active finding of a fixable rule."""
    by_source = {inv.source: inv for inv in inventories}
    for f in findings:
        if f.suppressed is not None or f.rule_id not in FIXABLE:
            continue
        inv = by_source.get(f.source)
        try:
            if inv is None or inv.kind != "hcl":
                raise Unfixable("not from a Terraform configuration")
            yield PLANNERS[f.rule_id](inv, f, cwd)
        except Unfixable as exc:
            yield Refusal(f, str(exc))


# -- helpers ------------------------------------------------------------------------------------

def block(kind: str, labels: tuple[str, ...], attributes: list[tuple[str, str]], indent: str = "") -> str:
    """An HCL block as `terraform fmt` writes it: `=` aligned, two spaces per level."""
    head = f'{indent}{kind} {" ".join(f"{chr(34)}{x}{chr(34)}" for x in labels)}'.rstrip() + " {\n"
    width = max(len(k) for k, _ in attributes)
    body = "".join(f"{indent}  {k.ljust(width)} = {v}\n" for k, v in attributes)
    return head + body + f"{indent}}}\n"


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("${", "$${").replace("%{", "%%{") + '"'


def reference(r: Resource) -> str:
    """How the resource's own module refers to it: `huaweicloud_networking_secgroup.app.id`."""
    if r.index is not None:
        raise Unfixable(f"{r.address} is made with count or for_each: add the rule for each instance by hand")
    return ".".join(r.config_address.split(".")[-2:]) + ".id"


def where(r: Resource) -> tuple[str, int]:
    """The file and last line of a resource block written in a `.tf` file."""
    span = r.span
    if span is None or span.end_line is None or not span.file.endswith(".tf"):
        raise Unfixable(f"{r.address} is not written in a .tf file this run read")
    return span.file, span.end_line


def new_name(inv: Inventory, r: Resource, kind: str, base: str, also: set[str] | None = None) -> str:
    """A resource name no resource of that type in the module uses yet (nor one in `also`)."""
    module = r.config_address[: -len(".".join(r.config_address.split(".")[-2:]))]
    taken = {x.config_address for x in inv}
    name, n = base, 2
    while f"{module}{kind}.{name}" in taken or name in (also or set()):
        name, n = f"{base}_{n}", n + 1
    return name


def _port_text(ports: PortSet, colon: bool = False) -> list[str]:
    return [str(lo) if lo == hi else f"{lo}{':' if colon else '-'}{hi}" for lo, hi in ports.intervals]


def _service_and_nic(inv: Inventory, f: Finding) -> tuple[Service, Nic | None, str]:
    service_address, _, rest = f.key.partition("|")
    for service in Domain.of(inv).services:
        if service.address == service_address:
            nics = service.backend.nics if service.backend is not None else []
            return service, next((n for n in nics if n.label == rest), None), rest
    raise Unfixable("its service is not in the configuration")


def _known_ports(service: Service) -> dict[str, PortSet]:
    if service.mappings is None:
        raise Unfixable(f"the ports of {service.address} are not known statically")
    return service.ports("service")


# -- VPCEP001 -----------------------------------------------------------------------------------

def _fix_security_group(inv: Inventory, f: Finding, cwd: str) -> Fix:
    service, nic, _ = _service_and_nic(inv, f)
    if nic is None or not nic.groups:
        raise Unfixable("the backend's security groups are not known")
    group = nic.groups[0]
    gaps = security_group_gaps(inv, nic.groups, _known_ports(service)) or []
    if not gaps:
        raise Unfixable("nothing left to admit")
    priority = _priority_that_wins(inv, gaps)
    file, end = where(group)
    text = ""
    names = []
    for protocol in sorted({g.protocol for g in gaps}):
        ports = PortSet.union_all(g.ports for g in gaps if g.protocol == protocol and g.ports is not None)
        listed = ",".join(_port_text(ports))
        name = new_name(inv, group, "huaweicloud_networking_secgroup_rule",
                        f"vpcep_{protocol}_{listed.replace(',', '_').replace('-', '_')}"[:60])
        attributes = [("security_group_id", reference(group)), ("direction", '"ingress"'), ("ethertype", '"IPv4"'),
                      ("protocol", quoted(protocol)), ("ports", quoted(listed)),
                      ("remote_ip_prefix", quoted(ENDPOINT_CIDR)), ("description", '"VPC endpoint traffic"')]
        if priority is not None:
            attributes.insert(6, ("priority", str(priority)))
        text += "\n" + block("resource", ("huaweicloud_networking_secgroup_rule", name), attributes)
        names.append(f"huaweicloud_networking_secgroup_rule.{name}")
    return Fix(f, f"added {', '.join(names)} for {group.address}", [Edit(file, end, text)])


def _priority_that_wins(inv: Inventory, gaps: list[Gap]) -> int | None:
    """None: no deny decides, the default priority does; else 1, which wins over every deny at a
    lower priority (2-100). A deny at priority 1 (the default) wins ties: no allow can win."""
    denies = [inv.get(label) for g in gaps for label in g.by]
    if not denies:
        return None
    for rule in denies:
        priority = rule.get("priority") if rule is not None else UNKNOWN
        if priority is UNKNOWN or priority in (None, 1):
            name = rule.address if rule is not None else "a recorded deny rule"
            raise Unfixable(f"{name} denies at the highest priority, and a deny wins over an allow of equal priority: "
                            "narrow or remove it")
    return 1


# -- VPCEP002 -----------------------------------------------------------------------------------

def _fix_acl(inv: Inventory, f: Finding, cwd: str) -> Fix:
    acl = inv.get(f.address)
    if acl is None or acl.type not in (NACL, LEGACY_NACL):
        raise Unfixable("its ACL is not in the configuration")
    if f.key.endswith("|unused"):
        raise Unfixable("no subnet uses that address space yet: whether to admit it is a choice")
    endpoint_side = not any(s.address == f.key.partition("|")[0] for s in Domain.of(inv).services)
    sources, flows = _acl_flows(inv, f, endpoint_side)
    subnet = next(s for s in _subnets(inv) if s.address == f.key.partition("|")[2])
    gaps = next((g for a, g in subnet_acl_gaps(inv, subnet, sources, flows) if a is acl), None)
    if not isinstance(gaps, list) or not gaps or any(g.ports is None for g in gaps):
        raise Unfixable("what to admit is not known statically")
    cidrs = [str(sources)] if "," not in str(sources) else str(sources).split(", ")
    if len(cidrs) > 4:
        raise Unfixable(f"{len(cidrs)} client ranges: admit the VPC's subnets by hand")
    if acl.type == LEGACY_NACL:
        return _fix_legacy_acl(inv, f, acl, gaps, cidrs, cwd)
    return _fix_vpc_acl(f, acl, gaps, cidrs)


def _subnets(inv: Inventory) -> list[Subnet]:
    domain = Domain.of(inv)
    out = [s for sv in domain.services if sv.backend is not None for s in sv.backend.subnets]
    return out + [e.subnet for e in domain.endpoints if e.subnet is not None]


def _acl_flows(inv: Inventory, f: Finding, endpoint_side: bool) -> tuple[AddressSet, dict[str, PortSet]]:
    if not endpoint_side:
        service = next(s for s in Domain.of(inv).services if s.address == f.key.partition("|")[0])
        return AddressSet.parse(ENDPOINT_CIDR), _known_ports(service)
    endpoint = next((e for e in Domain.of(inv).endpoints if e.address == f.key.partition("|")[0]), None)
    if endpoint is None or endpoint.service is None or endpoint.vpc is None or endpoint.subnet is None:
        raise Unfixable("the endpoint's service, VPC or subnet is not known")
    subnets, own = endpoint.vpc.subnet_space(), endpoint.subnet.cidr
    if subnets is None or own is None:
        raise Unfixable("the endpoint VPC's subnets are not known statically")
    if endpoint.service.mappings is None:
        raise Unfixable(f"the ports of {endpoint.service.address} are not known statically")
    return subnets - own, endpoint.service.ports("terminal")


def _entries(gaps: list[Gap], cidrs: list[str], colon: bool) -> list[tuple[str, str, str]]:
    """(protocol, port text, source CIDR) of each allow entry to add."""
    out = []
    for g in gaps:
        for port in _port_text(g.ports or PortSet.empty(), colon):
            for cidr in cidrs:
                if (g.protocol, port, cidr) not in out:
                    out.append((g.protocol, port, cidr))
    return out


def _fix_vpc_acl(f: Finding, acl: Resource, gaps: list[Gap], cidrs: list[str]) -> Fix:
    blocks = acl.blocks("ingress_rules")
    written = [acl.attr_spans.get(f"ingress_rules[{i}]") for i in range(len(blocks) if blocks is not UNKNOWN else 0)]
    if blocks is UNKNOWN or any(s is None for s in written):
        raise Unfixable(f"the ingress_rules of {acl.address} are not all written as blocks")
    file, end = where(acl)
    first = min((int(label.rsplit("[", 1)[1].rstrip("]")) for g in gaps for label in g.by), default=None)
    entries = _entries(gaps, cidrs, colon=False)
    text = "".join(block("ingress_rules", (), [("name", quoted(f"allow-vpcep-{p}-{port}")), ("action", '"allow"'),
                                               ("protocol", quoted(p)), ("ip_version", "4"),
                                               ("source_ip_address", quoted(c)), ("destination_port", quoted(port))],
                         "  ") + "\n" for p, port, c in entries)
    if first is not None:  # ahead of the entry that blocks: before its block
        span = written[first]
        assert span is not None
        return Fix(f, f"added {len(entries)} allow entr{'y' if len(entries) == 1 else 'ies'} ahead of "
                   f"{acl.address}.ingress_rules[{first}]", [Edit(file, span.line - 1, text)])
    last = max((s.end_line or s.line for s in written if s is not None), default=end - 1)
    return Fix(f, f"added {len(entries)} allow entr{'y' if len(entries) == 1 else 'ies'} to {acl.address}",
               [Edit(file, last, "\n" + text.rstrip("\n") + "\n")])


def _fix_legacy_acl(inv: Inventory, f: Finding, acl: Resource, gaps: list[Gap], cidrs: list[str], cwd: str) -> Fix:
    span = acl.attr_spans.get("inbound_rules")
    if span is None or span.end_line != span.line:
        raise Unfixable(f"the inbound_rules of {acl.address} are not written on one line")
    file, end = where(acl)
    blockers = [inv.get(label) for g in gaps for label in g.by]
    text, refs = "", []
    for p, port, c in _entries(gaps, cidrs, colon=True):
        name = new_name(inv, acl, "huaweicloud_network_acl_rule", f"vpcep_{p}_{port.replace(':', '_')}")
        text += "\n" + block("resource", ("huaweicloud_network_acl_rule", name), [
            ("name", quoted(f"allow-vpcep-{p}-{port.replace(':', '-')}")), ("protocol", quoted(p)),
            ("action", '"allow"'), ("source_ip_address", quoted(c)), ("destination_port", quoted(port))])
        refs.append(f"huaweicloud_network_acl_rule.{name}.id")
    first = next((b for b in blockers if b is not None), None)
    return Fix(f, f"added {', '.join(r[:-3] for r in refs)} to {acl.address}'s inbound_rules"
               + (f" ahead of {first.address}" if first is not None else ""),
               [Edit(file, end, text), _list_edit(span.file, span.line, refs, first, cwd)])


def _list_edit(file: str, line: int, refs: list[str], before: Resource | None, cwd: str) -> Edit:
    """The one-line `inbound_rules = [...]` with `refs` ahead of `before` (else at the end)."""
    from .fix_write import read_line

    old = read_line(file, line, cwd)
    if "[" not in old or "]" not in old:
        raise Unfixable("inbound_rules is not a list written on one line")
    if before is not None:
        anchor = ".".join(before.config_address.split(".")[-2:]) + ".id"
        if anchor not in old:
            raise Unfixable(f"{before.address} is not named in inbound_rules as {anchor}")
        new = old.replace(anchor, ", ".join(refs) + ", " + anchor, 1)
    else:
        head, _, tail = old.rpartition("]")
        inside = head.split("[", 1)[1].strip()
        new = head.rstrip() + (", " if inside else "") + ", ".join(refs) + "]" + tail
    return Edit(file, line, new, old)


# -- VPCEP003 -----------------------------------------------------------------------------------

def _fix_listener(inv: Inventory, f: Finding, cwd: str) -> Fix:
    listener = inv.get(f.address)
    if listener is None:
        raise Unfixable("its listener is not in the configuration")
    control = access_control(inv, listener, AddressSet.parse(ENDPOINT_CIDR))
    if control is None or control.control is None:
        raise Unfixable("its access control is not a resource of the configuration")
    if control.kind != "whitelist":
        raise Unfixable(f"the blacklist {control.control.address} lists the range: remove that entry (which entry, "
                        "when it covers more, is a choice)")
    target = control.control
    file, end = where(target)
    if target.type == IPGROUP:
        spans = [s for k, s in target.attr_spans.items() if k.startswith("ip_list[")]
        last = max((s.end_line or s.line for s in spans), default=end - 1)
        text = "\n" + block("ip_list", (), [("ip", quoted(ENDPOINT_CIDR)), ("description", '"VPC endpoint traffic"')],
                             "  ")
        return Fix(f, f"added {ENDPOINT_CIDR} to {target.address}", [Edit(file, last, text)])
    if target.type == LB_WHITELIST:
        return Fix(f, f"added {ENDPOINT_CIDR} to the whitelist of {target.address}", [_whitelist_edit(target, cwd)])
    raise Unfixable(f"{target.address} is not an IP group or a whitelist")


def _whitelist_edit(wl: Resource, cwd: str) -> Edit:
    from .fix_write import read_line

    span = wl.attr_spans.get("whitelist")
    value = wl.get("whitelist")
    if span is None or not isinstance(value, str):
        raise Unfixable(f"{wl.address} sets no whitelist string to add to: write whitelist = \"{ENDPOINT_CIDR}\"")
    old = read_line(span.file, span.line, cwd)
    literal = quoted(value)
    if span.end_line != span.line or old.count(literal) != 1:
        raise Unfixable(f"the whitelist of {wl.address} is not one literal string")
    joined = f"{value},{ENDPOINT_CIDR}" if value.strip() else ENDPOINT_CIDR
    return Edit(span.file, span.line, old.replace(literal, quoted(joined)), old)


# -- VPCEP005 -----------------------------------------------------------------------------------

def _fix_routes(inv: Inventory, f: Finding, cwd: str) -> Fix:
    peering = next((p for p in Domain.of(inv).peerings if p.address == f.address), None)
    if peering is None or f.key not in ("requester", "accepter"):
        raise Unfixable("the route is there but cannot carry: change its destination or its route table")
    vpc, other = (peering.local, peering.peer) if f.key == "requester" else (peering.peer, peering.local)
    if other.space is None:
        raise Unfixable(f"the address space of {other.address} is not known statically")
    if inv.referrers(vpc.resource, "huaweicloud_vpc_route_table"):
        raise Unfixable(f"{vpc.address} has custom route tables: which one steers its subnets is a choice")
    return _route_fix(inv, f, peering, vpc, other)


def _route_fix(inv: Inventory, f: Finding, peering: Peering, vpc: Vpc, other: Vpc) -> Fix:
    file, end = where(peering.resource)
    text, names = "", list[str]()
    for cidr in str(other.space).split(", "):
        base = f"{vpc.resource.name}_to_{other.resource.name}"
        name = new_name(inv, peering.resource, "huaweicloud_vpc_route", base, set(n.split(".")[-1] for n in names))
        text += "\n" + block("resource", ("huaweicloud_vpc_route", name), [
            ("vpc_id", reference(vpc.resource)), ("destination", quoted(cidr)), ("type", '"peering"'),
            ("nexthop", reference(peering.resource))])
        names.append(f"huaweicloud_vpc_route.{name}")
    return Fix(f, f"added {', '.join(names)}", [Edit(file, end, text)])


PLANNERS = {"VPCEP001": _fix_security_group, "VPCEP002": _fix_acl, "VPCEP003": _fix_listener,
            "VPCEP005": _fix_routes}
