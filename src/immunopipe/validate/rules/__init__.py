"""Semantic rules, run after the schema passes. One module per rule; its docstring is its docs.

A rule module defines ``ID`` (stable kebab-case id), ``SEVERITY`` (default), ``SUMMARY`` (one
line), ``STANDARD`` (where the requirement comes from) and either ``check(article, context)``
yielding :class:`Finding` for one article, or ``check_library(articles, context)`` yielding
``(ArticleRef, Finding)`` pairs across every file of a run (an ``ArticleRef`` holds an article's
path and id only, so these rules see ids, not contents). Modules with ``SCOPE = "suppression"``
or ``"baseline"`` have no check: they name the warnings about ignore comments
(:mod:`immunopipe.validate.suppression`) and baseline entries (:mod:`immunopipe.validate.baseline`),
so those can be listed, documented and configured like any rule. Modules with ``SCOPE = "profile"``
name the clinic profile's checks (:mod:`immunopipe.validate.profile`): listed and documented,
always errors, never configured. A rule with settings also defines
``CONF_TABLE``, ``CONF`` and ``DEFAULT`` (:mod:`immunopipe.validate.options`). A rule module
imports shared words from :mod:`immunopipe.validate.vocabulary`, never from another rule.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.options import NumberOption
from immunopipe.validate.rules import (
    article_id_reserved,
    article_id_unique,
    author_unknown,
    baseline_stale,
    clinical_review_changed,
    clinical_review_consistent,
    clinical_review_pending,
    clinical_review_query_open,
    clinical_review_query_target,
    code_classification,
    code_edition,
    code_format,
    code_header,
    code_reference,
    code_unverified,
    contact_route,
    contact_unknown,
    cross_reference,
    date_order,
    dates_unknown,
    disclaimer_advice,
    funding_statement,
    glossary_source,
    glossary_term,
    glossary_unused,
    handout_length,
    id_matches_file,
    profile_contact_times,
    profile_logo,
    publisher_named,
    publisher_url_unknown,
    readability_grade,
    review_interval,
    review_overdue,
    source_identified,
    source_url_unknown,
    suppression_reason,
    suppression_unused,
    text_empty,
    text_glyph_missing,
    text_invisible_character,
    text_mixed_script,
    text_placeholder,
    text_spacing,
    unique_id,
)


@dataclass(frozen=True)
class Rule:
    """A registered rule, described from its module."""

    id: str
    severity: Severity
    summary: str
    standard: str
    doc: str
    module: ModuleType

    @property
    def conf_table(self) -> str | None:
        """The rule's table of settings in ``[tool.immunopipe]``, if it has settings."""
        return getattr(self.module, "CONF_TABLE", None)

    @property
    def conf(self) -> Mapping[str, NumberOption]:
        """Each setting's kind of value (see :mod:`immunopipe.validate.options`)."""
        return getattr(self.module, "CONF", {})

    @property
    def default(self) -> Mapping[str, Any]:
        """Each setting's value when it is not configured."""
        return getattr(self.module, "DEFAULT", {})

    @property
    def library_wide(self) -> bool:
        """True for rules that compare articles with each other."""
        return hasattr(self.module, "check_library")

    @property
    def scope(self) -> str:
        """What the rule looks at: ``article``, ``library``, ``suppression``, ``baseline`` or ``profile``."""
        return getattr(self.module, "SCOPE", "library" if self.library_wide else "article")

    @property
    def check(self) -> Callable[..., Iterator[Any]]:
        """The rule's check function (per article, or per library)."""
        return self.module.check_library if self.library_wide else self.module.check


def _describe(module: ModuleType) -> Rule:
    return Rule(
        id=module.ID,
        severity=module.SEVERITY,
        summary=module.SUMMARY,
        standard=module.STANDARD,
        doc=inspect.cleandoc(module.__doc__ or ""),
        module=module,
    )


RULE_MODULES: tuple[ModuleType, ...] = (
    unique_id,
    cross_reference,
    code_format,
    date_order,
    id_matches_file,
    article_id_reserved,
    article_id_unique,
    # Provenance and accountability
    publisher_named,
    publisher_url_unknown,
    source_identified,
    source_url_unknown,
    author_unknown,
    clinical_review_pending,
    clinical_review_consistent,
    clinical_review_changed,
    clinical_review_query_open,
    clinical_review_query_target,
    funding_statement,
    contact_unknown,
    contact_route,
    # Currency
    dates_unknown,
    review_overdue,
    review_interval,
    # Complementarity
    disclaimer_advice,
    # Readability and plain language
    readability_grade,
    glossary_term,
    glossary_unused,
    glossary_source,
    # Codes
    code_classification,
    code_unverified,
    code_header,
    code_reference,
    code_edition,
    # Text hygiene
    text_invisible_character,
    text_mixed_script,
    text_spacing,
    text_empty,
    text_placeholder,
    # Adopting the rules: ignore comments and the baseline
    suppression_unused,
    suppression_reason,
    baseline_stale,
    text_glyph_missing,
    handout_length,
    # Clinic profiles (--profile): always errors
    profile_logo,
    profile_contact_times,
)

RULES: dict[str, Rule] = {rule.id: rule for rule in map(_describe, RULE_MODULES)}
