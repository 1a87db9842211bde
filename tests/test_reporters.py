"""Reporters: compiler-style text, stable JSON, GitHub annotations."""

from __future__ import annotations

import json

from immunopipe.diagnostics import Diagnostic, Severity
from immunopipe.reporters import REPORTERS, format_text_line, github_report, json_report, summary, text_report
from immunopipe.validate import Outcome

ERROR = Diagnostic(
    "content/x.yaml",
    41,
    7,
    "schema-type",
    "expected text, found the number 3",
    Severity.ERROR,
    "/title",
)
WARNING = Diagnostic("content/x.yaml", 2, 5, "id-matches-file", "id 'a' differs, rename", Severity.WARNING, "/id")


def test_text_line_has_the_compiler_shape() -> None:
    assert format_text_line(ERROR) == "content/x.yaml:41:7: error: expected text, found the number 3 [schema-type]"


def test_summary_counts_and_verdict() -> None:
    assert summary(Outcome(files_checked=3)) == "3 files checked: no problems found"
    outcome = Outcome(diagnostics=[ERROR, WARNING], files_checked=3)
    assert summary(outcome) == "1 error, 1 warning in 1 of 3 files: failed"
    only_warning = Outcome(diagnostics=[WARNING], files_checked=1)
    assert summary(only_warning).endswith(": passed")
    assert summary(only_warning, strict=True).endswith(": failed")


def test_json_report_shape() -> None:
    report = json.loads(json_report(Outcome(diagnostics=[ERROR], files_checked=1)))
    assert report == {
        "version": 1,
        "valid": False,
        "files": 1,
        "diagnostics": [
            {
                "path": "content/x.yaml",
                "line": 41,
                "column": 7,
                "pointer": "/title",
                "rule": "schema-type",
                "severity": "error",
                "message": "expected text, found the number 3",
                "where": "",
            }
        ],
        "suppressed": 0,
        "baselined": 0,
    }


def test_github_annotations_escape_their_special_characters() -> None:
    tricky = Diagnostic("a,b:c.yaml", 1, 2, "r", "50% done\nnext", Severity.WARNING)
    first = github_report(Outcome(diagnostics=[tricky], files_checked=1)).splitlines()[0]
    assert first == "::warning file=a%2Cb%3Ac.yaml,line=1,col=2,title=r::50%25 done%0Anext"
    strict = github_report(Outcome(diagnostics=[tricky], files_checked=1), True)
    assert strict.startswith("::error ")


def test_every_reporter_ends_with_a_newline() -> None:
    for report in REPORTERS.values():
        assert report(Outcome(diagnostics=[ERROR], files_checked=1), False).endswith("\n")


def test_text_report_ends_with_counts_per_rule_then_the_summary() -> None:
    second = Diagnostic("content/y.yaml", 3, 1, "id-matches-file", "again", Severity.WARNING, "/id")
    outcome = Outcome(diagnostics=[ERROR, WARNING, second], files_checked=2, suppressed=4, baselined=7)
    lines = text_report(outcome).splitlines()
    assert lines[-4:] == [
        "problems by rule:",
        "  2  id-matches-file (warning)",
        "  1  schema-type (error)",
        "1 error, 2 warnings in 2 of 2 files (4 suppressed, 7 baselined): failed",
    ]
    assert text_report(Outcome(files_checked=1)) == "1 file checked: no problems found\n"
