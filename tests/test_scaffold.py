"""Scaffolding: a new article passes the schema and never overwrites anything."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from immunopipe.load import load_path
from immunopipe.scaffold import ScaffoldError, create_article
from immunopipe.validate.schema import SchemaChecker


def test_new_article_passes_the_schema_and_keeps_placeholders(tmp_path: Path) -> None:
    path = create_article("gout-medicine", tmp_path / "content", today=date(2026, 11, 26))
    assert path == tmp_path / "content" / "gout-medicine.yaml"
    document = load_path(path)
    assert document.problems == []
    assert SchemaChecker().check(document) == []
    assert document.data["id"] == "gout-medicine"
    assert document.data["editorial"]["sources"][0]["accessed"] == "2026-11-26"
    assert "TODO" in path.read_text()
    assert path.read_text().startswith("# yaml-language-server: $schema=")


def test_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "lupus.yaml").write_text("keep me\n")
    with pytest.raises(ScaffoldError, match="already exists"):
        create_article("lupus", tmp_path)
    assert (tmp_path / "lupus.yaml").read_text() == "keep me\n"


@pytest.mark.parametrize("bad_id", ["../escape", "/etc/x", "Upper", "a/b", "trailing-", "x" * 65, "a\n"])
def test_ids_are_checked_before_any_path_is_built(tmp_path: Path, bad_id: str) -> None:
    with pytest.raises(ScaffoldError, match="not a valid id"):
        create_article(bad_id, tmp_path / "content")
    assert not (tmp_path / "content").exists()


@pytest.mark.parametrize("reserved", ["index", "con", "nul", "com1", "lpt9"])
def test_reserved_ids_are_refused_up_front(tmp_path: Path, reserved: str) -> None:
    with pytest.raises(ScaffoldError, match=f"'{reserved}' is reserved: .*; choose another id"):
        create_article(reserved, tmp_path / "content")
    assert not (tmp_path / "content").exists()


def test_a_bad_id_is_shown_with_its_control_characters_escaped(tmp_path: Path) -> None:
    with pytest.raises(ScaffoldError, match=r"'a\\x1b\[2J' is not a valid id"):
        create_article("a\x1b[2J", tmp_path / "content")


def test_the_template_fails_only_on_what_it_asks_the_editor_to_fill_in(tmp_path: Path) -> None:
    """Placeholders (TODO) and facts written unknown are flagged; nothing the template itself wrote is."""
    from immunopipe.validate import validate_files

    path = create_article("gout-medicine", tmp_path / "content", today=date(2026, 11, 26))
    flagged = {d.rule for d in validate_files([path]).diagnostics}
    placeholders = {"text-placeholder"}
    unknowns = {"publisher-url-unknown", "author-unknown", "clinical-review-pending", "dates-unknown"}
    unknowns |= {"source-url-unknown", "contact-unknown"}
    assert flagged == placeholders | unknowns


def test_installed_cli_refuses_new_index_with_exit_2(tmp_path: Path) -> None:
    script = shutil.which("immunopipe", path=os.path.dirname(sys.executable))
    assert script
    result = subprocess.run([script, "new", "index"], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert (
        "'index' is reserved: it would overwrite the export's own json/index.json; choose another id" in result.stderr
    )
    assert not (tmp_path / "content").exists()
