"""Validation: strict loading, the schema, then the semantic rules, as diagnostics."""

from immunopipe.validate.runner import ContentChanged, Outcome, validate_files, validated_data

__all__ = ["ContentChanged", "Outcome", "validate_files", "validated_data"]
