"""Checking the translations of a run against their source articles."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.translation.check import SourceArticle, check_translation_file
from immunopipe.translation.layout import source_path
from immunopipe.translation.model import Translation, TranslationOutcome


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
