"""The JSON Schemas immunopipe publishes, shipped in the package (``immunopipe/schema/``).

* ``article`` (``article.schema.json``): what an article file holds; content is validated by it.
* ``article-document`` (``article-document.schema.json``): an exported ``json/<id>.json``, the
  envelope whose ``$schema`` names it, around the article.
* ``index`` (``index.schema.json``): an exported ``json/index.json``.
* ``translation`` (``translation.schema.json``): what a translation file holds
  (``content/translations/<lang>/<id>.yaml``); translations are validated by it.
* ``translation-document`` (``translation-document.schema.json``): an exported
  ``json/<id>.<lang>.json``, a translated article with its language and status.
* ``profile`` (``profile.schema.json``): a clinic profile (``--profile``) printed in handouts.

Each ``$id`` is a URN ending in the schema's version (``urn:immunopipe:schema:article:1.0.0``):
an identifier, not an address anyone can fetch. A schema refers to another by that ``$id``;
:func:`standalone` bundles each referenced schema into ``$defs`` (JSON Schema 2020-12 compound
schemas), so the files of :func:`export_files` validate on their own with any 2020-12 validator,
offline. Only keywords of the 2020-12 vocabularies are used (a test holds every schema to it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any

from immunopipe.errors import ImmunopipeError

#: Published schemas by name, and their file names.
SCHEMA_FILES = {
    "article": "article.schema.json",
    "article-document": "article-document.schema.json",
    "index": "index.schema.json",
    "translation": "translation.schema.json",
    "translation-document": "translation-document.schema.json",
    "profile": "profile.schema.json",
}


class SchemaFileUnavailable(ImmunopipeError):
    """A bundled schema file is missing or not JSON (an installation problem)."""


class SchemaFileEdited(Exception):
    """A file where ``schema --export`` writes holds other bytes than any published schema of that name."""


def bundled_path(name: str) -> Any:
    """The shipped file of schema ``name`` (an importlib resource)."""
    return resources.files("immunopipe").joinpath("schema", SCHEMA_FILES[name])


@cache
def read(name: str) -> dict[str, Any]:
    """Schema ``name`` as shipped."""
    try:
        return json.loads(bundled_path(name).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise SchemaFileUnavailable(f"cannot read the bundled schema {SCHEMA_FILES[name]}: {exc}") from exc


def schema_id(name: str) -> str:
    """The ``$id`` of schema ``name``."""
    return str(read(name)["$id"])


def version(name: str) -> str:
    """The version of schema ``name``: the last part of its ``$id``."""
    return schema_id(name).rsplit(":", 1)[-1]


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def standalone(name: str) -> dict[str, Any]:
    """Schema ``name`` with every published schema it refers to bundled into its ``$defs``."""
    schema = json.loads(json.dumps(read(name)))
    by_id = {schema_id(other): other for other in SCHEMA_FILES if other != name}
    pending = [ref for ref in _refs(schema) if ref in by_id]
    bundled: dict[str, Any] = {}
    while pending:
        ref = pending.pop()
        other = by_id[ref]
        if other in bundled:
            continue
        bundled[other] = read(other)
        pending += [inner for inner in _refs(bundled[other]) if inner in by_id and inner != schema["$id"]]
    if bundled:
        schema.setdefault("$defs", {}).update(bundled)
    return schema


def replaceable(name: str, found: bytes) -> bool:
    """Whether an export of schema ``name`` may replace a file holding ``found``.

    Only its own bytes as exported now, or a file whose ``$id`` names another version of the
    same schema (an earlier export, to be upgraded). An edited copy of this version, or any
    other file, is not replaced.
    """
    current = schema_id(name)
    try:
        document = json.loads(found)
    except ValueError:
        return False
    if not isinstance(document, dict) or not isinstance(document.get("$id"), str):
        return False
    found_id = document["$id"]
    return found_id != current and found_id.rsplit(":", 1)[0] == current.rsplit(":", 1)[0]


def refuse_edited_schemas(folder: Path, files: list[tuple[PurePosixPath, bytes]]) -> None:
    """Raise :class:`SchemaFileEdited` if ``folder`` holds a file :func:`replaceable` refuses (call before writing)."""
    names = {file_name: name for name, file_name in SCHEMA_FILES.items()}
    for path, data in files:
        target = folder / path
        if target.is_symlink() or not target.is_file():
            continue  # nothing there, or not a file: the writer decides
        found = target.read_bytes()
        if found != data and not replaceable(names[path.name], found):
            raise SchemaFileEdited(
                f"{target} holds other bytes than immunopipe's {path.name} (edited, or another file): "
                "move it away, or choose another folder; nothing was written"
            )


def export_files() -> list[tuple[PurePosixPath, bytes]]:
    """Every published schema as a standalone file: ``(file name, bytes)``."""
    return [
        (PurePosixPath(file_name), (json.dumps(standalone(name), ensure_ascii=False, indent=2) + "\n").encode())
        for name, file_name in SCHEMA_FILES.items()
    ]
