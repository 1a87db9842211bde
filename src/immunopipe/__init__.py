"""immunopipe: validate structured health articles and publish them as PDF, JSON and CSV."""

__version__ = "0.1.0"
