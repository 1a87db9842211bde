"""The ``immunopipe`` command line: parse options, call the core, map outcomes to exit codes.

Exit codes: 0 success, 1 content invalid, 2 usage or environment problem.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager as ContextManager
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from immunopipe import __version__
from immunopipe.formats import EXPORT_FORMATS, PAPER_SIZES, REPORT_FORMATS

if TYPE_CHECKING:
    from immunopipe.config import Config
    from immunopipe.export.shard import ShardSpec
    from immunopipe.reporters import AnyOutcome
    from immunopipe.validate import Outcome
    from immunopipe.validate.cache import ResultCache

T = TypeVar("T")

# Commands import the core lazily, so `--help` and `--version` start as fast as click itself
# and only `export --to pdf` ever loads WeasyPrint.

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2

DEFAULT_CACHE_DIR = Path(".immunopipe-cache")


class EnvironmentProblem(click.ClickException):
    """A problem with paths, files or the installation rather than with content: exit 2."""

    exit_code = EXIT_USAGE


def content_files(paths: tuple[Path, ...], default: Path) -> list[Path]:
    """Resolve PATH arguments (or the ``default`` folder) to content files, or fail with exit 2."""
    from immunopipe.paths import LinkOutside, MissingPath, find_content_files

    targets = list(paths) or [default]
    try:
        files = find_content_files(targets)
    except MissingPath as exc:
        hint = " (run from your content repository, or pass the files to check)" if not paths else ""
        raise EnvironmentProblem(f"{exc}{hint}") from None
    except LinkOutside as exc:
        raise EnvironmentProblem(str(exc)) from None
    if not files:
        raise EnvironmentProblem(f"no content files (*.yaml, *.yml) found in: {', '.join(map(str, targets))}")
    return files


def project_config() -> Config:
    """The ``[tool.immunopipe]`` settings of ./pyproject.toml; invalid settings exit 2."""
    from immunopipe.config import ConfigError, load_config

    try:
        return load_config()
    except ConfigError as exc:
        raise EnvironmentProblem(str(exc)) from None


def check_files(files: list[Path], *, config: Config, jobs: int, use_cache: bool, output_format: str) -> AnyOutcome:
    """Validate ``files`` with the configured rule severities and options (and the caches).

    When nothing changed since the last run and the report is plain text or JSON, the stored
    report of that run is the outcome (:mod:`immunopipe.validate.warm`): nothing is checked again.
    """
    if not use_cache:
        return _validate(files, config=config, jobs=jobs, cache=None)
    from immunopipe.validate.cache import ResultCache, fingerprint
    from immunopipe.validate.warm import RunCache, WarmOutcome

    context = config.rule_context()
    key = fingerprint(context, config.severities)
    last_run = RunCache(DEFAULT_CACHE_DIR, key)
    report_format = resolve_format(output_format)
    printable = report_format in ("text", "json") and not use_color()
    if printable and (warm := last_run.outcome(files, report_format)) is not None:
        return warm
    cache = ResultCache(DEFAULT_CACHE_DIR, key)
    outcome = _validate(files, config=config, jobs=jobs, cache=cache)
    cache.save()
    if not printable:
        return outcome
    from immunopipe.reporters import stored_report

    report = stored_report(outcome, report_format)
    last_run.save(files, outcome, report)
    # Printed from the stored report: formatted once, and the diagnostics can go.
    return WarmOutcome(report, outcome.files_checked, outcome.valid_files, outcome.digests)


def _validate(files: list[Path], *, config: Config, jobs: int, cache: ResultCache | None) -> Outcome:
    from immunopipe.article_schema import SchemaUnavailable
    from immunopipe.validate import validate_files

    context = config.rule_context()
    try:
        return validate_files(files, context=context, severities=config.severities, jobs=jobs, cache=cache)
    except SchemaUnavailable as exc:
        raise EnvironmentProblem(str(exc)) from None


jobs_option = click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="the number of CPUs",
    help="Processes to use for checking many files and rendering handouts.",
)
cache_option = click.option(
    "--cache/--no-cache",
    default=True,
    show_default=True,
    help=f"Reuse results for unchanged files from {DEFAULT_CACHE_DIR}/ (never inside content/).",
)


paths_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="immunopipe")
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the text report: auto colours a terminal unless NO_COLOR is set.",
)
@click.pass_context
def main(ctx: click.Context, color: str) -> None:
    """Check structured health articles and publish them as PDF handouts, JSON and CSV.

    Articles are YAML files (by default in content/) checked against the bundled JSON Schema
    and immunopipe's rules. Settings may live under [tool.immunopipe] in ./pyproject.toml;
    options given here override them. Exit codes: 0 success, 1 content invalid, 2 usage or
    environment problem.
    """
    ctx.meta["immunopipe.color"] = color


def use_color() -> bool:
    """Whether to colour output, from --color, NO_COLOR (https://no-color.org) and the terminal."""
    choice = click.get_current_context().meta.get("immunopipe.color", "auto")
    if choice != "auto":
        return choice == "always"
    return not os.environ.get("NO_COLOR") and sys.stdout.isatty()


def echo_report(outcome: AnyOutcome, output_format: str, strict: bool) -> None:
    """Print the validation report in the chosen format (coloured where wanted)."""
    from immunopipe.reporters import REPORTERS

    styled = use_color()
    click.echo(REPORTERS[resolve_format(output_format)](outcome, strict, styled), nl=False, color=styled)


def resolve_format(output_format: str) -> str:
    """``auto`` means GitHub annotations inside GitHub Actions, plain text elsewhere."""
    if output_format != "auto":
        return output_format
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(["auto", *REPORT_FORMATS]),
    default="auto",
    show_default=True,
    help="text: path:line:col lines; json: a machine-readable report; github: Actions annotations; "
    "auto: github when GITHUB_ACTIONS=true, else text.",
)


@main.command()
@paths_argument
@format_option
@click.option("--strict", is_flag=True, help="Fail on warnings too, not just errors.")
@jobs_option
@cache_option
def validate(paths: tuple[Path, ...], output_format: str, strict: bool, jobs: int, cache: bool) -> None:
    """Check articles: YAML syntax, the schema, then immunopipe's rules.

    PATHS are files or folders (searched for *.yaml and *.yml); the default is content/.
    Every problem in every file is reported as path:line:column with a rule id.

    \b
    Examples:
      immunopipe validate
      immunopipe validate content/lupus.yaml --format json
    """
    config = project_config()
    files = content_files(paths, config.content)
    outcome = check_files(files, config=config, jobs=jobs, use_cache=cache, output_format=output_format)
    echo_report(outcome, output_format, strict)
    raise SystemExit(EXIT_INVALID if outcome.failed(strict=strict) else EXIT_OK)


RULE_LISTINGS = ("text", "json")


@main.command()
@click.option(
    "--format",
    "output_format",
    type=click.Choice([*RULE_LISTINGS, "markdown"]),
    default="text",
    show_default=True,
    help="text: a listing; json: one record per rule; markdown: the rule reference (docs/rules.md).",
)
def rules(output_format: str) -> None:
    """List every rule: id, severity, what it checks and the standard it comes from.

    Severities are those in force: the defaults, changed by [tool.immunopipe.rules] in
    ./pyproject.toml. The markdown reference documents the defaults.

    \b
    Examples:
      immunopipe rules
      immunopipe rules --format markdown > docs/rules.md
    """
    from immunopipe.validate.catalogue import render_json, render_markdown, render_text

    if output_format == "markdown":
        click.echo(render_markdown(), nl=False)
        return
    listing = render_json if output_format == "json" else render_text
    click.echo(listing(project_config().severities), nl=False)


@main.command()
@click.option("--path", "show_path", is_flag=True, help="Print where the bundled schema file is instead.")
def schema(show_path: bool) -> None:
    """Print the bundled article JSON Schema (draft 2020-12).

    Point your editor at it for completion and hover help, e.g. with a first line
    `# yaml-language-server: $schema=<path>` in each article.
    """
    from importlib import resources

    bundled = resources.files("immunopipe").joinpath("schema", "article.schema.json")
    if show_path:
        click.echo(str(bundled))
    else:
        click.echo(bundled.read_text("utf-8"), nl=False)


@main.command()
@click.argument("article_id", metavar="ID")
@click.option(
    "--content",
    "content_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to create the article in.  [default: content/, or `content` in [tool.immunopipe]]",
)
def new(article_id: str, content_dir: Path | None) -> None:
    """Start a new article: write CONTENT/ID.yaml from a template.

    The template passes the schema; its TODO placeholders are flagged by `immunopipe validate`
    until they are filled in. An existing file is never overwritten.
    """
    from datetime import date

    from immunopipe.scaffold import ScaffoldError, create_article

    content_dir = content_dir or project_config().content
    try:
        path = create_article(article_id, content_dir, today=date.today())
    except ScaffoldError as exc:
        raise EnvironmentProblem(str(exc)) from None
    except OSError as exc:
        raise EnvironmentProblem(f"cannot create the article in {content_dir}: {exc.strerror}") from None
    click.echo(f"created {path}; fill in the TODOs, then run: immunopipe validate {path}")


#: Below this many articles an export is quick enough to need no progress bar.
PROGRESS_THRESHOLD = 20


def progress(items: Iterable[T], length: int, *, quiet: bool) -> ContextManager[Iterable[T]]:
    """A progress bar on stderr over ``items`` for long exports on a terminal; else ``items`` as is."""
    if quiet or length < PROGRESS_THRESHOLD or not sys.stderr.isatty():
        return nullcontext(items)
    return click.progressbar(items, length=length, label="Exporting", file=sys.stderr)


class ShardOption(click.ParamType):
    """``K/N``: shard K of N (checked by :class:`immunopipe.export.shard.ShardSpec`)."""

    name = "K/N"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> object:
        from immunopipe.export.shard import ShardSpec

        try:
            return value if isinstance(value, ShardSpec) else ShardSpec.parse(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def waiting_notice(out_dir: Path) -> Callable[[], None]:
    """Tell the user, once, that the export waits for another one writing to ``out_dir``."""
    return lambda: click.echo(f"another export is writing to {out_dir}; waiting for it to finish...", err=True)


@main.command()
@paths_argument
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    help="Folder to write json/, csv/ and pdf/ into.  [default: exports/, or `out` in [tool.immunopipe]]",
)
@click.option(
    "--to",
    "formats",
    type=click.Choice(EXPORT_FORMATS),
    multiple=True,
    help="Format to write; repeat for several. Default: all of them.",
)
@click.option(
    "--paper",
    type=click.Choice(tuple(PAPER_SIZES)),
    help="PDF page size.  [default: a4, or `paper` in [tool.immunopipe]]",
)
@click.option("--large-print", is_flag=True, help="PDF handouts in large print.")
@click.option(
    "--csv-bom/--no-csv-bom",
    default=True,
    show_default=True,
    help="Start CSV files with a UTF-8 byte order mark, which Excel needs to show accents correctly.",
)
@format_option
@click.option("--strict", is_flag=True, help="Refuse to export on warnings too, not just errors.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary on stderr.")
@click.option(
    "--shard",
    type=ShardOption(),
    help="Export only shard K of N (chosen by each content file's SHA-256) into OUT, for `immunopipe merge`.",
)
@jobs_option
@cache_option
def export(
    paths: tuple[Path, ...],
    out_dir: Path | None,
    formats: tuple[str, ...],
    paper: str | None,
    large_print: bool,
    csv_bom: bool,
    output_format: str,
    strict: bool,
    jobs: int,
    cache: bool,
    quiet: bool,
    shard: ShardSpec | None,
) -> None:
    """Validate articles, then write them as JSON, CSV and PDF files under OUT.

    PATHS are as for validate (default content/). Articles are checked exactly as validate
    checks them; if any fails, the problems are printed and nothing is written. Otherwise the
    export replaces the previous one file by file, atomically, and removes the per-article files
    of articles no longer exported. A summary goes to stderr.

    With --shard K/N every machine validates all articles but exports only its share (about
    one in N) and a shard.json describing it; `immunopipe merge` joins the N folders into the
    files one export would have written.

    \b
    Examples:
      immunopipe export
      immunopipe export --to json --to csv --out public/
      immunopipe export --shard 2/4 --out shards/2
    """
    from functools import partial

    from immunopipe.export import ExportOptions, FormatUnavailable, Source, WriteError, export_articles
    from immunopipe.model import Article, article_from_data
    from immunopipe.validate import ContentChanged, load_validated

    def load(path: Path, digest: str) -> Article:
        """The article in ``path``, proven to hold the bytes that were validated."""
        return article_from_data(load_validated(path, digest))

    config = project_config()
    out_dir = out_dir or config.out
    paper = paper or config.paper
    files = content_files(paths, config.content)
    outcome = check_files(files, config=config, jobs=jobs, use_cache=cache, output_format=output_format)
    echo_report(outcome, output_format, strict)
    if outcome.failed(strict=strict):
        raise SystemExit(EXIT_INVALID)
    options = ExportOptions(
        paper=paper,
        large_print=large_print,
        csv_bom=csv_bom,
        jobs=jobs,
        cache_dir=DEFAULT_CACHE_DIR if cache else None,
    )
    chosen = [name for name in EXPORT_FORMATS if name in (formats or EXPORT_FORMATS)]
    items = list(outcome.digests.items())
    plan = None
    if shard:
        from immunopipe.export.shard import ShardPlan

        plan = ShardPlan(spec=shard, digests=[digest for _, digest in items], formats=chosen, options=options)
        items = [items[place] for place in plan.selected()]
    # A generator: the export takes one article at a time, so memory stays flat, and loads it
    # only if the render cache cannot stand in for it.
    articles = (Source(digest, partial(load, path, digest)) for path, digest in items)
    try:
        with progress(articles, len(items), quiet=quiet) as shown:
            result = export_articles(
                shown,
                out_dir,
                formats=chosen,
                options=options,
                on_wait=waiting_notice(out_dir),
                record=plan.recorder if plan else None,
            )
    except ContentChanged as exc:
        raise EnvironmentProblem(f"{exc}; run the export again") from None
    except (FormatUnavailable, WriteError) as exc:
        raise EnvironmentProblem(str(exc)) from None
    if not quiet:
        click.echo(result.summary(), err=True)


@main.command()
@click.argument("shards", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    help="Folder to write the whole export into.  [default: exports/, or `out` in [tool.immunopipe]]",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
def merge(shards: tuple[Path, ...], out_dir: Path | None, quiet: bool) -> None:
    """Join the folders of `export --shard K/N` into the export one machine would have written.

    SHARDS are the N shard folders, each given once. The files written under OUT (per-article
    files, index.json, the CSV tables and datapackage.json) are byte for byte those of a single
    export of the whole library; handouts are copied, not rendered again. Missing, duplicated or
    mismatched shards are refused (exit 2) before OUT is touched.

    \b
    Examples:
      immunopipe merge shards/1 shards/2 shards/3 shards/4 --out exports/
    """
    from immunopipe.export import FormatUnavailable, WriteError
    from immunopipe.export.shard import ShardError, merge_shards

    out_dir = out_dir or project_config().out
    try:
        result = merge_shards(shards, out_dir, on_wait=waiting_notice(out_dir))
    except (ShardError, FormatUnavailable, WriteError) as exc:
        raise EnvironmentProblem(str(exc)) from None
    if not quiet:
        click.echo(result.summary(), err=True)
