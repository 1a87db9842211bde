"""The rule catalogue: docs/rules.md in sync with the rules, and the `immunopipe rules` command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from immunopipe.cli import main
from immunopipe.translation.rules import TRANSLATION_RULES
from immunopipe.validate.catalogue import render_markdown, render_text, rule_rows
from immunopipe.validate.rules import RULES

DOCS = Path(__file__).parents[1] / "docs" / "rules.md"
CONFIG = """\
[project]
name = "health-content"

[tool.immunopipe.rules]
author-unknown = "off"
readability-grade = "error"
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_docs_rules_md_is_generated_from_the_rules() -> None:
    assert DOCS.read_text(encoding="utf-8") == render_markdown(), (
        "docs/rules.md is out of date: run `immunopipe rules --format markdown > docs/rules.md`"
    )


def test_every_rule_has_a_section_with_examples() -> None:
    markdown = render_markdown()
    for rule in RULES.values():
        section = markdown.split(f"## `{rule.id}`\n", 1)[1].split("\n## ", 1)[0]
        assert f"**Severity:** {rule.severity.value}" in section
        assert "Passes" in section and "Fails" in section, rule.id
        assert "Passes::" not in section and "Fails::" not in section, rule.id


def test_rule_ids_are_stable_kebab_case_and_unique() -> None:
    ids = [row["id"] for row in rule_rows()]
    assert len(ids) == len(set(ids)) == len(RULES) + len(TRANSLATION_RULES)
    assert all(rule_id.replace("-", "").isalnum() and rule_id == rule_id.lower() for rule_id in ids)


def test_rules_command_lists_every_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = run("rules")
    assert code == 0
    assert output == render_text()
    for rule in RULES.values():
        assert f"{rule.id} " in output and rule.summary in output and rule.standard in output


def test_rules_command_shows_configured_severities(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, output = run("rules", "--format", "json")
    assert code == 0
    rows = {row["id"]: row for row in json.loads(output)}
    assert set(rows) == set(RULES) | set(TRANSLATION_RULES)
    assert rows["translation-stale"]["scope"] == "translation"
    assert rows["author-unknown"]["severity"] == "off"
    assert rows["author-unknown"]["default_severity"] == "warning"
    assert rows["readability-grade"]["severity"] == "error"
    assert rows["duplicate-article-id"]["scope"] == "library"
    text = run("rules")[1]
    assert "author-unknown                off" in text
    assert "default: warning (changed in pyproject.toml)" in text


def test_rules_markdown_is_the_reference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("rules", "--format", "markdown") == (0, render_markdown())


def test_rules_command_refuses_a_broken_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.immunopipe.rules]\nauthor-unknwon = "off"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, output = run("rules")
    assert code == 2
    assert "unknown rule id 'author-unknwon'; did you mean 'author-unknown'?" in output


def test_installed_script_applies_the_configuration(tmp_path: Path, seed_text: str) -> None:
    script = shutil.which("immunopipe", path=os.path.dirname(sys.executable))
    assert script, "the immunopipe console script is not installed next to this Python"
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "immune-system-medicine.yaml").write_text(seed_text, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(CONFIG, encoding="utf-8")
    result = subprocess.run(
        [script, "validate", "--format", "json"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    report = json.loads(result.stdout)
    rules = {d["rule"]: d["severity"] for d in report["diagnostics"]}
    assert result.returncode == 1
    assert rules["readability-grade"] == "error"
    assert "author-unknown" not in rules
    listed = subprocess.run([script, "rules"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0 and "readability-grade             error" in listed.stdout
