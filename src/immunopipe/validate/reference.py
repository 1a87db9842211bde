"""The reference table of verified medical codes shipped with immunopipe (``data/reference_codes.csv``).

Each row says which item (medicine, class of medicines or condition, by its names) a code
identifies in one code system, in which editions it is valid, what it means and where it was
verified. An empty ``code`` records that the item has no code in that system (antimetabolites
have no single ATC group). ``valid_from``/``valid_to`` are edition years, empty when open.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

TABLE_FILE = "reference_codes.csv"
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


@dataclass(frozen=True)
class ReferenceCode:
    """One row of the reference table."""

    system: str
    code: str
    valid_from: int | None
    valid_to: int | None
    names: frozenset[str]
    meaning: str
    source: str

    def valid_in(self, year: int | None) -> bool:
        """True when the code is valid in edition ``year`` (any edition when ``year`` is None)."""
        if year is None:
            return True
        return (self.valid_from is None or year >= self.valid_from) and (self.valid_to is None or year <= self.valid_to)

    def editions(self) -> str:
        """The editions the code is valid in, in words, e.g. ``in editions from 2024``."""
        if self.valid_from and self.valid_to:
            return f"in the {self.valid_from}-{self.valid_to} editions"
        if self.valid_from:
            return f"in editions from {self.valid_from}"
        if self.valid_to:
            return f"in editions up to {self.valid_to}"
        return "in every edition"


def normalise_name(name: str) -> str:
    """A name as the table writes it: lower case, straight apostrophes, single spaces."""
    return " ".join(name.replace("\u2019", "'").casefold().split())


def edition_year(version: str) -> int | None:
    """The year of a code system edition such as ``2026``, ``FY2026`` or ``2024-01``."""
    match = _YEAR.search(version)
    return int(match.group()) if match else None


def years_in(text: str) -> set[int]:
    """Every year (1900-2099) written in ``text``."""
    return {int(year) for year in _YEAR.findall(text)}


def _year(value: str) -> int | None:
    return int(value) if value else None


@cache
def reference_codes() -> tuple[ReferenceCode, ...]:
    """Every row of the shipped table."""
    text = resources.files("immunopipe.validate").joinpath("data", TABLE_FILE).read_text("utf-8")
    return tuple(
        ReferenceCode(
            system=row["system"],
            code=row["code"],
            valid_from=_year(row["valid_from"]),
            valid_to=_year(row["valid_to"]),
            names=frozenset(normalise_name(name) for name in row["names"].split("|")),
            meaning=row["meaning"],
            source=row["source"],
        )
        for row in csv.DictReader(io.StringIO(text))
    )
