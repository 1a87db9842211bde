"""Options rules read from :attr:`RuleContext.options`, apart from the rules, so that reading
the settings does not load every rule."""

from __future__ import annotations

#: The key of readability-grade's maximum grade in :attr:`RuleContext.options`.
MAX_GRADE_OPTION = "readability-max-grade"
DEFAULT_MAX_GRADE = 8.0
