"""Entry points and versions read from the distributions' folders give what `importlib.metadata`
gives: the same entry points of the same distributions, the first of a name on `sys.path`."""
from __future__ import annotations

import importlib.metadata as metadata
import os
import sys
import zipfile
from pathlib import Path

import pytest

from vpcep_lint import installed


def seen(points: object) -> list[tuple[str, str, str, str]]:
    return sorted((e.group, e.name, e.value, e.dist.name) for e in points)  # type: ignore[attr-defined]


def dist(root: Path, folder: str, name: str, version: str, entry_points: str | None) -> None:
    info = root / folder
    info.mkdir(parents=True)
    kind = "PKG-INFO" if folder.endswith(".egg-info") else "METADATA"
    (info / kind).write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nName: not-a-header\n")
    if entry_points is not None:
        (info / "entry_points.txt").write_text(entry_points)


@pytest.mark.parametrize("group", ["vpcep_lint.rules", "vpcep_lint.formatters", "console_scripts"])
def test_the_environment_s_entry_points_are_importlib_metadata_s(group: str) -> None:
    assert seen(installed.entry_points(group)) == seen(metadata.entry_points(group=group))
    assert installed.entry_points("vpcep_lint.rules"), "the built-in rules are registered"


def test_first_distribution_of_a_name_wins_and_the_file_reads_as_importlib_reads_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    dist(first, "acme_rules-1.0.dist-info", "acme-rules", "1.0",
         "# a comment\n; another\nstray = before:any_section\n\n[vpcep_lint.rules]\n"
         "  ACME001 =  acme_rules.one:RuleOne  \nACME002=acme_rules:Two [extra]\n[console_scripts]\nacme = acme_rules:main\n")
    dist(second, "Acme.Rules-2.0.dist-info", "Acme.Rules", "2.0", "[vpcep_lint.rules]\nACME009 = shadowed:Rule\n")
    dist(second, "old_style-0.3.egg-info", "old-style", "0.3", "[vpcep_lint.formatters]\nold = old_style:render\n")
    dist(second, "no_points-5.dist-info", "no-points", "5", None)
    monkeypatch.setattr(sys, "path", [str(first), str(tmp_path / "missing"), str(second)])
    for group in ("vpcep_lint.rules", "vpcep_lint.formatters", "console_scripts"):
        assert seen(installed.entry_points(group)) == seen(metadata.entry_points(group=group))
    assert seen(installed.entry_points("vpcep_lint.rules")) == [
        ("vpcep_lint.rules", "ACME001", "acme_rules.one:RuleOne", "acme-rules"),
        ("vpcep_lint.rules", "ACME002", "acme_rules:Two [extra]", "acme-rules"),
    ]
    for name in ("acme-rules", "ACME_rules", "old-style", "no-points", "absent"):
        want = None if name == "absent" else metadata.version(name)
        assert installed.version(name) == want


def test_a_line_that_is_not_name_equals_value_declares_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dist(tmp_path, "odd-1.dist-info", "odd", "1", "[vpcep_lint.rules]\nno equals sign here\nODD001 = odd:Rule\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    assert [(e.name, e.value) for e in installed.entry_points("vpcep_lint.rules")] == [("ODD001", "odd:Rule")]


def test_load_imports_the_module_and_follows_the_attributes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "acme_points_pkg.py").write_text("class Outer:\n    class Inner:\n        pass\n")
    dist(tmp_path, "acme_points-1.dist-info", "acme-points", "1",
         "[vpcep_lint.formatters]\ninner = acme_points_pkg:Outer.Inner [fast]\nbroken = not a value!\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    points = {e.name: e for e in installed.entry_points("vpcep_lint.formatters")}
    assert points["inner"].load().__qualname__ == "Outer.Inner"
    with pytest.raises(ValueError, match="not module:attribute"):
        points["broken"].load()


def test_a_zip_file_on_the_path_is_left_to_importlib_metadata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "plugins.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("zipped-1.dist-info/METADATA", "Metadata-Version: 2.1\nName: zipped\nVersion: 1\n")
        zf.writestr("zipped-1.dist-info/entry_points.txt", "[vpcep_lint.rules]\nZIP001 = zipped:Rule\n")
    monkeypatch.setattr(sys, "path", [str(archive)])
    points = installed.entry_points("vpcep_lint.rules")
    assert [(e.name, e.value) for e in points] == [("ZIP001", "zipped:Rule")]
    assert installed.version("zipped") == "1"


def test_a_distribution_installed_while_the_process_runs_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    assert installed.entry_points("vpcep_lint.rules") == []
    before = tmp_path.stat().st_mtime_ns
    dist(tmp_path, "late-1.dist-info", "late", "1", "[vpcep_lint.rules]\nLATE001 = late:Rule\n")
    os.utime(tmp_path, ns=(before + 10**9, before + 10**9))  # a clock coarser than the test: the folder changed
    assert [e.name for e in installed.entry_points("vpcep_lint.rules")] == ["LATE001"]
