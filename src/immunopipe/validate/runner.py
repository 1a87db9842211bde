"""Run every check over a set of files; one broken file never stops the others.

Checking one file is a pure function of its bytes, the schema, the rules and their options
(:func:`check_file`), so files can be checked in parallel processes or answered from a cache.
Only small per-file results are kept, never the documents, so memory stays flat with the number
of files. Rules that compare articles with each other run last, over :class:`ArticleRef` records.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from immunopipe.diagnostics import Diagnostic, Severity, capped, has_failures
from immunopipe.errors import ImmunopipeError
from immunopipe.load import Document, LoadError, Problem, load_bytes, read_content_file
from immunopipe.model import Article, article_from_data
from immunopipe.paths import display_path
from immunopipe.validate import classifications, suppression
from immunopipe.validate.context import ArticleRef, Finding, RuleContext
from immunopipe.validate.reference import official_title
from immunopipe.validate.rules import RULES, Rule
from immunopipe.validate.schema import SchemaChecker
from immunopipe.validate.where import describe
from immunopipe.workers import run_tasks

if TYPE_CHECKING:
    from immunopipe.validate.cache import ResultCache

#: A rule's configured severity: a :class:`Severity`, or ``None`` when the rule is off.
SeverityOverrides = Mapping[str, Severity | None]

#: Below this many files one process is faster than starting workers.
PARALLEL_THRESHOLD = 200


class Spool:
    """Bytes by path, kept in an unnamed temporary file rather than in memory until taken."""

    def __init__(self) -> None:
        self._file: BinaryIO | None = None
        self._places: dict[Path, tuple[int, int]] = {}

    def put(self, path: Path, data: bytes) -> None:
        """Keep ``data`` for ``path``."""
        if self._file is None:
            self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed with the spool, when collected)
        self._file.seek(0, os.SEEK_END)
        self._places[path] = (self._file.tell(), len(data))
        self._file.write(data)

    def pop(self, path: Path) -> bytes | None:
        """The bytes kept for ``path`` (forgotten from now on), or ``None``."""
        place = self._places.pop(path, None)
        if place is None or self._file is None:
            return None
        self._file.seek(place[0])
        return self._file.read(place[1])

    def keep_only(self, paths: Iterable[Path]) -> None:
        """Forget the bytes of every path not among ``paths`` (they stay unread in the file)."""
        wanted = set(paths)
        self._places = {path: place for path, place in self._places.items() if path in wanted}

    def paths(self) -> list[Path]:
        """The paths with bytes kept, in the order they were put."""
        return list(self._places)


@dataclass
class Outcome:
    """What a validation run found: every diagnostic, and which files passed."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    valid_files: list[Path] = field(default_factory=list)
    files_checked: int = 0
    cached_files: int = 0
    #: Problems hidden by ignore comments, and warnings hidden because the baseline records them.
    suppressed: int = 0
    baselined: int = 0
    #: The paths of the files checked, as reported (a baseline judges only their entries).
    checked_paths: list[str] = field(default_factory=list)
    #: Fail when more warnings than this remain (``--max-warnings``); ``None``: no limit.
    max_warnings: int | None = None
    #: SHA-256 of each valid file's bytes as checked, so later readers can tell it has not changed.
    digests: dict[Path, str] = field(default_factory=dict)
    #: The same for every file that could be read, valid or not (what the outcome depends on).
    read_digests: dict[Path, str] = field(default_factory=dict)
    #: Each valid file's article as the ``prerender`` given to :func:`validate_files` rendered it.
    rendered: Spool = field(default_factory=lambda: Spool())

    @property
    def warnings(self) -> int:
        """How many warnings were reported."""
        return sum(d.severity is Severity.WARNING for d in self.diagnostics)

    def too_many_warnings(self) -> bool:
        """True when more warnings remain than ``max_warnings`` allows."""
        return self.max_warnings is not None and self.warnings > self.max_warnings

    def failed(self, *, strict: bool = False) -> bool:
        """True when the run should fail (errors; warnings under ``strict`` or past ``max_warnings``)."""
        return has_failures(self.diagnostics, strict=strict) or self.too_many_warnings()


@dataclass(frozen=True)
class FileResult:
    """The verdict on one file: its diagnostics, its id when it passed the schema, and how many
    problems its ignore comments suppressed."""

    diagnostics: tuple[Diagnostic, ...]
    ref: ArticleRef | None
    suppressed: int = 0
    #: What ``prerender`` made of the article (see :func:`validate_files`); never cached.
    rendered: bytes | None = None
    #: The SHA-256 of the bytes checked, when they could be read (not cached: it is the cache's key).
    digest: str | None = None


@dataclass(frozen=True)
class Prerender:
    """An export's renderer, run on each article the validation passes, in the process that checked it."""

    render: Callable[[Article], bytes]
    #: Which files to render, by the SHA-256 of their bytes (a shard's share); ``None``: all.
    wanted: Callable[[str], bool] | None = None


def _cached_result(path: Path, shown: str, cache: ResultCache) -> tuple[FileResult, str] | None:
    """The cache's result for the bytes of ``path`` now and their SHA-256, or ``None`` to check the file."""
    try:
        raw = read_content_file(path)
    except LoadError:
        return None  # checking it reports why
    digest = hashlib.sha256(raw).hexdigest()
    cached = cache.get(digest, shown)
    return None if cached is None else (cached, digest)


def check_path(path: Path, shown: str, **options: Any) -> FileResult:
    """Read ``path`` and check its bytes (:func:`check_file`); the result carries their SHA-256."""
    try:
        raw = read_content_file(path)
    except LoadError as exc:
        return FileResult(tuple(_load_diagnostic(shown, p) for p in exc.problems), None)
    digest = hashlib.sha256(raw).hexdigest()
    prerender = options.get("prerender")
    if prerender and prerender.wanted and not prerender.wanted(digest):
        options = {**options, "prerender": None}
    return dataclasses.replace(check_file(raw, shown, **options), digest=digest)


def check_file(
    raw: bytes,
    shown: str,
    *,
    checker: SchemaChecker,
    context: RuleContext,
    severities: SeverityOverrides,
    prerender: Prerender | None = None,
) -> FileResult:
    """Load, schema-check and rule-check one file's bytes (``shown`` is the path to report).

    With ``prerender``, a file without errors also comes back rendered by it.
    """
    try:
        document = load_bytes(raw, shown)
    except LoadError as exc:
        return FileResult(tuple(_load_diagnostic(shown, p) for p in exc.problems), None)
    problems = [_load_diagnostic(shown, p) for p in document.problems]
    problems += checker.check(document)
    if problems:
        return FileResult(tuple(capped(problems)), None)
    found: list[Diagnostic] = []
    for rule in RULES.values():
        if rule.scope == "article":
            found += _located(rule, shown, document, rule.check(document.data, context), severities)
    suppressed = 0
    if b"immunopipe:" in raw:  # the mark of an ignore comment; without it there is nothing to look for
        found, suppressed = suppression.apply(shown, found, suppression.find(document.text), severities)
    ref = ArticleRef(path=shown, id=document.data["id"], id_position=document.source_map.locate("/id"))
    rendered = None
    if prerender and not any(diagnostic.severity is Severity.ERROR for diagnostic in found):
        rendered = prerender.render(article_from_data(document.data, official_title=official_title))
    return FileResult(tuple(capped(found)), ref, suppressed, rendered)


def validate_files(
    files: list[Path],
    *,
    context: RuleContext | None = None,
    severities: SeverityOverrides | None = None,
    jobs: int = 1,
    cache: ResultCache | None = None,
    prerender: Prerender | None = None,
) -> Outcome:
    """Check ``files`` (in ``jobs`` processes when there are many) and the library as a whole.

    With ``prerender`` (an export's renderer), each file checked without errors (and wanted by
    it) is also rendered by it while its article is at hand, in the process that checked it, so an export need not
    read and load the file again: :attr:`Outcome.rendered`. Files answered from ``cache`` are not.
    """
    context = context or RuleContext()
    severities = dict(severities or {})
    outcome = Outcome(files_checked=len(files))
    outcome.checked_paths = [display_path(path) for path in files]
    results: dict[Path, FileResult] = {}
    pending: list[tuple[Path, str]] = []
    for path in files:
        shown = display_path(path)
        cached = _cached_result(path, shown, cache) if cache else None
        if cached is None:
            pending.append((path, shown))
            continue
        results[path], outcome.digests[path] = cached
        outcome.cached_files += 1
    checked = _check_all(pending, context, severities, jobs, prerender)
    for (path, _shown), result in zip(pending, checked, strict=True):
        if result.rendered is not None:  # to disk at once: renderings add up to more than the results
            outcome.rendered.put(path, result.rendered)
            result = dataclasses.replace(result, rendered=None)
        results[path] = result
        if result.digest is not None:
            outcome.digests[path] = result.digest
            if cache:
                cache.put(result.digest, result)
    refs: list[ArticleRef] = []
    for path in files:
        result = results[path]
        outcome.diagnostics += result.diagnostics
        outcome.suppressed += result.suppressed
        if result.ref is not None:
            refs.append(result.ref)
    outcome.diagnostics += _library_diagnostics(refs, context, severities)
    failed_paths = {d.path for d in outcome.diagnostics if d.severity is Severity.ERROR}
    outcome.valid_files = [p for p in files if results[p].ref is not None and display_path(p) not in failed_paths]
    outcome.read_digests = outcome.digests
    outcome.digests = {p: outcome.digests[p] for p in outcome.valid_files}
    outcome.rendered.keep_only(outcome.valid_files)
    outcome.diagnostics.sort(key=lambda d: (d.path, d.line, d.column, d.rule))
    return outcome


class ContentChanged(ImmunopipeError):
    """A file changed between validation and being read again; running again is the remedy."""


def load_validated(path: Path, digest: str) -> dict[str, Any]:
    """The data of ``path``, read again and proven to be the bytes validated (SHA-256 ``digest``)."""
    try:
        raw = read_content_file(path)
    except LoadError as exc:
        raise ContentChanged(f"{display_path(path)} can no longer be read; run the export again") from exc
    if hashlib.sha256(raw).hexdigest() != digest:
        raise ContentChanged(f"{display_path(path)} changed after it was validated; run the export again")
    return load_bytes(raw, display_path(path)).data


#: Allocations between garbage collections while checking (Python's default is 700). Checking
#: builds and drops many small objects that reference counting frees; collecting less often
#: saved about a tenth of the time of a cold run.
COLLECT_EVERY = 50_000


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Set aside the objects alive now (modules, schema) from collections and collect less often."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(COLLECT_EVERY, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _check_all(
    pending: list[tuple[Path, str]],
    context: RuleContext,
    severities: dict[str, Severity | None],
    jobs: int,
    prerender: Prerender | None,
) -> Iterator[FileResult]:
    """Check every pending file; worker processes read the files themselves, so only paths travel."""
    if jobs <= 1 or len(pending) < PARALLEL_THRESHOLD:
        checker = SchemaChecker()
        with _fewer_collections():
            for path, shown in pending:
                yield check_path(
                    path, shown, checker=checker, context=context, severities=severities, prerender=prerender
                )
        return
    chunk = max(1, min(64, len(pending) // (jobs * 4)))
    # Build any missing classification lookup here, once, rather than in every worker.
    classifications.prepare()
    tasks = run_tasks(
        _check_in_worker,
        pending,
        jobs=jobs,
        chunk=chunk,
        initializer=_start_worker,
        initargs=(context, severities, prerender),
    )
    yield from (result for _index, result in tasks)


_worker_state: dict[str, object] = {}


def _start_worker(context: RuleContext, severities: dict[str, Severity | None], prerender: Prerender | None) -> None:
    _worker_state.update(checker=SchemaChecker(), context=context, severities=severities, prerender=prerender)
    gc.freeze()  # the worker only checks files from here on: see _fewer_collections
    gc.set_threshold(COLLECT_EVERY, *gc.get_threshold()[1:])


def _check_in_worker(item: tuple[Path, str]) -> FileResult:
    path, shown = item
    return check_path(path, shown, **_worker_state)


def _library_diagnostics(
    refs: list[ArticleRef], context: RuleContext, severities: SeverityOverrides
) -> list[Diagnostic]:
    found = []
    for rule in RULES.values():
        if rule.scope != "library":
            continue
        severity = severities.get(rule.id, rule.severity)
        if severity is None:
            continue
        for ref, finding in rule.check(refs, context):
            line, column = ref.id_position
            found.append(Diagnostic(ref.path, line, column, rule.id, finding.message, severity, finding.pointer))
    return found


def _load_diagnostic(path: str, problem: Problem) -> Diagnostic:
    p = problem
    return Diagnostic(path, p.line, p.column, p.rule, p.message, Severity.ERROR, p.pointer)


def _located(
    rule: Rule, path: str, document: Document, findings: Iterable[Finding], severities: SeverityOverrides
) -> list[Diagnostic]:
    severity = severities.get(rule.id, rule.severity)
    if severity is None:
        return []
    result = []
    for finding in findings:
        line, column = document.source_map.locate(finding.pointer, key=finding.at_key)
        # Interned: the same places recur in file after file, and results travel from the worker
        # processes in batches whose pickling stores each shared text once.
        pointer, where = sys.intern(finding.pointer), sys.intern(describe(document.data, finding.pointer))
        result.append(Diagnostic(path, line, column, rule.id, finding.message, severity, pointer, where))
    return result


class NotAsValidated(ImmunopipeError):
    """A file validation passed (perhaps from its cache) fails the schema when the export loads it."""


@cache
def _checker() -> SchemaChecker:
    return SchemaChecker()


def load_checked(path: Path, digest: str) -> Article:
    """The article in ``path``, proven to hold the bytes validated (SHA-256 ``digest``), schema-checked again.

    The second check costs little (the compiled validator) and means no cached verdict can hand
    the model data it cannot take: :class:`NotAsValidated` instead of a crash.
    """
    data = load_validated(path, digest)
    if not _checker().is_valid(data):
        raise NotAsValidated(
            f"{display_path(path)} does not pass the schema, although the validation (or its cache) "
            f"passed it: run the export again with --no-cache"
        )
    return article_from_data(data, official_title=official_title)
