"""Outputs: formatters registered in one table, several outputs per run, the markdown report, and
output files that never destroy an input, never hang and never end up truncated."""
from __future__ import annotations

import errno
import html
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT

from vpcep_lint import outputs
from vpcep_lint.api import InputInfo, Report
from vpcep_lint.cli import main
from vpcep_lint.model import Span, Unchecked
from vpcep_lint.registry import discover
from vpcep_lint.report import formatters, markdown
from vpcep_lint.report.formatters import RenderOptions
from vpcep_lint.rule import Finding, Severity

EXAMPLE = FIXTURES / "examples" / "broken-endpoint"
BUILTIN = ["github", "json", "markdown", "sarif", "text"]


def run(*args: str, cwd: Path) -> Any:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, [*args, "--no-cache"], catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of the example (main.tf, plan.json, state.json) to write next to."""
    d = tmp_path / "example"
    shutil.copytree(EXAMPLE, d)
    return d


def one_error_line(result: Any, *needles: str) -> None:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("vpcep-lint: error: "), result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert "Traceback" not in result.stderr


# -- one table of formatters ----------------------------------------------------------------------

def pyproject_formatters() -> dict[str, str]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return dict(data["project"]["entry-points"][formatters.GROUP])


def test_builtin_formats_are_registered_in_pyproject_like_a_plugins() -> None:
    table = pyproject_formatters()
    assert sorted(table) == BUILTIN
    assert formatters.names() == BUILTIN  # what the installed package provides is that table
    report = Report(inputs=[InputInfo("x", "hcl", 1)])
    for name in BUILTIN:
        out = formatters.load(name)(report, RenderOptions())
        assert isinstance(out, str) and out.endswith("\n"), name


def shout(report: Report, options: RenderOptions) -> str:
    """A plugin formatter for the tests: one line per finding, in capitals."""
    return "".join(f"{f.rule_id} {f.address.upper()}\n" for f in report.findings) + f"TO {options.destination or '-'}\n"


def broken(report: Report, options: RenderOptions) -> str:
    raise RuntimeError("formatter exploded")


def with_plugins(monkeypatch: pytest.MonkeyPatch, *extra: EntryPoint) -> None:
    from importlib.metadata import entry_points

    real = list(entry_points(group=formatters.GROUP))
    monkeypatch.setattr(formatters, "entry_points", lambda group: [*real, *extra])


def test_a_plugin_formatter_is_used_like_a_builtin(monkeypatch: pytest.MonkeyPatch, example: Path) -> None:
    with_plugins(monkeypatch, EntryPoint("shout", f"{__name__}:shout", formatters.GROUP))
    result = run(".", "-f", "shout", "-f", "shout=loud.txt", cwd=example)
    assert result.exit_code == 1, result.stderr
    assert result.stdout == ("VPCEP001 HUAWEICLOUD_NETWORKING_SECGROUP.APP\nVPCEP002 HUAWEICLOUD_VPC_NETWORK_ACL.APP\n"
                             "TO -\n")
    assert (example / "loud.txt").read_text().endswith("TO loud.txt\n")


def test_two_packages_registering_one_format_stop_the_run(monkeypatch: pytest.MonkeyPatch, example: Path) -> None:
    with_plugins(monkeypatch, EntryPoint("text", f"{__name__}:shout", formatters.GROUP))
    result = run(".", cwd=example)
    assert result.exit_code == 2
    assert "formatter 'text' is provided twice" in result.stderr


def test_a_failing_formatter_is_exit_3_and_the_other_outputs_are_still_written(
        monkeypatch: pytest.MonkeyPatch, example: Path) -> None:
    with_plugins(monkeypatch, EntryPoint("broken", f"{__name__}:broken", formatters.GROUP),
                 EntryPoint("missing", "no_such_module_anywhere:render", formatters.GROUP))
    (example / "old.txt").write_text("the report of yesterday\n")
    result = run(".", "-f", "broken=old.txt", "-f", "missing=m.txt", "-f", "json=r.json", "-f", "text", cwd=example)
    assert result.exit_code == 3
    assert "formatter 'broken' failed: RuntimeError: formatter exploded" in result.stderr
    assert "formatter 'missing' from unknown distribution failed to load: ModuleNotFoundError" in result.stderr
    assert (example / "old.txt").read_text() == "the report of yesterday\n"
    assert not (example / "m.txt").exists()
    assert len(json.loads((example / "r.json").read_text())["findings"]) == 2
    assert result.stdout.endswith("2 findings (2 errors) in 1 root\n")


# -- several outputs per run ----------------------------------------------------------------------

def test_several_outputs_are_the_bytes_of_separate_runs(example: Path) -> None:
    alone = {fmt: run(".", "-f", fmt, cwd=example).stdout for fmt in BUILTIN}
    (example / "out").mkdir()
    result = run(".", "-f", "sarif=out/r.sarif", "-f", "json=out/r.json", "-f", "github=out/r.gh",
                 "-f", "markdown=out/r.md", "-f", "text", cwd=example)
    assert result.exit_code == 1 and result.stderr == ""
    assert result.stdout == alone["text"]
    for fmt, name in [("sarif", "r.sarif"), ("json", "r.json"), ("github", "r.gh"), ("markdown", "r.md")]:
        assert (example / "out" / name).read_bytes() == alone[fmt].encode(), fmt
    # and the old form, -f FORMAT -o FILE, is the same as FORMAT=FILE
    assert run(".", "-f", "sarif", "-o", "old.sarif", cwd=example).stdout == ""
    assert (example / "old.sarif").read_text() == alone["sarif"]
    assert run(".", "-f", "json=-", cwd=example).stdout == alone["json"]


@pytest.mark.parametrize(
    "args,message",
    [
        pytest.param(["-f", "json", "-f", "text"], "only one format can go to standard output", id="two-to-stdout"),
        pytest.param(["-f", "json=-", "-f", "text"], "only one format can go to standard output", id="dash-is-stdout"),
        pytest.param(["-f", "json", "-f", "sarif=a", "-o", "b"], "-o/--output is the file of a single --format",
                     id="o-with-several"),
        pytest.param(["-f", "json=a", "-o", "b"], "both name a file", id="o-and-file"),
        pytest.param(["-f", "json="], "no file after '='", id="empty-file"),
        pytest.param(["-f", "json=r", "-f", "sarif=./r"], "are the same file", id="same-file"),
        pytest.param(["-f", "xml=r.xml"], "unknown format 'xml'", id="unknown"),
    ],
)
def test_outputs_that_do_not_say_where_each_report_goes_are_usage_errors(
        example: Path, args: list[str], message: str) -> None:
    result = run(".", *args, cwd=example)
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""
    assert "available: github, json, markdown, sarif, text" in result.stderr or "unknown" not in message
    assert sorted(p.name for p in example.iterdir()) == sorted(p.name for p in EXAMPLE.iterdir())


def test_colour_only_on_a_terminal_never_in_a_file(example: Path) -> None:
    import pty

    primary, secondary = pty.openpty()
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    proc = subprocess.run([sys.executable, "-m", "vpcep_lint.cli", ".", "--no-cache", "-f", "text", "-f", "text=t.txt"],
                          cwd=example, stdout=secondary, stderr=subprocess.PIPE, env=env, timeout=120, check=False)
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # EIO: the other side is closed and everything has been read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    shown = b"".join(chunks).decode()
    assert proc.returncode == 1, proc.stderr
    assert "\x1b[31merror\x1b[0m" in shown
    assert "\x1b[" not in (example / "t.txt").read_text()
    assert (example / "t.txt").read_text().splitlines()[-1] == "2 findings (2 errors) in 1 root"


# -- the markdown report --------------------------------------------------------------------------

def finding(message: str = "m", *, address: str = "huaweicloud_vpc.a", rule: str = "VPCEP001", file: str = "main.tf",
            line: int = 3, source: str = "infra", **kw: Any) -> Finding:
    return Finding(rule_id=rule, severity=Severity.ERROR, message=message, address=address,
                   span=Span(file, line, 1) if file else None, source=source, **kw)


def to_html(md: str) -> str:
    import cmarkgfm
    from cmarkgfm.cmark import Options

    # UNSAFE keeps raw HTML as written: anything the report let through would show here
    return cmarkgfm.github_flavored_markdown_to_html(md, options=Options.CMARK_OPT_UNSAFE)


def cells(page: str) -> list[list[str]]:
    """The body rows of every table, each cell as the text a reader sees."""
    rows = re.findall(r"<tr>\n(.*?)</tr>", page, re.S)
    out = []
    for row in rows:
        tds = re.findall(r"<td>(.*?)</td>", row, re.S)
        if tds:
            out.append([html.unescape(re.sub(r"</?(code|a)( [^>]*)?>", "", td)) for td in tds])
    return out


def test_markdown_of_the_example(example: Path) -> None:
    result = run(".", "-f", "markdown", cwd=example)
    assert result.exit_code == 1
    md = result.stdout
    assert md.startswith("## vpcep-lint\n\n**2 findings (2 errors) in 1 root**\n")
    page = to_html(md)
    assert cells(page) == [
        ["main.tf:28", "VPCEP001", "error",
         "198.19.128.0/17 to tcp/8080 is not allowed by the security group huaweicloud_networking_secgroup.app of "
         "huaweicloud_compute_instance.orders_api.network[0], the backend of huaweicloud_vpcep_service.orders",
         "huaweicloud_networking_secgroup.app"],
        ["main.tf:64", "VPCEP002", "error",
         "198.19.128.0/17 to tcp/8080 is blocked by huaweicloud_vpc_network_acl.app on huaweicloud_vpc_subnet.app, "
         "the subnet of huaweicloud_compute_instance.orders_api behind huaweicloud_vpcep_service.orders",
         "huaweicloud_vpc_network_acl.app"],
    ]
    assert '<a href="https://github.com/vpcep-lint/vpcep-lint/blob/main/docs/rules/VPCEP001.md">VPCEP001</a>' in page
    assert "<th>Location</th>\n<th>Rule</th>\n<th>Severity</th>\n<th>Message</th>\n<th>Resource</th>" in page


def test_markdown_groups_findings_by_input_and_names_the_clean_ones() -> None:
    report = Report(
        inputs=[InputInfo("infra/prod", "hcl", 4), InputInfo("infra/staging", "hcl", 4), InputInfo("plan.json", "plan", 9)],
        findings=[finding("a", source="infra/prod"), finding("b", source="infra/prod", line=9),
                  finding("c", source="plan.json", file=""), finding("hidden", source="infra/staging", suppressed="ok")],
        rules=discover()[0],
    )
    md = markdown.render(report)
    headings = re.findall(r"^### (.*)$", md, re.M)
    assert headings == ["<code>infra/prod</code>: 2 findings", "<code>plan.json</code>: 1 finding"]
    assert [row[0] for row in cells(to_html(md))] == ["main.tf:3", "main.tf:9", "plan.json"]
    assert "No findings in <code>infra/staging</code>." in md
    assert "1 suppressed" in md and "hidden" not in md


def test_markdown_never_calls_an_input_with_an_input_error_clean() -> None:
    """A directory whose file does not parse has a VPCEP000 finding on that file, not on the
    directory: it is not listed under "No findings", the directory beside it is."""
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(main, ["fixtures/VPCEP000/bad/syntax-stray-brace", "fixtures/VPCEP008/good/same-region",
                                           "-f", "markdown"])
    finally:
        os.chdir(old)
    assert result.exit_code == 2
    assert "<code>fixtures/VPCEP000/bad/syntax-stray-brace/main.tf</code>: 1 finding" in result.stdout
    [clean] = re.findall(r"^No findings in (.*)\.$", result.stdout, re.M)
    assert clean == "<code>fixtures/VPCEP008/good/same-region</code>"


HOSTILE = [
    "a | b || c",
    "<script>alert(1)</script><img src=x onerror=alert(2)>",
    "`code` ``x`` ```",
    "line one\nline two\r\n| --- |\n# heading",
    "**bold** _em_ ~~strike~~ [link](https://evil.example) ![img](https://evil.example/x.png)",
    "$x^2$ and $$\\int$$ and @octocat and @org/team and &amp; &#60; and a@b.example and www.evil.example",
    "\\| \\` ending backslash \\",
    "<!-- comment --> </td></tr></table>",
]


@pytest.mark.parametrize("message", HOSTILE)
def test_markdown_shows_hostile_text_as_written_and_nothing_else(message: str) -> None:
    unchecked = Unchecked("value", message, message, file=message + ".tf", line=3, address=message)
    report = Report(findings=[finding(message, address=message, file=message + ".tf", source=message)],
                    inputs=[InputInfo(message, "hcl", 1, 1)], unchecked=[unchecked], rules=discover()[0])
    md = markdown.render(report)
    page = to_html(md)
    assert "<script" not in page and "<img" not in page and "<em" not in page
    assert page.count("<strong>") == 1  # the summary line's own
    assert "<del" not in page and "<h1" not in page and "<!--" not in page and "<pre" not in page
    links = re.findall(r"<a ([^>]*)>", page)
    docs = 'href="https://github.com/vpcep-lint/vpcep-lint/blob/main/docs/rules/VPCEP001.md"'
    assert links == [docs]  # not even a bare URL becomes a link
    from vpcep_lint.report.text import escape

    # control characters and line breaks as visible escapes (as in text output); no @mention
    visible = escape(message).replace("@", "@\u200b")
    [row] = cells(page)
    assert row == [f"{visible}.tf:3", "VPCEP001", "error", visible, visible]
    [item] = re.findall(r"<li>(.*?)</li>", page, re.S)
    raw = f"{message}.tf:3: {message}: {message} [{message}]"
    assert html.unescape(re.sub(r"</?a[^>]*>", "", item)) == escape(raw).replace("@", "@\u200b")


def test_markdown_lists_what_was_not_checked(tmp_path: Path) -> None:
    d = tmp_path / "root"
    d.mkdir()
    (d / "main.tf").write_text((EXAMPLE / "main.tf").read_text()
                               + '\nmodule "net" {\n  source = "git::https://example.com/net.git"\n}\n')
    result = run(".", "-f", "markdown", cwd=d)
    assert result.exit_code == 1
    section = result.stdout.split("### Not checked\n", 1)[1]
    [item] = [line for line in section.splitlines() if "net" in line]
    line = len((EXAMPLE / "main.tf").read_text().splitlines()) + 2
    assert html.unescape(item.replace("\\", "")) == (
        f"- main.tf:{line}: module 'net' (source 'git::https://example.com/net.git'): "
        "not local and not downloaded (run terraform init to lint it); not followed")


def test_markdown_is_capped_and_says_how_much_it_left_out() -> None:
    n = 3000
    report = Report(
        inputs=[InputInfo(f"root{i:02d}", "hcl", 1) for i in range(30)],
        findings=[finding("x" * 2000 if i == 0 else f"finding {i}", source=f"root{i % 30:02d}", line=i + 1) for i in range(n)],
        unchecked=[Unchecked("value", f"note {i}", "not known") for i in range(400)],
        rules=discover()[0],
    )
    md = markdown.render(report)
    assert len(md) <= 65536
    shown = len(cells(to_html(md)))
    assert 100 < shown < n
    assert f"… and {n - shown} more findings not shown here" in md
    assert "- … and 350 more (the JSON report lists every item)" in md
    assert "x" * 499 + "…" in md and "x" * 500 not in md  # a message is cut at 500 characters


def test_markdown_names_internal_errors() -> None:
    from vpcep_lint.engine import RuleCrash

    report = Report(crashes=[RuleCrash("VPCEP001", "infra", "KeyError: 'x'")])
    md = markdown.render(report)
    assert "### Errors in vpcep-lint or a plugin" in md and "KeyError: 'x'" in md


def test_markdown_has_one_place_for_diagrams(monkeypatch: pytest.MonkeyPatch) -> None:
    """Diagrams (Mermaid) go under their input's table, inside the size budget."""
    monkeypatch.setattr(markdown, "diagrams", lambda report, source, options, budget: ["```mermaid", f"graph LR; {source}", "```", ""])
    md = markdown.render(Report(findings=[finding(source="a"), finding(source="b")]))
    assert md.index("graph LR; a") < md.index("### <code>b</code>") < md.index("graph LR; b")


# -- output files: never over an input, never a hang, never truncated ------------------------------

OUTPUT_FORMS = {
    "-o": lambda path: ["-f", "json", "-o", path],
    "FORMAT=FILE": lambda path: ["-f", "sarif=" + path],
    "--write-baseline": lambda path: ["--write-baseline", path],
}
WHAT = {"-o": "the json report", "FORMAT=FILE": "the sarif report", "--write-baseline": "baseline"}


@pytest.mark.parametrize("form", OUTPUT_FORMS)
@pytest.mark.parametrize(
    "inputs,target,reason",
    [
        pytest.param(["main.tf"], "main.tf", "it is one of the inputs", id="the-input-tf"),
        pytest.param(["plan.json"], "plan.json", "it is one of the inputs", id="the-input-plan"),
        pytest.param(["state.json", "."], "./state.json", "it is one of the inputs", id="the-input-state"),
        pytest.param(["."], "sub/extra.tf", "Terraform file", id="a-tf-in-an-input-dir"),
        pytest.param(["."], "terraform.tfvars", "Terraform file", id="a-tfvars-in-an-input-dir"),
        pytest.param(["."], "vars.auto.tfvars.json", "Terraform file", id="a-tfvars-json"),
        pytest.param(["."], ".terraform/modules/modules.json", "under a .terraform directory", id="terraform-dir"),
        pytest.param(["link.json"], "link.json", "it is one of the inputs", id="a-link-to-the-input"),
        pytest.param(["link.json"], "plan.json", "it is one of the inputs", id="the-target-of-an-input-link"),
        pytest.param([".", "--config", "ci.toml"], "ci.toml", "the configuration in force", id="the-config"),
    ],
)
def test_an_output_is_never_written_over_something_the_run_reads(
        example: Path, form: str, inputs: list[str], target: str, reason: str) -> None:
    (example / "sub").mkdir()
    (example / "sub" / "extra.tf").write_text("# a file of the configuration\n")
    (example / "terraform.tfvars").write_text('region = "cn-north-4"\n')
    (example / ".terraform" / "modules").mkdir(parents=True)
    (example / ".terraform" / "modules" / "modules.json").write_text('{"Modules": []}\n')
    (example / "link.json").symlink_to("plan.json")
    (example / "ci.toml").write_text('fail-on = "error"\n')
    before = {p: p.read_bytes() for p in example.rglob("*") if p.is_file()}
    result = run(*inputs, *OUTPUT_FORMS[form](target), cwd=example)
    one_error_line(result, f"{target}: cannot write", reason)
    assert result.stdout == ""  # refused before anything was linted
    assert {p: p.read_bytes() for p in example.rglob("*") if p.is_file()} == before
    assert (example / "link.json").is_symlink()


def test_write_baseline_may_refresh_the_baseline_it_reads_but_a_report_may_not(example: Path) -> None:
    assert run(".", "--write-baseline", "b.json", cwd=example).exit_code == 1
    base = json.loads((example / "b.json").read_text())
    assert len(base["findings"]) == 2
    result = run(".", "--baseline", "b.json", "-f", "json=b.json", cwd=example)
    one_error_line(result, "b.json: cannot write the json report: it is the baseline read")
    result = run(".", "--baseline", "b.json", "--write-baseline", "b.json", cwd=example)
    assert result.exit_code == 0, result.stderr  # nothing new, and the baseline rewritten
    assert json.loads((example / "b.json").read_text())["findings"] == base["findings"]


@pytest.mark.parametrize("form", OUTPUT_FORMS)
def test_an_output_into_a_missing_directory_is_one_line_exit_2(example: Path, form: str) -> None:
    result = run(".", *OUTPUT_FORMS[form]("no/such/dir/report.out"), cwd=example)
    one_error_line(result, "no/such/dir/report.out: cannot write", "directory no/such/dir does not exist")
    result = run(".", *OUTPUT_FORMS[form]("main.tf/report.out"), cwd=example)
    one_error_line(result, "main.tf/report.out: cannot write", "main.tf is not a directory")
    (example / "adir").mkdir()
    result = run(".", *OUTPUT_FORMS[form]("adir"), cwd=example)
    one_error_line(result, "adir: cannot write", "it is a directory")


def cli(args: list[str], cwd: Path, timeout: float = 60, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vpcep_lint.cli", *args, "--no-cache"], cwd=cwd, text=True,
                          capture_output="stdout" not in kw, timeout=timeout, check=False, **kw)


@pytest.mark.parametrize("form", OUTPUT_FORMS)
def test_an_output_that_is_a_fifo_or_a_device_is_refused_not_a_hang(example: Path, form: str) -> None:
    os.mkfifo(example / "fifo")
    for target in ["fifo", "/dev/full", "/dev/null"]:
        if not os.path.exists(target if target.startswith("/") else example / target):
            continue
        result = cli([".", *OUTPUT_FORMS[form](target)], example, timeout=60)  # a hang would raise TimeoutExpired
        assert result.returncode == 2, result.stderr
        assert result.stderr == (f"vpcep-lint: error: {target}: cannot write {WHAT[form]}: not a regular file "
                                 "(a FIFO, device or socket); write to a regular file or to standard output\n")
    assert stat.S_ISFIFO(os.stat(example / "fifo").st_mode)


@pytest.mark.parametrize("form", ["FORMAT=FILE", "--write-baseline"])
def test_a_full_disk_is_one_line_exit_2_and_the_old_file_stays_whole(
        example: Path, monkeypatch: pytest.MonkeyPatch, form: str) -> None:
    old = "the complete report of an earlier run\n" * 100
    (example / "out.json").write_text(old)

    def half_then_full(fd: int, data: memoryview) -> int:
        if len(data) > 10:
            return os.write(fd, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(outputs, "_write", half_then_full)
    args = ["-f", "json=out.json"] if form == "FORMAT=FILE" else ["--write-baseline", "out.json"]
    result = run(".", *args, cwd=example)
    one_error_line(result, "out.json: cannot write", "No space left on device")
    assert (example / "out.json").read_text() == old
    assert sorted(p.name for p in example.iterdir()) == sorted([*(p.name for p in EXAMPLE.iterdir()), "out.json"])


def test_a_file_size_limit_met_while_writing_leaves_the_old_report(example: Path) -> None:
    """A real failing write (the OS refuses past RLIMIT_FSIZE, as a full device would): no partial file."""
    resource = pytest.importorskip("resource")
    old = "old sarif\n"
    (example / "r.sarif").write_text(old)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    result = cli([".", "-f", "sarif=r.sarif", "-f", "text"], example, preexec_fn=limit)
    assert result.returncode == 2, result.stderr
    assert result.stderr == "vpcep-lint: error: r.sarif: cannot write the sarif report: File too large\n"
    assert result.stdout.endswith("2 findings (2 errors) in 1 root\n")  # the other output still written
    assert (example / "r.sarif").read_text() == old
    assert [p.name for p in example.iterdir() if p.name.endswith(".tmp")] == []


def test_standard_output_on_a_full_device_is_one_line_exit_2(example: Path) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    with open("/dev/full", "w") as full:
        result = cli([".", "-f", "json"], example, stdout=full, stderr=subprocess.PIPE)
    assert result.returncode == 2
    assert result.stderr == "vpcep-lint: error: standard output: cannot write the report: No space left on device\n"


def test_a_run_that_stops_before_reporting_leaves_the_old_files(example: Path) -> None:
    (example / "r.json").write_text("yesterday\n")
    (example / "bad-baseline.json").write_text("[1, 2]\n")
    result = run(".", "--baseline", "bad-baseline.json", "-f", "json=r.json", "--write-baseline", "b2.json", cwd=example)
    assert result.exit_code == 2
    assert (example / "r.json").read_text() == "yesterday\n" and not (example / "b2.json").exists()


def test_a_written_file_has_ordinary_permissions_and_a_link_stays_a_link(example: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        assert run(".", "-f", "json=new.json", cwd=example).exit_code == 1
        assert stat.S_IMODE(os.stat(example / "new.json").st_mode) == 0o644  # not the 0600 of a temporary file
        (example / "kept.json").write_text("{}")
        os.chmod(example / "kept.json", 0o640)
        (example / "reports").mkdir()
        (example / "reports" / "r.sarif").write_text("old")
        (example / "latest.sarif").symlink_to("reports/r.sarif")
        assert run(".", "-f", "json=kept.json", "-f", "sarif=latest.sarif", cwd=example).exit_code == 1
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(os.stat(example / "kept.json").st_mode) == 0o640
    assert (example / "latest.sarif").is_symlink()
    assert json.loads((example / "reports" / "r.sarif").read_text())["version"] == "2.1.0"
