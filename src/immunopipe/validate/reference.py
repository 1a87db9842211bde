"""The reference table of medical codes shipped with immunopipe (``data/reference_codes.csv``).

Each row says which item (medicine, class of medicines or condition, by its names) a code
identifies in one code system, in which editions it is valid, its title in that system, where
the title was read (``source``), when (``checked``) and whether it was confirmed against the
authority itself (``title_verified``: ``yes: ...`` or ``no: <why not>``). An empty ``code``
records that the item has no code in that system (antimetabolites have no single ATC group).
``valid_from``/``valid_to`` are edition years, empty when open.

WHO ATC and RxNorm codes are judged against this table alone (no offline package carries
them); ICD rows only map everyday names to codes, and their titles are the classification
packages' own (a test keeps them equal).
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
    title: str
    source: str
    checked: str
    title_verified: str

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
            title=row["title"],
            source=row["source"],
            checked=row["checked"],
            title_verified=row["title_verified"],
        )
        for row in csv.DictReader(io.StringIO(text))
    )


@cache
def system_rows(system: str) -> tuple[ReferenceCode, ...]:
    """The rows of the shipped table for one code system, in table order."""
    return tuple(row for row in reference_codes() if row.system == system)


def table_entry(system: str, code: str, year: int | None) -> ReferenceCode | None:
    """The table's row for ``code`` in ``system``, valid in edition ``year``, if there is one."""
    for row in system_rows(system):
        if row.code == code and row.valid_in(year):
            return row
    return None


#: Code systems no offline source carries, and why.
UNCARRIED = {
    "who-icd-11-mms": "no offline source carries WHO ICD-11 (the simple-icd-11 package needs the WHO web API)",
}
#: Code systems checked against this table alone.
TABLE_SYSTEMS = {"who-atc": "immunopipe's cited WHO ATC table", "rxnorm": "immunopipe's cited RxNorm table"}


@dataclass(frozen=True)
class Official:
    """What the authority for a code system says about one code.

    ``status`` is ``found`` (``title`` is its title; ``leaf`` is False for a header code with
    subdivisions, None where the system has no such notion), ``absent`` (the edition has no
    such code) or ``unverified`` (no source immunopipe carries covers that edition: ``reason``).
    """

    status: str
    authority: str
    title: str | None = None
    leaf: bool | None = None
    reason: str = ""


@cache
def official(system: str, code: str, version: str) -> Official:
    """Look ``code`` up in the authority immunopipe has for ``system`` in edition ``version``."""
    from immunopipe.validate import classifications

    year = edition_year(version)
    served = classifications.CLASSIFICATIONS.get(system)
    if served is not None:
        installed = classifications.package_version(served)
        authority = f"{served.package} {installed} ({served.edition})"
        if installed is None:
            return Official("unverified", served.package, reason=f"the package {served.package} is not installed")
        if not classifications.carries(system, year):
            return Official(
                "unverified", authority, reason=f"the installed {served.package} carries {served.edition} only"
            )
        entry = classifications.find(system, code)
        if entry is None:
            return Official("absent", authority)
        return Official("found", authority, title=entry.title, leaf=entry.leaf if system == "icd-10-cm" else None)
    if system in TABLE_SYSTEMS:
        row = table_entry(system, code, year)
        if row is None:
            return Official("unverified", TABLE_SYSTEMS[system], reason=f"it is not in {TABLE_SYSTEMS[system]}")
        if not row.title_verified.startswith("yes"):
            why = row.title_verified.removeprefix("no:").strip()
            return Official(
                "unverified",
                row.source,
                reason=f"immunopipe's table lists it, but not as checked at the source ({why})",
            )
        return Official("found", row.source, title=row.title)
    return Official("unverified", system, reason=UNCARRIED.get(system, f"immunopipe has no source for {system}"))


def same_title(label: str, title: str) -> bool:
    """True when ``label`` is ``title`` up to letter case and spacing."""
    return " ".join(label.casefold().split()) == " ".join(title.casefold().split())


def official_title(system: str, code: str, version: str) -> str | None:
    """The official title of ``code`` in ``system`` edition ``version``, or None when it cannot be verified."""
    verdict = official(system, code, version)
    return verdict.title if verdict.status == "found" else None
