"""Translation files: where they live, and the schema they are checked against."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from immunopipe.article_schema import SchemaUnavailable
from immunopipe.validate.schema import SchemaChecker

SCHEMA_FILE = "translation.schema.json"

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


@cache
def load_translation_schema() -> dict[str, Any]:
    """The translation schema shipped inside the package."""
    try:
        return json.loads(resources.files("immunopipe").joinpath("schema", SCHEMA_FILE).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise SchemaUnavailable(f"cannot read the bundled schema {SCHEMA_FILE}: {exc}") from exc


@cache
def translation_checker() -> SchemaChecker:
    """A schema checker for translation files (built once)."""
    return SchemaChecker(load_translation_schema())
