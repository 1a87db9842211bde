"""The model: the seed article as typed objects, complete and in schema order."""

from __future__ import annotations

import json

import pytest

from immunopipe.load import load_bytes
from immunopipe.model import UNKNOWN, Article, article_from_data, parse_date
from immunopipe.validate.schema import SchemaChecker, load_schema


@pytest.fixture(scope="module")
def seed(seed_text: str) -> Article:
    return article_from_data(load_bytes(seed_text.encode()).data)


def test_every_fact_of_the_source_is_in_the_model(seed: Article, seed_facts: tuple[str, ...]) -> None:
    text = json.dumps(seed.to_data(), ensure_ascii=False)
    missing = [fact for fact in seed_facts if fact not in text]
    assert missing == []


def test_structure_of_the_seed(seed: Article) -> None:
    assert seed.id == "immune-system-medicine"
    assert [u.id for u in seed.uses] == ["autoimmune-diseases", "transplant-rejection-prevention"]
    assert [c.id for _, c in seed.conditions()] == [
        "rheumatoid-arthritis",
        "lupus",
        "multiple-sclerosis",
        "type-1-diabetes",
        "inflammatory-bowel-disease",
        "crohns-disease",
        "ulcerative-colitis",
        "transplant-rejection",
    ]
    assert {c.id: c.part_of for _, c in seed.conditions() if c.part_of} == {
        "crohns-disease": "inflammatory-bowel-disease",
        "ulcerative-colitis": "inflammatory-bowel-disease",
    }
    examples = {cls.id: [m.name for m in cls.examples] for cls in seed.medicine_classes}
    assert examples == {
        "corticosteroids": ["prednisone"],
        "calcineurin-inhibitors": ["cyclosporine", "tacrolimus"],
        "antimetabolites": ["azathioprine", "methotrexate"],
        "biologics": ["TNF inhibitors", "interleukin inhibitors"],
        "mtor-inhibitors": ["sirolimus", "everolimus"],
    }
    assert {m.kind for c, m in seed.medicines() if c.id == "biologics"} == {"class"}
    assert [c.kind for c in seed.considerations] == ["risk", "monitoring", "goal"]
    assert seed.uses[1].duration and "for life" in seed.uses[1].duration


def test_codes_carry_system_version_and_source(seed: Article) -> None:
    atc = {m.id: [c.code for c in m.codes if c.system == "who-atc"] for _, m in seed.medicines()}
    assert atc == {
        "prednisone": ["H02AB07"],
        "cyclosporine": ["L04AD01"],
        "tacrolimus": ["L04AD02"],
        "azathioprine": ["L04AX01"],
        "methotrexate": ["L04AX03"],
        "tnf-inhibitors": ["L04AB"],
        "interleukin-inhibitors": ["L04AC"],
        "sirolimus": ["L04AH01"],
        "everolimus": ["L04AH02"],
    }
    icd = {c.id: [code.code for code in c.codes] for _, c in seed.conditions()}
    assert icd["rheumatoid-arthritis"] == ["M05", "M06"]
    assert icd["transplant-rejection"] == ["T86"]
    assert {cls.id: [c.code for c in cls.codes] for cls in seed.medicine_classes}["antimetabolites"] == []
    sources = {s.id for s in seed.editorial.sources}
    for _, condition in seed.conditions():
        assert all(code.version and code.source in sources for code in condition.codes)


def test_unknown_facts_stay_explicit(seed: Article) -> None:
    editorial = seed.editorial
    assert editorial.author == UNKNOWN
    assert editorial.contact == UNKNOWN
    assert editorial.clinical_review.status == "pending"
    assert editorial.dates.published == UNKNOWN
    assert parse_date(editorial.dates.next_review) is None
    assert editorial.sources[0].url == UNKNOWN


def test_to_data_follows_schema_order_and_round_trips(seed: Article, seed_text: str) -> None:
    data = seed.to_data()
    schema = load_schema()
    assert list(data) == [key for key in schema["properties"] if key in data]
    condition = data["uses"][0]["conditions"][0]
    condition_order = list(schema["$defs"]["condition"]["properties"])
    assert list(condition) == [key for key in condition_order if key in condition]
    assert SchemaChecker().is_valid(data)
    assert article_from_data(data) == seed
