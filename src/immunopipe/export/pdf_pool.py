"""Many handouts at once: reuse the ones in the render cache, render the rest in a process pool.

:func:`iter_pdfs` is what exports call. A handout's cache key covers everything that shapes
its bytes (:func:`render_fingerprint` and :func:`article_inputs`); a clinic profile is part of
the fingerprint, logo bytes included, and a translation's language (locale, labels, status line,
script) is part of its article's inputs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Generator, Sequence
from contextlib import closing
from importlib import metadata
from pathlib import Path

from immunopipe.export import handout
from immunopipe.export import pdf as renderer
from immunopipe.export.handout_language import HandoutLanguage
from immunopipe.export.pdf_scripts import script_font_paths
from immunopipe.fingerprint import code_fingerprint
from immunopipe.formats import DEFAULT_PAPER
from immunopipe.model import Article
from immunopipe.profile import Profile
from immunopipe.workers import run_tasks

#: Distributions whose code shapes the PDF bytes, so their versions are part of the cache key.
RENDERER_DISTRIBUTIONS = ("weasyprint", "pydyf")


def iter_pdfs(
    articles: Sequence[Article],
    *,
    paper: str = DEFAULT_PAPER,
    large_print: bool = False,
    jobs: int = 1,
    cache_dir: Path | None = None,
    profile: Profile | None = None,
    languages: Sequence[HandoutLanguage | None] | None = None,
) -> Generator[bytes, None, None]:
    """Handouts for ``articles``, in the same order, as :func:`render_pdf` renders them, each given
    as soon as it and those before it are ready.

    With a ``cache_dir``, handouts rendered before from the same inputs are reused from
    ``cache_dir/pdf/`` and new ones are stored there. When more than one handout is left to
    render and ``jobs`` > 1, they are rendered in a pool of up to ``jobs`` processes; the
    bytes are the same either way. Each handout goes into the cache as soon as it is rendered,
    so an interrupted export continues where it stopped, and the caller can store a handout
    while the pool renders the next ones; closing the iterator early stops the pool. Every
    handout carries the clinic ``profile``, if one is given; ``languages`` gives each article's
    language (default: English). Raises like :func:`~immunopipe.export.pdf.render_pdf`.
    """
    from immunopipe.export.pdf_cache import HandoutCache

    renderer.check_paper(paper)
    cache = HandoutCache(cache_dir, render_fingerprint(paper, large_print, profile)) if cache_dir else None
    chosen = list(languages) if languages is not None else [None] * len(articles)
    pairs = list(zip(articles, chosen, strict=True))
    keys = [cache.key(article_inputs(article, language)) for article, language in pairs] if cache else []
    pdfs: list[bytes | None] = [cache.get(key) for key in keys] if cache else [None] * len(articles)
    missing = [index for index, pdf in enumerate(pdfs) if pdf is None]
    with closing(_render_all([pairs[index] for index in missing], paper, large_print, profile, jobs)) as rendered:
        for index, pdf in enumerate(pdfs):
            if pdf is None:
                _, pdf = next(rendered)
                if cache:
                    cache.put(keys[index], pdf)
            yield pdf
        for _ in rendered:  # nothing is left: the pool shuts down in its own time, its workers tidy up
            pass


def render_fingerprint(paper: str, large_print: bool, profile: Profile | None = None) -> str:
    """A digest of everything besides the article that shapes a handout's bytes.

    The installed code and data (:func:`immunopipe.fingerprint.code_fingerprint`: every module,
    the template and stylesheet, the versions of the dependencies, segno's included), the font
    files (the handout typeface and every script's), the versions of WeasyPrint and pydyf, the
    paper, the print size and the clinic profile, its logo's bytes included. (Not the system's
    Pango and HarfBuzz, which cannot be asked without loading WeasyPrint: after upgrading them,
    export with ``--no-cache`` once.)
    """
    digest = hashlib.sha256(f"{code_fingerprint()}\0{paper}\0{large_print}\0".encode())
    for distribution in RENDERER_DISTRIBUTIONS:
        digest.update(f"{distribution} {_distribution_version(distribution)}\0".encode())
    digest.update(profile.fingerprint() if profile else b"no profile")
    for path in [path for path, _, _ in renderer.font_files().values()] + script_font_paths():
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def article_inputs(article: Article, language: HandoutLanguage | None = None) -> bytes:
    """What a handout takes from ``article``, its language and the environment: data, labels, PDF dates."""
    words = [language.locale, dict(language.labels), language.status, language.script.name] if language else None
    return json.dumps([article.to_data(), handout.document_dates(article), words], ensure_ascii=False).encode()


def _render_all(
    articles: Sequence[tuple[Article, HandoutLanguage | None]],
    paper: str,
    large_print: bool,
    profile: Profile | None,
    jobs: int,
) -> Generator[tuple[int, bytes], None, None]:
    """``(index, handout)`` for each of ``articles`` (each with its language), in order: here, or in a pool."""
    if jobs > 1 and len(articles) > 1:
        renderer.weasyprint_module()  # loaded once here, so that forked workers do not each load it again
    tasks = [(article, paper, large_print, profile, language) for article, language in articles]
    return run_tasks(_render_task, tasks, jobs=jobs)


def _render_task(task: tuple[Article, str, bool, Profile | None, HandoutLanguage | None]) -> bytes:
    article, paper, large_print, profile, language = task
    return renderer.render_pdf(article, paper=paper, large_print=large_print, profile=profile, language=language)


def _distribution_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"
