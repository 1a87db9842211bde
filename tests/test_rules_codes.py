"""Medical codes: the reference table, code-reference (right code for the item) and code-edition."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from immunopipe.diagnostics import Severity
from immunopipe.validate import validate_files
from immunopipe.validate.context import RuleContext, walk
from immunopipe.validate.reference import edition_year, normalise_name, reference_codes
from immunopipe.validate.rules.code_format import FORMATS

TODAY = RuleContext(today=date(2026, 11, 26))
WHO_T86 = '          - system: who-icd-10\n            version: "2019"\n            code: T86\n'
SIROLIMUS = "            code: L04AH01\n"
BIOLOGICS_CODES = (
    "      Target specific components of the immune system, such as inflammatory cytokines.\n    codes: []\n"
)


def diagnostics(write_article: Callable[..., Path], text: str, rule: str) -> list[tuple[Severity, int, str]]:
    outcome = validate_files([write_article(text)], context=TODAY)
    return [(d.severity, d.line, d.message) for d in outcome.diagnostics if d.rule == rule]


def edit(text: str, old: str, new: str) -> str:
    assert old in text, f"the case no longer matches the seed article: {old!r}"
    return text.replace(old, new, 1)


def line_of(text: str, marker: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if marker in line)


# The reference table


def test_every_row_is_sourced_well_formed_and_consistent() -> None:
    rows = reference_codes()
    assert len(rows) > 40
    for row in rows:
        assert row.source and row.meaning and row.names, row
        assert row.code == "" or FORMATS[row.system][0].fullmatch(row.code), row
        assert all(normalise_name(name) == name for name in row.names), row
        assert row.valid_from is None or row.valid_to is None or row.valid_from <= row.valid_to
    keys = [(row.system, row.code, row.names) for row in rows]
    assert len(keys) == len(set(keys))


def test_the_2024_atc_change_is_recorded() -> None:
    sirolimus = {row.code: (row.valid_from, row.valid_to) for row in reference_codes() if "sirolimus" in row.names}
    everolimus = {row.code: (row.valid_from, row.valid_to) for row in reference_codes() if "everolimus" in row.names}
    assert sirolimus == {"L04AH01": (2024, None), "L04AA10": (None, 2023)}
    assert everolimus["L04AH02"] == (2024, None) and everolimus["L04AA18"] == (None, 2023)


def test_every_code_of_the_seed_is_in_the_table(seed_text: str) -> None:
    import yaml

    known = {(row.system, row.code) for row in reference_codes()}
    codes = [(node["system"], node["code"]) for _, node in walk(yaml.safe_load(seed_text)) if "system" in node]
    assert codes and set(codes) <= known


@pytest.mark.parametrize(
    ("version", "year"), [("2026", 2026), ("FY2026", 2026), ("2024-01", 2024), ("2019", 2019), ("latest", None)]
)
def test_edition_year(version: str, year: int | None) -> None:
    assert edition_year(version) == year


# code-reference


def test_code_reference_passes_the_seed_and_fails_a_pre_2024_atc_code(
    write_article: Callable[..., Path], seed_text: str
) -> None:
    assert diagnostics(write_article, seed_text, "code-reference") == []
    text = edit(seed_text, SIROLIMUS, "            code: L04AA10\n")
    assert diagnostics(write_article, text, "code-reference") == [
        (
            Severity.ERROR,
            line_of(text, "code: L04AA10"),
            "sirolimus is L04AH01 in who-atc 2026 (WHO ATC/DDD Index 2026, WHO Collaborating Centre for Drug "
            "Statistics Methodology), not L04AA10; L04AA10 is its code in editions up to 2023",
        )
    ]


def messages(write_article: Callable[..., Path], text: str) -> list[str]:
    return [message for _, _, message in diagnostics(write_article, text, "code-reference")]


def test_codes_are_judged_in_the_edition_they_state(write_article: Callable[..., Path], seed_text: str) -> None:
    old_edition = edit(
        seed_text,
        '            version: "2026"\n' + SIROLIMUS,
        '            version: "2023"\n            code: L04AA10\n',
    )
    assert messages(write_article, old_edition) == []
    too_new = edit(seed_text, '            version: "2026"\n' + SIROLIMUS, '            version: "2023"\n' + SIROLIMUS)
    assert messages(write_article, too_new) == [
        "sirolimus is L04AA10 in who-atc 2023 (WHO ATC/DDD Index 2026, WHO Collaborating Centre for Drug Statistics "
        "Methodology), not L04AH01; L04AH01 is its code in editions from 2024"
    ]


def test_a_class_group_that_did_not_exist_yet(write_article: Callable[..., Path], seed_text: str) -> None:
    text = edit(
        seed_text, '        version: "2026"\n        code: L04AH\n', '        version: "2023"\n        code: L04AH\n'
    )
    assert messages(write_article, text) == [
        "the reference table has no who-atc code for mTOR inhibitors in edition 2023 (L04AH in editions from 2024)"
    ]


def test_same_string_in_another_system_means_something_else(write_article: Callable[..., Path], seed_text: str) -> None:
    text = edit(
        seed_text, WHO_T86, '          - system: icd-10-cm\n            version: "2026"\n            code: T86.5\n'
    )
    assert messages(write_article, text) == [
        "icd-10-cm T86.5 means 'Complications of stem cell transplant' (ICD-10-CM, US National Center for Health "
        "Statistics), not Organ and stem cell transplant rejection; in who-icd-10, T86.5 means 'Skin graft failure "
        "and rejection': check the code system"
    ]


def test_a_narrower_code_with_another_meaning_is_wrong(write_article: Callable[..., Path], seed_text: str) -> None:
    text = edit(seed_text, WHO_T86, WHO_T86.replace("code: T86\n", "code: T86.5\n"))
    [message] = messages(write_article, text)
    assert message.startswith("who-icd-10 T86.5 means 'Skin graft failure and rejection'")


def test_icd_subdivision_of_the_listed_category_passes(write_article: Callable[..., Path], seed_text: str) -> None:
    text = edit(seed_text, "            code: M32\n", "            code: M32.1\n")
    assert messages(write_article, text) == []


def test_icd_10_cm_split_multiple_sclerosis(write_article: Callable[..., Path], seed_text: str) -> None:
    ms = '{system: who-icd-10, version: "2019", code: G35, source: who-icd-10-2019}'
    cm_2026 = '{system: icd-10-cm, version: "2026", code: G35, source: cm}'
    text = edit(seed_text, ms, cm_2026)
    assert messages(write_article, text) == [
        "Multiple sclerosis is G35.A or G35.B or G35.C or G35.D in icd-10-cm 2026 (ICD-10-CM FY2026, US National "
        "Center for Health Statistics), not G35; G35 is its code in editions up to 2025"
    ]
    assert messages(write_article, text.replace('version: "2026", code: G35,', 'version: "2025", code: G35,')) == []


def test_class_without_a_single_atc_group(write_article: Callable[..., Path], seed_text: str) -> None:
    coded = BIOLOGICS_CODES.replace(
        "codes: []", 'codes: [{system: who-atc, version: "2026", code: L04AB, source: who-atc-ddd-2026}]'
    )
    text = edit(seed_text, BIOLOGICS_CODES, coded)
    assert diagnostics(write_article, text, "code-reference") == [
        (
            Severity.ERROR,
            line_of(text, "codes: [{system: who-atc"),
            "Biologics has no who-atc code (No single ATC group (biologics fall under several groups); WHO ATC/DDD "
            "Index 2026, WHO Collaborating Centre for Drug Statistics Methodology): remove L04AB",
        )
    ]


def test_items_match_by_international_name(write_article: Callable[..., Path], seed_text: str) -> None:
    renamed = edit(seed_text, "        name: cyclosporine\n", "        name: Sandimmune\n")
    assert messages(write_article, renamed) == []
    wrong = edit(renamed, "code: L04AD01,", "code: L04AD02,")
    assert messages(write_article, wrong)[0].startswith("who-atc L04AD02 means 'Tacrolimus' (")
    assert messages(write_article, wrong)[0].endswith("not Sandimmune")


def test_wrong_rxnorm_ingredient(write_article: Callable[..., Path], seed_text: str) -> None:
    text = edit(seed_text, 'code: "8640"', 'code: "8641"')
    assert messages(write_article, text)[0].startswith("prednisone is 8640 in rxnorm 2026")


def test_unknown_items_and_codes_are_not_judged(write_article: Callable[..., Path], seed_text: str) -> None:
    text = edit(seed_text, "        name: tacrolimus\n", "        name: voclosporin\n")
    text = edit(text, "code: L04AD02,", "code: L04AD03,")
    text = edit(text, '          - {system: rxnorm, version: "2026", code: "42316", source: nlm-rxnorm}\n', "")
    assert messages(write_article, text) == []


# code-edition


def edition_findings(write_article: Callable[..., Path], text: str) -> list[tuple[Severity, int, str]]:
    return diagnostics(write_article, text, "code-edition")


def test_code_edition_passes_the_seed_and_fails_a_who_icd_10_year_after_2019(
    write_article: Callable[..., Path], seed_text: str
) -> None:
    assert edition_findings(write_article, seed_text) == []
    text = edit(seed_text, WHO_T86, WHO_T86.replace('"2019"', '"2026"'))
    [(severity, line, message)] = edition_findings(write_article, text)
    assert (severity, line) == (Severity.ERROR, line_of(text, 'version: "2026"'))
    assert message.startswith("who-icd-10 has no 2026 edition: its last edition is 2019")


@pytest.mark.parametrize(
    ("old", "new", "start"),
    [
        (
            'version: "2026", code: H02AB07',
            'version: "2025", code: H02AB07',
            "version 2025 differs from the edition of the cited source 'ATC/DDD Index 2026'",
        ),
        ('version: "2026", code: H02AB07', 'version: "latest", code: H02AB07', "version 'latest' names no edition"),
        ('version: "2026", code: H02AB07', 'version: "2031", code: H02AB07', "who-atc edition 2031 does not exist yet"),
        (
            '{system: who-icd-10, version: "2019", code: M06',
            '{system: icd-10-cm, version: "2015", code: M06',
            "icd-10-cm has no 2015 edition: its first edition is FY2016",
        ),
        (
            '{system: who-icd-10, version: "2019", code: M06',
            '{system: icd-10-cm, version: "2019", code: M06',
            "source 'who-icd-10-2019' is cited for who-icd-10 codes (at /uses/0/conditions/0/codes/0) and here for "
            "icd-10-cm",
        ),
    ],
)
def test_code_edition_failures(
    old: str, new: str, start: str, write_article: Callable[..., Path], seed_text: str
) -> None:
    text = edit(seed_text, old, new)
    [(severity, line, message)] = edition_findings(write_article, text)
    assert severity is Severity.ERROR
    assert line == line_of(text, new)
    assert message.startswith(start), message
