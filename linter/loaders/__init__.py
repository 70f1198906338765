"""Loaders: HCL module trees and `terraform show -json` documents into one Inventory."""
