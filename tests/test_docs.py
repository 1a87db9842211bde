"""Generated documentation stays true: the CLI reference, and every command has help text."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from immunopipe.cli import main

REPO = Path(__file__).resolve().parents[1]


def load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_command_and_option_has_help_text() -> None:
    for name, command in main.commands.items():
        assert command.help and command.short_help != "", name
        for parameter in command.params:
            if parameter.param_type_name == "option":
                assert parameter.help, f"{name} {parameter.opts}"


def test_docs_cli_md_is_generated_from_the_help() -> None:
    expected = load_script("cli_docs").render()
    assert (REPO / "docs" / "cli.md").read_text(encoding="utf-8") == expected, (
        "docs/cli.md is out of date: run python scripts/cli_docs.py"
    )


def test_every_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in main.commands:
        assert f"immunopipe {name}" in readme, name
