"""Where translations live in a content folder (``translations/LANG/ID.yaml``): path rules only.

Kept apart from the translation schema and checks, so that telling articles from translations
costs a command nothing when a run has no translations.
"""

from __future__ import annotations

from pathlib import Path

#: The folder, inside a content folder, that holds translations as ``LANG/ID.yaml``.
TRANSLATIONS_FOLDER = "translations"


def is_translation_file(path: Path) -> bool:
    """True for ``.../translations/LANG/ID.yaml``: a translation, not an article."""
    return len(path.parts) >= 3 and path.parent.parent.name == TRANSLATIONS_FOLDER


def translation_path(content: Path, language: str, article_id: str) -> Path:
    """Where the translation of ``article_id`` into ``language`` lives under ``content``."""
    return content / TRANSLATIONS_FOLDER / language / f"{article_id}.yaml"


def source_path(translation: Path) -> Path:
    """The article a translation file translates, by the layout: ``<content>/ID.yaml`` (or ``.yml``)."""
    content = translation.parent.parent.parent
    yaml_path = content / f"{translation.stem}.yaml"
    yml_path = content / f"{translation.stem}.yml"
    return yml_path if not yaml_path.exists() and yml_path.exists() else yaml_path


def split_files(files: list[Path]) -> tuple[list[Path], list[Path]]:
    """``files`` as (articles, translations); the source of each translation joins the articles if missing."""
    translations = [path for path in files if is_translation_file(path)]
    articles = [path for path in files if not is_translation_file(path)]
    known = {path.resolve() for path in articles}
    for translation in translations:
        source = source_path(translation)
        if source.is_file() and source.resolve() not in known:
            articles.append(source)
            known.add(source.resolve())
    return articles, translations
