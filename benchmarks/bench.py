"""Time immunopipe on a generated library of articles, against check-jsonschema and a parse-only floor.

Usage (from the repository, with ``pip install '.[bench]'`` done)::

    python benchmarks/bench.py            # N = 1,000 and 10,000 (takes a while)
    python benchmarks/bench.py --quick    # N = 1,000 only
    python benchmarks/bench.py --start-up --repeat 30   # only --version and --help (seconds)

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
* ``immunopipe --version`` and ``--help`` against ``python -c pass`` and ``python -c "import click"``;
* handouts in a warm process (through the API, after a first handout): seconds per handout;
* the JSON + CSV export split into 4 shards (``export --shard K/4``) and merged, against one export.

Before timing, the reports of ``validate`` (text and JSON) are checked to be byte-identical cold
in one process, cold in all processes, while filling the caches and warm; and the merged shards
byte-identical to one export. The run ends with the table of targets (issue 16): each measured
now, its target, and whether it is met.

Peak RSS is the largest resident set of the command's processes (``wait4``), in MB. The corpus
(``corpus.py``) has about 1% of articles with typical mistakes; exports use the same articles
without the mistakes, since an export refuses invalid content.
"""

from __future__ import annotations

import argparse
import hashlib
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
from immunopipe.validate.runner import load_checked

files = sorted(Path(sys.argv[1]).glob("*.yaml"))
digests = ((path, hashlib.sha256(path.read_bytes()).hexdigest()) for path in files)
sources = (PendingArticle(digest, partial(load_checked, path, digest)) for path, digest in digests)
export_articles(sources, Path(sys.argv[2]), formats=("json", "csv"))
"""

#: Handouts in a warm process: render one (fonts, styles and templates load), then time the rest.
PDF_WARM = """
import sys, time
from pathlib import Path
from immunopipe.export.pdf import render_pdf
from immunopipe.load import load_path
from immunopipe.model import article_from_data

articles = [article_from_data(load_path(path).data) for path in sorted(Path(sys.argv[1]).glob("*.yaml"))]
render_pdf(articles[0])
start = time.perf_counter()
for article in articles[1:]:
    render_pdf(article)
print((time.perf_counter() - start) / (len(articles) - 1))
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


def output(command: Sequence[str], cwd: Path) -> str:
    """The SHA-256 of what ``command`` prints on stdout (not timed; digests keep this process small,
    since a child's peak RSS counts the memory of the parent it was forked from)."""
    with tempfile.TemporaryFile() as out:
        subprocess.run(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.DEVNULL, check=False)
        if not out.tell():
            return ""
        out.seek(0)
        return hashlib.file_digest(out, "sha256").hexdigest()


def same_reports(folder: Path) -> None:
    """Fail unless text and JSON reports are byte-identical cold (1 and all processes), filling and warm."""
    for report_format in ("text", "json"):
        command = [IMMUNOPIPE, "validate", "--format", report_format]
        clean(folder, ".immunopipe-cache")
        reports = {
            "cold, 1 process": output([*command, "--no-cache", "--jobs", "1"], folder),
            f"cold, {CORES} processes": output([*command, "--no-cache", "--jobs", str(CORES)], folder),
            "filling the caches": output(command, folder),
            "warm": output(command, folder),
        }
        first = next(iter(reports.values()))
        differing = [name for name, report in reports.items() if report != first]
        if differing or not first:
            raise SystemExit(f"{report_format} reports differ ({', '.join(differing)}) in {folder}")
    clean(folder, ".immunopipe-cache")


def snapshot(root: Path) -> dict[str, str]:
    """The SHA-256 of every file under ``root`` (the manifests included, the lock file aside) by relative path."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name != ".immunopipe.lock":
            with path.open("rb") as handle:
                found[str(path.relative_to(root))] = hashlib.file_digest(handle, "sha256").hexdigest()
    return found


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
    same_reports(folder)

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
    shards = sharded(folder, command)
    return [
        *shards,
        Figure("export json+csv pipeline only (API, no validation), from nothing", count, [pipeline]),
        Figure("export json+csv, from nothing", count, [cold]),
        Figure("export json+csv, validation cached, empty folder", count, [cached]),
        Figure("export json+csv, nothing changed", count, [unchanged]),
        Figure("export json+csv, nothing changed, --no-cache", count, [uncached]),
        Figure("export json+csv, one article changed", count, [one_changed]),
    ]


SHARDS = 4


def sharded(folder: Path, command: list[str]) -> list[Figure]:
    """One export against ``SHARDS`` shard exports and their merge, all without caches: each
    shard validates every article, as a CI job on a fresh checkout does."""
    clean(folder, "single", "shards", "merged", ".immunopipe-cache")
    single = run([*command, "--out", "single", "--no-cache"], folder)
    parts = [
        run([*command, "--shard", f"{number}/{SHARDS}", "--out", f"shards/{number}", "--no-cache"], folder)
        for number in range(1, SHARDS + 1)
    ]
    merge = run([IMMUNOPIPE, "merge", *(f"shards/{n}" for n in range(1, SHARDS + 1)), "--out", "merged"], folder)
    if snapshot(folder / "merged") != snapshot(folder / "single"):
        raise SystemExit(f"merged shards differ from one export in {folder}")
    total = Run(sum(part.seconds for part in parts) + merge.seconds, max(part.peak_mb for part in [*parts, merge]))
    figure = Figure(f"export json+csv as {SHARDS} shards + merge, one after another", single_count(folder), [total])
    figure.note = (
        f"{total.seconds / single.seconds:.2f}x one export ({single.seconds:.2f} s) in all; on {SHARDS} machines "
        f"{(max(part.seconds for part in parts) + merge.seconds) / single.seconds:.2f}x (slowest shard + merge, "
        f"merge {merge.seconds:.2f} s)"
    )
    clean(folder, "single", "shards", "merged")
    return [figure]


def single_count(folder: Path) -> int:
    return len(list((folder / "content").glob("*.yaml")))


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
    warm = Figure("export pdf, per handout, warm process (API)", count, [pdf_warm(folder)])
    figures.append(warm)
    command = [IMMUNOPIPE, "export", "--to", "pdf"]
    run(command, folder)  # fills the caches
    figures.append(Figure("export pdf, nothing changed", count, [run(command, folder)]))
    edit_one_article(content)
    figures.append(Figure("export pdf, one article changed", count, [run(command, folder)]))
    return figures


def pdf_warm(folder: Path) -> Run:
    """Seconds per handout in a process that has rendered one already."""
    command = [sys.executable, "-c", PDF_WARM, "content"]
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=True)
    return Run(float(result.stdout.strip()), 0.0)


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


@dataclass(frozen=True)
class Target:
    """A goal of issue 16: a measure, its target, and how to read it off the figures."""

    measure: str
    target: str
    value: Callable[[dict[tuple[str, int | None], Figure]], float | None]
    met: Callable[[float], bool]
    unit: str


def _seconds(label: str, count: int | None) -> Callable[[dict[tuple[str, int | None], Figure]], float | None]:
    return lambda found: found[(label, count)].seconds if (label, count) in found else None


def _ratio(top: str, bottom: str, count: int | None) -> Callable[[dict[tuple[str, int | None], Figure]], float | None]:
    def value(found: dict[tuple[str, int | None], Figure]) -> float | None:
        if (top, count) not in found or (bottom, count) not in found:
            return None
        return found[(top, count)].seconds / found[(bottom, count)].seconds

    return value


COLD = f"validate, cold, {CORES} processes"
CHECKER = "check-jsonschema (ruamel.yaml C loader)"
FLOOR_LABEL = "floor: read + libyaml parse, 1 process"
WARM = "validate, warm (nothing changed)"
EXPORT_COLD = "export json+csv, from nothing"


def targets(sizes: Sequence[int], pdf_count: int) -> list[Target]:
    """The targets of issue 16, for the library sizes of this run (export targets at the largest)."""
    found: list[Target] = []
    for count in sizes:
        n = f"{count:,}"
        warm_limit = 0.2 if count <= 1000 else 1.0
        found += [
            Target(
                f"cold validate: check-jsonschema / ours, {n}",
                ">= 5x",
                _ratio(CHECKER, COLD, count),
                lambda v: v >= 5,
                "x",
            ),
            Target(f"cold validate / floor, {n}", "<= 1.0x", _ratio(COLD, FLOOR_LABEL, count), lambda v: v <= 1.0, "x"),
            Target(
                f"warm validate (all warnings printed), {n}",
                f"< {warm_limit} s",
                _seconds(WARM, count),
                lambda v, limit=warm_limit: v < limit,
                "s",
            ),
        ]
    count_large = sizes[-1]
    n = f"{count_large:,}"
    found += [
        Target(
            f"export json+csv from nothing / cold validate, {n}",
            "<= 1.3x",
            _ratio(EXPORT_COLD, COLD, count_large),
            lambda v: v <= 1.3,
            "x",
        ),
        Target(
            f"export json+csv peak RSS, {n}",
            "< 150 MB",
            lambda found: found[(EXPORT_COLD, count_large)].peak_mb if (EXPORT_COLD, count_large) in found else None,
            lambda v: v < 150,
            "MB",
        ),
        Target(
            "PDF per handout, warm process",
            "<= 0.15 s",
            _seconds("export pdf, per handout, warm process (API)", pdf_count),
            lambda v: v <= 0.15,
            "s",
        ),
        Target(
            f"PDF, {CORES} processes against 1",
            ">= 1.85x",
            _ratio("export pdf, 1 process", f"export pdf, {CORES} processes", pdf_count),
            lambda v: v >= 1.85,
            "x",
        ),
        Target(
            "--version / import click",
            "<= 1.3x",
            _ratio("immunopipe --version", 'python -c "import click"', None),
            lambda v: v <= 1.3,
            "x",
        ),
        Target(
            "--help / import click",
            "<= 1.3x",
            _ratio("immunopipe --help", 'python -c "import click"', None),
            lambda v: v <= 1.3,
            "x",
        ),
    ]
    return found


def target_table(figures: Sequence[Figure], goals: Sequence[Target]) -> str:
    """The targets as a Markdown table: now, target, met or not (or not measured in this run)."""
    found = {(figure.label, figure.articles): figure for figure in figures}
    lines = ["| target | now | goal | met |", "| --- | ---: | ---: | --- |"]
    for goal in goals:
        value = goal.value(found)
        if value is None:
            lines.append(f"| {goal.measure} | not measured | {goal.target} | |")
            continue
        shown = f"{value:.2f}{'x' if goal.unit == 'x' else ' ' + goal.unit}"
        lines.append(f"| {goal.measure} | {shown} | {goal.target} | {'met' if goal.met(value) else 'NOT met'} |")
    return "\n".join(lines)


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
    parser.add_argument(
        "--start-up", action="store_true", help="only the start-up figures (--version, --help): seconds, not minutes"
    )
    args = parser.parse_args()
    sizes = args.sizes or ([1000] if args.quick else [1000, 10000])
    work = args.work or Path(tempfile.mkdtemp(prefix="immunopipe-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"{date.today().isoformat()}: {machine()}; work folder {work}", flush=True)
    figures: list[Figure] = []
    try:
        figures += start_up(work, rounds=max(10, args.repeat))
        print(table(figures), flush=True)
        for count in [] if args.start_up else sizes:
            found = validation(work, count, args.repeat) + exports(work, count)
            print(table(found), flush=True)
            figures += found
        if not args.start_up:
            found = pdf(work, args.pdf_articles)
            print(table(found), flush=True)
            figures += found
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print("\nAll figures:\n" + table(figures))
    goals = targets(sizes, args.pdf_articles)
    print("\nTargets (issue 16):\n" + target_table(figures, goals))


if __name__ == "__main__":
    main()
