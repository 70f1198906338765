"""The rule pages, installed as the package `vpcep_lint.rule_pages` (see pyproject.toml).

Each `<id>.md` here is the one source of a built-in rule's user documentation: `--explain` prints
it and the SARIF report carries it as the rule's help. Nothing here is code.
"""
