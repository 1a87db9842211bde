"""Resolving PATH arguments to content files: every file, or a message saying what could not be searched."""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from immunopipe.paths import DiscoveryError, LinkOutside, MissingPath, Unsearchable, find_content_files

SEED_ID = "immune-system-medicine"
SECOND_ID = "second-article"


def test_find_content_files_recurses_and_rejects_missing(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("b.yaml", "a.yml", "sub/c.yaml", "notes.txt"):
        (tmp_path / name).write_text("x: 1\n")
    found = find_content_files([tmp_path, tmp_path / "b.yaml"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.yml", "b.yaml", "sub/c.yaml"]
    with pytest.raises(MissingPath):
        find_content_files([tmp_path / "nope"])


def test_links_inside_the_folder_are_followed_once(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.yaml").write_text("x: 1\n")
    (tmp_path / "alias").symlink_to("real")
    (tmp_path / "b.yaml").symlink_to("real/a.yaml")
    found = find_content_files([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["b.yaml", "real/a.yaml"]


#: Each way a content folder can hide files from a search, made inside ``content/sub``.
def _link_loop(sub: Path) -> None:
    (sub / "loop.yaml").symlink_to("loop.yaml")


def _folder_loop(sub: Path) -> None:
    (sub / "here").symlink_to("there")
    (sub / "there").symlink_to("here")


def _dangling(sub: Path) -> None:
    (sub / "moved.yaml").symlink_to("nowhere.yaml")


def _fifo(sub: Path) -> None:
    os.mkfifo(sub / "pipe.yaml")


def _folder_outside(sub: Path) -> None:
    outside = sub.parents[1] / "elsewhere"
    outside.mkdir()
    (outside / "more.yaml").write_text("x: 1\n")
    (sub / "more").symlink_to(outside)


def _too_long(sub: Path) -> None:
    """Nested folders whose path is longer than the system allows (each name is fine alone)."""
    here = os.getcwd()
    os.chdir(sub)
    try:
        for level in range(20):
            name = f"{level:02d}" + "d" * 240
            os.mkdir(name)
            os.chdir(name)
        Path("deep.yaml").write_text("x: 1\n")
    finally:
        os.chdir(here)


HIDING: dict[str, tuple[Callable[[Path], None], str]] = {
    "link-loop": (_link_loop, "Error: cannot follow content/sub/loop.yaml: a link loop"),
    "folder-link-loop": (_folder_loop, "Error: cannot follow content/sub/here: a link loop"),
    "dangling-link": (_dangling, "Error: cannot follow content/sub/moved.yaml: a link to a missing file"),
    "fifo": (_fifo, "Error: content/sub/pipe.yaml is not a regular file; rename it or move it out of content"),
    "folder-link-outside": (
        _folder_outside,
        "Error: refusing to read content/sub/more: it is a link to a folder outside content",
    ),
    "name-too-long": (_too_long, "Error: cannot search content/sub/00ddd"),
}


@pytest.mark.parametrize("case", list(HIDING))
def test_nothing_under_a_path_is_skipped_silently(tmp_path: Path, case: str) -> None:
    sub = tmp_path / "content" / "sub"
    sub.mkdir(parents=True)
    HIDING[case][0](sub)
    with pytest.raises(DiscoveryError):
        find_content_files([tmp_path / "content"])


def test_a_folder_that_vanishes_while_searched_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sub").mkdir()
    real_scandir = os.scandir

    def vanishing(path: object) -> object:
        if str(path).endswith("sub"):
            os.rmdir(str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", vanishing)
    with pytest.raises(Unsearchable, match="sub vanished while the content was searched"):
        find_content_files([tmp_path])


def test_a_folder_without_permission_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "locked").mkdir()
    if os.geteuid() != 0:
        (tmp_path / "locked").chmod(0)
    else:  # root reads every folder: refuse it the way the system would
        real_scandir = os.scandir

        def refusing(path: object) -> object:
            if str(path).endswith("locked"):
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real_scandir(path)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "scandir", refusing)
    try:
        with pytest.raises(Unsearchable, match=r"cannot search .*locked: Permission denied; fix its permissions"):
            find_content_files([tmp_path])
    finally:
        (tmp_path / "locked").chmod(0o755)


def test_a_file_linking_outside_is_refused(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "secret.yaml").write_text("API_KEY: x\n")
    (tmp_path / "content" / "a.yaml").symlink_to(tmp_path / "secret.yaml")
    with pytest.raises(LinkOutside, match="a link to a file outside"):
        find_content_files([tmp_path / "content"])


@pytest.mark.parametrize(("make", "message"), [(os.mkfifo, "is not a regular file or a folder")])
def test_a_path_that_is_neither_file_nor_folder_is_refused(
    tmp_path: Path, make: Callable[[Path], None], message: str
) -> None:
    make(tmp_path / "pipe.yaml")
    with pytest.raises(Unsearchable, match=message):
        find_content_files([tmp_path / "pipe.yaml"])


# --- through the installed command line: incomplete discovery never turns into deletion ----------

IMMUNOPIPE = Path(sys.executable).with_name("immunopipe")

#: Runs the real command line with os.scandir refusing one folder, as the system does without permission.
REFUSING = """
import errno, os, sys
from immunopipe.cli import main
real_scandir = os.scandir
def refusing(path):
    if os.path.basename(str(path)) == "sub":
        raise PermissionError(errno.EACCES, "Permission denied", str(path))
    return real_scandir(path)
os.scandir = refusing
main(sys.argv[1:])
"""


def checksums(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def library(tmp_path: Path, seed_text: str) -> Path:
    """content/ with one article at the top and one in content/sub, exported once to exports/."""
    (tmp_path / "content" / "sub").mkdir(parents=True)
    (tmp_path / "content" / f"{SEED_ID}.yaml").write_text(seed_text, encoding="utf-8")
    second = seed_text.replace(f"\nid: {SEED_ID}\n", f"\nid: {SECOND_ID}\n")
    (tmp_path / "content" / "sub" / f"{SECOND_ID}.yaml").write_text(second, encoding="utf-8")
    done = subprocess.run(
        [IMMUNOPIPE, "export", "--to", "json", "--to", "csv"], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return tmp_path


def one_error(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


@pytest.mark.slow
@pytest.mark.parametrize("case", [*HIDING, "permission-denied"])
def test_an_export_with_prune_after_an_incomplete_search_stops_and_removes_nothing(library: Path, case: str) -> None:
    command = [str(IMMUNOPIPE)]
    if case == "permission-denied":
        command = [sys.executable, "-c", REFUSING]
        expected = "Error: cannot search content/sub: Permission denied; fix its permissions or leave it out of PATH"
    else:
        HIDING[case][0](library / "content" / "sub")
        expected = HIDING[case][1]
    before = checksums(library / "exports")
    for subcommand in (["validate"], ["export", "--prune", "--to", "json", "--to", "csv"]):
        result = subprocess.run([*command, *subcommand], cwd=library, capture_output=True, text=True, timeout=120)
        assert result.returncode == 2, result.stderr
        assert one_error(result).startswith(expected)
        assert result.stdout == ""
    assert checksums(library / "exports") == before


def test_links_that_are_not_content_are_left_alone(tmp_path: Path) -> None:
    """A virtual environment's interpreter links out of the folder, an editor's lock file to nothing."""
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    (tmp_path / "venv" / "bin" / "python").symlink_to(sys.executable)
    (tmp_path / "venv" / "lib64").symlink_to("bin")
    (tmp_path / ".#draft").symlink_to("someone@host.1234")
    (tmp_path / "a.yaml").write_text("x: 1\n")
    assert find_content_files([tmp_path]) == [tmp_path / "a.yaml"]
