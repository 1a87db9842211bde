"""The baseline: recorded warnings are counted, not reported; new and stale ones are; line shifts change nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from immunopipe.diagnostics import Diagnostic, Severity
from immunopipe.validate.baseline import entry_for, fingerprint

SCRIPT = shutil.which("immunopipe", path=os.path.dirname(sys.executable))
ARTICLE = "content/immune-system-medicine.yaml"


@pytest.fixture
def project(tmp_path: Path, seed_text: str) -> Path:
    (tmp_path / "content").mkdir()
    (tmp_path / ARTICLE).write_text(seed_text, encoding="utf-8")
    return tmp_path


def immunopipe(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert SCRIPT, "the immunopipe console script is not installed next to this Python"
    return subprocess.run([SCRIPT, *args], capture_output=True, text=True, cwd=project, timeout=120)


def edit(project: Path, old: str, new: str) -> None:
    path = project / ARTICLE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def seed_warnings(project: Path) -> int:
    """The warnings the seed article has today (the baseline records each of them)."""
    report = json.loads(immunopipe(project, "validate", "--no-baseline", "--format", "json").stdout)
    return sum(1 for d in report["diagnostics"] if d["severity"] == "warning")


def test_baselined_warnings_are_counted_not_listed(project: Path) -> None:
    warnings = seed_warnings(project)
    recorded = immunopipe(project, "baseline")
    assert recorded.returncode == 0, recorded.stderr
    assert recorded.stdout.strip() == f"recorded {warnings} warnings of 1 file in immunopipe-baseline.json"
    stored = json.loads((project / "immunopipe-baseline.json").read_text(encoding="utf-8"))
    assert stored["version"] == 1 and len(stored["warnings"]) == warnings
    assert {"file", "rule", "fingerprint", "where", "message"} == set(stored["warnings"][0])
    result = immunopipe(project, "validate", "--strict", "--max-warnings", "0")
    assert result.returncode == 0, result.stdout
    assert result.stdout == f"1 file checked: no problems found ({warnings} baselined)\n"
    assert json.loads(immunopipe(project, "validate", "--format", "json").stdout)["baselined"] == warnings


def test_fingerprints_survive_lines_added_above_and_items_reordered(project: Path) -> None:
    warnings = seed_warnings(project)
    immunopipe(project, "baseline")
    edit(project, "reading_time_minutes: 3\n", "reading_time_minutes: 3\n\n\n# a note for editors\n")
    first = (
        "  - id: infection-risk\n    kind: risk\n"
        "    text: Suppressing the immune system can increase the risk of infections.\n"
    )
    edit(project, first, "")
    edit(project, "\nqueries:", first + "\nqueries:")
    result = immunopipe(project, "validate", "--strict")
    assert result.returncode == 0, result.stdout
    assert f"({warnings} baselined)" in result.stdout


def test_a_new_warning_is_reported_and_a_fixed_one_makes_its_entry_stale(project: Path) -> None:
    warnings = seed_warnings(project)
    immunopipe(project, "baseline")
    edit(project, "    published: unknown\n", '    published: "2024-01-10"\n')
    edit(project, "category: Immunosuppression\n", "category: Immunosuppression\n")
    baseline_text = (project / "immunopipe-baseline.json").read_text(encoding="utf-8")
    entry_line = next(n for n, line in enumerate(baseline_text.splitlines(), 1) if "dates > published" in line)
    result = immunopipe(project, "validate")
    assert result.returncode == 0
    assert (
        f"immunopipe-baseline.json:{entry_line}:1: warning: {ARTICLE} no longer has this dates-unknown warning"
        " at editorial > dates > published" in result.stdout
    )
    assert immunopipe(project, "validate", "--strict").returncode == 1
    immunopipe(project, "baseline")
    edit(project, '    published: "2024-01-10"\n', "    published: unknown\n")
    result = immunopipe(project, "validate")
    assert f"{ARTICLE}:23:16: warning: published is unknown" in result.stdout
    assert result.stdout.splitlines()[-1].endswith(f"({warnings - 1} baselined): passed")


def test_max_warnings_fails_only_past_the_limit(project: Path) -> None:
    warnings = seed_warnings(project)
    assert immunopipe(project, "validate", "--max-warnings", str(warnings)).returncode == 0
    over = immunopipe(project, "validate", "--max-warnings", str(warnings - 1))
    assert over.returncode == 1
    assert (
        over.stdout.splitlines()[-1]
        == f"0 errors, {warnings} warnings in 1 of 1 file: failed: more than {warnings - 1} warnings (--max-warnings)"
    )
    assert immunopipe(project, "export", "--to", "json", "--max-warnings", str(warnings - 1)).returncode == 1
    assert not (project / "exports").exists()


def test_changed_baseline_is_never_served_from_the_cache(project: Path) -> None:
    warnings = seed_warnings(project)
    immunopipe(project, "validate")  # fills the cache
    immunopipe(project, "baseline")
    assert f"({warnings} baselined)" in immunopipe(project, "validate").stdout
    (project / "immunopipe-baseline.json").write_text('{"version": 1, "warnings": []}\n', encoding="utf-8")
    assert f"{warnings} warnings" in immunopipe(project, "validate").stdout
    assert f"{warnings} warnings" in immunopipe(project, "validate", "--no-baseline").stdout


def test_baseline_of_one_file_keeps_the_entries_of_the_others(project: Path, seed_text: str) -> None:
    warnings = seed_warnings(project)
    other = seed_text.replace("id: immune-system-medicine", "id: other")
    (project / "content" / "other.yaml").write_text(other, encoding="utf-8")
    immunopipe(project, "baseline")
    immunopipe(project, "baseline", ARTICLE)
    stored = json.loads((project / "immunopipe-baseline.json").read_text(encoding="utf-8"))
    assert {entry["file"] for entry in stored["warnings"]} == {ARTICLE, "content/other.yaml"}
    only_one = immunopipe(project, "validate", "content/other.yaml")
    assert only_one.stdout == f"1 file checked: no problems found ({warnings} baselined)\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not an immunopipe baseline"),
        ('{"version": 9, "warnings": []}', "version 9 is not 1"),
        ('{"version": 1}', "is not an immunopipe baseline"),
        ("null", "(it is not a JSON object)"),
        ("[]", "(it is not a JSON object)"),
        ('{"version": 1, "warnings": {}}', '(its "warnings" is not a list)'),
        ('{"version": 1, "warnings": [{"file": 1, "rule": "r", "fingerprint": "f"}]}', "(warning 1 is not an object"),
        ('{"version": 1, "warnings": [{"file": "f", "rule": "r", "fingerprint": null}]}', "(warning 1 is not"),
        ('{"version": 1, "warnings": [{"file": "f", "rule": "r", "fingerprint": "f", "where": []}]}', "(warning 1"),
        ('{"version": 1, "warnings": ["text"]}', "(warning 1 is not an object"),
    ],
)
def test_a_broken_baseline_is_an_environment_problem(project: Path, content: str, message: str) -> None:
    (project / "immunopipe-baseline.json").write_text(content, encoding="utf-8")
    result = immunopipe(project, "validate")
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_the_baseline_command_replaces_a_damaged_baseline_and_keeps_the_old_bytes(project: Path) -> None:
    damaged = project / "immunopipe-baseline.json"
    damaged.write_text('{"version": 1, "warnings": [', encoding="utf-8")
    refused = immunopipe(project, "validate")
    assert refused.returncode == 2 and "write it again with: immunopipe baseline" in refused.stderr
    rewritten = immunopipe(project, "baseline")
    assert rewritten.returncode == 0, rewritten.stderr
    assert rewritten.stderr.startswith("Warning: immunopipe-baseline.json is not an immunopipe baseline (")
    assert "the old file is kept as immunopipe-baseline.json.damaged" in rewritten.stderr
    assert (project / "immunopipe-baseline.json.damaged").read_text(encoding="utf-8") == '{"version": 1, "warnings": ['
    assert json.loads(damaged.read_text(encoding="utf-8"))["version"] == 1
    assert immunopipe(project, "validate").returncode == 0


def test_a_second_damaged_baseline_never_overwrites_the_first_one_kept(project: Path) -> None:
    (project / "immunopipe-baseline.json.damaged").write_text("first\n", encoding="utf-8")
    (project / "immunopipe-baseline.json").write_text("second\n", encoding="utf-8")
    result = immunopipe(project, "baseline")
    assert result.returncode == 2 and "already holds an earlier damaged one" in result.stderr
    assert (project / "immunopipe-baseline.json.damaged").read_text(encoding="utf-8") == "first\n"
    assert (project / "immunopipe-baseline.json").read_text(encoding="utf-8") == "second\n"


def test_a_named_baseline_that_is_missing_is_refused(project: Path) -> None:
    result = immunopipe(project, "validate", "--baseline", "missing.json")
    assert result.returncode == 2 and "baseline file not found: missing.json" in result.stderr


@pytest.mark.parametrize("spelling", ["immunopipe-baseline.json", "./immunopipe-baseline.json"])
def test_the_default_baseline_named_explicitly_is_optional_as_by_default(project: Path, spelling: str) -> None:
    result = immunopipe(project, "validate", "--baseline", spelling)
    assert result.returncode == 0 and "not found" not in result.stderr
    assert immunopipe(project, "baseline").returncode == 0
    assert "baselined)" in immunopipe(project, "validate", "--baseline", spelling).stdout


def test_errors_are_never_recorded(project: Path) -> None:
    edit(project, "reading_time_minutes: 3\n", "reading_time_minutes: three\n")
    result = immunopipe(project, "baseline")
    assert result.returncode == 1
    assert "error: expected a whole number" in result.stderr
    assert "1 error cannot be recorded: fix them" in result.stdout


def test_fingerprint_ignores_the_line_and_names_the_node() -> None:
    first = Diagnostic("a.yaml", 10, 3, "dates-unknown", "m", Severity.WARNING, "/editorial/dates/published", "x > y")
    moved = Diagnostic("a.yaml", 99, 1, "dates-unknown", "m", Severity.WARNING, "/editorial/dates/published", "x > y")
    other = Diagnostic("a.yaml", 10, 3, "dates-unknown", "m", Severity.WARNING, "/editorial/dates/published", "x > z")
    assert fingerprint(first) == fingerprint(moved) != fingerprint(other)
    assert entry_for(first).key == ("a.yaml", "dates-unknown", fingerprint(first))


def test_a_baseline_name_that_cannot_be_written_safely_is_refused_before_checking(project: Path) -> None:
    result = immunopipe(project, "baseline", "--file", ".hidden.json")
    assert result.returncode == 2 and "must start with a letter or digit: .hidden.json" in result.stderr
    assert not (project / ".hidden.json").exists()


def test_baseline_in_a_subfolder_is_written_and_used(project: Path) -> None:
    warnings = seed_warnings(project)
    assert immunopipe(project, "baseline", "--file", "quality/baseline.json").returncode == 0
    result = immunopipe(project, "validate", "--baseline", "quality/baseline.json")
    assert result.stdout == f"1 file checked: no problems found ({warnings} baselined)\n"
