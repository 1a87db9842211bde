"""Inline ignore comments: what they hide, what they refuse to hide, and the warnings about them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from immunopipe.validate import validate_files
from immunopipe.validate.cache import ResultCache, fingerprint
from immunopipe.validate.context import RuleContext
from immunopipe.validate.suppression import find

TODAY = RuleContext(today=date(2026, 6, 1))
DATES = "    published: unknown\n    last_reviewed: unknown\n    next_review: unknown\n"


def rules_at(text: str, tmp_path: Path) -> list[tuple[int, str]]:
    path = tmp_path / "immune-system-medicine.yaml"
    path.write_text(text, encoding="utf-8")
    outcome = validate_files([path], context=TODAY)
    return [(d.line, d.rule) for d in outcome.diagnostics if not d.rule.startswith("readability")]


def dates_line(seed_text: str) -> int:
    return seed_text[: seed_text.index(DATES)].count("\n") + 1


def test_trailing_comment_ignores_its_line_only(seed_text: str, tmp_path: Path) -> None:
    line = dates_line(seed_text)
    text = seed_text.replace(
        "    published: unknown\n", "    published: unknown  # immunopipe: ignore[dates-unknown] the leaflet has none\n"
    )
    found = rules_at(text, tmp_path)
    assert (line, "dates-unknown") not in found
    assert (line + 1, "dates-unknown") in found and (line + 2, "dates-unknown") in found
    assert not [rule for _, rule in found if rule.startswith("suppression")]


def test_comment_above_ignores_the_next_content_line_and_can_be_stacked(seed_text: str, tmp_path: Path) -> None:
    line = dates_line(seed_text)
    text = seed_text.replace(
        "    next_review: unknown\n",
        "    # immunopipe: ignore[dates-unknown] review not planned yet\n\n"
        "    # immunopipe: ignore[author-unknown] not on this line, so unused\n"
        "    next_review: unknown\n",
    )
    found = rules_at(text, tmp_path)
    assert (line + 5, "dates-unknown") not in found
    assert (line + 4, "suppression-unused") in found


def test_a_comment_at_the_start_of_a_line_is_found(seed_text: str, tmp_path: Path) -> None:
    assert [(s.line, s.target_line) for s in find("a: 1\n# immunopipe: ignore[x] why\n\nb: 2\n")] == [(2, 4)]
    assert [(s.line, s.target_line) for s in find("a: 1\r# immunopipe: ignore[x] why\rb: 2\r")] == [(2, 3)]
    assert find("a: x#immunopipe: ignore[x] why\n") == []  # not a YAML comment: no space before '#'
    comment_line = seed_text[: seed_text.index("\nsummary:")].count("\n") + 2
    text = seed_text.replace("\nsummary:", "\n# immunopipe: ignore[readability-grade] quoted as written\nsummary:", 1)
    path = tmp_path / "immune-system-medicine.yaml"
    path.write_text(text, encoding="utf-8")
    found = [(d.line, d.rule) for d in validate_files([path], context=TODAY).diagnostics]
    assert (comment_line + 1, "readability-grade") not in found and (comment_line, "suppression-unused") not in found
    path.write_text(seed_text.replace("\nsummary:", "\n\nsummary:", 1), encoding="utf-8")
    without = [(d.line, d.rule) for d in validate_files([path], context=TODAY).diagnostics]
    assert (comment_line + 1, "readability-grade") in without


def test_a_comment_with_no_line_below_it_ignores_nothing_and_says_so(seed_text: str, tmp_path: Path) -> None:
    text = seed_text.rstrip("\n") + "\n\n# immunopipe: ignore[author-unknown] no line follows\n\n# the end\n"
    comment_line = text.count("\n") - 2
    found = rules_at(text, tmp_path)
    assert "author-unknown" in [rule for _, rule in found]
    assert (comment_line, "suppression-unused") in found
    path = tmp_path / "immune-system-medicine.yaml"
    [unused] = [d for d in validate_files([path], context=TODAY).diagnostics if d.rule == "suppression-unused"]
    assert "no line follows this comment" in unused.message


def test_reason_is_required_but_the_suppression_still_applies(seed_text: str, tmp_path: Path) -> None:
    line = dates_line(seed_text)
    text = seed_text.replace("    published: unknown\n", "    published: unknown # immunopipe: ignore[dates-unknown]\n")
    found = rules_at(text, tmp_path)
    assert (line, "dates-unknown") not in found
    assert (line, "suppression-reason") in found


def test_unknown_rules_schema_rules_and_library_rules_are_not_ignored(seed_text: str, tmp_path: Path) -> None:
    text = seed_text.replace(
        "id: immune-system-medicine\n",
        "id: immune-system-medicine # immunopipe: ignore[dates-unkown, duplicate-article-id, schema-type] no\n",
    )
    path = tmp_path / "immune-system-medicine.yaml"
    path.write_text(text, encoding="utf-8")
    messages = [d.message for d in validate_files([path], context=TODAY).diagnostics if d.rule == "suppression-unused"]
    assert any("there is no rule 'dates-unkown'" in m for m in messages)
    assert any("'duplicate-article-id' cannot be ignored in a file" in m for m in messages)
    assert any("'schema-type' cannot be ignored: YAML and schema problems always count" in m for m in messages)


def test_schema_errors_are_never_hidden(seed_text: str, tmp_path: Path) -> None:
    text = seed_text.replace(
        "reading_time_minutes: 3\n", "reading_time_minutes: three # immunopipe: ignore[schema-type] x\n"
    )
    assert "schema-type" in [rule for _, rule in rules_at(text, tmp_path)]


def test_text_that_only_looks_like_a_comment_is_not_one() -> None:
    quoted = 'title: "Use # immunopipe: ignore[x] y in your files"\n'
    block = "summary: |\n  # immunopipe: ignore[author-unknown] inside block text\n"
    assert find(quoted) == [] and find(block) == []
    assert [s.rules for s in find("a: b # immunopipe: ignore[x, y] why\n")] == [("x", "y")]


def test_line_separators_do_not_shift_the_comment(seed_text: str, tmp_path: Path) -> None:
    """U+2028 inside text is not a line end for editors, so the comment stays on its line."""
    line = dates_line(seed_text)
    text = seed_text.replace("category: Immunosuppression", 'category: "Immuno\u2028suppression"').replace(
        "    published: unknown\n", "    published: unknown # immunopipe: ignore[dates-unknown] none given\n"
    )
    assert [(s.line, s.target_line) for s in find(text)] == [(line, line)]
    found = rules_at(text, tmp_path)  # the separator itself is an error at its own line
    assert any(rule == "yaml-syntax" for _, rule in found) and (line, "suppression-unused") not in found


def test_cached_results_follow_the_comments(seed_text: str, tmp_path: Path) -> None:
    """The cache is keyed by the file's bytes: adding or removing a suppression is never served stale."""
    path = tmp_path / "immune-system-medicine.yaml"
    cache_dir = tmp_path / "cache"
    key = fingerprint(TODAY, {})

    def run() -> list[str]:
        cache = ResultCache(cache_dir, key)
        outcome = validate_files([path], context=TODAY, cache=cache)
        cache.save()
        return [d.rule for d in outcome.diagnostics].count("dates-unknown"), outcome.suppressed, outcome.cached_files

    path.write_text(seed_text, encoding="utf-8")
    assert run()[:2] == (3, 0)
    suppressed = seed_text.replace(
        "    published: unknown\n", "    published: unknown # immunopipe: ignore[dates-unknown] none\n"
    )
    path.write_text(suppressed, encoding="utf-8")
    assert run() == (2, 1, 0)
    assert run() == (2, 1, 1)
    path.write_text(seed_text, encoding="utf-8")
    assert run() == (3, 0, 0)


def test_installed_cli_reports_suppressed_counts_in_text_and_json(seed_text: str, tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    text = seed_text.replace(
        "    published: unknown\n", "    published: unknown # immunopipe: ignore[dates-unknown] none\n"
    )
    (content / "immune-system-medicine.yaml").write_text(text, encoding="utf-8")
    script = shutil.which("immunopipe", path=os.path.dirname(sys.executable))
    assert script
    result = subprocess.run([script, "validate"], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1].endswith("in 1 of 1 file (1 suppressed): passed")
    assert "problems by rule:" in lines and "   2  dates-unknown (warning)" in lines
    report = subprocess.run(
        [script, "validate", "--format", "json"], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert json.loads(report.stdout)["suppressed"] == 1


@pytest.mark.parametrize("severity", ["off", "error"])
def test_suppression_rules_are_configured_like_any_rule(seed_text: str, tmp_path: Path, severity: str) -> None:
    from immunopipe.diagnostics import Severity

    path = tmp_path / "immune-system-medicine.yaml"
    path.write_text(
        seed_text.replace("id: immune-system-medicine\n", "id: immune-system-medicine # immunopipe: ignore[x] y\n")
    )
    chosen = None if severity == "off" else Severity.ERROR
    outcome = validate_files([path], context=TODAY, severities={"suppression-unused": chosen})
    unused = [d for d in outcome.diagnostics if d.rule == "suppression-unused"]
    assert (unused == []) if chosen is None else (unused and unused[0].severity is Severity.ERROR)


def test_a_comment_on_a_block_scalar_header_ignores_the_text_below(seed_text: str, tmp_path: Path) -> None:
    """The usual place to excuse a hard-to-read paragraph: after ``summary: >-``."""
    line = seed_text[: seed_text.index("\nsummary: >-\n")].count("\n") + 2
    text = seed_text.replace("\nsummary: >-\n", "\nsummary: >-  # immunopipe: ignore[readability-grade] source words\n")
    path = tmp_path / "immune-system-medicine.yaml"
    path.write_text(text, encoding="utf-8")
    outcome = validate_files([path], context=TODAY)
    assert (line, "readability-grade") not in [(d.line, d.rule) for d in outcome.diagnostics]
    assert outcome.suppressed == 1 and not [d for d in outcome.diagnostics if d.rule.startswith("suppression")]
