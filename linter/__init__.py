"""vpcep-lint: catches Huawei Cloud VPC endpoint connectivity mistakes in Terraform, before apply."""
from __future__ import annotations

__version__ = "0.1.0"
