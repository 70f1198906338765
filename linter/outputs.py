"""Where reports go: `-f FORMAT[=FILE]` and `-o FILE`, the outputs refused, and the safe writer.

Rules (docs/workflow.md, "Several outputs"):
- `-f FORMAT` (repeatable) writes FORMAT to standard output, `-f FORMAT=FILE` to FILE; `FILE` `-`
  is standard output. No `-f` at all means `text`.
- At most one output goes to standard output, and no two outputs name the same file.
- `-o FILE` is the file of a single `-f FORMAT` (the form every earlier version took).

Every file is checked before anything is linted, and refused (exit 2, one line) when it is an input,
the configuration or baseline in force, a Terraform file, a path under `.terraform/`, a directory, a
FIFO or another special file, or lies in a directory that does not exist. It is then written to a
temporary file in its directory and renamed over the old one only once complete: a run that stops
early, or a full disk, leaves the old file as it was.
"""
from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Iterable, Sequence

from .records import record

TERRAFORM_SUFFIXES = (".tf", ".tf.json", ".tfvars", ".tfvars.json")


class OutputUsageError(ValueError):
    """A `-f`/`-o` combination that does not say where each report goes (a usage error)."""


class OutputError(Exception):
    """An output path refused, or a write that failed: one line, exit code 2."""


@record(frozen=True)
class Output:
    format: str
    path: str | None
    """None: standard output."""


def plan(formats: Sequence[str], output: str | None, known: Iterable[str]) -> list[Output]:
    """The outputs of a run, from the `-f` values and `-o`; OutputUsageError when ambiguous."""
    known = set(known)
    specs = list(formats) or ["text"]
    if output == "":
        raise OutputUsageError("-o/--output: an empty file name")
    if output is not None and len(specs) > 1:
        raise OutputUsageError(
            "-o/--output is the file of a single --format; with several, give each its file: --format FORMAT=FILE"
        )
    outputs = [_output(spec, output, known) for spec in specs]
    if sum(1 for o in outputs if o.path is None) > 1:
        raise OutputUsageError("only one format can go to standard output; give the others a file: "
                               "--format FORMAT=FILE")
    seen: dict[str, str] = {}
    for o in outputs:
        if o.path is None:
            continue
        real = os.path.realpath(o.path)
        if real in seen:
            raise OutputUsageError(f"{seen[real]} and {o.path} are the same file: each output needs its own")
        seen[real] = o.path
    return outputs


def _output(spec: str, output: str | None, known: set[str]) -> Output:
    """One `-f FORMAT[=FILE]`, to FILE, else to `-o`, else to standard output."""
    name, has_file, file = spec.partition("=")
    name = name.strip().lower()
    if not known:
        raise OutputUsageError("no format is registered: reinstall vpcep-lint (pip install .) "
                               "to write its entry points")
    if name not in known:
        raise OutputUsageError(f"unknown format {name!r} in --format {spec!r}; "
                               f"available: {', '.join(sorted(known))}")
    if has_file and not file:
        raise OutputUsageError(
            f"--format {spec!r}: no file after '='; write --format {name}=FILE, or {name}=- for standard output"
        )
    if has_file and output is not None:
        raise OutputUsageError(f"--format {spec!r} and -o {output!r} both name a file; use one of them")
    path = file if has_file else output
    return Output(name, None if path in (None, "-") else path)


@record
class Protected:
    """Files a run reads, which no output may replace."""

    files: dict[str, str]
    """Real path -> what it is (`an input`, `the configuration in force`, ...)."""

    @classmethod
    def of(cls, inputs: Iterable[str], **named: Iterable[str | None]) -> Protected:
        files: dict[str, str] = {}
        for what, paths in named.items():
            for p in paths:
                if p:
                    files.setdefault(os.path.realpath(p), what.replace("_", " "))
        for p in inputs:
            if p != "-" and os.path.lexists(p) and not os.path.isdir(p):
                files[os.path.realpath(p)] = "one of the inputs"
        return cls(files)


def check(path: str, what: str, protected: Protected) -> None:
    """Refuse an output path (OutputError) that would destroy something read, or cannot be written."""
    def refuse(reason: str) -> OutputError:
        return OutputError(f"{path}: cannot write {what}: {reason}")

    real = os.path.realpath(path)
    if real in protected.files:
        raise refuse(f"it is {protected.files[real]}; refusing to overwrite it")
    if real.endswith(TERRAFORM_SUFFIXES) or os.path.basename(path).endswith(TERRAFORM_SUFFIXES):
        raise refuse("it is a Terraform file name (.tf, .tf.json, .tfvars); a report never goes there")
    if ".terraform" in real.split(os.sep):
        raise refuse("it is under a .terraform directory, which Terraform and vpcep-lint read")
    directory = os.path.dirname(real)
    if not os.path.exists(directory):
        raise refuse(f"directory {os.path.dirname(path) or directory} does not exist")
    if not os.path.isdir(directory):
        raise refuse(f"{os.path.dirname(path) or directory} is not a directory")
    problem = _existing_file_problem(real)
    if problem is not None:
        raise refuse(problem)
    if not os.access(directory, os.W_OK | os.X_OK):
        raise refuse(f"no permission to create files in {os.path.dirname(path) or directory}")


def _existing_file_problem(real: str) -> str | None:
    """Why the file already at `real` cannot be replaced by a report; None when it can (or is absent)."""
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return exc.strerror or str(exc)
    if stat.S_ISDIR(st.st_mode):
        return "it is a directory"
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file (a FIFO, device or socket); write to a regular file or to standard output"
    if not os.access(real, os.W_OK):
        return "the file is read-only"
    return None


def _write(fd: int, data: memoryview) -> int:
    return os.write(fd, data)


def _mode(real: str) -> int:
    try:
        return stat.S_IMODE(os.stat(real).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: str, text: str, what: str = "report") -> None:
    """Write `text` (UTF-8, `\\n` line ends) to `path`: a temporary file in the same directory,
    renamed over `path` only once complete. A symbolic link is kept and its target replaced."""
    data = text.encode("utf-8")
    real = os.path.realpath(path)
    directory = os.path.dirname(real)
    try:
        import tempfile  # here: a run that writes no file does not import it

        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(real)}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write {what}: {exc.strerror or exc}") from None
    try:
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, _mode(real))
            view = memoryview(data)
            while view:
                n = _write(fd, view)
                if n <= 0:
                    raise OSError(errno.EIO, "write returned no progress")
                view = view[n:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, real)
    except OSError as exc:
        _unlink(tmp)
        raise OutputError(f"{path}: cannot write {what}: {exc.strerror or exc}") from None
    except BaseException:
        _unlink(tmp)
        raise


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def write_stdout(text: str) -> None:
    """Write to standard output; a full device or a closed pipe is an OutputError, not a traceback."""
    import click

    try:
        click.echo(text, nl=False)
    except OSError as exc:
        _discard_stdout()
        raise OutputError(f"standard output: cannot write the report: {exc.strerror or exc}") from None


def _discard_stdout() -> None:
    """After a failed write: point fd 1 at /dev/null, so the interpreter's last flush cannot fail too."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError, AttributeError):  # no real file descriptor (a test runner's stream)
        pass
