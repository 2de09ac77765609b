"""Shared fixtures: the repository's paths and the command-line binary that
the bindings are compared with."""

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "corpus" / "sample" / "input"


@pytest.fixture(scope="session")
def cli():
    """The `boilerstrip` binary: $BOILERSTRIP_BIN, else the repository's
    release build, else its debug build. Absent, the comparison tests fail
    (they are the point of this suite): build it with `cargo build --release`."""
    given = os.environ.get("BOILERSTRIP_BIN")
    candidates = [Path(given)] if given else [
        REPO / "target" / "release" / "boilerstrip",
        REPO / "target" / "debug" / "boilerstrip",
    ]
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    pytest.fail(
        "no boilerstrip binary at "
        + ", ".join(str(c) for c in candidates)
        + ": run `cargo build --release` or set BOILERSTRIP_BIN"
    )


def run_cli(cli, *args, **kw):
    """Runs the binary and returns its standard output as bytes; a non-zero
    exit fails the test with its standard error."""
    p = subprocess.run([str(cli), *map(str, args)], capture_output=True, **kw)
    assert p.returncode == 0, p.stderr.decode(errors="replace")
    return p.stdout


def assert_explain_matches(shown, lines):
    """`clean --explain`'s output `shown` (bytes) for one page against
    `boilerstrip.explain`'s `lines` for it: a row for each line, with the
    same verdict, score to two decimals and cause."""
    rows = [r for r in shown.decode().splitlines() if r[:4] in ("KEEP", "DROP")]
    assert len(rows) == len(lines)
    for row, (keep, score, cause, _) in zip(rows, lines):
        mark, s, rest = row.split(None, 2)
        assert (mark == "KEEP") == keep
        assert s == f"{score:.2f}"
        assert rest.split(" | ")[0].rstrip() == cause


def tree(root):
    """Every file under `root` by its relative path, with its bytes."""
    root = Path(root)
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def sample_corpus():
    """The sample corpus as the command line sees it: (relative path, site,
    bytes) per file, in its order."""
    files = sorted(SAMPLE.rglob("*.txt"))
    assert len(files) >= 10, "the sample corpus is there"
    return [(str(f.relative_to(SAMPLE)), f.parent.name, f.read_bytes()) for f in files]
