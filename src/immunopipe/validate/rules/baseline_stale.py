"""Every entry of the baseline file still matches a warning.

``immunopipe baseline`` records the warnings a library has today, so that ``validate`` reports
only new ones. When a recorded warning is fixed, its entry no longer matches anything: this
warning points at the entry's line in the baseline file, so the baseline shrinks as the content
improves. Run ``immunopipe baseline`` again (or delete the line) to drop it. Only entries of the
files being checked are judged.

Passes: the baseline records ``dates-unknown`` for ``next_review`` and the date is still unknown.

Fails (warning): the baseline records ``dates-unknown`` for ``next_review``, but the article now
gives the date.
"""

from __future__ import annotations

from immunopipe.diagnostics import Severity

ID = "baseline-stale"
SEVERITY = Severity.WARNING
SUMMARY = "Every baseline entry still matches a warning (fixed ones are removed from the baseline)."
STANDARD = "immunopipe baselines (like ESLint's bulk suppressions)"
SCOPE = "baseline"
