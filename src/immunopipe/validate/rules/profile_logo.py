"""A clinic profile's logo is a whole PNG or a self-contained SVG beside the profile.

Checked when a clinic profile is given (``--profile``, or ``profile`` in ``[tool.immunopipe]``),
by :mod:`immunopipe.validate.profile`. The logo must be a file in the profile's own folder, at
most 512 KiB: a PNG with every chunk whole, image data and at most 4000 pixels a side, or an SVG
without scripts, event handlers, entities, ``<image>``/``<feImage>``, animations, backslash
escapes or references to anything but its own ``#fragments``. A handout cannot be printed with a
logo that fails, so this is always an error and cannot be configured.

Passes::

    logo: riverside-logo.svg      # a plain SVG beside clinic.yaml

Fails (error)::

    logo: logo.png                # a PNG cut off before its IEND chunk
"""

from __future__ import annotations

from immunopipe.diagnostics import Severity

ID = "profile-logo"
SEVERITY = Severity.ERROR
SUMMARY = "A clinic profile's logo is a whole PNG or a self-contained SVG beside the profile (always an error)."
STANDARD = "immunopipe clinic profiles (nothing in a handout loads or runs anything)"
SCOPE = "profile"
