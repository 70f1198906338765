# Synthetic estate for vpcep-lint benchmarks (benchmarks/generate.py). Do not edit.

terraform {
  required_providers {
    huaweicloud = { source = "huaweicloud/huaweicloud" }
  }
}

provider "huaweicloud" {
  region = "cn-north-4"
}

variable "image_id" {
  description = "Image of the application servers"
  type        = string
  default     = "a3f4b1c2-5d6e-4f70-8a9b-0c1d2e3f4a5b"
}

locals {
  office_cidr = "172.31.0.0/16"
}

# ---- stack s00003: team-template, port 61001, network ACL, ECS backend

resource "huaweicloud_vpc" "s00003" {
  name = "vpc-s00003"
  cidr = "10.3.0.0/16"
  tags = {
    stack = "s00003"
    team  = "team-template"
  }
}

resource "huaweicloud_vpc_subnet" "s00003_app" {
  name       = "subnet-s00003-app"
  cidr       = "10.3.1.0/24"
  gateway_ip = "10.3.1.1"
  vpc_id     = huaweicloud_vpc.s00003.id
}

resource "huaweicloud_vpc_subnet" "s00003_ep" {
  name       = "subnet-s00003-ep"
  cidr       = "10.3.2.0/24"
  gateway_ip = "10.3.2.1"
  vpc_id     = huaweicloud_vpc.s00003.id
}

resource "huaweicloud_networking_secgroup" "s00003" {
  name                 = "sg-s00003-app"
  description          = "Application servers of s00003"
  delete_default_rules = true
  tags = {
    stack = "s00003"
    team  = "team-template"
  }
}

resource "huaweicloud_networking_secgroup_rule" "s00003_ssh" {
  security_group_id = huaweicloud_networking_secgroup.s00003.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  ports             = "22"
  remote_ip_prefix  = local.office_cidr
  description       = "ssh from the office"
}

resource "huaweicloud_networking_secgroup_rule" "s00003_app" {
  security_group_id = huaweicloud_networking_secgroup.s00003.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  ports             = "61001"
  remote_ip_prefix  = "10.3.0.0/16"
}

resource "huaweicloud_networking_secgroup_rule" "s00003_endpoint" {
  security_group_id = huaweicloud_networking_secgroup.s00003.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  ports             = "61001"
  remote_ip_prefix  = "198.19.128.0/17"
  description       = "VPC endpoint traffic"
}

resource "huaweicloud_compute_instance" "s00003" {
  name               = "ecs-s00003"
  image_id           = var.image_id
  flavor_id          = "s6.large.2"
  availability_zone  = "cn-north-4a"
  security_group_ids = [huaweicloud_networking_secgroup.s00003.id]

  network {
    uuid = huaweicloud_vpc_subnet.s00003_app.id
  }

  tags = {
    stack = "s00003"
    team  = "team-template"
  }
}

resource "huaweicloud_vpc_network_acl" "s00003" {
  name = "acl-s00003-app"

  ingress_rules {
    name              = "ssh-from-office"
    action            = "allow"
    protocol          = "tcp"
    ip_version        = 4
    source_ip_address = "172.31.0.0/16"
    destination_port  = "22"
  }

  ingress_rules {
    name              = "app-from-vpc"
    action            = "allow"
    protocol          = "tcp"
    ip_version        = 4
    source_ip_address = "10.3.0.0/16"
    destination_port  = "61001"
  }

  ingress_rules {
    name              = "app-from-endpoints"
    action            = "allow"
    protocol          = "tcp"
    ip_version        = 4
    source_ip_address = "198.19.128.0/17"
    destination_port  = "61001"
  }

  associated_subnets {
    subnet_id = huaweicloud_vpc_subnet.s00003_app.id
  }
}

resource "huaweicloud_vpcep_service" "s00003" {
  name        = "svc-s00003"
  vpc_id      = huaweicloud_vpc.s00003.id
  server_type = "VM"
  port_id     = huaweicloud_compute_instance.s00003.network[0].port

  port_mapping {
    service_port  = 61001
    terminal_port = 61001
  }
}

resource "huaweicloud_vpcep_endpoint" "s00003" {
  service_id = huaweicloud_vpcep_service.s00003.id
  vpc_id     = huaweicloud_vpc.s00003.id
  network_id = huaweicloud_vpc_subnet.s00003_ep.id
}

# ---- stack s00004: team-template, port 61001, ELB backend

resource "huaweicloud_vpc" "s00004" {
  name = "vpc-s00004"
  cidr = "10.4.0.0/16"
  tags = {
    stack = "s00004"
    team  = "team-template"
  }
}

resource "huaweicloud_vpc_subnet" "s00004_app" {
  name       = "subnet-s00004-app"
  cidr       = "10.4.1.0/24"
  gateway_ip = "10.4.1.1"
  vpc_id     = huaweicloud_vpc.s00004.id
}

resource "huaweicloud_vpc_subnet" "s00004_ep" {
  name       = "subnet-s00004-ep"
  cidr       = "10.4.2.0/24"
  gateway_ip = "10.4.2.1"
  vpc_id     = huaweicloud_vpc.s00004.id
}

resource "huaweicloud_networking_secgroup" "s00004" {
  name                 = "sg-s00004-app"
  description          = "Application servers of s00004"
  delete_default_rules = true
  tags = {
    stack = "s00004"
    team  = "team-template"
  }
}

resource "huaweicloud_networking_secgroup_rule" "s00004_ssh" {
  security_group_id = huaweicloud_networking_secgroup.s00004.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  ports             = "22"
  remote_ip_prefix  = local.office_cidr
  description       = "ssh from the office"
}

resource "huaweicloud_networking_secgroup_rule" "s00004_app" {
  security_group_id = huaweicloud_networking_secgroup.s00004.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  ports             = "61001"
  remote_ip_prefix  = "10.4.0.0/16"
}

resource "huaweicloud_networking_secgroup_rule" "s00004_endpoint" {
  security_group_id = huaweicloud_networking_secgroup.s00004.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  ports             = "61001"
  remote_ip_prefix  = "198.19.128.0/17"
  description       = "VPC endpoint traffic"
}

resource "huaweicloud_compute_instance" "s00004" {
  name               = "ecs-s00004"
  image_id           = var.image_id
  flavor_id          = "s6.large.2"
  availability_zone  = "cn-north-4a"
  security_group_ids = [huaweicloud_networking_secgroup.s00004.id]

  network {
    uuid = huaweicloud_vpc_subnet.s00004_app.id
  }

  tags = {
    stack = "s00004"
    team  = "team-template"
  }
}

resource "huaweicloud_elb_loadbalancer" "s00004" {
  name              = "elb-s00004"
  vpc_id            = huaweicloud_vpc.s00004.id
  ipv4_subnet_id    = huaweicloud_vpc_subnet.s00004_app.ipv4_subnet_id
  availability_zone = ["cn-north-4a"]
}

resource "huaweicloud_elb_ipgroup" "s00004" {
  name = "ipg-s00004"

  ip_list {
    ip          = "172.31.0.0/16"
    description = "office"
  }

  ip_list {
    ip          = "198.19.128.0/17"
    description = "VPC endpoints"
  }
}

resource "huaweicloud_elb_listener" "s00004" {
  name            = "listener-s00004"
  loadbalancer_id = huaweicloud_elb_loadbalancer.s00004.id
  protocol        = "TCP"
  protocol_port   = 61001
  access_policy   = "white"
  ip_group        = huaweicloud_elb_ipgroup.s00004.id
}

resource "huaweicloud_vpcep_service" "s00004" {
  name        = "svc-s00004"
  vpc_id      = huaweicloud_vpc.s00004.id
  server_type = "LB"
  port_id     = huaweicloud_elb_loadbalancer.s00004.ipv4_port_id

  port_mapping {
    service_port  = 61001
    terminal_port = 61001
  }
}

resource "huaweicloud_vpcep_endpoint" "s00004" {
  service_id = huaweicloud_vpcep_service.s00004.id
  vpc_id     = huaweicloud_vpc.s00004.id
  network_id = huaweicloud_vpc_subnet.s00004_ep.id
}

# ---- stack s00005: team-template, port 61001, ECS backend, peered with the previous stack

resource "huaweicloud_vpc" "s00005" {
  name = "vpc-s00005"
  cidr = "10.5.0.0/16"
  tags = {
    stack = "s00005"
    team  = "team-template"
  }
}

resource "huaweicloud_vpc_subnet" "s00005_app" {
  name       = "subnet-s00005-app"
  cidr       = "10.5.1.0/24"
  gateway_ip = "10.5.1.1"
  vpc_id     = huaweicloud_vpc.s00005.id
}

resource "huaweicloud_vpc_subnet" "s00005_ep" {
  name       = "subnet-s00005-ep"
  cidr       = "10.5.2.0/24"
  gateway_ip = "10.5.2.1"
  vpc_id     = huaweicloud_vpc.s00005.id
}

resource "huaweicloud_networking_secgroup" "s00005" {
  name                 = "sg-s00005-app"
  description          = "Application servers of s00005"
  delete_default_rules = true
  tags = {
    stack = "s00005"
    team  = "team-template"
  }
}

resource "huaweicloud_networking_secgroup_rule" "s00005_ssh" {
  security_group_id = huaweicloud_networking_secgroup.s00005.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  ports             = "22"
  remote_ip_prefix  = local.office_cidr
  description       = "ssh from the office"
}

resource "huaweicloud_networking_secgroup_rule" "s00005_app" {
  security_group_id = huaweicloud_networking_secgroup.s00005.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  ports             = "61001"
  remote_ip_prefix  = "10.5.0.0/16"
}

resource "huaweicloud_networking_secgroup_rule" "s00005_endpoint" {
  security_group_id = huaweicloud_networking_secgroup.s00005.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  ports             = "61001"
  remote_ip_prefix  = "198.19.128.0/17"
  description       = "VPC endpoint traffic"
}

resource "huaweicloud_compute_instance" "s00005" {
  name               = "ecs-s00005"
  image_id           = var.image_id
  flavor_id          = "s6.large.2"
  availability_zone  = "cn-north-4a"
  security_group_ids = [huaweicloud_networking_secgroup.s00005.id]

  network {
    uuid = huaweicloud_vpc_subnet.s00005_app.id
  }

  tags = {
    stack = "s00005"
    team  = "team-template"
  }
}

resource "huaweicloud_vpcep_service" "s00005" {
  name        = "svc-s00005"
  vpc_id      = huaweicloud_vpc.s00005.id
  server_type = "VM"
  port_id     = huaweicloud_compute_instance.s00005.network[0].port

  port_mapping {
    service_port  = 61001
    terminal_port = 61001
  }
}

resource "huaweicloud_vpcep_endpoint" "s00005" {
  service_id = huaweicloud_vpcep_service.s00005.id
  vpc_id     = huaweicloud_vpc.s00005.id
  network_id = huaweicloud_vpc_subnet.s00005_ep.id
}

resource "huaweicloud_vpc_peering_connection" "s00005" {
  name        = "peering-s00005-s00004"
  vpc_id      = huaweicloud_vpc.s00005.id
  peer_vpc_id = huaweicloud_vpc.s00004.id
}

resource "huaweicloud_vpc_route" "s00005_to_peer" {
  vpc_id      = huaweicloud_vpc.s00005.id
  destination = "10.4.0.0/16"
  type        = "peering"
  nexthop     = huaweicloud_vpc_peering_connection.s00005.id
}

resource "huaweicloud_vpc_route" "s00005_from_peer" {
  vpc_id      = huaweicloud_vpc.s00004.id
  destination = "10.5.0.0/16"
  type        = "peering"
  nexthop     = huaweicloud_vpc_peering_connection.s00005.id
}
