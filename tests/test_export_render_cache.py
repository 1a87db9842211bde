"""The JSON/CSV render cache: round trips, pruning, fingerprint changes, damaged and busy cache files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from immunopipe.export import render_cache
from immunopipe.export.csv import TABLES
from immunopipe.export.render_cache import CACHE_FILE, RenderCache, Rendering


def rendering(article_id: str) -> Rendering:
    rows = tuple(f"{article_id},row of {table.name}\r\n".encode() for table in TABLES)
    return Rendering(article_id, f"Title of {article_id}", "ab" * 32, rows)


def fill(directory: Path, *ids: str) -> None:
    with RenderCache(directory) as cache:
        for article_id in ids:
            cache.put(f"digest-{article_id}", rendering(article_id))


def test_renderings_survive_between_runs(tmp_path: Path) -> None:
    fill(tmp_path, "lupus", "gout")
    with RenderCache(tmp_path) as cache:
        assert cache.get("digest-lupus") == rendering("lupus")
        assert cache.get("digest-gout") == rendering("gout")
        assert cache.get("digest-other") is None


def test_entries_a_run_did_not_use_are_dropped_unless_it_failed(tmp_path: Path) -> None:
    fill(tmp_path, "lupus", "gout")
    with pytest.raises(RuntimeError), RenderCache(tmp_path) as cache:
        cache.get("digest-lupus")
        raise RuntimeError("export failed")
    with RenderCache(tmp_path) as cache:
        assert cache.get("digest-gout") is not None  # the failed run pruned nothing
    with RenderCache(tmp_path) as cache:
        assert cache.get("digest-lupus") is None  # the last successful run used only gout


def test_a_new_fingerprint_drops_every_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fill(tmp_path, "lupus")
    monkeypatch.setattr(render_cache, "fingerprint", lambda: "another renderer")
    with RenderCache(tmp_path) as cache:
        assert cache.get("digest-lupus") is None


def test_a_damaged_cache_file_is_rebuilt(tmp_path: Path) -> None:
    (tmp_path / CACHE_FILE).write_bytes(b"not a database at all" * 100)
    fill(tmp_path, "lupus")
    with RenderCache(tmp_path) as cache:
        assert cache.get("digest-lupus") == rendering("lupus")


def test_an_entry_that_does_not_decode_is_a_miss(tmp_path: Path) -> None:
    fill(tmp_path, "lupus")
    with sqlite3.connect(tmp_path / CACHE_FILE) as db:
        db.execute("UPDATE entries SET row_lengths = '1,2'")
    with RenderCache(tmp_path) as cache:
        assert cache.get("digest-lupus") is None


def test_a_cache_busy_in_another_export_is_left_out_without_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(tmp_path, "lupus")
    other = sqlite3.connect(tmp_path / CACHE_FILE)
    other.execute("BEGIN EXCLUSIVE")
    monkeypatch.setattr(sqlite3, "connect", lambda path, timeout: other.__class__(path, timeout=0.05))
    try:
        with RenderCache(tmp_path) as cache:
            cache.put("digest-gout", rendering("gout"))
            assert cache.get("digest-lupus") is None
    finally:
        other.rollback()
        other.close()
    monkeypatch.undo()
    with RenderCache(tmp_path) as cache:
        assert cache.get("digest-lupus") == rendering("lupus")
