"""Clinical review bound to content: facts and digests, the review report, approval, and the handout line."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pypdf
import pytest
import yaml

from immunopipe.load import load_bytes
from immunopipe.review.facts import check_approval, facts_digest, reviewed_facts
from immunopipe.review.record import approval_block, with_approval

ARTICLE = "immune-system-medicine"
REVIEWER = ("--reviewer", "Dr Jane Doe", "--role", "Consultant rheumatologist")
LUPUS = "        description: A systemic autoimmune disease that can affect various organs.\n"
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def long_today() -> str:
    today = date.today()
    return f"{today.day} {MONTHS[today.month - 1]} {today.year}"


@pytest.fixture
def repo(tmp_path: Path, seed_text: str) -> Path:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / f"{ARTICLE}.yaml").write_text(seed_text, encoding="utf-8")
    return tmp_path


def run(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("immunopipe")
    return subprocess.run([str(script), *args], cwd=repo, capture_output=True, text=True, check=False)


def article(repo: Path) -> Path:
    return repo / "content" / f"{ARTICLE}.yaml"


def resolve_queries(repo: Path) -> None:
    text = article(repo).read_text(encoding="utf-8")
    resolved = text.replace(
        "    state: open\n",
        "    state: resolved\n    answer: Kept for now; to be reworded at the next review.\n",
    )
    assert resolved.count("state: resolved") == 2
    article(repo).write_text(resolved, encoding="utf-8")


def handout_text(repo: Path) -> str:
    result = run(repo, "export", "--to", "pdf", "--out", "exports", "-q")
    assert result.returncode == 0, result.stderr
    pdf = (repo / "exports" / "pdf" / f"{ARTICLE}.pdf").read_bytes()
    return " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def review_warnings(repo: Path) -> list[dict[str, object]]:
    result = run(repo, "validate", "--format", "json")
    return [d for d in json.loads(result.stdout)["diagnostics"] if d["rule"] == "clinical-review-changed"]


# The cycle, through the installed command


def test_review_cycle_through_the_cli(repo: Path) -> None:
    report = run(repo, "review", ARTICLE)
    assert report.returncode == 0, report.stderr
    assert "Open queries: 2" in report.stdout
    assert "type-1-diabetes-treatment on conditions/type-1-diabetes" in report.stdout
    assert "source: FDA Approves First Drug That Can Delay Onset of Type 1 Diabetes" in report.stdout
    assert "Ready to approve: no (2 query(ies) open)" in report.stdout

    before = article(repo).read_bytes()
    refused = run(repo, "review", ARTICLE, "--approve", *REVIEWER)
    assert refused.returncode == 1
    assert "approval refused: 2 query(ies) open" in refused.stderr
    assert article(repo).read_bytes() == before and not (repo / "content" / "reviews").exists()
    assert "Reviewed by" not in handout_text(repo)

    resolve_queries(repo)
    approved = run(repo, "review", ARTICLE, "--approve", *REVIEWER)
    assert approved.returncode == 0, approved.stderr
    snapshot = json.loads((repo / "content" / "reviews" / f"{ARTICLE}.json").read_text(encoding="utf-8"))
    assert snapshot["reviewer"] == {"name": "Dr Jane Doe", "credentials": "Consultant rheumatologist"}
    data = yaml.safe_load(article(repo).read_text(encoding="utf-8"))
    assert data["editorial"]["clinical_review"]["digest"] == snapshot["digest"] == facts_digest(data)
    assert review_warnings(repo) == []
    line = f"Reviewed by Dr Jane Doe, Consultant rheumatologist on {long_today()}"
    assert line in handout_text(repo)

    text = article(repo).read_text(encoding="utf-8")
    article(repo).write_text(text.replace(LUPUS, LUPUS.replace("various organs", "the skin, joints and kidneys")))
    [warning] = review_warnings(repo)
    assert warning["severity"] == "warning"
    assert warning["pointer"] == "/uses/0/conditions/1"
    assert "fact conditions/lupus changed" in str(warning["message"])
    assert run(repo, "validate", "--strict").returncode == 1
    diff = run(repo, "review", ARTICLE).stdout
    assert "Facts changed since the approved snapshot" in diff and "conditions/lupus (changed)" in diff
    assert '- description: "A systemic autoimmune disease that can affect various organs."' in diff
    assert '+ description: "A systemic autoimmune disease that can affect the skin, joints and kidneys."' in diff
    pdf_text = handout_text(repo)
    assert "Reviewed by" not in pdf_text and "Not yet clinically reviewed" in pdf_text

    again = run(repo, "review", ARTICLE, "--approve", *REVIEWER)
    assert again.returncode == 0, again.stderr
    assert review_warnings(repo) == []
    assert "Facts changed since the approved snapshot of" in run(repo, "review", ARTICLE).stdout
    assert line in handout_text(repo)


def test_approval_is_refused_while_an_error_remains(repo: Path) -> None:
    resolve_queries(repo)
    text = article(repo).read_text(encoding="utf-8")
    article(repo).write_text(text.replace("code: M32\n", "code: M32.9\n"), encoding="utf-8")
    before = article(repo).read_bytes()
    report = run(repo, "review", ARTICLE)
    assert report.returncode == 1
    assert "label 'Systemic lupus erythematosus' is not the title of M32.9" in report.stdout
    assert "Ready to approve: no (1 error(s) remain)" in report.stdout
    result = run(repo, "review", ARTICLE, "--approve", *REVIEWER)
    assert result.returncode == 1
    assert "approval refused: 1 error(s) remain" in result.stderr
    assert article(repo).read_bytes() == before


def test_approval_is_refused_while_a_library_rule_finds_an_error_in_the_article(repo: Path) -> None:
    """Another file with the same id is an error of this article in validate, so in review too."""
    resolve_queries(repo)
    before = article(repo).read_bytes()
    (repo / "content" / "copy.yaml").write_bytes(before)
    report = run(repo, "review", ARTICLE)
    assert report.returncode == 1
    assert "is already used by content/copy.yaml:2 [duplicate-article-id]" in report.stdout
    result = run(repo, "review", ARTICLE, "--approve", *REVIEWER)
    assert result.returncode == 1
    assert "approval refused: 1 error(s) remain" in result.stderr
    assert article(repo).read_bytes() == before
    assert not (repo / "content" / "reviews").exists()


@pytest.mark.parametrize("damage", [b"{not json", b'{"format": 1}', b"[]"], ids=["not-json", "no-facts", "a-list"])
def test_a_damaged_snapshot_is_called_damaged_not_missing(repo: Path, damage: bytes) -> None:
    resolve_queries(repo)
    assert run(repo, "review", ARTICLE, "--approve", *REVIEWER).returncode == 0
    (repo / "content" / "reviews" / f"{ARTICLE}.json").write_bytes(damage)
    report = run(repo, "review", ARTICLE)
    assert report.returncode == 2
    assert f"the approved snapshot content/reviews/{ARTICLE}.json is damaged" in report.stderr
    assert "no approved snapshot" not in report.stdout


def test_an_article_that_fails_the_schema_is_reported_not_reviewed(repo: Path) -> None:
    text = article(repo).read_text(encoding="utf-8")
    article(repo).write_text(text.replace("reading_time_minutes: 3", "reading_time_minutes: three"), encoding="utf-8")
    report = run(repo, "review", ARTICLE)
    assert report.returncode == 1 and "Traceback" not in report.stderr
    assert "does not pass the schema" in report.stdout and "[schema-type]" in report.stdout
    refused = run(repo, "review", ARTICLE, "--approve", *REVIEWER)
    assert refused.returncode == 1 and "approval refused" in refused.stderr


def test_the_content_option_names_the_folder(repo: Path) -> None:
    (repo / "content").rename(repo / "articles")
    assert run(repo, "review", ARTICLE).returncode == 2
    result = run(repo, "review", ARTICLE, "--content", "articles")
    assert result.returncode == 0 and "Clinical review of articles/immune-system-medicine.yaml" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("review", "no-such-article"), "no article 'no-such-article'"),
        (("review", ARTICLE, "--approve"), "--approve needs --reviewer NAME and --role ROLE"),
        (("review", ARTICLE, "--reviewer", "Dr X"), "--reviewer and --role go with --approve"),
        (("review", "a" * 300), "is not an article id"),
        (("review", "../content/" + ARTICLE), "'../content/immune-system-medicine' is not an article id"),
        (("review", "../outside", "--approve", *REVIEWER), "'../outside' is not an article id"),
    ],
)
def test_usage_problems_exit_2(repo: Path, args: tuple[str, ...], message: str) -> None:
    result = run(repo, *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def content_checksums(repo: Path) -> dict[str, bytes]:
    return {str(path): path.read_bytes() for path in sorted((repo / "content").rglob("*")) if path.is_file()}


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--role", "GP\x1b[2J", "--role holds the invisible character U+001B"),
        ("--reviewer", "Dr\u200bX", "--reviewer holds the invisible character U+200B ZERO WIDTH SPACE"),
        ("--reviewer", "   ", "--reviewer is empty"),
    ],
)
def test_a_reviewer_the_rules_would_reject_is_refused_before_anything_is_written(
    repo: Path, option: str, value: str, message: str
) -> None:
    resolve_queries(repo)
    before = content_checksums(repo)
    given = {"--reviewer": "Dr X", "--role": "GP", option: value}
    result = run(repo, "review", ARTICLE, "--approve", *[part for pair in given.items() for part in pair])
    assert result.returncode == 2 and "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(f"Error: {message}")
    assert content_checksums(repo) == before


def test_a_folder_at_the_snapshot_path_is_exit_2_and_records_nothing(repo: Path) -> None:
    resolve_queries(repo)
    (repo / "content" / "reviews" / f"{ARTICLE}.json").mkdir(parents=True)
    before = content_checksums(repo)
    result = run(repo, "review", ARTICLE, "--approve", *REVIEWER)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "a folder is in the way" in result.stderr and len(result.stderr.splitlines()) == 1
    assert content_checksums(repo) == before
    assert list(repo.rglob("*.immunopipe-tmp")) == []


def test_queries_go_to_json_and_csv_never_to_the_handout(repo: Path) -> None:
    pdf_text = handout_text(repo)
    assert "teplizumab" not in pdf_text and "query" not in pdf_text.lower()
    assert run(repo, "export", "--to", "json", "--to", "csv", "--out", "exports", "-q").returncode == 0
    document = json.loads((repo / "exports" / "json" / f"{ARTICLE}.json").read_text(encoding="utf-8"))
    assert [q["id"] for q in document["article"]["queries"]] == [
        "type-1-diabetes-treatment",
        "stem-cell-transplant-duration",
    ]
    lupus = document["article"]["uses"][0]["conditions"][1]["codes"][0]
    assert (lupus["label"], lupus["official_title"]) == ("Systemic lupus erythematosus",) * 2
    codes = (repo / "exports" / "csv" / "condition_codes.csv").read_text(encoding="utf-8-sig").splitlines()
    assert codes[0].split(",")[6:9] == ["label", "lay_label", "official_title"]
    assert "Seropositive rheumatoid arthritis" in codes[1]
    rows = (repo / "exports" / "csv" / "queries.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == "article_id,query_id,fact,question,evidence,source_id,state,answer"
    assert len(rows) == 3 and all(row.endswith(",open,") for row in rows[1:])


# Facts and digests


def test_formatting_is_not_a_change_but_wording_is(seed_text: str) -> None:
    data = load_bytes(seed_text.encode()).data
    refolded = seed_text.replace(
        "      Autoimmune diseases occur when the immune system mistakenly targets and attacks the\n"
        "      body's own cells, tissues, or organs.\n",
        "      Autoimmune diseases occur when the immune system mistakenly\n"
        "      targets and attacks the body's own cells, tissues, or organs.\n",
    )
    assert refolded != seed_text
    assert facts_digest(load_bytes(refolded.encode()).data) == facts_digest(data)
    reworded = seed_text.replace("mistakenly targets", "wrongly targets")
    assert facts_digest(load_bytes(reworded.encode()).data) != facts_digest(data)


def test_queries_and_the_review_record_are_not_facts(seed_text: str) -> None:
    data = load_bytes(seed_text.encode()).data
    facts = reviewed_facts(data)
    assert "conditions/type-1-diabetes" in facts and "glossary/mTOR" in facts
    assert not any(fact.startswith(("queries", "editorial")) for fact in facts)
    answered = seed_text.replace("    state: open\n", "    state: resolved\n    answer: Yes.\n")
    assert facts_digest(load_bytes(answered.encode()).data) == facts_digest(data)


def test_approval_block_replaces_only_the_review_lines(seed_text: str) -> None:
    data = load_bytes(seed_text.encode()).data
    block = approval_block(data, {"name": "Dr A", "credentials": "GP"}, "2026-12-01")
    flow = seed_text.replace(
        "  clinical_review:\n    status: pending\n", "  clinical_review: {status: pending}  # note\n"
    )
    for text in (seed_text, flow):
        updated = with_approval(text, block)
        approved = load_bytes(updated.encode()).data
        assert check_approval(approved) is not None and check_approval(approved).current  # type: ignore[union-attr]
        before, after = text.split("clinical_review:")[0], updated.split("clinical_review:")[0]
        assert before == after
        assert updated.split("  dates:\n")[1] == text.split("  dates:\n")[1]
    hand_edited = with_approval(seed_text, {**block, "digest": "sha256:" + "0" * 64})
    check = check_approval(load_bytes(hand_edited.encode()).data)
    assert check is not None and not check.current and not check.recorded
