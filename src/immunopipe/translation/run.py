"""Checking the translations of a run, after the articles: which files are translations, and their verdicts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from immunopipe.diagnostics import Diagnostic, Severity
from immunopipe.translation.check import SourceArticle, check_translation_file
from immunopipe.translation.document import is_translation_file, source_path
from immunopipe.translation.model import Translation


@dataclass
class TranslationOutcome:
    """Diagnostics of every translation file, and the valid ones as they were checked."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    valid: dict[Path, Translation] = field(default_factory=dict)


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


def check_translations(
    translations: list[Path],
    sources: Mapping[Path, dict[str, Any]],
    *,
    severities: Mapping[str, Severity | None] | None = None,
    display: Callable[[Path], str] = str,
) -> TranslationOutcome:
    """Check every translation file against its source (``sources``: valid article path -> its data)."""
    by_resolved = {path.resolve(): data for path, data in sources.items()}
    outcome = TranslationOutcome()
    for path in translations:
        source_file = source_path(path).resolve()
        data = by_resolved.get(source_file)
        source = SourceArticle(data, source_file.stat().st_size) if data is not None else None
        found, valid = check_translation_file(path, display(path), source, severities=severities)
        outcome.diagnostics += found
        if valid is not None:
            outcome.valid[path] = Translation.from_data(valid)
    return outcome
