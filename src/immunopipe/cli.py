"""The ``immunopipe`` command line: parse options, call the core, map outcomes to exit codes.

Exit codes: 0 success, 1 content invalid, 2 usage or environment problem, 70 a bug in
immunopipe, 130 and 143 interrupted (SIGINT, SIGTERM). Every command runs inside one error
boundary, :meth:`Boundary.invoke`: the only place exceptions become messages and exit codes.
"""

from __future__ import annotations

import errno
import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager as ContextManager
from contextlib import nullcontext
from datetime import date
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from immunopipe import __version__
from immunopipe.errors import (
    BUG_REPORTS,
    EXIT_BUG,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    TRACEBACK_VARIABLE,
    ImmunopipeError,
    describe_os_error,
)
from immunopipe.formats import EXPORT_FORMATS, PAPER_SIZES
from immunopipe.reporters import REPORTERS
from immunopipe.safe_text import printable

if TYPE_CHECKING:
    from immunopipe.config import Config
    from immunopipe.validate import Outcome

T = TypeVar("T")

# Commands import the core lazily, so `--help` and `--version` start as fast as click itself
# and only `export --to pdf` ever loads WeasyPrint.

__all__ = ["EXIT_BUG", "EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "main"]

DEFAULT_CACHE_DIR = Path(".immunopipe-cache")


class EnvironmentProblem(ImmunopipeError):
    """A problem the command line itself finds with paths or settings: exit 2."""


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived: unwind (removing temporary files) and exit 128 + the signal number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.exit_code = 128 + signum


class UserError(click.ClickException):
    """An :class:`ImmunopipeError` on its way out: ``Error: <message>`` on stderr, exit 2."""

    exit_code = EXIT_USAGE


def _raise_interrupted(signum: int, _frame: FrameType | None) -> NoReturn:
    raise Interrupted(signum)


class Boundary(click.Group):
    """The one error boundary: every exception of every command ends here as one line and an exit code.

    * :class:`ImmunopipeError` (and any ``OSError`` the core did not word itself): ``Error: ...``, exit 2;
    * SIGINT and SIGTERM: the run unwinds (temporary files are removed, workers are stopped) and
      exits 130 or 143 without a word;
    * anything else is a bug: one line saying so and where to report it, exit 70 (the traceback
      too when ``IMMUNOPIPE_TRACEBACK=1``).
    """

    def invoke(self, ctx: click.Context) -> Any:
        previous = signal.signal(signal.SIGTERM, _raise_interrupted)
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except Interrupted as exc:
            raise SystemExit(exc.exit_code) from None
        except KeyboardInterrupt:
            raise SystemExit(128 + signal.SIGINT) from None
        except ImmunopipeError as exc:
            raise UserError(printable(str(exc))) from None
        except OSError as exc:
            raise UserError(_os_problem(exc)) from None
        except MemoryError:
            raise UserError("out of memory: check fewer files at a time, or use fewer --jobs") from None
        except Exception as exc:
            _report_bug(exc)
            raise SystemExit(EXIT_BUG) from None
        finally:
            signal.signal(signal.SIGTERM, previous)


def _os_problem(exc: OSError) -> str:
    """The one line for an ``OSError`` no command worded itself."""
    if exc.errno == errno.ENOENT and exc.filename is None and not _working_folder_exists():
        return "the folder immunopipe was started in no longer exists: change to an existing folder and run it again"
    return describe_os_error(exc)


def _working_folder_exists() -> bool:
    try:
        os.getcwd()
    except OSError:
        return False
    return True


def _report_bug(exc: Exception) -> None:
    """One line for an error immunopipe did not expect (and the traceback when asked for)."""
    if os.environ.get(TRACEBACK_VARIABLE) == "1":
        traceback.print_exception(exc, file=sys.stderr)
    detail = printable(f"{type(exc).__name__}: {exc}")[:300]
    click.echo(
        f"Bug: immunopipe {__version__} failed unexpectedly ({detail}); please report it, with the command you ran, "
        f"to {BUG_REPORTS} (set {TRACEBACK_VARIABLE}=1 to include the traceback) [exit {EXIT_BUG}]",
        err=True,
    )


def content_files(paths: tuple[Path, ...], default: Path) -> list[Path]:
    """Resolve PATH arguments (or the ``default`` folder) to content files, or fail with exit 2."""
    from immunopipe.paths import MissingPath, find_content_files

    targets = list(paths) or [default]
    try:
        files = find_content_files(targets)
    except MissingPath as exc:
        hint = " (run from your content repository, or pass the files to check)" if not paths else ""
        raise EnvironmentProblem(f"{exc}{hint}") from None
    if not files:
        raise EnvironmentProblem(f"no content files (*.yaml, *.yml) found in: {', '.join(map(str, targets))}")
    return files


def project_config() -> Config:
    """The ``[tool.immunopipe]`` settings of ./pyproject.toml; invalid settings exit 2."""
    from immunopipe.config import load_config

    return load_config()


def check_files(files: list[Path], *, config: Config, jobs: int, use_cache: bool) -> Outcome:
    """Validate ``files`` with the configured rule severities and options (and the cache)."""
    from immunopipe.validate import validate_files
    from immunopipe.validate.cache import ResultCache, fingerprint

    context = config.rule_context()
    cache = ResultCache(DEFAULT_CACHE_DIR, fingerprint(context, config.severities)) if use_cache else None
    outcome = validate_files(files, context=context, severities=config.severities, jobs=jobs, cache=cache)
    if cache:
        cache.save()
    return outcome


jobs_option = click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="the number of CPUs",
    help="Processes to use for checking many files and rendering handouts (never more than CPUs or files; "
    "fewer when the system refuses processes or open files).",
)
cache_option = click.option(
    "--cache/--no-cache",
    default=True,
    show_default=True,
    help=f"Reuse results for unchanged files from {DEFAULT_CACHE_DIR}/ (never inside content/).",
)


paths_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


@click.group(cls=Boundary, context_settings={"help_option_names": ["-h", "--help"]})
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
    options given here override them.

    \b
    Exit codes:
      0    success
      1    content invalid
      2    usage or environment problem (one line: Error: ...)
      70   a bug in immunopipe (one line saying where to report it)
      130  interrupted (Ctrl-C); 143 terminated (SIGTERM)
    """
    ctx.meta["immunopipe.color"] = color


def use_color() -> bool:
    """Whether to colour output, from --color, NO_COLOR (https://no-color.org) and the terminal."""
    choice = click.get_current_context().meta.get("immunopipe.color", "auto")
    if choice != "auto":
        return choice == "always"
    return not os.environ.get("NO_COLOR") and sys.stdout.isatty()


def echo_report(outcome: Outcome, output_format: str, strict: bool) -> None:
    """Print the validation report in the chosen format (coloured where wanted)."""
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
    type=click.Choice(["auto", *REPORTERS]),
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
    outcome = check_files(files, config=config, jobs=jobs, use_cache=cache)
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
    from immunopipe.scaffold import create_article

    content_dir = content_dir or project_config().content
    try:
        path = create_article(article_id, content_dir, today=date.today())
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
@click.option(
    "--prune",
    is_flag=True,
    help="Also remove the export's own files of articles no longer exported (only when every PATH is a folder).",
)
@click.option(
    "--overwrite-edited",
    is_flag=True,
    help="Replace (and with --prune remove) export files edited by hand since the last export.",
)
@format_option
@click.option("--strict", is_flag=True, help="Refuse to export on warnings too, not just errors.")
@click.option(
    "-q", "--quiet", is_flag=True, help="No progress bar and no summary on stderr; removed files are still listed."
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
    prune: bool,
    overwrite_edited: bool,
) -> None:
    """Validate articles, then write them as JSON, CSV and PDF files under OUT.

    PATHS are as for validate (default content/). Articles are checked exactly as validate
    checks them; if any fails, the problems are printed and nothing is written. Otherwise the
    export replaces its previous files one by one, atomically. It only ever replaces or removes
    files it wrote itself and that are unchanged since (listed with their SHA-256 in
    .immunopipe-manifest.json in each folder): any other file in the way stops it with exit 2
    before anything changes. Files of articles no longer exported stay unless --prune is given.
    A summary goes to stderr (one JSON line with --format json).

    \b
    Examples:
      immunopipe export
      immunopipe export --to json --to csv --out public/
      immunopipe export --prune
    """
    from functools import partial

    from immunopipe.export import ExportOptions, PendingArticle, export_articles
    from immunopipe.validate.runner import load_checked

    config = project_config()
    out_dir = out_dir or config.out
    paper = paper or config.paper
    named_files = [path for path in paths if path.exists() and not path.is_dir()]
    if prune and named_files:
        raise click.UsageError(
            f"--prune removes the exports of articles not exported now, so it needs whole folders, "
            f"not single files such as {named_files[0]}: export the folder, or leave out --prune"
        )
    files = content_files(paths, config.content)
    outcome = check_files(files, config=config, jobs=jobs, use_cache=cache)
    echo_report(outcome, output_format, strict)
    if outcome.failed(strict=strict):
        raise SystemExit(EXIT_INVALID)
    # A generator: the export takes one article at a time, so memory stays flat, and loads it
    # only if the render cache cannot stand in for it.
    articles = (PendingArticle(digest, partial(load_checked, path, digest)) for path, digest in outcome.digests.items())
    options = ExportOptions(
        paper=paper,
        large_print=large_print,
        csv_bom=csv_bom,
        jobs=jobs,
        cache_dir=DEFAULT_CACHE_DIR if cache else None,
        prune=prune,
        overwrite_edited=overwrite_edited,
    )
    chosen = formats or EXPORT_FORMATS
    with progress(articles, len(outcome.valid_files), quiet=quiet) as shown:
        result = export_articles(shown, out_dir, formats=chosen, options=options, on_wait=waiting_notice(out_dir))
    if resolve_format(output_format) == "json":
        click.echo(result.json_summary(), err=True)
    elif not quiet:
        click.echo(result.summary(), err=True)
    else:
        for line in result.removals():
            click.echo(line, err=True)
