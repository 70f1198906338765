"""Third-party rules: entry-point discovery, and the example plugin in tests/plugin_example/.

The fast tests inject `importlib.metadata.EntryPoint` objects into `registry.discover` (or into the
CLI). The slow test installs the example plugin with pip into a fresh virtual environment, next to
vpcep-lint itself, and runs that environment's `vpcep-lint`.
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import shutil
import site
import subprocess
import sys
import textwrap
from importlib.metadata import EntryPoint
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT

from vpcep_lint import registry
from vpcep_lint.cli import main
from vpcep_lint.registry import GROUP, DuplicateRuleError, discover

PLUGIN = ROOT / "tests" / "plugin_example"
EXAMPLE = FIXTURES / "examples" / "broken-endpoint"
ACME = "acme_vpcep_rules:EndpointServiceNeedsDescription"


def ep(name: str, value: str, dist: str | None = None) -> EntryPoint:
    point = EntryPoint(name=name, value=value, group=GROUP)
    if dist is not None:
        point = point._for(SimpleNamespace(name=dist))  # type: ignore[attr-defined]  # as importlib.metadata does
    return point


def builtin(rule_id: str) -> EntryPoint:
    found = [e for e in registry.entry_points(group=GROUP) if e.name == rule_id]
    assert len(found) == 1
    return found[0]


@pytest.fixture
def plugin_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(PLUGIN))


@pytest.fixture
def fake_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A module of odd rule classes, importable as `fake_rules`."""
    (tmp_path / "fake_rules.py").write_text(textwrap.dedent('''
        from vpcep_lint.rule import Rule, Severity

        class Lowercase(Rule):
            id = "acme002"
            title = "bad id"

        class Mismatch(Rule):
            id = "ACME004"
            title = "id differs from the entry point name"

        class ClaimsBuiltin(Rule):
            """Says it is VPCEP001."""
            id = "VPCEP001"
            title = "a second VPCEP001"
            severity = Severity.NOTE

        class Good(Rule):
            id = "ZED001"
            title = "fine"

        NOT_A_RULE = 42
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


# -- registry.discover with injected entry points ------------------------------------------------

def test_discover_sorts_by_id_whatever_the_entry_point_order(plugin_importable: None, fake_rules: Path) -> None:
    points = [ep("ZED001", "fake_rules:Good", "zed"), ep("ACME001", ACME, "acme-vpcep-rules"), builtin("VPCEP002"),
              builtin("VPCEP001")]
    rules, errors = discover(points)
    assert errors == []
    assert [r.id for r in rules] == ["ACME001", "VPCEP001", "VPCEP002", "ZED001"]
    assert [r.package for r in rules] == ["acme-vpcep-rules", "vpcep-lint", "vpcep-lint", "zed"]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        pytest.param("acme002", "fake_rules:Lowercase", "rule id 'acme002' must match the entry point name and ^[A-Z]{2,8}[0-9]{3}$",
                     id="lowercase-id"),
        pytest.param("ACME003", "fake_rules:Mismatch", "rule id 'ACME004' must match the entry point name", id="name-mismatch"),
        pytest.param("ACME005", "fake_rules:NOT_A_RULE", "entry point is not a vpcep_lint.rule.Rule subclass", id="not-a-rule"),
        pytest.param("ACME006", "fake_rules:Missing", "AttributeError", id="missing-class"),
        pytest.param("ACME007", "acme_not_installed.rules:Rule", "ModuleNotFoundError: No module named 'acme_not_installed'",
                     id="import-error"),
    ],
)
def test_a_rule_that_cannot_be_loaded_is_an_error_naming_its_distribution(
    fake_rules: Path, name: str, value: str, message: str
) -> None:
    rules, errors = discover([ep(name, value, "acme-broken"), ep("ZED001", "fake_rules:Good", "zed")])
    assert [r.id for r in rules] == ["ZED001"]  # the others still load
    assert len(errors) == 1
    assert errors[0].name == name and errors[0].distribution == "acme-broken"
    assert message in errors[0].message
    assert str(errors[0]).startswith(f"rule {name} from acme-broken failed to load: ")


def test_an_entry_point_without_distribution_still_reports(fake_rules: Path) -> None:
    _, errors = discover([ep("ACME009", "acme_not_installed:Rule")])
    assert str(errors[0]).startswith("rule ACME009 from unknown distribution failed to load: ModuleNotFoundError")


def test_a_duplicate_rule_id_is_an_error_naming_both_providers(fake_rules: Path) -> None:
    with pytest.raises(DuplicateRuleError) as info:
        discover([builtin("VPCEP001"), ep("VPCEP001", "fake_rules:ClaimsBuiltin", "acme-duplicate")])
    message = str(info.value)
    assert message.startswith("rule id VPCEP001 is provided twice: by ")
    assert "by vpcep-lint" in message and "by acme-duplicate" in message


def test_the_installed_rules_are_the_built_in_ones() -> None:
    rules, errors = discover()
    assert errors == []
    assert {r.id for r in rules if r.package == "vpcep-lint"} >= {f"VPCEP00{i}" for i in range(1, 9)}


# -- the CLI with injected entry points ----------------------------------------------------------

@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Replace what `importlib.metadata.entry_points` reports to the registry."""
    def install(*points: EntryPoint) -> None:
        everything = list(registry.entry_points(group=GROUP)) + list(points)
        monkeypatch.setattr(registry, "entry_points", lambda group: [e for e in everything if e.group == group])
    return install


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, ["--no-cache", *args])


def test_plugin_rule_is_listed_explained_and_run(plugin_importable: None, installed: Any) -> None:
    installed(ep("ACME001", ACME, "acme-vpcep-rules"))
    listed = invoke("--list-rules")
    assert listed.exit_code == 0
    row = [line for line in listed.stdout.splitlines() if line.startswith("ACME001")]
    assert row and row[0].split()[1] == "warning" and row[0].endswith("  acme-vpcep-rules")
    assert "VPC endpoint service without a description" in row[0]

    explained = invoke("--explain", "acme001")
    assert explained.exit_code == 0
    assert explained.stdout.startswith("ACME001: VPC endpoint service without a description\n"
                                       "severity: warning    provided by: acme-vpcep-rules\n\n"
                                       "ACME001: every VPC endpoint service says what it offers and who owns it.\n")

    linted = invoke("--select", "ACME", str(EXAMPLE))
    assert linted.exit_code == 1, linted.output
    assert linted.stdout.splitlines()[0].endswith(
        "main.tf:90:1: ACME001 warning: endpoint service has no description [huaweicloud_vpcep_service.orders]")


def test_plugin_ids_work_in_the_config_file(plugin_importable: None, installed: Any, tmp_path: Path) -> None:
    installed(ep("ACME001", ACME, "acme-vpcep-rules"))
    (tmp_path / ".vpcep-lint.toml").write_text('select = ["ACME"]\n[severity]\nACME001 = "error"\n')
    shutil.copy(EXAMPLE / "main.tf", tmp_path / "main.tf")
    result = invoke(str(tmp_path))
    assert result.exit_code == 1
    assert "ACME001 error: endpoint service has no description" in result.stdout
    assert "VPCEP001" not in result.stdout


def test_duplicate_plugin_id_stops_the_cli_with_exit_2(fake_rules: Path, installed: Any) -> None:
    installed(ep("VPCEP001", "fake_rules:ClaimsBuiltin", "acme-duplicate"))
    for args in (["--list-rules"], [str(EXAMPLE)]):
        result = invoke(*args)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr.startswith("vpcep-lint: error: rule id VPCEP001 is provided twice: by ")
        assert "by vpcep-lint" in result.stderr and "by acme-duplicate" in result.stderr
        assert result.stderr.count("\n") == 1


def test_a_plugin_that_fails_to_load_is_an_internal_error(installed: Any) -> None:
    installed(ep("ACME001", "acme_not_installed:Rule", "acme-broken"))
    listed = invoke("--list-rules")
    assert listed.exit_code == 3
    assert "ACME001" not in listed.stdout and "VPCEP001" in listed.stdout
    linted = invoke(str(EXAMPLE))
    assert linted.exit_code == 3
    assert "rule ACME001 from acme-broken failed to load: ModuleNotFoundError" in linted.stderr
    assert "VPCEP001 error" in linted.stdout  # the other rules still ran


# -- the example plugin, installed for real ------------------------------------------------------

def make_venv(where: Path) -> Path:
    """A fresh venv that sees this interpreter's packages (vpcep-lint's dependencies, pip, setuptools).

    Like `--system-site-packages`, but for the environment running the tests, which is usually a
    venv itself; pip then installs into the new venv, offline.
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    dirs = [d for d in site.getsitepackages() if os.path.isdir(d)]
    (Path(purelib) / "_outer_site.pth").write_text(
        "".join(f"import site; site.addsitedir({d!r})\n" for d in dirs))
    return python


def can_build_offline() -> bool:
    """setuptools builds wheels by itself from 70.1 on; before, it needs the `wheel` package."""
    try:
        major, minor = (int(x) for x in importlib.metadata.version("setuptools").split(".")[:2])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return False
    return (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None


def pip_install(python: Path, source: Path) -> None:
    # offline with the test environment's setuptools when it can build wheels, else from PyPI
    isolation = ["--no-build-isolation", "--no-index"] if can_build_offline() else []
    result = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", *isolation,
                             "--disable-pip-version-check", str(source)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def copy_project(dest: Path) -> Path:
    """This checkout without caches, venvs or build output (pip builds in the source tree)."""
    ignore = shutil.ignore_patterns(".git", ".venv", ".ci-venv", "build", "dist", "*.egg-info", "__pycache__",
                                    ".pytest_cache", ".hypothesis", ".mypy_cache", "node_modules", "benchmarks")
    shutil.copytree(ROOT, dest, ignore=ignore)
    return dest


@pytest.fixture(scope="module")
def plugin_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if importlib.util.find_spec("pip") is None:
        pytest.skip("needs pip in the test environment to install the example plugin")
    base = tmp_path_factory.mktemp("plugin")
    python = make_venv(base / "venv")
    pip_install(python, copy_project(base / "vpcep-lint"))
    pip_install(python, shutil.copytree(PLUGIN, base / "plugin_example"))
    return python.parent


def run(bindir: Path, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(bindir / "vpcep-lint"), "--no-cache", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.slow
def test_installed_plugin_is_listed_explained_and_fires(plugin_venv: Path) -> None:
    listed = run(plugin_venv, "--list-rules")
    assert listed.returncode == 0, listed.stderr
    rows = {line.split()[0]: line for line in listed.stdout.splitlines()[1:]}
    assert rows["ACME001"].endswith("  acme-vpcep-rules") and rows["VPCEP001"].endswith("  vpcep-lint")

    explained = run(plugin_venv, "--explain", "ACME001")
    assert explained.returncode == 0
    assert "provided by: acme-vpcep-rules" in explained.stdout and "Fix: set `description`" in explained.stdout

    linted = run(plugin_venv, str(EXAMPLE.relative_to(ROOT)))
    assert linted.returncode == 1, linted.stderr
    assert ("fixtures/examples/broken-endpoint/main.tf:90:1: ACME001 warning: endpoint service has no description "
            "[huaweicloud_vpcep_service.orders]") in linted.stdout.splitlines()
    assert "VPCEP001 error" in linted.stdout
    assert linted.stdout.splitlines()[-1] == "3 findings (2 errors, 1 warning) in 1 root"


@pytest.mark.slow
def test_installed_plugin_claiming_a_builtin_id_stops_the_run(plugin_venv: Path, tmp_path: Path) -> None:
    dup = tmp_path / "acme-duplicate"
    dup.mkdir()
    (dup / "pyproject.toml").write_text(textwrap.dedent('''
        [build-system]
        requires = ["setuptools>=61"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "acme-duplicate"
        version = "1.0.0"

        [project.entry-points."vpcep_lint.rules"]
        VPCEP001 = "acme_duplicate:Shadow"

        [tool.setuptools]
        py-modules = ["acme_duplicate"]
    '''))
    (dup / "acme_duplicate.py").write_text(textwrap.dedent('''
        """A rule that claims an id it does not own."""
        from vpcep_lint.rule import Rule

        class Shadow(Rule):
            id = "VPCEP001"
            title = "shadow"
    '''))
    python = plugin_venv / "python"
    pip_install(python, dup)
    try:
        for args in (["--list-rules"], [str(EXAMPLE.relative_to(ROOT))]):
            result = run(plugin_venv, *args)
            assert result.returncode == 2, result.stdout + result.stderr
            assert result.stderr.startswith("vpcep-lint: error: rule id VPCEP001 is provided twice: by ")
            assert "by vpcep-lint" in result.stderr and "by acme-duplicate" in result.stderr
    finally:
        subprocess.run([str(python), "-m", "pip", "uninstall", "--quiet", "--yes", "acme-duplicate"], check=False)
