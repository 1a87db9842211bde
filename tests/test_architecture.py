"""The layers hold: no module imports from a layer above it or beside it, and no rule imports another.

Every import in the package's source is read with ``ast`` (those inside functions and
``TYPE_CHECKING`` blocks too) and checked against :data:`LAYERS`, which CONTRIBUTING.md shows
as a table. A new module has to be placed in a layer before this test passes.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "immunopipe"


@dataclass(frozen=True)
class Layer:
    """Modules (``fnmatch`` patterns) that may import each other and the layers in ``uses``."""

    modules: tuple[str, ...]
    uses: frozenset[str]
    #: Modules of an isolated layer may not import each other (one rule never imports another).
    isolated: bool = False


def _layer(*modules: str, uses: tuple[str, ...] = (), isolated: bool = False) -> Layer:
    return Layer(modules, frozenset(uses), isolated)


#: Bottom first. Each layer may import only itself and the layers it names.
LAYERS: dict[str, Layer] = {
    "base": _layer(
        "immunopipe",
        "immunopipe.diagnostics",
        "immunopipe.ids",
        "immunopipe.formats",
        "immunopipe.article_schema",
        "immunopipe.paths",
        "immunopipe.pointer",
        "immunopipe.errors",
        "immunopipe.safe_text",
        "immunopipe.fonts",
        "immunopipe.workers",
        "immunopipe.files",
        "immunopipe.files.*",
        "immunopipe.fingerprint",
        "immunopipe.safe_text",
        "immunopipe.schemas",
        "immunopipe.translation",
        "immunopipe.translation.labels",
        "immunopipe.translation.rules",
        "immunopipe.translation.scripts",
        "immunopipe.translation.layout",
    ),
    "input": _layer(
        "immunopipe.load",
        "immunopipe.yaml_errors",
        "immunopipe.model",
        "immunopipe.review.facts",
        "immunopipe.translation.facts",
        "immunopipe.translation.model",
        "immunopipe.profile",
        uses=("base",),
    ),
    "checks": _layer(
        "immunopipe.validate.context",
        "immunopipe.validate.text",
        "immunopipe.validate.vocabulary",
        "immunopipe.validate.options",
        "immunopipe.validate.readability",
        "immunopipe.validate.reference",
        "immunopipe.validate.classifications",
        "immunopipe.validate.schema",
        "immunopipe.validate.where",
        "immunopipe.translation.document",
        "immunopipe.translation.readability",
        "immunopipe.validate.profile",
        uses=("base", "input"),
    ),
    "rules": _layer("immunopipe.validate.rules.*", uses=("base", "input", "checks"), isolated=True),
    "validation": _layer(
        "immunopipe.validate",
        "immunopipe.validate.rules",
        "immunopipe.validate.runner",
        "immunopipe.validate.cache",
        "immunopipe.validate.warm",
        "immunopipe.validate.catalogue",
        "immunopipe.validate.suppression",
        "immunopipe.validate.baseline",
        "immunopipe.translation.check",
        "immunopipe.translation.run",
        uses=("base", "input", "checks", "rules"),
    ),
    "export": _layer("immunopipe.export", "immunopipe.export.*", uses=("base", "input")),
    "front": _layer(
        "immunopipe.config",
        "immunopipe.reporters",
        "immunopipe.scaffold",
        "immunopipe.review",
        "immunopipe.review.record",
        "immunopipe.review.session",
        "immunopipe.translation.refresh",
        uses=("base", "input", "checks", "rules", "validation", "export"),
    ),
    "cli": _layer(
        "immunopipe.cli",
        "immunopipe.__main__",
        uses=("base", "input", "checks", "rules", "validation", "export", "front"),
    ),
}

#: Imports that break the layers today, each with the change that removes it. The test fails
#: when one of them is gone, so that it is struck off here too.
KNOWN: dict[tuple[str, str], str] = {}


def find_modules(package: Path) -> dict[str, Path]:
    """Every module of ``package`` (a folder named ``immunopipe``) by its dotted name."""
    modules = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def layer_of(module: str) -> str | None:
    return next((name for name, layer in LAYERS.items() if any(fnmatchcase(module, p) for p in layer.modules)), None)


def imported_modules(module: str, modules: dict[str, Path]) -> set[str]:
    """The package's modules that ``module`` imports, anywhere in its source."""
    path = modules[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0]
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:  # ``from package import submodule`` imports the submodule
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return {name for name in found if name in modules} - {module}


def violations(modules: dict[str, Path]) -> dict[tuple[str, str], str]:
    """Each import that breaks the layers, as (importer, imported) -> what is wrong."""
    found = {}
    for module in modules:
        own = layer_of(module)
        assert own is not None, f"{module} has no layer"
        layer = LAYERS[own]
        for target in imported_modules(module, modules):
            other = layer_of(target)
            if other == own and layer.isolated:
                found[module, target] = f"modules of layer '{own}' never import each other"
            elif other != own and other not in layer.uses:
                found[module, target] = f"layer '{own}' may not use layer '{other}'"
    return found


MODULES = find_modules(PACKAGE)


def test_every_module_has_a_layer() -> None:
    unplaced = [module for module in MODULES if layer_of(module) is None]
    assert unplaced == [], "place these modules in LAYERS (tests/test_architecture.py) and CONTRIBUTING.md"


def test_no_module_imports_from_a_layer_above_or_beside_it() -> None:
    found = violations(MODULES)
    assert {pair: why for pair, why in found.items() if pair not in KNOWN} == {}
    stale = KNOWN.keys() - found.keys()
    assert not stale, f"these imports are gone: strike them from KNOWN: {sorted(stale)}"


def test_the_check_finds_every_kind_of_break(tmp_path: Path) -> None:
    files = {
        "__init__.py": "",
        "model.py": "",
        "validate/__init__.py": "",
        "validate/schema.py": "from immunopipe.model import Article\n",
        "validate/rules/__init__.py": "from immunopipe.validate.rules import placeholder, readability\n",
        "validate/rules/placeholder.py": "from ..schema import load_schema\n",
        "validate/rules/readability.py": "def check():\n    from immunopipe.validate.rules.placeholder import X\n",
        "export/__init__.py": "",
        "export/json.py": "from immunopipe.validate.schema import load_schema\nfrom . import csv\n",
        "export/csv.py": "import immunopipe.validate\n",
    }
    for name, text in files.items():
        (tmp_path / "immunopipe" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "immunopipe" / name).write_text(text)
    modules = find_modules(tmp_path / "immunopipe")
    assert imported_modules("immunopipe.validate.rules.placeholder", modules) == {"immunopipe.validate.schema"}
    assert set(violations(modules)) == {
        ("immunopipe.validate.rules.readability", "immunopipe.validate.rules.placeholder"),
        ("immunopipe.export.json", "immunopipe.validate.schema"),
        ("immunopipe.export.csv", "immunopipe.validate"),
    }
