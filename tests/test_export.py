"""The export command end to end: validation gate, layout, determinism, stale files, failures, PDF hook."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import signal
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

import immunopipe.export
import immunopipe.validate
import immunopipe.validate.runner
from immunopipe import cli
from immunopipe.cli import main
from immunopipe.export import ExportOptions, ExportResult, UnsafeName, article_path, export_articles
from immunopipe.export.csv import render_tables
from immunopipe.files.write import TEMP_SUFFIX, ExportFile, WriteError, contained_path
from immunopipe.load import load_bytes
from immunopipe.model import Article, article_from_data

SEED_ID = "immune-system-medicine"
JSON_AND_CSV = ("--to", "json", "--to", "csv")
#: An edit that keeps the seed valid but changes its JSON and some of its CSV files.
CHANGE_FROM, CHANGE_TO = "reading_time_minutes: 3", "reading_time_minutes: 4"
CSV_FILES = {
    f"csv/{name}"
    for name in (
        "articles.csv",
        "sources.csv",
        "uses.csv",
        "conditions.csv",
        "condition_parts.csv",
        "condition_codes.csv",
        "medicine_classes.csv",
        "class_codes.csv",
        "medicines.csv",
        "medicine_codes.csv",
        "considerations.csv",
        "glossary.csv",
        "translations.csv",
        "translation_status.csv",
        "queries.csv",
        "datapackage.json",
    )
}


@pytest.fixture
def workdir(tmp_path: Path, seed_text: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with content/ holding the seed article; the test runs inside it."""
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / f"{SEED_ID}.yaml").write_text(seed_text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def fake_pdf(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Stand in for ``immunopipe.export.pdf``; returns the calls made to its ``render_pdf``."""
    calls: list[dict[str, Any]] = []

    def render_pdf(article: Any, *, paper: str = "a4", large_print: bool = False) -> bytes:
        calls.append({"id": article.id, "paper": paper, "large_print": large_print})
        return f"%PDF-fake {article.id} {paper} {large_print}".encode()

    def iter_pdfs(articles: Any, *, paper: str = "a4", large_print: bool = False, **how: Any) -> Iterator[bytes]:
        for article in articles:
            yield render_pdf(article, paper=paper, large_print=large_print)

    module = types.ModuleType("immunopipe.export.pdf")
    module.render_pdf = render_pdf  # type: ignore[attr-defined]
    module.iter_pdfs = iter_pdfs  # type: ignore[attr-defined]
    module.PdfRenderError = RuntimeError  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "immunopipe.export.pdf", module)
    return calls


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["export", *args], catch_exceptions=False)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by relative path, hidden files included."""
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def exported_files(root: Path) -> set[str]:
    return {name for name in snapshot(root) if not Path(name).name.startswith(".")}


def add_article(workdir: Path, seed_text: str, article_id: str) -> Path:
    """A second valid article: the seed under another id (and file name)."""
    text = seed_text.replace(f"\nid: {SEED_ID}\n", f"\nid: {article_id}\n")
    path = workdir / "content" / f"{article_id}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_export_writes_every_fact_as_json_and_csv(workdir: Path, seed_facts: tuple[str, ...]) -> None:
    result = run(*JSON_AND_CSV)
    assert result.exit_code == 0, result.output
    assert ": error:" not in result.stdout
    assert "exported 1 article to exports: 18 files written, 0 unchanged, 0 stale removed" in result.stderr
    assert exported_files(workdir / "exports") == {f"json/{SEED_ID}.json", "json/index.json", *CSV_FILES}
    article_json = (workdir / "exports" / "json" / f"{SEED_ID}.json").read_text("utf-8")
    csv_text = "".join(p.read_text("utf-8-sig") for p in (workdir / "exports" / "csv").glob("*.csv"))
    assert [fact for fact in seed_facts if fact not in article_json] == []
    assert [fact for fact in seed_facts if fact not in csv_text] == []
    index = json.loads((workdir / "exports" / "json" / "index.json").read_text("utf-8"))
    assert [entry["file"] for entry in index["articles"]] == [f"{SEED_ID}.json"]


def test_second_export_is_byte_identical_and_rewrites_nothing(workdir: Path) -> None:
    run(*JSON_AND_CSV)
    first = snapshot(workdir / "exports")
    result = run(*JSON_AND_CSV)
    assert result.exit_code == 0
    assert "0 files written, 18 unchanged" in result.stderr
    assert snapshot(workdir / "exports") == first


def test_invalid_content_prints_diagnostics_and_writes_nothing(workdir: Path) -> None:
    bad = workdir / "content" / "broken.yaml"
    bad.write_text("id: broken\ntitle: 3\n", encoding="utf-8")
    result = run(*JSON_AND_CSV)
    assert result.exit_code == 1
    assert "content/broken.yaml:2:8: error:" in result.stdout
    assert not (workdir / "exports").exists()


def test_invalid_content_leaves_the_earlier_export_byte_for_byte(workdir: Path, seed_text: str) -> None:
    run(*JSON_AND_CSV)
    before = snapshot(workdir / "exports")
    (workdir / "content" / f"{SEED_ID}.yaml").write_text(
        seed_text.replace("reading_time_minutes: 3", "reading_time_minutes: 0")
    )
    result = run(*JSON_AND_CSV)
    assert result.exit_code == 1
    assert "[schema-range]" in result.stdout
    assert snapshot(workdir / "exports") == before


def test_strict_refuses_to_export_on_warnings(workdir: Path) -> None:
    result = CliRunner().invoke(main, ["validate", "--format", "json"], catch_exceptions=False)
    has_warnings = any(d["severity"] == "warning" for d in json.loads(result.stdout)["diagnostics"])
    strict = run(*JSON_AND_CSV, "--strict")
    assert strict.exit_code == (1 if has_warnings else 0)
    assert (workdir / "exports").exists() is not has_warnings


def test_reserved_article_id_is_a_content_error(workdir: Path, seed_text: str) -> None:
    add_article(workdir, seed_text, "index")
    result = run(*JSON_AND_CSV)
    assert result.exit_code == 1
    assert "content/index.yaml:2:5: error: article id 'index' cannot name export files" in result.stdout
    assert "[reserved-id]" in result.stdout
    assert not (workdir / "exports").exists()


@pytest.mark.parametrize(
    "article_id",
    ["../escape", "/etc/passwd", "a/b", "a\\b", "..", "", "abc\n", "Upper", "a--b", "-a", "a.json", "index", "é"],
)
def test_hostile_ids_cannot_name_files(article_id: str) -> None:
    with pytest.raises(UnsafeName):
        article_path("json", article_id, ".json")


@pytest.mark.slow
@given(st.text(max_size=80))
def test_any_id_either_is_refused_or_names_one_file_inside_the_folder(article_id: str) -> None:
    root = Path("/srv/exports")
    try:
        relative = article_path("json", article_id, ".json")
    except UnsafeName:
        return
    assert relative.parts == ("json", f"{article_id}.json")
    target = contained_path(root, relative)
    assert target.parent == root / "json"


def test_stale_exports_stay_until_pruned_and_only_the_exports_own_files_go(workdir: Path, seed_text: str) -> None:
    second = add_article(workdir, seed_text, "second-article")
    run(*JSON_AND_CSV)
    exports = workdir / "exports"
    assert (exports / "json" / "second-article.json").exists()
    keep = [exports / "json" / "notes.txt", exports / "json" / "draft.json", exports / "pdf" / "second-article.pdf"]
    for path in keep:
        path.parent.mkdir(exist_ok=True)
        path.write_text("mine")
    second.unlink()
    result = run(*JSON_AND_CSV)
    assert result.exit_code == 0
    assert "0 stale removed" in result.stderr
    kept = Path("exports/json/second-article.json")
    assert (
        f"kept 1 stale export of articles no longer exported (export with --prune to remove): {kept}" in result.stderr
    )
    assert (exports / "json" / "second-article.json").exists()

    result = run(*JSON_AND_CSV, "--prune")
    assert result.exit_code == 0
    assert "1 stale removed" in result.stderr
    assert f"removed stale export {Path('exports/json/second-article.json')}" in result.stderr
    assert not (exports / "json" / "second-article.json").exists()
    assert all(path.read_text() == "mine" for path in keep)
    index = json.loads((exports / "json" / "index.json").read_text("utf-8"))
    assert [entry["id"] for entry in index["articles"]] == [SEED_ID]
    medicines = (exports / "csv" / "medicines.csv").read_text("utf-8-sig")
    assert "second-article" not in medicines


@pytest.mark.parametrize("out", ["a-file", "a-file/exports"])
def test_unwritable_out_is_a_clear_exit_2(workdir: Path, out: str) -> None:
    (workdir / "a-file").write_text("not a folder")
    result = run(*JSON_AND_CSV, "--out", out)
    assert result.exit_code == 2
    assert "Error: cannot write exports to" in result.stderr
    assert "a file stands where a folder is needed" in result.stderr
    assert "Traceback" not in result.output


def _no_articles_read() -> Iterator[Article]:
    raise AssertionError("the articles were read: the export got past its check of the folder")
    yield  # a generator: nothing runs until the export reads it


@pytest.mark.parametrize("out", ["/", "../" * 64])
def test_the_file_system_root_is_refused_before_anything_is_read_or_written(workdir: Path, out: str) -> None:
    with pytest.raises(WriteError, match="it is the root of the file system"):
        export_articles(_no_articles_read(), workdir / out, formats=("json",))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_out_is_a_clear_exit_2(workdir: Path) -> None:
    (workdir / "exports").mkdir(mode=0o555)
    result = run(*JSON_AND_CSV)
    assert result.exit_code == 2
    assert "Permission denied" in result.stderr


def test_failure_mid_write_keeps_earlier_export_and_leaves_no_temp_files(
    workdir: Path, seed_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(*JSON_AND_CSV)
    before = snapshot(workdir / "exports")
    (workdir / "content" / f"{SEED_ID}.yaml").write_text(seed_text.replace(CHANGE_FROM, CHANGE_TO))
    real_fsync, calls = os.fsync, []

    def failing_fsync(descriptor: int) -> None:
        calls.append(descriptor)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", failing_fsync)
    result = run(*JSON_AND_CSV, "--no-cache")  # no cache writes: the third fsync is an export file's
    assert result.exit_code == 2
    assert "No space left on device" in result.stderr and "disk is full" in result.stderr
    assert snapshot(workdir / "exports") == before
    assert not [p for p in (workdir / "exports").rglob("*") if p.name.endswith(TEMP_SUFFIX)]


KILL_AT_SECOND_REPLACE = """
import os, signal, sys
from immunopipe.cli import main

real_replace, calls = os.replace, []

def replace_then_die(source, target):
    if not os.path.basename(target).startswith("."):  # export files, not manifests
        calls.append(target)
    if len(calls) == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    real_replace(source, target)

os.replace = replace_then_die
main(["export", "--to", "json", "--to", "csv"])
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_killed_export_leaves_whole_files_and_the_next_one_cleans_up(workdir: Path, seed_text: str) -> None:
    run(*JSON_AND_CSV)
    old = snapshot(workdir / "exports")
    (workdir / "content" / f"{SEED_ID}.yaml").write_text(seed_text.replace(CHANGE_FROM, CHANGE_TO))
    assert run(*JSON_AND_CSV, "--out", "reference").exit_code == 0
    new = snapshot(workdir / "reference")

    killed = subprocess.run([sys.executable, "-c", KILL_AT_SECOND_REPLACE], capture_output=True, timeout=60)
    assert killed.returncode == -signal.SIGKILL
    after = snapshot(workdir / "exports")
    strays = [name for name in after if name.endswith(TEMP_SUFFIX)]
    assert strays, "the kill should have left temporary files behind"
    for name, data in after.items():
        if name not in strays and not Path(name).name.startswith("."):
            assert data in (old[name], new[name]), name
    assert after[f"json/{SEED_ID}.json"] == new[f"json/{SEED_ID}.json"]
    assert after["json/index.json"] == old["json/index.json"]

    assert run(*JSON_AND_CSV).exit_code == 0
    assert exported_files(workdir / "exports") == exported_files(workdir / "reference")
    assert {k: v for k, v in snapshot(workdir / "exports").items() if not Path(k).name.startswith(".")} == {
        k: v for k, v in new.items() if not Path(k).name.startswith(".")
    }
    assert not [p for p in (workdir / "exports").rglob("*") if p.name.endswith(TEMP_SUFFIX)]


def test_default_formats_include_pdf_with_paper_and_large_print(workdir: Path, fake_pdf: list[dict[str, Any]]) -> None:
    result = run("--paper", "letter", "--large-print")
    assert result.exit_code == 0, result.output
    assert fake_pdf == [{"id": SEED_ID, "paper": "letter", "large_print": True}]
    assert (workdir / "exports" / "pdf" / f"{SEED_ID}.pdf").read_bytes() == f"%PDF-fake {SEED_ID} letter True".encode()
    assert {f"json/{SEED_ID}.json", *CSV_FILES} <= exported_files(workdir / "exports")


def test_pdf_unavailable_is_exit_2_and_writes_nothing(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "immunopipe.export.pdf", None)
    result = run()
    assert result.exit_code == 2
    assert "Error: PDF export is not available in this installation" in result.stderr
    assert not (workdir / "exports").exists()


def test_json_report_keeps_stdout_machine_readable(workdir: Path) -> None:
    result = run(*JSON_AND_CSV, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["valid"] is True
    summary = json.loads(result.stderr)["export"]
    assert (summary["articles"], summary["unchanged"], summary["removed"]) == (1, 0, [])
    assert sorted(summary["written"]) == sorted([f"json/{SEED_ID}.json", "json/index.json", *CSV_FILES])


def test_no_bom_option_writes_plain_utf8(workdir: Path) -> None:
    assert run("--to", "csv", "--no-csv-bom").exit_code == 0
    assert (workdir / "exports" / "csv" / "articles.csv").read_bytes().startswith(b"article_id,")


def test_api_raises_write_error_for_an_unusable_folder(workdir: Path) -> None:
    (workdir / "exports").write_text("in the way")
    with pytest.raises(WriteError, match="a file stands where a folder is needed"):
        export_articles([], workdir / "exports", formats=("json",))


def test_installed_script_exports_without_loading_weasyprint(workdir: Path) -> None:
    script = Path(sys.executable).with_name("immunopipe")
    result = subprocess.run([str(script), "export", *JSON_AND_CSV], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "exported 1 article to exports" in result.stderr
    probe = (
        "import sys\nfrom immunopipe.cli import main\n"
        "try:\n    main(['export', '--to', 'json', '--to', 'csv', '--out', 'probe'])\n"
        "except SystemExit:\n    pass\nprint('weasyprint' in sys.modules)"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert loaded.stdout.strip().splitlines()[-1] == "False"
    assert (workdir / "probe" / "json" / "index.json").is_file()


@pytest.fixture(scope="module")
def library(seed_text: str) -> list[Article]:
    """Four articles, in id order, that differ in id and title."""
    seed = article_from_data(load_bytes(seed_text.encode("utf-8")).data)
    return [dataclasses.replace(seed, id=f"{name}-article", title=f"The {name} one") for name in "abcd"]


def test_articles_in_any_order_export_the_same_bytes(tmp_path: Path, library: list[Article]) -> None:
    sorted_result = export_articles(library, tmp_path / "sorted", formats=("json", "csv"))
    shuffled = [library[2], library[0], library[3], library[1]]
    export_articles(iter(shuffled), tmp_path / "shuffled", formats=("json", "csv"))
    assert snapshot(tmp_path / "shuffled") == snapshot(tmp_path / "sorted")
    tables = {f"csv/{name}": data for name, data in render_tables(library)}
    assert {name: data for name, data in snapshot(tmp_path / "sorted").items() if name in tables} == tables
    assert sorted_result.articles == 4
    assert sorted(map(str, sorted_result.files)) == sorted(exported_files(tmp_path / "sorted"))
    files = snapshot(tmp_path / "sorted")
    index = json.loads(files["json/index.json"])["articles"]
    assert [(e["id"], e["title"]) for e in index] == [(a.id, a.title) for a in library]
    assert all(e["sha256"] == hashlib.sha256(files[f"json/{e['file']}"]).hexdigest() for e in index)


def test_each_article_is_staged_as_it_comes_and_nothing_replaced_before_the_end(
    tmp_path: Path, library: list[Article]
) -> None:
    out = tmp_path / "exports"
    export_articles(library[:1], out, formats=("json", "csv"))
    before = snapshot(out)
    seen: list[tuple[list[str], dict[str, bytes]]] = []

    def articles() -> Iterator[Article]:
        for article in library:
            yield article  # the export resumes here when it wants the next article
            staged = sorted(p.name.split(".")[1] for p in (out / "json").glob(f"*{TEMP_SUFFIX}"))
            seen.append((staged, {k: v for k, v in snapshot(out).items() if TEMP_SUFFIX not in k}))

    export_articles(articles(), out, formats=("json", "csv"))
    # The first article's file is unchanged, so never staged; each later one is staged straight away.
    assert [staged for staged, _ in seen] == [
        [],
        ["b-article"],
        ["b-article", "c-article"],
        ["b-article", "c-article", "d-article"],
    ]
    assert all(files == before for _, files in seen)
    assert not [p for p in out.rglob("*") if p.name.endswith(TEMP_SUFFIX)]


def test_a_failure_while_reading_articles_replaces_nothing_and_leaves_no_temp_files(
    tmp_path: Path, library: list[Article]
) -> None:
    out = tmp_path / "exports"
    export_articles(library[:2], out, formats=("json", "csv"))
    before = snapshot(out)

    def articles() -> Iterator[Article]:
        yield from library[1:]
        raise RuntimeError("a content file went away")

    with pytest.raises(RuntimeError, match="went away"):
        export_articles(articles(), out, formats=("json", "csv"))
    assert snapshot(out) == before


def test_a_repeated_id_is_refused_and_replaces_nothing(tmp_path: Path, library: list[Article]) -> None:
    out = tmp_path / "exports"
    export_articles(library[:1], out, formats=("json", "csv"))
    before = snapshot(out)
    twin = dataclasses.replace(library[1], id=library[0].id)
    with pytest.raises(UnsafeName, match="used by two articles"):
        export_articles([library[0], twin], out, formats=("json", "csv"))
    assert snapshot(out) == before


def test_handouts_are_rendered_in_batches(
    tmp_path: Path, library: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    batches: list[list[str]] = []

    def render_pdf(articles: list[Article], options: ExportOptions) -> Iterator[ExportFile]:
        batches.append([article.id for article in articles])
        yield from [ExportFile(article_path("pdf", a.id, ".pdf"), b"%PDF " + a.id.encode()) for a in articles]

    monkeypatch.setattr(immunopipe.export.pdf_writer, "render_batch", render_pdf)
    monkeypatch.setattr(immunopipe.export.pdf_writer, "PDF_BATCH", 3)
    result = export_articles(library, tmp_path / "exports", formats=("pdf",))
    assert batches == [["a-article", "b-article", "c-article"], ["d-article"]]
    assert sorted(map(str, result.written)) == [f"pdf/{a.id}.pdf" for a in library]


def edit_after_validation(workdir: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the export's validation edit content file ``name`` as soon as it has checked it."""
    real_check = cli.check_files

    def check_then_edit(*args: Any, **kwargs: Any) -> Any:
        outcome = real_check(*args, **kwargs)
        path = workdir / "content" / name
        path.write_text(path.read_text("utf-8").replace(CHANGE_FROM, CHANGE_TO), encoding="utf-8")
        return outcome

    monkeypatch.setattr(cli, "check_files", check_then_edit)


def test_content_changed_before_its_handout_is_rendered_is_exit_2_and_replaces_nothing(
    workdir: Path, seed_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_article(workdir, seed_text, "second-article")
    run("--to", "pdf")
    before = snapshot(workdir / "exports")
    edit_after_validation(workdir, "second-article.yaml", monkeypatch)
    (workdir / "content" / f"{SEED_ID}.yaml").write_text(seed_text.replace(CHANGE_FROM, CHANGE_TO))
    # A handout is rendered from the file read again, which must hold the bytes validated.
    result = run("--to", "pdf", "--no-cache")
    assert result.exit_code == 2
    assert "second-article.yaml changed after it was validated; run the export again" in result.stderr
    assert snapshot(workdir / "exports") == before


def test_json_and_csv_hold_the_content_validated_even_if_a_file_changes_meanwhile(
    workdir: Path, seed_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_article(workdir, seed_text, "second-article")
    edit_after_validation(workdir, "second-article.yaml", monkeypatch)
    # The JSON and CSV are rendered by the validation itself, from the bytes it checked.
    result = run(*JSON_AND_CSV, "--no-cache")
    assert result.exit_code == 0, result.output
    document = json.loads((workdir / "exports" / "json" / "second-article.json").read_bytes())
    assert f"{CHANGE_FROM}\n" in seed_text
    assert document["article"]["reading_time_minutes"] == int(CHANGE_FROM.split()[-1])
    assert "reading_time_minutes: 4" in (workdir / "content" / "second-article.yaml").read_text("utf-8")


def test_only_articles_neither_validated_now_nor_cached_are_loaded_and_the_bytes_are_the_same(
    workdir: Path, seed_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_article(workdir, seed_text, "second-article")
    assert run(*JSON_AND_CSV).exit_code == 0
    (workdir / "content" / f"{SEED_ID}.yaml").write_text(seed_text.replace(CHANGE_FROM, CHANGE_TO))
    (workdir / "exports" / "json" / "second-article.json").unlink()  # lost: must be rendered again
    loaded: list[str] = []
    real_load_validated = immunopipe.validate.runner.load_validated

    def counting(path: Path, digest: str) -> Any:
        loaded.append(path.name)
        return real_load_validated(path, digest)

    monkeypatch.setattr(immunopipe.validate.runner, "load_validated", counting)
    result = run(*JSON_AND_CSV)
    assert result.exit_code == 0, result.output
    # The changed article is rendered by its validation; the unchanged one, whose JSON file was
    # lost, is the only one loaded again.
    assert loaded == ["second-article.yaml"]
    loaded.clear()
    assert "0 files written" in run(*JSON_AND_CSV).stderr
    assert loaded == []
    assert run(*JSON_AND_CSV, "--no-cache", "--out", "reference").exit_code == 0
    exported, reference = snapshot(workdir / "exports"), snapshot(workdir / "reference")
    assert {name: exported[name] for name in exported_files(workdir / "exports")} == {
        name: reference[name] for name in exported_files(workdir / "reference")
    }


def test_the_summary_names_a_few_stale_files_kept_and_the_json_summary_all() -> None:
    kept = tuple(PurePosixPath("json", f"article-{n}.json") for n in range(8))
    result = ExportResult(
        out_dir=Path("éxports"), articles=1, files=(), written=(), removed=(PurePosixPath("pdf/x.pdf"),), kept=kept
    )
    lines = result.summary().splitlines()
    assert lines[1] == f"removed stale export {Path('éxports/pdf/x.pdf')}"
    assert lines[2].endswith(f"{Path('éxports/json/article-4.json')} and 3 more")
    assert result.json_summary().isascii()
    assert json.loads(result.json_summary())["export"]["stale_kept"] == [str(path) for path in kept]
