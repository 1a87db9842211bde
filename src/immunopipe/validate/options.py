"""Settings a rule declares for ``[tool.immunopipe]``, checked by the config loader.

As in yamllint, a rule module with settings defines ``CONF_TABLE`` (its table in
``[tool.immunopipe]``), ``CONF`` (each key's kind of value) and ``DEFAULT`` (each key's value when
not configured). The loader refuses unknown keys and wrong values for every such rule alike, and
rules read the values from :attr:`RuleContext.options` under ``option_key(CONF_TABLE, key)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, kw_only=True)
class NumberOption:
    """A number from ``low`` to ``high``; ``help`` says what it changes (shown in the docs)."""

    low: int
    high: int
    help: str

    def accepts(self, value: Any) -> bool:
        """True if ``value`` (as read from TOML) is a number in range; booleans are not numbers."""
        return not isinstance(value, bool) and isinstance(value, int | float) and self.low <= value <= self.high

    def expected(self) -> str:
        """What a value must be, for messages."""
        return f"a number from {self.low} to {self.high}"

    def convert(self, value: int | float) -> float:
        """The accepted ``value`` as rules receive it."""
        return float(value)


def option_key(table: str, key: str) -> str:
    """The name of a rule setting, as written in ``[tool.immunopipe]`` (``readability.max-grade``)."""
    return f"{table}.{key}"
