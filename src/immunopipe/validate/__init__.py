"""Validation: strict loading, the schema, then the semantic rules, as diagnostics."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from immunopipe.validate.runner import ContentChanged, Outcome, load_validated, validate_files

__all__ = ["ContentChanged", "Outcome", "load_validated", "validate_files"]


def __getattr__(name: str) -> Any:
    """The runner's names, imported on first use: the cache and settings need none of the rules."""
    if name in __all__:
        from immunopipe.validate import runner

        return getattr(runner, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
