"""The ``immunopipe`` command line: parse options, call the core, map outcomes to exit codes.

Exit codes: 0 success, 1 content invalid, 2 usage or environment problem, 70 a bug in
immunopipe, 130 and 143 interrupted (SIGINT, SIGTERM). Every command runs inside one error
boundary, :meth:`Boundary.invoke`: the only place exceptions become messages and exit codes.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager as ContextManager
from contextlib import nullcontext
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
from immunopipe.formats import EXPORT_FORMATS, PAPER_SIZES, REPORT_FORMATS
from immunopipe.safe_text import printable

if TYPE_CHECKING:
    from pathlib import Path

    from immunopipe.config import Config
    from immunopipe.export import ExportResult
    from immunopipe.export.shard import ShardSpec
    from immunopipe.profile import Profile
    from immunopipe.translation.model import TranslationOutcome
    from immunopipe.validate import Outcome
    from immunopipe.validate.runner import Prerender
    from immunopipe.validate.warm import RunCache

T = TypeVar("T")

# Commands import the core lazily, so `--help` and `--version` start as fast as click itself
# and only `export --to pdf` ever loads WeasyPrint. Even the standard library's pathlib, hashlib,
# signal, traceback and json wait until a command runs (tests/test_cli.py keeps them out).

__all__ = ["EXIT_BUG", "EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "main"]

#: The cache folder, relative to the folder immunopipe runs in (:func:`cache_folder`).
DEFAULT_CACHE_DIR = ".immunopipe-cache"


def cache_folder() -> Path:
    """The folder of every cache: :data:`DEFAULT_CACHE_DIR` in the working folder."""
    from pathlib import Path

    return Path(DEFAULT_CACHE_DIR)


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


class PathParam(click.Path):
    """click's path parameter, given to the command as a :class:`pathlib.Path`.

    ``click.Path(path_type=Path)`` needs pathlib when the options are declared; this loads it only
    when a path is converted, so ``--help`` and ``--version`` never do.
    """

    def coerce_path_result(self, value: str | os.PathLike[str]) -> Path:
        from pathlib import Path

        return Path(value)


#: The path parameters, each built once: click words each one's name (``file``, ``directory``,
#: ``path``) through gettext, which costs start-up time for every parameter built.
ANY_PATH = PathParam()
FILE_PATH = PathParam(dir_okay=False)
FOLDER_PATH = PathParam(file_okay=False)


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
        import signal

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
        import traceback

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


def check_files(
    files: list[Path],
    *,
    config: Config,
    jobs: int,
    use_cache: bool,
    baseline: Path | None = None,
    cache_key: str | None = None,
    prerender: Prerender | None = None,
) -> Outcome:
    """Validate ``files`` with the configured rule severities and options (and the cache).

    With a ``baseline`` file, the warnings it records are dropped and its stale entries reported.
    The baseline is applied after the cache, so a changed baseline is never served stale.
    ``cache_key`` is the cache's fingerprint when the caller has it already; ``prerender`` is
    passed on to :func:`~immunopipe.validate.runner.validate_files`.
    """
    from immunopipe.validate import validate_files
    from immunopipe.validate.baseline import apply, read
    from immunopipe.validate.cache import ResultCache, fingerprint

    context = config.rule_context()
    entries = read(baseline) if baseline else []
    key = cache_key or fingerprint(context, config.severities) if use_cache else None
    cache = ResultCache(cache_folder(), key) if key else None
    outcome = validate_files(
        files, context=context, severities=config.severities, jobs=jobs, cache=cache, prerender=prerender
    )
    if cache:
        cache.save()
    if baseline:
        apply(outcome, entries, baseline, config.severities)
    return outcome


def check_content(
    files: list[Path],
    *,
    config: Config,
    jobs: int,
    use_cache: bool,
    baseline: Path | None = None,
    cache_key: str | None = None,
    prerender: Prerender | None = None,
) -> tuple[Outcome, TranslationOutcome]:
    """Validate the articles among ``files`` (see :func:`check_files`), then the translations against their sources."""
    from immunopipe.translation.layout import source_path, split_files
    from immunopipe.translation.model import TranslationOutcome

    articles, translations = split_files(files)
    outcome = check_files(
        articles,
        config=config,
        jobs=jobs,
        use_cache=use_cache,
        baseline=baseline,
        cache_key=cache_key,
        prerender=prerender,
    )
    if not translations:
        return outcome, TranslationOutcome()
    import hashlib

    from immunopipe.paths import display_path
    from immunopipe.translation.run import check_translations
    from immunopipe.validate import load_validated

    # Hashed before they are checked, so a stored report is never keyed to bytes newer than it saw.
    for path in translations:
        with contextlib.suppress(OSError):
            outcome.read_digests[path] = hashlib.sha256(path.read_bytes()).hexdigest()
    needed = {source_path(path).resolve() for path in translations}
    sources = {
        path: load_validated(path, digest) for path, digest in outcome.digests.items() if path.resolve() in needed
    }
    checked = check_translations(translations, sources, severities=config.severities, display=display_path)
    outcome.diagnostics = sorted(
        outcome.diagnostics + checked.diagnostics, key=lambda d: (d.path, d.line, d.column, d.rule)
    )
    outcome.files_checked += len(translations)
    return outcome, checked


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


paths_argument = click.argument("paths", nargs=-1, type=ANY_PATH)
profile_option = click.option(
    "--profile",
    "profile_path",
    type=FILE_PATH,
    help="Clinic profile (YAML) printed in the handouts' header and contact box; checked like an article.  "
    "[default: `profile` in [tool.immunopipe], else none]",
)


def check_profile(path: Path | None, outcome: Outcome) -> Profile | None:
    """Check the clinic profile at ``path`` (if any), adding its problems to ``outcome``."""
    if path is None:
        return None
    from immunopipe.article_schema import SchemaUnavailable
    from immunopipe.validate.profile import check_profile as check

    if path.is_dir():
        raise EnvironmentProblem(f"the clinic profile {path} is a folder: name the profile's YAML file in it")
    if not path.is_file():
        raise EnvironmentProblem(f"no such clinic profile: {path}")
    try:
        profile, diagnostics = check(path)
    except SchemaUnavailable as exc:
        raise EnvironmentProblem(str(exc)) from None
    outcome.diagnostics.extend(diagnostics)
    outcome.files_checked += 1
    return profile


DEFAULT_BASELINE = "immunopipe-baseline.json"

baseline_option = click.option(
    "--baseline",
    "baseline_file",
    type=FILE_PATH,
    default=DEFAULT_BASELINE,
    show_default=True,
    help="Warnings recorded by `immunopipe baseline` are not reported (only counted); "
    "entries that no longer match are reported as baseline-stale. Used when the file exists.",
)
no_baseline_option = click.option(
    "--no-baseline", is_flag=True, help="Report every warning, ignoring the baseline file."
)
max_warnings_option = click.option(
    "--max-warnings",
    type=click.IntRange(min=0),
    metavar="N",
    help="Fail (exit 1) when more than N warnings remain after ignore comments and the baseline.",
)


def chosen_baseline(baseline_file: Path, no_baseline: bool) -> Path | None:
    """The baseline file to apply: none with --no-baseline; the default one only if it exists."""
    if no_baseline:
        return None
    from pathlib import Path

    if baseline_file == Path(DEFAULT_BASELINE) and not baseline_file.exists():
        return None
    if not baseline_file.is_file():
        raise EnvironmentProblem(f"baseline file not found: {baseline_file} (record one with: immunopipe baseline)")
    return baseline_file


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
    """Check structured health articles and publish them as PDF handouts, JSON, CSV and xlsx.

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


def echo_report(outcome: Outcome, output_format: str, strict: bool) -> str:
    """Print the validation report in the chosen format (coloured where wanted); return what was printed."""
    styled = use_color()
    from immunopipe.reporters import REPORTERS

    report = REPORTERS[resolve_format(output_format)](outcome, strict, styled)
    # In slices: the stream encodes what it is given at once, and a large library's report is
    # many megabytes.
    for start in range(0, len(report), ECHO_SLICE):
        click.echo(report[start : start + ECHO_SLICE], nl=False, color=styled)
    return report


#: Characters of a report printed at a time (see :func:`echo_report`).
ECHO_SLICE = 1 << 20


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
@profile_option
@max_warnings_option
@baseline_option
@no_baseline_option
@jobs_option
@cache_option
def validate(
    paths: tuple[Path, ...],
    output_format: str,
    strict: bool,
    profile_path: Path | None,
    max_warnings: int | None,
    baseline_file: Path,
    no_baseline: bool,
    jobs: int,
    cache: bool,
) -> None:
    """Check articles: YAML syntax, the schema, then immunopipe's rules.

    PATHS are files or folders (searched for *.yaml and *.yml); the default is content/.
    Every problem in every file is reported as path:line:column with a rule id, then the
    count per rule. A comment `# immunopipe: ignore[rule-id] reason` on a line (or the line
    above it) ignores that rule's problems there.

    \b
    Examples:
      immunopipe validate
      immunopipe validate content/lupus.yaml --format json
      immunopipe validate --max-warnings 0
      immunopipe validate --profile clinic.yaml
    """
    config = project_config()
    baseline = chosen_baseline(baseline_file, no_baseline)
    files = content_files(paths, config.content)
    profile = profile_path or config.profile
    last_run = None
    if cache and profile is None:  # a profile's logo is one more file the report depends on
        last_run = previous_run(config, output_format, strict=strict, max_warnings=max_warnings, baseline=baseline)
        stored = last_run.stored(files)
        if stored is not None:
            click.echo(stored.output, nl=False, color=use_color())
            raise SystemExit(stored.exit_code)
    key = last_run.fingerprint if last_run else None
    outcome, _translations = check_content(
        files, config=config, jobs=jobs, use_cache=cache, baseline=baseline, cache_key=key
    )
    outcome.max_warnings = max_warnings
    check_profile(profile, outcome)
    report = echo_report(outcome, output_format, strict)
    exit_code = EXIT_INVALID if outcome.failed(strict=strict) else EXIT_OK
    if last_run:
        from immunopipe.validate.warm import StoredRun

        last_run.save(files, outcome.read_digests, StoredRun(report, exit_code))
    raise SystemExit(exit_code)


def previous_run(
    config: Config, output_format: str, *, strict: bool, max_warnings: int | None, baseline: Path | None
) -> RunCache:
    """The stored output of the last ``validate`` run, for these settings (:mod:`immunopipe.validate.warm`)."""
    from immunopipe.validate.cache import fingerprint
    from immunopipe.validate.warm import RunCache, RunSettings

    settings = RunSettings(
        fingerprint=fingerprint(config.rule_context(), config.severities),
        report_format=resolve_format(output_format),
        styled=use_color(),
        strict=strict,
        max_warnings=max_warnings,
        baseline=baseline,
    )
    return RunCache(cache_folder(), settings)


@main.command()
@paths_argument
@click.option(
    "--file",
    "baseline_file",
    type=FILE_PATH,
    default=DEFAULT_BASELINE,
    show_default=True,
    help="The baseline file to write.",
)
@jobs_option
@cache_option
def baseline(paths: tuple[Path, ...], baseline_file: Path, jobs: int, cache: bool) -> None:
    """Record today's warnings, so that validate reports only new ones.

    Checks PATHS (default content/) and writes every warning to the baseline file: its file,
    rule and a fingerprint of the node it is about (not its line, so the entry survives edits
    above it). Entries for files not checked now are kept. validate and export then count the
    recorded warnings instead of listing them and report entries that no longer match, so the
    baseline shrinks as content improves. Errors are never recorded: they are printed, and the
    exit code is 1 while there are any. A baseline file that is not one (damaged) is kept as
    FILE.damaged and a fresh baseline is recorded.

    \b
    Examples:
      immunopipe baseline
      git add immunopipe-baseline.json
    """
    from pathlib import PurePosixPath

    from immunopipe.diagnostics import Severity
    from immunopipe.files.write import ExportFile, WriteError, write_files
    from immunopipe.reporters import format_text_line
    from immunopipe.validate.baseline import BaselineDamaged, BaselineError, read, record, render, set_aside

    if not baseline_file.name[:1].isalnum():
        raise EnvironmentProblem(f"the baseline file name must start with a letter or digit: {baseline_file.name}")
    config = project_config()
    files = content_files(paths, config.content)
    kept_aside: list[ExportFile] = []
    try:
        try:
            previous = read(baseline_file)
        except BaselineDamaged as damaged:
            aside, data = set_aside(damaged)
            previous = []
            kept_aside = [ExportFile(PurePosixPath(aside.name), data)]
            click.echo(
                f"Warning: {baseline_file} is not an immunopipe baseline ({damaged.reason}); "
                f"recording a fresh one, the old file is kept as {aside}",
                err=True,
            )
    except BaselineError as exc:
        raise EnvironmentProblem(str(exc)) from None
    outcome = check_files(files, config=config, jobs=jobs, use_cache=cache)
    entries = record(outcome, previous)
    folder = baseline_file.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        baseline_bytes = ExportFile(PurePosixPath(baseline_file.name), render(entries).encode())
        write_files(folder.resolve(), [*kept_aside, baseline_bytes])
    except (OSError, WriteError) as exc:
        raise EnvironmentProblem(f"cannot write the baseline {baseline_file}: {exc}") from None
    errors = [d for d in outcome.diagnostics if d.severity is Severity.ERROR]
    for diagnostic in errors:
        click.echo(format_text_line(diagnostic), err=True)
    recorded = len(entries) - len([e for e in previous if e.file not in outcome.checked_paths])
    click.echo(
        f"recorded {recorded} warning{'' if recorded == 1 else 's'} of {len(files)} "
        f"file{'' if len(files) == 1 else 's'} in {baseline_file}"
        + (f"; {len(errors)} error{'' if len(errors) == 1 else 's'} cannot be recorded: fix them" if errors else "")
    )
    raise SystemExit(EXIT_INVALID if errors else EXIT_OK)


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


SCHEMA_NAMES = ("article", "article-document", "index", "profile")


@main.command()
@click.argument("name", type=click.Choice(SCHEMA_NAMES), default="article")
@click.option("--path", "show_path", is_flag=True, help="Print where the shipped schema file is instead.")
@click.option(
    "--export",
    "export_dir",
    type=FOLDER_PATH,
    help="Write every published schema, standalone, into this folder.",
)
def schema(name: str, show_path: bool, export_dir: Path | None) -> None:
    """Print a published JSON Schema (draft 2020-12): NAME is article (the default),
    article-document (an exported json/<id>.json), index (json/index.json) or profile (a clinic
    profile, --profile).

    Each schema's $id is a URN ending in its version (urn:immunopipe:schema:article:1.0.0), an
    identifier rather than a web address. Printed and exported schemas are standalone: the
    schemas they refer to are bundled in $defs, so any 2020-12 validator (check-jsonschema, ajv)
    can use them offline. --export replaces a schema file only when it holds another version of
    that schema; an edited copy, or any other file by that name, is refused (exit 2). Point your
    editor at the article schema for completion and hover help, e.g. with a first line
    `# yaml-language-server: $schema=<path>` in each article.

    \b
    Examples:
      immunopipe schema > article.schema.json
      immunopipe schema --export schemas/
      check-jsonschema --schemafile schemas/article-document.schema.json exports/json/lupus.json
    """
    import json

    from immunopipe.files.write import ExportFile, WriteError, write_files
    from immunopipe.schemas import (
        SchemaFileEdited,
        SchemaFileUnavailable,
        bundled_path,
        export_files,
        refuse_edited_schemas,
        standalone,
    )

    try:
        if export_dir is None:
            text = str(bundled_path(name)) if show_path else json.dumps(standalone(name), ensure_ascii=False, indent=2)
        else:
            files = export_files()
            try:
                refuse_edited_schemas(export_dir, files)
                export_dir.mkdir(parents=True, exist_ok=True)
                write_files(export_dir.resolve(), [ExportFile(path, data) for path, data in files])
            except SchemaFileEdited as exc:
                raise EnvironmentProblem(f"refusing to export the schemas: {exc}") from None
            except (OSError, WriteError) as exc:
                raise EnvironmentProblem(f"cannot write the schemas to {export_dir}: {exc}") from None
            text = "\n".join(str(export_dir / path) for path, _data in files)
    except SchemaFileUnavailable as exc:
        raise EnvironmentProblem(str(exc)) from None
    try:
        click.echo(text)
    except OSError as exc:
        raise EnvironmentProblem(f"cannot write the schema to standard output: {exc.strerror or exc}") from None


@main.command()
@click.argument("article_id", metavar="ID")
@click.option(
    "--content",
    "content_dir",
    type=FOLDER_PATH,
    help="Folder to create the article in.  [default: content/, or `content` in [tool.immunopipe]]",
)
def new(article_id: str, content_dir: Path | None) -> None:
    """Start a new article: write CONTENT/ID.yaml from a template.

    The template passes the schema; its TODO placeholders are flagged by `immunopipe validate`
    until they are filled in. An existing file is never overwritten.
    """
    from datetime import date

    from immunopipe.scaffold import create_article

    content_dir = content_dir or project_config().content
    try:
        path = create_article(article_id, content_dir, today=date.today())
    except OSError as exc:
        raise EnvironmentProblem(f"cannot create the article in {content_dir}: {exc.strerror}") from None
    click.echo(f"created {path}; fill in the TODOs, then run: immunopipe validate {path}")


@main.command()
@click.argument("article_id", metavar="ID")
@click.argument("language", metavar="LANG")
@click.option(
    "--content",
    "content_dir",
    type=FOLDER_PATH,
    help="Folder holding ID.yaml and translations/.  [default: content/, or `content` in [tool.immunopipe]]",
)
@click.option(
    "--accept",
    "accepted",
    metavar="KEY",
    multiple=True,
    help="Fact whose translation you updated to the current English: its source becomes that English. Repeatable.",
)
@click.option("--prune", is_flag=True, help="Remove translations of facts the source no longer has.")
def translate(article_id: str, language: str, content_dir: Path | None, accepted: tuple[str, ...], prune: bool) -> None:
    """Start or refresh the translation of article ID into LANG (a BCP 47 tag such as es, ar, zh-Hans).

    Writes CONTENT/translations/LANG/ID.yaml. Facts new to the source get the English text and
    `untranslated: true`, an error until translated. Translated text is never overwritten: a fact
    whose English changed stays as it is, reported as translation-stale with the old and new
    English, until you update it and pass --accept KEY.

    \b
    Examples:
      immunopipe translate immune-system-medicine es
      immunopipe translate immune-system-medicine es --accept summary
    """
    import langcodes

    from immunopipe.load import LoadError, load_path
    from immunopipe.translation.document import translation_checker
    from immunopipe.translation.layout import translation_path
    from immunopipe.translation.refresh import RefreshError, refresh, write_translation
    from immunopipe.translation.scripts import UnsupportedScript, script_for
    from immunopipe.validate import load_validated

    if not langcodes.tag_is_valid(language):
        raise click.BadParameter(
            f"{language!r} is not a valid BCP 47 language tag (e.g. es, ar, zh-Hans)", param_hint="LANG"
        )
    language = langcodes.standardize_tag(language)
    try:
        script_for(language)
    except UnsupportedScript as exc:
        raise click.BadParameter(f"{language!r} cannot be printed: {exc}", param_hint="LANG") from None
    config = project_config()
    content_dir = content_dir or config.content
    source_file = content_dir / f"{article_id}.yaml"
    if not source_file.is_file():
        raise EnvironmentProblem(f"no article {source_file}")
    target = translation_path(content_dir, language, article_id)
    outcome = check_files([source_file], config=config, jobs=1, use_cache=False)
    existing = None
    if target.is_file():
        try:
            document = load_path(target)
        except LoadError as exc:
            problems = "; ".join(f"{target}:{p.line}:{p.column}: {p.message}" for p in exc.problems)
            raise EnvironmentProblem(f"cannot refresh {target}: {problems}") from None
        schema_problems = translation_checker().check(document)
        if schema_problems:
            first = schema_problems[0]
            raise EnvironmentProblem(f"fix {target} first: {first.line}:{first.column}: {first.message} [{first.rule}]")
        existing = document.data
    if source_file not in outcome.digests:
        echo_report(outcome, "auto", strict=False)
        raise SystemExit(EXIT_INVALID)
    source = load_validated(source_file, outcome.digests[source_file])
    try:
        data, report = refresh(source, existing, language, accept=accepted, prune=prune)
    except RefreshError as exc:
        raise click.BadParameter(str(exc), param_hint="--accept") from None
    depth = len(target.relative_to(content_dir).parts)
    try:
        write_translation(target, data, depth=depth)
    except OSError as exc:
        raise EnvironmentProblem(f"cannot write {target}: {exc.strerror or exc}") from None
    verb = "updated" if existing else "created"
    click.echo(
        f"{verb} {target}: {len(report.added)} facts to translate (marked untranslated), "
        f"{len(report.accepted)} accepted, {len(report.kept_stale)} stale, {len(report.pruned)} pruned"
    )


@main.command()
@click.argument("article_id", metavar="ID")
@click.option(
    "--approve", is_flag=True, help="Record the approval (refused while a query is open or an error remains)."
)
@click.option("--reviewer", help="With --approve: the reviewing clinician's full name.")
@click.option("--role", help="With --approve: the reviewer's role or registration, e.g. 'Consultant rheumatologist'.")
@click.option(
    "--content",
    "content_dir",
    type=FOLDER_PATH,
    help="Folder the article is in.  [default: content/, or `content` in [tool.immunopipe]]",
)
def review(article_id: str, approve: bool, reviewer: str | None, role: str | None, content_dir: Path | None) -> None:
    """Show what a clinical reviewer must look at, or record their approval.

    Prints the approval and whether the facts still match it, every fact changed since the
    approved snapshot (CONTENT/reviews/ID.json) as a diff, the open editorial queries and the
    rules' findings. With --approve, records the reviewer, today's date and a digest of every
    reviewed fact in the article, and stores the snapshot. Exit codes: 0 done, 1 approval
    refused or content invalid, 2 usage problem.

    \b
    Examples:
      immunopipe review immune-system-medicine
      immunopipe review immune-system-medicine --approve --reviewer "Dr Jane Doe" --role "Consultant rheumatologist"
    """
    from datetime import date

    from immunopipe.review.session import ReviewProblem, approve_article, article_path, gather, report

    if approve and not (reviewer and role):
        raise click.UsageError("--approve needs --reviewer NAME and --role ROLE")
    if not approve and (reviewer or role):
        raise click.UsageError("--reviewer and --role go with --approve")
    config = project_config()
    content_dir = content_dir or config.content
    try:
        path = article_path(content_dir, article_id)
        found = gather(path, context=config.rule_context(), severities=config.severities)
        if not approve:
            click.echo(report(found, content_dir), nl=False)
            raise SystemExit(EXIT_INVALID if found.errors else EXIT_OK)
        written = approve_article(
            found,
            content_dir,
            name=reviewer or "",
            role=role or "",
            day=date.today(),
            context=config.rule_context(),
            severities=config.severities,
        )
    except ReviewProblem as exc:
        if exc.usage:
            raise EnvironmentProblem(str(exc)) from None
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(EXIT_INVALID) from None
    click.echo(f"approved {article_id} for {reviewer}, {role}: wrote {', '.join(map(str, written)) or 'nothing new'}")


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


prune_option = click.option(
    "--prune",
    is_flag=True,
    help="Also remove the export's own files of articles no longer exported (only when every PATH is a folder).",
)
overwrite_edited_option = click.option(
    "--overwrite-edited",
    is_flag=True,
    help="Replace (and with --prune remove) export files edited by hand since the last export.",
)


def echo_summary(result: ExportResult, *, as_json: bool, quiet: bool) -> None:
    """The export's summary on stderr: one JSON line, the sentence, or (quiet) only the removals."""
    if as_json:
        click.echo(result.json_summary(), err=True)
    elif not quiet:
        click.echo(result.summary(), err=True)
    else:
        for line in result.removals():
            click.echo(line, err=True)


def waiting_notice(out_dir: Path) -> Callable[[], None]:
    """Tell the user, once, that the export waits for another one writing to ``out_dir``."""
    return lambda: click.echo(f"another export is writing to {out_dir}; waiting for it to finish...", err=True)


@main.command()
@paths_argument
@click.option(
    "--out",
    "out_dir",
    type=ANY_PATH,
    help="Folder to write json/, csv/, pdf/ and xlsx/ into.  [default: exports/, or `out` in [tool.immunopipe]]",
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
@profile_option
@click.option(
    "--csv-bom/--no-csv-bom",
    default=True,
    show_default=True,
    help="Start CSV files with a UTF-8 byte order mark, which Excel needs to show accents correctly.",
)
@prune_option
@overwrite_edited_option
@format_option
@click.option("--strict", is_flag=True, help="Refuse to export on warnings too, not just errors.")
@max_warnings_option
@baseline_option
@no_baseline_option
@click.option(
    "-q", "--quiet", is_flag=True, help="No progress bar and no summary on stderr; removed files are still listed."
)
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
    profile_path: Path | None,
    csv_bom: bool,
    output_format: str,
    strict: bool,
    max_warnings: int | None,
    baseline_file: Path,
    no_baseline: bool,
    jobs: int,
    cache: bool,
    quiet: bool,
    prune: bool,
    overwrite_edited: bool,
    shard: ShardSpec | None,
) -> None:
    """Validate articles, then write them as JSON, CSV, PDF and xlsx files under OUT.

    PATHS are as for validate (default content/). Articles are checked exactly as validate
    checks them; if any fails, the problems are printed and nothing is written. Otherwise the
    export replaces its previous files one by one, atomically. It only ever replaces or removes
    files it wrote itself and that are unchanged since (listed with their SHA-256 in
    .immunopipe-manifest.json in each folder): any other file in the way stops it with exit 2
    before anything changes. Files of articles no longer exported stay unless --prune is given.
    A summary goes to stderr (one JSON line with --format json).

    With --shard K/N every machine validates all articles but exports only its share (about
    one in N, each translation with its article) and a shard.json describing it; `immunopipe
    merge` joins the N folders into the files one export would have written.

    \b
    Examples:
      immunopipe export
      immunopipe export --to json --to csv --out public/
      immunopipe export --prune
      immunopipe export --to pdf --profile clinic.yaml
      immunopipe export --shard 2/4 --out shards/2
    """
    from functools import partial
    from itertools import chain

    from immunopipe.export import ExportOptions, PendingArticle, TranslatedArticle, export_articles, prerender
    from immunopipe.translation.layout import source_path
    from immunopipe.validate.runner import Prerender, load_checked

    config = project_config()
    out_dir = out_dir or config.out
    paper = paper or config.paper
    named_files = [path for path in paths if path.exists() and not path.is_dir()]
    if prune and named_files:
        raise click.UsageError(
            f"--prune removes the exports of articles not exported now, so it needs whole folders, "
            f"not single files such as {named_files[0]}: export the folder, or leave out --prune"
        )
    baseline = chosen_baseline(baseline_file, no_baseline)
    files = content_files(paths, config.content)
    chosen = [name for name in EXPORT_FORMATS if name in (formats or EXPORT_FORMATS)]
    # The JSON and CSV of each article (of a shard's share) are rendered by the process that
    # validates it, while it is loaded.
    renders_tables = bool({"json", "csv", "xlsx"} & set(chosen))
    outcome, checked = check_content(
        files,
        config=config,
        jobs=jobs,
        use_cache=cache,
        baseline=baseline,
        prerender=Prerender(prerender, shard.holds if shard else None) if renders_tables else None,
    )
    outcome.max_warnings = max_warnings
    profile = check_profile(profile_path or config.profile, outcome)
    echo_report(outcome, output_format, strict)
    if outcome.failed(strict=strict):
        raise SystemExit(EXIT_INVALID)
    digests = {path.resolve(): digest for path, digest in outcome.digests.items()}
    translated = [
        TranslatedArticle(PendingArticle(digests[key], partial(load_checked, key, digests[key])), translation)
        for path, translation in checked.valid.items()
        if (key := source_path(path).resolve()) in digests
    ]
    options = ExportOptions(
        paper=paper,
        large_print=large_print,
        csv_bom=csv_bom,
        profile=profile,
        jobs=jobs,
        cache_dir=cache_folder() if cache else None,
        prune=prune,
        overwrite_edited=overwrite_edited,
    )
    items = list(outcome.digests.items())
    plan = None
    if shard:
        from immunopipe.export.shard import ShardPlan

        plan = ShardPlan(
            spec=shard,
            digests=[digest for _, digest in items],
            formats=chosen,
            options=options,
            translations=translated,
        )
        plan.check_out(out_dir)
        items = [items[place] for place in plan.selected()]
        translated = plan.selected_translations()
    # A generator: the export takes one article at a time, so memory stays flat, and loads it
    # only if the render cache cannot stand in for it.
    pending = (
        PendingArticle(digest, partial(load_checked, path, digest), outcome.rendered.pop(path))
        for path, digest in items
    )
    articles: Iterable[PendingArticle | TranslatedArticle] = chain(pending, translated)
    with progress(articles, len(items) + len(translated), quiet=quiet) as shown:
        result = export_articles(
            shown,
            out_dir,
            formats=chosen,
            options=options,
            on_wait=waiting_notice(out_dir),
            record=plan.recorder if plan else None,
        )
    echo_summary(result, as_json=resolve_format(output_format) == "json", quiet=quiet)


@main.command()
@click.argument("shards", nargs=-1, required=True, type=ANY_PATH)
@click.option(
    "--out",
    "out_dir",
    type=ANY_PATH,
    help="Folder to write the whole export into.  [default: exports/, or `out` in [tool.immunopipe]]",
)
@prune_option
@overwrite_edited_option
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr; removed files are still listed.")
def merge(shards: tuple[Path, ...], out_dir: Path | None, prune: bool, overwrite_edited: bool, quiet: bool) -> None:
    """Join the folders of `export --shard K/N` into the export one machine would have written.

    SHARDS are the N shard folders, each given once. The files written under OUT (per-article
    files, index.json, the CSV tables, datapackage.json, the workbook and each folder's
    .immunopipe-manifest.json) are byte for byte those of a single export of the whole library,
    and OUT is updated with the same ownership checks as export; handouts are copied, not
    rendered again. Missing, duplicated or mismatched shards are refused (exit 2) before OUT is
    touched.

    \b
    Examples:
      immunopipe merge shards/1 shards/2 shards/3 shards/4 --out exports/
    """
    from immunopipe.export.shard import merge_shards

    out_dir = out_dir or project_config().out
    result = merge_shards(
        shards, out_dir, on_wait=waiting_notice(out_dir), prune=prune, overwrite_edited=overwrite_edited
    )
    echo_summary(result, as_json=False, quiet=quiet)
