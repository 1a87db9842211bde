"""CSV export for spreadsheets and data tools: tidy tables over all articles, and a Data Package.

Each table has one row per thing (an article, a condition, a medicine, a code, ...) and a fixed,
documented column order (:data:`TABLES`); ``article_id`` and the other ``*_id`` columns join the
tables. Every article goes into the same set of tables, in article order.

Files follow RFC 4180 (comma-separated, double quotes, CRLF line ends) and are UTF-8 with a byte
order mark by default, so Excel reads accents and symbols correctly; ``bom=False`` gives plain
UTF-8. ``datapackage.json`` describes every table as a Frictionless Data Package (field types,
descriptions, primary and foreign keys).

A table's bytes are its :func:`header` followed by each article's rows, so a large export can
stream every article's rows into the files as it goes: :func:`article_cells` gives them as plain
values (which a cache may keep) and :func:`encode_rows` turns them into bytes; the whole-table
:func:`render_table` gives the same bytes.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and some also tab, CR, LF
or the full-width forms) as a formula. :func:`neutralise` puts a ``'`` before any text cell that
starts with one of :data:`FORMULA_TRIGGERS`; the trigger list includes ``'`` itself, so
:func:`restore` (remove one leading ``'``) always gives the original text back. Numbers are
written as numbers and never changed. Neutralising happens in :func:`encode_rows`, the one way
cells become CSV bytes, so no cell reaches a file without it, wherever the cell came from.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from immunopipe.export.json import dump
from immunopipe.model import UNKNOWN, Article, Code, Contact, Person, Unknown

if TYPE_CHECKING:
    from immunopipe.export.csv_translations import TranslationTable

#: A cell value: text, a whole number, or ``None`` for an empty cell.
Cell = str | int | None
Row = tuple[Cell, ...]

#: First characters that make a text cell a formula candidate, and ``'`` (so the rule can be undone).
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20'")

BYTE_ORDER_MARK = "\ufeff"
DATAPACKAGE_NAME = "datapackage.json"


def neutralise(text: str) -> str:
    """``text`` with a ``'`` in front if it starts with a formula trigger (or with ``'``)."""
    return "'" + text if text[:1] in FORMULA_TRIGGERS else text


def restore(text: str) -> str:
    """The text :func:`neutralise` was given: ``text`` without one leading ``'``."""
    return text.removeprefix("'")


@dataclass(frozen=True, kw_only=True)
class Column:
    """A column: its name, Table Schema type and what it holds."""

    name: str
    description: str
    type: str = "string"
    required: bool = True
    #: True for dates that may be ``unknown``: the Data Package then declares it a missing value.
    may_be_unknown: bool = False


@dataclass(frozen=True, kw_only=True)
class ForeignKey:
    """Columns of one table that name a row of another (``table``) by its ``reference`` columns."""

    columns: tuple[str, ...]
    table: str
    reference: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Table:
    """One CSV file: its columns, keys, and how to get its rows from an article."""

    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    rows: Callable[[Article], Iterator[Row]]

    @property
    def file_name(self) -> str:
        """The CSV file's name, e.g. ``medicines.csv``."""
        return f"{self.name}.csv"


def _id(name: str, description: str) -> Column:
    return Column(name=name, description=description)


ARTICLE_ID = _id("article_id", "The article's id (see articles.csv).")


def _belongs_to_article() -> ForeignKey:
    return ForeignKey(columns=("article_id",), table="articles", reference=("article_id",))


def _from_source() -> ForeignKey:
    return ForeignKey(columns=("article_id", "source_id"), table="sources", reference=("article_id", "source_id"))


def _code_table(
    name: str, description: str, owner: Column, owner_table: str, rows: Callable[[Article], Iterator[Row]]
) -> Table:
    """A table of codes, one row per code of the items of ``owner_table``."""
    return Table(
        name=name,
        description=description,
        columns=_code_columns(owner),
        primary_key=("article_id", owner.name, "position"),
        foreign_keys=(
            ForeignKey(columns=("article_id", owner.name), table=owner_table, reference=("article_id", owner.name)),
            _from_source(),
        ),
        rows=rows,
    )


def _code_columns(owner: Column) -> tuple[Column, ...]:
    return (
        ARTICLE_ID,
        owner,
        Column(name="position", type="integer", description="Order of the code within its item, from 1."),
        Column(
            name="system",
            description="Code system: who-atc, who-icd-10, icd-10-cm, who-icd-11-mms or rxnorm.",
        ),
        Column(name="version", description="Edition of the code system the code was checked against."),
        Column(name="code", description="The code exactly as the system writes it (text, even if all digits)."),
        Column(name="label", required=False, description="The code's official title, as the article writes it."),
        Column(name="lay_label", required=False, description="An everyday name for the code, in the article's words."),
        Column(
            name="official_title",
            required=False,
            description="The code's title in its classification edition or immunopipe's cited table "
            "(empty when immunopipe cannot verify the code).",
        ),
        _id("source_id", "The source the code was verified against (see sources.csv)."),
        Column(name="note", required=False, description="Anything a reader of the code should know."),
    )


def _code_rows(article: Article, owner_id: str, codes: Sequence[Code]) -> Iterator[Row]:
    for position, code in enumerate(codes, start=1):
        yield (
            article.id,
            owner_id,
            position,
            code.system,
            code.version,
            code.code,
            code.label,
            code.lay_label,
            code.official_title,
            code.source,
            code.note,
        )


def _person(person: Person | Unknown | None) -> tuple[str | None, str | None]:
    if person is None:
        return None, None
    if not isinstance(person, Person):
        return UNKNOWN, UNKNOWN
    return person.name, person.credentials


def _article_rows(article: Article) -> Iterator[Row]:
    editorial = article.editorial
    review = editorial.clinical_review
    contact = editorial.contact
    yield (
        article.id,
        article.title,
        article.category,
        article.language,
        article.summary,
        article.reading_time_minutes,
        editorial.publisher.name,
        editorial.publisher.url,
        editorial.attribution,
        *_person(editorial.author),
        review.status,
        *_person(review.reviewer),
        review.date,
        editorial.dates.published,
        editorial.dates.last_reviewed,
        editorial.dates.next_review,
        editorial.funding,
        editorial.disclaimer,
        contact.text if isinstance(contact, Contact) else UNKNOWN,
        contact.url if isinstance(contact, Contact) else None,
    )


def _source_rows(article: Article) -> Iterator[Row]:
    for source in article.editorial.sources:
        yield (article.id, source.id, source.title, source.publisher, source.url, source.accessed)


def _use_rows(article: Article) -> Iterator[Row]:
    for use in article.uses:
        yield (article.id, use.id, use.title, use.description, use.how_medicine_helps, use.duration)


def _condition_rows(article: Article) -> Iterator[Row]:
    for use, condition in article.conditions():
        yield (
            article.id,
            use.id,
            condition.id,
            condition.name,
            condition.abbreviation,
            condition.description,
            condition.part_of,
        )


def _condition_part_rows(article: Article) -> Iterator[Row]:
    for _, condition in article.conditions():
        if condition.part_of:
            yield (article.id, condition.id, condition.part_of)


def _condition_key(column: str) -> ForeignKey:
    return ForeignKey(columns=("article_id", column), table="conditions", reference=("article_id", "condition_id"))


def _condition_code_rows(article: Article) -> Iterator[Row]:
    for _, condition in article.conditions():
        yield from _code_rows(article, condition.id, condition.codes)


def _class_rows(article: Article) -> Iterator[Row]:
    for item in article.medicine_classes:
        yield (article.id, item.id, item.name, item.mechanism)


def _class_code_rows(article: Article) -> Iterator[Row]:
    for item in article.medicine_classes:
        yield from _code_rows(article, item.id, item.codes)


def _medicine_rows(article: Article) -> Iterator[Row]:
    for item, medicine in article.medicines():
        yield (article.id, item.id, medicine.id, medicine.name, medicine.kind, medicine.international_name)


def _medicine_code_rows(article: Article) -> Iterator[Row]:
    for _, medicine in article.medicines():
        yield from _code_rows(article, medicine.id, medicine.codes)


def _consideration_rows(article: Article) -> Iterator[Row]:
    for item in article.considerations:
        yield (article.id, item.id, item.kind, item.text)


def _glossary_rows(article: Article) -> Iterator[Row]:
    for position, entry in enumerate(article.glossary, start=1):
        yield (article.id, position, entry.term, entry.definition, entry.source, entry.wording)


def _query_rows(article: Article) -> Iterator[Row]:
    for query in article.queries:
        yield (
            article.id,
            query.id,
            query.fact,
            query.question,
            query.evidence,
            query.source,
            query.state,
            query.answer,
        )


_UNKNOWN_NOTE = "or unknown when the source does not say"

TABLES: tuple[Table, ...] = (
    Table(
        name="articles",
        description="One row per article: its title, summary and editorial facts.",
        columns=(
            _id("article_id", "The article's id; also the name of its JSON and PDF files."),
            Column(name="title", description="The article's title."),
            Column(name="category", description="The library section the article belongs to."),
            Column(name="language", description="The article's language as a BCP 47 tag, e.g. en or en-GB."),
            Column(name="summary", description="The key message in one or two sentences."),
            Column(name="reading_time_minutes", type="integer", description="Estimated reading time in minutes."),
            Column(name="publisher_name", description="The organisation that published the article."),
            Column(name="publisher_url", description=f"The publisher's website, {_UNKNOWN_NOTE}."),
            Column(name="attribution", description="Where the content comes from."),
            Column(name="author_name", description=f"The author's name, {_UNKNOWN_NOTE}."),
            Column(name="author_credentials", description=f"The author's credentials, {_UNKNOWN_NOTE}."),
            Column(name="review_status", description="Clinical review: pending or approved."),
            Column(name="reviewer_name", required=False, description="The approving clinician (empty if pending)."),
            Column(
                name="reviewer_credentials",
                required=False,
                description="The approving clinician's credentials (empty if pending).",
            ),
            Column(name="review_date", type="date", required=False, description="Date of clinical approval."),
            Column(
                name="published",
                type="date",
                required=False,
                may_be_unknown=True,
                description=f"First publication date, {_UNKNOWN_NOTE}.",
            ),
            Column(
                name="last_reviewed",
                type="date",
                required=False,
                may_be_unknown=True,
                description=f"Date the content was last checked, {_UNKNOWN_NOTE}.",
            ),
            Column(
                name="next_review",
                type="date",
                required=False,
                may_be_unknown=True,
                description=f"Date the content is next due to be checked, {_UNKNOWN_NOTE}.",
            ),
            Column(name="funding", description="Funding, sponsorship and conflict-of-interest statement."),
            Column(name="disclaimer", description="The statement that the article does not replace advice."),
            Column(name="contact_text", description=f"How readers give feedback, {_UNKNOWN_NOTE}."),
            Column(name="contact_url", required=False, description="A feedback page, if any."),
        ),
        primary_key=("article_id",),
        foreign_keys=(),
        rows=_article_rows,
    ),
    Table(
        name="sources",
        description="One row per source an article is based on or its codes were checked against.",
        columns=(
            ARTICLE_ID,
            _id("source_id", "The source's id, unique within the article."),
            Column(name="title", description="The source's title."),
            Column(name="publisher", description="Who published the source."),
            Column(name="url", description=f"Where the source can be read, {_UNKNOWN_NOTE}."),
            Column(name="accessed", type="date", description="The date the source was last consulted."),
        ),
        primary_key=("article_id", "source_id"),
        foreign_keys=(_belongs_to_article(),),
        rows=_source_rows,
    ),
    Table(
        name="uses",
        description="One row per use of the medicine.",
        columns=(
            ARTICLE_ID,
            _id("use_id", "The use's id, unique within the article."),
            Column(name="title", description="A short heading for the use."),
            Column(name="description", description="What goes wrong without treatment."),
            Column(name="how_medicine_helps", description="How the medicine helps with this use."),
            Column(name="duration", required=False, description="How long treatment usually lasts, if stated."),
        ),
        primary_key=("article_id", "use_id"),
        foreign_keys=(_belongs_to_article(),),
        rows=_use_rows,
    ),
    Table(
        name="conditions",
        description="One row per condition, with the use it belongs to.",
        columns=(
            ARTICLE_ID,
            _id("use_id", "The use this condition belongs to (see uses.csv)."),
            _id("condition_id", "The condition's id, unique within the article."),
            Column(name="name", description="The condition's everyday name."),
            Column(name="abbreviation", required=False, description="A common abbreviation, if any."),
            Column(name="description", description="One plain sentence saying what the condition is."),
            Column(
                name="part_of",
                required=False,
                description=(
                    "The condition_id of a broader condition of the same article, if any"
                    " (also in condition_parts.csv, where it is a declared foreign key)."
                ),
            ),
        ),
        primary_key=("article_id", "condition_id"),
        foreign_keys=(ForeignKey(columns=("article_id", "use_id"), table="uses", reference=("article_id", "use_id")),),
        rows=_condition_rows,
    ),
    Table(
        name="condition_parts",
        description=(
            "One row per condition that is part of a broader one (conditions.part_of as its own table, so that"
            " both ends are declared keys: a key with an empty part would not be checked)."
        ),
        columns=(
            ARTICLE_ID,
            _id("condition_id", "The narrower condition (see conditions.csv)."),
            _id("part_of", "The broader condition it is part of, in the same article (see conditions.csv)."),
        ),
        primary_key=("article_id", "condition_id"),
        foreign_keys=(
            _condition_key("condition_id"),
            _condition_key("part_of"),
        ),
        rows=_condition_part_rows,
    ),
    _code_table(
        "condition_codes",
        "One row per diagnosis code of a condition.",
        _id("condition_id", "The coded condition (see conditions.csv)."),
        "conditions",
        _condition_code_rows,
    ),
    Table(
        name="medicine_classes",
        description="One row per class of medicine, with how it works.",
        columns=(
            ARTICLE_ID,
            _id("class_id", "The class's id, unique within the article."),
            Column(name="name", description="The class name."),
            Column(name="mechanism", description="How the class works, in plain words."),
        ),
        primary_key=("article_id", "class_id"),
        foreign_keys=(_belongs_to_article(),),
        rows=_class_rows,
    ),
    _code_table(
        "class_codes",
        "One row per code of a medicine class (not every class has one).",
        _id("class_id", "The coded class (see medicine_classes.csv)."),
        "medicine_classes",
        _class_code_rows,
    ),
    Table(
        name="medicines",
        description=(
            "One row per example of a medicine class, with its class. Most examples are single medicines"
            " (kind = medicine); a few are narrower classes named as examples, such as TNF inhibitors"
            " (kind = class). Filter on kind = medicine for a list of medicines."
        ),
        columns=(
            ARTICLE_ID,
            _id("class_id", "The class the medicine is an example of (see medicine_classes.csv)."),
            _id("medicine_id", "The medicine's id, unique within the article."),
            Column(name="name", description="The name used in the article."),
            Column(name="kind", description="medicine (one active ingredient) or class (a group of medicines)."),
            Column(
                name="international_name",
                required=False,
                description="The WHO International Nonproprietary Name, when it differs from name.",
            ),
        ),
        primary_key=("article_id", "medicine_id"),
        foreign_keys=(
            ForeignKey(
                columns=("article_id", "class_id"),
                table="medicine_classes",
                reference=("article_id", "class_id"),
            ),
        ),
        rows=_medicine_rows,
    ),
    _code_table(
        "medicine_codes",
        "One row per code of a medicine (WHO ATC, RxNorm).",
        _id("medicine_id", "The coded medicine (see medicines.csv)."),
        "medicines",
        _medicine_code_rows,
    ),
    Table(
        name="considerations",
        description="One row per risk, monitoring need or goal of treatment.",
        columns=(
            ARTICLE_ID,
            _id("consideration_id", "The consideration's id, unique within the article."),
            Column(name="kind", description="risk, monitoring or goal."),
            Column(name="text", description="The consideration in plain words."),
        ),
        primary_key=("article_id", "consideration_id"),
        foreign_keys=(_belongs_to_article(),),
        rows=_consideration_rows,
    ),
    Table(
        name="glossary",
        description="One row per glossary term (articles without a glossary have none).",
        columns=(
            ARTICLE_ID,
            Column(name="position", type="integer", description="Order of the term in the glossary, from 1."),
            Column(name="term", description="The medical term."),
            Column(name="definition", description="What the term means, in everyday words."),
            Column(name="source_id", required=False, description="The source the definition rests on, if cited."),
            Column(
                name="wording",
                required=False,
                description="editorial when the definition is the publisher's own wording, for the clinical reviewer.",
            ),
        ),
        primary_key=("article_id", "position"),
        foreign_keys=(_belongs_to_article(),),
        rows=_glossary_rows,
    ),
    Table(
        name="queries",
        description="One row per editorial query for the clinical reviewer (never printed on a handout).",
        columns=(
            ARTICLE_ID,
            _id("query_id", "The query's id, unique within the article."),
            Column(name="fact", description="The reviewed fact the query is about, e.g. conditions/lupus."),
            Column(name="question", description="What the reviewer should decide."),
            Column(name="evidence", required=False, description="What the cited source says that raised it."),
            _id("source_id", "The source of the evidence (see sources.csv)."),
            Column(name="state", description="open or resolved."),
            Column(name="answer", required=False, description="The reviewer's answer, once resolved."),
        ),
        primary_key=("article_id", "query_id"),
        foreign_keys=(_belongs_to_article(), _from_source()),
        rows=_query_rows,
    ),
)


def render_table(table: Table, articles: Iterable[Article], *, bom: bool = True) -> bytes:
    """``table`` over ``articles`` as CSV bytes: header, then rows in article order."""
    return header(table, bom=bom) + b"".join(table_rows(table, article) for article in articles)


def render_tables(articles: Sequence[Article], *, bom: bool = True) -> list[tuple[str, bytes]]:
    """Every table as ``(file name, bytes)`` (the translation tables empty), then ``datapackage.json``."""
    from immunopipe.export.csv_translations import TRANSLATION_TABLES

    files = [(table.file_name, render_table(table, articles, bom=bom)) for table in TABLES]
    files += [(table.file_name, header(table, bom=bom)) for table in TRANSLATION_TABLES]
    return [*files, (DATAPACKAGE_NAME, dump(datapackage()))]


def header(table: Table | TranslationTable, *, bom: bool = True) -> bytes:
    """The first bytes of ``table``'s file: the byte order mark (if wanted) and the header row."""
    return (BYTE_ORDER_MARK if bom else "").encode("utf-8") + _encode([[column.name for column in table.columns]])


def table_rows(table: Table, article: Article) -> bytes:
    """``article``'s rows of ``table`` as CSV bytes; a table's file is its header, then these per article."""
    return encode_rows(table.rows(article))


def article_cells(article: Article) -> tuple[tuple[Row, ...], ...]:
    """``article``'s rows of every table, in :data:`TABLES` order, as plain cells (not yet neutralised)."""
    return tuple(tuple(table.rows(article)) for table in TABLES)


def encode_rows(rows: Iterable[Row]) -> bytes:
    """``rows`` as CSV bytes, every text cell neutralised (:func:`neutralise`)."""
    return _encode([_cell(value) for value in row] for row in rows)


def datapackage() -> dict[str, Any]:
    """The Frictionless Data Package descriptor of :data:`TABLES` and the translation tables."""
    from immunopipe.export.csv_translations import TRANSLATION_TABLES

    tables: list[Table | TranslationTable] = [*TABLES, *TRANSLATION_TABLES]
    return {
        "name": "immunopipe-articles",
        "title": "Health articles exported by immunopipe",
        "description": "Tidy tables of validated health articles; article_id and the *_id columns join them.",
        "resources": [_resource(table) for table in tables],
    }


def _resource(table: Table | TranslationTable) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "fields": [_field(column, in_key=column.name in table.primary_key) for column in table.columns],
        "missingValues": [""],
        "primaryKey": list(table.primary_key),
    }
    if table.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": list(key.columns), "reference": {"resource": key.table, "fields": list(key.reference)}}
            for key in table.foreign_keys
        ]
    return {
        "name": table.name,
        "path": table.file_name,
        "profile": "tabular-data-resource",
        "description": table.description,
        "format": "csv",
        "mediatype": "text/csv",
        # The byte order mark is not part of the encoding name: tools reject "utf-8-sig".
        "encoding": "utf-8",
        "schema": schema,
    }


def _field(column: Column, *, in_key: bool) -> dict[str, Any]:
    field: dict[str, Any] = {"name": column.name, "type": column.type, "description": column.description}
    if column.may_be_unknown:
        field["missingValues"] = ["", UNKNOWN]
    if column.required or in_key:
        field["constraints"] = {"required": True}
    return field


def _encode(rows: Iterable[Sequence[str | int]]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _cell(value: Cell) -> str | int:
    if value is None:
        return ""
    return neutralise(value) if isinstance(value, str) else value
