"""Every ``# immunopipe: ignore[rule-id]`` comment gives its reason.

A suppression is a decision someone made about the content; the reason after the brackets tells
the next editor why, so it can be revisited. A suppression without a reason still applies, and
this warning asks for the reason.

Passes::

    author: unknown  # immunopipe: ignore[author-unknown] the charity does not name its writers

Fails (warning)::

    author: unknown  # immunopipe: ignore[author-unknown]
"""

from __future__ import annotations

from immunopipe.diagnostics import Severity

ID = "suppression-reason"
SEVERITY = Severity.WARNING
SUMMARY = "An ignore comment says why the problem is ignored."
STANDARD = "immunopipe suppressions (a reason is required, as in yamllint and ESLint practice)"
SCOPE = "suppression"
