"""Article ids: the one pattern every id follows, as the schema states it (a test keeps them equal)."""

from __future__ import annotations

import re

#: Ids are lowercase letters and digits in groups joined by single hyphens; they name export files.
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

#: The longest id the schema allows.
ID_MAX_LENGTH = 64
