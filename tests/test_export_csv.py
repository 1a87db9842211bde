"""CSV export: tidy tables that parse back to the same facts, formula-safe cells, a valid Data Package."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from immunopipe.export.csv import (
    DATAPACKAGE_NAME,
    TABLES,
    article_cells,
    encode_rows,
    header,
    neutralise,
    render_table,
    render_tables,
    restore,
)
from immunopipe.export.csv_translations import TRANSLATION_TABLES
from immunopipe.load import load_bytes
from immunopipe.model import UNKNOWN, Article, Contact, GlossaryEntry, Person, article_from_data

#: What spreadsheets may run as a formula (OWASP "CSV Injection"), written out independently of the code.
FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20"]


@pytest.fixture(scope="module")
def seed_article(seed_text: str) -> Article:
    return article_from_data(load_bytes(seed_text.encode("utf-8")).data)


@pytest.fixture(scope="module")
def second_article(seed_article: Article) -> Article:
    """A different article with the optional facts the seed lacks (reviewer, contact, glossary)."""
    editorial = dataclasses.replace(
        seed_article.editorial,
        author=Person(name="Aïcha Ndiaye", credentials="Pharmacist"),
        clinical_review=dataclasses.replace(
            seed_article.editorial.clinical_review,
            status="approved",
            reviewer=Person(name="Dr Jo Smith", credentials="Consultant rheumatologist"),
            date="2026-10-01",
        ),
        contact=Contact(text="Write to us.", url="https://example.org/feedback"),
    )
    return dataclasses.replace(
        seed_article,
        id="second-article",
        title='=HYPERLINK("https://evil.example","Click")',
        summary="-2 + 3 means nothing here; \uff1d full-width too.",
        editorial=editorial,
        glossary=(GlossaryEntry(term="immunosuppressant", definition="@A medicine that calms the immune system."),),
    )


def parse(data: bytes) -> list[dict[str, str]]:
    """Rows of a CSV file as the csv module reads them, with neutralised cells restored."""
    rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    return [{key: restore(value) for key, value in row.items()} for row in rows]


def rebuild(tables: dict[str, list[dict[str, str]]]) -> list[dict[str, Any]]:
    """Article data rebuilt from parsed tables alone, in the shape the schema defines."""

    def compact(**fields: Any) -> dict[str, Any]:
        return {key: value for key, value in fields.items() if value not in ("", None)}

    def person(name: str, credentials: str) -> dict[str, str] | str | None:
        if not name:
            return None
        return UNKNOWN if name == UNKNOWN else {"name": name, "credentials": credentials}

    def rows(table: str, **match: str) -> list[dict[str, str]]:
        return [row for row in tables[table] if all(row[key] == value for key, value in match.items())]

    def codes(table: str, **match: str) -> list[dict[str, str]]:
        found = sorted(rows(table, **match), key=lambda row: int(row["position"]))
        return [
            compact(
                system=c["system"],
                version=c["version"],
                code=c["code"],
                label=c["label"],
                lay_label=c["lay_label"],
                source=c["source_id"],
                note=c["note"],
            )
            for c in found
        ]

    articles = []
    for a in tables["articles"]:
        aid = a["article_id"]
        contact = UNKNOWN if a["contact_text"] == UNKNOWN else compact(text=a["contact_text"], url=a["contact_url"])
        articles.append(
            {
                "id": aid,
                "title": a["title"],
                "category": a["category"],
                "language": a["language"],
                "summary": a["summary"],
                "reading_time_minutes": int(a["reading_time_minutes"]),
                "editorial": {
                    "publisher": {"name": a["publisher_name"], "url": a["publisher_url"]},
                    "attribution": a["attribution"],
                    "author": person(a["author_name"], a["author_credentials"]),
                    "clinical_review": compact(
                        status=a["review_status"],
                        reviewer=person(a["reviewer_name"], a["reviewer_credentials"]),
                        date=a["review_date"],
                    ),
                    "dates": {key: a[key] for key in ("published", "last_reviewed", "next_review")},
                    "sources": [
                        {key: s[key] for key in ("title", "publisher", "url", "accessed")} | {"id": s["source_id"]}
                        for s in rows("sources", article_id=aid)
                    ],
                    "funding": a["funding"],
                    "disclaimer": a["disclaimer"],
                    "contact": contact,
                },
                "uses": [
                    compact(
                        id=u["use_id"],
                        title=u["title"],
                        description=u["description"],
                        how_medicine_helps=u["how_medicine_helps"],
                        duration=u["duration"],
                        conditions=[
                            compact(
                                id=c["condition_id"],
                                name=c["name"],
                                abbreviation=c["abbreviation"],
                                description=c["description"],
                                part_of=c["part_of"],
                                codes=codes("condition_codes", article_id=aid, condition_id=c["condition_id"]),
                            )
                            for c in rows("conditions", article_id=aid, use_id=u["use_id"])
                        ],
                    )
                    for u in rows("uses", article_id=aid)
                ],
                "medicine_classes": [
                    {
                        "id": k["class_id"],
                        "name": k["name"],
                        "mechanism": k["mechanism"],
                        "codes": codes("class_codes", article_id=aid, class_id=k["class_id"]),
                        "examples": [
                            compact(
                                id=m["medicine_id"],
                                name=m["name"],
                                kind=m["kind"],
                                international_name=m["international_name"],
                                codes=codes("medicine_codes", article_id=aid, medicine_id=m["medicine_id"]),
                            )
                            for m in rows("medicines", article_id=aid, class_id=k["class_id"])
                        ],
                    }
                    for k in rows("medicine_classes", article_id=aid)
                ],
                "considerations": [
                    {"id": c["consideration_id"], "kind": c["kind"], "text": c["text"]}
                    for c in rows("considerations", article_id=aid)
                ],
                "glossary": [
                    compact(term=g["term"], definition=g["definition"], source=g["source_id"], wording=g["wording"])
                    for g in sorted(rows("glossary", article_id=aid), key=lambda g: int(g["position"]))
                ],
                "queries": [
                    compact(
                        id=q["query_id"],
                        fact=q["fact"],
                        question=q["question"],
                        evidence=q["evidence"],
                        source=q["source_id"],
                        state=q["state"],
                        answer=q["answer"],
                    )
                    for q in rows("queries", article_id=aid)
                ],
            }
        )
    return articles


@pytest.fixture(scope="module")
def exported(seed_article: Article, second_article: Article) -> dict[str, bytes]:
    """Both articles rendered into one set of tables."""
    return dict(render_tables([seed_article, second_article]))


@pytest.fixture(scope="module")
def written(exported: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("csv")
    for name, data in exported.items():
        (folder / name).write_bytes(data)
    return folder


def test_tables_parse_back_to_the_same_articles(
    exported: dict[str, bytes], seed_article: Article, second_article: Article
) -> None:
    tables = {table.name: parse(exported[table.file_name]) for table in TABLES}
    rebuilt = [article_from_data(data) for data in rebuild(tables)]
    assert rebuilt == [seed_article, second_article]


def test_all_articles_share_one_set_of_tables(exported: dict[str, bytes]) -> None:
    translation_files = [table.file_name for table in TRANSLATION_TABLES]
    assert list(exported) == [table.file_name for table in TABLES] + translation_files + [DATAPACKAGE_NAME]
    medicines = parse(exported["medicines.csv"])
    assert {row["article_id"] for row in medicines} == {"immune-system-medicine", "second-article"}


def test_header_then_each_articles_rows_is_the_whole_table(
    exported: dict[str, bytes], seed_article: Article, second_article: Article
) -> None:
    streamed = [article_cells(article) for article in (seed_article, second_article)]
    for position, table in enumerate(TABLES):
        rows = b"".join(encode_rows(cells[position]) for cells in streamed)
        assert header(table) + rows == exported[table.file_name]
    assert header(TABLES[0], bom=False) == b"article_id," + header(TABLES[0]).split(b",", 1)[1]


def test_every_seed_fact_is_in_the_tables(seed_article: Article, seed_facts: tuple[str, ...]) -> None:
    text = "".join(data.decode("utf-8-sig") for name, data in render_tables([seed_article]) if name.endswith(".csv"))
    assert [fact for fact in seed_facts if fact not in text] == []


def test_headers_follow_the_documented_column_order(exported: dict[str, bytes]) -> None:
    for table in TABLES:
        header = next(csv.reader(io.StringIO(exported[table.file_name].decode("utf-8-sig"))))
        assert header == [column.name for column in table.columns]


def test_rfc4180_line_ends_and_byte_order_mark(exported: dict[str, bytes], seed_article: Article) -> None:
    for name, data in exported.items():
        if name.endswith(".csv"):
            assert data.startswith(b"\xef\xbb\xbf")
            assert b"\r\r\n" not in data
            assert data.endswith(b"\r\n")
            assert data.count(b"\n") == data.count(b"\r\n")
    plain = render_table(TABLES[0], [seed_article], bom=False)
    assert plain.startswith(b"article_id,")


def test_formula_cells_are_neutralised_and_numbers_stay_numbers(
    exported: dict[str, bytes], seed_article: Article
) -> None:
    raw = list(csv.DictReader(io.StringIO(exported["articles.csv"].decode("utf-8-sig"), newline="")))
    assert raw[1]["title"] == '\'=HYPERLINK("https://evil.example","Click")'
    assert raw[1]["summary"].startswith("'-2")
    assert raw[0]["reading_time_minutes"] == "3"
    negative = render_table(TABLES[0], [dataclasses.replace(seed_article, reading_time_minutes=-5)])
    assert ",-5," in negative.decode("utf-8-sig")


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_each_formula_start_is_neutralised(start: str) -> None:
    assert neutralise(f"{start}SUM(A1)") == f"'{start}SUM(A1)"


@given(st.text())
def test_neutralised_text_never_starts_a_formula_and_restores_exactly(text: str) -> None:
    safe = neutralise(text)
    assert safe[:1] not in FORMULA_STARTS
    assert restore(safe) == text


@given(st.text(), st.text(min_size=1))
def test_arbitrary_text_survives_the_csv_writer_safely(seed_article: Article, title: str, name: str) -> None:
    article = dataclasses.replace(seed_article, title=title, category=name)
    data = render_table(TABLES[0], [article])
    row = next(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    for written_cell, original in ((row["title"], title), (row["category"], name)):
        assert written_cell[:1] not in FORMULA_STARTS
        assert restore(written_cell) == original


def test_datapackage_describes_every_table(exported: dict[str, bytes]) -> None:
    package = json.loads(exported[DATAPACKAGE_NAME])
    resources = {resource["name"]: resource for resource in package["resources"]}
    assert list(resources) == [table.name for table in (*TABLES, *TRANSLATION_TABLES)]
    for table in TABLES:
        schema = resources[table.name]["schema"]
        assert resources[table.name]["path"] == table.file_name
        assert [field["name"] for field in schema["fields"]] == [column.name for column in table.columns]
        assert all(field["description"] for field in schema["fields"])
        assert schema["primaryKey"] and set(schema["primaryKey"]) <= {column.name for column in table.columns}
    assert resources["condition_parts"]["schema"]["foreignKeys"][1] == {
        "fields": ["article_id", "part_of"],
        "reference": {"resource": "conditions", "fields": ["article_id", "condition_id"]},
    }
    assert "Filter on kind = medicine" in resources["medicines"]["description"]
    assert resources["medicines"]["schema"]["foreignKeys"] == [
        {
            "fields": ["article_id", "class_id"],
            "reference": {"resource": "medicine_classes", "fields": ["article_id", "class_id"]},
        }
    ]


def frictionless_validate(descriptor: Path) -> dict[str, Any]:
    """The JSON report of the real ``frictionless validate`` command."""
    script = Path(sys.executable).with_name("frictionless")
    result = subprocess.run(
        [str(script), "validate", "--json", str(descriptor)], capture_output=True, text=True, timeout=120
    )
    report = json.loads(result.stdout)
    assert (result.returncode == 0) is report["valid"]
    return report


def test_real_frictionless_validate_passes(written: Path) -> None:
    report = frictionless_validate(written / DATAPACKAGE_NAME)
    assert report["valid"] is True, json.dumps(report["tasks"], indent=1)[:3000]
    assert report["stats"]["tasks"] == len(TABLES) + len(TRANSLATION_TABLES)


def test_frictionless_enforces_the_declared_foreign_keys(written: Path, tmp_path: Path) -> None:
    for path in written.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    medicines = tmp_path / "medicines.csv"
    broken = medicines.read_bytes().replace(b",corticosteroids,prednisone,", b",no-such-class,prednisone,")
    medicines.write_bytes(broken)
    report = frictionless_validate(tmp_path / DATAPACKAGE_NAME)
    errors = [error["type"] for task in report["tasks"] for error in task["errors"]]
    assert report["valid"] is False and errors == ["foreign-key", "foreign-key"]  # one row per article


def test_frictionless_enforces_part_of_as_a_key_into_conditions(written: Path, tmp_path: Path) -> None:
    for path in written.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    parts = tmp_path / "condition_parts.csv"
    broken = parts.read_bytes().replace(b",inflammatory-bowel-disease\r\n", b",no-such-condition\r\n", 1)
    assert broken != parts.read_bytes()
    parts.write_bytes(broken)
    report = frictionless_validate(tmp_path / DATAPACKAGE_NAME)
    errors = [(error["type"], error["fieldNames"]) for task in report["tasks"] for error in task["errors"]]
    assert report["valid"] is False and errors == [("foreign-key", ["article_id", "part_of"])]


def test_readme_documents_every_table_and_its_columns_in_order() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    section = readme[readme.index("## Exports: JSON, CSV and xlsx") :]
    rows = {line.split(" | ")[0].strip("| `"): line for line in section.splitlines() if line.startswith("| `")}
    for table in TABLES:
        cells = [cell.strip() for cell in rows[table.file_name].strip("|").split(" | ")]
        assert cells[-1] == ", ".join(f"`{column.name}`" for column in table.columns)
        assert cells[2] == ", ".join(f"`{name}`" for name in table.primary_key)
