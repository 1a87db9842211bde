"""Resolving PATH arguments to content files."""

from __future__ import annotations

from pathlib import Path

import pytest

from immunopipe.paths import MissingPath, find_content_files


def test_find_content_files_recurses_and_rejects_missing(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("b.yaml", "a.yml", "sub/c.yaml", "notes.txt"):
        (tmp_path / name).write_text("x: 1\n")
    found = find_content_files([tmp_path, tmp_path / "b.yaml"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.yml", "b.yaml", "sub/c.yaml"]
    with pytest.raises(MissingPath):
        find_content_files([tmp_path / "nope"])
