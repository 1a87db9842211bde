"""Project settings: the ``[tool.immunopipe]`` table of ``pyproject.toml`` in the working folder.

Every key is optional; the defaults are shown::

    [tool.immunopipe]
    content = "content"          # folder of articles
    out = "exports"              # folder exports are written to
    paper = "a4"                 # PDF page size: "a4" or "letter"
    profile = "clinic.yaml"      # clinic profile printed in handouts (default: none)
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
from typing import Any, cast

from immunopipe.diagnostics import Severity
from immunopipe.errors import ImmunopipeError
from immunopipe.formats import DEFAULT_PAPER, PAPER_SIZES, Paper
from immunopipe.translation.rules import TRANSLATION_RULES
from immunopipe.validate.context import RuleContext
from immunopipe.validate.options import option_key
from immunopipe.validate.rules import RULES, Rule

CONFIG_FILE = "pyproject.toml"
TABLE = "[tool.immunopipe]"

PAPERS = tuple(PAPER_SIZES)

#: How severities are written in the configuration; ``off`` switches a rule off.
SEVERITY_NAMES: dict[str, Severity | None] = {"error": Severity.ERROR, "warning": Severity.WARNING, "off": None}

#: The rules with settings, by the name of their table in ``[tool.immunopipe]`` (``readability``).
RULE_TABLES: dict[str, Rule] = {rule.conf_table: rule for rule in RULES.values() if rule.conf_table}
KEYS = ("content", "out", "paper", "profile", *RULE_TABLES, "rules")


def default_options() -> dict[str, Any]:
    """Every rule setting at its default, named as in ``[tool.immunopipe]``."""
    return {option_key(name, key): value for name, rule in RULE_TABLES.items() for key, value in rule.default.items()}


class ConfigError(ImmunopipeError):
    """The configuration cannot be used; the message says where and how to fix it."""


@dataclass(frozen=True, kw_only=True)
class Config:
    """Validated settings, with the defaults for anything not configured."""

    content: Path = Path("content")
    out: Path = Path("exports")
    paper: Paper = DEFAULT_PAPER
    #: The clinic profile handouts carry, or ``None`` for none.
    profile: Path | None = None
    #: Every rule setting (``readability.max-grade``), with the defaults for those not configured.
    options: Mapping[str, Any] = field(default_factory=default_options)
    #: Rule id -> configured severity (``None`` = off), only for the rules configured.
    severities: Mapping[str, Severity | None] = field(default_factory=dict)
    #: The file the settings came from, or ``None`` when they are all defaults.
    source: Path | None = None

    def rule_context(self) -> RuleContext:
        """A rule context (dated today) with these settings."""
        return RuleContext(options=dict(self.options))


def load_config(directory: Path | None = None) -> Config:
    """The settings of ``directory``/pyproject.toml (default: the working folder).

    No file, or no ``[tool.immunopipe]`` table in it, gives the defaults; a folder, a link to
    nothing or anything else that is not a file by that name is a :class:`ConfigError`.
    """
    path = (directory if directory is not None else Path.cwd()) / CONFIG_FILE
    if not path.is_file():
        if path.exists() or path.is_symlink():
            raise ConfigError(f"cannot read {path}: it is not a regular file")
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
    for name, rule in RULE_TABLES.items():
        _check_rule_table(table.get(name, {}), rule, name, where)
    return Config(
        content=_folder(table, "content", Config.content, where),
        out=_folder(table, "out", Config.out, where),
        paper=_paper(table.get("paper", Config.paper), where),
        profile=_profile(table.get("profile"), where),
        options=_rule_options(table, where),
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
    if "\0" in value:
        raise ConfigError(f"{where} '{key}' must be a folder name, and no file name holds a NUL character: {value!r}")
    return Path(value)


def _profile(value: Any, where: str) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            f"{where} 'profile' must be the path of a clinic profile such as \"clinic.yaml\", not {value!r}"
        )
    return Path(value)


def _paper(value: Any, where: str) -> Paper:
    if value not in PAPERS:
        raise ConfigError(f"{where} 'paper' must be one of {', '.join(map(repr, PAPERS))}, not {value!r}")
    return cast(Paper, value)


def _check_rule_table(settings: Any, rule: Rule, name: str, where: str) -> None:
    if not isinstance(settings, dict):
        key, value = next(iter(rule.default.items()))
        raise ConfigError(f"{where} '{name}' must be a table, e.g. {option_key(name, key)} = {value:g}")
    _refuse_unknown(settings, tuple(rule.conf), f"{where} {name}", "key")


def _rule_options(table: dict[str, Any], where: str) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for name, rule in RULE_TABLES.items():
        settings = table.get(name, {})
        for key, option in rule.conf.items():
            value = settings.get(key, rule.default[key])
            if not option.accepts(value):
                raise ConfigError(f"{where} '{option_key(name, key)}' must be {option.expected()}, not {value!r}")
            options[option_key(name, key)] = option.convert(value)
    return options


def _severities(rules: Any, where: str) -> dict[str, Severity | None]:
    if not isinstance(rules, dict):
        raise ConfigError(f"{where} 'rules' must be a table of rule ids, e.g. rules = {{ author-unknown = \"off\" }}")
    more = "`immunopipe rules` lists them (schema and YAML checks are always errors)"
    _refuse_unknown(rules, (*RULES, *TRANSLATION_RULES), f"{where} rules:", "rule id", more)
    result: dict[str, Severity | None] = {}
    for rule_id, name in rules.items():
        if rule_id in RULES and RULES[rule_id].scope == "profile":
            raise ConfigError(
                f"{where} rules: '{rule_id}' checks the clinic profile and is always an error; it cannot be configured"
            )
        if name not in SEVERITY_NAMES:
            raise ConfigError(
                f"{where} rules: '{rule_id}' must be one of {', '.join(map(repr, SEVERITY_NAMES))}, not {name!r}"
            )
        result[rule_id] = SEVERITY_NAMES[name]
    return result
