"""One cache fingerprint: a change to any module the pipeline imports, or any data file, changes it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from immunopipe import fingerprint as fingerprint_module
from immunopipe.export import render_cache
from immunopipe.fingerprint import code_fingerprint, package_fingerprint
from immunopipe.validate import cache as validate_cache
from immunopipe.validate.context import RuleContext

PACKAGE = Path(fingerprint_module.__file__).parent

#: Runs a whole validate and export (JSON, CSV and PDF), then prints every immunopipe module loaded.
PIPELINE = """
import json, sys
from click.testing import CliRunner
from immunopipe.cli import main
result = CliRunner().invoke(main, ["export", "--jobs", "1", "--no-cache"])
assert result.exit_code == 0, result.output
print(json.dumps(sorted(m.__file__ for n, m in list(sys.modules.items()) if n.startswith("immunopipe") and m.__file__)))
"""


@pytest.fixture(scope="module")
def pipeline_modules(tmp_path_factory: pytest.TempPathFactory, seed_text: str) -> list[str]:
    """Every file of the package a validate and export of the seed article imports, relative to the package."""
    folder = tmp_path_factory.mktemp("pipeline")
    (folder / "content").mkdir()
    (folder / "content" / "immune-system-medicine.yaml").write_text(seed_text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", PIPELINE], cwd=folder, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    files = [Path(name).relative_to(PACKAGE).as_posix() for name in json.loads(done.stdout)]
    assert {"cli.py", "model.py", "load.py", "validate/runner.py", "export/pdf.py", "export/csv.py"} <= set(files)
    return files


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the installed package, to change file by file."""
    target = tmp_path_factory.mktemp("package") / "immunopipe"
    shutil.copytree(PACKAGE, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def test_the_fingerprint_of_a_copy_is_the_installed_one(copy: Path) -> None:
    assert package_fingerprint(copy) == package_fingerprint(PACKAGE)


@pytest.mark.slow
def test_changing_any_module_the_pipeline_imports_changes_the_fingerprint(
    copy: Path, pipeline_modules: list[str]
) -> None:
    data_files = ["schema/article.schema.json", "export/templates/handout.css", "validate/data/reference_codes.csv"]
    base = package_fingerprint(copy)
    unchanged = []
    for name in [*pipeline_modules, *data_files]:
        original = (copy / name).read_bytes()
        (copy / name).write_bytes(original + b"\n# changed\n")
        if package_fingerprint(copy) == base:
            unchanged.append(name)
        (copy / name).write_bytes(original)
    assert unchanged == []
    assert package_fingerprint(copy) == base


def test_moving_code_between_files_changes_the_fingerprint(copy: Path) -> None:
    base = package_fingerprint(copy)
    (copy / "paths.py").rename(copy / "other.py")
    try:
        assert package_fingerprint(copy) != base
    finally:
        (copy / "other.py").rename(copy / "paths.py")


def test_a_dependency_upgrade_changes_the_fingerprint() -> None:
    assert package_fingerprint(PACKAGE, ("jsonschema 4.26.0",)) != package_fingerprint(PACKAGE, ("jsonschema 4.27.0",))
    assert any(line.startswith("jsonschema ") for line in fingerprint_module._dependency_versions())


def test_every_cache_is_tied_to_the_code_fingerprint(monkeypatch: pytest.MonkeyPatch) -> None:
    from immunopipe.export import pdf_pool

    context = RuleContext(today=date(2026, 11, 26))
    caches = (validate_cache, render_cache, pdf_pool)
    before = (
        validate_cache.fingerprint(context, {}),
        render_cache.fingerprint(),
        pdf_pool.render_fingerprint("a4", False),
    )
    assert before[1] == code_fingerprint()
    for module in caches:
        monkeypatch.setattr(module, "code_fingerprint", lambda: "other code")
    after = (
        validate_cache.fingerprint(context, {}),
        render_cache.fingerprint(),
        pdf_pool.render_fingerprint("a4", False),
    )
    assert [old != new for old, new in zip(before, after, strict=True)] == [True, True, True]
