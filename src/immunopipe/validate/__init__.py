"""Validation: strict loading, the schema, then the semantic rules, as diagnostics."""

from immunopipe.validate.runner import Outcome, validate_files

__all__ = ["Outcome", "validate_files"]
