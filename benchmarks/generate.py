#!/usr/bin/env python3
"""Write a synthetic, realistic Huawei Cloud estate of N stacks: HCL and the matching plan JSON.

    python benchmarks/generate.py N OUTDIR [--seed S] [--existing FRACTION] [--indent]
    python benchmarks/generate.py --refresh-template

OUTDIR/hcl/main.tf               terraform, provider, variable and locals blocks
OUTDIR/hcl/stacks-AAAAA-BBBBB.tf 50 stacks per file
OUTDIR/plan.json                 what `terraform show -json PLANFILE` prints for that directory
                                 (compact, one line, like Terraform), with a seeded share of
                                 the stacks already applied (actions no-op, prior_state)

A stack (number i, from 1) is about 11 resources:

    huaweicloud_vpc.sI, two huaweicloud_vpc_subnet (sI_app, sI_ep), huaweicloud_networking_secgroup.sI
    with 3 rules (ssh from the office, the service port from the VPC, the service port from the
    VPC endpoint range 198.19.128.0/17), huaweicloud_compute_instance.sI, huaweicloud_vpcep_service.sI
    and huaweicloud_vpcep_endpoint.sI;
    i % 3 == 0: huaweicloud_vpc_network_acl.sI on the app subnet
    i % 4 == 0: an ELB (huaweicloud_elb_loadbalancer, _ipgroup, _listener with a whitelist) is the
                backend of the endpoint service instead of the ECS
    i % 5 == 0: huaweicloud_vpc_peering_connection.sI to stack i-1's VPC, with a route each way

Deliberate mistakes (findings):
    i % 7 == 0                 the security group has no 198.19.128.0/17 rule        VPCEP001
    i % 3 == 0 and i % 11 == 0 the network ACL admits 198.19.0.0/17 instead           VPCEP002
    i % 4 == 0 and i % 13 == 0 the ELB IP group holds 198.19.0.0/17 instead           VPCEP003
    i % 5 == 0 and i % 7 == 0  the route back from the peer VPC is missing            VPCEP005

How the plan is made: `benchmarks/template/` holds the HCL of three template stacks (3, 4 and
5, which between them have every kind of resource above) and what the real fixture tool
(`tfplan`, see CONTRIBUTING.md: real Terraform with a stand-in provider) wrote for it:
plan.json (everything created) and plan-existing.json (after apply: literal IDs, no-op). This
script copies each resource's JSON from the template stack that has its role, renaming
addresses, names, CIDRs, ports and IDs (IDs are the tool's UUIDv5 of "<address>.<attribute
path>", recomputed for the new address). `--check` compares the result for a small N against a
real tfplan run of the same HCL.

Everything is deterministic: the per-stack choices (port, flavor, zone, team) come from
random.Random(f"{seed}:{i}"), so a smaller estate is a prefix of a larger one, and whether a
block of five stacks already exists from random.Random(f"{seed}:block:{b}").
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE_DIR = os.path.join(HERE, "template")
TFPLAN = os.environ.get("TFPLAN", "tfplan")  # the fixture tool (CONTRIBUTING.md): $TFPLAN, else on PATH

ENDPOINT_CIDR = "198.19.128.0/17"
WRONG_CIDR = "198.19.0.0/17"
OFFICE_CIDR = "172.31.0.0/16"
REGION = "cn-north-4"
IMAGE_ID = "a3f4b1c2-5d6e-4f70-8a9b-0c1d2e3f4a5b"
STACKS_PER_FILE = 50

# values the template is rendered with, replaced per stack in the JSON
T_PORT = 61001
T_FLAVOR = "s6.large.2"
T_ZONE = "cn-north-4a"
T_TEAM = "team-template"

PORTS = [443, 8080, 8443, 9000, 3306, 5432, 6379, 8000, 9443]
FLAVORS = ["s6.large.2", "s6.xlarge.2", "c7.large.2", "c7.xlarge.4", "m7.large.8"]
ZONES = ["cn-north-4a", "cn-north-4b", "cn-north-4c"]
TEAMS = ["payments", "orders", "search", "identity", "billing", "catalog", "shipping", "data"]

TEMPLATE_STACKS = (3, 4, 5)
DEFAULT_EXISTING = 0.2


# --------------------------------------------------------------------------------------------
# stacks


@dataclass
class Stack:
    i: int
    port: int
    flavor: str
    zone: str
    team: str

    @property
    def name(self) -> str:
        return f"s{self.i:05d}"

    @property
    def nacl(self) -> bool:
        return self.i % 3 == 0

    @property
    def elb(self) -> bool:
        return self.i % 4 == 0

    @property
    def peering(self) -> bool:
        return self.i % 5 == 0 and self.i > 1

    @property
    def sg_misses_endpoint_rule(self) -> bool:
        return self.i % 7 == 0

    @property
    def nacl_wrong(self) -> bool:
        return self.nacl and self.i % 11 == 0

    @property
    def ipgroup_wrong(self) -> bool:
        return self.elb and self.i % 13 == 0

    @property
    def route_back_missing(self) -> bool:
        return self.peering and self.i % 7 == 0


def octet(i: int) -> int:
    """Second octet of stack i's VPC (10.X.0.0/16): neighbours differ, so peerings never overlap."""
    return (i - 1) % 250 + 1


def stack(i: int, seed: int) -> Stack:
    rng = random.Random(f"{seed}:{i}")
    return Stack(i, rng.choice(PORTS), rng.choice(FLAVORS), rng.choice(ZONES), rng.choice(TEAMS))


def template_stack(i: int) -> Stack:
    return Stack(i, T_PORT, T_FLAVOR, T_ZONE, T_TEAM)


def exists(i: int, seed: int, fraction: float) -> bool:
    """Whether stack i is already applied; decided per block of 5 so a peering's two VPCs agree."""
    return random.Random(f"{seed}:block:{(i - 1) // 5}").random() < fraction


def roles(s: Stack) -> list[str]:
    out = ["vpc", "subnet_app", "subnet_ep", "sg", "rule_ssh", "rule_app"]
    if not s.sg_misses_endpoint_rule:
        out.append("rule_endpoint")
    out.append("ecs")
    if s.nacl:
        out.append("nacl")
    if s.elb:
        out += ["elb", "ipgroup", "listener", "service_lb"]
    else:
        out.append("service_vm")
    out.append("endpoint_lb" if s.elb else "endpoint")
    if s.peering:
        out += ["peering", "route_to_peer"]
        if not s.route_back_missing:
            out.append("route_from_peer")
    return out


# the template stack whose JSON each role is copied from
ROLE_SOURCE = {
    "nacl": 3,
    "elb": 4, "ipgroup": 4, "listener": 4, "service_lb": 4,
    "endpoint_lb": 4,  # its state's depends_on includes the service's dependencies
    "peering": 5, "route_to_peer": 5, "route_from_peer": 5,
}


def role_address(role: str, n: str) -> str:
    return {
        "vpc": f"huaweicloud_vpc.{n}",
        "subnet_app": f"huaweicloud_vpc_subnet.{n}_app",
        "subnet_ep": f"huaweicloud_vpc_subnet.{n}_ep",
        "sg": f"huaweicloud_networking_secgroup.{n}",
        "rule_ssh": f"huaweicloud_networking_secgroup_rule.{n}_ssh",
        "rule_app": f"huaweicloud_networking_secgroup_rule.{n}_app",
        "rule_endpoint": f"huaweicloud_networking_secgroup_rule.{n}_endpoint",
        "ecs": f"huaweicloud_compute_instance.{n}",
        "nacl": f"huaweicloud_vpc_network_acl.{n}",
        "elb": f"huaweicloud_elb_loadbalancer.{n}",
        "ipgroup": f"huaweicloud_elb_ipgroup.{n}",
        "listener": f"huaweicloud_elb_listener.{n}",
        "service_lb": f"huaweicloud_vpcep_service.{n}",
        "service_vm": f"huaweicloud_vpcep_service.{n}",
        "endpoint": f"huaweicloud_vpcep_endpoint.{n}",
        "endpoint_lb": f"huaweicloud_vpcep_endpoint.{n}",
        "peering": f"huaweicloud_vpc_peering_connection.{n}",
        "route_to_peer": f"huaweicloud_vpc_route.{n}_to_peer",
        "route_from_peer": f"huaweicloud_vpc_route.{n}_from_peer",
    }[role]


# --------------------------------------------------------------------------------------------
# HCL

HEADER = f'''# Synthetic estate for vpcep-lint benchmarks (benchmarks/generate.py). Do not edit.

terraform {{
  required_providers {{
    huaweicloud = {{ source = "huaweicloud/huaweicloud" }}
  }}
}}

provider "huaweicloud" {{
  region = "{REGION}"
}}

variable "image_id" {{
  description = "Image of the application servers"
  type        = string
  default     = "{IMAGE_ID}"
}}

locals {{
  office_cidr = "{OFFICE_CIDR}"
}}
'''


def render_stack(s: Stack) -> str:
    n, x, p = s.name, octet(s.i), s.port
    tags = f'''  tags = {{
    stack = "{n}"
    team  = "{s.team}"
  }}
'''
    features = ((", network ACL" if s.nacl else "") + (", ELB backend" if s.elb else ", ECS backend")
                + (", peered with the previous stack" if s.peering else ""))
    out = [f'''
# ---- stack {n}: {s.team}, port {p}{features}

resource "huaweicloud_vpc" "{n}" {{
  name = "vpc-{n}"
  cidr = "10.{x}.0.0/16"
{tags}}}

resource "huaweicloud_vpc_subnet" "{n}_app" {{
  name       = "subnet-{n}-app"
  cidr       = "10.{x}.1.0/24"
  gateway_ip = "10.{x}.1.1"
  vpc_id     = huaweicloud_vpc.{n}.id
}}

resource "huaweicloud_vpc_subnet" "{n}_ep" {{
  name       = "subnet-{n}-ep"
  cidr       = "10.{x}.2.0/24"
  gateway_ip = "10.{x}.2.1"
  vpc_id     = huaweicloud_vpc.{n}.id
}}

resource "huaweicloud_networking_secgroup" "{n}" {{
  name                 = "sg-{n}-app"
  description          = "Application servers of {n}"
  delete_default_rules = true
{tags}}}

resource "huaweicloud_networking_secgroup_rule" "{n}_ssh" {{
  security_group_id = huaweicloud_networking_secgroup.{n}.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  ports             = "22"
  remote_ip_prefix  = local.office_cidr
  description       = "ssh from the office"
}}

resource "huaweicloud_networking_secgroup_rule" "{n}_app" {{
  security_group_id = huaweicloud_networking_secgroup.{n}.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  ports             = "{p}"
  remote_ip_prefix  = "10.{x}.0.0/16"
}}
''']
    if not s.sg_misses_endpoint_rule:
        out.append(f'''
resource "huaweicloud_networking_secgroup_rule" "{n}_endpoint" {{
  security_group_id = huaweicloud_networking_secgroup.{n}.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  ports             = "{p}"
  remote_ip_prefix  = "{ENDPOINT_CIDR}"
  description       = "VPC endpoint traffic"
}}
''')
    out.append(f'''
resource "huaweicloud_compute_instance" "{n}" {{
  name               = "ecs-{n}"
  image_id           = var.image_id
  flavor_id          = "{s.flavor}"
  availability_zone  = "{s.zone}"
  security_group_ids = [huaweicloud_networking_secgroup.{n}.id]

  network {{
    uuid = huaweicloud_vpc_subnet.{n}_app.id
  }}

{tags}}}
''')
    if s.nacl:
        allowed = WRONG_CIDR if s.nacl_wrong else ENDPOINT_CIDR
        out.append(f'''
resource "huaweicloud_vpc_network_acl" "{n}" {{
  name = "acl-{n}-app"

  ingress_rules {{
    name              = "ssh-from-office"
    action            = "allow"
    protocol          = "tcp"
    ip_version        = 4
    source_ip_address = "{OFFICE_CIDR}"
    destination_port  = "22"
  }}

  ingress_rules {{
    name              = "app-from-vpc"
    action            = "allow"
    protocol          = "tcp"
    ip_version        = 4
    source_ip_address = "10.{x}.0.0/16"
    destination_port  = "{p}"
  }}

  ingress_rules {{
    name              = "app-from-endpoints"
    action            = "allow"
    protocol          = "tcp"
    ip_version        = 4
    source_ip_address = "{allowed}"
    destination_port  = "{p}"
  }}

  associated_subnets {{
    subnet_id = huaweicloud_vpc_subnet.{n}_app.id
  }}
}}
''')
    if s.elb:
        allowed = WRONG_CIDR if s.ipgroup_wrong else ENDPOINT_CIDR
        out.append(f'''
resource "huaweicloud_elb_loadbalancer" "{n}" {{
  name              = "elb-{n}"
  vpc_id            = huaweicloud_vpc.{n}.id
  ipv4_subnet_id    = huaweicloud_vpc_subnet.{n}_app.ipv4_subnet_id
  availability_zone = ["{s.zone}"]
}}

resource "huaweicloud_elb_ipgroup" "{n}" {{
  name = "ipg-{n}"

  ip_list {{
    ip          = "{OFFICE_CIDR}"
    description = "office"
  }}

  ip_list {{
    ip          = "{allowed}"
    description = "VPC endpoints"
  }}
}}

resource "huaweicloud_elb_listener" "{n}" {{
  name            = "listener-{n}"
  loadbalancer_id = huaweicloud_elb_loadbalancer.{n}.id
  protocol        = "TCP"
  protocol_port   = {p}
  access_policy   = "white"
  ip_group        = huaweicloud_elb_ipgroup.{n}.id
}}

resource "huaweicloud_vpcep_service" "{n}" {{
  name        = "svc-{n}"
  vpc_id      = huaweicloud_vpc.{n}.id
  server_type = "LB"
  port_id     = huaweicloud_elb_loadbalancer.{n}.ipv4_port_id

  port_mapping {{
    service_port  = {p}
    terminal_port = {p}
  }}
}}
''')
    else:
        out.append(f'''
resource "huaweicloud_vpcep_service" "{n}" {{
  name        = "svc-{n}"
  vpc_id      = huaweicloud_vpc.{n}.id
  server_type = "VM"
  port_id     = huaweicloud_compute_instance.{n}.network[0].port

  port_mapping {{
    service_port  = {p}
    terminal_port = {p}
  }}
}}
''')
    out.append(f'''
resource "huaweicloud_vpcep_endpoint" "{n}" {{
  service_id = huaweicloud_vpcep_service.{n}.id
  vpc_id     = huaweicloud_vpc.{n}.id
  network_id = huaweicloud_vpc_subnet.{n}_ep.id
}}
''')
    if s.peering:
        m, y = f"s{s.i - 1:05d}", octet(s.i - 1)
        out.append(f'''
resource "huaweicloud_vpc_peering_connection" "{n}" {{
  name        = "peering-{n}-{m}"
  vpc_id      = huaweicloud_vpc.{n}.id
  peer_vpc_id = huaweicloud_vpc.{m}.id
}}

resource "huaweicloud_vpc_route" "{n}_to_peer" {{
  vpc_id      = huaweicloud_vpc.{n}.id
  destination = "10.{y}.0.0/16"
  type        = "peering"
  nexthop     = huaweicloud_vpc_peering_connection.{n}.id
}}
''')
        if not s.route_back_missing:
            out.append(f'''
resource "huaweicloud_vpc_route" "{n}_from_peer" {{
  vpc_id      = huaweicloud_vpc.{m}.id
  destination = "10.{x}.0.0/16"
  type        = "peering"
  nexthop     = huaweicloud_vpc_peering_connection.{n}.id
}}
''')
    return "".join(out)


def write_hcl(stacks: list[Stack], directory: str) -> None:
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "main.tf"), "w") as fh:
        fh.write(HEADER)
    for start in range(0, len(stacks), STACKS_PER_FILE):
        chunk = stacks[start:start + STACKS_PER_FILE]
        name = f"stacks-{chunk[0].i:05d}-{chunk[-1].i:05d}.tf"
        with open(os.path.join(directory, name), "w") as fh:
            fh.write(f"# Stacks {chunk[0].i} to {chunk[-1].i}.\n")
            for s in chunk:
                fh.write(render_stack(s))


# --------------------------------------------------------------------------------------------
# the template and its plans


def refresh_template() -> None:
    """Render the template stacks and run the real fixture tool on them (about 15 s)."""
    hcl = os.path.join(TEMPLATE_DIR, "hcl")
    shutil.rmtree(hcl, ignore_errors=True)
    write_hcl_template(hcl)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([TFPLAN, hcl, tmp], check=True)
        for name in ("plan.json", "plan-existing.json"):
            shutil.copy(os.path.join(tmp, name), os.path.join(TEMPLATE_DIR, name))


def write_hcl_template(directory: str) -> None:
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "main.tf"), "w") as fh:
        fh.write(HEADER)
        for i in TEMPLATE_STACKS:
            fh.write(render_stack(template_stack(i)))


UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _owned_ids(address: str, value, path: str, out: dict[str, tuple[str, str]]) -> None:
    """UUIDs in a resource's values that the tool derived from this resource's own address."""
    if isinstance(value, dict):
        for k, v in value.items():
            _owned_ids(address, v, f"{path}.{k}" if path else k, out)
    elif isinstance(value, list):
        for n, v in enumerate(value):
            _owned_ids(address, v, f"{path}[{n}]", out)
    elif isinstance(value, str) and UUID_RE.match(value):
        if str(uuid.uuid5(uuid.NAMESPACE_URL, f"{address}.{path}")) == value:
            out[value] = (address, path)


def _dump(obj) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


class Template:
    """Per role: the JSON fragments of its template resource, as compact text."""

    def __init__(self, directory: str = TEMPLATE_DIR) -> None:
        with open(os.path.join(directory, "plan.json")) as fh:
            create = json.load(fh)
        with open(os.path.join(directory, "plan-existing.json")) as fh:
            existing = json.load(fh)
        self.create_doc, self.existing_doc = create, existing

        def by_addr(items: list[dict]) -> dict[str, dict]:
            return {r["address"]: r for r in items}

        c_pv = by_addr(create["planned_values"]["root_module"]["resources"])
        c_rc = by_addr(create["resource_changes"])
        e_pv = by_addr(existing["planned_values"]["root_module"]["resources"])
        e_rc = by_addr(existing["resource_changes"])
        e_ps = by_addr(existing["prior_state"]["values"]["root_module"]["resources"])
        conf = by_addr(create["configuration"]["root_module"]["resources"])
        self.ids: dict[str, tuple[str, str]] = {}
        for addr, res in e_ps.items():
            _owned_ids(addr, res["values"], "", self.ids)
        self.fragments: dict[str, dict] = {}
        for role in ("vpc", "subnet_app", "subnet_ep", "sg", "rule_ssh", "rule_app", "rule_endpoint",
                     "ecs", "nacl", "elb", "ipgroup", "listener", "service_lb", "service_vm",
                     "endpoint", "endpoint_lb", "peering", "route_to_peer", "route_from_peer"):
            t = ROLE_SOURCE.get(role, 3)
            addr = role_address(role, f"s{t:05d}")
            self.fragments[role] = {
                "source": t,
                "pv": _dump(c_pv[addr]), "rc": _dump(c_rc[addr]),
                "pv_e": _dump(e_pv[addr]), "rc_e": _dump(e_rc[addr]), "ps": _dump(e_ps[addr]),
                "conf": _dump(conf[addr]),
            }
        self.relevant: dict[str, list] = {}
        for ra in create.get("relevant_attributes", []):
            self.relevant.setdefault(ra["resource"], []).append(ra["attribute"])
        self.variables = create.get("variables")


SUB_RE = re.compile(
    r"(?P<uuid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
    r"|(?P<stack>s\d{5})"
    r"|(?<![\d.])10\.(?P<octet>\d{1,3})\."
    r"|(?<![\d.])(?P<port>" + str(T_PORT) + r")(?!\d)"
)
REF_RE = re.compile(r'"references":\[((?:"[^"]*",?)*)\]')


class Replicator:
    def __init__(self, template: Template) -> None:
        self.t = template

    def substituter(self, src: int, s: Stack):
        names = {f"s{src:05d}": s.name, f"s{src - 1:05d}": f"s{s.i - 1:05d}"}
        octets = {str(octet(src)): str(octet(s.i)), str(octet(src - 1)): str(octet(s.i - 1))}
        port = str(s.port)
        ids = self.t.ids

        def rename(text: str) -> str:
            return SUB_RE.sub(lambda m: names.get(m.group(0), m.group(0)), text)

        def repl(m: re.Match) -> str:
            kind = m.lastgroup
            v = m.group(0)
            if kind == "uuid":
                owner = ids.get(v)
                if owner is None:
                    return v  # not an ID the tool made (the image ID, for one)
                return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{rename(owner[0])}.{owner[1]}"))
            if kind == "stack":
                return names.get(v, v)
            if kind == "octet":
                return f"10.{octets.get(m.group('octet'), m.group('octet'))}."
            return port

        literal = [(f'"{T_FLAVOR}"', f'"{s.flavor}"'), (f'"{T_ZONE}"', f'"{s.zone}"'),
                   (f'"{T_TEAM}"', f'"{s.team}"')]

        def sub(text: str, wrong: bool) -> str:
            text = SUB_RE.sub(repl, text)
            for a, b in literal:
                text = text.replace(a, b)  # the text itself when `a` is not in it
            if wrong:
                text = text.replace(f'"{ENDPOINT_CIDR}"', f'"{WRONG_CIDR}"')
            return text

        return sub

    def stack_fragments(self, s: Stack, existing: bool):
        """(address, planned_values, resource_changes, prior_state | None, configuration, relevant)."""
        out = []
        subs: dict = {}
        for role in roles(s):
            frag = self.t.fragments[role]
            src = frag["source"]
            sub = subs.get(src) or subs.setdefault(src, self.substituter(src, s))
            wrong = (role == "nacl" and s.nacl_wrong) or (role == "ipgroup" and s.ipgroup_wrong)
            addr = role_address(role, s.name)
            conf = sub(frag["conf"], wrong)
            if existing:
                out.append((addr, sub(frag["pv_e"], wrong), sub(frag["rc_e"], wrong),
                            sub(frag["ps"], wrong), conf))
            else:
                out.append((addr, sub(frag["pv"], wrong), sub(frag["rc"], wrong), None, conf))
        return out


def relevant_attributes(conf_texts: list[str]) -> list[dict]:
    """What Terraform lists for a plan that creates these resources: each attribute referenced."""
    seen = set()
    for text in conf_texts:
        for m in REF_RE.finditer(text):
            refs = json.loads("[" + m.group(1) + "]")
            for ref in refs:
                if any(o != ref and o.startswith(ref) for o in refs):
                    continue  # Terraform lists "a.network[0].port", "a.network", "a": the longest counts
                parts = ref.split(".", 2)
                if len(parts) < 3 or not parts[0].startswith("huaweicloud_"):
                    continue
                seen.add((f"{parts[0]}.{parts[1]}", parts[2]))
    out = []
    for res, path in sorted(seen):
        attr: list = []
        for piece in re.findall(r"[^.\[\]]+|\[\d+\]", path):
            attr.append(int(piece[1:-1]) if piece.startswith("[") else piece)
        out.append({"resource": res, "attribute": attr})
    out.sort(key=lambda r: (r["resource"], json.dumps(r["attribute"])))
    return out


def build_plan(n: int, seed: int, fraction: float, template: Template | None = None) -> str:
    template = template or Template()
    rep = Replicator(template)
    rows = []
    for i in range(1, n + 1):
        rows.extend(rep.stack_fragments(stack(i, seed), exists(i, seed, fraction)))
    rows.sort(key=lambda r: r[0])
    doc = template.create_doc
    provider_config = _dump(doc["configuration"]["provider_config"])
    root_conf = dict(doc["configuration"]["root_module"])
    root_conf.pop("resources", None)
    extra_conf = _dump(root_conf)[1:-1]
    new_conf = [r[4] for r in rows if r[3] is None]
    prior = [r[3] for r in rows if r[3] is not None]
    parts = ['{"format_version":', _dump(doc["format_version"]),
             ',"terraform_version":', _dump(doc["terraform_version"])]
    if template.variables is not None:
        parts += [',"variables":', _dump(template.variables)]
    parts += [',"planned_values":{"root_module":{"resources":[', ",".join(r[1] for r in rows), "]}}",
              ',"resource_changes":[', ",".join(r[2] for r in rows), "]"]
    if prior:
        ps = template.existing_doc["prior_state"]
        parts += [',"prior_state":{"format_version":', _dump(ps["format_version"]),
                  ',"terraform_version":', _dump(ps["terraform_version"]),
                  ',"values":{"root_module":{"resources":[', ",".join(prior), "]}}}"]
    parts += [',"configuration":{"provider_config":', provider_config,
              ',"root_module":{', extra_conf + ("," if extra_conf else ""),
              '"resources":[', ",".join(r[4] for r in rows), "]}}"]
    if new_conf:
        parts += [',"relevant_attributes":', _dump(relevant_attributes(new_conf))]
    parts += [',"timestamp":', _dump(doc["timestamp"]),
              ',"applyable":', "true" if new_conf else "false", ',"complete":true,"errored":false}\n']
    return "".join(parts)


def cache_key(seed: int, fraction: float, indent: bool = False, lean: bool = False) -> str:
    """Changes when this script, the template or the parameters change (run.py reuses estates)."""
    import hashlib

    digest = hashlib.sha256(f"{seed}:{fraction}:{indent}".encode() + (b":lean" if lean else b""))
    for path in (__file__, os.path.join(TEMPLATE_DIR, "plan.json"), os.path.join(TEMPLATE_DIR, "plan-existing.json")):
        with open(path, "rb") as fh:
            digest.update(fh.read())
    return digest.hexdigest()[:16]


def lean_plan(text: str) -> str:
    """The issue-16 kind of estate: the plan as lighter generators write it (1.6 KB a resource
    instead of 2.4): what Terraform writes as null, false or empty is left out of the values,
    the unknown and sensitive markers and the configuration's expressions. Same resources, same
    findings; a smaller share of the run is JSON decoding."""
    doc = json.loads(text)

    def lean(v: object) -> object:
        if isinstance(v, dict):
            out = {k: lean(x) for k, x in v.items()}
            return {k: x for k, x in out.items() if x is not None and x is not False and x != {} and x != []}
        if isinstance(v, list):
            return [lean(x) for x in v]
        return v

    for rc in doc["resource_changes"]:
        change = rc["change"]
        for key in ("after", "after_unknown", "after_sensitive", "before_sensitive"):
            if isinstance(change.get(key), dict):
                change[key] = lean(change[key])
    for res in doc.get("planned_values", {}).get("root_module", {}).get("resources", []):
        res["values"] = lean(res.get("values") or {})
        res.pop("sensitive_values", None)
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


def generate(n: int, outdir: str, seed: int = 1, fraction: float = DEFAULT_EXISTING, indent: bool = False,
             lean: bool = False) -> dict:
    if not os.path.exists(os.path.join(TEMPLATE_DIR, "plan-existing.json")):
        refresh_template()
    stacks = [stack(i, seed) for i in range(1, n + 1)]
    hcl = os.path.join(outdir, "hcl")
    shutil.rmtree(hcl, ignore_errors=True)
    write_hcl(stacks, hcl)
    text = build_plan(n, seed, fraction)
    if lean:
        text = lean_plan(text)
    if indent:
        text = json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    plan = os.path.join(outdir, "plan.json")
    with open(plan + ".tmp", "w") as fh:
        fh.write(text)
    os.replace(plan + ".tmp", plan)
    doc = json.loads(text)
    rcs = doc["resource_changes"]
    info = {
        "key": cache_key(seed, fraction, indent, lean),
        "stacks": n, "seed": seed, "existing_fraction": fraction, "lean": lean,
        "resources": len(rcs),
        "existing_resources": sum(1 for r in rcs if r["change"]["actions"] == ["no-op"]),
        "plan_bytes": os.path.getsize(plan),
        "hcl_files": len(os.listdir(hcl)),
        "hcl_bytes": sum(os.path.getsize(os.path.join(hcl, f)) for f in os.listdir(hcl)),
    }
    with open(os.path.join(outdir, "info.json"), "w") as fh:
        json.dump(info, fh, indent=2)
        fh.write("\n")
    return info


# --------------------------------------------------------------------------------------------
# self-check against a real run of the fixture tool


def _normalise(doc: dict) -> dict:
    doc = json.loads(json.dumps(doc))
    for key in ("planned_values", "prior_state"):
        if key in doc:
            root = doc[key].get("values", doc[key])["root_module"] if key == "prior_state" else doc[key]["root_module"]
            root["resources"].sort(key=lambda r: r["address"])
    doc["resource_changes"].sort(key=lambda r: r["address"])
    doc["configuration"]["root_module"]["resources"].sort(key=lambda r: r["address"])
    return doc


def check(n: int, seed: int) -> int:
    """Generate n stacks all-new and all-existing and compare with the fixture tool's output."""
    template = Template()
    with tempfile.TemporaryDirectory() as tmp:
        write_hcl([stack(i, seed) for i in range(1, n + 1)], os.path.join(tmp, "hcl"))
        subprocess.run([TFPLAN, os.path.join(tmp, "hcl"), os.path.join(tmp, "real")], check=True,
                       stdout=subprocess.DEVNULL)
        bad = 0
        for fraction, real_name in ((0.0, "plan.json"), (1.0, "plan-existing.json")):
            mine = json.loads(build_plan(n, seed, fraction, template))
            with open(os.path.join(tmp, "real", real_name)) as fh:
                real = json.load(fh)
            a, b = _normalise(mine), _normalise(real)
            addresses = [[r["address"] for r in doc["resource_changes"]] for doc in (mine, real)]
            order_ok = addresses[0] == addresses[1]
            if a == b and order_ok:
                print(f"check: {real_name}: identical to the fixture tool's output "
                      f"({len(real['resource_changes'])} resources)")
                continue
            bad += 1
            print(f"check: {real_name}: DIFFERS (order of resource_changes same: {order_ok})")
            for key in sorted(set(a) | set(b)):
                if a.get(key) != b.get(key):
                    print(f"  top-level key {key!r} differs")
            ra = {r["address"]: r for r in a["resource_changes"]}
            rb = {r["address"]: r for r in b["resource_changes"]}
            print("  only generated:", sorted(set(ra) - set(rb))[:10])
            print("  only real:", sorted(set(rb) - set(ra))[:10])
            for addr in sorted(set(ra) & set(rb)):
                if ra[addr] != rb[addr]:
                    print("  first differing resource:", addr)
                    print("   generated:", _dump(ra[addr])[:1500])
                    print("   real:     ", _dump(rb[addr])[:1500])
                    break
        return bad


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, nargs="?", help="number of stacks")
    ap.add_argument("outdir", nargs="?")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--existing", type=float, default=None,
                    help=f"share of stacks (in blocks of 5) already applied (default {DEFAULT_EXISTING}, "
                         "0 with --lean)")
    ap.add_argument("--indent", action="store_true", help="indent the plan by 2 (Terraform prints it compact)")
    ap.add_argument("--lean", action="store_true",
                    help="the issue-16 kind of estate: nulls and empty markers left out, all created "
                         "(--existing 0 unless given), as run.py --lean measures it")
    ap.add_argument("--refresh-template", action="store_true",
                    help="re-render benchmarks/template and re-run the fixture tool on it")
    ap.add_argument("--check", type=int, metavar="N",
                    help="compare the generated plan of N stacks with a real fixture-tool run")
    args = ap.parse_args(argv)
    if args.existing is None:
        args.existing = 0.0 if args.lean else DEFAULT_EXISTING
    if args.refresh_template:
        refresh_template()
    if args.check:
        return 1 if check(args.check, args.seed) else 0
    if args.n is None or args.outdir is None:
        if args.refresh_template:
            return 0
        ap.error("N and OUTDIR are required")
    info = generate(args.n, args.outdir, args.seed, args.existing, args.indent, args.lean)
    print(json.dumps(info))
    return 0


if __name__ == "__main__":
    sys.exit(main())
