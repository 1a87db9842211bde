"""Promises about the repository itself: editor modelines, the pre-commit hook, CI."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
MODELINE = "# yaml-language-server: $schema=../schema/article.schema.json"


@pytest.mark.parametrize("path", sorted((REPO / "content").glob("*.y*ml")), ids=lambda p: p.name)
def test_every_content_file_starts_with_the_schema_modeline(path: Path) -> None:
    assert path.read_text(encoding="utf-8").splitlines()[0] == MODELINE
    assert (path.parent / "../schema/article.schema.json").resolve().is_file()


def test_pre_commit_hook_rechecks_everything_when_schema_or_content_change() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "immunopipe-validate")
    assert hook["entry"] == "immunopipe validate"
    assert hook["pass_filenames"] is False
    assert hook["files"] == "^(content|schema)/"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text()
    command = "python3 -m venv .venv && .venv/bin/pip install '.[test]' && .venv/bin/pytest"
    assert command in readme
    assert command in (REPO / ".ci" / "run").read_text()
