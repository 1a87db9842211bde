"""Reporters: compiler-style text, stable JSON, GitHub annotations."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from immunopipe.diagnostics import MAX_PER_FILE, TOO_MANY, Diagnostic, Severity, capped
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


# --- names and keys that could drive a terminal ---------------------------------------------

HOSTILE_NAMES = [b"esc\x1b[31mred.yaml", b"new\nline.yaml", b"bad\xffbyte.yaml", b"bell\x07.yaml"]
HOSTILE_KEY = 'id: x\n"\\e]0;title\\a\\e[2J": 1\n'


def hostile_folder(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    content.mkdir()
    for name in HOSTILE_NAMES:
        (content / os.fsdecode(name)).write_text(HOSTILE_KEY, encoding="utf-8")
    return tmp_path


def run_validate(folder: Path, output_format: str) -> subprocess.CompletedProcess[bytes]:
    script = Path(sys.executable).with_name("immunopipe")
    command = [str(script), "validate", "--no-cache", "--format", output_format]
    return subprocess.run(command, cwd=folder, capture_output=True, timeout=120)


def test_text_and_github_reports_escape_names_and_keys(tmp_path: Path) -> None:
    folder = hostile_folder(tmp_path)
    for output_format, shape in (("text", r"content/\S+:\d+:\d+: error: .* \[[a-z-]+\]"), ("github", r"::error .*")):
        result = run_validate(folder, output_format)
        assert result.returncode == 1 and result.stderr == b""
        text = result.stdout.decode("utf-8")  # valid UTF-8
        assert not any(ord(character) < 0x20 and character != "\n" for character in text), output_format
        lines = text.splitlines()
        if "problems by rule:" in lines:  # the text report's count per rule, before the summary
            lines = lines[: lines.index("problems by rule:") + 1]
        assert all(re.fullmatch(shape, line) for line in lines[:-1]), output_format
        newline = "%0A" if output_format == "github" else "\\n"  # GitHub's own escape for line breaks
        for escaped in ("esc\\x1b[31mred.yaml", f"new{newline}line.yaml", "bad\\xffbyte.yaml", "bell\\x07.yaml"):
            assert escaped in text
        assert "\\x1b]0;title\\x07\\x1b[2J" in text


def test_the_json_report_is_valid_utf8_and_keeps_control_characters_escaped(tmp_path: Path) -> None:
    result = run_validate(hostile_folder(tmp_path), "json")
    assert result.returncode == 1
    report = json.loads(result.stdout.decode("utf-8"))
    paths = {diagnostic["path"] for diagnostic in report["diagnostics"]}
    assert paths == {"content/esc\x1b[31mred.yaml", "content/new\nline.yaml", "content/bad\\xffbyte.yaml",
                     "content/bell\x07.yaml"}  # fmt: skip
    assert b"\x1b" not in result.stdout  # JSON writes control characters as \u001b


def test_one_file_gives_at_most_200_diagnostics_and_a_count_of_the_rest(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    keys = "".join(f"unknown-{number}: 1\n" for number in range(1000))
    (tmp_path / "content" / "many.yaml").write_text(f"id: many\n{keys}", encoding="utf-8")
    result = run_validate(tmp_path, "json")
    assert result.returncode == 1
    diagnostics = json.loads(result.stdout)["diagnostics"]
    assert len(diagnostics) == MAX_PER_FILE + 1
    last = diagnostics[-1]
    assert last["rule"] == TOO_MANY and last["severity"] == "error"
    hidden = int(re.match(r"([\d,]+) more problems", last["message"]).group(1).replace(",", ""))
    assert hidden > 0 and last["line"] >= diagnostics[-2]["line"]
    text = run_validate(tmp_path, "text").stdout.decode()
    located = [line for line in text.splitlines() if line.startswith("content/many.yaml:")]
    assert len(located) == MAX_PER_FILE + 1  # the problems shown and the count of the rest


def test_a_file_under_the_cap_is_reported_whole() -> None:
    diagnostics = [ERROR] * MAX_PER_FILE
    assert capped(diagnostics) == diagnostics
    assert [d.rule for d in capped([WARNING] * (MAX_PER_FILE + 3))][-1] == TOO_MANY
    assert capped([WARNING] * (MAX_PER_FILE + 3))[-1].severity is Severity.WARNING


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
