"""Article ids: the pattern every id follows (as the schema states it) and the names an id must not take."""

from __future__ import annotations

import re

#: Ids are lowercase letters and digits in groups joined by single hyphens; they name export files.
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

#: The longest id the schema allows.
ID_MAX_LENGTH = 64

#: Names an article id must not take, with why: a file the export writes itself, or a Windows device.
RESERVED_IDS: dict[str, str] = {
    "index": "it would overwrite the export's own json/index.json",
    **{name: "Windows reserves it for a device" for name in ("con", "prn", "aux", "nul")},
    **{f"{port}{n}": "Windows reserves it for a device" for port in ("com", "lpt") for n in range(1, 10)},
}


def id_problem(article_id: str) -> str | None:
    """Why ``article_id`` is not a valid article id (pattern and length), or None when it is."""
    if ID_PATTERN.fullmatch(article_id) and len(article_id) <= ID_MAX_LENGTH:
        return None
    return f"use lowercase letters a-z, digits and single hyphens, at most {ID_MAX_LENGTH} characters"
