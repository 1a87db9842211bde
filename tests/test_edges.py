"""Validate passes => every exporter succeeds, at the edges of what the schema allows.

Articles are the seed article pushed to the limits: dates 0001-01-01 and 9999-12-31, strings
at their longest, lists at their longest, the reading time at both ends (as an integer and as
a float), text drawn from the handout typeface or from any plane of Unicode. Each goes through
``validate``'s checks; when they pass, JSON, CSV and (for a few, as rendering is slow) PDF must
be produced, give the text back, and lose none of it; when they fail, every error is located.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import pypdf
import yaml
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from immunopipe.diagnostics import Severity
from immunopipe.export import export_articles
from immunopipe.fonts import code_points, handout_font_files
from immunopipe.load import load_bytes
from immunopipe.model import article_from_data
from immunopipe.validate.context import RuleContext
from immunopipe.validate.runner import FileResult, check_file
from immunopipe.validate.schema import SchemaChecker

SEED = load_bytes((Path(__file__).resolve().parents[1] / "content" / "immune-system-medicine.yaml").read_bytes()).data
CHECKER = SchemaChecker()
CONTEXT = RuleContext()

#: Latin letters the handout typeface prints (every face has them), beyond ASCII ones.
TYPEFACE_LETTERS = "".join(
    sorted(
        chr(code)
        for code in frozenset.intersection(*map(code_points, handout_font_files()))
        if chr(code).isalpha() and "LATIN" in unicodedata.name(chr(code), "")
    )
)
#: The planes of Unicode that hold characters (0-3, 14-16), as code point ranges.
PLANES = [(0x20, 0xFFFD), (0x10000, 0x1FFFD), (0x20000, 0x2FFFD), (0x30000, 0x3FFFD), (0xE0000, 0xEFFFD),
          (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD)]  # fmt: skip
#: (published, last reviewed, next review): the earliest and latest days there are.
DATES = [
    ("unknown", "unknown", "unknown"),
    ("0001-01-01", "0001-01-01", "0001-12-31"),
    ("2020-01-01", "2021-01-01", "9999-12-31"),
    ("9999-12-31", "9999-12-31", "9999-12-31"),
]
#: Text fields and their longest allowed length.
LONGEST = {
    ("title",): 200,
    ("category",): 80,
    ("summary",): 2000,
    ("uses", 0, "title"): 120,
    ("uses", 0, "conditions", 0, "name"): 120,
    ("uses", 0, "conditions", 0, "description"): 2000,
    ("medicine_classes", 0, "examples", 0, "name"): 120,
    ("considerations", 0, "text"): 2000,
    ("editorial", "publisher", "name"): 200,
}
#: Lists and their longest allowed length.
LONGEST_LISTS = {("considerations",): 50, ("medicine_classes", 0, "examples"): 50, ("uses", 0, "conditions"): 100}


@st.composite
def words(draw: st.DrawFn, alphabet: st.SearchStrategy[str], length: int) -> str:
    """Text of exactly ``length`` characters: words of ``alphabet`` joined by single spaces."""
    text = ""
    while len(text) < length:
        word = draw(st.text(alphabet, min_size=1, max_size=10))
        text = f"{text} {word}" if text else word
    text = text[:length].rstrip()
    return text + "x" * (length - len(text))


TYPEFACE = st.sampled_from("abcdefghijklmnopqrstuvwxyz" + TYPEFACE_LETTERS)


def alphabets(*, any_plane: bool) -> st.SearchStrategy[st.SearchStrategy[str]]:
    """The typeface's letters, or (as often) the characters of one plane of Unicode."""
    if not any_plane:
        return st.just(TYPEFACE)
    planes = [st.characters(min_codepoint=low, max_codepoint=high, exclude_categories=("Cs", "Zs", "Cc"))
              for low, high in PLANES]  # fmt: skip
    return st.one_of(st.just(TYPEFACE), st.sampled_from(planes))


def set_at(data: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    holder: Any = data
    for part in path[:-1]:
        holder = holder[part]
    holder[path[-1]] = value


def get_at(data: dict[str, Any], path: tuple[str | int, ...]) -> Any:
    holder: Any = data
    for part in path:
        holder = holder[part]
    return holder


def lengthened(items: list[dict[str, Any]], size: int, prefix: str) -> list[dict[str, Any]]:
    """``items`` repeated to ``size`` entries, each under a new id (and part of nothing)."""
    copies = [copy.deepcopy(items[number % len(items)]) | {"id": f"{prefix}-{number}"} for number in range(size)]
    for item in copies:
        item.pop("part_of", None)
    return copies


@st.composite
def edge_articles(draw: st.DrawFn, *, longest_lists: bool, any_plane: bool) -> dict[str, Any]:
    """The seed article with dates, numbers, some texts and (``longest_lists``) lists at their limits."""
    data = copy.deepcopy(SEED)
    published, reviewed, next_review = draw(st.sampled_from(DATES if any_plane else DATES[:3]))
    data["editorial"]["dates"] = {"published": published, "last_reviewed": reviewed, "next_review": next_review}
    data["editorial"]["sources"][0]["accessed"] = draw(st.sampled_from(["0001-01-01", "2026-01-01"]))
    data["reading_time_minutes"] = draw(st.sampled_from([1, 120, 1.0, 120.0]))
    alphabet = draw(alphabets(any_plane=any_plane))
    for path in draw(st.lists(st.sampled_from(sorted(LONGEST, key=str)), min_size=1, max_size=4, unique=True)):
        set_at(data, path, draw(words(alphabet, LONGEST[path])))
        if path[-1] == "name" and path[0] != "editorial":
            set_at(data, (*path[:-1], "codes"), [])  # the verified codes name the original item
    if longest_lists:
        for path in draw(st.lists(st.sampled_from(sorted(LONGEST_LISTS, key=str)), max_size=3, unique=True)):
            prefix = "-".join(str(part) for part in path).replace("_", "-")
            set_at(data, path, lengthened(get_at(data, path), LONGEST_LISTS[path], prefix))
    return data


def checked(data: dict[str, Any]) -> tuple[bytes, FileResult]:
    raw = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000).encode("utf-8")
    result = check_file(raw, "content/edge.yaml", checker=CHECKER, context=CONTEXT, severities={})
    lines = raw.count(b"\n") + 1
    assert all(1 <= d.line <= lines and d.column >= 1 for d in result.diagnostics)
    return raw, result


def passes(result: FileResult) -> bool:
    passed = result.ref is not None and not any(d.severity is Severity.ERROR for d in result.diagnostics)
    event("passes validate" if passed else "refused by validate")
    return passed


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(edge_articles(longest_lists=True, any_plane=True))
def test_what_validate_passes_exports_to_json_and_csv(data: dict[str, Any]) -> None:
    raw, result = checked(data)
    if not passes(result):
        assert any(d.severity is Severity.ERROR for d in result.diagnostics)
        return
    article = article_from_data(load_bytes(raw).data)
    with tempfile.TemporaryDirectory() as folder:
        export_articles([article], Path(folder), formats=("json", "csv"))
        document = json.loads((Path(folder) / "json" / f"{article.id}.json").read_text("utf-8"))
        tables = {path.name: path.read_text("utf-8-sig") for path in (Path(folder) / "csv").glob("*.csv")}
    assert document["article"]["title"] == data["title"]
    assert document["article"]["editorial"]["dates"] == data["editorial"]["dates"]
    assert len(document["article"]["considerations"]) == len(data["considerations"])
    articles = list(csv.DictReader(io.StringIO(tables["articles.csv"], newline="")))
    assert [row["title"].removeprefix("'") for row in articles] == [data["title"]]


@settings(max_examples=4, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(edge_articles(longest_lists=False, any_plane=False))
def test_what_validate_passes_prints_as_a_handout_with_all_its_text(data: dict[str, Any]) -> None:
    raw, result = checked(data)
    assume(passes(result))
    article = article_from_data(load_bytes(raw).data)
    with tempfile.TemporaryDirectory() as folder:
        export_articles([article], Path(folder), formats=("pdf",))
        pdf = (Path(folder) / "pdf" / f"{article.id}.pdf").read_bytes()
    printed = "".join("".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "".join(data["title"].split()) in printed
    assert set("".join(data["summary"].split())) <= set(printed)


def test_the_first_and_last_days_there_are_export_in_every_format(tmp_path: Path) -> None:
    data = copy.deepcopy(SEED)
    data["editorial"]["dates"] = {"published": "0001-01-01", "last_reviewed": "0001-01-01", "next_review": "9999-12-31"}
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / f"{data['id']}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    script = Path(sys.executable).with_name("immunopipe")
    result = subprocess.run([script, "export", "--no-cache"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    pdf = (tmp_path / "exports" / "pdf" / f"{data['id']}.pdf").read_bytes()
    printed = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "1 Jan 1" in printed and "31 Dec 9999" in printed
    document = json.loads((tmp_path / "exports" / "json" / f"{data['id']}.json").read_text("utf-8"))
    assert document["article"]["editorial"]["dates"] == data["editorial"]["dates"]
