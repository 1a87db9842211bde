"""Every ``# immunopipe: ignore[rule-id]`` comment still ignores something.

A suppression that no longer matches a problem (the text was fixed, the rule was renamed, or it
names a rule that cannot be ignored in a file) hides nothing but still tells readers that
something is wrong. Remove it. Only the rules that check one article can be ignored: YAML and
schema problems always count, and rules that compare articles are switched off in
``pyproject.toml`` instead.

Passes::

    dates:
      published: unknown  # immunopipe: ignore[dates-unknown] the leaflet gives no date

Fails (warning: ``published`` is known, so nothing is ignored)::

    dates:
      published: "2025-01-10"  # immunopipe: ignore[dates-unknown] the leaflet gives no date
"""

from __future__ import annotations

from immunopipe.diagnostics import Severity

ID = "suppression-unused"
SEVERITY = Severity.WARNING
SUMMARY = "An ignore comment suppresses a problem on its line (or the line below it)."
STANDARD = "immunopipe suppressions (like ESLint's unused disable directives)"
SCOPE = "suppression"
