"""Validation: strict loading, the schema, then the semantic rules, as diagnostics."""

from immunopipe.validate.runner import ContentChanged, Outcome, load_validated, validate_files

__all__ = ["ContentChanged", "Outcome", "load_validated", "validate_files"]
