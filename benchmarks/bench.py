"""Time immunopipe on a generated library of articles, against check-jsonschema and a parse-only floor.

Usage (from the repository, with ``pip install '.[bench]'`` done)::

    python benchmarks/bench.py            # N = 1,000 and 10,000 (takes a while)
    python benchmarks/bench.py --quick    # N = 1,000 only

Every figure is the wall time of a real command run as a subprocess, so start-up is included the
same way for every competitor. Competitors that are compared run in the same script run,
interleaved round by round (``--repeat`` rounds, the median is shown):

* ``validate`` (cold: ``--no-cache``, all cores) against ``check-jsonschema --schemafile`` on the
  same files with the same schema (format checks on, as by default), and against the floor: one
  process reading each file and parsing it with PyYAML's libyaml ``CSafeLoader``, nothing else;
* warm ``validate`` (nothing changed since the last run);
* ``export --to json --to csv``: from nothing, with nothing changed (with and without the
  caches), after one article changed; and the export pipeline alone through the API (no
  validation, no report), whose memory is the export's own;
* PDF export with ``--jobs 1`` against all cores, then with nothing changed and after one change;
* ``immunopipe --version`` and ``--help`` against ``python -c pass`` and ``python -c "import click"``.

Peak RSS is the largest resident set of the command's processes (``wait4``), in MB. The corpus
(``corpus.py``) has about 1% of articles with typical mistakes; exports use the same articles
without the mistakes, since an export refuses invalid content.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from corpus import write_corpus  # benchmarks/corpus.py: the script's folder is on sys.path

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "schema" / "article.schema.json"
BIN = Path(sys.executable).parent
IMMUNOPIPE = str(BIN / "immunopipe")
CHECK_JSONSCHEMA = str(BIN / "check-jsonschema")
CORES = os.cpu_count() or 1

#: The floor: read each file and parse it with libyaml, in one process; broken files are skipped.
FLOOR = """
import sys, yaml
from pathlib import Path
for path in sorted(Path(sys.argv[1]).glob("*.yaml")):
    try:
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    except (yaml.YAMLError, ValueError):
        pass
"""

#: The export pipeline without validation, through the API: its own memory, apart from the report's.
EXPORT_ONLY = """
import hashlib, sys
from functools import partial
from pathlib import Path
from immunopipe.export import PendingArticle, export_articles
from immunopipe.load import load_path
from immunopipe.model import article_from_data

def load(path):
    return article_from_data(load_path(path).data)

files = sorted(Path(sys.argv[1]).glob("*.yaml"))
sources = (PendingArticle(hashlib.sha256(path.read_bytes()).hexdigest(), partial(load, path)) for path in files)
export_articles(sources, Path(sys.argv[2]), formats=("json", "csv"))
"""

#: A change that keeps an article valid and changes its JSON file and some CSV tables.
EDITS = ("reading_time_minutes: 3", "reading_time_minutes: 4")


@dataclass(frozen=True)
class Run:
    """One command's wall time and the peak resident set of its processes."""

    seconds: float
    peak_mb: float


@dataclass
class Figure:
    """A line of the results: what was measured, on how many articles, and its runs."""

    label: str
    articles: int | None
    runs: list[Run] = field(default_factory=list)
    note: str = ""

    @property
    def seconds(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(run.peak_mb for run in self.runs)


def run(command: Sequence[str], cwd: Path, *, expect: Sequence[int] = (0,)) -> Run:
    """Run ``command`` in ``cwd`` with its output discarded; fail unless it exits with one of ``expect``."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = code = os.waitstatus_to_exitcode(status)
        if code not in expect:
            errors.seek(0)
            message = errors.read().decode("utf-8", "replace")[-2000:]
            raise SystemExit(f"{' '.join(command[:4])} ... exited with {code} in {cwd}:\n{message}")
    return Run(seconds, usage.ru_maxrss / 1024)


def interleaved(rounds: int, commands: dict[str, Callable[[], Run]]) -> dict[str, list[Run]]:
    """Run each command once per round, in turn, so that drifts in machine speed hit them all alike."""
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            runs[name].append(command())
    return runs


def clean(folder: Path, *names: str) -> None:
    """Remove exports and caches left by an earlier run."""
    for name in names:
        shutil.rmtree(folder / name, ignore_errors=True)


def edit_one_article(content: Path) -> None:
    """Change one article (back and forth between two valid values, so runs can repeat)."""
    path = sorted(content.glob("*.yaml"))[0]
    text = path.read_text(encoding="utf-8")
    old, new = EDITS if EDITS[0] in text else reversed(EDITS)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def validation(work: Path, count: int, rounds: int) -> list[Figure]:
    """Cold validate against check-jsonschema and the floor; single process; warm validate."""
    folder = work / f"validate-{count}"
    content = folder / "content"
    if not content.is_dir():
        write_corpus(content, count)
    files = [str(path.relative_to(folder)) for path in sorted(content.glob("*.yaml"))]

    def ours(*options: str) -> Callable[[], Run]:
        return lambda: run([IMMUNOPIPE, "validate", "--no-cache", *options], folder, expect=(1,))

    runs = interleaved(
        rounds,
        {
            "floor": lambda: run([sys.executable, "-c", FLOOR, "content"], folder),
            "ours": ours(),
            "check-jsonschema": lambda: run(
                [CHECK_JSONSCHEMA, "--schemafile", str(SCHEMA), *files], folder, expect=(1,)
            ),
        },
    )
    single = interleaved(max(1, rounds // 2), {"ours": ours("--jobs", "1")})["ours"]
    clean(folder, ".immunopipe-cache")
    run([IMMUNOPIPE, "validate"], folder, expect=(1,))  # fills the cache
    warm = interleaved(rounds, {"warm": lambda: run([IMMUNOPIPE, "validate"], folder, expect=(1,))})["warm"]
    clean(folder, ".immunopipe-cache")

    ours_figure = Figure(f"validate, cold, {CORES} processes", count, runs["ours"])
    floor_figure = Figure("floor: read + libyaml parse, 1 process", count, runs["floor"])
    checker = Figure("check-jsonschema (ruamel.yaml C loader)", count, runs["check-jsonschema"])
    ours_figure.note = (
        f"{checker.seconds / ours_figure.seconds:.1f}x faster than check-jsonschema; "
        f"{ours_figure.seconds / floor_figure.seconds:.2f}x the floor"
    )
    return [
        floor_figure,
        checker,
        ours_figure,
        Figure("validate, cold, 1 process", count, single),
        Figure("validate, warm (nothing changed)", count, warm),
    ]


def exports(work: Path, count: int) -> list[Figure]:
    """JSON + CSV export: from nothing, with the validation cached, unchanged, after one change."""
    folder = work / f"export-{count}"
    content = folder / "content"
    if not content.is_dir():
        write_corpus(content, count, mistakes=False)
    command = [IMMUNOPIPE, "export", "--to", "json", "--to", "csv"]
    clean(folder, "exports", ".immunopipe-cache", "pipeline")
    pipeline = run([sys.executable, "-c", EXPORT_ONLY, "content", "pipeline"], folder)
    cold = run(command, folder)
    clean(folder, "exports")
    cached = run(command, folder)
    unchanged = run(command, folder)
    uncached = run([*command, "--no-cache"], folder)
    edit_one_article(content)
    one_changed = run(command, folder)
    return [
        Figure("export json+csv pipeline only (API, no validation), from nothing", count, [pipeline]),
        Figure("export json+csv, from nothing", count, [cold]),
        Figure("export json+csv, validation cached, empty folder", count, [cached]),
        Figure("export json+csv, nothing changed", count, [unchanged]),
        Figure("export json+csv, nothing changed, --no-cache", count, [uncached]),
        Figure("export json+csv, one article changed", count, [one_changed]),
    ]


def pdf(work: Path, count: int) -> list[Figure]:
    """Handouts with one process against all cores, then unchanged and after one change."""
    folder = work / f"pdf-{count}"
    content = folder / "content"
    if not content.is_dir():
        write_corpus(content, count, mistakes=False)
    figures = []
    for jobs in (1, CORES):
        clean(folder, "exports", ".immunopipe-cache")
        single = run([IMMUNOPIPE, "export", "--to", "pdf", "--no-cache", "--jobs", str(jobs)], folder)
        figures.append(Figure(f"export pdf, {jobs} process{'es' if jobs > 1 else ''}", count, [single]))
    figures[-1].note = f"{figures[0].seconds / figures[-1].seconds:.2f}x the 1-process rate"
    command = [IMMUNOPIPE, "export", "--to", "pdf"]
    run(command, folder)  # fills the caches
    figures.append(Figure("export pdf, nothing changed", count, [run(command, folder)]))
    edit_one_article(content)
    figures.append(Figure("export pdf, one article changed", count, [run(command, folder)]))
    return figures


def start_up(work: Path, rounds: int) -> list[Figure]:
    """``--version`` and ``--help`` against the bare interpreter and importing click."""
    runs = interleaved(
        rounds,
        {
            "pass": lambda: run([sys.executable, "-c", "pass"], work),
            "click": lambda: run([sys.executable, "-c", "import click"], work),
            "version": lambda: run([IMMUNOPIPE, "--version"], work),
            "help": lambda: run([IMMUNOPIPE, "--help"], work),
        },
    )
    click = Figure('python -c "import click"', None, runs["click"])
    figures = [Figure("python -c pass", None, runs["pass"]), click]
    for name in ("version", "help"):
        figure = Figure(f"immunopipe --{name}", None, runs[name])
        figure.note = f"{figure.seconds / click.seconds:.2f}x import click"
        figures.append(figure)
    return figures


def table(figures: Sequence[Figure]) -> str:
    """The figures as a Markdown table."""
    lines = ["| measure | articles | time (s) | peak RSS (MB) | note |", "| --- | ---: | ---: | ---: | --- |"]
    for figure in figures:
        articles = f"{figure.articles:,}" if figure.articles else ""
        lines.append(f"| {figure.label} | {articles} | {figure.seconds:.3f} | {figure.peak_mb:.0f} | {figure.note} |")
    return "\n".join(lines)


def machine() -> str:
    """CPU model, cores and Python version."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {CORES} cores, Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 1,000 only")
    parser.add_argument("--sizes", type=int, nargs="+", help="library sizes (default 1000 10000)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of each compared command (median shown)")
    parser.add_argument("--pdf-articles", type=int, default=24 * CORES, help="articles for the PDF figures")
    parser.add_argument("--work", type=Path, help="folder for corpora and exports (default: a temporary one)")
    args = parser.parse_args()
    sizes = args.sizes or ([1000] if args.quick else [1000, 10000])
    work = args.work or Path(tempfile.mkdtemp(prefix="immunopipe-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"{date.today().isoformat()}: {machine()}; work folder {work}", flush=True)
    figures: list[Figure] = []
    try:
        figures += start_up(work, rounds=max(10, args.repeat))
        print(table(figures), flush=True)
        for count in sizes:
            found = validation(work, count, args.repeat) + exports(work, count)
            print(table(found), flush=True)
            figures += found
        found = pdf(work, args.pdf_articles)
        print(table(found), flush=True)
        figures += found
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print("\nAll figures:\n" + table(figures))


if __name__ == "__main__":
    main()
