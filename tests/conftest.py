"""Shared fixtures: the shipped seed article and helpers to write variants of it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parents[1]
SEED_PATH = REPO / "content" / "immune-system-medicine.yaml"

# Hypothesis profiles: "ci" (the default) keeps the whole suite fast; "long" fuzzes twenty times
# longer, run by hand with HYPOTHESIS_PROFILE=long (see docs/reliability.md). No deadline: one
# example may render a PDF, and a busy CI machine must not turn slowness into a failure.
settings.register_profile("ci", max_examples=100, deadline=None, print_blob=True)
settings.register_profile("long", max_examples=2000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


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


#: Every fact of the seed article's source text, as it must appear in every export.
SEED_FACTS: tuple[str, ...] = (
    "What is immune system medicine used for?",
    "Immunosuppression",
    "prevent the immune system from attacking the body's own healthy cells and tissues",
    "prevent organ rejection after transplants",
    "Treating autoimmune diseases",
    "mistakenly targets and attacks the body's own cells, tissues, or organs",
    "suppressing the immune response",
    "Rheumatoid arthritis",
    "A chronic inflammatory disorder affecting joints.",
    "Lupus",
    "A systemic autoimmune disease that can affect various organs.",
    "Multiple sclerosis",
    "A disease affecting the brain and spinal cord.",
    "Type 1 diabetes",
    "An autoimmune reaction that destroys insulin-producing cells in the pancreas.",
    "Inflammatory bowel disease",
    "Crohn's disease",
    "Ulcerative colitis",
    "inflammation of the digestive tract",
    "Preventing organ and stem cell transplant rejection",
    "recognizes the transplanted tissue as foreign",
    "allow the body to accept the new organ or cells",
    "often taken for life",
    "Corticosteroids",
    "prednisone",
    "Broadly suppress immune function and reduce inflammation.",
    "Calcineurin inhibitors",
    "cyclosporine",
    "tacrolimus",
    "Interfere with T-cell activation, a key step in the immune response.",
    "Antimetabolites",
    "azathioprine",
    "methotrexate",
    "Interfere with DNA synthesis and cell proliferation, impacting immune cell function.",
    "Biologics",
    "TNF inhibitors",
    "interleukin inhibitors",
    "Target specific components of the immune system, such as inflammatory cytokines.",
    "mTOR inhibitors",
    "sirolimus",
    "everolimus",
    "Suppress T-cell and B-cell proliferation.",
    "increase the risk of infections",
    "Careful monitoring and management by a healthcare professional",
    "balance between suppressing the harmful immune response and maintaining sufficient immunity",
)


@pytest.fixture(scope="session")
def seed_facts() -> tuple[str, ...]:
    """Facts of the seed article that every export must carry."""
    return SEED_FACTS
