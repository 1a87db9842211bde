"""The validated article as plain typed objects: the one input every exporter reads.

Field order follows the schema's property order, so exports keep the order authors see.
Values the source does not give are the literal :data:`UNKNOWN`, never invented.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from typing import Any, Final, Literal, cast

UNKNOWN: Final = "unknown"
Unknown = Literal["unknown"]


@dataclass(frozen=True, kw_only=True)
class Code:
    """A medical code with its system and the edition it was checked against."""

    system: str
    version: str
    code: str
    label: str | None = None
    lay_label: str | None = None
    group: bool | None = None
    source: str
    note: str | None = None
    #: The code's title from the classification package or cited table; None when it cannot be verified.
    official_title: str | None = None


@dataclass(frozen=True, kw_only=True)
class Person:
    """A named person with their credentials."""

    name: str
    credentials: str


@dataclass(frozen=True, kw_only=True)
class Publisher:
    """The organisation that published the article."""

    name: str
    url: str


@dataclass(frozen=True, kw_only=True)
class ClinicalReview:
    """Clinical approval: ``pending`` until a named reviewer has signed it off."""

    status: str
    reviewer: Person | None = None
    date: str | None = None
    digest: str | None = None
    snapshot: str | None = None
    #: Each reviewed fact's id with its digest, as recorded by the approval.
    facts: dict[str, str] | None = None
    #: True only while an approval is recorded and no reviewed fact has changed since.
    current: bool = False


@dataclass(frozen=True, kw_only=True)
class Dates:
    """Publication and review dates (ISO ``YYYY-MM-DD`` strings, or ``unknown``)."""

    published: str
    last_reviewed: str
    next_review: str


@dataclass(frozen=True, kw_only=True)
class Source:
    """A source the article is based on or checked against."""

    id: str
    title: str
    publisher: str
    url: str
    accessed: str


@dataclass(frozen=True, kw_only=True)
class Contact:
    """How readers give feedback."""

    text: str
    url: str | None = None


@dataclass(frozen=True, kw_only=True)
class Editorial:
    """Who stands behind the article and how current it is."""

    publisher: Publisher
    attribution: str
    author: Person | Unknown
    clinical_review: ClinicalReview
    dates: Dates
    sources: tuple[Source, ...]
    funding: str
    disclaimer: str
    contact: Contact | Unknown


@dataclass(frozen=True, kw_only=True)
class Condition:
    """A condition the medicine is used for."""

    id: str
    name: str
    abbreviation: str | None = None
    description: str
    part_of: str | None = None
    codes: tuple[Code, ...]


@dataclass(frozen=True, kw_only=True)
class Use:
    """One use of the medicine and the conditions it covers."""

    id: str
    title: str
    description: str
    how_medicine_helps: str
    duration: str | None = None
    conditions: tuple[Condition, ...]


@dataclass(frozen=True, kw_only=True)
class Medicine:
    """An example in a medicine class: one medicine, or a narrower class (``kind``)."""

    id: str
    name: str
    kind: str
    international_name: str | None = None
    codes: tuple[Code, ...]


@dataclass(frozen=True, kw_only=True)
class MedicineClass:
    """A class of medicine, how it works, and its examples."""

    id: str
    name: str
    mechanism: str
    codes: tuple[Code, ...]
    examples: tuple[Medicine, ...]


@dataclass(frozen=True, kw_only=True)
class Consideration:
    """Something to know when using the medicine (a risk, monitoring, or a goal)."""

    id: str
    kind: str
    text: str


@dataclass(frozen=True, kw_only=True)
class GlossaryEntry:
    """A medical term and its plain-language definition."""

    term: str
    definition: str
    source: str | None = None
    wording: str | None = None


@dataclass(frozen=True, kw_only=True)
class Query:
    """An editorial question for the clinical reviewer about one fact (never printed on a handout)."""

    id: str
    fact: str
    question: str
    evidence: str | None = None
    source: str
    state: str
    answer: str | None = None


@dataclass(frozen=True, kw_only=True)
class Article:
    """A complete, validated article."""

    id: str
    title: str
    category: str
    language: str
    summary: str
    reading_time_minutes: int
    editorial: Editorial
    uses: tuple[Use, ...]
    medicine_classes: tuple[MedicineClass, ...]
    considerations: tuple[Consideration, ...]
    glossary: tuple[GlossaryEntry, ...] = ()
    queries: tuple[Query, ...] = ()

    def conditions(self) -> Iterator[tuple[Use, Condition]]:
        """Every condition with the use it belongs to, in article order."""
        for use in self.uses:
            for condition in use.conditions:
                yield use, condition

    def medicines(self) -> Iterator[tuple[MedicineClass, Medicine]]:
        """Every example medicine with its class, in article order."""
        for medicine_class in self.medicine_classes:
            for medicine in medicine_class.examples:
                yield medicine_class, medicine

    def to_data(self) -> dict[str, Any]:
        """Plain JSON-ready data in schema order; optional fields that are absent are left out."""
        return cast(dict[str, Any], _plain(self))


#: Fields worked out from the article rather than written in it, left out of :meth:`Article.to_data`.
DERIVED_FIELDS = frozenset({"current"})
#: Optional lists left out of :meth:`Article.to_data` when empty, as an article that has none omits them.
OMITTED_WHEN_EMPTY = frozenset({"queries"})


def _plain(value: Any) -> Any:
    """``value`` as plain data: a dataclass as a dict of its fields (absent ones left out), tuples as lists.

    What :func:`dataclasses.asdict` gives with the rules above, without its deep copies of
    every text (the values are immutable), which made it most of the cost of a JSON export.
    """
    names = _FIELD_NAMES.get(type(value))
    if names is None and is_dataclass(value):
        names = _FIELD_NAMES[type(value)] = tuple(field.name for field in fields(value))
    if names is not None:
        return {
            name: _plain(item)
            for name in names
            if (item := getattr(value, name)) is not None
            and name not in DERIVED_FIELDS
            and not (name in OMITTED_WHEN_EMPTY and item == ())
        }
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def parse_date(value: str) -> date | None:
    """The date an ISO string names, or ``None`` for ``unknown``."""
    return None if value == UNKNOWN else date.fromisoformat(value)


#: Looks up a code's official title: (system, code, version) -> the title, or None when unverifiable.
TitleLookup = Callable[[str, str, str], "str | None"]


def _no_titles(system: str, code: str, version: str) -> str | None:
    return None


def _person_or_unknown(value: dict[str, Any] | str) -> Person | Unknown:
    return Person(**value) if isinstance(value, dict) else UNKNOWN


def article_from_data(data: dict[str, Any], *, official_title: TitleLookup = _no_titles) -> Article:
    """Build an :class:`Article` from schema-valid data.

    ``official_title`` fills in each code's :attr:`Code.official_title` (the exports' official
    titles); without it they stay None.
    """

    def _codes(items: list[dict[str, Any]]) -> tuple[Code, ...]:
        return tuple(
            Code(**{**item, "official_title": official_title(item["system"], item["code"], item["version"])})
            for item in items
        )

    editorial = data["editorial"]
    review = editorial["clinical_review"]
    contact = editorial["contact"]
    return Article(
        id=data["id"],
        title=data["title"],
        category=data["category"],
        language=data["language"],
        summary=data["summary"],
        # JSON Schema counts 2.0 as an integer; exports must still write the number 2.
        reading_time_minutes=int(data["reading_time_minutes"]),
        editorial=Editorial(
            publisher=Publisher(**editorial["publisher"]),
            attribution=editorial["attribution"],
            author=_person_or_unknown(editorial["author"]),
            clinical_review=ClinicalReview(
                status=review["status"],
                reviewer=Person(**review["reviewer"]) if "reviewer" in review else None,
                date=review.get("date"),
                digest=review.get("digest"),
                snapshot=review.get("snapshot"),
                facts=review.get("facts"),
                current=_approval_current(data),
            ),
            dates=Dates(**editorial["dates"]),
            sources=tuple(Source(**source) for source in editorial["sources"]),
            funding=editorial["funding"],
            disclaimer=editorial["disclaimer"],
            contact=Contact(**contact) if isinstance(contact, dict) else UNKNOWN,
        ),
        uses=tuple(
            Use(
                id=use["id"],
                title=use["title"],
                description=use["description"],
                how_medicine_helps=use["how_medicine_helps"],
                duration=use.get("duration"),
                conditions=tuple(
                    Condition(**{**condition, "codes": _codes(condition["codes"])}) for condition in use["conditions"]
                ),
            )
            for use in data["uses"]
        ),
        medicine_classes=tuple(
            MedicineClass(
                id=item["id"],
                name=item["name"],
                mechanism=item["mechanism"],
                codes=_codes(item["codes"]),
                examples=tuple(
                    Medicine(**{**example, "codes": _codes(example["codes"])}) for example in item["examples"]
                ),
            )
            for item in data["medicine_classes"]
        ),
        considerations=tuple(Consideration(**item) for item in data["considerations"]),
        glossary=tuple(GlossaryEntry(**item) for item in data.get("glossary", [])),
        queries=tuple(Query(**item) for item in data.get("queries", [])),
    )


def _approval_current(data: dict[str, Any]) -> bool:
    from immunopipe.review.facts import check_approval

    check = check_approval(data)
    return check is not None and check.current
