"""The article JSON Schema shipped inside the package: read by the checks and named in the exports."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from immunopipe.errors import ImmunopipeError

SCHEMA_FILE = "article.schema.json"


class SchemaUnavailable(ImmunopipeError):
    """The bundled schema is missing or is not a valid JSON Schema (an environment problem)."""


@cache
def load_schema() -> dict[str, Any]:
    """The article schema shipped inside the package."""
    try:
        text = resources.files("immunopipe").joinpath("schema", SCHEMA_FILE).read_text("utf-8")
        return json.loads(text)
    except (OSError, ValueError) as exc:
        raise SchemaUnavailable(f"cannot read the bundled schema {SCHEMA_FILE}: {exc}") from exc


def schema_version() -> str:
    """The version of the article schema: the last part of its ``$id`` (``urn:immunopipe:schema:article:1.0.0``)."""
    return str(load_schema()["$id"]).rsplit(":", 1)[-1]
