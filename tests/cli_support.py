"""Helpers shared by the tests that run the installed command line on a folder of their own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

IMMUNOPIPE = Path(sys.executable).with_name("immunopipe")
REPO = Path(__file__).resolve().parents[1]
SEED_ID = "immune-system-medicine"
SEED = REPO / "content" / f"{SEED_ID}.yaml"


def run(cwd: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The installed ``immunopipe`` run in ``cwd``, outside GitHub Actions and with colour rules unset."""
    env = {k: v for k, v in os.environ.items() if k not in {"GITHUB_ACTIONS", "NO_COLOR"}}
    return subprocess.run(
        [str(IMMUNOPIPE), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
        env=env,
    )


def seeded_repo(tmp_path: Path, text: str | None = None) -> Path:
    """``tmp_path`` with ``content/`` holding the seed article (or ``text`` in its place)."""
    (tmp_path / "content").mkdir()
    article = tmp_path / "content" / f"{SEED_ID}.yaml"
    article.write_text(SEED.read_text(encoding="utf-8") if text is None else text, encoding="utf-8")
    return tmp_path
