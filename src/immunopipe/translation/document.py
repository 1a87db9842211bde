"""Translation files: where they live, and the schema they are checked against."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from immunopipe.article_schema import SchemaUnavailable
from immunopipe.validate.schema import SchemaChecker

SCHEMA_FILE = "translation.schema.json"


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
