"""The security model (docs/security.md), each part tested the way an attacker would try it.

- Nothing read from the cache directory can run code: a planted pickle is never loaded, in the
  parse cache nor in the grammar cache; an entry that is not exactly a valid entry for the text
  (a flipped byte, an entry made for another text) is a miss, never a result.
- The cache directory is private (0700, entries 0600) whatever the umask, and one that another
  user owns or others can write is not used (one note); entries are opened only when they are
  regular files (a FIFO planted there does not hang the run); the cache is bounded.
- The grammar python-hcl2 builds is kept in our cache directory, not in site-packages: a
  read-only site-packages does not make every run rebuild it.
- A file of the module tree that leads outside the repository is not read (a note says so), and
  no message quotes more than an excerpt of a file.
- Every file is read only when it is a regular file, with a size cap; standard input has a cap.
- Parse workers die with the linter (SIGTERM, SIGINT, SIGKILL), and notice a dead parent.
- The inputs that used to take minutes (quadratic paths) take seconds: run in a subprocess with
  a generous bound.
"""
from __future__ import annotations

import builtins
import contextlib
import hashlib
import io
import json
import os
import pickle
import resource
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import FIXTURES
from helpers import alive, child_pids

import vpcep_lint
from vpcep_lint.api import Options, lint
from vpcep_lint.cli import main
from vpcep_lint.loaders import cache as cache_module
from vpcep_lint.loaders import sources as sources_module
from vpcep_lint.loaders.cache import ParseCache
from vpcep_lint.loaders.hcl_syntax import CHUNK_CHARS
from vpcep_lint.loaders.sources import parse_source

EXAMPLE = FIXTURES / "examples" / "broken-endpoint"
EXAMPLE_TF = (EXAMPLE / "main.tf").read_text(encoding="utf-8")
EXAMPLE_FINDINGS = [("VPCEP001", "huaweicloud_networking_secgroup.app"), ("VPCEP002", "huaweicloud_vpc_network_acl.app")]
LINUX_FORK = sys.platform == "linux"


# -- helpers ---------------------------------------------------------------------------------------

@contextlib.contextmanager
def deadline(seconds: int) -> Iterator[None]:
    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds}s: a hang")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def cli(cwd: Path, *args: str, cache: Path | None = None, stdin: bytes | None = None) -> Result:
    env = {"VPCEP_LINT_CACHE_DIR": str(cache)} if cache is not None else {}
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with deadline(60):
            result = CliRunner(env=env).invoke(main, [*args], input=stdin)
    finally:
        os.chdir(old)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    return result


def findings(result: Result) -> list[tuple[str, str]]:
    return sorted((f["rule_id"], f["resource"]) for f in json.loads(result.stdout)["findings"])


def example_root(tmp_path: Path, name: str = "root") -> Path:
    root = tmp_path / name
    root.mkdir(parents=True)
    (root / "main.tf").write_text(EXAMPLE_TF, encoding="utf-8")
    return root


def previous_key(text: str) -> str:
    """The key the previous cache format used: predictable from the text and the version alone."""
    digest = hashlib.sha256()
    for part in (vpcep_lint.__version__, "hcl", text):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def cache_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file() and not p.name.startswith("lark-"))


class Planted:
    """`os.mkdir(marker)` when unpickled: proof that a cache entry ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.mkdir, (str(self.marker),))


def plant(cache: Path, text: str, path: str, body: bytes) -> None:
    """`body` where this format looks for the entry of `text` (with a header that matches it) and
    where the previous format looked (`<2 hex>/<key>.pickle`)."""
    key = ParseCache.key(text, path)
    header = b"vpcep-lint-cache-3 " + key.encode() + b" " + hashlib.sha256(body).hexdigest().encode() + b"\n"
    (cache / f"p-{key}.json").write_bytes(header + body)
    old = previous_key(text)
    (cache / old[:2]).mkdir(mode=0o700, exist_ok=True)
    (cache / old[:2] / f"{old}.pickle").write_bytes(b"vpcep-lint-cache-2\n" + old.encode() + b"\n" + body)


@pytest.fixture
def private_cache(tmp_path: Path) -> Path:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    cache.chmod(0o700)
    return cache


# -- the parse cache: nothing in it runs, nothing unchecked counts ---------------------------------

def test_a_planted_pickle_is_never_loaded(tmp_path: Path, private_cache: Path) -> None:
    root = example_root(tmp_path)
    marker = tmp_path / "the-cache-ran-code"
    plant(private_cache, EXAMPLE_TF, str(root / "main.tf"), pickle.dumps(Planted(marker)))
    result = cli(tmp_path, "root", "-f", "json", cache=private_cache)
    assert not marker.exists()
    assert result.exit_code == 1 and findings(result) == EXAMPLE_FINDINGS
    # the planted entry was a miss, and the good entry replaced it
    entry = private_cache / f"p-{ParseCache.key(EXAMPLE_TF, str(root / 'main.tf'))}.json"
    assert entry.read_bytes().startswith(b"vpcep-lint-cache-3 ") and b"\n[" in entry.read_bytes()


def test_a_flipped_byte_anywhere_in_an_entry_is_a_miss(tmp_path: Path, private_cache: Path) -> None:
    path = str(tmp_path / "main.tf")
    parsed = parse_source(EXAMPLE_TF, path, "main.tf")
    cache = ParseCache.open(str(private_cache))
    cache.put(EXAMPLE_TF, path, parsed)
    assert cache.get(EXAMPLE_TF, path) == parsed
    (entry,) = cache_files(private_cache)
    good = entry.read_bytes()
    for at in range(0, len(good), max(1, len(good) // 300)):
        flipped = bytearray(good)
        flipped[at] ^= 0x01
        entry.write_bytes(bytes(flipped))
        assert cache.get(EXAMPLE_TF, path) is None, f"byte {at} flipped, and the entry still counted"
    entry.write_bytes(good)
    assert cache.get(EXAMPLE_TF, path) == parsed


def test_an_entry_made_for_another_text_is_a_miss(tmp_path: Path, private_cache: Path) -> None:
    """Planted under the key of the text linted, with a header that matches: its body is another file's."""
    path = str(tmp_path / "main.tf")
    other = 'resource "huaweicloud_networking_secgroup_rule" "everything" {\n  remote_ip_prefix = "0.0.0.0/0"\n}\n'
    cache = ParseCache.open(str(private_cache))
    cache.put(other, path, parse_source(other, path, "main.tf"))
    (entry,) = cache_files(private_cache)
    body = entry.read_bytes().split(b"\n", 1)[1]
    entry.unlink()
    plant(private_cache, EXAMPLE_TF, path, body)
    (private_cache / previous_key(EXAMPLE_TF)[:2] / f"{previous_key(EXAMPLE_TF)}.pickle").write_bytes(
        b"vpcep-lint-cache-2\n" + previous_key(EXAMPLE_TF).encode() + b"\n" + pickle.dumps(parse_source(other, path, "main.tf")))
    assert cache.get(EXAMPLE_TF, path) is None
    root = example_root(tmp_path, "lint")
    (root / "main.tf").unlink()
    shutil.copy(EXAMPLE / "main.tf", root / "main.tf")
    result = cli(tmp_path, "lint", "-f", "json", cache=private_cache)
    assert findings(result) == EXAMPLE_FINDINGS


def test_the_key_names_the_versions_and_the_parser_code(monkeypatch: pytest.MonkeyPatch) -> None:
    text = 'resource "huaweicloud_vpc" "a" {}\n'
    key = ParseCache.key(text, "main.tf")
    assert ParseCache.key(text, "main.tf.json") != key
    assert ParseCache.key(text + " ", "main.tf") != key
    for dist in ("python-hcl2", "lark"):
        real = cache_module._version
        monkeypatch.setattr(cache_module, "_version", lambda d, real=real, dist=dist: "0.0.0" if d == dist else real(d))
        cache_module.code_digest.cache_clear()
        assert ParseCache.key(text, "main.tf") != key, dist
        monkeypatch.undo()
        cache_module.code_digest.cache_clear()
    monkeypatch.setattr(vpcep_lint.loaders.hcl_syntax, "__file__", str(FIXTURES / "examples" / "broken-endpoint" / "main.tf"))
    cache_module.code_digest.cache_clear()
    try:
        assert ParseCache.key(text, "main.tf") != key  # other parser code
    finally:
        monkeypatch.undo()
        cache_module.code_digest.cache_clear()
    assert ParseCache.key(text, "main.tf") == key


def test_the_cache_directory_is_private_whatever_the_umask(tmp_path: Path) -> None:
    example_root(tmp_path)
    cache = tmp_path / "home" / "cache" / "vpcep-lint"
    old = os.umask(0)
    try:
        result = cli(tmp_path, "root", "-f", "json", cache=cache)
    finally:
        os.umask(old)
    assert result.exit_code == 1 and result.stderr == ""
    for d in (tmp_path / "home", tmp_path / "home" / "cache", cache):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, d
    entries = list(cache.iterdir())
    assert entries and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in entries)


def _refused(tmp_path: Path, cache: Path, why: str) -> None:
    example_root(tmp_path)
    before = sorted(cache.rglob("*"))
    result = cli(tmp_path, "root", "-f", "json", cache=cache)
    assert result.exit_code == 1 and findings(result) == EXAMPLE_FINDINGS
    assert result.stderr == f"vpcep-lint: note: the cache directory {cache} {why}; running without a cache\n"
    assert sorted(cache.rglob("*")) == before  # nothing written there


def test_a_cache_directory_others_can_write_is_not_used(tmp_path: Path) -> None:
    cache = tmp_path / "shared"
    cache.mkdir()
    cache.chmod(0o777)
    _refused(tmp_path, cache, "can be written by other users")


def test_a_group_writable_cache_directory_is_not_used(tmp_path: Path) -> None:
    cache = tmp_path / "shared"
    cache.mkdir()
    cache.chmod(0o770)
    _refused(tmp_path, cache, "can be written by other users")


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a directory to another user needs root")
def test_a_cache_directory_of_another_user_is_not_used(tmp_path: Path) -> None:
    cache = tmp_path / "theirs"
    cache.mkdir(mode=0o700)
    os.chown(cache, 65534, 65534)
    _refused(tmp_path, cache, "belongs to another user")
    link = tmp_path / "link-to-theirs"  # a link to it is no better
    link.symlink_to(cache)
    result = cli(tmp_path, "root", "-f", "json", cache=link)
    assert result.stderr == f"vpcep-lint: note: the cache directory {link} belongs to another user; running without a cache\n"


def test_a_fifo_where_an_entry_belongs_does_not_hang(tmp_path: Path, private_cache: Path) -> None:
    root = example_root(tmp_path)
    os.mkfifo(private_cache / f"p-{ParseCache.key(EXAMPLE_TF, str(root / 'main.tf'))}.json")
    old = previous_key(EXAMPLE_TF)
    (private_cache / old[:2]).mkdir()
    os.mkfifo(private_cache / old[:2] / f"{old}.pickle")
    result = cli(tmp_path, "root", "-f", "json", cache=private_cache)
    assert result.exit_code == 1 and findings(result) == EXAMPLE_FINDINGS


def test_the_cache_is_bounded_in_size_and_age(tmp_path: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """20 edits of one file leave a bounded cache, the latest entries kept; old ones expire."""
    root = tmp_path / "root"
    root.mkdir()
    text = lambda i: f'resource "huaweicloud_vpc" "v{i}" {{\n  cidr = "10.{i}.0.0/16"\n}}\n'  # noqa: E731
    size = len(encode_for(text(10), root))
    monkeypatch.setattr(cache_module, "MAX_BYTES", 4 * size)
    for i in range(20):
        (root / "main.tf").write_text(text(i))
        lint([str(root)], Options(use_cache=True, cache_dir=str(private_cache), rules=[]))
    entries = [p for p in private_cache.iterdir() if p.name.startswith("p-")]
    assert 1 <= len(entries) <= 4 and sum(p.stat().st_size for p in entries) <= 4 * size
    assert ParseCache.open(str(private_cache)).get(text(19), str(root / "main.tf")) is not None
    # an entry unused for longer than the age bound goes at the next pruning
    stale = entries[0]
    long_ago = time.time() - cache_module.MAX_AGE - 3600
    os.utime(stale, (long_ago, long_ago))
    (root / "main.tf").write_text(text(20))
    lint([str(root)], Options(use_cache=True, cache_dir=str(private_cache), rules=[]))
    assert not stale.exists()


def encode_for(text: str, root: Path) -> bytes:
    path = str(root / "main.tf")
    data = cache_module.encode_entry(parse_source(text, path, "main.tf"), ParseCache.key(text, path), text)
    assert data is not None
    return data


# -- the grammar cache ----------------------------------------------------------------------------

_GRAMMAR_RUN = textwrap.dedent(
    """
    import sys
    if sys.argv[1] == "no-build":
        import lark
        def refuse(*args, **kwargs):
            raise SystemExit("the grammar was built again")
        lark.Lark.__init__ = refuse
    from vpcep_lint.cli import main
    sys.argv = ["vpcep-lint", *sys.argv[2:]]
    main()
    """
)


def _installed(package: str) -> Path:
    import importlib

    return Path(importlib.import_module(package).__file__ or "").parent


def _grammar_env(site: Path, cache: Path) -> dict[str, str]:
    """python-hcl2 and lark from `site` (ahead of the environment's own copies)."""
    path = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, "VPCEP_LINT_CACHE_DIR": str(cache), "PYTHONDONTWRITEBYTECODE": "1"}


def test_a_read_only_site_packages_does_not_rebuild_the_grammar_every_run(tmp_path: Path) -> None:
    """python-hcl2 and lark in a folder nobody may write: the grammar is kept in our cache
    directory after the first run, and the second run does not build it (Lark() is never called)."""
    site = tmp_path / "site"
    for name in ("hcl2", "lark"):
        shutil.copytree(_installed(name), site / name, ignore=shutil.ignore_patterns("__pycache__", ".lark_cache*"))
    for p in [site, *site.rglob("*")]:
        p.chmod(p.stat().st_mode & ~0o222)
    listing = sorted(str(p) for p in site.rglob("*"))
    cache = tmp_path / "cache"
    example_root(tmp_path)
    try:
        runs = [subprocess.run([sys.executable, "-c", _GRAMMAR_RUN, mode, "root", "-f", "json"], cwd=tmp_path,
                               env=_grammar_env(site, cache), capture_output=True, text=True, timeout=300)
                for mode in ("build", "no-build")]
    finally:
        for p in [site, *site.rglob("*")]:
            p.chmod(p.stat().st_mode | 0o200)
    for proc in runs:
        assert proc.returncode == 1, proc.stderr
        assert sorted((f["rule_id"], f["resource"]) for f in json.loads(proc.stdout)["findings"]) == EXAMPLE_FINDINGS
    assert [p.name for p in cache.glob("lark-*.json")], list(cache.iterdir())
    assert sorted(str(p) for p in site.rglob("*")) == listing  # nothing written next to python-hcl2


def test_a_planted_grammar_pickle_is_never_loaded(tmp_path: Path, private_cache: Path) -> None:
    from vpcep_lint.loaders import grammar

    marker = tmp_path / "the-grammar-cache-ran-code"
    with open(grammar._grammar_path(), encoding="utf-8") as fh:
        key = grammar._key(fh.read())
    (private_cache / f"lark-{key}.json").write_bytes(pickle.dumps(Planted(marker)))
    example_root(tmp_path)
    proc = subprocess.run([sys.executable, "-c", _GRAMMAR_RUN, "build", "root", "-f", "json", "--no-cache"], cwd=tmp_path,
                          env={**os.environ, "VPCEP_LINT_CACHE_DIR": str(private_cache)}, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert not marker.exists()
    assert json.loads((private_cache / f"lark-{key}.json").read_bytes()) is not None  # rebuilt, as data


def test_grammar_data_that_names_code_is_refused() -> None:
    from vpcep_lint.loaders import grammar

    built = grammar.parser()
    data = json.loads(grammar.dump(built))
    assert grammar.load(json.dumps(data).encode()) is not None
    data["data"]["options"]["tree_class"] = "os.system"
    assert grammar.load(json.dumps(data).encode()) is None
    assert grammar.load(b"\x80\x04not json") is None


# -- files: the boundary, special files, caps ------------------------------------------------------

@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The real paths of everything opened while the test runs."""
    seen: list[str] = []

    def recording(real: Callable[..., object]) -> Callable[..., object]:
        def wrapper(path: object, *args: object, **kwargs: object) -> object:
            if isinstance(path, (str, bytes, os.PathLike)) and kwargs.get("dir_fd") is None:
                seen.append(os.path.realpath(os.fsdecode(path)))
            return real(path, *args, **kwargs)

        return wrapper

    monkeypatch.setattr(builtins, "open", recording(builtins.open))
    monkeypatch.setattr(io, "open", recording(io.open))
    monkeypatch.setattr(os, "open", recording(os.open))
    return seen


@pytest.mark.parametrize("layout,where", [
    ("git", "the git work tree"),
    # a tarball or a CI cache: modules may be followed up the file system, but a file that is a link
    # reaches no further than the directory being linted
    ("plain", "the directory being linted (no git work tree; --root DIR sets the boundary)"),
])
def test_links_out_of_the_repository_are_notes_and_never_read(tmp_path: Path, opened: list[str], layout: str,
                                                              where: str) -> None:
    """`passwd.tf -> /etc/passwd` and `terraform.tfvars -> ../outside/creds.tfvars`: each gets a
    VPCEP000 note naming the link; neither target is opened; no secret reaches any report."""
    repo = tmp_path / "repo"
    repo.mkdir()
    if layout == "git":
        (repo / ".git").mkdir()
    root = example_root(repo)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.tf").write_text('resource "huaweicloud_vpc" "stolen" {\n  name = "SECRET-FROM-TF"\n}\n')
    (outside / "creds.tfvars").write_text('password = "SECRET-FROM-TFVARS"\n')
    (root / "variables.tf").write_text('variable "password" {\n  default = "x"\n}\n')
    (root / "stolen.tf").symlink_to(outside / "secret.tf")
    (root / "passwd.tf").symlink_to("/etc/passwd")
    (root / "terraform.tfvars").symlink_to(outside / "creds.tfvars")
    (root / "inside.tf").symlink_to("main.tf.inside")  # a link inside is read as usual
    (root / "main.tf.inside").write_text('resource "huaweicloud_vpc" "inside" {\n  cidr = "10.9.0.0/16"\n}\n')
    opened.clear()  # what the test itself wrote
    for fmt in ("json", "sarif", "text"):
        result = cli(repo, "root", "-f", fmt, "--no-cache", "--show-unknown")
        assert result.exit_code == 1, result.stderr  # notes do not make an input error
        assert "SECRET" not in result.stdout + result.stderr and "root:x:0" not in result.stdout + result.stderr
    targets = {str(outside / "secret.tf"), str(outside / "creds.tfvars"), "/etc/passwd"}
    assert not targets & set(opened), sorted(targets & set(opened))
    report = json.loads(cli(repo, "root", "-f", "json", "--no-cache").stdout)
    notes = sorted((f["file"], f["severity"], f["message"]) for f in report["findings"] if f["rule_id"] == "VPCEP000")
    message = f"a symbolic link to a file outside {where}; not read"
    assert notes == [(f"root/{n}", "note", message) for n in ("passwd.tf", "stolen.tf", "terraform.tfvars")]
    example = len(lint([str(EXAMPLE)], Options(rules=[])).inventories[0])
    assert [(i["path"], i["resources"]) for i in report["inputs"]] == [("root", example + 1)]  # and `inside`


def test_the_boundary_check_is_one_function_of_the_boundary(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "f.tf").write_text("")
    (tmp_path / "a" / "link.tf").symlink_to(tmp_path / "a" / "b" / "f.tf")
    assert sources_module.outside(str(tmp_path / "a" / "link.tf"), str(tmp_path / "a")) is None
    assert sources_module.outside(str(tmp_path / "a" / "link.tf"), str(tmp_path / "a" / "b")) is None
    assert sources_module.outside(str(tmp_path / "a" / "b" / "f.tf"), str(tmp_path / "a" / "c")) == str(tmp_path / "a" / "b" / "f.tf")
    assert sources_module.outside(str(tmp_path / "a" / "link.tf"), str(tmp_path / "ab")) is not None  # not a prefix match


@pytest.mark.parametrize(
    "make,flag",
    [
        pytest.param(lambda d: (d / "x.toml", ["--config"]), "config", id="config"),
        pytest.param(lambda d: (d / "baseline.json", ["--baseline"]), "baseline", id="baseline"),
    ],
)
def test_a_fifo_given_as_config_or_baseline_is_an_error_not_a_hang(tmp_path: Path, make: Callable[[Path], tuple[Path, list[str]]],
                                                                     flag: str) -> None:
    example_root(tmp_path)
    fifo, option = make(tmp_path)
    os.mkfifo(fifo)
    result = cli(tmp_path, "root", *option, fifo.name, "--no-cache")
    assert result.exit_code == 2
    assert result.stderr == f"vpcep-lint: error: {fifo.name}: cannot read {flag}: not a regular file (a FIFO, socket or device)\n"


def test_the_suppression_locator_does_not_open_a_fifo(tmp_path: Path) -> None:
    """A suppression on a module block is looked for in the root's .tf files: a FIFO among them
    is reported by the loader and never opened by the locator."""
    root = tmp_path / "root"
    (root / "net").mkdir(parents=True)
    (root / "main.tf").write_text('# vpcep-lint: ignore[VPCEP001] reason="reviewed"\nmodule "net" {\n  source = "./net"\n}\n')
    (root / "net" / "main.tf").write_text(EXAMPLE_TF)
    os.mkfifo(root / "zz.tf")
    result = cli(tmp_path, "root", "-f", "json", "--no-cache")
    assert result.exit_code == 2
    assert result.stderr == "vpcep-lint: error: root/zz.tf: not a regular file (a FIFO, socket or device)\n"


def test_standard_input_has_a_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources_module, "MAX_DOCUMENT_BYTES", 1000)
    doc = json.dumps({"format_version": "1.0", "values": {"root_module": {}}, "pad": "x" * 2000}).encode()
    result = cli(tmp_path, "-", "--no-cache", stdin=doc)
    assert result.exit_code == 2
    assert result.stderr == "vpcep-lint: error: <stdin>: more than 1,000 bytes on standard input\n"
    assert cli(tmp_path, "-", "--no-cache", stdin=b'{"format_version": "1.0"}').exit_code == 0  # below the cap


def test_a_source_over_the_size_cap_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources_module, "MAX_SOURCE_BYTES", 1000)
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text('resource "huaweicloud_vpc" "a" {\n  name = "' + "x" * 2000 + '"\n}\n')
    result = cli(tmp_path, "root", "--no-cache")
    assert result.exit_code == 2
    assert result.stderr.startswith("vpcep-lint: error: root/main.tf: file too large (2,") and "the limit is 1,000" in result.stderr


# -- messages quote excerpts ------------------------------------------------------------------------

def test_no_message_quotes_more_than_an_excerpt(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(
        "# vpcep-lint: ignore[VPCEP001] " + "z" * 5000 + "\n" + EXAMPLE_TF
        + '\nmodule "far" {\n  source = "git::https://example.com/' + "q" * 5000 + '"\n}\n'
    )
    result = cli(tmp_path, "root", "--no-cache", "--show-unknown")
    for line in (result.stdout + result.stderr).splitlines():
        assert len(line) < 400, line[:120]
    (tmp_path / "big.toml").write_text('select = ["' + "X" * 5000 + '"]\n')
    result = cli(tmp_path, "root", "--no-cache", "--config", "big.toml")
    assert result.exit_code == 2 and len(result.stderr) < 400, result.stderr[:200]


# -- parse workers die with the linter --------------------------------------------------------------

_PREPARSE = textwrap.dedent(
    """
    import signal, sys
    # Ctrl-C as at a terminal, even when the suite was started in the background by a shell
    # without job control, which leaves SIGINT ignored for everything it starts
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from vpcep_lint.loaders.parallel import preparse
    from vpcep_lint.loaders.sources import SourceSet
    preparse([sys.argv[1]], SourceSet(), jobs=2)
    """
)


@pytest.fixture(scope="module")
def big_module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Eight files of ~1 MB of HCL: tens of seconds of parsing for two workers."""
    d = tmp_path_factory.mktemp("big-module")
    block = 'resource "huaweicloud_vpc" "v{n}" {{\n  name = "vpc-{n}"\n  cidr = "10.{m}.0.0/16"\n  tags = {{ team = "t{n}", env = "e" }}\n}}\n'
    for f in range(8):
        (d / f"part{f}.tf").write_text("".join(block.format(n=f * 100_000 + i, m=i % 250) for i in range(10_000)))
    return d


@pytest.mark.skipif(not LINUX_FORK or len(os.sched_getaffinity(0)) < 2 if hasattr(os, "sched_getaffinity") else True,
                    reason="parse workers are forked on Linux with 2 or more cores")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=["SIGTERM", "SIGINT", "SIGKILL"])
def test_parse_workers_die_with_the_linter(big_module: Path, sig: signal.Signals, tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", _PREPARSE, str(big_module)], stderr=subprocess.DEVNULL,
                            env={**os.environ, "VPCEP_LINT_CACHE_DIR": str(tmp_path / "cache")})
    try:
        start = time.monotonic()
        workers: list[int] = []
        while len(workers) < 2 and time.monotonic() - start < 120 and proc.poll() is None:
            workers = child_pids(proc.pid)
            time.sleep(0.05)
        assert len(workers) >= 2, "no workers started"
        time.sleep(0.3)
        proc.send_signal(sig)
        proc.wait(timeout=10)  # not after the work is done: at once
        start = time.monotonic()
        while any(alive(w) for w in workers) and time.monotonic() - start < 10:
            time.sleep(0.05)
        assert not [w for w in workers if alive(w)], f"workers outlived the linter ({sig.name})"
    finally:
        if proc.poll() is None:
            proc.kill()


_ORPHAN = textwrap.dedent(
    """
    import ctypes, os, sys, time
    def no_prctl(*args, **kwargs):
        raise OSError("no prctl here")
    ctypes.CDLL = no_prctl  # as on a kernel without PR_SET_PDEATHSIG: only the watchdog is left
    from vpcep_lint.loaders.parallel import _worker_start
    parent = os.getpid()
    child = os.fork()
    if child == 0:
        _worker_start(parent)
        time.sleep(60)
        os._exit(0)
    print(child, flush=True)
    time.sleep(0.5)
    os._exit(0)  # the parent dies; the worker must notice
    """
)


@pytest.mark.skipif(not LINUX_FORK, reason="workers are forked on Linux")
def test_a_worker_notices_that_its_parent_is_gone() -> None:
    proc = subprocess.run([sys.executable, "-c", _ORPHAN], capture_output=True, text=True, timeout=60)
    worker = int(proc.stdout.split()[0])
    start = time.monotonic()
    while alive(worker) and time.monotonic() - start < 10:
        time.sleep(0.05)
    assert not alive(worker)


# -- no quadratic path ------------------------------------------------------------------------------

BOUND = 10
"""CPU seconds: each input below took 14 s to 74 s before its path was made linear, about 1 s after.
The bound is on the CPU time of the process, not the wall clock, so a loaded machine does not fail it."""
HANG = 300
"""Wall-clock seconds after which the process is taken as hung."""

def _inputs(tmp: Path) -> dict[str, list[str]]:
    res = 'resource "huaweicloud_vpc" "a" {\n  cidr = "10.0.0.0/16"\n}\n'

    def put(d: str, name: str, text: str) -> None:
        (tmp / d).mkdir(exist_ok=True)
        (tmp / d / name).write_text(text)

    # a 400 KB block comment that starts like a suppression and has no closing bracket
    put("comment", "main.tf", "/* vpcep-lint: ignore[VPCEP001\n" + "vpcep-lint: x[\n" * 27000 + "*/\n" + res)
    # 10,000 suppression comments in one block
    put("suppressions", "main.tf", 'resource "huaweicloud_vpc" "a" {\n  cidr = "10.0.0.0/16"\n'
        + "".join(f'  # vpcep-lint: ignore[VPCEP001] reason="r{i}"\n' for i in range(10_000)) + "}\n")
    # nested for expressions, 18 KB
    expr = "local.l"
    for i in range(900):
        expr = f"[for v{i} in {expr} : v{i}]"
    put("for", "main.tf", "locals {\n  l = [1]\n  x = " + expr + "\n}\n" + res)
    # a plan resource with 8,000 references
    refs = [r for i in range(8000) for r in (f"huaweicloud_vpc.v{i}.id", f"huaweicloud_vpc.v{i}")]
    sg = {"address": "huaweicloud_networking_secgroup.sg", "mode": "managed", "type": "huaweicloud_networking_secgroup", "name": "sg"}
    doc = {"format_version": "1.2", "terraform_version": "1.11.4",
           "resource_changes": [{**sg, "change": {"actions": ["create"], "before": None, "after": {"name": "sg"},
                                                  "after_unknown": {"id": True, "description": True}}}],
           "configuration": {"root_module": {"resources": [{**sg, "expressions": {"description": {"references": refs}}}]}}}
    put("refs", "plan.json", json.dumps(doc))
    return {"comment": ["comment"], "suppressions": ["suppressions"], "for": ["for"], "refs": ["refs/plan.json"]}


@pytest.fixture(scope="module")
def quadratic_inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[str]]]:
    tmp = tmp_path_factory.mktemp("quadratic")
    return tmp, _inputs(tmp)


@pytest.mark.parametrize("case,exit_code", [("comment", 1), ("suppressions", 0), ("for", 2), ("refs", 0)])
def test_inputs_that_were_quadratic_take_seconds(quadratic_inputs: tuple[Path, dict[str, list[str]]], case: str,
                                                 exit_code: int, tmp_path: Path) -> None:
    tmp, args = quadratic_inputs
    err = tmp_path / "stderr"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(err, "wb") as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "vpcep_lint.cli", *args[case], "--no-cache", "-f", "json"], cwd=tmp,
                                stdout=subprocess.DEVNULL, stderr=stderr,
                                env={**os.environ, "VPCEP_LINT_CACHE_DIR": str(tmp_path / "cache")})
        try:
            proc.wait(timeout=HANG)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime
    assert proc.returncode == exit_code, err.read_text()[-500:]
    assert cpu < BOUND, f"{case}: {cpu:.1f} CPU seconds"


# -- large inputs: memory -------------------------------------------------------------------------

_PEAK = textwrap.dedent(
    """
    import sys
    from vpcep_lint.loaders.sources import parse_source
    text = open(sys.argv[1], encoding="utf-8").read()
    parsed = parse_source(text, sys.argv[1], "main.tf")
    assert len(parsed.body.blocks) == 12_500, parsed
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            print(int(line.split()[1]) // 1024)
    """
)


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="peak memory from /proc")
def test_a_large_file_is_parsed_in_bounded_memory(tmp_path: Path) -> None:
    """1.4 MB of .tf in one file, three pieces of CHUNK_CHARS: parsed a piece at a time, the peak
    (about 150 MB) is what one piece takes, where parsing it whole peaks at about 310 MB;
    benchmarks/RESULTS.md gives the figures per MB."""
    block = 'resource "huaweicloud_vpc" "v{n}" {{\n  name = "vpc-{n}"\n  cidr = "10.{m}.0.0/16"\n  tags = {{ team = "t{n}" }}\n}}\n\n'
    (tmp_path / "main.tf").write_text("".join(block.format(n=i, m=i % 250) for i in range(12_500)))
    assert (tmp_path / "main.tf").stat().st_size > 2.5 * CHUNK_CHARS
    proc = subprocess.run([sys.executable, "-c", _PEAK, str(tmp_path / "main.tf")], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "VPCEP_LINT_CACHE_DIR": str(tmp_path / "cache")})
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout.split()[-1]) < 230, f"peak RSS {proc.stdout.split()[-1]} MB"
