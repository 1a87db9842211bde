"""Each code names an edition its code system has, the one its source is, and one source is one
code system.

* ``version`` contains the edition's year (``2026``, ``FY2026``, ``2024-01``), not in the future;
* WHO ICD-10's last edition is 2019: a later ``who-icd-10`` year means the code was taken from
  ICD-10-CM or a national version, where the same string can mean something else;
* ICD-10-CM editions start with FY2016 (in use from 1 October 2015); WHO ICD-11 with 2018;
* when the cited source's title names years, the version's year is one of them (an ATC code
  checked against the 2026 index is version 2026: codes moved in 2024);
* all codes citing one source belong to one code system.

Passes::

    - {system: who-icd-10, version: "2019", code: T86, source: who-icd-10-2019}

Fails (WHO ICD-10 has no 2026 edition)::

    - {system: who-icd-10, version: "2026", code: T86.8, source: who-icd-10-2019}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext, walk
from immunopipe.validate.reference import edition_year, years_in

ID = "code-edition"
SEVERITY = Severity.ERROR
SUMMARY = "A code's version is an edition of its system, matches its source, and a source is one system."
STANDARD = "WHO ICD-10, ICD-10-CM, WHO ICD-11, WHO ATC/DDD Index (editions)"

#: The first and last edition years of code systems, where they are bounded.
EDITIONS: dict[str, tuple[int | None, int | None]] = {
    "who-icd-10": (None, 2019),
    "icd-10-cm": (2016, None),
    "who-icd-11-mms": (2018, None),
}

_HINTS = {
    "who-icd-10": "its last edition is 2019; a later year means the code comes from ICD-10-CM or a national "
    "version, where the same code can mean something else",
    "icd-10-cm": "its first edition is FY2016, in use from 1 October 2015",
    "who-icd-11-mms": "its first release is from 2018",
}


def _edition_problem(system: str, version: str, context: RuleContext) -> str | None:
    year = edition_year(version)
    if year is None:
        return f"version '{version}' names no edition year: write the year of the {system} edition, e.g. 2026"
    if year > context.today.year + 1:
        return f"{system} edition {year} does not exist yet (today is {context.today})"
    first, last = EDITIONS.get(system, (None, None))
    if (first and year < first) or (last and year > last):
        return f"{system} has no {year} edition: {_HINTS[system]}"
    return None


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    sources = {source["id"]: source for source in article["editorial"]["sources"]}
    years_of_source = {source_id: years_in(source["title"]) for source_id, source in sources.items()}
    system_of_source: dict[str, tuple[str, str]] = {}
    for pointer, node in walk(article):
        if "system" not in node or "code" not in node:
            continue
        system, version, source_id = node["system"], node["version"], node["source"]
        message = _edition_problem(system, version, context)
        if message:
            yield Finding(f"{pointer}/version", message)
            continue
        source = sources.get(source_id)
        title_years = years_of_source.get(source_id, set())
        if source and title_years and edition_year(version) not in title_years:
            yield Finding(
                f"{pointer}/version",
                f"version {version} differs from the edition of the cited source '{source['title']}'",
            )
        first = system_of_source.setdefault(source_id, (system, pointer))
        if first[0] != system:
            yield Finding(
                f"{pointer}/system",
                f"source '{source_id}' is cited for {first[0]} codes (at {first[1]}) and here for {system}: "
                "a source covers one code system, so one of the two is wrong",
            )
