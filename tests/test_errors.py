"""The one error boundary, tried through the installed command line.

Every case runs the real ``immunopipe`` script in a fresh folder holding the seed article, a
folder of files the user owns and (where it matters) an earlier export, and asserts the exit
code, the one line on stderr, that no traceback reaches the user, and that no file changed.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from immunopipe import errors
from immunopipe.article_schema import SchemaUnavailable
from immunopipe.config import ConfigError
from immunopipe.errors import EXIT_BUG, EXIT_INVALID, EXIT_OK, EXIT_USAGE, ImmunopipeError
from immunopipe.export import FormatUnavailable, UnsafeName
from immunopipe.export.pdf import PdfRenderError, UnknownPaper
from immunopipe.files.manifest import OwnershipError
from immunopipe.files.write import WriteError
from immunopipe.fonts import FontUnavailable
from immunopipe.paths import DiscoveryError, LinkOutside, MissingPath, Unsearchable
from immunopipe.review.session import ReviewProblem
from immunopipe.scaffold import ScaffoldError
from immunopipe.schemas import SchemaFileUnavailable
from immunopipe.translation.refresh import RefreshError
from immunopipe.translation.scripts import TypefaceMissing, UnsupportedScript
from immunopipe.validate.baseline import BaselineError
from immunopipe.validate.runner import ContentChanged, NotAsValidated

SCRIPT = Path(sys.executable).with_name("immunopipe")
SEED_NAME = "immune-system-medicine.yaml"


def cli(folder: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed ``immunopipe`` in ``folder``."""
    return subprocess.run(
        [str(SCRIPT), *args], cwd=folder, capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})}
    )


def checksums(root: Path) -> dict[str, str]:
    """SHA-256 of every file of the user's under ``root`` (not immunopipe's cache; links not followed)."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and ".immunopipe-cache" not in path.parts:
            found[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def assert_one_error_line(result: subprocess.CompletedProcess[str], code: int, pattern: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert re.search(pattern, lines[0]), lines[0]


@pytest.fixture
def project(tmp_path: Path, seed_text: str) -> Path:
    """A working folder: content/ with the seed article, an earlier export and files of the user's."""
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / SEED_NAME).write_text(seed_text, encoding="utf-8")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("the user's own notes\n", encoding="utf-8")
    (mine / "settings.json").write_text("{}\n", encoding="utf-8")
    assert cli(tmp_path, "export", "--to", "json", "--to", "csv", "-q").returncode == EXIT_OK
    return tmp_path


def test_every_user_facing_error_has_the_one_base_class() -> None:
    user_errors = [
        ConfigError,
        ContentChanged,
        FormatUnavailable,
        DiscoveryError,
        FontUnavailable,
        LinkOutside,
        MissingPath,
        NotAsValidated,
        OwnershipError,
        Unsearchable,
        BaselineError,
        ReviewProblem,
        SchemaFileUnavailable,
        PdfRenderError,
        ScaffoldError,
        SchemaUnavailable,
        UnknownPaper,
        UnsafeName,
        WriteError,
        RefreshError,
        TypefaceMissing,
        UnsupportedScript,
    ]
    assert all(issubclass(error, ImmunopipeError) for error in user_errors)


def _duplicate_ids_with_the_rule_off(folder: Path, seed_text: str) -> list[str]:
    (folder / "content" / "copy.yaml").write_text(seed_text, encoding="utf-8")
    rules = 'duplicate-article-id = "off"\nid-matches-file = "off"\n'
    (folder / "pyproject.toml").write_text(f"[tool.immunopipe.rules]\n{rules}", encoding="utf-8")
    return ["export", "--to", "json"]


def _link_loop(folder: Path, _seed: str) -> list[str]:
    (folder / "content" / "a.yaml").symlink_to("b.yaml")
    (folder / "content" / "b.yaml").symlink_to("a.yaml")
    return ["validate"]


def _dangling_link(folder: Path, _seed: str) -> list[str]:
    (folder / "content" / "gone.yaml").symlink_to("nowhere.yaml")
    return ["export"]


def _path_too_long(folder: Path, _seed: str) -> list[str]:
    return ["validate", "/".join(["x" * 250] * 20)]


def _name_too_long(folder: Path, _seed: str) -> list[str]:
    return ["export", "--out", "o" * 300]


def _nul_in_out(folder: Path, _seed: str) -> list[str]:
    (folder / "pyproject.toml").write_text('[tool.immunopipe]\nout = "ex\\u0000ports"\n', encoding="utf-8")
    return ["export"]


def _nul_in_content(folder: Path, _seed: str) -> list[str]:
    (folder / "pyproject.toml").write_text('[tool.immunopipe]\ncontent = "con\\u0000tent"\n', encoding="utf-8")
    return ["validate"]


def _out_is_a_file(folder: Path, _seed: str) -> list[str]:
    return ["export", "--out", "mine/notes.txt"]


ENVIRONMENT_CASES: dict[str, tuple[Callable[[Path, str], list[str]], str]] = {
    "duplicate id with duplicate-article-id off": (_duplicate_ids_with_the_rule_off, r"used by two articles"),
    "symlink loop": (_link_loop, r"cannot follow content/[ab]\.yaml: a link loop"),
    "dangling link": (_dangling_link, r"cannot follow content/gone\.yaml: a link to a missing file"),
    "path longer than the system allows": (_path_too_long, r"File name too long"),
    "output folder name too long": (_name_too_long, r"File name too long"),
    "NUL byte in [tool.immunopipe] out": (_nul_in_out, r"'out' must be a folder name.*NUL"),
    "NUL byte in [tool.immunopipe] content": (_nul_in_content, r"'content' must be a folder name.*NUL"),
    "output folder is a file": (_out_is_a_file, r"notes\.txt"),
}


@pytest.mark.parametrize("case", ENVIRONMENT_CASES)
def test_environment_problems_are_one_line_exit_2_and_change_nothing(project: Path, seed_text: str, case: str) -> None:
    make, pattern = ENVIRONMENT_CASES[case]
    args = make(project, seed_text)
    before = checksums(project)
    result = cli(project, *args)
    assert_one_error_line(result, EXIT_USAGE, r"^Error: .*" + pattern)
    assert checksums(project) == before


def test_a_deleted_working_folder_is_one_line_exit_2(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    script = 'cd "$1" && rmdir "$1" && exec "$2" validate'
    result = subprocess.run(
        ["sh", "-c", script, "sh", str(gone), str(SCRIPT)], capture_output=True, text=True, timeout=60
    )
    assert_one_error_line(result, EXIT_USAGE, r"^Error: the folder immunopipe was started in no longer exists")


BUG = """
import sys
import immunopipe.validate.runner as runner
from immunopipe.cli import main

def broken(*args, **kwargs):
    raise KeyError("an invariant broke")

runner.check_file = broken
sys.argv[0] = "immunopipe"
main()
"""


@pytest.mark.parametrize("traceback_wanted", [False, True])
def test_a_bug_is_one_line_saying_so_with_its_own_exit_code(project: Path, traceback_wanted: bool) -> None:
    before = checksums(project)
    env = {**os.environ, errors.TRACEBACK_VARIABLE: "1" if traceback_wanted else "0"}
    result = subprocess.run(
        [sys.executable, "-c", BUG, "export", "--no-cache"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == EXIT_BUG != EXIT_INVALID
    last = result.stderr.splitlines()[-1]
    assert last.startswith("Bug: immunopipe ") and "KeyError" in last and errors.BUG_REPORTS in last
    assert ("Traceback" in result.stderr) is traceback_wanted
    if not traceback_wanted:
        assert len(result.stderr.splitlines()) == 1
    assert checksums(project) == before
