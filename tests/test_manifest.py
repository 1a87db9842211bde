"""Ownership of export files: the installed CLI replaces or removes only what its manifest says it wrote.

Every case runs the real ``immunopipe`` script in a subprocess and compares SHA-256 checksums of
every file the user owns before and after.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

from immunopipe.files.manifest import MANIFEST_NAME, Manifest, OwnershipError, plan_folder, read_manifest
from immunopipe.files.write import UNREADABLE, file_sha256

SEED_ID = "immune-system-medicine"
SECOND_ID = "second-article"
JSON_AND_CSV = ("--to", "json", "--to", "csv")
IMMUNOPIPE = Path(sys.executable).with_name("immunopipe")

#: Each test runs the installed command line two to six times: a second or more.
pytestmark = pytest.mark.slow


def immunopipe(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed command line, run in ``folder``."""
    return subprocess.run(
        [str(IMMUNOPIPE), *args], cwd=folder, capture_output=True, text=True, timeout=120, check=False
    )


def checksums(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (hidden ones too) by relative path."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one ``Error:`` line of a failed run (and a check that there is exactly one, and no traceback)."""
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


@pytest.fixture
def work(tmp_path: Path, seed_text: str) -> Path:
    """A working folder with two valid articles in content/."""
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / f"{SEED_ID}.yaml").write_text(seed_text, encoding="utf-8")
    second = seed_text.replace(f"\nid: {SEED_ID}\n", f"\nid: {SECOND_ID}\n")
    (tmp_path / "content" / f"{SECOND_ID}.yaml").write_text(second, encoding="utf-8")
    return tmp_path


def user_files(docs: Path) -> dict[str, bytes]:
    """A GitHub Pages folder of the user's own: files with export-like names in the export's folders."""
    files = {
        "index.html": b"<h1>My site</h1>\n",
        "json/settings.json": b"{}\n",
        "json/Draft.json": b'{"draft": true}\n',
        "pdf/tax-return-2024.pdf": b"%PDF-1.7 my taxes\n%%EOF\n",
        "csv/notes.csv": b"a,b\r\n",
    }
    for name, data in files.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_bytes(data)
    return files


def test_exporting_into_a_folder_of_the_users_files_never_touches_them(work: Path) -> None:
    docs = work / "docs"
    user_files(docs)
    before = checksums(docs)
    for extra in ((), ("--prune", "--overwrite-edited")):
        result = immunopipe(work, "export", "--out", "docs", "--jobs", "1", *extra)
        assert result.returncode == 0, result.stderr
        assert "0 stale removed" in result.stderr
        assert "removed" not in result.stderr.replace("0 stale removed", "")
        after = checksums(docs)
        assert {name: after[name] for name in before} == before
    assert (docs / "pdf" / f"{SEED_ID}.pdf").read_bytes().startswith(b"%PDF-")


def test_a_foreign_file_where_an_export_file_goes_is_exit_2_and_nothing_changes(work: Path) -> None:
    assert immunopipe(work, "export", "--out", "docs", *JSON_AND_CSV).returncode == 0
    (work / "docs" / "csv" / "articles.csv").unlink()
    (work / "docs" / "csv" / "articles.csv").write_bytes(b"my,own\r\ntable,here\r\n")
    (work / "content" / f"{SEED_ID}.yaml").write_text(
        (work / "content" / f"{SEED_ID}.yaml").read_text().replace("reading_time_minutes: 3", "reading_time_minutes: 4")
    )
    manifest = json.loads((work / "docs" / "csv" / MANIFEST_NAME).read_text())
    del manifest["files"]["articles.csv"]  # as if another tool had put its own articles.csv there
    (work / "docs" / "csv" / MANIFEST_NAME).write_text(json.dumps(manifest))
    before = checksums(work / "docs")
    for extra in ((), ("--overwrite-edited",), ("--prune",)):
        result = immunopipe(work, "export", "--out", "docs", *JSON_AND_CSV, *extra)
        assert result.returncode == 2
        assert error_line(result) == (
            f"Error: refusing to export: {Path('docs/csv/articles.csv')} was not written by immunopipe: "
            "move or rename it, or choose another --out; nothing was changed"
        )
        assert checksums(work / "docs") == before


def test_a_file_edited_by_hand_is_kept_unless_overwrite_edited_is_given(work: Path) -> None:
    assert immunopipe(work, "export", *JSON_AND_CSV).returncode == 0
    edited = work / "exports" / "json" / f"{SEED_ID}.json"
    edited.write_bytes(edited.read_bytes().replace(b"What is", b"What really is"))
    source = work / "content" / f"{SEED_ID}.yaml"
    source.write_text(source.read_text().replace("reading_time_minutes: 3", "reading_time_minutes: 4"))
    before = checksums(work / "exports")
    result = immunopipe(work, "export", *JSON_AND_CSV)
    assert result.returncode == 2
    assert error_line(result) == (
        f"Error: refusing to export: {Path('exports/json') / f'{SEED_ID}.json'} was edited since the last "
        "export: save your changes elsewhere, or pass --overwrite-edited to let the export replace it; "
        "nothing was changed"
    )
    assert checksums(work / "exports") == before

    result = immunopipe(work, "export", *JSON_AND_CSV, "--overwrite-edited")
    assert result.returncode == 0, result.stderr
    assert f"replaced a file edited by hand: {Path('exports/json') / f'{SEED_ID}.json'}" in result.stderr
    assert b"What really is" not in edited.read_bytes()
    assert json.loads(edited.read_bytes())["article"]["reading_time_minutes"] == 4


def test_an_edited_file_even_with_the_same_content_is_not_replaced_silently(work: Path) -> None:
    """Unchanged content, but the file on disk differs from the manifest: still the user's edit."""
    assert immunopipe(work, "export", *JSON_AND_CSV).returncode == 0
    edited = work / "exports" / "csv" / "glossary.csv"
    edited.write_bytes(edited.read_bytes() + b"my,own,row\r\n")
    before = checksums(work / "exports")
    result = immunopipe(work, "export", *JSON_AND_CSV)
    assert result.returncode == 2
    assert "glossary.csv was edited since the last export" in error_line(result)
    assert checksums(work / "exports") == before


def test_exports_of_gone_articles_stay_until_prune_and_every_removal_is_listed(work: Path) -> None:
    assert immunopipe(work, "export", *JSON_AND_CSV).returncode == 0
    (work / "content" / f"{SECOND_ID}.yaml").unlink()
    stale = Path("exports/json") / f"{SECOND_ID}.json"
    result = immunopipe(work, "export", *JSON_AND_CSV)
    assert result.returncode == 0
    assert (work / stale).exists()
    assert f"kept 1 stale export of articles no longer exported (export with --prune to remove): {stale}" in (
        result.stderr
    )

    result = immunopipe(work, "export", *JSON_AND_CSV, "--prune", "--quiet")
    assert result.returncode == 0
    assert result.stderr == f"removed stale export {stale}\n"
    assert not (work / stale).exists()
    manifest = json.loads((work / "exports" / "json" / MANIFEST_NAME).read_text())
    assert sorted(manifest["files"]) == [f"{SEED_ID}.json", "index.json"]


def test_the_json_summary_lists_removals_also_under_quiet(work: Path) -> None:
    assert immunopipe(work, "export", *JSON_AND_CSV).returncode == 0
    (work / "content" / f"{SECOND_ID}.yaml").unlink()
    result = immunopipe(work, "export", *JSON_AND_CSV, "--prune", "--quiet", "--format", "json")
    assert result.returncode == 0
    assert json.loads(result.stdout)["valid"] is True
    summary = json.loads(result.stderr)["export"]
    assert summary["removed"] == [f"json/{SECOND_ID}.json"]
    assert summary["articles"] == 1
    assert summary["stale_kept"] == [] and summary["overwritten_edited"] == []


def test_an_edited_stale_file_is_not_pruned_without_overwrite_edited(work: Path) -> None:
    assert immunopipe(work, "export", *JSON_AND_CSV).returncode == 0
    (work / "content" / f"{SECOND_ID}.yaml").unlink()
    stale = work / "exports" / "json" / f"{SECOND_ID}.json"
    stale.write_text("my notes on the second article\n")
    before = checksums(work / "exports")
    result = immunopipe(work, "export", *JSON_AND_CSV, "--prune")
    assert result.returncode == 2
    assert "second-article.json was edited since the last export, so --prune keeps it" in error_line(result)
    assert checksums(work / "exports") == before
    assert immunopipe(work, "export", *JSON_AND_CSV).returncode == 0  # without --prune: kept, no error
    assert stale.read_text() == "my notes on the second article\n"
    result = immunopipe(work, "export", *JSON_AND_CSV, "--prune", "--overwrite-edited")
    assert result.returncode == 0
    assert not stale.exists()


def test_exporting_one_file_never_removes_the_others(work: Path) -> None:
    assert immunopipe(work, "export", *JSON_AND_CSV).returncode == 0
    second = work / "exports" / "json" / f"{SECOND_ID}.json"
    before = checksums(work / "exports")
    result = immunopipe(work, "export", *JSON_AND_CSV, f"content/{SEED_ID}.yaml")
    assert result.returncode == 0
    assert second.exists() and checksums(work / "exports")[f"json/{SECOND_ID}.json"] == before[f"json/{SECOND_ID}.json"]

    before = checksums(work / "exports")
    result = immunopipe(work, "export", *JSON_AND_CSV, "--prune", f"content/{SEED_ID}.yaml")
    assert result.returncode == 2
    assert (
        f"--prune removes the exports of articles not exported now, so it needs whole folders, "
        f"not single files such as {Path('content') / f'{SEED_ID}.yaml'}"
    ) in error_line(result)
    assert checksums(work / "exports") == before


#: Things that are not a file the export wrote, put where an export file must go.
IN_THE_WAY = ("link to a file of the user's", "folder", "fifo")


@pytest.mark.parametrize("kind", IN_THE_WAY)
def test_something_other_than_a_file_at_an_export_path_is_refused(work: Path, kind: str) -> None:
    target = work / "exports" / "json" / f"{SEED_ID}.json"
    target.parent.mkdir(parents=True)
    notes = work / "exports" / "my-notes.txt"
    notes.write_text("keep me\n")
    if kind == "folder":
        target.mkdir()
        (target / "inside.txt").write_text("mine\n")
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to(notes)
    before = checksums(work / "exports")
    result = immunopipe(work, "export", *JSON_AND_CSV)
    assert result.returncode == 2
    assert f"{Path('exports/json') / f'{SEED_ID}.json'} is not a regular file immunopipe wrote" in error_line(result)
    assert checksums(work / "exports") == {**before, ".immunopipe.lock": hashlib.sha256(b"").hexdigest()}
    assert notes.read_text() == "keep me\n"


def test_a_link_out_of_the_folder_at_an_export_path_is_refused(work: Path) -> None:
    target = work / "exports" / "json" / f"{SEED_ID}.json"
    target.parent.mkdir(parents=True)
    secret = work / "secret.txt"
    secret.write_text("keep me\n")
    target.symlink_to(secret)
    result = immunopipe(work, "export", *JSON_AND_CSV)
    assert result.returncode == 2
    assert f"refusing to write json/{SEED_ID}.json: it resolves to a place outside" in error_line(result)
    assert secret.read_text() == "keep me\n"


#: Manifests that cannot be trusted: each must stop the export before anything changes.
DAMAGED_MANIFESTS = {
    "empty": b"",
    "not-json": b"{not json",
    "another-kind": b'{"kind": "something else", "version": 1, "files": {}}',
    "null": b"null",
    "a-list": b"[]",
    "files-a-list": b'{"kind": "immunopipe export manifest", "version": 1, "files": []}',
    "digests-not-a-list": b'{"kind": "immunopipe export manifest", "version": 1, "files": {"a.json": 5}}',
    "unsafe-name": b'{"kind": "immunopipe export manifest", "version": 1, "files": {"../../etc/passwd": ["'
    + b"0" * 64
    + b'"]}}',
}


@pytest.mark.parametrize("damage", DAMAGED_MANIFESTS.values(), ids=DAMAGED_MANIFESTS.keys())
def test_a_damaged_manifest_stops_the_export_and_nothing_changes(work: Path, damage: bytes) -> None:
    assert immunopipe(work, "export", *JSON_AND_CSV).returncode == 0
    (work / "exports" / "json" / MANIFEST_NAME).write_bytes(damage)
    (work / "content" / f"{SECOND_ID}.yaml").unlink()
    before = checksums(work / "exports")
    result = immunopipe(work, "export", *JSON_AND_CSV, "--prune")
    assert result.returncode == 2
    line = error_line(result)
    assert line.startswith(f"Error: cannot read the export manifest {Path('exports/json') / MANIFEST_NAME}")
    assert "delete it and export again" in line
    assert "object has no attribute" not in line and "is not iterable" not in line
    assert checksums(work / "exports") == before


def test_exports_without_a_manifest_are_taken_over_where_the_bytes_match(work: Path) -> None:
    """An export made before manifests existed: identical files are adopted, nothing else is touched."""
    assert immunopipe(work, "export", *JSON_AND_CSV).returncode == 0
    for manifest in (work / "exports").rglob(MANIFEST_NAME):
        manifest.unlink()
    result = immunopipe(work, "export", *JSON_AND_CSV)
    assert result.returncode == 0, result.stderr
    assert "0 files written" in result.stderr
    manifest = json.loads((work / "exports" / "json" / MANIFEST_NAME).read_text())
    assert sorted(manifest["files"]) == [f"{SEED_ID}.json", "index.json", f"{SECOND_ID}.json"]


def test_formats_not_exported_are_left_alone_even_with_prune(work: Path) -> None:
    (work / "exports" / "pdf").mkdir(parents=True)
    (work / "exports" / "pdf" / f"{SECOND_ID}.pdf").write_bytes(b"%PDF-1.7 printed by hand\n%%EOF\n")
    before = checksums(work / "exports" / "pdf")
    (work / "content" / f"{SECOND_ID}.yaml").unlink()
    assert immunopipe(work, "export", *JSON_AND_CSV, "--prune").returncode == 0
    assert checksums(work / "exports" / "pdf") == before


def test_reliability_doc_states_the_figures_the_suite_runs() -> None:
    import test_export_render_cache
    import test_paths

    rows = {
        tuple(cell.strip() for cell in line.strip().strip("|").split("|"))
        for line in (Path(__file__).resolve().parents[1] / "docs" / "reliability.md").read_text("utf-8").splitlines()
        if line.startswith("| ")
    }
    counts = {
        "Ways of hiding content from the search, each run through `validate` and `export --prune`": (
            len(test_paths.HIDING) + 1
        ),
        "Things other than a file the export wrote where an export file must go (and a link out)": (
            len(IN_THE_WAY) + 1
        ),
        "Damaged or untrustworthy manifests": len(DAMAGED_MANIFESTS),
        "Render-cache entries forged with a valid checksum but the wrong shape": len(
            test_export_render_cache.FORGERIES
        ),
    }
    assert {(label, str(count)) for label, count in counts.items()} - rows == set()


#: Runs the real command line and kills it (SIGKILL) at its ``n``-th ``os.replace`` or ``os.unlink``.
KILL_AT = """
import os, signal, sys
from immunopipe.cli import main
calls, limit = [0], int(sys.argv[1])
def counted(operation):
    def run(*args, **kwargs):
        calls[0] += 1
        if calls[0] == limit:
            os.kill(os.getpid(), signal.SIGKILL)
        return operation(*args, **kwargs)
    return run
os.replace, os.unlink = counted(os.replace), counted(os.unlink)
main(sys.argv[2:])
"""


def test_an_export_killed_at_any_replacement_or_removal_is_finished_by_the_next(work: Path, seed_text: str) -> None:
    """Kill at each step in turn: the manifest must still own every file, so the next export never refuses."""
    export = ("export", "--to", "json", "--prune", "--no-cache")
    assert immunopipe(work, *export).returncode == 0
    source = work / "content" / f"{SEED_ID}.yaml"
    source.write_text(seed_text.replace("reading_time_minutes: 3", "reading_time_minutes: 4"))
    (work / "content" / f"{SECOND_ID}.yaml").rename(work / f"{SECOND_ID}.yaml.away")
    first = work / "first"
    shutil.copytree(work / "exports", first)
    assert immunopipe(work, *export, "--out", "reference").returncode == 0
    expected = {name: sha for name, sha in checksums(work / "reference").items() if not Path(name).name.startswith(".")}
    steps = 0
    while True:
        steps += 1
        shutil.rmtree(work / "exports")
        shutil.copytree(first, work / "exports")
        killed = subprocess.run(
            [sys.executable, "-c", KILL_AT, str(steps), *export], cwd=work, capture_output=True, timeout=120
        )
        if killed.returncode == 0:
            break  # fewer steps than that: every step has had its kill
        assert killed.returncode == -signal.SIGKILL
        again = immunopipe(work, *export)
        assert again.returncode == 0, (steps, again.stderr)
        after = checksums(work / "exports")
        assert {name: sha for name, sha in after.items() if not Path(name).name.startswith(".")} == expected, steps
    assert steps > 5  # the transitional and final manifests, two files, the removal


def test_a_file_where_a_format_folder_goes_is_named_as_such(work: Path) -> None:
    (work / "exports").mkdir()
    (work / "exports" / "json").write_text("mine\n")
    result = immunopipe(work, "export", *JSON_AND_CSV)
    assert result.returncode == 2
    assert "a file stands where a folder is needed" in error_line(result)
    assert (work / "exports" / "json").read_text() == "mine\n"


def refuse_to_read(monkeypatch: pytest.MonkeyPatch, unreadable: Path) -> None:
    """Make opening ``unreadable`` fail as a file without read permission does (root reads anything)."""
    real_open = Path.open

    def guarded(self: Path, *args: object, **kwargs: object) -> object:
        if self == unreadable:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", guarded)


def test_a_file_that_cannot_be_read_is_named_so_and_never_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "json" / "a.json"
    target.parent.mkdir()
    target.write_bytes(b"{}\n")
    refuse_to_read(monkeypatch, target)
    assert file_sha256(target) == UNREADABLE
    plan, conflicts = plan_folder(
        tmp_path,
        Path("exports"),
        Manifest(PurePosixPath("json"), {"a.json": frozenset({"0" * 64})}),
        {"a.json": UNREADABLE},
        {"a.json": "1" * 64},
        prune=False,
        overwrite_edited=True,
    )
    assert conflicts == [
        f"{Path('exports/json/a.json')} cannot be read (permission denied), so immunopipe cannot tell "
        "whether it wrote it: make it readable, or move it away"
    ]
    assert plan.overwritten == []


def test_a_manifest_that_cannot_be_read_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = tmp_path / "json" / MANIFEST_NAME
    manifest.parent.mkdir()
    manifest.write_text("{}")
    refuse_to_read(monkeypatch, manifest)
    with pytest.raises(OwnershipError, match=r"cannot read the export manifest .*: permission denied; restore it"):
        read_manifest(tmp_path, PurePosixPath("json"), Path("exports"))
