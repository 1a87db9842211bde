"""Project settings: the ``[tool.immunopipe]`` table of ``pyproject.toml`` in the working folder.

Every key is optional; the defaults are shown::

    [tool.immunopipe]
    content = "content"          # folder of articles
    out = "exports"              # folder exports are written to
    paper = "a4"                 # PDF page size: "a4" or "letter"
    readability.max-grade = 8    # readability-grade warns above this Flesch-Kincaid grade (1-20)

    [tool.immunopipe.rules]      # severity per rule id: "error", "warning" or "off"
    author-unknown = "off"
    readability-grade = "error"

Unknown keys, unknown rule ids and values of the wrong kind raise :class:`ConfigError`, so a
typo never silently leaves a setting at its default. Schema and YAML checks are always errors
and cannot be configured.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import RuleContext
from immunopipe.validate.rule_options import DEFAULT_MAX_GRADE, MAX_GRADE_OPTION

CONFIG_FILE = "pyproject.toml"
TABLE = "[tool.immunopipe]"

Paper = Literal["a4", "letter"]
PAPERS: tuple[Paper, ...] = ("a4", "letter")

#: How severities are written in the configuration; ``off`` switches a rule off.
SEVERITY_NAMES: dict[str, Severity | None] = {"error": Severity.ERROR, "warning": Severity.WARNING, "off": None}

GRADE_RANGE = (1, 20)
KEYS = ("content", "out", "paper", "readability", "rules")
READABILITY_KEYS = ("max-grade",)


class ConfigError(Exception):
    """The configuration cannot be used; the message says where and how to fix it."""


@dataclass(frozen=True, kw_only=True)
class Config:
    """Validated settings, with the defaults for anything not configured."""

    content: Path = Path("content")
    out: Path = Path("exports")
    paper: Paper = "a4"
    readability_max_grade: float = DEFAULT_MAX_GRADE
    #: Rule id -> configured severity (``None`` = off), only for the rules configured.
    severities: Mapping[str, Severity | None] = field(default_factory=dict)
    #: The file the settings came from, or ``None`` when they are all defaults.
    source: Path | None = None

    def rule_options(self) -> dict[str, Any]:
        """The options rules read from :attr:`RuleContext.options`."""
        return {MAX_GRADE_OPTION: self.readability_max_grade}

    def rule_context(self) -> RuleContext:
        """A rule context (dated today) with these options."""
        return RuleContext(options=self.rule_options())


def load_config(directory: Path | None = None) -> Config:
    """The settings of ``directory``/pyproject.toml (default: the working folder).

    No file, or no ``[tool.immunopipe]`` table in it, gives the defaults.
    """
    path = (directory if directory is not None else Path.cwd()) / CONFIG_FILE
    if not path.is_file():
        return Config()
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    tool = document.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: 'tool' must be a table")
    if "immunopipe" not in tool:
        return Config()
    return parse_config(tool["immunopipe"], path)


def parse_config(table: Any, path: Path) -> Config:
    """Validate the contents of ``[tool.immunopipe]`` (read from ``path``, named in messages)."""
    where = f"{path}: {TABLE}"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    _refuse_unknown(table, KEYS, where, "key")
    readability = table.get("readability", {})
    if not isinstance(readability, dict):
        raise ConfigError(f"{where} 'readability' must be a table, e.g. readability.max-grade = 8")
    _refuse_unknown(readability, READABILITY_KEYS, f"{where} readability", "key")
    return Config(
        content=_folder(table, "content", Config.content, where),
        out=_folder(table, "out", Config.out, where),
        paper=_paper(table.get("paper", Config.paper), where),
        readability_max_grade=_grade(readability.get("max-grade", DEFAULT_MAX_GRADE), where),
        severities=_severities(table.get("rules", {}), where),
        source=path,
    )


def _refuse_unknown(table: dict[str, Any], allowed: tuple[str, ...], where: str, what: str, more: str = "") -> None:
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"did you mean '{close[0]}'?" if close else more or f"allowed: {', '.join(allowed)}"
            raise ConfigError(f"{where} unknown {what} '{key}'; {hint}")


def _folder(table: dict[str, Any], key: str, default: Path, where: str) -> Path:
    value = table.get(key, str(default))
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where} '{key}' must be a folder name such as \"{default}\", not {value!r}")
    return Path(value)


def _paper(value: Any, where: str) -> Paper:
    if value not in PAPERS:
        raise ConfigError(f"{where} 'paper' must be one of {', '.join(map(repr, PAPERS))}, not {value!r}")
    return cast(Paper, value)


def _grade(value: Any, where: str) -> float:
    low, high = GRADE_RANGE
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ConfigError(f"{where} 'readability.max-grade' must be a number from {low} to {high}, not {value!r}")
    return float(value)


def _severities(rules: Any, where: str) -> dict[str, Severity | None]:
    if not isinstance(rules, dict):
        raise ConfigError(f"{where} 'rules' must be a table of rule ids, e.g. rules = {{ author-unknown = \"off\" }}")
    if rules:  # the rules are loaded only when some are configured
        from immunopipe.validate.rules import RULES

        more = "`immunopipe rules` lists them (schema and YAML checks are always errors)"
        _refuse_unknown(rules, tuple(RULES), f"{where} rules:", "rule id", more)
    result: dict[str, Severity | None] = {}
    for rule_id, name in rules.items():
        if name not in SEVERITY_NAMES:
            raise ConfigError(
                f"{where} rules: '{rule_id}' must be one of {', '.join(map(repr, SEVERITY_NAMES))}, not {name!r}"
            )
        result[rule_id] = SEVERITY_NAMES[name]
    return result
