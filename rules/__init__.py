"""The built-in rules, registered through the `vpcep_lint.rules` entry-point group."""
