"""Provenance, currency and disclaimer rules: each with a passing and a failing case.

Cases are data: each mutates the seed article (``old`` -> ``new`` text) into a passing and a
failing variant, and names the rule, the severity it must report and a marker text on the line
it must report. A case without a passing mutation passes on the seed as shipped; a case without
a failing mutation fails on the seed as shipped (its warnings are real).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from immunopipe.diagnostics import Severity
from immunopipe.validate import validate_files
from immunopipe.validate.context import RuleContext

TODAY = RuleContext(today=date(2026, 12, 1))
Edits = tuple[tuple[str, str], ...]
APPROVED = (
    "    status: pending\n",
    "    status: approved\n"
    "    reviewer: {name: Jane Doe, credentials: Consultant rheumatologist}\n"
    '    date: "2026-10-01"\n',
)


def dated(published: str | None, last_reviewed: str | None, next_review: str | None) -> Edits:
    """Edits giving the seed these dates (``None`` keeps ``unknown``)."""
    given = {"published": published, "last_reviewed": last_reviewed, "next_review": next_review}
    return tuple((f"{key}: unknown", f'{key}: "{value}"') for key, value in given.items() if value)


def edit(text: str, edits: Edits) -> str:
    for old, new in edits:
        assert old in text, f"the case no longer matches the seed article: {old!r}"
        text = text.replace(old, new, 1)
    return text


def line_of(text: str, marker: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if marker in line)


def findings(write_article: Callable[..., Path], text: str, rule: str, context: RuleContext = TODAY) -> list:
    outcome = validate_files([write_article(text)], context=context)
    return [(d.severity, d.line) for d in outcome.diagnostics if d.rule == rule]


#: The second source whose web address is unknown (a news release cited by an editorial query).
FDA_URL = '      url: unknown\n      accessed: "2026-12-01"\n'


@dataclass(frozen=True)
class Case:
    rule: str
    severity: Severity
    marker: str
    fail: Edits = ()
    passing: Edits = ()


CASES = [
    Case("publisher-named", Severity.ERROR, "name: unknown", fail=(("    name: askvity\n", "    name: unknown\n"),)),
    Case(
        "publisher-url-unknown",
        Severity.WARNING,
        "    url: unknown",
        passing=(("    name: askvity\n    url: unknown\n", '    name: askvity\n    url: "https://example.org/"\n'),),
    ),
    Case(
        "source-identified",
        Severity.ERROR,
        "publisher: n/a",
        fail=(("      publisher: askvity\n", "      publisher: n/a\n"),),
    ),
    Case(
        "source-url-unknown",
        Severity.WARNING,
        "      url: unknown",
        fail=((FDA_URL, FDA_URL.replace("unknown", '"https://example.org/news"')),),
        passing=(
            ("      url: unknown\n", '      url: "https://example.org/article"\n'),
            (FDA_URL, FDA_URL.replace("unknown", '"https://example.org/news"')),
        ),
    ),
    Case(
        "author-unknown",
        Severity.WARNING,
        "author: unknown",
        passing=(("  author: unknown\n", "  author: {name: Jane Doe, credentials: Consultant rheumatologist}\n"),),
    ),
    Case("clinical-review-pending", Severity.WARNING, "status: pending", passing=(APPROVED,)),
    Case(
        "clinical-review-consistent",
        Severity.ERROR,
        'date: "2026-10-01"',
        fail=(("    status: pending\n", '    status: pending\n    date: "2026-10-01"\n'),),
    ),
    Case(
        "funding-statement",
        Severity.ERROR,
        "funding: Written by our team.",
        fail=(
            (
                "  funding: >-\n    The source does not state any funding, sponsorship or conflicts of interest.\n",
                "  funding: Written by our team.\n",
            ),
        ),
    ),
    Case(
        "contact-unknown",
        Severity.WARNING,
        "contact: unknown",
        passing=(("  contact: unknown\n", '  contact: {text: "Tell us.", url: "https://example.org/feedback"}\n'),),
    ),
    Case(
        "contact-route",
        Severity.ERROR,
        "contact: {text:",
        fail=(("  contact: unknown\n", '  contact: {text: "Contact us."}\n'),),
        passing=(("  contact: unknown\n", '  contact: {text: "Email feedback@example.org with questions."}\n'),),
    ),
    Case(
        "dates-unknown",
        Severity.WARNING,
        "next_review: unknown",
        fail=dated("2025-01-10", "2026-01-10", None),
        passing=dated("2025-01-10", "2026-01-10", "2027-01-10"),
    ),
    Case(
        "review-overdue",
        Severity.WARNING,
        "next_review:",
        fail=dated("2023-01-10", "2024-01-10", "2026-11-30"),
        passing=dated("2023-01-10", "2024-01-10", "2026-12-01"),
    ),
    Case(
        "review-interval",
        Severity.WARNING,
        "next_review:",
        fail=dated("2025-01-10", "2026-01-10", "2029-01-11"),
        passing=dated("2025-01-10", "2026-01-10", "2029-01-10"),
    ),
    Case(
        "disclaimer-advice",
        Severity.ERROR,
        "disclaimer:",
        fail=(
            (
                "    This information is for general education. It does not replace advice from your doctor,\n"
                "    nurse or pharmacist. Talk to your care team before you start, stop or change any medicine.\n",
                "    This information is for general education.\n",
            ),
        ),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.rule for case in CASES])
def test_rule_passes_and_fails(case: Case, write_article: Callable[..., Path], seed_text: str) -> None:
    assert findings(write_article, edit(seed_text, case.passing), case.rule) == []
    failing = edit(seed_text, case.fail)
    assert findings(write_article, failing, case.rule) == [(case.severity, line_of(failing, case.marker))]


def test_every_unknown_date_is_named(write_article: Callable[..., Path], seed_text: str) -> None:
    outcome = validate_files([write_article(seed_text)], context=TODAY)
    messages = [d.message for d in outcome.diagnostics if d.rule == "dates-unknown"]
    assert [m.split(" is unknown")[0] for m in messages] == ["published", "last_reviewed", "next_review"]


def test_review_interval_counts_from_publication_before_any_review(
    write_article: Callable[..., Path], seed_text: str
) -> None:
    text = edit(seed_text, dated("2025-01-10", None, "2028-06-01"))
    [diagnostic] = [
        d for d in validate_files([write_article(text)], context=TODAY).diagnostics if d.rule == "review-interval"
    ]
    assert "after the publication (2025-01-10)" in diagnostic.message


def test_review_interval_from_29_february(write_article: Callable[..., Path], seed_text: str) -> None:
    on_time = edit(seed_text, dated("2024-02-29", "2024-02-29", "2027-02-28"))
    assert findings(write_article, on_time, "review-interval") == []


def test_overdue_review_depends_on_the_injected_date(write_article: Callable[..., Path], seed_text: str) -> None:
    text = edit(seed_text, dated("2024-01-10", "2025-01-10", "2026-12-01"))
    assert findings(write_article, text, "review-overdue") == []
    later = RuleContext(today=date(2026, 12, 3))
    [diagnostic] = [
        d for d in validate_files([write_article(text)], context=later).diagnostics if d.rule == "review-overdue"
    ]
    assert "due on 2026-12-01 (2 days ago)" in diagnostic.message


@pytest.mark.parametrize(
    "disclaimer",
    [
        "This leaflet is not a substitute for professional medical advice.",
        "It doesn't replace talking to your GP.",
        "Nothing here can replace what your care team tells you.",
    ],
)
def test_disclaimer_wordings_that_pass(disclaimer: str, write_article: Callable[..., Path], seed_text: str) -> None:
    text = edit(
        seed_text,
        (
            (
                "    This information is for general education. It does not replace advice from your doctor,\n"
                "    nurse or pharmacist. Talk to your care team before you start, stop or change any medicine.\n",
                f"    {disclaimer}\n",
            ),
        ),
    )
    assert findings(write_article, text, "disclaimer-advice") == []


def test_seed_passes_with_only_honest_warnings(write_article: Callable[..., Path], seed_text: str) -> None:
    """The seed's source names no author, reviewer, dates, URL or contact, and its sentences are long."""
    outcome = validate_files([write_article(seed_text)], context=TODAY)
    assert not outcome.failed()
    assert {d.rule for d in outcome.diagnostics} == {
        "publisher-url-unknown",
        "source-url-unknown",
        "author-unknown",
        "clinical-review-pending",
        "clinical-review-query-open",
        "dates-unknown",
        "contact-unknown",
        "readability-grade",
        "code-unverified",
    }
    assert all(d.severity is Severity.WARNING for d in outcome.diagnostics)
