"""Rule settings: every rule declares them completely, and the config loader checks each one alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from immunopipe.config import ConfigError, default_options, load_config
from immunopipe.validate.options import NumberOption, option_key
from immunopipe.validate.rules import RULES, Rule

CONFIGURABLE = [rule for rule in RULES.values() if rule.conf_table]
SETTINGS = [(rule, key) for rule in CONFIGURABLE for key in rule.conf]


def test_readability_grade_declares_its_setting() -> None:
    assert [rule.id for rule in CONFIGURABLE] == ["readability-grade"]
    assert default_options() == {"readability.max-grade": 8.0}


@pytest.mark.parametrize("rule", CONFIGURABLE, ids=lambda rule: rule.id)
def test_every_setting_has_a_default_its_kind_accepts(rule: Rule) -> None:
    assert rule.conf.keys() == rule.default.keys()
    for key, option in rule.conf.items():
        assert option.accepts(rule.default[key])


@pytest.mark.parametrize(("rule", "key"), SETTINGS, ids=lambda item: getattr(item, "id", item))
def test_the_loader_takes_a_value_in_range_and_refuses_the_rest(rule: Rule, key: str, tmp_path: Path) -> None:
    table = rule.conf_table
    option = rule.conf[key]
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(f"[tool.immunopipe]\n{table}.{key} = {option.high}\n", encoding="utf-8")
    assert load_config(tmp_path).options[option_key(table, key)] == option.high
    for bad in (option.high + 1, option.low - 1, "true", '"8"'):
        pyproject.write_text(f"[tool.immunopipe]\n{table}.{key} = {bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=f"'{table}.{key}' must be {option.expected()}"):
            load_config(tmp_path)


@pytest.mark.parametrize(
    ("value", "accepted"), [(1, True), (20, True), (7.5, True), (0.5, False), (True, False), ("8", False)]
)
def test_a_number_option_takes_numbers_in_its_range_only(value: object, accepted: bool) -> None:
    assert NumberOption(low=1, high=20, help="").accepts(value) is accepted
