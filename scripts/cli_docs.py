"""Write docs/cli.md, the command-line reference, from each command's --help.

Usage: python scripts/cli_docs.py   (tests/test_docs.py fails when docs/cli.md is out of date)
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from immunopipe.cli import main

DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def help_text(*args: str) -> str:
    """The --help output of ``immunopipe ARGS``, at a fixed 80-column width."""
    result = CliRunner().invoke(main, [*args, "--help"], terminal_width=80, prog_name="immunopipe")
    if result.exit_code != 0:
        raise RuntimeError(f"immunopipe {' '.join(args)} --help failed: {result.output}")
    return result.output


def render() -> str:
    """The whole reference: the group's help, then each command's."""
    parts = [
        "# Command-line reference\n",
        "Generated from `--help` by `python scripts/cli_docs.py`; do not edit by hand.\n",
        "```text\n$ immunopipe --help\n" + help_text() + "```\n",
    ]
    for name in sorted(main.commands):
        parts.append(f"## immunopipe {name}\n")
        parts.append(f"```text\n$ immunopipe {name} --help\n" + help_text(name) + "```\n")
    parts.append(
        "## Shell completion\n\n"
        "Click provides completion for bash, zsh and fish. Add one line to your shell's start-up file:\n\n"
        "```sh\n"
        'eval "$(_IMMUNOPIPE_COMPLETE=bash_source immunopipe)"   # ~/.bashrc\n'
        'eval "$(_IMMUNOPIPE_COMPLETE=zsh_source immunopipe)"    # ~/.zshrc\n'
        "_IMMUNOPIPE_COMPLETE=fish_source immunopipe | source    # ~/.config/fish/completions/immunopipe.fish\n"
        "```\n"
    )
    return "\n".join(parts)


if __name__ == "__main__":
    DOCS.write_text(render(), encoding="utf-8")
    print(f"wrote {DOCS}")
