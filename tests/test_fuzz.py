"""Property-based fuzzing of the whole pipeline: load, validate, model, export.

Two sources of input:

* the seed article's YAML, mutated byte by byte and line by line (YAML indicators, tags,
  aliases, control characters, invalid UTF-8, YAML 1.1 scalars, ...);
* schema-shaped articles from a hand-made strategy that follows ``schema/article.schema.json``
  (``hypothesis-jsonschema`` 0.23.1 fails on any object schema with current Hypothesis and only
  targets drafts 4 to 7, while the schema is draft 2020-12), with text mixing everyday words,
  other scripts and hostile tokens: HTML, template syntax, ``file://`` and CSS ``url()``,
  formula-leading cells.

Invariants: loading returns data or raises :class:`LoadError`; checking a file never raises and
locates every diagnostic; a valid article exports to JSON that re-validates and gives every fact
back, to CSV with no formula-leading cell that parses back to the same article, and to a PDF that
opens with nothing attached, fetched or read from the disk. Example counts follow the Hypothesis
profile (tests/conftest.py): ``ci`` by default, ``HYPOTHESIS_PROFILE=long`` by hand.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import socket
import tempfile
import unicodedata
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pypdf
import pytest
import yaml
from export_support import without_official_titles
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from pdf_support import pdf_streams
from test_export_csv import FORMULA_STARTS, parse, rebuild

from immunopipe.diagnostics import TOO_MANY, Severity
from immunopipe.export import export_articles
from immunopipe.export.csv import TABLES
from immunopipe.fonts import handout_font_files, missing_characters
from immunopipe.ids import RESERVED_IDS
from immunopipe.load import LoadError, load_bytes
from immunopipe.model import article_from_data
from immunopipe.validate.context import RuleContext
from immunopipe.validate.rules import RULES
from immunopipe.validate.runner import FileResult, check_file
from immunopipe.validate.schema import SchemaChecker

#: Every property test here generates, checks and renders many articles.
pytestmark = pytest.mark.slow

SEED = (Path(__file__).resolve().parents[1] / "content" / "immune-system-medicine.yaml").read_bytes()
LOAD_RULES = frozenset(
    {
        "yaml-syntax",
        "duplicate-key",
        "yaml-tag",
        "yaml-key",
        "yaml-alias",
        "yaml-depth",
        "yaml-number",
        "encoding",
        "empty-file",
    }
    | {"file-too-large", "file-unreadable"}
)


def fuzz_examples(base: int) -> dict[str, int]:
    """Examples each fuzz test runs under a profile of ``base`` examples (docs/reliability.md lists them).

    Cheap checks run more examples than the base, exports fewer, PDF renders (about a second
    each) fewest.
    """
    return {
        "mutated seed YAML": base * 3,
        "schema-shaped articles": base,
        "broken schema-shaped articles": base // 2,
        "valid articles exported to JSON and CSV": base // 4,
        "valid articles rendered as PDF": max(5, base // 20),
    }


#: Examples per test under the current profile ("ci" by default, "long" by hand).
FUZZ = fuzz_examples(settings.default.max_examples)
#: Content of a local file that no export may contain.
LOCAL_FILE, LOCAL_FILE_CONTENT = Path("/etc/passwd"), b"root:"

CHECKER = SchemaChecker()
CONTEXT = RuleContext()


# --- (a) mutations of the seed YAML ----------------------------------------------------------

TOKENS = [
    b"&a ", b"*a", b"&x [*x]", b"!!binary ", b"!!python/object:os.system ", b"!custom ", b"<<: ",
    b"{", b"}", b"[", b"]", b": ", b"- ", b"? ", b"|", b">-", b'"', b"'", b"#", b"\t", b"\n", b"\r",
    b"\x00", b"\xef\xbb\xbf", b"\xe2\x80\xae", b"\xed\xa0\x80", b"\xff", b"%YAML 1.1\n", b"---\n", b"...\n",
    b'"\\ud800"', b'"\\0"', b"yes", b"off", b"012", b"1:30", b"2024-01-15", b"1e999", b"2.0",
    b"99999999999999999999999", b"~", b"null", b"<script>alert(1)</script>", b"=SUM(A1)", b"\xef\xbc\x9d1",
    b"file:///etc/passwd", b"  ", b"\\",
]  # fmt: skip


def insert(raw: bytes, at: int, token: bytes) -> bytes:
    return raw[:at] + token + raw[at:]


def replace(raw: bytes, at: int, token: bytes) -> bytes:
    return raw[:at] + token + raw[at + len(token) :]


def delete(raw: bytes, at: int, length: int) -> bytes:
    return raw[:at] + raw[at + length :]


def line_operation(raw: bytes, at: int, kind: str) -> bytes:
    lines = raw.splitlines(keepends=True)
    if not lines:
        return raw
    index = at % len(lines)
    if kind == "duplicate":
        lines.insert(index, lines[index])
    elif kind == "drop":
        del lines[index]
    else:  # indent or dedent the line by two spaces
        lines[index] = b"  " + lines[index] if kind == "indent" else lines[index].removeprefix(b"  ")
    return b"".join(lines)


MUTATIONS = st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 1 << 20), st.sampled_from(TOKENS)),
    st.tuples(st.just("replace"), st.integers(0, 1 << 20), st.sampled_from(TOKENS)),
    st.tuples(st.just("delete"), st.integers(0, 1 << 20), st.integers(1, 40)),
    st.tuples(st.just("byte"), st.integers(0, 1 << 20), st.binary(min_size=1, max_size=1)),
    st.tuples(st.just("line"), st.integers(0, 1 << 20), st.sampled_from(["duplicate", "drop", "indent", "dedent"])),
)


def mutated(raw: bytes, mutations: list[tuple[str, int, Any]]) -> bytes:
    for kind, position, argument in mutations:
        at = position % (len(raw) + 1)
        if kind == "insert":
            raw = insert(raw, at, argument)
        elif kind in ("replace", "byte"):
            raw = replace(raw, at, argument)
        elif kind == "delete":
            raw = delete(raw, at, argument)
        else:
            raw = line_operation(raw, position, argument)
    return raw


# --- (b) schema-shaped articles --------------------------------------------------------------

WORDS = [
    "the", "immune", "system", "medicine", "helps", "people", "with", "care", "daily", "tablets",
    "<script>alert(1)</script>", "<b>bold</b>", "</p><h1>", "&amp;", "&lt;", "&#60;", '"quoted"', "it's",
    '<link rel="attachment" href="file:///etc/passwd">', '<img src="http://127.0.0.1:9/x.png">',
    "url(file:///etc/passwd)", '<style>@import "http://127.0.0.1:9/x.css";</style>', "file:///etc/passwd",
    "{{ 7*7 }}", "{% if true %}x{% endif %}", "${7*7}", "%s", "\\", "=SUM(A1)", "+1", "-1", "@A1",
    "\uff1d1", "\uff0b1", "\uff0d1", "\uff20A1", "'=1", "café", "naïve", "Ærøskøbing", "日本語", "Ελληνικά",
    "Русский", "العربية", "עברית", "हिन्दी", "😀", "ﬁne", "TNF-\u03b1", "x" * 70,
]  # fmt: skip
#: Single-script alphabets for random words (a word mixing Latin with Cyrillic or Greek is an error).
ALPHABETS = ["abcdefghijklmnopqrstuvwxyz0123456789", "абвгдежзийклмнопрстуфхцчшщыэюя", "αβγδεζηθικλμνξοπρστυφχψω"]
WORD = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(ALPHABETS).flatmap(lambda alphabet: st.text(alphabet, min_size=1, max_size=12)),
)
SOURCES = [
    {"id": "who-atc-ddd-2026", "title": "ATC/DDD Index 2026", "publisher": "WHO Collaborating Centre"},
    {"id": "who-icd-10-2019", "title": "ICD-10 version 2019", "publisher": "World Health Organization"},
    {"id": "nlm-rxnorm", "title": "RxNorm", "publisher": "U.S. National Library of Medicine"},
]
#: Codes the reference table does not know, so items with any name may carry them.
CONDITION_CODES = [{"system": "who-icd-10", "version": "2019", "code": "J45", "source": "who-icd-10-2019"}]
MEDICINE_CODES = [
    {"system": "who-atc", "version": "2026", "code": "L04AA06", "source": "who-atc-ddd-2026"},
    {"system": "rxnorm", "version": "2026", "code": "68149", "source": "nlm-rxnorm"},
]
SLUG = st.from_regex(r"[a-z][a-z0-9]{0,5}(-[a-z0-9]{1,5}){0,2}", fullmatch=True)
URL = st.sampled_from(["https://example.org/", "https://example.org/a?b=c&d=%3Ce%3E#f", "http://127.0.0.1:9/page"])
TODAY = date.today()


@st.composite
def texts(draw: st.DrawFn, max_size: int = 2000, max_words: int = 12) -> str:
    """Words joined by single spaces, no longer than ``max_size``."""
    words = draw(st.lists(WORD, min_size=1, max_size=max_words))
    text = words[0][:max_size]
    for word in words[1:]:
        if len(text) + 1 + len(word) > max_size:
            break
        text = f"{text} {word}"
    return text


PEOPLE = st.fixed_dictionaries({"name": texts(200, 3), "credentials": texts(200, 3)})


def optional(draw: st.DrawFn, target: dict[str, Any], key: str, strategy: st.SearchStrategy[Any]) -> None:
    if draw(st.booleans()):
        target[key] = draw(strategy)


@st.composite
def articles(draw: st.DrawFn) -> dict[str, Any]:
    """A schema-valid article, built to pass immunopipe's rules too (most of the time)."""
    shape = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))  # conditions per use
    classes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))  # examples per class
    considerations = draw(st.integers(1, 3))
    extra_sources = draw(st.integers(0, 2))
    needed = len(shape) + sum(shape) + len(classes) + sum(classes) + considerations + extra_sources
    ids = iter(draw(st.lists(SLUG, min_size=needed, max_size=needed, unique=True)))

    conditions_seen: list[str] = []

    def condition() -> dict[str, Any]:
        item: dict[str, Any] = {"id": next(ids), "name": draw(texts(120, 4))}
        optional(draw, item, "abbreviation", texts(20, 1))
        item["description"] = draw(texts())
        if conditions_seen and draw(st.booleans()):
            item["part_of"] = draw(st.sampled_from(conditions_seen))
        item["codes"] = draw(st.sampled_from([[], CONDITION_CODES]))
        conditions_seen.append(item["id"])
        return item

    def example() -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": next(ids),
            "name": draw(texts(120, 3)),
            "kind": draw(st.sampled_from(["medicine", "class"])),
        }
        optional(draw, item, "international_name", texts(120, 2))
        item["codes"] = draw(st.sampled_from([[], MEDICINE_CODES[:1], MEDICINE_CODES]))
        return item

    uses = []
    for count in shape:
        use: dict[str, Any] = {"id": next(ids), "title": draw(texts(120, 5)), "description": draw(texts())}
        use["how_medicine_helps"] = draw(texts())
        optional(draw, use, "duration", texts())
        use["conditions"] = [condition() for _ in range(count)]
        uses.append(use)
    medicine_classes = []
    for count in classes:
        medicine_class: dict[str, Any] = {"id": next(ids), "name": draw(texts(120, 3)), "mechanism": draw(texts())}
        medicine_class["codes"] = []
        medicine_class["examples"] = [example() for _ in range(count)]
        medicine_classes.append(medicine_class)

    day = st.dates(min_value=date(2015, 1, 1), max_value=TODAY)
    published = draw(day)
    reviewed = draw(st.dates(min_value=published, max_value=TODAY))
    dates: dict[str, str] = {"published": "unknown", "last_reviewed": "unknown", "next_review": "unknown"}
    if draw(st.booleans()):
        dates = {
            "published": published.isoformat(),
            "last_reviewed": reviewed.isoformat(),
            "next_review": (reviewed + timedelta(days=draw(st.integers(1, 1000)))).isoformat(),
        }
    review: dict[str, Any] = {"status": "pending"}
    if draw(st.booleans()):
        review = {"status": "approved", "reviewer": draw(PEOPLE), "date": draw(day).isoformat()}
    sources = [
        source | {"url": draw(st.one_of(URL, st.just("unknown"))), "accessed": draw(day).isoformat()}
        for source in SOURCES
    ]
    for _ in range(extra_sources):
        sources.append(
            {"id": next(ids), "title": draw(texts(300, 6)), "publisher": draw(texts(200, 4))}
            | {"url": draw(st.one_of(URL, st.just("unknown"))), "accessed": draw(day).isoformat()}
        )
    editorial = {
        "publisher": {"name": draw(texts(200, 4)), "url": draw(st.one_of(URL, st.just("unknown")))},
        "attribution": draw(texts()),
        "author": draw(st.one_of(st.just("unknown"), PEOPLE)),
        "clinical_review": review,
        "dates": dates,
        "sources": sources,
        "funding": "No funding is stated. " + draw(texts(1900)),
        "disclaimer": "This does not replace advice from your doctor. " + draw(texts(1900)),
        "contact": draw(st.one_of(st.just("unknown"), st.fixed_dictionaries({"text": texts(), "url": URL}))),
    }
    article: dict[str, Any] = {
        "id": draw(SLUG.filter(lambda slug: slug not in RESERVED_IDS)),
        "title": draw(texts(200, 8)),
        "category": draw(texts(80, 3)),
        "language": draw(st.sampled_from(["en", "en-GB", "fr", "de"])),
        "summary": draw(texts()),
        "reading_time_minutes": draw(st.one_of(st.integers(1, 120), st.integers(1, 120).map(float))),
        "editorial": editorial,
        "uses": uses,
        "medicine_classes": medicine_classes,
        "considerations": [
            {"id": next(ids), "kind": draw(st.sampled_from(["risk", "monitoring", "goal"])), "text": draw(texts())}
            for _ in range(considerations)
        ],
    }
    optional(
        draw,
        article,
        "glossary",
        st.lists(st.fixed_dictionaries({"term": texts(80, 2), "definition": texts()}), max_size=3),
    )
    return article


def as_yaml(data: dict[str, Any]) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120).encode("utf-8")


# --- the invariants ---------------------------------------------------------------------------


#: JSON and CSV carry every character: only handouts need the typeface to have a glyph for it.
ANY_SCRIPT = {"text-glyph-missing": None}


def in_the_typeface(node: Any) -> Any:
    """``node`` with the letters of other scripts and every character the handout typeface lacks as ``x``.

    The typeface has a few Greek letters (such as pi), so a Greek word is replaced whole, letter by
    letter, rather than left mixing scripts.
    """
    if isinstance(node, dict):
        return {key: in_the_typeface(value) for key, value in node.items()}
    if isinstance(node, list):
        return [in_the_typeface(value) for value in node]
    if isinstance(node, str):
        for character in {*missing_characters(handout_font_files(), node), *filter(is_foreign_letter, node)}:
            node = node.replace(character, "x")
    return node


def is_foreign_letter(character: str) -> bool:
    """A letter of a script other than Latin."""
    return character.isalpha() and not character.isascii() and "LATIN" not in unicodedata.name(character, "")


def checked(raw: bytes, severities: dict[str, Severity | None] | None = None) -> FileResult:
    """Load and check ``raw`` the way ``validate`` checks a file, asserting the loader's contract."""
    try:
        load_bytes(raw, "content/fuzz.yaml")
    except LoadError as exc:
        assert exc.problems and all(problem.rule in LOAD_RULES for problem in exc.problems)
    result = check_file(raw, "content/fuzz.yaml", checker=CHECKER, context=CONTEXT, severities=severities or {})
    last_line = raw.count(b"\n") + raw.count(b"\r") + 2
    for diagnostic in result.diagnostics:
        known = diagnostic.rule in LOAD_RULES or diagnostic.rule in RULES or diagnostic.rule == TOO_MANY
        assert known or diagnostic.rule.startswith("schema-")
        assert 1 <= diagnostic.line <= last_line and diagnostic.column >= 1, diagnostic
        assert diagnostic.message.strip(), diagnostic
    return result


def passes(result: FileResult) -> bool:
    return result.ref is not None and not any(d.severity is Severity.ERROR for d in result.diagnostics)


def assert_json_and_csv_export_safely(data: dict[str, Any]) -> None:
    """Export ``data`` (a valid article) to JSON and CSV in a new folder and check both."""
    article = article_from_data(data)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        export_articles([article], out, formats=("json", "csv"))
        document = json.loads((out / "json" / f"{article.id}.json").read_text("utf-8"))
        assert CHECKER.is_valid(document["article"])
        assert without_official_titles(document["article"]) == {"glossary": []} | data  # absent glossary: empty
        assert type(document["article"]["reading_time_minutes"]) is int
        raw_tables = {table.name: (out / "csv" / table.file_name).read_bytes() for table in TABLES}
    for data_bytes in raw_tables.values():
        rows = csv.reader(io.StringIO(data_bytes.decode("utf-8-sig"), newline=""))
        assert [cell for row in rows for cell in row if cell[:1] in FORMULA_STARTS] == []
    tables = {name: parse(data_bytes) for name, data_bytes in raw_tables.items()}
    assert [article_from_data(rebuilt) for rebuilt in rebuild(tables)] == [article]


@settings(max_examples=FUZZ["mutated seed YAML"], suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MUTATIONS, min_size=1, max_size=5))
def test_a_mutated_seed_is_loaded_or_refused_and_never_crashes(mutations: list[tuple[str, int, Any]]) -> None:
    raw = mutated(SEED, mutations)
    result = checked(raw)
    if passes(result):
        event("still valid")
        assert_json_and_csv_export_safely(load_bytes(raw).data)


@settings(
    max_examples=FUZZ["schema-shaped articles"],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(articles())
def test_generated_articles_are_schema_valid_and_never_crash_the_checks(data: dict[str, Any]) -> None:
    assert CHECKER.is_valid(data)
    assert CHECKER.is_valid_detailed(data)
    checked(as_yaml(data))


def node_paths(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """The path of every value inside ``node``."""
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in children:
        yield (*path, key)
        yield from node_paths(value, (*path, key))


def broken(data: dict[str, Any], path: tuple[str | int, ...], how: str) -> dict[str, Any]:
    """``data`` with the value at ``path`` dropped, replaced, or given an unknown key."""
    result = copy.deepcopy(data)
    *parents, last = path
    holder: Any = result
    for part in parents:
        holder = holder[part]
    if how == "drop":
        del holder[last]
    elif how == "unknown-key":
        holder[last] = (holder[last] if isinstance(holder[last], dict) else {}) | {"surprise": 1}
    else:
        holder[last] = BREAKAGES[how]
    return result


BREAKAGES: dict[str, Any] = {"null": None, "number": 1.5, "list": [], "mapping": {}, "empty": "", "long": "x" * 5000}


def related(pointer: str, other: str) -> bool:
    """True when one JSON pointer is the other or inside it."""
    return f"{pointer}/".startswith(f"{other}/") or f"{other}/".startswith(f"{pointer}/")


@settings(
    max_examples=FUZZ["broken schema-shaped articles"],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(articles(), st.data())
def test_broken_generated_articles_are_refused_with_errors_where_they_broke(
    data: dict[str, Any], draw: st.DataObject
) -> None:
    path = draw.draw(st.sampled_from(list(node_paths(data))))
    how = draw.draw(st.sampled_from(["drop", "unknown-key", *BREAKAGES]))
    damaged = broken(data, path, how)
    result = checked(as_yaml(damaged))
    if CHECKER.is_valid(damaged):
        return
    event("schema-invalid")
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert result.ref is None and errors
    pointer = "".join(f"/{part}" for part in path)
    assert any(related(error.pointer, pointer) for error in errors), (pointer, errors)


@settings(
    max_examples=FUZZ["valid articles exported to JSON and CSV"],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(articles())
def test_valid_generated_articles_export_to_json_and_csv_safely(data: dict[str, Any]) -> None:
    raw = as_yaml(data)
    assume(passes(checked(raw, ANY_SCRIPT)))
    assert_json_and_csv_export_safely(load_bytes(raw).data)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Refuse and record every attempt to open a network connection."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network access attempted during a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


@settings(
    max_examples=FUZZ["valid articles rendered as PDF"],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
@given(articles().map(in_the_typeface))
def test_valid_generated_articles_render_pdfs_that_open_with_nothing_fetched_or_attached(
    no_network: list[object], data: dict[str, Any]
) -> None:
    raw = as_yaml(data)
    assume(passes(checked(raw)))
    article = article_from_data(load_bytes(raw).data)
    with tempfile.TemporaryDirectory() as folder:
        export_articles([article], Path(folder), formats=("pdf",))
        pdf = (Path(folder) / "pdf" / f"{article.id}.pdf").read_bytes()
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert reader.pages
    assert reader.attachments == {}
    for page in reader.pages:
        assert [a for a in page.get("/Annots", []) if a.get_object()["/Subtype"] == "/FileAttachment"] == []
        assert list(page.images) == []
    assert not [stream for stream in pdf_streams(pdf) if LOCAL_FILE_CONTENT in stream]
    assert no_network == []


def test_the_local_file_the_payloads_name_exists() -> None:
    assert LOCAL_FILE_CONTENT in LOCAL_FILE.read_bytes()
