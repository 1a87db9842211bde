"""The hostile-input corpus (tests/hostile/cases.yaml) run through the real command line.

Every case must end with exactly its expected errors (rule and line) and exit code, never a
traceback. Huge generated inputs run in a real subprocess under a time and memory limit. Valid
cases, and the base article with hostile text in every free-text field, are exported to JSON,
CSV and PDF in one real ``immunopipe export`` run, which must be safe: the JSON gives every
fact back exactly and re-validates, no CSV cell starts a formula and every text parses back,
each PDF opens with nothing attached or fetched, and no export holds a local file's content
or lands outside the output folder.
"""

from __future__ import annotations

import copy
import csv
import errno
import io
import json
import os
import re
import resource
import secrets
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pypdf
import pytest
import yaml
from click.testing import CliRunner
from export_support import without_official_titles
from hypothesis import settings
from pdf_support import RequestLog, pdf_streams

from immunopipe.cli import main
from immunopipe.export.csv import restore
from immunopipe.load import MAX_FILE_BYTES, load_bytes
from immunopipe.validate.reference import normalise_name, reference_codes
from immunopipe.validate.schema import SchemaChecker, load_schema

HOSTILE = Path(__file__).resolve().parent / "hostile"
MANIFEST: dict[str, Any] = yaml.safe_load((HOSTILE / "cases.yaml").read_text("utf-8"))
BASE_TEXT = (HOSTILE / "article.yaml").read_text("utf-8")
BASE_ID = "base-article"
BASE_FILE = f"{BASE_ID}.yaml"

#: What spreadsheets may run as a formula (OWASP "CSV Injection"), written out independently of the code.
FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
#: Keys whose strings are identifiers, enumerations, dates, addresses or codes rather than free text.
NOT_FREE_TEXT = frozenset(
    {"id", "language", "kind", "system", "version", "code", "source", "status", "part_of", "url"}
    | {"accessed", "date", "published", "last_reviewed", "next_review"}
    # A label is the code's official title (checked like the code); the rest is the review record.
    | {"label", "digest", "snapshot", "facts", "wording", "state", "fact"}
)
#: Generous bounds for one subprocess run: nothing legitimate comes near them.
SUBPROCESS_SECONDS = 120
SUBPROCESS_MEMORY_BYTES = 3 * 1024**3


# --- the corpus ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One entry of cases.yaml."""

    id: str
    exit: int
    errors: tuple[tuple[str, int, str], ...]
    file: str | None = None
    edit: tuple[tuple[str, str], ...] | None = None
    generate: str | None = None
    name: str = BASE_FILE
    extra: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()


def _edits(raw: list[list[str]]) -> tuple[tuple[str, str], ...]:
    return tuple((old, new) for old, new in raw)


def _case(entry: dict[str, Any]) -> Case:
    name = entry.get("name", BASE_FILE)
    return Case(
        id=entry["id"],
        exit=entry["exit"],
        errors=tuple((e[0], e[1], e[2] if len(e) > 2 else name) for e in entry.get("errors", [])),
        file=entry.get("file"),
        edit=_edits(entry["edit"]) if "edit" in entry else None,
        generate=entry.get("generate"),
        name=name,
        extra=tuple((x["name"], _edits(x["edit"])) for x in entry.get("extra", [])),
    )


CASES = [_case(entry) for entry in MANIFEST["cases"]]
PAYLOADS: dict[str, str] = MANIFEST["payloads"]


@dataclass(frozen=True)
class Hazards:
    """A local secret no export may reveal and a local server no export may call."""

    secret: Path
    token: str
    server: str
    requests: list[str]

    def fill(self, text: str) -> str:
        """``text`` with ``{secret}`` and ``{server}`` replaced."""
        return text.replace("{secret}", str(self.secret)).replace("{server}", self.server)


def edited(edits: tuple[tuple[str, str], ...], hazards: Hazards) -> bytes:
    """article.yaml with each edit applied; each old text must occur exactly once."""
    text = BASE_TEXT
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in article.yaml"
        text = text.replace(old, hazards.fill(new))
    return text.encode("utf-8")


# --- generators of huge inputs ---------------------------------------------------------------


def billion_laughs() -> bytes:
    """Nine levels of nine aliases each: about 390 million nodes once expanded."""
    lines = ["id: base-article", "glossary:", "  - &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 10):
        lines.append(f"  - &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


def alias_text_bomb() -> bytes:
    """The base article whose one consideration text is repeated 3,000 times by alias: 6 MB of text."""
    text = "Suppressing the immune system can make infections more likely. " * 31
    considerations = f"  - &c {{id: infection-risk, kind: risk, text: &t {text.strip()!r}}}\n" + "  - *c\n" * 3000
    start, end = BASE_TEXT.index("considerations:\n"), BASE_TEXT.index("glossary:\n")
    return (BASE_TEXT[:start] + "considerations:\n" + considerations + BASE_TEXT[end:]).encode()


def deep_flow_sequences() -> bytes:
    return ("id: base-article\nsummary: " + "[" * 20000 + "]" * 20000 + "\n").encode()


def deep_flow_mappings() -> bytes:
    return ("id: base-article\nsummary: " + "{a: " * 20000 + "b" + "}" * 20000 + "\n").encode()


def deep_blocks() -> bytes:
    return ("".join(f"{'  ' * depth}level{depth}:\n" for depth in range(100)) + "  " * 100 + "bottom\n").encode()


def over_size_limit() -> bytes:
    """A valid article padded with a comment to one byte over the limit."""
    padding = MAX_FILE_BYTES + 1 - len(BASE_TEXT.encode()) - 2
    return (BASE_TEXT + "#" + "x" * padding + "\n").encode()


def many_conditions() -> bytes:
    """The base article with 10,000 more conditions."""
    anchor = "    conditions:\n"
    extra = "".join(
        f"      - {{id: condition-{n}, name: Condition {n}, description: A condition to look after., codes: []}}\n"
        for n in range(10_000)
    )
    at = BASE_TEXT.index(anchor) + len(anchor)
    return (BASE_TEXT[:at] + extra + BASE_TEXT[at:]).encode()


GENERATORS: dict[str, Callable[[], bytes]] = {
    generator.__name__: generator
    for generator in (
        billion_laughs,
        alias_text_bomb,
        deep_flow_sequences,
        deep_flow_mappings,
        deep_blocks,
        over_size_limit,
        many_conditions,
    )
}


def case_files(case: Case, hazards: Hazards) -> dict[str, bytes]:
    """The content files of ``case`` by file name."""
    if case.file is not None:
        main_file = (HOSTILE / case.file).read_bytes()
    elif case.generate is not None:
        main_file = GENERATORS[case.generate]()
    else:
        assert case.edit is not None, f"{case.id}: give file, edit or generate"
        main_file = edited(case.edit, hazards)
    return {case.name: main_file} | {name: edited(edits, hazards) for name, edits in case.extra}


# --- shared hazards -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hazards(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hazards]:
    """A secret file with a unique token, and a local server logging every request to it."""

    class Handler(RequestLog):
        paths: ClassVar[list[str]] = []

    token = f"SECRET-{secrets.token_hex(8)}"
    secret = tmp_path_factory.mktemp("private") / "secret.txt"
    secret.write_text(f"{token}\n", encoding="utf-8")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Hazards(secret, token, f"http://127.0.0.1:{httpd.server_address[1]}", Handler.paths)
    finally:
        httpd.shutdown()
        httpd.server_close()


def write_content(folder: Path, files: dict[str, bytes]) -> None:
    (folder / "content").mkdir()
    for name, data in files.items():
        (folder / "content" / name).write_bytes(data)


def errors_of(report: str) -> list[tuple[str, int, str]]:
    """(rule, line, file name) of every error in a JSON validation report."""
    diagnostics = json.loads(report)["diagnostics"]
    return sorted((d["rule"], d["line"], Path(d["path"]).name) for d in diagnostics if d["severity"] == "error")


def limit_memory() -> None:
    """Cap the child's address space, so a blow-up fails instead of eating the machine."""
    resource.setrlimit(resource.RLIMIT_AS, (SUBPROCESS_MEMORY_BYTES, SUBPROCESS_MEMORY_BYTES))


def run_script(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed ``immunopipe`` console script, bounded in time and memory."""
    script = Path(sys.executable).with_name("immunopipe")
    return subprocess.run(
        [str(script), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_SECONDS,
        preexec_fn=limit_memory,
    )


# --- the manifest itself ---------------------------------------------------------------------


def test_manifest_is_well_formed() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))
    for case in CASES:
        assert sum(x is not None for x in (case.file, case.edit, case.generate)) == 1, case.id
        assert case.exit in (0, 1), case.id
        assert (case.exit == 0) is (case.errors == ()), case.id
        assert case.generate is None or case.generate in GENERATORS, case.id
    used = {case.file for case in CASES} | {"article.yaml", "cases.yaml"}
    assert sorted(p.name for p in HOSTILE.iterdir()) == sorted(name for name in used if name)


def test_base_article_is_valid_without_warnings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_content(tmp_path, {BASE_FILE: BASE_TEXT.encode()})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "--no-cache", "--strict"])
    # Its two ATC codes are in the cited table but not confirmed at the source: the only warnings.
    warnings = [line for line in result.output.splitlines() if ": warning: " in line]
    assert [line.split()[-1] for line in warnings] == ["[code-unverified]"] * 2, result.output
    assert "0 errors, 2 warnings" in result.output
    (tmp_path / "pyproject.toml").write_text('[tool.immunopipe.rules]\ncode-unverified = "off"\n')
    result = CliRunner().invoke(main, ["validate", "--no-cache", "--strict"])
    assert result.exit_code == 0, result.output


# --- every case through the command line ------------------------------------------------------


@pytest.mark.parametrize("case", [c for c in CASES if c.generate is None], ids=lambda c: c.id)
def test_case_gets_its_expected_answer(
    case: Case, hazards: Hazards, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_content(tmp_path, case_files(case, hazards))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "--format", "json", "--no-cache"])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert (result.exit_code, errors_of(result.stdout)) == (case.exit, sorted(case.errors))
    assert not Path(f"{hazards.secret}-ran").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content"]


@pytest.mark.slow
@pytest.mark.parametrize("case", [c for c in CASES if c.generate is not None], ids=lambda c: c.id)
def test_huge_case_gets_its_answer_in_bounded_time_and_memory(case: Case, hazards: Hazards, tmp_path: Path) -> None:
    write_content(tmp_path, case_files(case, hazards))
    result = run_script("validate", "--format", "json", "--no-cache", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert (result.returncode, errors_of(result.stdout)) == (case.exit, sorted(case.errors))
    if case.exit == 0:
        exported = run_script("export", "--to", "json", "--to", "csv", "--no-cache", cwd=tmp_path)
        assert exported.returncode == 0, exported.stderr
        document = json.loads((tmp_path / "exports" / "json" / f"{BASE_ID}.json").read_text("utf-8"))
        assert SchemaChecker().is_valid(document["article"])
        conditions = read_csv(tmp_path / "exports" / "csv" / "conditions.csv")
        assert len(conditions) == 10_002  # the only valid generated case: the base's two and 10,000 more


# --- hostile text in every free-text field ----------------------------------------------------


def _resolved(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = load_schema()["$defs"][node["$ref"].removeprefix("#/$defs/")]
    return node


def _branches(node: dict[str, Any]) -> list[dict[str, Any]]:
    node = _resolved(node)
    return [_resolved(branch) for branch in node.get("anyOf", [])] or [node]


def max_length(path: tuple[str | int, ...]) -> int | None:
    """The schema's ``maxLength`` for the value at ``path``, if it sets one."""
    node = load_schema()
    for part in path:
        for branch in _branches(node):
            if isinstance(part, int) and "items" in branch:
                node = branch["items"]
                break
            if isinstance(part, str) and part in branch.get("properties", {}):
                node = branch["properties"][part]
                break
        else:
            raise KeyError(path)
    return min((branch["maxLength"] for branch in _branches(node) if "maxLength" in branch), default=None)


def free_text_paths(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Where ``node`` holds free text: every string not under an identifier, code, date or address key."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in NOT_FREE_TEXT:
                yield from free_text_paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from free_text_paths(value, (*path, index))
    elif isinstance(node, str):
        yield path


def known_items(node: Any) -> Iterator[dict[str, Any]]:
    """Every coded item of ``node`` whose name immunopipe's reference table knows."""
    if isinstance(node, dict):
        names = {normalise_name(node[key]) for key in ("name", "international_name") if key in node}
        if "codes" in node and any(row.names & names for row in reference_codes()):
            yield node
        node = list(node.values())
    if isinstance(node, list):
        for value in node:
            yield from known_items(value)


def with_payload(data: dict[str, Any], payload: str) -> tuple[dict[str, Any], dict[tuple[str | int, ...], str]]:
    """``data`` with ``payload`` put in front of every free text; and what went where.

    Items known by name to the reference table lose their codes: with the payload in their name
    they are no longer the item the code names.
    """
    result = copy.deepcopy(data)
    for item in known_items(result):
        item["codes"] = []
    placed = {}
    for path in free_text_paths(data):
        *parents, last = path
        holder = result
        for part in parents:
            holder = holder[part]
        limit = max_length(path) or len(payload) + len(holder[last]) + 1
        for text in (f"{payload} {holder[last]}", payload):
            if len(text) <= limit:
                holder[last] = placed[path] = text
                break
    return result, placed


def value_at(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


BASE_DATA: dict[str, Any] = load_bytes(BASE_TEXT.encode()).data
MARKUP = ("html", "script", "attachment", "image", "file-url", "css-url", "css-url-local", "short-markup")
FORMULAS = tuple(name for name in PAYLOADS if name.startswith("formula"))


def test_payloads_reach_every_free_text_field_in_markup_and_formula_form() -> None:
    assert set(MARKUP) | set(FORMULAS) == set(PAYLOADS)
    every = set(free_text_paths(BASE_DATA))
    assert len(every) >= 30
    for group in (MARKUP, FORMULAS):
        reached = {path for name in group for path in with_payload(BASE_DATA, PAYLOADS[name])[1]}
        assert reached == every


# --- one real export of every valid input ----------------------------------------------------


@dataclass(frozen=True)
class Exported:
    """The result of exporting every valid case and payload article in one run."""

    folder: Path
    result: subprocess.CompletedProcess[str]
    sources: dict[str, bytes]
    placed: dict[str, dict[tuple[str | int, ...], str]]

    @property
    def out(self) -> Path:
        return self.folder / "exports"


def renamed(data: bytes, article_id: str) -> bytes:
    assert data.count(f"\nid: {BASE_ID}\n".encode()) == 1
    return data.replace(f"\nid: {BASE_ID}\n".encode(), f"\nid: {article_id}\n".encode())


def clean_environment() -> dict[str, str]:
    """This process's environment without proxies, so a request to 127.0.0.1 would reach the server."""
    proxies = {"http_proxy", "https_proxy", "all_proxy"}
    environment = {key: value for key, value in os.environ.items() if key.lower() not in proxies}
    return environment | {"no_proxy": "*", "NO_PROXY": "*"}


#: The full-width formula payload has characters the handout typeface lacks; like an editor who
#: accepts a system font for them, the export run makes text-glyph-missing a warning.
GLYPHS_FROM_SYSTEM_FONTS = '[tool.immunopipe.rules]\ntext-glyph-missing = "warning"\n'


@pytest.fixture(scope="module")
def exported(hazards: Hazards, tmp_path_factory: pytest.TempPathFactory) -> Exported:
    folder = tmp_path_factory.mktemp("export")
    sources: dict[str, bytes] = {}
    for case in CASES:
        if case.exit == 0 and case.generate is None:
            sources[case.id] = renamed(case_files(case, hazards)[case.name], case.id)
    placed = {}
    for name, payload in PAYLOADS.items():
        article_id = f"payload-{name}"
        data, placed[article_id] = with_payload(BASE_DATA, hazards.fill(payload))
        data["id"] = article_id
        sources[article_id] = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000).encode()
    write_content(folder, {f"{article_id}.yaml": data for article_id, data in sources.items()})
    (folder / "pyproject.toml").write_text(GLYPHS_FROM_SYSTEM_FONTS, encoding="utf-8")
    result = subprocess.run(
        [str(Path(sys.executable).with_name("immunopipe")), "export", "--no-cache", "--jobs", "2"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_SECONDS * 2,
        preexec_fn=limit_memory,
        env=clean_environment(),
    )
    return Exported(folder, result, sources, placed)


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of an exported CSV file, cells as written (not restored)."""
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"), newline="")))


@pytest.mark.slow
def test_every_valid_input_exports(exported: Exported) -> None:
    assert exported.result.returncode == 0, exported.result.stderr[-3000:]
    assert "Traceback" not in exported.result.stderr
    assert f"exported {len(exported.sources)} articles" in exported.result.stderr


@pytest.mark.slow
def test_nothing_is_fetched_and_nothing_lands_outside_the_output_folder(exported: Exported, hazards: Hazards) -> None:
    assert exported.result.returncode == 0
    assert hazards.requests == []
    assert sorted(path.name for path in exported.folder.iterdir()) == ["content", "exports", "pyproject.toml"]
    content = {path.stem: path.read_bytes() for path in (exported.folder / "content").iterdir()}
    assert content == exported.sources
    assert [path.name for path in hazards.secret.parent.iterdir()] == [hazards.secret.name]


@pytest.mark.slow
def test_no_export_holds_the_secret(exported: Exported, hazards: Hazards) -> None:
    files = [path for path in exported.out.rglob("*") if path.is_file()]
    assert len(files) > len(exported.sources)
    for path in files:
        data = path.read_bytes()
        assert hazards.token.encode() not in data, path
        if path.suffix == ".pdf":
            assert not [stream for stream in pdf_streams(data) if hazards.token.encode() in stream], path


@pytest.mark.slow
def test_json_gives_every_fact_back_and_re_validates(exported: Exported) -> None:
    checker = SchemaChecker()
    for article_id, source in exported.sources.items():
        document = json.loads((exported.out / "json" / f"{article_id}.json").read_text("utf-8"))
        article = document["article"]
        assert checker.is_valid(article), article_id
        assert without_official_titles(article) == load_bytes(source).data, article_id
        assert type(article["reading_time_minutes"]) is int, article_id
        for path, text in exported.placed.get(article_id, {}).items():
            assert value_at(article, path) == text


@pytest.mark.slow
def test_no_csv_cell_starts_a_formula_and_every_text_comes_back(exported: Exported) -> None:
    tables = {path.stem: read_csv(path) for path in sorted((exported.out / "csv").glob("*.csv"))}
    rows = [row for table in tables.values() for row in table]
    assert [cell for row in rows for cell in row.values() if cell[:1] in FORMULA_STARTS] == []
    for article_id, placed in exported.placed.items():
        cells = {restore(cell) for row in rows if row["article_id"] == article_id for cell in row.values()}
        assert set(placed.values()) - cells == set(), article_id
    minutes = {row["article_id"]: row["reading_time_minutes"] for row in tables["articles"]}
    assert all(re.fullmatch(r"[0-9]+", value) for value in minutes.values()), minutes


@pytest.mark.slow
def test_every_pdf_opens_prints_markup_as_text_and_attaches_nothing(exported: Exported) -> None:
    for article_id in exported.sources:
        reader = pypdf.PdfReader(exported.out / "pdf" / f"{article_id}.pdf")
        assert reader.pages, article_id
        assert reader.attachments == {}, article_id
        for page in reader.pages:
            annotations = [annotation.get_object()["/Subtype"] for annotation in page.get("/Annots", [])]
            assert "/FileAttachment" not in annotations, article_id
            assert list(page.images) == [], article_id
        text = "".join("".join(page.extract_text() for page in reader.pages).split())
        title = exported.placed.get(article_id, {}).get(("title",))
        if title and article_id.removeprefix("payload-") in MARKUP:
            assert "".join(title.split()) in text, article_id


# --- content files that are links ----------------------------------------------------------


def test_a_content_file_linking_outside_the_folder_is_refused_unread(
    hazards: Hazards, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_content(tmp_path, {BASE_FILE: BASE_TEXT.encode()})
    (tmp_path / "content" / "leak.yaml").symlink_to(hazards.secret)
    monkeypatch.chdir(tmp_path)
    for command in (["validate"], ["validate", "--format", "github"], ["export", "--to", "json"]):
        result = CliRunner().invoke(main, [*command, "--no-cache"])
        assert result.exit_code == 2, result.output
        assert "content/leak.yaml" in result.stderr and "outside" in result.stderr
        assert hazards.token not in result.output
    assert not (tmp_path / "exports").exists()


def test_a_link_inside_the_content_folder_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_content(tmp_path, {"drafts.yaml.txt": BASE_TEXT.encode()})
    (tmp_path / "content" / BASE_FILE).symlink_to("drafts.yaml.txt")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "--no-cache"])
    assert result.exit_code == 0, result.output


# --- docs/reliability.md states the figures the suite runs -------------------------------------


def table_rows(markdown: str) -> set[tuple[str, ...]]:
    """Every row of every table in ``markdown``, as a tuple of stripped cells."""
    rows = (line.strip().strip("|").split("|") for line in markdown.splitlines() if line.startswith("| "))
    return {tuple(cell.strip() for cell in row) for row in rows}


def test_reliability_doc_states_the_figures_the_suite_runs() -> None:
    import test_faults
    import test_fuzz

    rows = table_rows((Path(__file__).resolve().parents[1] / "docs" / "reliability.md").read_text("utf-8"))
    payloads = "Hostile payloads (HTML, script, attachment, image, `file://`, CSS `url()`, formulas)"
    errors = "`ENOSPC`, `EACCES`, `EROFS`, `EDQUOT`, `EIO`, `EPERM`"
    counts = {
        "Hostile input cases": len(CASES),
        "Cases refused with exactly their expected errors (rule and line)": sum(case.exit == 1 for case in CASES),
        "Cases that are valid content and must export safely": sum(case.exit == 0 for case in CASES),
        "Cases generated at test time (too big to commit)": sum(case.generate is not None for case in CASES),
        payloads: len(PAYLOADS),
        "Free-text fields of the base article the payloads go into": len(set(free_text_paths(BASE_DATA))),
        f"Injected write faults ({errors} at each step of writing)": len(test_faults.FAULTS),
        "Exports killed with `SIGKILL` at spread random moments": test_faults.KILL_RUNS,
        "Pairs of exports run at once into one folder": 1,
        "Exports refused after waiting for another's lock": 1,
        "Content files changed or deleted between validation and export": len(test_faults.CHANGES),
        "Real exports run while another process rewrites and deletes their content file": test_faults.RACE_RUNS,
    }
    assert {(label, str(count)) for label, count in counts.items()} - rows == set()
    assert {error.strip("`") for error in errors.split(", ")} == {
        errno.errorcode[fault.error] for fault in test_faults.FAULTS
    }
    ci, long = (test_fuzz.fuzz_examples(settings.get_profile(name).max_examples) for name in ("ci", "long"))
    assert {(name, str(ci[name]), str(long[name])) for name in ci} - rows == set()
