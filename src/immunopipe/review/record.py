"""The approved snapshot kept beside an article, and the YAML block an approval writes.

``immunopipe review ID --approve`` stores every reviewed fact's value in
``<content>/reviews/<ID>.json`` (what the reviewer saw, for later diffs) and rewrites the
article's ``editorial.clinical_review`` block in place, leaving every other line of the file as
it was: status, reviewer, date, the facts digest, the snapshot's path and each fact's digest.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from immunopipe.errors import ImmunopipeError
from immunopipe.load import _Composer
from immunopipe.review.facts import fact_digests, fact_values, facts_digest

SNAPSHOT_FOLDER = "reviews"
SNAPSHOT_FORMAT = 1


def snapshot_path(article_id: str) -> PurePosixPath:
    """The snapshot's path relative to the content folder, e.g. ``reviews/<id>.json``."""
    return PurePosixPath(SNAPSHOT_FOLDER, f"{article_id}.json")


def snapshot_bytes(article: Mapping[str, Any], reviewer: Mapping[str, str], day: str) -> bytes:
    """The snapshot of ``article``'s reviewed facts as approved by ``reviewer`` on ``day``."""
    document = {
        "format": SNAPSHOT_FORMAT,
        "article": article["id"],
        "reviewer": dict(reviewer),
        "date": day,
        "digest": facts_digest(article),
        "facts": fact_values(article),
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


class SnapshotDamaged(ImmunopipeError):
    """A snapshot file that exists but cannot be read or is not an immunopipe snapshot."""


def read_snapshot(content_dir: Path, article_id: str) -> dict[str, Any] | None:
    """The stored snapshot of an article, or None when there is none.

    Raises :class:`SnapshotDamaged` when the file is there but unreadable, not JSON, or not a
    snapshot of this format: a damaged record is never mistaken for a missing one.
    """
    path = content_dir / snapshot_path(article_id)
    try:
        document = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SnapshotDamaged(f"the approved snapshot {path} cannot be read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise SnapshotDamaged(f"the approved snapshot {path} is damaged (not JSON: {exc})") from None
    valid = isinstance(document, dict) and document.get("format") == SNAPSHOT_FORMAT
    if not (valid and isinstance(document.get("facts"), dict) and isinstance(document.get("date"), str)):
        raise SnapshotDamaged(f"the approved snapshot {path} is damaged (not an immunopipe snapshot)")
    return document


def approval_block(article: Mapping[str, Any], reviewer: Mapping[str, str], day: str) -> dict[str, Any]:
    """The ``clinical_review`` mapping that records an approval of ``article`` as it is now."""
    return {
        "status": "approved",
        "reviewer": dict(reviewer),
        "date": day,
        "digest": facts_digest(article),
        "snapshot": str(snapshot_path(article["id"])),
        "facts": fact_digests(article),
    }


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _block_lines(block: Mapping[str, Any], indent: int) -> list[str]:
    pad = " " * indent
    reviewer = block["reviewer"]
    lines = [
        f"{pad}status: approved",
        f"{pad}reviewer:",
        f"{pad}  name: {_quoted(reviewer['name'])}",
        f"{pad}  credentials: {_quoted(reviewer['credentials'])}",
        f"{pad}date: {_quoted(block['date'])}",
        f"{pad}digest: {block['digest']}",
        f"{pad}snapshot: {block['snapshot']}",
        f"{pad}facts:  # written by `immunopipe review --approve`: each reviewed fact's digest",
    ]
    lines += [f"{pad}  {_quoted(fact)}: {_quoted(digest)}" for fact, digest in block["facts"].items()]
    return lines


def with_approval(text: str, block: Mapping[str, Any]) -> str:
    """``text`` (an article's YAML) with its ``editorial.clinical_review`` value replaced by ``block``."""
    composer = _Composer(text)
    try:
        root = composer.get_single_node()
    finally:
        composer.dispose()
    if root is None:
        raise ValueError("the article is empty")
    editorial = next(value for key, value in root.value if key.value == "editorial")
    key, value = next((key, value) for key, value in editorial.value if key.value == "clinical_review")
    indent = key.start_mark.column + 2
    start = key.end_mark.index
    end = value.end_mark.index
    if isinstance(value, yaml.MappingNode) and not value.flow_style:
        # A block mapping ends where the next key starts: replace up to the start of that line.
        end = text.rfind("\n", 0, end) + 1
    else:
        # A flow mapping or scalar: replace the rest of its last line.
        line_end = text.find("\n", end)
        end = len(text) if line_end < 0 else line_end + 1
    return text[:start] + ":\n" + "\n".join(_block_lines(block, indent)) + "\n" + text[end:]
