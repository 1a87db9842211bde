"""[tool.immunopipe] settings: defaults, strict validation, and their effect on validate."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from immunopipe.cli import main
from immunopipe.config import Config, ConfigError, load_config
from immunopipe.diagnostics import Severity
from immunopipe.validate.rules.readability_grade import MAX_GRADE


def configured(tmp_path: Path, text: str) -> Config:
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    return load_config(tmp_path)


def test_no_pyproject_gives_the_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config == Config()
    assert (config.content, config.out, config.paper, config.options[MAX_GRADE]) == (
        Path("content"),
        Path("exports"),
        "a4",
        8.0,
    )
    assert config.source is None and config.severities == {}


@pytest.mark.parametrize("kind", ["folder", "link to nothing"])
def test_a_pyproject_that_is_not_a_file_is_refused(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "pyproject.toml"
    if kind == "folder":
        path.mkdir()
    else:
        path.symlink_to(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match=r"pyproject\.toml: it is not a regular file"):
        load_config(tmp_path)


def test_pyproject_without_the_table_gives_the_defaults(tmp_path: Path) -> None:
    assert configured(tmp_path, '[project]\nname = "x"\n\n[tool.ruff]\nline-length = 100\n') == Config()


def test_every_setting(tmp_path: Path) -> None:
    config = configured(
        tmp_path,
        """
[tool.immunopipe]
content = "articles"
out = "public"
paper = "letter"
profile = "clinic/profile.yaml"
readability.max-grade = 6.5

[tool.immunopipe.rules]
author-unknown = "off"
readability-grade = "error"
text-spacing = "warning"
""",
    )
    assert (config.content, config.out, config.paper, config.options[MAX_GRADE]) == (
        Path("articles"),
        Path("public"),
        "letter",
        6.5,
    )
    assert config.profile == Path("clinic/profile.yaml")
    assert config.severities == {
        "author-unknown": None,
        "readability-grade": Severity.ERROR,
        "text-spacing": Severity.WARNING,
    }
    assert config.source == tmp_path / "pyproject.toml"
    context = config.rule_context()
    assert context.options == {MAX_GRADE: 6.5}


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[tool.immunopipe]\ncontnet = "x"\n', "unknown key 'contnet'; did you mean 'content'?"),
        (
            "[tool.immunopipe]\nzzz = 1\n",
            "unknown key 'zzz'; allowed: content, out, paper, profile, readability, rules",
        ),
        ('[tool.immunopipe.rules]\nschema-type = "off"\n', "schema and YAML checks are always errors"),
        (
            '[tool.immunopipe.rules]\nprofile-logo = "warning"\n',
            "'profile-logo' checks the clinic profile and is always an error; it cannot be configured",
        ),
        (
            '[tool.immunopipe.rules]\nauthor-unknown = "ignore"\n',
            "'author-unknown' must be one of 'error', 'warning', 'off'",
        ),
        ("[tool.immunopipe.rules]\nauthor-unknown = false\n", "not False"),
        ('[tool.immunopipe]\nrules = "strict"\n', "'rules' must be a table of rule ids"),
        ('[tool.immunopipe]\npaper = "A4"\n', "'paper' must be one of 'a4', 'letter', not 'A4'"),
        ('[tool.immunopipe]\ncontent = ""\n', "'content' must be a folder name"),
        ("[tool.immunopipe]\nout = 3\n", "'out' must be a folder name"),
        ("[tool.immunopipe]\nprofile = 1\n", "'profile' must be the path of a clinic profile"),
        ("[tool.immunopipe]\nreadability.max-grade = true\n", "must be a number from 1 to 20, not True"),
        ('[tool.immunopipe]\nreadability.max-grade = "8"\n', "must be a number from 1 to 20, not '8'"),
        ("[tool.immunopipe]\nreadability.max-grade = 25\n", "must be a number from 1 to 20, not 25"),
        ("[tool.immunopipe]\nreadability.max-grade = 0\n", "must be a number from 1 to 20, not 0"),
        ("[tool.immunopipe]\nreadability.max_grade = 8\n", "unknown key 'max_grade'; did you mean 'max-grade'?"),
        ("[tool.immunopipe]\nreadability = 8\n", "'readability' must be a table"),
        ("[tool.immunopipe\n", "is not valid TOML"),
        ("tool = 3\n", "'tool' must be a table"),
        ("[tool]\nimmunopipe = 3\n", "[tool.immunopipe] must be a table"),
    ],
)
def test_invalid_settings_are_refused_with_a_clear_message(tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        configured(tmp_path, toml)
    assert message in str(raised.value)
    assert str(tmp_path / "pyproject.toml") in str(raised.value)


@pytest.fixture
def repository(tmp_path: Path, seed_text: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A content repository with the seed article; the test runs inside it."""
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "immune-system-medicine.yaml").write_text(seed_text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def validate(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", *args], catch_exceptions=False)
    return result.exit_code, result.output


def test_validate_uses_the_configured_severities(repository: Path) -> None:
    code, output = validate()
    assert code == 0 and "warning: the author is unknown" in output
    (repository / "pyproject.toml").write_text(
        '[tool.immunopipe.rules]\nauthor-unknown = "error"\nreadability-grade = "off"\n', encoding="utf-8"
    )
    code, output = validate()
    assert code == 1
    assert "error: the author is unknown" in output
    assert "[readability-grade]" not in output


def test_validate_uses_the_configured_readability_grade(repository: Path) -> None:
    default = validate()[1].count("[readability-grade]")
    (repository / "pyproject.toml").write_text("[tool.immunopipe]\nreadability.max-grade = 15\n", encoding="utf-8")
    assert default == 22
    assert validate()[1].count("[readability-grade]") == 5


def test_validate_with_a_pyproject_folder_exits_2(repository: Path) -> None:
    (repository / "pyproject.toml").mkdir()
    code, output = validate()
    assert code == 2 and output.startswith("Error: cannot read ") and output.count("\n") == 1


def test_validate_with_a_broken_configuration_exits_2(repository: Path) -> None:
    (repository / "pyproject.toml").write_text('[tool.immunopipe]\npaper = "a5"\n', encoding="utf-8")
    code, output = validate()
    assert code == 2
    assert "Error: " in output and "'paper' must be one of 'a4', 'letter', not 'a5'" in output
