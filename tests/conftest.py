"""Shared fixtures: the shipped seed article and helpers to write variants of it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEED_PATH = REPO / "content" / "immune-system-medicine.yaml"


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The seed article's YAML text, as shipped."""
    return SEED_PATH.read_text(encoding="utf-8")


@pytest.fixture
def write_article(tmp_path: Path) -> Callable[..., Path]:
    """Write YAML text to ``tmp_path/<name>.yaml`` and return the path."""

    def write(text: str, name: str = "immune-system-medicine") -> Path:
        path = tmp_path / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write
