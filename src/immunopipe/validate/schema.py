"""The article JSON Schema: loading it, checking documents, and wording its errors for authors.

Two validators, one schema. A compiled validator (jsonschema-rs, ~100x faster) answers "valid?"
for every document; only when it says no does python-jsonschema run, to list every error with
its path so each can be located by line and column. Both read ``pattern`` with ECMA-262
semantics (``$`` is the end of the text, not "before a final newline"), and a differential test
keeps them in agreement. Neither fetches anything: ``$ref`` resolves only inside the schema.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from datetime import date
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from immunopipe.article_schema import SchemaUnavailable, load_schema
from immunopipe.diagnostics import Diagnostic, Severity
from immunopipe.ids import ID_PATTERN
from immunopipe.load import Document
from immunopipe.pointer import escape_pointer_token
from immunopipe.safe_text import printable
from immunopipe.validate.where import describe

if TYPE_CHECKING:
    from jsonschema import ValidationError
    from jsonschema.protocols import Validator

RULE_BY_KEYWORD = {
    "additionalProperties": "schema-unknown-key",
    "required": "schema-required",
    "type": "schema-type",
    "enum": "schema-enum",
    "const": "schema-const",
    "format": "schema-format",
    "pattern": "schema-pattern",
    "minLength": "schema-length",
    "maxLength": "schema-length",
    "minItems": "schema-items",
    "maxItems": "schema-items",
    "minimum": "schema-range",
    "maximum": "schema-range",
}

_TYPE_WORDS = {
    "object": "a mapping of keys to values",
    "array": "a list",
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "nothing (null)",
}

_PATTERN_HINTS = {
    f"^{ID_PATTERN.pattern}$": "use lowercase letters a-z, digits and single hyphens, e.g. 'type-1-diabetes'",
    "^https?://[^\\s/?#]+([/?#]\\S*)?$": "write an absolute address such as https://example.org/page",
    "^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2})?$": "write a language tag such as 'en', 'en-GB' or 'zh-Hans'",
}

_FORMAT_HINTS = {
    "date": "write a real calendar date as YYYY-MM-DD",
    "uri": "write an absolute web address such as https://example.org/page",
}


_VALUE_RULES = {"schema-type", "schema-format", "schema-pattern", "schema-const", "schema-enum"}


@cache
def _ecma_regex(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled so that a final ``$`` matches only at the very end, as in ECMA-262."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


def _detailed_validator(schema: dict[str, Any]) -> Validator:
    """python-jsonschema, for its error paths; imported only when a document is invalid."""
    from jsonschema import Draft202012Validator, ValidationError, validators
    from jsonschema.exceptions import SchemaError
    from referencing import Registry

    def pattern(validator: Validator, expected: str, instance: Any, _schema: Any) -> Iterator[ValidationError]:
        if validator.is_type(instance, "string") and not _ecma_regex(expected).search(instance):
            yield ValidationError(f"{instance!r} does not match {expected!r}")

    ecma_validator = validators.extend(Draft202012Validator, {"pattern": pattern})
    try:
        ecma_validator.check_schema(schema)
    except SchemaError as exc:
        raise SchemaUnavailable(f"the bundled schema is not a valid JSON Schema: {exc.message}") from exc
    # An empty registry: a $ref can only point inside the schema, never to the network.
    return ecma_validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER, registry=Registry())


_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def is_calendar_date(value: str) -> bool:
    """The ``date`` format as python-jsonschema checks it: ``YYYY-MM-DD`` naming a real day, years 1-9999.

    The compiled validator's own check follows RFC 3339, which allows the year 0000 that no
    exporter can print; both validators must agree, so the compiled one is given this one.
    """
    if not _DATE_SHAPE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


class SchemaChecker:
    """Checks documents against the article schema; build once, use for every file."""

    def __init__(self, schema: dict[str, Any] | None = None) -> None:
        self._schema = schema if schema is not None else load_schema()
        try:
            self._fast = jsonschema_rs.validator_for(
                self._schema, validate_formats=True, offline=True, formats={"date": is_calendar_date}
            )
        except (ValueError, jsonschema_rs.ValidationError) as exc:
            raise SchemaUnavailable(f"the bundled schema is not a valid JSON Schema: {exc}") from exc

    @cached_property
    def _detailed(self) -> Validator:
        return _detailed_validator(self._schema)

    def is_valid(self, data: Any) -> bool:
        """Fast yes/no answer from the compiled validator, without building diagnostics."""
        return self._fast.is_valid(data)

    def is_valid_detailed(self, data: Any) -> bool:
        """The same answer from python-jsonschema (the reference the fast path must agree with)."""
        return self._detailed.is_valid(data)

    def check(self, document: Document) -> list[Diagnostic]:
        """Every schema problem of ``document``, located and worded for authors."""
        if self._fast.is_valid(document.data):
            return []
        found: dict[tuple[str, str, str], Diagnostic] = {}
        errors = list(self._detailed.iter_errors(document.data))
        misspelt = _misspelt_required_keys(errors)
        for error in errors:
            for diagnostic in _diagnostics_for(error, document, misspelt):
                found.setdefault((diagnostic.pointer, diagnostic.rule, diagnostic.message), diagnostic)
        return sorted(found.values(), key=lambda d: (d.line, d.column, d.message))


def pointer_of(error: ValidationError) -> str:
    """The JSON pointer of the instance an error is about."""
    return "".join(f"/{escape_pointer_token(part)}" for part in error.absolute_path)


#: An unknown key that is a close spelling of a missing required key: (object pointer, key) -> the required key.
Misspelt = dict[tuple[str, str], str]


def _all_errors(errors: list[ValidationError]) -> Iterator[ValidationError]:
    for error in errors:
        yield error
        yield from _all_errors(list(error.context or ()))


def _misspelt_required_keys(errors: list[ValidationError]) -> Misspelt:
    """Unknown keys that are typos of a missing required key of the same object, so each gives one error."""
    missing: dict[str, set[str]] = {}
    unknown: list[tuple[str, str, list[str]]] = []
    for error in _all_errors(errors):
        if not isinstance(error.instance, dict):
            continue
        pointer = pointer_of(error)
        if error.validator == "required":
            missing.setdefault(pointer, set()).update(n for n in error.validator_value if n not in error.instance)
        elif error.validator == "additionalProperties":
            allowed = list(error.schema.get("properties", {}))
            unknown += [(pointer, key, allowed) for key in error.instance if key not in allowed]
    misspelt: Misspelt = {}
    for pointer, key, _allowed in unknown:
        candidates = sorted(missing.get(pointer, set()) - set(misspelt.values()))
        match = difflib.get_close_matches(key, candidates, n=1)
        if match:
            misspelt[(pointer, key)] = match[0]
    return misspelt


def _diagnostics_for(error: ValidationError, document: Document, misspelt: Misspelt) -> Iterator[Diagnostic]:
    if error.validator in ("anyOf", "oneOf") and error.context:
        yield from _diagnostics_for_alternatives(error, document, misspelt)
        return
    pointer = pointer_of(error)
    rule = RULE_BY_KEYWORD.get(str(error.validator), f"schema-{error.validator}")
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list(error.schema.get("properties", {}))
        for key in error.instance:
            if key in allowed:
                continue
            child = f"{pointer}/{escape_pointer_token(key)}"
            line, column = document.source_map.locate(child, key=True)
            if (pointer, key) in misspelt:
                message = (
                    f"'{printable(key)}' should be '{misspelt[pointer, key]}' (a required key): correct the spelling"
                )
            else:
                hint = difflib.get_close_matches(key, allowed, n=1)
                suggestion = f"; did you mean '{hint[0]}'?" if hint else f"; allowed keys: {', '.join(allowed)}"
                message = f"unknown key '{printable(key)}'{suggestion}"
            yield Diagnostic(document.path, line, column, rule, message, Severity.ERROR, child)
        return
    if error.validator == "required" and isinstance(error.instance, dict):
        line, column = document.source_map.locate(pointer)
        corrected = {name for (parent, _key), name in misspelt.items() if parent == pointer}
        for name in error.validator_value:
            if name not in error.instance and name not in corrected:
                where = f" in {describe(document.data, pointer)}" if pointer else ""
                yield Diagnostic(
                    document.path,
                    line,
                    column,
                    rule,
                    f"missing required key '{name}'{where}",
                    Severity.ERROR,
                    pointer,
                )
        return
    line, column = document.source_map.locate(pointer)
    yield Diagnostic(document.path, line, column, rule, _message(error), Severity.ERROR, pointer)


def _diagnostics_for_alternatives(
    error: ValidationError, document: Document, misspelt: Misspelt
) -> Iterator[Diagnostic]:
    """anyOf/oneOf: report the alternative the author most likely meant."""
    allows_unknown = any(sub.get("$ref") == "#/$defs/unknown" for sub in error.validator_value)
    candidates = [e for e in error.context if not (e.validator == "const" and e.validator_value == "unknown")]
    if not candidates:
        candidates = list(error.context)
    # Prefer errors that went deepest into the value: the author was writing that shape.
    deepest = max(len(e.absolute_path) for e in candidates)
    chosen = [e for e in candidates if len(e.absolute_path) == deepest]
    if deepest == len(error.absolute_path) and isinstance(error.instance, str) and allows_unknown:
        chosen = chosen[:1]
    for sub in chosen:
        for diagnostic in _diagnostics_for(sub, document, misspelt):
            if allows_unknown and sub.absolute_path == error.absolute_path and diagnostic.rule in _VALUE_RULES:
                diagnostic = Diagnostic(
                    diagnostic.path,
                    diagnostic.line,
                    diagnostic.column,
                    diagnostic.rule,
                    f"{diagnostic.message} (or write 'unknown' if the source does not say)",
                    diagnostic.severity,
                    diagnostic.pointer,
                )
            yield diagnostic


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"the number {value}"
    return f"the text {_short(value)}"


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if len(text) > 60:
        text = text[:57] + "..."
    return repr(text)


def _message(error: ValidationError) -> str:
    keyword, expected, value = error.validator, error.validator_value, error.instance
    if keyword == "type":
        types = [expected] if isinstance(expected, str) else list(expected)
        wanted = " or ".join(_TYPE_WORDS.get(t, t) for t in types)
        message = f"expected {wanted}, found {_type_name(value)}"
        if "string" in types and value is None:
            message += "; an empty value is null in YAML: write the text, or quote it"
        elif "string" in types and not isinstance(value, str):
            message += "; quote it to keep it as text"
        return message
    if keyword == "enum":
        return f"{_short(value)} is not allowed here; use one of: {', '.join(map(str, expected))}"
    if keyword == "const":
        return f"expected {expected!r}, found {_short(value)}"
    if keyword == "format":
        hint = _FORMAT_HINTS.get(expected, f"write a valid {expected}")
        return f"{_short(value)} is not a valid {expected}: {hint}"
    if keyword == "pattern":
        hint = _PATTERN_HINTS.get(expected, f"it must match the pattern {expected}")
        return f"{_short(value)} is not allowed here: {hint}"
    if keyword == "minLength":
        return "must not be empty" if expected == 1 else f"must be at least {expected} characters long"
    if keyword == "maxLength":
        return f"is {len(value)} characters long; the limit is {expected}"
    if keyword == "minItems":
        return f"needs at least {expected} item{'s' if expected != 1 else ''}"
    if keyword == "maxItems":
        return f"has {len(value)} items; the limit is {expected}"
    if keyword == "minimum":
        return f"{value} is too small; the minimum is {expected}"
    if keyword == "maximum":
        return f"{value} is too large; the maximum is {expected}"
    return error.message
