"""Property tests over the loaders: generated plans, HCL, CIDRs and ports never crash the linter.

Properties, for every generated input:
- no exception escapes `vpcep_lint.api.lint`, and no loader or rule crashes (internal errors);
- through the CLI the exit code is 0, 1 or 2, never 3, and there is never a traceback;
- a finding never names a resource address that is not in the input;
- an invalid CIDR or port in a rule never adds a finding (the cloud rejects the rule);
- for generated valid configurations, the HCL form and the plan form give the same findings.
  Terraform cannot run here, so the plan form is built by `plan_of` in the shape Terraform gives
  (configuration.root_module.resources[].expressions with references, resource_changes with
  after / after_unknown); the generator stays small on purpose.

CI runs the "ci" profile (300 examples per property, derandomized: the same ones every run); `HYPOTHESIS_PROFILE=nightly`
runs 20,000 random ones.
"""
from __future__ import annotations

import copy
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import FIXTURES
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from vpcep_lint.api import Options, Report, lint
from vpcep_lint.cli import main
from vpcep_lint.netaddr import AddressSet, InvalidValue, PortSet
from vpcep_lint.registry import discover

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile("ci", max_examples=300, derandomize=True, deadline=None, database=None, suppress_health_check=_SLOW_OK)
settings.register_profile("nightly", max_examples=20_000, deadline=None, suppress_health_check=_SLOW_OK)
_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
FUZZ = settings(settings.get_profile(_PROFILE if _PROFILE in ("ci", "nightly") else "ci"))
"""Applied to each test here rather than loaded, so other test modules keep their own settings."""

RULES, _errors = discover()
assert not _errors, _errors


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def run_lint(paths: list[Path], cwd: Path) -> Report:
    report = lint([str(p) for p in paths], Options(rules=RULES, cwd=str(cwd)))
    assert report.internal_errors == [], report.internal_errors
    return report


def finding_addresses(report: Report) -> set[str]:
    out = set()
    for f in report.findings:
        if f.rule_id != "VPCEP000":
            out.add(f.address)
            out.update(r.address for r in f.related)
    return out


# -- a small grammar of configurations ------------------------------------------------------------

@dataclass(frozen=True)
class Ref:
    address: str
    path: str = "id"


@dataclass
class Res:
    type: str
    name: str
    attrs: dict[str, Any] = field(default_factory=dict)
    """Values: str, int, bool, Ref, or a list of those."""
    blocks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}"


VPC, SUBNET, SG, RULE = "huaweicloud_vpc", "huaweicloud_vpc_subnet", "huaweicloud_networking_secgroup", "huaweicloud_networking_secgroup_rule"
VM, SERVICE, ENDPOINT, ACL = "huaweicloud_compute_instance", "huaweicloud_vpcep_service", "huaweicloud_vpcep_endpoint", "huaweicloud_vpc_network_acl"
PEERING, ROUTE = "huaweicloud_vpc_peering_connection", "huaweicloud_vpc_route"

CIDRS = ["198.19.128.0/17", "198.19.0.0/16", "198.19.192.0/18", "0.0.0.0/0", "10.0.0.0/8", "192.168.0.0/16", "::/0", "2001:db8::/32"]
PORTS = ["8080", "80,8080", "8000-9000", "22", "1-65535", "443"]
SERVICE_PORTS = [22, 80, 443, 8080, 9000]
VPC_CIDRS = ["192.168.0.0/16", "172.16.0.0/16", "10.0.0.0/8", "192.168.0.0/17"]
REGIONS = ["cn-north-4", "cn-south-1"]


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def put(target: dict[str, Any], **values: Any) -> dict[str, Any]:
    target.update({k: v for k, v in values.items() if v is not None})
    return target


@st.composite
def sg_rule(draw: st.DrawFn, name: str, cidrs: st.SearchStrategy[str], ports: st.SearchStrategy[str]) -> Res:
    r = Res(RULE, name, {"security_group_id": Ref(f"{SG}.sg")})
    put(
        r.attrs,
        direction=draw(optional(st.sampled_from(["ingress", "egress"]))),
        ethertype=draw(optional(st.sampled_from(["IPv4", "IPv6"]))),
        protocol=draw(optional(st.sampled_from(["tcp", "udp", "icmp"]))),
        ports=draw(optional(ports)),
        remote_ip_prefix=draw(optional(cidrs)),
        action=draw(optional(st.sampled_from(["allow", "deny"]))),
        priority=draw(optional(st.sampled_from([1, 50, 100]))),
    )
    return r


@st.composite
def acl_rule(draw: st.DrawFn, cidrs: st.SearchStrategy[str], ports: st.SearchStrategy[str]) -> dict[str, Any]:
    return put(
        {},
        action=draw(st.sampled_from(["allow", "deny"])),
        protocol=draw(optional(st.sampled_from(["tcp", "udp", "any"]))),
        ip_version=draw(optional(st.sampled_from([4, 6]))),
        source_ip_address=draw(optional(cidrs)),
        destination_port=draw(optional(ports)),
    )

ANY_CIDR = st.sampled_from(CIDRS)
ANY_PORTS = st.sampled_from(PORTS)


@st.composite
def configurations(draw: st.DrawFn, cidrs: st.SearchStrategy[str] = ANY_CIDR,
                   ports: st.SearchStrategy[str] = ANY_PORTS, extras: bool = True) -> list[Res]:
    """A backend VM behind an endpoint service, with its group, rules, ACL, endpoint and peering
    (without `extras`: only what the security group and ACL checks read)."""
    two_vpcs = extras and draw(st.booleans())
    out = [Res(VPC, "v1", {"cidr": draw(st.sampled_from(VPC_CIDRS))})]
    out.append(Res(SUBNET, "s1", {"cidr": "192.168.10.0/24", "vpc_id": Ref(f"{VPC}.v1")}))
    if two_vpcs:
        out.append(Res(VPC, "v2", {"cidr": draw(st.sampled_from(VPC_CIDRS))}))
        out.append(Res(SUBNET, "s2", {"cidr": draw(st.sampled_from(["172.16.1.0/24", "192.168.10.0/24"])), "vpc_id": Ref(f"{VPC}.v2")}))
    out.append(Res(SG, "sg", {"name": "sg"}))
    out += [draw(sg_rule(f"r{i}", cidrs, ports)) for i in range(draw(st.integers(0, 3)))]
    out.append(Res(VM, "vm", {"security_group_ids": [Ref(f"{SG}.sg")]}, {"network": [{"uuid": Ref(f"{SUBNET}.s1")}]}))
    mappings = [
        put({"service_port": p}, terminal_port=draw(optional(st.sampled_from([80, 443]))))
        for p in draw(st.lists(st.sampled_from(SERVICE_PORTS), min_size=1, max_size=2, unique=True))
    ]
    service = Res(SERVICE, "svc", {"vpc_id": Ref(f"{VPC}.v1"), "server_type": "VM", "port_id": Ref(f"{VM}.vm", "network[0].port")},
                  {"port_mapping": mappings})
    put(service.attrs, approval=draw(optional(st.booleans())), region=draw(optional(st.sampled_from(REGIONS))))
    out.append(service)
    if extras and draw(st.booleans()):
        consumer = "2" if two_vpcs else "1"
        ep = Res(ENDPOINT, "ep", {"service_id": Ref(f"{SERVICE}.svc"), "vpc_id": Ref(f"{VPC}.v{consumer}"),
                                  "network_id": Ref(f"{SUBNET}.s{consumer}")})
        put(ep.attrs, region=draw(optional(st.sampled_from(REGIONS))))
        out.append(ep)
    if not extras or draw(st.booleans()):
        rules = [draw(acl_rule(cidrs, ports)) for _ in range(draw(st.integers(0, 3)))]
        acl = Res(ACL, "acl", {"name": "acl"}, {"associated_subnets": [{"subnet_id": Ref(f"{SUBNET}.s1")}]})
        if rules:
            acl.blocks["ingress_rules"] = rules
        out.append(acl)
    if two_vpcs and draw(st.booleans()):
        out.append(Res(PEERING, "p", {"name": "p", "vpc_id": Ref(f"{VPC}.v1"), "peer_vpc_id": Ref(f"{VPC}.v2")}))
        for side, dest in (("1", "2"), ("2", "1")):
            if draw(st.booleans()):
                out.append(Res(ROUTE, f"to_v{dest}", {"vpc_id": Ref(f"{VPC}.v{side}"), "destination": draw(st.sampled_from(VPC_CIDRS)),
                                                      "type": "peering", "nexthop": Ref(f"{PEERING}.p")}))
    return out


PROVIDER = 'provider "huaweicloud" {\n  region = "cn-north-4"\n}\n'


def hcl_value(v: Any) -> str:
    if isinstance(v, Ref):
        return f"{v.address}.{v.path}"
    if isinstance(v, list):
        return "[" + ", ".join(hcl_value(x) for x in v) + "]"
    return json.dumps(v)


def hcl_of(config: list[Res]) -> str:
    out = [PROVIDER]
    for r in config:
        out.append(f'resource "{r.type}" "{r.name}" {{')
        out += [f"  {k} = {hcl_value(v)}" for k, v in r.attrs.items()]
        for name, blocks in r.blocks.items():
            for b in blocks:
                out.append(f"  {name} {{")
                out += [f"    {k} = {hcl_value(v)}" for k, v in b.items()]
                out.append("  }")
        out.append("}\n")
    return "\n".join(out)


# Optional+Computed arguments: unknown in a create plan when unset (reference §0.3).
COMPUTED = {
    RULE: ("protocol", "ports", "port_range_min", "port_range_max", "remote_ip_prefix", "remote_group_id",
           "remote_address_group_id", "action", "priority"),
    SERVICE: ("approval", "status", "service_name"),
    ENDPOINT: ("status", "network_id", "service_name"),
    VM: ("security_group_ids",),
}
BLOCK_COMPUTED = {("network", VM): ("port", "fixed_ip_v4", "mac")}
BLOCK_DEFAULTS = {("port_mapping", SERVICE): {"protocol": "TCP"}}


def references(ref: Ref) -> list[str]:
    """Terraform lists a reference and each of its prefixes: `a.b.network[0].port`, `a.b.network[0]`..."""
    full = f"{ref.address}.{ref.path}"
    out = [full]
    while True:
        cut = max(full.rfind("."), full.rfind("["))
        if cut <= len(ref.address):
            break
        full = full[:cut]
        out.append(full)
    return out + [ref.address] if out[-1] != ref.address else out


def expression(v: Any) -> dict[str, Any]:
    refs = [x for x in (v if isinstance(v, list) else [v]) if isinstance(x, Ref)]
    if refs:
        return {"references": [r for ref in refs for r in references(ref)]}
    return {"constant_value": v}


def plan_of(config: list[Res]) -> dict[str, Any]:
    changes, resources, planned = [], [], []
    for r in config:
        exprs: dict[str, Any] = {k: expression(v) for k, v in r.attrs.items()}
        after: dict[str, Any] = {}
        unknown: dict[str, Any] = {"id": True}
        for k, v in r.attrs.items():
            if isinstance(v, Ref) or (isinstance(v, list) and any(isinstance(x, Ref) for x in v)):
                unknown[k] = True
            else:
                after[k] = v
        for k in COMPUTED.get(r.type, ()) + ("region",):
            if k not in r.attrs:
                unknown[k] = True
        for name, blocks in r.blocks.items():
            exprs[name] = [{k: expression(v) for k, v in b.items()} for b in blocks]
            after[name], unknown[name] = [], []
            for b in blocks:
                values = {**BLOCK_DEFAULTS.get((name, r.type), {}), **{k: v for k, v in b.items() if not isinstance(v, Ref)}}
                flags = {k: True for k, v in b.items() if isinstance(v, Ref)}
                flags.update({k: True for k in BLOCK_COMPUTED.get((name, r.type), ()) if k not in b})
                after[name].append(values)
                unknown[name].append(flags)
        common = {"address": r.address, "mode": "managed", "type": r.type, "name": r.name}
        changes.append({**common, "provider_name": "registry.terraform.io/huaweicloud/huaweicloud",
                        "change": {"actions": ["create"], "before": None, "after": after, "after_unknown": unknown}})
        planned.append({**common, "values": after})
        resources.append({**common, "provider_config_key": "huaweicloud", "expressions": exprs, "schema_version": 0})
    return {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {"huaweicloud": {"name": "huaweicloud", "expressions": {"region": {"constant_value": "cn-north-4"}}}},
            "root_module": {"resources": resources},
        },
    }


def write_hcl(workdir: Path, text: str, name: str = "hcl") -> Path:
    d = workdir / name
    d.mkdir(exist_ok=True)
    (d / "main.tf").write_text(text, encoding="utf-8")
    return d


def write_plan(workdir: Path, doc: Any, name: str = "plan.json") -> Path:
    path = workdir / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def comparable(report: Report) -> list[tuple[str, str, str, str, str]]:
    return sorted((f.rule_id, f.address, f.severity.value, f.key, f.message) for f in report.findings)


# -- valid configurations: both forms agree ---------------------------------------------------------

@FUZZ
@given(configurations())
def test_hcl_and_plan_forms_of_a_valid_configuration_agree(workdir: Path, config: list[Res]) -> None:
    hcl = run_lint([write_hcl(workdir, hcl_of(config))], workdir)
    plan = run_lint([write_plan(workdir, plan_of(config))], workdir)
    assert hcl.errors == [] and plan.errors == []
    assert comparable(hcl) == comparable(plan)
    assert finding_addresses(hcl) <= {r.address for r in config}


# -- plans: valid, and mutated ---------------------------------------------------------------------

def fixture_documents() -> list[tuple[str, Any]]:
    docs = []
    for path in sorted(FIXTURES.glob("VPCEP00[1-8]/*/*/*.json")) + sorted(FIXTURES.glob("model/*/*.json")):
        if path.name != "expected.json" and not path.name.startswith("expected"):
            docs.append((str(path.relative_to(FIXTURES)), json.loads(path.read_text())))
    return docs


FIXTURE_DOCS = fixture_documents()
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**64), st.floats(allow_nan=True), st.text(max_size=20),
    st.sampled_from(["", "198.19.128.0/17", "8080", "80-", "::/0", "huaweicloud_vpc.v1", "var.region", "module.m[\"a",
                     "huaweicloud_compute_instance.vm.network[0].port", "each.value", "${var.x}", "\x1b[31m", "cn-north-4"]),
)
JUNK = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=8), SCALARS, max_size=3),
    # shaped like what the loaders read: expressions, references, blocks
    st.builds(lambda v: {"references": v}, st.one_of(SCALARS, st.lists(SCALARS, max_size=3))),
    st.builds(lambda v: {"constant_value": v}, st.one_of(SCALARS, st.lists(SCALARS, max_size=2))),
    st.lists(st.dictionaries(st.sampled_from(["address", "type", "name", "values", "index", "mode"]), SCALARS, max_size=3), max_size=2),
)


HOT_SPOTS = [
    ("configuration", "provider_config"), ("configuration", "root_module", "resources"),
    ("configuration", "root_module", "module_calls"), ("variables",), ("resource_changes",),
    ("planned_values", "root_module"), ("prior_state", "values", "root_module"), ("values", "root_module"),
]


def mutate(doc: Any, data: st.DataObject, rounds: int) -> Any:
    """Delete a key, change a value's type, insert a null or wrap a value: somewhere down a random
    walk from the top or from a part the loaders read closely."""
    doc = copy.deepcopy(doc)
    for _ in range(rounds):
        parent, key = None, None
        node = doc
        start = data.draw(st.sampled_from([(), *HOT_SPOTS]), label="start")
        for step in start:
            if not isinstance(node, dict) or step not in node:
                break
            parent, key, node = node, step, node[step]
        while isinstance(node, (dict, list)) and node and (parent is None or data.draw(st.integers(0, 3), label="deeper")):
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            parent, key = node, data.draw(st.sampled_from(keys), label="key")
            node = node[key]
        if parent is None:
            break
        action = data.draw(st.sampled_from(["delete", "replace", "null", "wrap"]), label="action")
        if action == "delete":
            del parent[key]
        elif action == "replace":
            parent[key] = data.draw(JUNK, label="value")
        elif action == "null":
            parent[key] = None
        else:
            parent[key] = [node] if data.draw(st.booleans()) else {"x": node}
    return doc


def input_addresses(doc: Any) -> set[str]:
    """Every resource address a plan or state holds (its resource_changes and values)."""
    out: set[str] = set()

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            if isinstance(v.get("address"), str):
                out.add(v["address"])
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(doc)
    return out


@FUZZ
@given(st.data())
def test_mutated_plans_and_states_never_crash_nor_invent_resources(workdir: Path, data: st.DataObject) -> None:
    if data.draw(st.booleans(), label="from a fixture"):
        _, doc = data.draw(st.sampled_from(FIXTURE_DOCS), label="fixture")
    else:
        doc = plan_of(data.draw(configurations(), label="configuration"))
    doc = mutate(doc, data, data.draw(st.integers(0, 4), label="rounds"))
    report = run_lint([write_plan(workdir, doc, "mutated.json")], workdir)
    assert finding_addresses(report) <= input_addresses(doc)
    assert all(f.rule_id == "VPCEP000" and f.span is not None for f in report.findings if f.address == "")


# -- HCL: a grammar, and junk --------------------------------------------------------------------------

EXPRESSIONS = st.sampled_from([
    '"198.19.128.0/17"', "8080", '"80-"', "null", "true", "var.cidr", "local.cidr", "local.loop",
    'cidrsubnet("198.19.0.0/16", 1, 1)', 'cidrsubnet(var.cidr, 8, 300)', 'format("%s/%d", "198.19.128.0", 17)',
    'element(["a", "b"], 5)', 'lookup({a = 1}, "b", null)', 'join(",", [1, 2])', '"${var.port}"', '"${local.a}-${count.index}"',
    'var.flag ? "0.0.0.0/0" : "10.0.0.0/8"', "[for c in var.cidrs : c if c != null]", "{for k, v in var.m : k => v}",
    'file("/etc/passwd")', "module.m.out", "data.huaweicloud_vpc.x.cidr", "huaweicloud_vpc.v1.id", "huaweicloud_vpc.v1[*].id",
    "huaweicloud_vpc.v1[0].cidr", 'huaweicloud_vpc.v1["a"].cidr', "each.value", "count.index", "-1", "1e400", '"\\u001b[31m"',
    "tonumber(\"x\")", "length(null)", "concat(var.cidrs, [1])", "merge(var.m, 1)", "try(var.nope, 1)", "var.cidrs[-1]",
    # values past a bound, or no value at all: each an input error at the expression, never a crash
    "1e999", 'tonumber("nan")', '"\\UFFFFFFFF"', '"\\U00110000"', '"\\uD800"', "9" * 4301, "-1e999 * 0",
    'join("", [for a in local.big : join("", [for b in local.big : a])])', 'split(",", join(",", local.big))',
    'format("%s%s%s%s", local.s, local.s, local.s, local.s)', 'replace(local.s, "a", local.s)', "[" * 200 + "]" * 200,
])
META = st.sampled_from(["", "  count = 2\n", "  count = var.n\n", '  for_each = toset(["a", "b"])\n', "  for_each = var.m\n",
                        "  count = -1\n", '  count = "x"\n', "  for_each = 5\n", "  provider = huaweicloud.peer\n",
                        "  count = 1e999\n", "  count = 10000000\n", "  count = 2.5\n", '  count = tonumber("nan")\n',
                        "  for_each = { for i, v in local.big : i => v }\n", "  count = length(local.big)\n"])


@st.composite
def hcl_snippets(draw: st.DrawFn) -> str:
    """The configuration grammar, with meta-arguments and expressions of every kind in its values."""
    config = draw(configurations())
    text = hcl_of(config)
    lines = text.split("\n")
    for _ in range(draw(st.integers(0, 6))):
        i = draw(st.integers(0, len(lines) - 1))
        if " = " in lines[i]:
            name = lines[i].split(" = ")[0]
            lines[i] = f"{name} = {draw(EXPRESSIONS)}"
        elif lines[i].startswith("resource "):
            lines[i] += "\n" + draw(META)
    extra = [
        'variable "cidr" {\n  default = "198.19.128.0/17"\n}\nvariable "cidrs" {\n  default = ["198.19.128.0/17", null]\n}\n',
        'variable "m" {\n  default = { a = "x" }\n}\nvariable "flag" {}\nvariable "n" {\n  default = 3\n}\n',
        'locals {\n  cidr = var.cidr\n  loop = local.loop\n  a = local.b\n  b = local.a\n}\n',
        'locals {\n  s = "aaaaaaaaaaaaaaaa"\n  big = [' + ", ".join(f'"{i}"' for i in range(120)) + ']\n}\n',
        'module "m" {\n  source = "./nowhere"\n}\n',
        'provider "huaweicloud" {\n  alias = "peer"\n  region = var.cidr\n}\n',
        'resource "huaweicloud_vpc_network_acl" "dyn" {\n  dynamic "ingress_rules" {\n    for_each = var.cidrs\n'
        '    content {\n      action = "deny"\n      source_ip_address = ingress_rules.value\n    }\n  }\n}\n',
    ]
    chosen = draw(st.lists(st.sampled_from(extra), max_size=len(extra), unique=True))
    return "\n".join(lines + chosen)


@st.composite
def junk(draw: st.DrawFn) -> str:
    """A snippet with random edits: characters inserted, lines cut, duplicated or swapped."""
    text = draw(hcl_snippets())
    for _ in range(draw(st.integers(1, 5))):
        i = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "cut", "duplicate"]))
        if edit == "insert":
            text = text[:i] + draw(st.text(alphabet='{}[]()"=$#/*\\\n\t <>-~%.,:?!\x00\x1b\u00e9\ufeff', max_size=4)) + text[i:]
        elif edit == "cut":
            text = text[:i] + text[i + draw(st.integers(1, 40)):]
        else:
            j = draw(st.integers(i, min(len(text), i + 80)))
            text = text[:j] + text[i:j] + text[j:]
    return text


def declared(text: str) -> set[str]:
    return {f"{t}.{n}" for t, n in re.findall(r'resource\s+"([^"]*)"\s+"([^"]*)"', text)}


def strip_keys(address: str) -> str:
    return re.sub(r'\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\]', "", address)


@FUZZ
@given(st.one_of(hcl_snippets(), junk()))
def test_hcl_snippets_never_crash_nor_invent_resources(workdir: Path, text: str) -> None:
    report = run_lint([write_hcl(workdir, text, "snippet")], workdir)
    assert {strip_keys(a) for a in finding_addresses(report)} <= declared(text)
    for f in report.findings:
        if f.rule_id == "VPCEP000":
            assert f.span is not None and f.span.file == "snippet/main.tf" and f.span.line >= 1


# -- CIDRs and ports -----------------------------------------------------------------------------------

CIDR_TEXT = st.one_of(
    st.sampled_from(["10.0.0.300/24", "198.19.128.0/33", "any", "", " ", "0.0.0.0/0/0", "198.19.128.0/", "/17", "::/129",
                     "198.19.128.0/17 ", "198.19.128.0/-1", "198.019.128.0/17", "1.2.3.4-1.2.3.1", "::1-1.2.3.4", "１９８.19.128.0/17"]),
    st.ip_addresses().map(str),
    st.builds(lambda a, n: f"{a}/{n}", st.ip_addresses(v=4), st.integers(-1, 40)),
    st.builds(lambda a, n: f"{a}/{n}", st.ip_addresses(v=6), st.integers(0, 140)),
    st.text(alphabet="0123456789./:-abcdefx ", max_size=24),
)
PORT_TEXT = st.one_of(
    st.sampled_from(["80-", "0", "70000", "-1", "8080-80", "1-65536", "", ",", "80,,443", "80:90", "1-", "08080", " 8080 "]),
    st.integers(-5, 70000).map(str),
    st.builds(lambda a, b: f"{a}-{b}", st.integers(-1, 70000), st.integers(-1, 70000)),
    st.text(alphabet="0123456789,-: x", max_size=16),
)


@FUZZ
@given(CIDR_TEXT, PORT_TEXT)
def test_address_and_port_parsing_rejects_cleanly(cidr: str, ports: str) -> None:
    for parse in (AddressSet.parse, lambda t: PortSet.parse(t), lambda t: PortSet.parse(t, colon=True)):
        for text in (cidr, ports):
            try:
                parse(text)
            except InvalidValue:
                pass


def valid_cidr(text: str) -> bool:
    if text == "":
        return True  # an empty string is unset (model.py): no remote address means any address
    try:
        AddressSet.parse(text)
        return True
    except InvalidValue:
        return False


def valid_ports(text: str) -> bool:
    try:
        PortSet.parse(text)
        return True
    except InvalidValue:
        return False


@FUZZ
@given(CIDR_TEXT, PORT_TEXT, st.data())
def test_an_invalid_cidr_or_port_never_adds_a_finding(workdir: Path, cidr: str, ports: str, data: st.DataObject) -> None:
    """A deny rule (security group, ACL) holding an invalid value: the findings are at most those
    of the same configuration without that rule, in either form."""
    assume(not (valid_cidr(cidr) and valid_ports(ports)))
    config = data.draw(configurations(extras=False), label="configuration")
    bad_rule = Res(RULE, "bad", {"security_group_id": Ref(f"{SG}.sg"), "direction": "ingress", "ethertype": "IPv4",
                                 "action": "deny", "priority": 1, "protocol": "tcp", "ports": ports, "remote_ip_prefix": cidr})
    bad_acl_rule = {"action": "deny", "protocol": "tcp", "ip_version": 4, "source_ip_address": cidr, "destination_port": ports}
    with_bad = copy.deepcopy(config) + [bad_rule]
    for r in with_bad:
        if r.type == ACL:
            r.blocks["ingress_rules"] = [bad_acl_rule] + r.blocks.get("ingress_rules", [])
    for form in [data.draw(st.sampled_from(["hcl", "plan", "plan"]), label="form")]:  # plans lint faster
        def findings(cfg: list[Res], form: str = form) -> set[tuple[str, str, str]]:
            target = write_hcl(workdir, hcl_of(cfg)) if form == "hcl" else write_plan(workdir, plan_of(cfg))
            report = run_lint([target], workdir)
            assert report.errors == [], [str(e) for e in report.errors]
            return {(f.rule_id, f.address, f.key) for f in report.findings}

        assert findings(with_bad) <= findings(config), form


# -- the CLI -----------------------------------------------------------------------------------------

@settings(FUZZ, max_examples=max(FUZZ.max_examples // 3, 1))  # each example also renders a report
@given(st.data())
def test_the_cli_exits_0_1_or_2_and_never_shows_a_traceback(workdir: Path, data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(["hcl", "junk", "plan"]), label="kind")
    if kind == "plan":
        _, doc = data.draw(st.sampled_from(FIXTURE_DOCS), label="fixture")
        target = write_plan(workdir, mutate(doc, data, data.draw(st.integers(0, 3))), "cli.json")
    else:
        target = write_hcl(workdir, data.draw(hcl_snippets() if kind == "hcl" else junk(), label="text"), "cli")
    fmt = data.draw(st.sampled_from(["text", "json", "sarif", "github"]), label="format")
    old = os.getcwd()
    os.chdir(workdir)
    try:
        result = CliRunner().invoke(main, [target.name, "-f", fmt, "--no-cache"])
    finally:
        os.chdir(old)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1, 2), result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    if result.exit_code == 2:
        assert result.stderr and all(line.startswith("vpcep-lint: error: ") for line in result.stderr.splitlines())


def test_the_plan_builder_matches_a_real_plan() -> None:
    """plan_of gives what `terraform show -json` gave for the same configuration (the example's
    security group rule): the fuzzed plan form is only as good as this likeness."""
    rule = Res(RULE, "api_from_vpc", {"security_group_id": Ref(f"{SG}.app"), "direction": "ingress", "ethertype": "IPv4",
                                      "protocol": "tcp", "ports": "8080", "remote_ip_prefix": "192.168.0.0/16"})
    built = plan_of([rule])
    real = json.loads((FIXTURES / "examples" / "broken-endpoint" / "plan.json").read_text())
    real_change = next(c for c in real["resource_changes"] if c["address"] == rule.address)
    real_config = next(c for c in real["configuration"]["root_module"]["resources"] if c["address"] == rule.address)
    change = built["resource_changes"][0]
    assert real_config["expressions"] == built["configuration"]["root_module"]["resources"][0]["expressions"]
    assert {k: v for k, v in real_change["change"]["after"].items() if v is not None} == change["change"]["after"]
    assert real_change["change"]["after_unknown"] == change["change"]["after_unknown"]
    service = next(c for c in real["configuration"]["root_module"]["resources"] if c["type"] == SERVICE)
    assert references(Ref("huaweicloud_compute_instance.orders_api", "network[0].port")) == service["expressions"]["port_id"]["references"]


# -- tfvars, configs, baselines and cache entries: the other inputs --------------------------------

SMALL = settings(FUZZ, max_examples=max(FUZZ.max_examples // 3, 1))
"""A tenth of the examples (100 in CI): each of these runs the whole CLI."""

TFVARS_VALUES = st.one_of(
    st.sampled_from(['"198.19.128.0/17"', "8080", "null", "[1, 2]", '{ a = "b" }', "1e999", "9" * 4301, '"\\UFFFFFFFF"',
                     '"\\uD800"', '"${var.x}"', "[" * 150 + "]" * 150, 'file("/etc/passwd")', "var.cidr", "-", '"\\u001b[31m"']),
    st.text(alphabet='{}[]"=\\$#/.,:-0123456789abcdeu', max_size=12),
)
JSON_VALUES = st.recursive(
    SCALARS | st.sampled_from([float("inf"), 10 ** 300, "\\ud800"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=12,
)


def run_cli(workdir: Path, *args: str) -> Any:
    old = os.getcwd()
    os.chdir(workdir)
    try:
        result = CliRunner().invoke(main, [*args])
    finally:
        os.chdir(old)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1, 2), result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    return result


@SMALL
@given(st.data())
def test_tfvars_of_any_shape_never_crash(workdir: Path, data: st.DataObject) -> None:
    d = write_hcl(workdir, 'variable "cidr" {}\nvariable "port" {}\nresource "huaweicloud_networking_secgroup_rule" "r" {\n'
                  '  direction = "ingress"\n  remote_ip_prefix = var.cidr\n  ports = var.port\n  count = var.port\n}\n', "tfvars")
    for name in ("terraform.tfvars", "terraform.tfvars.json", "x.auto.tfvars"):
        (d / name).unlink(missing_ok=True)
    if data.draw(st.booleans(), label="json"):
        doc = data.draw(st.dictionaries(st.sampled_from(["cidr", "port", "other"]), JSON_VALUES, max_size=3), label="values")
        text = json.dumps(doc) if data.draw(st.booleans()) else json.dumps(doc)[: data.draw(st.integers(0, 40))]
        (d / "terraform.tfvars.json").write_text(text, encoding="utf-8", errors="surrogatepass")
    else:
        lines = [f"{k} = {data.draw(TFVARS_VALUES, label=k)}" for k in data.draw(st.lists(st.sampled_from(["cidr", "port", "x"]), max_size=3))]
        (d / data.draw(st.sampled_from(["terraform.tfvars", "x.auto.tfvars"]))).write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = run_lint([d], workdir)
    for e in report.errors:
        assert e.source.startswith("tfvars/") and e.message
    run_cli(workdir, "tfvars", "--no-cache", "-f", data.draw(st.sampled_from(["text", "json", "sarif"])))


CONFIG_KEYS = st.sampled_from(["select", "ignore", "severity", "per-path-ignores", "fail-on", "exclude", "unknown", "tool"])
TOML_VALUES = st.sampled_from([
    '["VPCEP001"]', '"VPCEP001"', "1", "true", '{ VPCEP001 = "note" }', '{ "infra/*" = ["VPCEP002"] }', '"error"', "[1, 2]",
    '["VPCEP0"]', '["NOPE999"]', '{ VPCEP001 = "loud" }', "[" * 300 + "]" * 300, '"\\uD800"', '"' + "x" * 3000 + '"', "{",
])


@SMALL
@given(st.data())
def test_configs_of_any_shape_exit_0_1_or_2(workdir: Path, data: st.DataObject) -> None:
    write_hcl(workdir, hcl_of(data.draw(configurations(extras=False), label="configuration")), "cfg")
    lines = [f"{k} = {data.draw(TOML_VALUES, label=k)}" for k in data.draw(st.lists(CONFIG_KEYS, max_size=4, unique=True))]
    if data.draw(st.booleans(), label="deep tables"):
        lines.insert(0, "[" + ".".join(["t"] * data.draw(st.integers(1, 200))) + "]")
    text = "\n".join(lines) + "\n"
    raw = text.encode("utf-8", "surrogatepass")
    raw = data.draw(st.sampled_from([raw, b"\xef\xbb\xbf" + raw, text.encode("utf-16"), raw[: len(raw) // 2], b"\x00\xff"]), label="bytes")
    (workdir / "fuzz.toml").write_bytes(raw)
    result = run_cli(workdir, "cfg", "--no-cache", "--config", "fuzz.toml")
    if result.exit_code == 2:
        assert all(line.startswith("vpcep-lint: error: ") and len(line) < 500 for line in result.stderr.splitlines()), result.stderr


@pytest.fixture(scope="module")
def baseline_doc(workdir: Path) -> dict[str, Any]:
    d = write_hcl(workdir, (FIXTURES / "examples" / "broken-endpoint" / "main.tf").read_text(), "base")
    run_cli(workdir, str(d.name), "--no-cache", "--write-baseline", "written-baseline.json")
    return json.loads((workdir / "written-baseline.json").read_text())


@SMALL
@given(st.data())
def test_mutated_baselines_exit_0_1_or_2(workdir: Path, baseline_doc: dict[str, Any], data: st.DataObject) -> None:
    doc = mutate(baseline_doc, data, data.draw(st.integers(0, 4), label="rounds"))
    text = json.dumps(doc)
    raw = data.draw(st.sampled_from([text.encode(), b"\xef\xbb\xbf" + text.encode(), text.encode("utf-16"), text.encode()[:50]]))
    (workdir / "fuzz-baseline.json").write_bytes(raw)
    result = run_cli(workdir, "base", "--no-cache", "--baseline", "fuzz-baseline.json")
    if result.exit_code == 2:
        assert result.stderr.startswith("vpcep-lint: error: fuzz-baseline.json: ") and result.stderr.count("\n") == 1


@SMALL
@given(st.one_of(hcl_snippets(), junk()), st.data())
def test_cache_entries_round_trip_and_a_mutated_one_is_a_miss_or_a_valid_tree(workdir: Path, text: str,
                                                                              data: st.DataObject) -> None:
    """What the cache writes it reads back equal; what anyone else wrote (a structurally mutated
    entry, with a header that matches it) is a miss or a tree the loader lints without crashing."""
    import hashlib

    from vpcep_lint.loaders.cache import ParseCache, decode_entry, encode_entry
    from vpcep_lint.loaders.hcl_syntax import ParsedFile
    from vpcep_lint.loaders.sources import parse_source

    parsed = parse_source(text, "main.tf", "main.tf")
    if not isinstance(parsed, ParsedFile):
        return
    key = ParseCache.key(text, "main.tf")
    entry = encode_entry(parsed, key, text)
    assert entry is not None and decode_entry(entry, key, text, "main.tf") == parsed
    body = json.loads(entry.split(b"\n", 1)[1])
    body = mutate(body, data, data.draw(st.integers(1, 4), label="rounds"))
    raw = json.dumps(body).encode()
    forged = b"vpcep-lint-cache-3 " + key.encode() + b" " + hashlib.sha256(raw).hexdigest().encode() + b"\n" + raw
    tree = decode_entry(forged, key, text, "main.tf")
    if tree is None:
        return
    assert isinstance(tree, ParsedFile)
    d = write_hcl(workdir, text, "forged")
    cache = workdir / "forged-cache"
    cache.mkdir(mode=0o700, exist_ok=True)
    cache.chmod(0o700)
    (cache / f"p-{ParseCache.key(text, str(d / 'main.tf'))}.json").write_bytes(
        b"vpcep-lint-cache-3 " + ParseCache.key(text, str(d / "main.tf")).encode() + forged[len(b"vpcep-lint-cache-3 ") + 64:])
    report = lint([str(d)], Options(rules=RULES, cwd=str(workdir), use_cache=True, cache_dir=str(cache)))
    assert report.internal_errors == [], report.internal_errors
