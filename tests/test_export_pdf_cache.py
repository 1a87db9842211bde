"""The handout render cache: what it reuses, what makes it render again, and what it never serves.

Most tests stand a quick fake in for WeasyPrint (the cache never looks inside a PDF beyond its
first and last bytes); one checks that a cached handout is the real render.
"""

from __future__ import annotations

import copy
import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest

from immunopipe.export import handout, pdf_pool
from immunopipe.export import pdf as renderer
from immunopipe.export.pdf_cache import FOLDER, HandoutCache, is_whole_pdf
from immunopipe.fingerprint import package_fingerprint
from immunopipe.load import load_bytes
from immunopipe.model import Article, article_from_data


@pytest.fixture
def articles(seed_text: str) -> list[Article]:
    """The seed and a second article."""
    data = load_bytes(seed_text.encode("utf-8")).data
    second = copy.deepcopy(data)
    second["id"] = "second-article"
    return [article_from_data(data), article_from_data(second)]


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, bool]]:
    """(id, paper, large print) of every handout the fake renderer makes."""
    calls: list[tuple[str, str, bool]] = []

    def render_pdf(
        article: Article,
        *,
        paper: str = "a4",
        large_print: bool = False,
        profile: object = None,
        language: object = None,
    ) -> bytes:
        calls.append((article.id, paper, large_print))
        return f"%PDF-1.7 {article.id} {article.title} {paper} {large_print}\n%%EOF\n".encode()

    monkeypatch.setattr(renderer, "render_pdf", render_pdf)
    return calls


def render(articles: list[Article], cache_dir: Path, **options: Any) -> list[bytes]:
    return list(renderer.iter_pdfs(articles, cache_dir=cache_dir, **options))


def entries(cache_dir: Path) -> list[Path]:
    return sorted((cache_dir / FOLDER).iterdir())


def test_unchanged_articles_are_not_rendered_again(
    articles: list[Article], rendered: list[tuple[str, str, bool]], tmp_path: Path
) -> None:
    first = render(articles, tmp_path)
    assert [article_id for article_id, _, _ in rendered] == ["immune-system-medicine", "second-article"]
    rendered.clear()
    assert render(articles, tmp_path) == first
    assert rendered == []
    assert len(entries(tmp_path)) == 2


def test_a_changed_article_alone_is_rendered_again(
    articles: list[Article], rendered: list[tuple[str, str, bool]], tmp_path: Path
) -> None:
    render(articles, tmp_path)
    rendered.clear()
    changed = [articles[0], dataclasses.replace(articles[1], title="Another title")]
    assert b"Another title" in render(changed, tmp_path)[1]
    assert rendered == [("second-article", "a4", False)]


def test_another_paper_or_print_size_renders_again_and_both_are_kept(
    articles: list[Article], rendered: list[tuple[str, str, bool]], tmp_path: Path
) -> None:
    render(articles, tmp_path)
    render(articles, tmp_path, paper="letter")
    render(articles, tmp_path, large_print=True)
    rendered.clear()
    for options in ({}, {"paper": "letter"}, {"large_print": True}):
        render(articles, tmp_path, **options)
    assert rendered == []
    assert len(entries(tmp_path)) == 6


def test_a_change_to_the_stylesheet_renders_again(
    articles: list[Article], rendered: list[tuple[str, str, bool]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    render(articles, tmp_path / "cache")
    package = tmp_path / "immunopipe"
    shutil.copytree(Path(handout.__file__).parents[1], package, ignore=shutil.ignore_patterns("__pycache__"))
    with (package / "export" / "templates" / handout.STYLESHEET_NAME).open("a", encoding="utf-8") as stylesheet:
        stylesheet.write("h1 { color: #000; }\n")
    monkeypatch.setattr(pdf_pool, "code_fingerprint", lambda: package_fingerprint(package))
    rendered.clear()
    render(articles, tmp_path / "cache")
    assert len(rendered) == 2


def test_source_date_epoch_renders_again_only_the_articles_without_dates(
    articles: list[Article], rendered: list[tuple[str, str, bool]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dates = dataclasses.replace(articles[1].editorial.dates, published="2026-09-30", last_reviewed="2026-10-01")
    dated = dataclasses.replace(articles[1], editorial=dataclasses.replace(articles[1].editorial, dates=dates))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    render([articles[0], dated], tmp_path)
    rendered.clear()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the seed's PDF dates come from it now
    render([articles[0], dated], tmp_path)
    assert [article_id for article_id, _, _ in rendered] == ["immune-system-medicine"]


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data.replace(b"1.7", b"1.6"), id="altered"),
        pytest.param(lambda data: b"", id="empty"),
    ],
)
def test_a_damaged_entry_is_never_served_and_is_replaced(
    articles: list[Article], rendered: list[tuple[str, str, bool]], tmp_path: Path, damage: Any
) -> None:
    first = render(articles[:1], tmp_path)
    (entry,) = entries(tmp_path)
    entry.write_bytes(damage(entry.read_bytes()))
    rendered.clear()
    assert render(articles[:1], tmp_path) == first
    assert len(rendered) == 1
    assert [path.read_bytes() for path in entries(tmp_path)] == first


def test_a_cache_that_cannot_be_written_only_costs_time(
    articles: list[Article], rendered: list[tuple[str, str, bool]], tmp_path: Path
) -> None:
    in_the_way = tmp_path / "cache"
    in_the_way.write_text("a file where the cache folder should be")
    assert render(articles, in_the_way) == render(articles, in_the_way)
    assert len(rendered) == 4


def test_without_a_cache_folder_every_handout_is_rendered(
    articles: list[Article], rendered: list[tuple[str, str, bool]]
) -> None:
    list(renderer.iter_pdfs(articles))
    list(renderer.iter_pdfs(articles))
    assert len(rendered) == 4


def test_a_cached_handout_is_the_real_render(articles: list[Article], tmp_path: Path) -> None:
    fresh = renderer.render_pdf(articles[0])
    assert render(articles[:1], tmp_path) == [fresh]
    assert render(articles[:1], tmp_path) == [fresh]
    assert [path.read_bytes() for path in entries(tmp_path)] == [fresh]


def test_entry_names_carry_the_key_and_a_checksum(tmp_path: Path) -> None:
    cache = HandoutCache(tmp_path, "fingerprint")
    key = cache.key(b"article")
    assert key != HandoutCache(tmp_path, "another fingerprint").key(b"article")
    cache.put(key, b"%PDF-1.7 x\n%%EOF\n")
    (entry,) = entries(tmp_path)
    assert entry.name.startswith(f"{key}-") and entry.suffix == ".pdf"
    assert HandoutCache(tmp_path, "fingerprint").get(key) == b"%PDF-1.7 x\n%%EOF\n"
    assert HandoutCache(tmp_path, "fingerprint").get(cache.key(b"another article")) is None


def test_whole_pdf_check() -> None:
    assert is_whole_pdf(b"%PDF-1.7\n...\n%%EOF\n")
    assert is_whole_pdf(b"%PDF-1.7\n...\n%%EOF")
    assert not is_whole_pdf(b"%PDF-1.7\n...\n")
    assert not is_whole_pdf(b"<html>%%EOF")
    assert not is_whole_pdf(b"")


def test_handouts_come_one_at_a_time_and_each_is_cached_as_it_comes(
    articles: list[Article], rendered: list[tuple[str, str, bool]], tmp_path: Path
) -> None:
    handouts = pdf_pool.iter_pdfs(articles, cache_dir=tmp_path)
    first = next(handouts)
    assert [article_id for article_id, _, _ in rendered] == ["immune-system-medicine"]
    assert len(entries(tmp_path)) == 1
    assert first in render(articles[:1], tmp_path)
    handouts.close()  # the export stopped: the second handout is never rendered
    assert [article_id for article_id, _, _ in rendered] == ["immune-system-medicine"]
    assert render(articles, tmp_path) == [first, render(articles[1:], tmp_path)[0]]
