"""Adversarial cases from the user documentation: clinic profile, review, codes, suppressions,
schemas, rules/new and machine-readable output with hostile file names.

Every case runs the installed command line in a scratch folder. Tests named ``test_bug_*``
assert a documented promise that the tool does not keep yet; the others guard promises it keeps.
"""

from __future__ import annotations

import http.server
import json
import os
import struct
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import pytest
from cli_support import IMMUNOPIPE, REPO, SEED, SEED_ID, run, seeded_repo

CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")
ARTICLE_ID = SEED_ID
CLINIC = (REPO / "examples" / "clinic.yaml").read_text(encoding="utf-8")
LOGO = (REPO / "examples" / "riverside-logo.svg").read_text(encoding="utf-8")


def with_profile(tmp_path: Path, profile: str = CLINIC, logo: str | bytes | None = LOGO) -> Path:
    ws = seeded_repo(tmp_path)
    (ws / "prof").mkdir()
    (ws / "prof" / "clinic.yaml").write_text(profile, encoding="utf-8")
    if isinstance(logo, str):
        (ws / "prof" / "riverside-logo.svg").write_text(logo, encoding="utf-8")
    elif isinstance(logo, bytes):
        (ws / "prof" / "riverside-logo.svg").write_bytes(logo)
    return ws


def report(ws: Path, *args: str) -> tuple[int, dict]:
    p = run(ws, "validate", "--no-cache", "--format", "json", *args)
    return p.returncode, json.loads(p.stdout)


def profile_findings(doc: dict) -> list[dict]:
    return [d for d in doc["diagnostics"] if d["path"].startswith("prof")]


def resolved_seed() -> str:
    text = SEED.read_text(encoding="utf-8")
    assert "    state: open\n" in text
    return text.replace("    state: open\n", "    state: resolved\n    answer: Checked.\n")


def svg(inner: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        f' viewBox="0 0 120 120" width="120" height="120"><title>x</title>{inner}</svg>'
    )


@pytest.fixture
def http_server():
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


# --- broken promises ---------------------------------------------------------------------


def test_bug_logo_symlink_loop_is_a_profile_logo_error_not_a_crash(tmp_path):
    """README: a logo that is missing, damaged or outside the profile's folder is
    `profile-logo` with file:line:col; exit 70 is reserved for bugs. A logo that is a symlink
    loop crashes validate with exit 70 (RuntimeError: Symlink loop)."""
    ws = with_profile(tmp_path, logo=None)
    os.symlink("riverside-logo.svg", ws / "prof" / "riverside-logo.svg")
    p = run(ws, "validate", "--no-cache", "--format", "json", "--profile", "prof/clinic.yaml")
    assert p.returncode == 1, p.stderr
    assert any(d["rule"] == "profile-logo" for d in profile_findings(json.loads(p.stdout)))


def test_bug_svg_logo_that_validate_passes_renders_or_is_refused_up_front(tmp_path):
    """README: the profile is checked like an article (`validate --profile`), and `export`
    refuses a bad one with exit 1. An SVG logo holding an `<image>` without any href passes
    validate, yet `export --to pdf` fails with exit 2 and the message
    "Failed to load image at None: RefusedURL: not a packaged asset: None"."""
    logo = svg('<image width="10" height="10"/>')
    ws = with_profile(tmp_path, logo=logo)
    code, doc = report(ws, "--profile", "prof/clinic.yaml")
    exp = run(ws, "export", "--to", "pdf", "--no-cache", "-j", "1", "--profile", "prof/clinic.yaml")
    assert "None" not in exp.stderr, exp.stderr
    if code == 0:
        assert exp.returncode == 0, exp.stderr
    else:
        assert any(d["rule"] == "profile-logo" for d in profile_findings(doc))
        assert exp.returncode == 1, exp.stderr


def png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def test_bug_png_logo_without_image_data_is_refused_by_validate(tmp_path):
    """README: a damaged logo is `profile-logo`, and export refuses a bad profile with exit 1.
    A PNG of whole chunks but no IDAT (no pixels at all) passes validate --profile; export then
    fails with exit 2 and blames the output folder: "cannot write exports to out: cannot load
    this image: out"."""
    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IEND", b"")
    ws = with_profile(tmp_path, profile=CLINIC.replace("riverside-logo.svg", "logo.png"), logo=None)
    (ws / "prof" / "logo.png").write_bytes(png)
    code, doc = report(ws, "--profile", "prof/clinic.yaml")
    exp = run(ws, "export", "--to", "pdf", "--no-cache", "-j", "1", "--profile", "prof/clinic.yaml")
    assert "cannot write exports" not in exp.stderr, exp.stderr
    assert code == 1
    assert [d["rule"] for d in profile_findings(doc)] == ["profile-logo"]
    assert exp.returncode == 1


def test_bug_approve_refused_while_validate_reports_an_error_in_the_article(tmp_path):
    """review --help: --approve is "refused while a query is open or an error remains" (exit 1,
    writing nothing). With a second file claiming the same id, validate reports
    duplicate-article-id as an error *in this article's file*, but --approve records the
    approval anyway (exit 0, article rewritten, snapshot written)."""
    ws = seeded_repo(tmp_path, resolved_seed())
    (ws / "content" / "copy.yaml").write_text(resolved_seed(), encoding="utf-8")
    code, doc = report(ws, "content")
    own = [d for d in doc["diagnostics"] if d["severity"] == "error" and d["path"].endswith(f"{ARTICLE_ID}.yaml")]
    assert code == 1 and own, "precondition: validate reports an error in the article"
    before = (ws / "content" / f"{ARTICLE_ID}.yaml").read_bytes()
    p = run(ws, "review", ARTICLE_ID, "--approve", "--reviewer", "Dr A", "--role", "GP")
    assert p.returncode == 1, p.stdout + p.stderr
    assert (ws / "content" / f"{ARTICLE_ID}.yaml").read_bytes() == before
    assert not (ws / "content" / "reviews").exists()


def test_bug_rules_lists_the_clinic_profile_rules(tmp_path):
    """`immunopipe rules` promises to "List every rule: id, severity, what it checks"; the
    README's Checks table names `profile-logo` and `profile-contact-times` as the clinic
    profile's rules (both report with a severity), yet `rules` does not list them and
    [tool.immunopipe.rules] calls them unknown rule ids."""
    p = run(tmp_path, "rules", "--format", "json")
    ids = {r["id"] for r in json.loads(p.stdout)}
    assert {"profile-logo", "profile-contact-times"} <= ids


def test_bug_configured_profile_that_is_a_folder_is_not_called_missing(tmp_path):
    """A configured `profile` naming a folder is reported as "no such clinic profile", though it
    exists; the same folder given as --profile is correctly "is a directory"."""
    ws = with_profile(tmp_path)
    (ws / "pyproject.toml").write_text('[tool.immunopipe]\nprofile = "prof"\n', encoding="utf-8")
    p = run(ws, "validate", "--no-cache")
    assert p.returncode == 2
    assert "no such" not in p.stderr, p.stderr
    assert "folder" in p.stderr or "directory" in p.stderr, p.stderr


@pytest.mark.parametrize(
    "inner",
    [
        '<style>@\\69mport "{u}/escaped-import.css";</style><rect width="5" height="5"/>',
        '<style>rect {{ fill: \\75rl({u}/escaped-url.svg#p) }}</style><rect width="5" height="5"/>',
        '<rect style="fill:\\75rl({u}/escaped-attr.svg#p)" width="5" height="5"/>',
    ],
)
def test_bug_svg_logo_with_css_escaped_reference_is_refused(tmp_path, http_server, inner):
    """README: "an SVG with scripts, event handlers, entities or references to other files or
    addresses is refused, never cleaned". `@import "..."` and `url(...)` are refused, but the
    same written with CSS escapes (`@\\69mport`, `\\75rl(`), which CSS reads as `@import` and
    `url(`, passes validate --profile. (The renderer's fetcher still makes no request; the
    escaped @import then fails export with exit 2 instead of exit 1.)"""
    url, requests = http_server
    ws = with_profile(tmp_path, logo=svg(inner.format(u=url)))
    code, doc = report(ws, "--profile", "prof/clinic.yaml")
    assert requests == []
    assert code == 1
    assert [d["rule"] for d in profile_findings(doc)] == ["profile-logo"]


def test_export_with_a_profile_makes_no_request(tmp_path, http_server):
    """README: no http(s) URL is ever opened while rendering, profile included."""
    url, requests = http_server
    profile = CLINIC.replace("https://clinic.example/leaflets/{id}", f"{url}/leaflets/{{id}}")
    profile = profile.replace("web: https://clinic.example", f"web: {url}/web")
    logo = svg(f'<rect style="fill:\\75rl({url}/escaped-attr.svg#p)" width="5" height="5"/>')
    ws = with_profile(tmp_path, profile=profile, logo=logo)
    p = run(ws, "export", "--to", "pdf", "--no-cache", "-j", "1", "--profile", "prof/clinic.yaml")
    assert p.returncode in (0, 1), p.stderr
    assert requests == []


# --- guards: clinic profile ----------------------------------------------------------------


@pytest.mark.parametrize(
    "inner",
    [
        '<image xlink:href="{u}/xlink.png" width="10" height="10"/>',
        '<style>@import url({u}/import.css);</style><rect width="5" height="5"/>',
        '<rect style="fill:url({u}/f.svg#p)" width="5" height="5"/>',
        '<use href="{u}/use.svg#a"/>',
    ],
)
def test_svg_logo_referring_to_an_address_is_refused_and_never_fetched(tmp_path, http_server, inner):
    url, requests = http_server
    ws = with_profile(tmp_path, logo=svg(inner.format(u=url)))
    code, doc = report(ws, "--profile", "prof/clinic.yaml")
    assert code == 1
    assert [d["rule"] for d in profile_findings(doc)] == ["profile-logo"]
    assert requests == []


def test_png_logo_that_is_really_svg_is_refused(tmp_path):
    ws = with_profile(tmp_path, profile=CLINIC.replace("riverside-logo.svg", "logo.png"), logo=None)
    (ws / "prof" / "logo.png").write_text(LOGO, encoding="utf-8")
    code, doc = report(ws, "--profile", "prof/clinic.yaml")
    assert code == 1
    assert [d["rule"] for d in profile_findings(doc)] == ["profile-logo"]


@pytest.mark.parametrize("logo", ["../riverside-logo.svg", "/etc/riverside-logo.svg", "logo.SVG"])
def test_logo_must_be_a_plain_name_beside_the_profile(tmp_path, logo):
    ws = with_profile(tmp_path, profile=CLINIC.replace("riverside-logo.svg", logo))
    code, doc = report(ws, "--profile", "prof/clinic.yaml")
    assert code == 1
    assert {d["rule"] for d in profile_findings(doc)} == {"schema-pattern"}


def test_logo_link_leaving_the_profile_folder_is_refused(tmp_path):
    ws = with_profile(tmp_path, logo=None)
    (tmp_path / "elsewhere.svg").write_text(LOGO, encoding="utf-8")
    os.symlink(tmp_path / "elsewhere.svg", ws / "prof" / "riverside-logo.svg")
    code, doc = report(ws, "--profile", "prof/clinic.yaml")
    assert code == 1
    assert [d["rule"] for d in profile_findings(doc)] == ["profile-logo"]


@pytest.mark.parametrize(
    "online",
    [
        "https://clinic.example/leaflets/{id}/{id}",
        "https://clinic.example/leaflets/",
        "https://clinic.example/leaflets/{ID}",
        "https://clinic.example/leaflets/{id}{x}",
        "javascript://x/{id}",
    ],
)
def test_online_version_template_needs_exactly_one_id(tmp_path, online):
    ws = with_profile(tmp_path, profile=CLINIC.replace("https://clinic.example/leaflets/{id}", online))
    code, doc = report(ws, "--profile", "prof/clinic.yaml")
    assert code == 1
    assert [d["rule"] for d in profile_findings(doc)] == ["schema-pattern"]


def test_profile_never_reaches_json_or_csv(tmp_path):
    ws = with_profile(tmp_path)
    p = run(ws, "export", "--to", "json", "--to", "csv", "--no-cache", "--profile", "prof/clinic.yaml")
    assert p.returncode == 0, p.stderr
    blob = b"".join(f.read_bytes() for f in (ws / "exports").rglob("*") if f.is_file())
    for text in (b"Riverside", b"7946", b"clinic.example"):
        assert text not in blob


# --- guards: clinical review -----------------------------------------------------------------


def approved_workspace(tmp_path: Path) -> Path:
    ws = seeded_repo(tmp_path, resolved_seed())
    p = run(ws, "review", ARTICLE_ID, "--approve", "--reviewer", "Dr A", "--role", "GP")
    assert p.returncode == 0, p.stderr
    return ws


def review_rules(ws: Path, *args: str) -> tuple[int, list[str]]:
    code, doc = report(ws, *args, "content")
    return code, [d["rule"] for d in doc["diagnostics"] if d["rule"].startswith("clinical-review")]


def test_approval_refused_while_a_query_is_open(tmp_path):
    ws = seeded_repo(tmp_path)
    p = run(ws, "review", ARTICLE_ID, "--approve", "--reviewer", "Dr A", "--role", "GP")
    assert p.returncode == 1
    assert SEED.read_bytes() == (ws / "content" / f"{ARTICLE_ID}.yaml").read_bytes()
    assert not (ws / "content" / "reviews").exists()


def test_refolding_yaml_after_approval_is_not_a_change(tmp_path):
    ws = approved_workspace(tmp_path)
    path = ws / "content" / f"{ARTICLE_ID}.yaml"
    text = path.read_text(encoding="utf-8")
    start, end = text.index("summary: >-"), text.index("reading_time_minutes")
    words = " ".join(line.strip() for line in text[start:end].splitlines()[1:] if line.strip())
    text = text[:start] + f'summary: "{words}"\n' + text[end:]
    text = text.replace(
        "title: What is immune system medicine used for?\n", "title: 'What is immune system medicine used for?'\n"
    )
    path.write_text(text, encoding="utf-8")
    _, rules = review_rules(ws, "--strict")
    assert "clinical-review-changed" not in rules


def test_editing_a_fact_after_approval_warns_and_strict_fails(tmp_path):
    ws = approved_workspace(tmp_path)
    path = ws / "content" / f"{ARTICLE_ID}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("after transplants.", "after all transplants.", 1), encoding="utf-8")
    code, rules = review_rules(ws)
    assert code == 0 and rules == ["clinical-review-changed"]
    assert run(ws, "validate", "--no-cache", "--strict").returncode == 1
    shown = run(ws, "review", ARTICLE_ID)
    assert "summary (changed)" in shown.stdout


def test_approving_twice_writes_nothing_new(tmp_path):
    ws = approved_workspace(tmp_path)
    before = (ws / "content" / f"{ARTICLE_ID}.yaml").read_bytes()
    p = run(ws, "review", ARTICLE_ID, "--approve", "--reviewer", "Dr A", "--role", "GP")
    assert p.returncode == 0
    assert (ws / "content" / f"{ARTICLE_ID}.yaml").read_bytes() == before


def test_reviewer_name_cannot_inject_yaml(tmp_path):
    ws = seeded_repo(tmp_path, resolved_seed())
    name = 'Dr "Q"\n    status: pending # x'
    p = run(ws, "review", ARTICLE_ID, "--approve", "--reviewer", name, "--role", "R\\")
    assert p.returncode == 0, p.stderr
    code, rules = review_rules(ws)
    assert code == 0 and rules == []


# --- guards: codes, suppressions, warning budget ------------------------------------------------

MS_CODE = '          - {system: who-icd-10, version: "2019", code: G35, source: who-icd-10-2019}\n'
CM_SOURCE = (
    "    - id: icd-10-cm-2026\n      title: ICD-10-CM FY2026\n      publisher: CDC\n"
    '      url: https://www.cdc.gov/nchs/icd/icd-10-cm/\n      accessed: "2026-11-26"\n'
    "    - id: nlm-rxnorm\n"
)


def coded(code_line: str) -> str:
    text = SEED.read_text(encoding="utf-8")
    assert MS_CODE in text
    return text.replace("    - id: nlm-rxnorm\n", CM_SOURCE, 1).replace(MS_CODE, code_line)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{system: icd-10-cm, version: "2026", code: G35, source: icd-10-cm-2026}', ["code-header"]),
        ('{system: icd-10-cm, version: "2026", code: G35, group: true, source: icd-10-cm-2026}', []),
        (
            '{system: who-icd-10, version: "2019", code: G35, label: Lupus, source: who-icd-10-2019}',
            ["code-classification"],
        ),
        (
            '{system: who-icd-10, version: "2026", code: G35, source: who-icd-10-2019}',
            ["code-edition", "code-unverified"],
        ),
    ],
)
def test_code_rules(tmp_path, line, expected):
    ws = seeded_repo(tmp_path, coded(f"          - {line}\n"))
    _, doc = report(ws, "content")
    # The seed's own ATC codes, which the cited table could not confirm at the source, warn as well.
    ours = [d for d in doc["diagnostics"] if "immunopipe's table lists it" not in d["message"]]
    assert sorted(d["rule"] for d in ours if d["rule"].startswith("code-")) == expected


def test_warning_budget_counts_after_ignore_comments(tmp_path):
    text = SEED.read_text(encoding="utf-8")
    ws = seeded_repo(tmp_path, text)
    _, doc = report(ws, "content")
    n = len(doc["diagnostics"])
    assert report(ws, "--max-warnings", str(n), "content")[0] == 0
    assert report(ws, "--max-warnings", str(n - 1), "content")[0] == 1
    ignored = text.replace(
        "    published: unknown\n",
        "    published: unknown  # immunopipe: ignore[dates-unknown] no date given\n",
    )
    (ws / "content" / f"{ARTICLE_ID}.yaml").write_text(ignored, encoding="utf-8")
    code, doc = report(ws, "--max-warnings", str(n - 1), "content")
    assert code == 0 and doc["suppressed"] == 1
    assert run(ws, "validate", "--no-cache", "--strict", "--max-warnings", "999").returncode == 1


def test_export_over_the_warning_budget_writes_nothing(tmp_path):
    ws = seeded_repo(tmp_path)
    p = run(ws, "export", "--to", "json", "--no-cache", "--max-warnings", "0", "--out", "o")
    assert p.returncode == 1
    assert not (ws / "o").exists()


# --- guards: schemas, rules, new ---------------------------------------------------------------


def test_exports_satisfy_the_published_schemas(tmp_path):
    ws = seeded_repo(tmp_path, resolved_seed())
    assert run(ws, "schema", "--export", "schemas").returncode == 0
    assert run(ws, "export", "--to", "json", "--no-cache").returncode == 0
    for schema, doc in [
        ("article-document", f"exports/json/{ARTICLE_ID}.json"),
        ("index", "exports/json/index.json"),
    ]:
        p = subprocess.run(
            [str(CHECK_JSONSCHEMA), "--schemafile", f"schemas/{schema}.schema.json", doc],
            cwd=ws,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert p.returncode == 0, p.stdout + p.stderr


def test_new_never_overwrites_and_refuses_bad_ids(tmp_path):
    assert run(tmp_path, "new", "my-article").returncode == 0
    made = (tmp_path / "content" / "my-article.yaml").read_bytes()
    assert run(tmp_path, "new", "my-article").returncode == 2
    assert (tmp_path / "content" / "my-article.yaml").read_bytes() == made
    for bad in ("../evil", "UPPER", "a--b", "a" * 65, "index"):
        assert run(tmp_path, "new", "--", bad).returncode == 2, bad


# --- guards: machine-readable output with hostile file names -----------------------------------

HOSTILE = [
    "new\nline.yaml",
    "esc\x1b[31mred.yaml",
    os.fsdecode(b"bytes\xff\xfe.yaml"),
    "com,ma:1:2: error: fake.yaml",
    "pct%0A::error file=x::y.yaml",
    "cr\rx.yaml",
]


def hostile_workspace(tmp_path: Path) -> Path:
    (tmp_path / "content").mkdir()
    for name in HOSTILE:
        (tmp_path / "content" / name).write_text("id: [\n", encoding="utf-8")
    return tmp_path


def test_json_report_stays_parseable_with_hostile_file_names(tmp_path):
    ws = hostile_workspace(tmp_path)
    p = subprocess.run(
        [str(IMMUNOPIPE), "validate", "--no-cache", "--format", "json", "content"],
        cwd=ws,
        capture_output=True,
        timeout=60,
    )
    assert p.returncode == 1
    doc = json.loads(p.stdout.decode("utf-8"))
    assert len({d["path"] for d in doc["diagnostics"]}) == len(HOSTILE)


def test_github_annotations_stay_one_line_each_with_hostile_file_names(tmp_path):
    ws = hostile_workspace(tmp_path)
    p = subprocess.run(
        [str(IMMUNOPIPE), "validate", "--no-cache", "--format", "github", "content"],
        cwd=ws,
        capture_output=True,
        timeout=60,
    )
    assert p.returncode == 1
    out = p.stdout.decode("utf-8")
    assert "\x1b" not in out and "\r" not in out
    annotations = [line for line in out.splitlines() if line.startswith("::")]
    assert len(annotations) == len(HOSTILE)
    others = [line for line in out.splitlines() if line and not line.startswith("::")]
    assert len(others) == 1 and "failed" in others[0]
