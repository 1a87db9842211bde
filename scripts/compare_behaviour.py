"""Check that two builds of immunopipe behave the same: for refactors that must change nothing.

Usage: python scripts/compare_behaviour.py OLD_IMMUNOPIPE NEW_IMMUNOPIPE

Both are ``immunopipe`` commands (e.g. the console scripts of two virtual environments, one with
the commit before the change installed). Each runs, in a fresh folder per input, ``validate``
with the text and JSON reports and ``export`` of every format; the script compares exit codes,
stdout, stderr and the bytes of every exported file (for PDFs, when the bytes differ, the text
read back from them). The inputs are the shipped content/, every hand-written case of
tests/hostile/cases.yaml (the generated huge ones excepted), all of them at once (so rules across
files run), and a few [tool.immunopipe] settings, valid and not. Prints each difference and
exits 1 if there is any.
"""

from __future__ import annotations

import difflib
import io
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pypdf
import yaml

REPO = Path(__file__).resolve().parents[1]
HOSTILE = REPO / "tests" / "hostile"
#: Stand-ins for the corpus's {secret} and {server}: a file that does not exist, a closed port.
SECRET, SERVER = "/nonexistent/immunopipe-secret.txt", "http://127.0.0.1:9"

SETTINGS = {
    "max-grade-15": "[tool.immunopipe]\nreadability.max-grade = 15\n",
    "letter-paper": '[tool.immunopipe]\npaper = "letter"\n[tool.immunopipe.rules]\nauthor-unknown = "off"\n',
    "grade-out-of-range": "[tool.immunopipe]\nreadability.max-grade = 25\n",
    "grade-not-a-number": '[tool.immunopipe]\nreadability.max-grade = "8"\n',
    "readability-not-a-table": "[tool.immunopipe]\nreadability = 8\n",
    "readability-typo": "[tool.immunopipe]\nreadability.max_grade = 8\n",
    "unknown-key": "[tool.immunopipe]\npapr = 1\n",
    "bad-paper": '[tool.immunopipe]\npaper = "a5"\n',
    "bad-paper-and-grade": '[tool.immunopipe]\npaper = "a5"\nreadability.max-grade = 0\n',
}

COMMANDS: dict[str, list[str]] = {
    "validate-text": ["validate", "--format", "text", "--no-cache", "--jobs", "1"],
    "validate-json": ["validate", "--format", "json", "--no-cache", "--jobs", "1"],
    "export": ["export", "--format", "text", "--no-cache", "--jobs", "1", "--out", "exports"],
}


def edited(edits: list[list[str]]) -> bytes:
    text = (HOSTILE / "article.yaml").read_text("utf-8")
    for old, new in edits:
        text = text.replace(old, new.replace("{secret}", SECRET).replace("{server}", SERVER))
    return text.encode("utf-8")


def inputs() -> Iterator[tuple[str, dict[str, bytes], str | None]]:
    """(name, content files by name, pyproject.toml text or None) for every run."""
    shipped = {path.name: path.read_bytes() for path in sorted((REPO / "content").glob("*.yaml"))}
    yield "content", shipped, None
    everything: dict[str, bytes] = {}
    for case in yaml.safe_load((HOSTILE / "cases.yaml").read_text("utf-8"))["cases"]:
        if "generate" in case:
            continue
        main = (HOSTILE / case["file"]).read_bytes() if "file" in case else edited(case["edit"])
        files = {case.get("name", "base-article.yaml"): main}
        files |= {extra["name"]: edited(extra["edit"]) for extra in case.get("extra", [])}
        everything |= {f"{case['id']}--{name}": data for name, data in files.items()}
        yield f"hostile/{case['id']}", files, None
    yield "hostile, all at once", everything, None
    for name, settings in SETTINGS.items():
        yield f"settings/{name}", shipped, settings


def run(command: str, args: list[str], folder: Path) -> dict[str, bytes]:
    """What one run shows: exit code, stdout, stderr and every file it left in exports/."""
    shutil.rmtree(folder / "exports", ignore_errors=True)
    result = subprocess.run([command, *args], cwd=folder, capture_output=True, timeout=600)
    seen = {"exit code": str(result.returncode).encode(), "stdout": result.stdout, "stderr": result.stderr}
    exports = folder / "exports"
    if exports.is_dir():
        seen |= {f"file {p.relative_to(exports)}": p.read_bytes() for p in sorted(exports.rglob("*")) if p.is_file()}
    return seen


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def differences(old: dict[str, bytes], new: dict[str, bytes]) -> list[str]:
    found = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if before is None or after is None:
            found.append(f"{key}: only in the {'new' if before is None else 'old'} run")
        elif key.endswith(".pdf") and pdf_text(before) == pdf_text(after):
            continue  # the same text on the page
        else:
            lines = [data.decode("utf-8", "replace").splitlines() for data in (before, after)]
            diff = difflib.unified_diff(*lines, lineterm="")
            found.append(f"{key} differs:\n" + "\n".join(list(diff)[2:40]))
    return found


def main(old: str, new: str) -> int:
    failures = runs = 0
    with tempfile.TemporaryDirectory(prefix="immunopipe-compare-") as scratch:
        for name, files, settings in inputs():
            folder = Path(scratch) / f"run{runs}"
            (folder / "content").mkdir(parents=True)
            for file_name, data in files.items():
                (folder / "content" / file_name).write_bytes(data)
            if settings is not None:
                (folder / "pyproject.toml").write_text(settings, encoding="utf-8")
            for label, args in COMMANDS.items():
                runs += 1
                found = differences(run(old, args, folder), run(new, args, folder))
                for difference in found:
                    print(f"{name} [{label}] {difference}")
                failures += bool(found)
            shutil.rmtree(folder)
    print(f"{runs} runs compared, {failures} with differences")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
