"""Styles and fonts shared between a process's handouts: same bytes, nothing stale, nothing left behind.

Real WeasyPrint renders; each promise of :mod:`immunopipe.export.pdf_styles` is attacked in
turn: the bytes against fresh styles, a changed or missing typeface, handouts in other scripts
between English ones, threads, forked processes and pool workers, and the temporary font folders
WeasyPrint makes.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from handout_variants import EXAMPLE_PROFILE, translated_handout

from immunopipe.export import handout, pdf_styles
from immunopipe.export import pdf as renderer
from immunopipe.load import load_bytes
from immunopipe.model import Article, article_from_data
from immunopipe.validate.profile import load_profile

FONT_FOLDER_PREFIX = "weasyprint-"


@pytest.fixture
def seed_article(seed_text: str) -> Article:
    return article_from_data(load_bytes(seed_text.encode("utf-8")).data)


@pytest.fixture
def font_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A temporary folder of its own for WeasyPrint's font copies, with nothing shared yet."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    pdf_styles.release()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    pdf_styles.release()


def folders_in(folder: Path) -> list[Path]:
    return sorted(path for path in folder.iterdir() if path.name.startswith(FONT_FOLDER_PREFIX))


def fresh(render: object) -> bytes:
    """A handout rendered with nothing shared from earlier handouts."""
    pdf_styles.release()
    assert callable(render)
    result = render()
    assert isinstance(result, bytes)
    return result


def test_shared_styles_give_the_same_bytes_as_fresh_ones(seed_article: Article) -> None:
    profile = load_profile(EXAMPLE_PROFILE)
    renders = {
        "a4": lambda: renderer.render_pdf(seed_article),
        "arabic": lambda: translated_handout.__wrapped__("ar"),
        "letter, large print, clinic": lambda: renderer.render_pdf(
            seed_article, paper="letter", large_print=True, profile=profile
        ),
        "chinese": lambda: translated_handout.__wrapped__("zh-Hans"),
        "a4 again": lambda: renderer.render_pdf(seed_article),
    }
    pdf_styles.release()
    shared = {name: render() for name, render in renders.items()}  # in one thread, one after another
    assert {name: fresh(render) for name, render in renders.items()} == shared
    assert shared["a4"] == shared["a4 again"]


def test_one_font_configuration_serves_every_english_handout(seed_article: Article, font_folders: Path) -> None:
    renderer.render_pdf(seed_article)
    renderer.render_pdf(seed_article, paper="letter", large_print=True)
    assert len(folders_in(font_folders)) == 1


def test_a_translation_loads_its_fonts_apart_and_removes_them(seed_article: Article, font_folders: Path) -> None:
    renderer.render_pdf(seed_article)
    shared = folders_in(font_folders)
    translated_handout.__wrapped__("zh-Hans")
    gc.collect()
    assert folders_in(font_folders) == shared


def test_another_typeface_is_loaded_anew_and_the_old_one_removed(
    seed_article: Article, font_folders: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first = renderer.render_pdf(seed_article)
    old = folders_in(font_folders)
    copies = {}
    for path, weight, style in renderer.font_files().values():
        copy = tmp_path / f"copy-{path.name}"
        shutil.copyfile(path, copy)
        copies[f"{handout.ASSET_SCHEME}fonts/{copy.name}"] = (copy, weight, style)
    monkeypatch.setattr(renderer, "font_files", lambda: copies)
    assert renderer.render_pdf(seed_article) == first  # the same faces under other names
    new = folders_in(font_folders)
    assert len(new) == 1 and new != old


def test_a_font_that_cannot_be_read_fails_every_render_and_is_never_kept(
    seed_article: Article, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    expected = renderer.render_pdf(seed_article)
    gone = tmp_path / "gone.ttf"
    fonts = {**renderer.font_files(), f"{handout.ASSET_SCHEME}fonts/gone.ttf": (gone, 400, "normal")}
    monkeypatch.setattr(renderer, "font_files", lambda: fonts)
    for _ in range(2):
        with pytest.raises(renderer.PdfRenderError, match=f"cannot read {gone}"):
            renderer.render_pdf(seed_article)
    monkeypatch.undo()
    assert renderer.render_pdf(seed_article) == expected


def test_each_thread_has_its_own_and_removes_it_when_it_ends(seed_article: Article, font_folders: Path) -> None:
    expected = renderer.render_pdf(seed_article)
    results: list[bytes] = []
    threads = [threading.Thread(target=lambda: results.append(renderer.render_pdf(seed_article))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    gc.collect()
    assert results == [expected, expected]
    assert len(folders_in(font_folders)) == 1  # this thread's


def _render_in_child(article: Article, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    queue.put(renderer.render_pdf(article))


def test_a_forked_process_makes_its_own_and_leaves_its_parents_alone(seed_article: Article, font_folders: Path) -> None:
    expected = renderer.render_pdf(seed_article)
    parents = folders_in(font_folders)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_render_in_child, args=(seed_article, queue))
    child.start()
    assert queue.get(timeout=120) == expected
    child.join(120)
    assert child.exitcode == 0
    assert folders_in(font_folders) == parents  # the child's own is gone, the parent's is still there
    assert all(any(folder.iterdir()) for folder in parents)
    assert renderer.render_pdf(seed_article) == expected


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_export_leaves_no_font_folder_behind(seed_text: str, tmp_path: Path, jobs: str) -> None:
    content = tmp_path / "content"
    content.mkdir()
    for number in range(3):
        article_id = f"article-{number}"
        text = seed_text.replace("id: immune-system-medicine", f"id: {article_id}", 1)
        (content / f"{article_id}.yaml").write_text(text, encoding="utf-8")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    command = [sys.executable, "-m", "immunopipe", "export", "--to", "pdf", "--no-cache", "--jobs", jobs, "-q"]
    result = subprocess.run(
        [*command, "--out", str(tmp_path / "exports"), str(content)],
        cwd=tmp_path,
        env={**os.environ, "TMPDIR": str(temporary)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "exports" / "pdf").glob("*.pdf"))) == 3
    assert folders_in(temporary) == []
