"""Scaffolding: start a new article from a template that passes the schema."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

from immunopipe.errors import ImmunopipeError
from immunopipe.ids import RESERVED_IDS, id_problem
from immunopipe.safe_text import printable, shortened


class ScaffoldError(ImmunopipeError):
    """The article cannot be created (bad id, or the file exists)."""


def new_article_text(article_id: str, *, today: date) -> str:
    """The template for a new article with ``article_id``, its placeholders marked TODO."""
    template = resources.files("immunopipe").joinpath("data", "new-article.yaml").read_text("utf-8")
    return template.replace("{id}", article_id).replace("{today}", today.isoformat())


def create_article(article_id: str, content_dir: Path, *, today: date | None = None) -> Path:
    """Write ``content_dir/<article_id>.yaml`` from the template; never overwrite a file."""
    problem = id_problem(article_id)
    if problem:
        raise ScaffoldError(f"'{printable(shortened(article_id))}' is not a valid id: {problem}")
    if article_id in RESERVED_IDS:
        raise ScaffoldError(f"'{article_id}' is reserved: {RESERVED_IDS[article_id]}; choose another id")
    path = content_dir / f"{article_id}.yaml"
    content_dir.mkdir(parents=True, exist_ok=True)
    text = new_article_text(article_id, today=today or date.today())
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{path} already exists; choose another id or edit that file") from None
    return path
