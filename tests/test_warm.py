"""Runs over unchanged files print the stored report: the same bytes as a full run, in every mode."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from immunopipe.cli import DEFAULT_CACHE_DIR, main
from immunopipe.validate import runner
from immunopipe.validate.warm import RUN_FILE

SEED_ID = "immune-system-medicine"


@pytest.fixture
def library(tmp_path: Path, seed_text: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Articles with warnings, one with a schema error, one YAML error and two sharing an id."""
    content = tmp_path / "content"
    content.mkdir()
    for number in range(4):
        text = seed_text.replace(f"\nid: {SEED_ID}\n", f"\nid: article-{number}\n")
        (content / f"article-{number}.yaml").write_text(text, "utf-8")
    (content / "twin.yaml").write_text(seed_text.replace(f"\nid: {SEED_ID}\n", "\nid: article-1\n"), "utf-8")
    (content / "broken.yaml").write_text("id: broken\nid: again\n", "utf-8")
    (content / "schema.yaml").write_text(seed_text.replace("reading_time_minutes: 3", "reading_time_minutes: x"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def report(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", *args], catch_exceptions=False)
    return result.exit_code, result.stdout


MODES = (("--format", "text"), ("--format", "json"), ("--format", "text", "--strict"), ("--format", "json", "--strict"))


@pytest.mark.parametrize("mode", MODES)
def test_reports_are_identical_cold_warm_and_in_one_or_two_processes(
    library: Path, mode: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    one_process = report(*mode, "--no-cache", "--jobs", "1")
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 2)
    two_processes = report(*mode, "--no-cache", "--jobs", "2")
    filling = report(*mode)
    warm = report(*mode)
    (library / DEFAULT_CACHE_DIR / RUN_FILE).unlink()
    per_file_cache = report(*mode)
    report("--format", "json" if "text" in mode else "text")  # stores the other format instead
    assert report(*mode) == one_process
    assert one_process[0] == 1
    assert "warning" in one_process[1] and "duplicate-article-id" in one_process[1]
    assert two_processes == one_process
    assert filling == one_process
    assert warm == one_process
    assert per_file_cache == one_process
    assert (library / DEFAULT_CACHE_DIR / RUN_FILE).is_file()


def test_a_warm_run_loads_no_schema_yaml_or_runner_module(library: Path) -> None:
    """The rule modules are loaded (they declare their settings) but never run; nothing heavier."""
    assert report()[0] == 1
    probe = (
        "import sys\n"
        "from immunopipe.cli import main\n"
        "try:\n"
        "    main(['validate'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('yaml', 'immunopipe.load', 'immunopipe.validate.schema', 'immunopipe.validate.runner',\n"
        "         'jsonschema_rs', 'jsonschema', 'weasyprint')\n"
        "print([name for name in heavy if name in sys.modules], file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=library, check=False)
    assert "error" in result.stdout
    assert result.stderr.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    "change",
    ["edit", "add", "remove", "rename", "configure"],
)
def test_any_change_is_checked_again(library: Path, seed_text: str, change: str) -> None:
    report()
    content = library / "content"
    if change == "edit":
        (content / "broken.yaml").write_text("id: broken\n", "utf-8")
    elif change == "add":
        (content / "extra.yaml").write_text("id: extra\nid: extra\n", "utf-8")
    elif change == "remove":
        (content / "twin.yaml").unlink()
    elif change == "rename":
        (content / "twin.yaml").rename(content / "zz-twin.yaml")
    else:
        (library / "pyproject.toml").write_text('[tool.immunopipe.rules]\nglossary-term = "off"\n', "utf-8")
    warm = report()
    (library / DEFAULT_CACHE_DIR / RUN_FILE).unlink()
    assert warm == report("--no-cache")
    assert warm == report()


@pytest.mark.parametrize("damage", [b"", b"not json\n", b'{"format": 1, "key": "x"}\n', None])
def test_a_damaged_stored_report_is_ignored(library: Path, damage: bytes | None) -> None:
    expected = report()
    stored = library / DEFAULT_CACHE_DIR / RUN_FILE
    if damage is None:  # the right key, but a count is no longer a number
        header, _, rest = stored.read_bytes().partition(b"\n")
        damage = header.replace(b'"errors": ', b'"errors": "') + b"\n" + rest
    stored.write_bytes(damage)
    assert report() == expected


def test_coloured_and_github_reports_are_made_afresh(library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = report()
    coloured = CliRunner().invoke(main, ["--color", "always", "validate"], catch_exceptions=False).stdout
    assert "\x1b[" in coloured and click.unstyle(coloured) == plain[1]
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    github = report()
    assert github[1].startswith("::") and github[1].splitlines()[-1] == plain[1].splitlines()[-1]


def test_export_after_a_warm_validate_exports_the_valid_articles(library: Path) -> None:
    for name in ("twin.yaml", "broken.yaml", "schema.yaml"):
        (library / "content" / name).unlink()
    report()
    assert report()[0] == 0
    result = CliRunner().invoke(main, ["export", "--to", "json", "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (library / "exports" / "json").iterdir()) == [
        "article-0.json",
        "article-1.json",
        "article-2.json",
        "article-3.json",
        "index.json",
    ]
