"""``immunopipe review ID``: what a clinical reviewer must look at, and recording the approval.

The report lists, for article ``ID``: its approval and whether the facts still match it; each
fact changed since the approved snapshot (``<content>/reviews/ID.json``) as a diff of its
fields; the open editorial queries with their evidence; and the rules' errors and warnings.
``approve`` records an approval, refused while any query is open or any error remains.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from immunopipe.diagnostics import Diagnostic, Severity
from immunopipe.errors import ImmunopipeError
from immunopipe.ids import id_problem
from immunopipe.load import LoadError, load_bytes, read_content_file
from immunopipe.paths import DiscoveryError, display_path, find_content_files
from immunopipe.review.facts import check_approval, fact_values
from immunopipe.review.record import (
    SnapshotDamaged,
    approval_block,
    read_snapshot,
    snapshot_bytes,
    snapshot_path,
    with_approval,
)
from immunopipe.safe_text import printable, shortened
from immunopipe.translation.layout import split_files
from immunopipe.validate.context import RuleContext
from immunopipe.validate.rules.text_invisible_character import describe, is_invisible
from immunopipe.validate.runner import SeverityOverrides, check_file, validate_files
from immunopipe.validate.schema import SchemaChecker


class ReviewProblem(ImmunopipeError):
    """The article cannot be reviewed as asked (exit 1 for content, ``usage`` for exit 2)."""

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


@dataclass(frozen=True)
class Review:
    """Everything the report shows about one article."""

    path: Path
    raw: bytes
    data: dict[str, Any] | None
    diagnostics: list[Diagnostic]

    @property
    def errors(self) -> list[Diagnostic]:
        """The diagnostics that are errors."""
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def open_queries(self) -> list[dict[str, Any]]:
        """The queries still waiting for the reviewer."""
        return [q for q in (self.data or {}).get("queries", []) if q["state"] == "open"]


def article_path(content_dir: Path, article_id: str) -> Path:
    """``<content>/<ID>.yaml`` (or ``.yml``); an id that is not an article id, or no such article, is a usage problem.

    The id is checked first, so it can never name a path outside the content folder.
    """
    problem = id_problem(article_id)
    if problem:
        raise ReviewProblem(f"'{printable(shortened(article_id))}' is not an article id: {problem}", usage=True)
    for suffix in (".yaml", ".yml"):
        candidate = content_dir / f"{article_id}{suffix}"
        try:
            if candidate.is_file():
                return candidate
        except OSError as exc:
            raise ReviewProblem(f"cannot look for {candidate}: {exc.strerror or exc}", usage=True) from None
    raise ReviewProblem(f"no article '{article_id}' in {content_dir} (looked for {article_id}.yaml)", usage=True)


def gather(path: Path, *, context: RuleContext, severities: SeverityOverrides) -> Review:
    """Check ``path`` as ``validate`` checks its folder; its data is kept when it passes the schema.

    The whole folder is validated, so that library-wide rules (another file with the same id)
    count against the article just as they do in ``validate``; only the article's own findings
    are kept.
    """
    shown = display_path(path)
    try:
        raw = read_content_file(path)
    except LoadError as exc:
        raise ReviewProblem(f"cannot read {shown}: {exc.problems[0].message}", usage=True) from None
    result = check_file(raw, shown, checker=SchemaChecker(), context=context, severities=severities)
    data = load_bytes(raw, shown).data if result.ref is not None else None
    try:
        library, _translations = split_files(find_content_files([path.parent]))
    except DiscoveryError as exc:
        raise ReviewProblem(f"cannot check the articles beside {shown}: {exc}", usage=True) from None
    if shown not in map(display_path, library):
        library.append(path)
    outcome = validate_files(library, context=context, severities=severities)
    own = [d for d in outcome.diagnostics if d.path == shown]
    return Review(path, raw, data, sorted(own, key=lambda d: (d.line, d.column, d.rule)))


def _field_lines(value: Any) -> list[str]:
    if not isinstance(value, dict):
        return [json.dumps(value, ensure_ascii=False)]
    return [f"{key}: {json.dumps(item, ensure_ascii=False)}" for key, item in sorted(value.items())]


def fact_changes(now: Mapping[str, Any], approved: Mapping[str, Any]) -> list[tuple[str, str, list[str]]]:
    """(fact id, what happened, diff lines) for every fact that differs from the approved snapshot."""
    changes = []
    for fact_id, value in now.items():
        if fact_id not in approved:
            changes.append((fact_id, "new", [f"+ {line}" for line in _field_lines(value)]))
        elif approved[fact_id] != value:
            diff = difflib.unified_diff(_field_lines(approved[fact_id]), _field_lines(value), lineterm="", n=0)
            lines = [line for line in diff if not line.startswith(("---", "+++", "@@"))]
            changes.append((fact_id, "changed", [f"{line[0]} {line[1:]}" for line in lines]))
    for fact_id, value in approved.items():
        if fact_id not in now:
            changes.append((fact_id, "removed", [f"- {line}" for line in _field_lines(value)]))
    return changes


def report(review: Review, content_dir: Path) -> str:
    """The reviewer's report on ``review``: approval, changed facts, open queries, the rules' findings."""
    shown = display_path(review.path)
    lines = [f"Clinical review of {shown}", ""]
    data = review.data
    if data is None:
        lines.append("The article does not pass the schema, so its facts cannot be reviewed; fix these first:")
    else:
        review_record = data["editorial"]["clinical_review"]
        check = check_approval(data)
        if check is None:
            lines.append("Approval: none recorded (status: pending).")
        elif check.current:
            reviewer = review_record["reviewer"]
            lines.append(
                f"Approval: by {reviewer['name']}, {reviewer['credentials']} on {review_record['date']}; "
                "no reviewed fact has changed since."
            )
        elif check.recorded:
            moved = len(check.changed) + len(check.added) + len(check.removed)
            lines.append(
                f"Approval: by {review_record['reviewer']['name']} on {review_record['date']}; "
                f"CHANGED SINCE REVIEW: {moved} fact(s) moved."
            )
        else:
            lines.append("Approval: status approved, but without a matching digest of the reviewed facts.")
        try:
            snapshot = read_snapshot(content_dir, data["id"])
        except SnapshotDamaged as exc:
            raise ReviewProblem(f"{exc}: restore it from version control", usage=True) from None
        now = fact_values(data)
        lines.append("")
        if snapshot is None:
            lines.append(f"Facts to review: no approved snapshot ({snapshot_path(data['id'])}), so all {len(now)}:")
            lines += [f"  {fact_id}" for fact_id in now]
        else:
            changes = fact_changes(now, snapshot["facts"])
            lines.append(f"Facts changed since the approved snapshot of {snapshot['date']}: {len(changes)}")
            for fact_id, what, diff in changes:
                lines.append(f"  {fact_id} ({what})")
                lines += [f"      {line}" for line in diff]
        queries = review.open_queries
        sources = {source["id"]: source for source in data["editorial"]["sources"]}
        lines += ["", f"Open queries: {len(queries)}"]
        for query in queries:
            source = sources.get(query["source"], {"title": query["source"]})
            lines.append(f"  {query['id']} on {query['fact']}")
            lines.append(f"    question: {' '.join(query['question'].split())}")
            if "evidence" in query:
                lines.append(f"    evidence: {' '.join(query['evidence'].split())}")
            lines.append(f"    source: {' '.join(source['title'].split())}")
    errors = review.errors
    warnings = [d for d in review.diagnostics if d.severity is Severity.WARNING]
    lines += ["", f"Rules: {len(errors)} error(s), {len(warnings)} warning(s)"]
    lines += [f"  {d.line}:{d.column}: {d.severity.value}: {d.message} [{d.rule}]" for d in review.diagnostics]
    blockers = refusals(review)
    lines += ["", "Ready to approve: yes" if not blockers else f"Ready to approve: no ({'; '.join(blockers)})"]
    return "\n".join(lines) + "\n"


def refusals(review: Review) -> list[str]:
    """Why an approval would be refused now (empty when it may be recorded)."""
    reasons = []
    if review.errors:
        reasons.append(f"{len(review.errors)} error(s) remain")
    if review.open_queries:
        reasons.append(f"{len(review.open_queries)} query(ies) open")
    return reasons


def reviewer_problem(option: str, value: str) -> str | None:
    """Why ``value`` cannot be written as the reviewer's ``option`` (empty, or a hidden character), or None."""
    if not value.strip():
        return f"{option} is empty: the reviewer needs a name and a role or registration"
    hidden = next((character for character in value if not character.isspace() and is_invisible(character)), None)
    if hidden is not None:
        return f"{option} holds the invisible character {describe(hidden)}: type it again without it"
    return None


def approve_article(
    review: Review,
    content_dir: Path,
    *,
    name: str,
    role: str,
    day: date,
    context: RuleContext,
    severities: SeverityOverrides,
) -> list[PurePosixPath]:
    """Record an approval of ``review``'s article by ``name`` (``role``) on ``day``; return the files written.

    Nothing is written unless the article with the approval passes every rule that the
    article without it passed: the approval itself can never make the article invalid.
    """
    from immunopipe.files.write import ExportFile, WriteError, write_files

    blockers = refusals(review)
    if blockers or review.data is None:
        raise ReviewProblem(f"approval refused: {'; '.join(blockers) or 'the article does not pass the schema'}")
    for option, value in (("--reviewer", name), ("--role", role)):
        problem = reviewer_problem(option, value)
        if problem:
            raise ReviewProblem(problem, usage=True)
    reviewer = {"name": " ".join(name.split()), "credentials": " ".join(role.split())}
    data = review.data
    text = review.raw.decode("utf-8")
    updated = with_approval(text, approval_block(data, reviewer, day.isoformat())).encode("utf-8")
    shown = display_path(review.path)
    check = check_approval(load_bytes(updated, shown).data)
    if check is None or not check.current:
        raise ReviewProblem("the approval could not be written into the article: nothing was changed", usage=True)
    result = check_file(updated, shown, checker=SchemaChecker(), context=context, severities=severities)
    new_errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    if new_errors:
        first = new_errors[0]
        raise ReviewProblem(
            f"the approval would make the article invalid ({first.message} [{first.rule}]): nothing was changed",
            usage=True,
        )
    files = [
        ExportFile(snapshot_path(data["id"]), snapshot_bytes(data, reviewer, day.isoformat())),
        ExportFile(PurePosixPath(review.path.name), updated),
    ]
    try:
        return write_files(content_dir.resolve(), files)
    except WriteError as exc:
        raise ReviewProblem(str(exc), usage=True) from None
    except OSError as exc:
        where = exc.filename or content_dir
        raise ReviewProblem(f"cannot record the approval: {exc.strerror or exc}: {where}", usage=True) from None
