#!/usr/bin/env python3
"""Write a synthetic repository of N Terraform roots that call a few shared local modules.

    python benchmarks/generate_repo.py N OUTDIR [--seed S]
    python benchmarks/generate_repo.py --check N [--seed S]

The layout is the one platform teams have (and `vpcep-lint .` finds the roots in):

    OUTDIR/.git/                       a git work tree marker (the boundary is its top)
    OUTDIR/modules/network/            VPC, app and endpoint subnets, an optional network ACL
    OUTDIR/modules/svc/                security group + rules, ECS, endpoint service (server_type VM)
    OUTDIR/modules/elb/                dedicated ELB, IP group, whitelisted listener, endpoint service (LB)
    OUTDIR/modules/lab/                a module nobody calls (linted on its own)
    OUTDIR/infra/<env>-<iii>/          one root per i in 1..N: main.tf, variables.tf, outputs.tf,
                                       terraform.tfvars (the values the modules are called with)

Root i (from 1) calls `../../modules/network`, and `../../modules/svc` (ECS backend) or, every 4th
root, `../../modules/elb` (ELB backend); the VPC endpoint itself is a resource of the root. Every
3rd root turns the network ACL of its app subnet on. Every 5th root also calls the network module a
second time (`module "hub"`) and peers the two VPCs in its own main.tf, with a route each way.

Deliberate mistakes (each gives one finding):

    in module files, through the values a root passes (terraform.tfvars):
      svc root,  i % 7 == 0          endpoint_cidr = 198.19.128.0/18 (half the range)  VPCEP001 modules/svc/main.tf
      ACL root,  i % 11 == 0         acl_source_cidr = 198.19.0.0/17                    VPCEP002 modules/network/main.tf
      ELB root,  i % 13 == 0         whitelist_cidr = 198.19.0.0/17                     VPCEP003 modules/elb/main.tf
    in root files:
      peered root, i % 35 == 0       no route back from the hub VPC                     VPCEP005 infra/.../main.tf
      i % 17 == 0                    the endpoint is created in another region          VPCEP006 infra/.../main.tf

Per-root choices (environment, port, flavor, zone, team) come from random.Random(f"{seed}:{i}"), so
the output is deterministic for a seed and a smaller repository is a prefix of a larger one.
`OUTDIR/expected.json` lists the findings the mistakes should give (rule, file, root); `--check N`
generates a repository in a temporary directory, lints it and compares (the findings, the
roots, and that nothing is left not checked).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass

ENDPOINT_CIDR = "198.19.128.0/17"
HALF_ENDPOINT_CIDR = "198.19.128.0/18"
WRONG_CIDR = "198.19.0.0/17"
OFFICE_CIDR = "172.31.0.0/16"
REGION = "cn-north-4"
OTHER_REGION = "cn-south-1"
IMAGE_ID = "a3f4b1c2-5d6e-4f70-8a9b-0c1d2e3f4a5b"

ENVS = ["prod", "staging", "dev", "qa", "perf"]
PORTS = [443, 8080, 8443, 9000, 3306, 5432, 6379, 8000, 9443]
FLAVORS = ["s6.large.2", "s6.xlarge.2", "c7.large.2", "c7.xlarge.4", "m7.large.8"]
ZONES = ["cn-north-4a", "cn-north-4b", "cn-north-4c"]
TEAMS = ["payments", "orders", "search", "identity", "billing", "catalog", "shipping", "data"]


@dataclass
class Root:
    i: int
    env: str
    port: int
    flavor: str
    zone: str
    team: str

    @property
    def name(self) -> str:
        return f"{self.env}-{self.i:03d}"

    @property
    def path(self) -> str:
        return f"infra/{self.name}"

    @property
    def elb(self) -> bool:
        return self.i % 4 == 0

    @property
    def acl(self) -> bool:
        return self.i % 3 == 0

    @property
    def peered(self) -> bool:
        return self.i % 5 == 0

    @property
    def svc_cidr_narrow(self) -> bool:
        return not self.elb and self.i % 7 == 0

    @property
    def acl_wrong(self) -> bool:
        return self.acl and self.i % 11 == 0

    @property
    def whitelist_wrong(self) -> bool:
        return self.elb and self.i % 13 == 0

    @property
    def route_back_missing(self) -> bool:
        return self.peered and self.i % 35 == 0

    @property
    def endpoint_elsewhere(self) -> bool:
        return self.i % 17 == 0

    @property
    def cidr(self) -> str:
        return f"10.{(self.i - 1) % 250 + 1}.0.0/16"

    @property
    def hub_cidr(self) -> str:
        return f"172.{16 + (self.i - 1) % 15}.0.0/16"


def root(i: int, seed: int) -> Root:
    rng = random.Random(f"{seed}:{i}")
    return Root(i, rng.choice(ENVS), rng.choice(PORTS), rng.choice(FLAVORS), rng.choice(ZONES), rng.choice(TEAMS))


def expected(r: Root) -> list[tuple[str, str]]:
    """(rule, file) of each finding root r should give."""
    out = []
    if r.svc_cidr_narrow:
        out.append(("VPCEP001", "modules/svc/main.tf"))
    if r.acl_wrong:
        out.append(("VPCEP002", "modules/network/main.tf"))
    if r.whitelist_wrong:
        out.append(("VPCEP003", "modules/elb/main.tf"))
    if r.route_back_missing:
        out.append(("VPCEP005", f"{r.path}/main.tf"))
    if r.endpoint_elsewhere:
        out.append(("VPCEP006", f"{r.path}/main.tf"))
    return out


# --------------------------------------------------------------------------------------------
# the shared modules

PROVIDERS = '''terraform {
  required_providers {
    huaweicloud = {
      source  = "huaweicloud/huaweicloud"
      version = ">= 1.60"
    }
  }
}
'''

NETWORK_VARIABLES = '''variable "name" {
  type        = string
  description = "Prefix of every resource name."
}

variable "cidr" {
  type        = string
  description = "The VPC's CIDR block; the subnets are /24s of it."
}

variable "acl_enabled" {
  type        = bool
  default     = false
  description = "Put a network ACL on the app subnet."
}

variable "service_port" {
  type    = number
  default = 443
}

variable "acl_source_cidr" {
  type        = string
  default     = "198.19.128.0/17"
  description = "Where the ACL lets service traffic in from: VPC endpoints come from 198.19.128.0/17."
}

variable "office_cidr" {
  type    = string
  default = "172.31.0.0/16"
}

variable "tags" {
  type    = map(string)
  default = {}
}
'''

NETWORK_MAIN = '''# The network of one service: a VPC, a subnet for the backends, one for VPC endpoints, and on
# request a network ACL on the backends' subnet.

resource "huaweicloud_vpc" "this" {
  name = "vpc-${var.name}"
  cidr = var.cidr
  tags = var.tags
}

resource "huaweicloud_vpc_subnet" "app" {
  name       = "subnet-${var.name}-app"
  cidr       = cidrsubnet(var.cidr, 8, 1)
  gateway_ip = cidrhost(cidrsubnet(var.cidr, 8, 1), 1)
  vpc_id     = huaweicloud_vpc.this.id
}

resource "huaweicloud_vpc_subnet" "endpoints" {
  name       = "subnet-${var.name}-ep"
  cidr       = cidrsubnet(var.cidr, 8, 2)
  gateway_ip = cidrhost(cidrsubnet(var.cidr, 8, 2), 1)
  vpc_id     = huaweicloud_vpc.this.id
}

resource "huaweicloud_vpc_network_acl" "app" {
  count = var.acl_enabled ? 1 : 0
  name  = "acl-${var.name}-app"

  ingress_rules {
    name              = "ssh-from-office"
    action            = "allow"
    protocol          = "tcp"
    ip_version        = 4
    source_ip_address = var.office_cidr
    destination_port  = "22"
  }

  ingress_rules {
    name              = "app-from-vpc"
    action            = "allow"
    protocol          = "tcp"
    ip_version        = 4
    source_ip_address = var.cidr
    destination_port  = tostring(var.service_port)
  }

  ingress_rules {
    name              = "app-from-endpoints"
    action            = "allow"
    protocol          = "tcp"
    ip_version        = 4
    source_ip_address = var.acl_source_cidr
    destination_port  = tostring(var.service_port)
  }

  associated_subnets {
    subnet_id = huaweicloud_vpc_subnet.app.id
  }
}
'''

NETWORK_OUTPUTS = '''output "vpc_id" {
  value = huaweicloud_vpc.this.id
}

output "cidr" {
  value = huaweicloud_vpc.this.cidr
}

output "app_subnet_id" {
  value = huaweicloud_vpc_subnet.app.id
}

output "app_ipv4_subnet_id" {
  value = huaweicloud_vpc_subnet.app.ipv4_subnet_id
}

output "endpoint_subnet_id" {
  value = huaweicloud_vpc_subnet.endpoints.id
}
'''

SVC_VARIABLES = '''variable "name" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "vpc_cidr" {
  type = string
}

variable "subnet_id" {
  type = string
}

variable "service_port" {
  type = number
}

variable "endpoint_cidr" {
  type        = string
  default     = "198.19.128.0/17"
  description = "Where endpoint traffic comes from: 198.19.128.0/17 on Huawei Cloud."
}

variable "office_cidr" {
  type    = string
  default = "172.31.0.0/16"
}

variable "image_id" {
  type = string
}

variable "flavor_id" {
  type    = string
  default = "s6.large.2"
}

variable "availability_zone" {
  type = string
}

variable "tags" {
  type    = map(string)
  default = {}
}
'''

SVC_MAIN = '''# A service on an ECS, published through a VPC endpoint service.

resource "huaweicloud_networking_secgroup" "app" {
  name                 = "sg-${var.name}-app"
  description          = "Application servers of ${var.name}"
  delete_default_rules = true
  tags                 = var.tags
}

resource "huaweicloud_networking_secgroup_rule" "ssh" {
  security_group_id = huaweicloud_networking_secgroup.app.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  ports             = "22"
  remote_ip_prefix  = var.office_cidr
  description       = "ssh from the office"
}

resource "huaweicloud_networking_secgroup_rule" "from_vpc" {
  security_group_id = huaweicloud_networking_secgroup.app.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  ports             = tostring(var.service_port)
  remote_ip_prefix  = var.vpc_cidr
}

resource "huaweicloud_networking_secgroup_rule" "from_endpoints" {
  security_group_id = huaweicloud_networking_secgroup.app.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  ports             = tostring(var.service_port)
  remote_ip_prefix  = var.endpoint_cidr
  description       = "VPC endpoint traffic"
}

resource "huaweicloud_compute_instance" "app" {
  name               = "ecs-${var.name}"
  image_id           = var.image_id
  flavor_id          = var.flavor_id
  availability_zone  = var.availability_zone
  security_group_ids = [huaweicloud_networking_secgroup.app.id]

  network {
    uuid = var.subnet_id
  }

  tags = var.tags
}

resource "huaweicloud_vpcep_service" "this" {
  name        = "svc-${var.name}"
  vpc_id      = var.vpc_id
  server_type = "VM"
  port_id     = huaweicloud_compute_instance.app.network[0].port

  port_mapping {
    service_port  = var.service_port
    terminal_port = var.service_port
  }
}
'''

SVC_OUTPUTS = '''output "service_id" {
  value = huaweicloud_vpcep_service.this.id
}

output "security_group_id" {
  value = huaweicloud_networking_secgroup.app.id
}
'''

ELB_VARIABLES = '''variable "name" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "ipv4_subnet_id" {
  type = string
}

variable "availability_zone" {
  type = string
}

variable "service_port" {
  type = number
}

variable "whitelist_cidr" {
  type        = string
  default     = "198.19.128.0/17"
  description = "Let VPC endpoints through the listener's whitelist."
}

variable "office_cidr" {
  type    = string
  default = "172.31.0.0/16"
}
'''

ELB_MAIN = '''# A service behind a dedicated load balancer whose listener admits a whitelist only, published
# through a VPC endpoint service.

resource "huaweicloud_elb_loadbalancer" "this" {
  name              = "elb-${var.name}"
  vpc_id            = var.vpc_id
  ipv4_subnet_id    = var.ipv4_subnet_id
  availability_zone = [var.availability_zone]
}

resource "huaweicloud_elb_ipgroup" "allowed" {
  name = "ipg-${var.name}"

  ip_list {
    ip          = var.office_cidr
    description = "office"
  }

  ip_list {
    ip          = var.whitelist_cidr
    description = "VPC endpoints"
  }
}

resource "huaweicloud_elb_listener" "this" {
  name            = "listener-${var.name}"
  loadbalancer_id = huaweicloud_elb_loadbalancer.this.id
  protocol        = "TCP"
  protocol_port   = var.service_port
  access_policy   = "white"
  ip_group        = huaweicloud_elb_ipgroup.allowed.id
}

resource "huaweicloud_vpcep_service" "this" {
  name        = "svc-${var.name}"
  vpc_id      = var.vpc_id
  server_type = "LB"
  port_id     = huaweicloud_elb_loadbalancer.this.ipv4_port_id

  port_mapping {
    service_port  = var.service_port
    terminal_port = var.service_port
  }
}
'''

ELB_OUTPUTS = '''output "service_id" {
  value = huaweicloud_vpcep_service.this.id
}
'''

LAB_MAIN = '''# A scratch network for experiments; no root calls it (yet).

resource "huaweicloud_vpc" "lab" {
  name = "vpc-lab"
  cidr = "10.250.0.0/16"
}

resource "huaweicloud_vpc_subnet" "lab" {
  name       = "subnet-lab"
  cidr       = "10.250.1.0/24"
  gateway_ip = "10.250.1.1"
  vpc_id     = huaweicloud_vpc.lab.id
}
'''

MODULES = {
    "modules/network": {"versions.tf": PROVIDERS, "variables.tf": NETWORK_VARIABLES, "main.tf": NETWORK_MAIN,
                        "outputs.tf": NETWORK_OUTPUTS},
    "modules/svc": {"versions.tf": PROVIDERS, "variables.tf": SVC_VARIABLES, "main.tf": SVC_MAIN,
                    "outputs.tf": SVC_OUTPUTS},
    "modules/elb": {"versions.tf": PROVIDERS, "variables.tf": ELB_VARIABLES, "main.tf": ELB_MAIN,
                    "outputs.tf": ELB_OUTPUTS},
    "modules/lab": {"main.tf": LAB_MAIN},
}


# --------------------------------------------------------------------------------------------
# the roots

ROOT_VARIABLES = '''variable "name" {
  type = string
}

variable "vpc_cidr" {
  type = string
}

variable "service_port" {
  type = number
}

variable "endpoint_cidr" {
  type    = string
  default = "198.19.128.0/17"
}

variable "flavor_id" {
  type = string
}

variable "availability_zone" {
  type = string
}

variable "acl_enabled" {
  type    = bool
  default = false
}

variable "acl_source_cidr" {
  type    = string
  default = "198.19.128.0/17"
}

variable "team" {
  type = string
}
'''


def root_variables(r: Root) -> str:
    out = ROOT_VARIABLES
    if r.peered:
        out += '''
variable "hub_cidr" {
  type = string
}
'''
    return out


def root_main(r: Root) -> str:
    backend = "an ELB" if r.elb else "an ECS"
    out = [f'''# {r.name}: the {r.team} service of the {r.env} environment, behind {backend}.

terraform {{
  required_version = ">= 1.5"

  required_providers {{
    huaweicloud = {{
      source  = "huaweicloud/huaweicloud"
      version = ">= 1.60"
    }}
  }}

  backend "local" {{
    path = "terraform.tfstate"
  }}
}}

provider "huaweicloud" {{
  region = "{REGION}"
}}
''']
    if r.endpoint_elsewhere:
        out.append(f'''
provider "huaweicloud" {{
  alias  = "south"
  region = "{OTHER_REGION}"
}}
''')
    out.append('''
locals {
  tags = {
    team        = var.team
    environment = "''' + r.env + '''"
    root        = var.name
  }
}

module "network" {
  source = "../../modules/network"

  name            = var.name
  cidr            = var.vpc_cidr
  acl_enabled     = var.acl_enabled
  acl_source_cidr = var.acl_source_cidr
  service_port    = var.service_port
  tags            = local.tags
}
''')
    if r.elb:
        out.append('''
module "service" {
  source = "../../modules/elb"

  name              = var.name
  vpc_id            = module.network.vpc_id
  ipv4_subnet_id    = module.network.app_ipv4_subnet_id
  availability_zone = var.availability_zone
  service_port      = var.service_port
  whitelist_cidr    = var.endpoint_cidr
}
''')
    else:
        out.append(f'''
module "service" {{
  source = "../../modules/svc"

  name              = var.name
  vpc_id            = module.network.vpc_id
  vpc_cidr          = var.vpc_cidr
  subnet_id         = module.network.app_subnet_id
  service_port      = var.service_port
  endpoint_cidr     = var.endpoint_cidr
  image_id          = "{IMAGE_ID}"
  flavor_id         = var.flavor_id
  availability_zone = var.availability_zone
  tags              = local.tags
}}
''')
    provider = "\n  provider   = huaweicloud.south" if r.endpoint_elsewhere else ""
    out.append(f'''
resource "huaweicloud_vpcep_endpoint" "client" {{{provider}
  service_id = module.service.service_id
  vpc_id     = module.network.vpc_id
  network_id = module.network.endpoint_subnet_id
}}
''')
    if r.peered:
        out.append('''
# the shared-services hub of this root, peered with the service VPC
module "hub" {
  source = "../../modules/network"

  name = "${var.name}-hub"
  cidr = var.hub_cidr
  tags = local.tags
}

resource "huaweicloud_vpc_peering_connection" "hub" {
  name        = "peering-${var.name}-hub"
  vpc_id      = module.network.vpc_id
  peer_vpc_id = module.hub.vpc_id
}

resource "huaweicloud_vpc_route" "to_hub" {
  vpc_id      = module.network.vpc_id
  destination = var.hub_cidr
  type        = "peering"
  nexthop     = huaweicloud_vpc_peering_connection.hub.id
}
''')
        if not r.route_back_missing:
            out.append('''
resource "huaweicloud_vpc_route" "from_hub" {
  vpc_id      = module.hub.vpc_id
  destination = var.vpc_cidr
  type        = "peering"
  nexthop     = huaweicloud_vpc_peering_connection.hub.id
}
''')
    return "".join(out)


def root_outputs(r: Root) -> str:
    return '''output "endpoint_id" {
  value = huaweicloud_vpcep_endpoint.client.id
}

output "service_id" {
  value = module.service.service_id
}
'''


def root_tfvars(r: Root) -> str:
    endpoint = ENDPOINT_CIDR
    if r.svc_cidr_narrow:
        endpoint = HALF_ENDPOINT_CIDR
    elif r.whitelist_wrong:
        endpoint = WRONG_CIDR
    lines = [
        f'name              = "{r.name}"',
        f'team              = "{r.team}"',
        f'vpc_cidr          = "{r.cidr}"',
        f"service_port      = {r.port}",
        f'endpoint_cidr     = "{endpoint}"',
        f'flavor_id         = "{r.flavor}"',
        f'availability_zone = "{r.zone}"',
    ]
    if r.acl:
        lines.append("acl_enabled       = true")
        if r.acl_wrong:
            lines.append(f'acl_source_cidr   = "{WRONG_CIDR}"')
    if r.peered:
        lines.append(f'hub_cidr          = "{r.hub_cidr}"')
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------


def _write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write(text)


def generate(n: int, outdir: str, seed: int = 1) -> dict:
    """Write the repository (replacing OUTDIR/infra and OUTDIR/modules) and return its summary."""
    for sub in ("infra", "modules", ".git"):
        shutil.rmtree(os.path.join(outdir, sub), ignore_errors=True)
    os.makedirs(os.path.join(outdir, ".git"), exist_ok=True)
    _write(os.path.join(outdir, ".git", "HEAD"), "ref: refs/heads/main\n")
    for directory, files in MODULES.items():
        for name, text in files.items():
            _write(os.path.join(outdir, directory, name), text)
    roots = [root(i, seed) for i in range(1, n + 1)]
    findings = []
    for r in roots:
        base = os.path.join(outdir, r.path)
        _write(os.path.join(base, "main.tf"), root_main(r))
        _write(os.path.join(base, "variables.tf"), root_variables(r))
        _write(os.path.join(base, "outputs.tf"), root_outputs(r))
        _write(os.path.join(base, "terraform.tfvars"), root_tfvars(r))
        findings += [{"rule_id": rule, "file": f, "source": r.path} for rule, f in expected(r)]
    findings.sort(key=lambda f: (f["source"], f["rule_id"], f["file"]))
    svc = [r.path for r in roots if not r.elb]
    elb = [r.path for r in roots if r.elb]
    tf_bytes = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(outdir)
                   if ".git" not in d.split(os.sep) for f in fs if f.endswith((".tf", ".tfvars")))
    summary = {
        "roots": n,
        "seed": seed,
        "callers": {"modules/network": n, "modules/svc": len(svc), "modules/elb": len(elb), "modules/lab": 0},
        "example": {"svc_root": svc[0] if svc else None, "elb_root": elb[0] if elb else None},
        "tf_bytes": tf_bytes,
        "findings": findings,
        "by_rule": dict(sorted(Counter(f["rule_id"] for f in findings).items())),
    }
    with open(os.path.join(outdir, "expected.json"), "w") as fh:
        json.dump(summary, fh, indent=1)
        fh.write("\n")
    return summary


def _lint_cmd() -> list[str]:
    here = os.path.join(os.path.dirname(sys.executable), "vpcep-lint")
    return [here] if os.access(here, os.X_OK) else ["vpcep-lint"]


def check(n: int, seed: int) -> int:
    """Generate N roots, lint the repository and compare the findings with expected.json."""
    with tempfile.TemporaryDirectory() as tmp:
        summary = generate(n, tmp, seed)
        proc = subprocess.run([*_lint_cmd(), ".", "--no-cache", "-f", "json"], cwd=tmp,
                              capture_output=True, text=True)
        if proc.returncode not in (0, 1):
            print(proc.stderr, file=sys.stderr)
            return 2
        doc = json.loads(proc.stdout)
        got = sorted(({"rule_id": f["rule_id"], "file": f["file"], "source": f["source"]} for f in doc["findings"]),
                     key=lambda f: (f["source"], f["rule_id"], f["file"]))
        roots = sorted(i["path"] for i in doc["inputs"])
        not_checked = doc.get("not_checked", [])
    want_roots = sorted([root(i, seed).path for i in range(1, n + 1)] + ["modules/lab"])
    ok = got == summary["findings"] and roots == want_roots and not not_checked
    print(f"{n} roots: {len(got)} findings, expected {len(summary['findings'])} {summary['by_rule']}; "
          f"{len(roots)} inputs, expected {len(want_roots)}; {len(not_checked)} not checked: "
          f"{'as expected' if ok else 'DIFFERENT'}")
    if not ok:
        for f in got:
            if f not in summary["findings"]:
                print("  unexpected:", f)
        for f in summary["findings"]:
            if f not in got:
                print("  missing:", f)
        for p in sorted(set(roots) ^ set(want_roots)):
            print("  inputs differ:", p)
        for u in not_checked:
            print("  not checked:", u)
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, nargs="?", help="number of roots")
    ap.add_argument("outdir", nargs="?")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--check", type=int, metavar="N", help="generate N roots in a temporary directory, lint, compare")
    args = ap.parse_args(argv)
    if args.check:
        return check(args.check, args.seed)
    if args.n is None or args.outdir is None:
        ap.error("N and OUTDIR are required (or --check N)")
    summary = generate(args.n, args.outdir, args.seed)
    print(f"{args.outdir}: {args.n} roots, {summary['tf_bytes'] / 1e3:.0f} kB of .tf/.tfvars, "
          f"{len(summary['findings'])} findings expected {summary['by_rule']}; "
          f"callers {summary['callers']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
