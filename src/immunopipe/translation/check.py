"""Checks of translation files against their source article, each a :class:`Diagnostic` at ``file:line:col``.

A translation is loaded as strictly as an article (:mod:`immunopipe.load`), checked against
``schema/translation.schema.json``, then fact by fact against the source article:

* every translatable fact of the source has a translation (``translation-missing``) that is done
  (``translation-untranslated``), made from the source's current wording (``translation-stale``,
  a warning that names the old and new English; an error under ``--strict``) with an intact
  fingerprint (``translation-fingerprint``);
* nothing is translated that the source does not have (``translation-orphan``) or that is never
  translated: ids, codes, dates (``translation-fixed-fact``);
* the file translates the article and language its place says (``translation-article``,
  ``translation-language``: a valid BCP 47 tag of a script a typeface is bundled for);
* text holds no bidirectional override, embedding or isolate characters, nor invisible ones
  (``translation-bidi-control``), labels keep their placeholders (``translation-placeholder``),
  every character has a glyph in the language's typefaces (``translation-missing-glyph``), and the
  file is not absurdly larger than its source (``translation-too-large``);
* Spanish prose reads at least "normal" on the INFLESZ scale (``translation-readability``).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from immunopipe.diagnostics import Diagnostic, Severity
from immunopipe.load import Document, LoadError, load_bytes, read_content_file
from immunopipe.translation.document import translation_checker
from immunopipe.translation.facts import FIXED_FIELDS, SourceFact, fact_pointer, fingerprint, source_facts
from immunopipe.translation.labels import LABELS, placeholders
from immunopipe.translation.layout import TRANSLATIONS_FOLDER
from immunopipe.translation.readability import inflesz, inflesz_band, measure_for
from immunopipe.translation.rules import INFLESZ_NORMAL, MAX_SIZE_RATIO, TRANSLATION_RULES
from immunopipe.translation.scripts import (
    Script,
    TypefaceMissing,
    UnsupportedScript,
    font_file,
    missing_characters,
    script_for,
)
from immunopipe.validate.rules.text_invisible_character import is_invisible

#: Bidirectional controls that reorder text (Trojan Source); the marks U+200E, U+200F and U+061C
#: only set the direction of neutral characters and are allowed in right-to-left languages.
BIDI_REORDERING = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
BIDI_MARKS = frozenset("\u200e\u200f\u061c")

#: Prose facts whose Spanish readability is measured (names, terms and labels are too short).
_PROSE_FIELDS = ("summary", "description", "how_medicine_helps", "duration", "mechanism", "text", "definition")
_MIN_WORDS_MEASURED = 8

Severities = Mapping[str, Severity | None]


@dataclass(frozen=True)
class SourceArticle:
    """The source a translation is checked against: its schema-valid data and its file size."""

    data: dict[str, Any]
    size: int


@dataclass
class _Findings:
    """Collects located diagnostics for one translation file, honouring configured severities."""

    document: Document
    severities: Severities

    def __post_init__(self) -> None:
        self.found: list[Diagnostic] = []

    def add(self, rule: str, pointer: str, message: str, *, key: bool = False) -> None:
        severity = self.severities.get(rule, TRANSLATION_RULES[rule].severity)
        if severity is None:
            return
        line, column = self.document.source_map.locate(pointer, key=key)
        self.found.append(Diagnostic(self.document.path, line, column, rule, message, severity, pointer))


def check_translation_file(
    path: Path, shown: str, source: SourceArticle | None, *, severities: Severities | None = None
) -> tuple[list[Diagnostic], dict[str, Any] | None]:
    """Check one translation file; return its diagnostics and, when it has no error, its data.

    ``source`` is the article the file's place names (``None`` when it does not exist or is invalid).
    """
    severities = severities or {}
    try:
        raw = read_content_file(path)
        document = load_bytes(raw, shown)
    except LoadError as exc:
        return [_problem(shown, problem) for problem in exc.problems], None
    findings = _Findings(document, severities)
    load_problems = [_problem(shown, problem) for problem in document.problems]
    schema_problems = translation_checker().check(document)
    if load_problems or schema_problems:
        return load_problems + schema_problems, None
    data = document.data
    _check_place(findings, path, data)
    if source is None:
        message = f"no valid source article {path.stem!r} next to the translations folder; fix or add it first"
        findings.add("translation-source", "/article", message)
    elif len(raw) > MAX_SIZE_RATIO * source.size:
        ratio = len(raw) / source.size
        message = (
            f"the file is {len(raw):,} bytes, {ratio:,.0f} times its source article ({source.size:,} bytes); "
            f"a translation is at most {MAX_SIZE_RATIO} times its source"
        )
        findings.add("translation-too-large", "", message)
    else:
        _check_facts(findings, data, source_facts(source.data))
    _check_text(findings, data)
    valid = not any(d.severity is Severity.ERROR for d in findings.found)
    return findings.found, data if valid else None


def _problem(shown: str, problem: Any) -> Diagnostic:
    return Diagnostic(
        shown, problem.line, problem.column, problem.rule, problem.message, Severity.ERROR, problem.pointer
    )


def _check_place(findings: _Findings, path: Path, data: dict[str, Any]) -> None:
    import langcodes

    if data["article"] != path.stem:
        message = (
            f"this file translates article {data['article']!r} but is named after {path.stem!r}: "
            f"its translation belongs in {TRANSLATIONS_FOLDER}/{path.parent.name}/{data['article']}.yaml"
        )
        findings.add("translation-article", "/article", message)
    language = data["language"]
    if not langcodes.tag_is_valid(language):
        findings.add(
            "translation-language",
            "/language",
            f"{language!r} is not a valid BCP 47 language tag (e.g. es, ar, zh-Hans)",
        )
        return
    if language != path.parent.name:
        message = f"the language {language!r} differs from the folder {path.parent.name!r}: the folder is the tag"
        findings.add("translation-language", "/language", message)
    try:
        script_for(language)
    except UnsupportedScript as exc:
        findings.add("translation-language", "/language", f"{language!r} cannot be printed: {exc}")


def _check_facts(findings: _Findings, data: dict[str, Any], facts: dict[str, SourceFact]) -> None:
    translated: dict[str, Any] = data["facts"]
    for key, source in facts.items():
        entry = translated.get(key)
        if entry is None:
            message = f"{_describe(key)} is not translated (English: {_quote(source.text)}); run: immunopipe translate"
            findings.add("translation-missing", "/facts", message, key=True)
            continue
        pointer = fact_pointer(key)
        if fingerprint(entry["source"]) != entry["fingerprint"]:
            message = (
                f"the fingerprint {entry['fingerprint']} is not that of the source text stored with it "
                f"({fingerprint(entry['source'])}): never edit fingerprints by hand; use immunopipe translate --accept"
            )
            findings.add("translation-fingerprint", f"{pointer}/fingerprint", message)
        elif entry["fingerprint"] != fingerprint(source.text):
            message = (
                f"the English of {_describe(key)} changed since it was translated: "
                f"was {_quote(entry['source'])}, now {_quote(source.text)}; update the translation, "
                f"then run: immunopipe translate {data['article']} {data['language']} --accept '{key}'"
            )
            findings.add("translation-stale", f"{pointer}/text", message)
        if entry.get("untranslated"):
            message = f"{_describe(key)} is still in English: translate it, then remove 'untranslated: true'"
            findings.add("translation-untranslated", f"{pointer}/untranslated", message, key=True)
        if key.startswith("labels/"):
            _check_placeholders(findings, key, entry["text"])
    for key in translated:
        if key not in facts:
            _orphan(findings, key, facts)


def _orphan(findings: _Findings, key: str, facts: dict[str, SourceFact]) -> None:
    pointer = fact_pointer(key)
    field = key.rsplit("/", 1)[-1]
    if field in FIXED_FIELDS or key.split("/", 1)[0] in FIXED_FIELDS:
        message = f"{key!r} is an id, code or date: these are never translated, they come from the source"
        findings.add("translation-fixed-fact", pointer, message, key=True)
        return
    close = difflib.get_close_matches(key, list(facts), n=1, cutoff=0.6)
    hint = f"; ids are never translated: did you mean '{close[0]}'?" if close else "; remove it"
    findings.add("translation-orphan", pointer, f"the source has no fact {key!r}{hint}", key=True)


def _check_placeholders(findings: _Findings, key: str, text: str) -> None:
    expected = placeholders(LABELS[key.removeprefix("labels/")])
    found = placeholders(text)
    if found != expected:
        wanted = ", ".join(f"{{{name}}}" for name in expected) or "none"
        written = ", ".join(f"{{{name}}}" for name in found) or "none"
        message = f"the label must keep exactly the placeholders of the English ({wanted}); found {written}"
        findings.add("translation-placeholder", f"{fact_pointer(key)}/text", message)


def _check_text(findings: _Findings, data: dict[str, Any]) -> None:
    language = data["language"]
    try:
        script: Script | None = script_for(language)
    except (UnsupportedScript, ValueError, LookupError):
        script = None
    fonts = _fonts(findings, script) if script else []
    measured = measure_for(language)
    for key, entry in data["facts"].items():
        pointer = f"{fact_pointer(key)}/text"
        text = entry["text"]
        _check_controls(findings, pointer, text, right_to_left=bool(script and script.direction == "rtl"))
        if fonts and not entry.get("untranslated"):
            missing = missing_characters(fonts, text)
            if missing:
                names = ", ".join(_character_name(character) for character in missing)
                families = " and ".join(typeface.family for typeface in script.typefaces)  # type: ignore[union-attr]
                message = f"{names} cannot be printed: {families} have no glyph for it; write it another way"
                findings.add("translation-missing-glyph", pointer, message)
        if measured and key.rsplit("/", 1)[-1] in _PROSE_FIELDS:
            _check_readability(findings, pointer, text)


def _fonts(findings: _Findings, script: Script) -> list[Path]:
    try:
        return [font_file(typeface) for typeface in script.typefaces]
    except TypefaceMissing as exc:
        findings.add("translation-missing-glyph", "/language", f"cannot check glyphs: {exc}")
        return []


def _check_controls(findings: _Findings, pointer: str, text: str, *, right_to_left: bool) -> None:
    for character in dict.fromkeys(text):
        if character in BIDI_MARKS and right_to_left:
            continue
        if character in BIDI_REORDERING or character in BIDI_MARKS or is_invisible(character):
            column = text.index(character) + 1
            message = (
                f"{_character_name(character)} at character {column} of the text can show it in another order "
                "than it is stored, or hide text; delete it (the handout sets the direction itself)"
            )
            findings.add("translation-bidi-control", pointer, message)


def _check_readability(findings: _Findings, pointer: str, text: str) -> None:
    if len(text.split()) < _MIN_WORDS_MEASURED:
        return
    score = inflesz(text)
    if score is not None and score < INFLESZ_NORMAL:
        message = (
            f"reads as {inflesz_band(score)} on the INFLESZ scale ({score:.1f}; aim for {INFLESZ_NORMAL:g} or more): "
            "use shorter sentences and shorter words"
        )
        findings.add("translation-readability", pointer, message)


def _character_name(character: str) -> str:
    import unicodedata

    return f"U+{ord(character):04X} {unicodedata.name(character, 'unnamed character')}"


def _describe(key: str) -> str:
    return f"fact '{key}'"


def _quote(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return f'"{text[: limit - 3]}..."' if len(text) > limit else f'"{text}"'
