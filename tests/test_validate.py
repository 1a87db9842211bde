"""Validation end to end over files: schema errors and core rules, each with rule id and line.

Invalid cases are data: each mutates the seed article in one place and names the rule that must
fire and a marker text on the line where it must be reported.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from immunopipe.diagnostics import Severity
from immunopipe.model import Article
from immunopipe.validate import validate_files
from immunopipe.validate.context import RuleContext
from immunopipe.validate.rules import RULES
from immunopipe.validate.runner import Prerender

TODAY = RuleContext(today=date(2026, 12, 1))

# (case id, text to replace, replacement, expected rule, marker on the expected line)
CASES = [
    (
        "unknown-top-level-key",
        "category: Immunosuppression",
        "category: Immunosuppression\ncategroy: x",
        "schema-unknown-key",
        "categroy: x",
    ),
    (
        "unknown-nested-key",
        "    name: askvity\n",
        "    name: askvity\n    website: x\n",
        "schema-unknown-key",
        "website: x",
    ),
    ("missing-required", "reading_time_minutes: 3\n", "", "schema-required", None),
    (
        "wrong-type",
        "reading_time_minutes: 3",
        "reading_time_minutes: three",
        "schema-type",
        "reading_time_minutes: three",
    ),
    (
        "yaml-1.1-boolean-is-text",
        "reading_time_minutes: 3",
        "reading_time_minutes: yes",
        "schema-type",
        "reading_time_minutes: yes",
    ),
    (
        "bad-slug",
        "id: immune-system-medicine",
        "id: Immune_System",
        "schema-pattern",
        "id: Immune_System",
    ),
    (
        "bad-date",
        "published: unknown",
        "published: 2024-02-30",
        "schema-format",
        "published: 2024-02-30",
    ),
    (
        "bad-url",
        "url: https://atcddd.fhi.no/atc_ddd_index/",
        "url: javascript:alert(1)",
        "schema-pattern",
        "url: javascript:alert(1)",
    ),
    ("bad-enum", "kind: risk", "kind: danger", "schema-enum", "kind: danger"),
    ("empty-text", "name: Lupus", "name: ''", "schema-length", "name: ''"),
    (
        "empty-list",
        "considerations:\n",
        "considerations: []\nx_considerations:\n",
        "schema-items",
        "considerations: []",
    ),
    (
        "approved-without-reviewer",
        "status: pending",
        "status: approved",
        "schema-required",
        "status: approved",
    ),
    (
        "bare-code-string",
        '- {system: who-icd-10, version: "2019", code: G35, source: who-icd-10-2019}',
        "- G35",
        "schema-type",
        "- G35",
    ),
    (
        "duplicate-id",
        "id: tacrolimus",
        "id: cyclosporine",
        "unique-id",
        "id: cyclosporine\n        name: tacrolimus",
    ),
    (
        "dangling-part-of",
        "part_of: inflammatory-bowel-disease",
        "part_of: ibd",
        "cross-reference",
        "part_of: ibd",
    ),
    (
        "unknown-code-source",
        "code: G35, source: who-icd-10-2019",
        "code: G35, source: icd-somewhere",
        "cross-reference",
        "code: G35",
    ),
    ("atc-code-malformed", "code: L04AD02", "code: L4AD02", "code-format", "code: L4AD02"),
    ("icd-code-malformed", "code: M32", "code: M32.12", "code-format", "code: M32.12"),
    ("rxnorm-not-numeric", 'code: "42316"', 'code: "RX8640"', "code-format", "RX8640"),
    (
        "accessed-in-future",
        'accessed: "2026-11-26"\n    - id: who-atc',
        'accessed: "2027-01-01"\n    - id: who-atc',
        "date-order",
        "2027-01-01",
    ),
]


def line_of(text: str, marker: str) -> int:
    index = text.index(marker)
    return text.count("\n", 0, index) + 1


@pytest.mark.parametrize(("old", "new", "rule", "marker"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_invalid_case_reports_rule_at_line(
    seed_text: str,
    write_article: Callable[..., Path],
    old: str,
    new: str,
    rule: str,
    marker: str | None,
) -> None:
    assert old in seed_text, "the case no longer matches the seed article"
    text = seed_text.replace(old, new, 1)
    outcome = validate_files([write_article(text)], context=TODAY)
    found = [(d.rule, d.line) for d in outcome.diagnostics]
    expected_line = line_of(text, marker) if marker else 2  # a missing key is reported at the mapping
    assert (rule, expected_line) in found, found
    assert outcome.failed()
    assert outcome.valid_files == []


def test_seed_article_is_valid(write_article: Callable[..., Path], seed_text: str) -> None:
    outcome = validate_files([write_article(seed_text)], context=TODAY)
    assert [d for d in outcome.diagnostics if d.severity is Severity.ERROR] == []
    assert len(outcome.valid_files) == 1


def test_one_broken_file_does_not_stop_the_others(tmp_path: Path, seed_text: str) -> None:
    (tmp_path / "a.yaml").write_text("a: [\n")
    good = tmp_path / "immune-system-medicine.yaml"
    good.write_text(seed_text)
    (tmp_path / "c.yaml").write_text(seed_text.replace("language: en", "language: english"))
    outcome = validate_files(sorted(tmp_path.iterdir()), context=TODAY)
    assert {d.path.rsplit("/", 1)[-1] for d in outcome.diagnostics if d.severity is Severity.ERROR} == {
        "a.yaml",
        "c.yaml",
    }
    assert outcome.valid_files == [good]


def test_article_ids_are_unique_across_files_ignoring_case(tmp_path: Path, seed_text: str) -> None:
    first = tmp_path / "immune-system-medicine.yaml"
    first.write_text(seed_text)
    second = tmp_path / "copy.yaml"
    second.write_text(seed_text)
    outcome = validate_files([first, second], context=TODAY)
    duplicates = [d for d in outcome.diagnostics if d.rule == "duplicate-article-id"]
    assert len(duplicates) == 1
    assert duplicates[0].path == str(second)
    assert f"{first}:2" in duplicates[0].message


def test_id_not_matching_the_file_name_is_a_warning(write_article: Callable[..., Path], seed_text: str) -> None:
    outcome = validate_files([write_article(seed_text, name="other")], context=TODAY)
    warnings = [d for d in outcome.diagnostics if d.rule == "id-matches-file"]
    assert [(w.severity, w.line) for w in warnings] == [(Severity.WARNING, 2)]
    assert not outcome.failed()
    assert outcome.failed(strict=True)


def test_date_order(write_article: Callable[..., Path], seed_text: str) -> None:
    text = (
        seed_text.replace("published: unknown", 'published: "2025-06-01"')
        .replace("last_reviewed: unknown", 'last_reviewed: "2025-01-01"')
        .replace("next_review: unknown", 'next_review: "2024-01-01"')
    )
    outcome = validate_files([write_article(text)], context=TODAY)
    found = {(d.rule, d.line) for d in outcome.diagnostics if d.rule == "date-order"}
    assert found == {
        ("date-order", line_of(text, "last_reviewed: ")),
        ("date-order", line_of(text, "next_review: ")),
    }


def test_part_of_cycle_is_reported(write_article: Callable[..., Path], seed_text: str) -> None:
    text = seed_text.replace(
        "        abbreviation: IBD\n",
        "        abbreviation: IBD\n        part_of: crohns-disease\n",
    )
    outcome = validate_files([write_article(text)], context=TODAY)
    assert any(d.rule == "cross-reference" and "back to itself" in d.message for d in outcome.diagnostics)


def test_rules_can_be_switched_off_or_downgraded(write_article: Callable[..., Path], seed_text: str) -> None:
    path = write_article(seed_text, name="other")
    switched_off = validate_files([path], context=TODAY, severities={"id-matches-file": None})
    assert [d for d in switched_off.diagnostics if d.rule == "id-matches-file"] == []
    upgraded = validate_files([path], context=TODAY, severities={"id-matches-file": Severity.ERROR})
    assert upgraded.failed()


def test_every_rule_is_documented() -> None:
    for rule in RULES.values():
        assert rule.summary and rule.standard
        assert "Passes" in rule.doc and "Fails" in rule.doc, rule.id


def test_parallel_run_gives_the_same_outcome(tmp_path: Path, seed_text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from immunopipe.validate import runner

    files = []
    for index in range(6):
        path = tmp_path / f"article-{index}.yaml"
        text = seed_text.replace("id: immune-system-medicine", f"id: article-{index}")
        path.write_text(text if index != 3 else text.replace("language: en", "language: english"))
        files.append(path)
    serial = validate_files(files, context=TODAY, jobs=1)
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 2)
    parallel = validate_files(files, context=TODAY, jobs=2)
    assert parallel.diagnostics == serial.diagnostics
    assert parallel.valid_files == serial.valid_files == [p for p in files if p.name != "article-3.yaml"]


def rendered_title(article: Article) -> bytes:
    """A stand-in export renderer (module level, so worker processes can run it)."""
    return article.title.encode()


@pytest.mark.parametrize("jobs", [1, 2])
def test_prerender_renders_exactly_the_valid_files_in_the_process_that_checked_them(
    tmp_path: Path, seed_text: str, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    from immunopipe.validate import runner

    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 2)
    files = []
    for index in range(4):
        path = tmp_path / f"article-{index}.yaml"
        text = seed_text.replace("id: immune-system-medicine", f"id: article-{index}")
        path.write_text(text if index != 1 else text.replace("language: en", "language: english"))
        files.append(path)
    files[2].write_text(files[0].read_text())
    outcome = validate_files(files, context=TODAY, jobs=jobs, prerender=Prerender(rendered_title))
    # article-1 fails its own checks; article-2 passes them but repeats article-0's id.
    assert outcome.valid_files == [files[0], files[3]]
    assert outcome.rendered.paths() == outcome.valid_files
    assert [outcome.rendered.pop(path) for path in files] == [
        b"What is immune system medicine used for?",
        None,
        None,
        b"What is immune system medicine used for?",
    ]
    assert outcome.rendered.pop(files[0]) is None  # taken


def test_prerender_renders_only_the_files_it_wants_by_digest(tmp_path: Path, seed_text: str) -> None:
    files = []
    for index in range(3):
        path = tmp_path / f"article-{index}.yaml"
        path.write_text(seed_text.replace("id: immune-system-medicine", f"id: article-{index}"))
        files.append(path)
    wanted = {hashlib.sha256(files[1].read_bytes()).hexdigest()}
    outcome = validate_files(files, context=TODAY, prerender=Prerender(rendered_title, wanted.__contains__))
    assert outcome.valid_files == files
    assert outcome.rendered.paths() == [files[1]]


def test_load_validated_refuses_a_file_changed_since_validation(
    write_article: Callable[..., Path], seed_text: str
) -> None:
    from immunopipe.validate import ContentChanged, load_validated

    path = write_article(seed_text)
    outcome = validate_files([path], context=TODAY)
    assert load_validated(path, outcome.digests[path])["id"] == "immune-system-medicine"
    path.write_text(seed_text.replace("Lupus", "Lupvs"))
    with pytest.raises(ContentChanged, match="changed after it was validated"):
        load_validated(path, outcome.digests[path])
    path.unlink()
    with pytest.raises(ContentChanged, match="can no longer be read"):
        load_validated(path, outcome.digests[path])
