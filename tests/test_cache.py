"""The validation cache: reused when nothing changed, ignored when anything it depends on did."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from immunopipe.validate import validate_files
from immunopipe.validate.cache import CACHE_FILE, ResultCache, fingerprint
from immunopipe.validate.context import RuleContext
from immunopipe.validate.warm import RUN_FILE

TODAY = RuleContext(today=date(2026, 12, 1))


@pytest.fixture
def library(tmp_path: Path, seed_text: str) -> list[Path]:
    content = tmp_path / "content"
    content.mkdir()
    good = content / "immune-system-medicine.yaml"
    good.write_text(seed_text)
    bad = content / "bad.yaml"
    bad.write_text("id: bad\nid: again\n")
    return [bad, good]


def run(files: list[Path], cache_dir: Path, context: RuleContext = TODAY) -> tuple[object, ResultCache]:
    cache = ResultCache(cache_dir, fingerprint(context, {}))
    outcome = validate_files(files, context=context, cache=cache)
    cache.save()
    return outcome, cache


def test_second_run_is_answered_from_the_cache_with_the_same_result(library: list[Path], tmp_path: Path) -> None:
    first, _ = run(library, tmp_path / "cache")
    second, _ = run(library, tmp_path / "cache")
    assert first.cached_files == 0
    assert second.cached_files == 2
    assert second.diagnostics == first.diagnostics
    assert second.valid_files == first.valid_files


def test_changing_one_file_rechecks_only_that_file(library: list[Path], tmp_path: Path) -> None:
    run(library, tmp_path / "cache")
    library[0].write_text("id: bad\n")
    outcome, _ = run(library, tmp_path / "cache")
    assert outcome.cached_files == 1
    assert not any(d.rule == "duplicate-key" for d in outcome.diagnostics)


def test_library_rules_still_run_over_cached_articles(library: list[Path], tmp_path: Path, seed_text: str) -> None:
    run(library, tmp_path / "cache")
    copy = library[1].parent / "copy.yaml"
    copy.write_text(seed_text)
    outcome, _ = run([*library, copy], tmp_path / "cache")
    assert outcome.cached_files == 3  # identical bytes: one entry serves both files
    assert [d.path.endswith("copy.yaml") for d in outcome.diagnostics if d.rule == "duplicate-article-id"] == [True]


def test_a_new_day_or_other_options_invalidate_everything() -> None:
    base = fingerprint(TODAY, {})
    assert fingerprint(RuleContext(today=date(2026, 11, 27)), {}) != base
    assert fingerprint(RuleContext(today=TODAY.today, options={"readability-max-grade": 6}), {}) != base
    assert fingerprint(TODAY, {"readability-grade": None}) != base
    assert fingerprint(TODAY, {}) == base


@pytest.mark.parametrize(
    "stored",
    [
        b"not json",
        b"[]",
        json.dumps({"format": 1, "fingerprint": "someone-else", "entries": {}}).encode(),
        b'{"format": 1, "fingerprint": "%s", "entries": {"x": 1}}',
    ],
)
def test_a_corrupt_or_foreign_cache_is_ignored(library: list[Path], tmp_path: Path, stored: bytes) -> None:
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    expected, _ = run(library, tmp_path / "fresh")
    (cache_dir / CACHE_FILE).write_bytes(stored.replace(b"%s", fingerprint(TODAY, {}).encode()))
    outcome, _ = run(library, cache_dir)
    assert outcome.cached_files == 0
    assert outcome.diagnostics == expected.diagnostics
    assert json.loads((cache_dir / CACHE_FILE).read_text())["fingerprint"] == fingerprint(TODAY, {})


def test_a_tampered_entry_is_not_trusted(library: list[Path], tmp_path: Path) -> None:
    run(library, tmp_path / "cache")
    path = tmp_path / "cache" / CACHE_FILE
    stored = json.loads(path.read_text())
    for entry in stored["entries"].values():
        entry["diagnostics"] = "garbage"
    path.write_text(json.dumps(stored))
    outcome, _ = run(library, tmp_path / "cache")
    assert outcome.cached_files == 0
    assert any(d.rule == "duplicate-key" for d in outcome.diagnostics)


def test_cli_no_cache_writes_nothing(tmp_path: Path, seed_text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from immunopipe.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "immune-system-medicine.yaml").write_text(seed_text)
    assert CliRunner().invoke(main, ["validate", "--no-cache"]).exit_code == 0
    assert not (tmp_path / ".immunopipe-cache").exists()
    assert CliRunner().invoke(main, ["validate"]).exit_code == 0
    assert (tmp_path / ".immunopipe-cache" / CACHE_FILE).is_file()
    assert not any(p.name.startswith(".immunopipe") for p in (tmp_path / "content").iterdir())


# --- a cache restored from elsewhere (another branch, another machine) is never an authority -------

IMMUNOPIPE = Path(sys.executable).with_name("immunopipe")


def immunopipe(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(IMMUNOPIPE), *args], cwd=folder, capture_output=True, text=True, timeout=120)


def checksums(folder: Path) -> dict[str, str]:
    files = (p for p in folder.rglob("*") if p.is_file() and p.name != ".immunopipe.lock")
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def entry_checksum(key: str, content: dict[str, object]) -> str:
    """The checksum an entry carries (written out here, independently of the code)."""
    return hashlib.sha256(key.encode() + b"\0" + json.dumps(content, separators=(",", ":")).encode()).hexdigest()


@pytest.fixture
def broken_but_cached_clean(tmp_path: Path, seed_text: str) -> tuple[Path, Path]:
    """A folder whose validation cache says a schema-invalid file is clean; returns (folder, cache file)."""
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "immune-system-medicine.yaml").write_text(seed_text)
    assert immunopipe(tmp_path, "validate").returncode == 0
    broken = b"id: broken\ntitle: no other fields\n"
    (tmp_path / "content" / "broken.yaml").write_bytes(broken)
    assert immunopipe(tmp_path, "validate").returncode == 1
    cache_file = tmp_path / ".immunopipe-cache" / CACHE_FILE
    stored = json.loads(cache_file.read_text())
    key = hashlib.sha256(broken).hexdigest()
    stored["entries"][key] = {"diagnostics": [], "ref": ["broken", 1, 5], "suppressed": 0}
    cache_file.write_text(json.dumps(stored))
    # The last run's stored output would answer the next validate before the per-file cache is read.
    (tmp_path / ".immunopipe-cache" / RUN_FILE).unlink()
    return tmp_path, cache_file


def test_a_cached_verdict_edited_without_its_checksum_is_ignored(broken_but_cached_clean: tuple[Path, Path]) -> None:
    folder, _ = broken_but_cached_clean
    result = immunopipe(folder, "validate")
    assert result.returncode == 1
    assert "content/broken.yaml:1:1: error:" in result.stdout


def test_a_forged_verdict_cannot_make_export_crash_or_write(broken_but_cached_clean: tuple[Path, Path]) -> None:
    """A checksum proves an entry undamaged, not honest: the export re-checks what it loads."""
    folder, cache_file = broken_but_cached_clean
    stored = json.loads(cache_file.read_text())
    for key, entry in stored["entries"].items():
        content = {"diagnostics": entry["diagnostics"], "ref": entry["ref"], "suppressed": entry["suppressed"]}
        entry["checksum"] = entry_checksum(key, content)
    cache_file.write_text(json.dumps(stored))
    assert immunopipe(folder, "validate").returncode == 0  # the forged verdict is served...
    (folder / "exports").mkdir()
    (folder / "exports" / "mine.txt").write_text("keep\n")
    before = checksums(folder / "exports")
    result = immunopipe(folder, "export", "--to", "json", "--to", "csv")
    assert result.returncode == 2  # ...but the export does not take it on trust
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: content/broken.yaml does not pass the schema, although the validation (or its cache) "
        "passed it: run the export again with --no-cache"
    )
    assert checksums(folder / "exports") == before
    assert immunopipe(folder, "export", "--no-cache").returncode == 1
