"""A clinic profile says when or why to call: ``opening_hours`` or ``questions`` (or both).

Checked when a clinic profile is given (``--profile``, or ``profile`` in ``[tool.immunopipe]``),
by :mod:`immunopipe.validate.profile`. A phone number alone leaves a reader unsure when anyone
answers it, so the handout's contact box needs one of the two lines. This is always an error
and cannot be configured.

Passes::

    organisation: Riverside Health Centre
    phone: "+44 20 7946 0000"
    opening_hours: Monday to Friday, 8am to 6pm

Fails (error)::

    organisation: Riverside Health Centre
    phone: "+44 20 7946 0000"
"""

from __future__ import annotations

from immunopipe.diagnostics import Severity

ID = "profile-contact-times"
SEVERITY = Severity.ERROR
SUMMARY = "A clinic profile gives opening hours or a questions line (always an error)."
STANDARD = "immunopipe clinic profiles (a contact route a reader can use)"
SCOPE = "profile"
