"""The process pool: no more workers than useful, fewer when the system refuses, never a hang."""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from immunopipe.workers import available_cpus, run_tasks, useful_workers

#: Open files allowed in the runs below: the limit of the reproduced report (``ulimit -n 20``).
FILE_LIMIT = 20

DEGRADING_RUN = """
import json, resource, sys
from concurrent.futures import ProcessPoolExecutor
from immunopipe import workers

attempts = []

class Recorded(ProcessPoolExecutor):
    def __init__(self, max_workers, **kwargs):
        attempts.append(max_workers)
        super().__init__(max_workers=max_workers, **kwargs)

workers.ProcessPoolExecutor = Recorded
workers.available_cpus = lambda: 8
resource.setrlimit(resource.RLIMIT_NOFILE, (OPEN_FILES, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
results = dict(workers.run_tasks(abs, range(-400, 0), jobs=8, chunk=10))
print(json.dumps({"attempts": attempts, "results": [results[index] for index in range(400)]}))
""".replace("OPEN_FILES", str(FILE_LIMIT))


def test_no_more_workers_than_cpus_or_pieces_of_work() -> None:
    assert useful_workers(64, 3) == min(3, available_cpus())
    assert useful_workers(64, 10_000) == available_cpus()
    assert useful_workers(1, 10_000) == 1
    assert useful_workers(8, 0) == 1


def test_results_come_back_for_every_item_in_any_number_of_processes() -> None:
    items = list(range(-50, 0))
    for jobs in (1, 2, 8):
        assert dict(run_tasks(abs, items, jobs=jobs, chunk=3)) == {index: abs(item) for index, item in enumerate(items)}


def test_a_refused_pool_falls_back_to_fewer_processes_and_finishes() -> None:
    result = subprocess.run([sys.executable, "-c", DEGRADING_RUN], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert report["results"] == list(range(400, 0, -1))
    attempts = report["attempts"]
    assert attempts[0] == 8 and len(attempts) >= 2 and attempts == sorted(attempts, reverse=True), attempts


def _limit_open_files() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (FILE_LIMIT, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))


def test_validate_with_few_file_descriptors_and_many_jobs_reports_as_one_process_does(
    tmp_path: Path, seed_text: str
) -> None:
    """``ulimit -n 20`` and ``validate --jobs 8`` on more files than run in one process."""
    content = tmp_path / "content"
    content.mkdir()
    for number in range(300):
        text = re.sub(r"^id: .*$", f"id: article-{number}", seed_text, count=1, flags=re.M)
        (content / f"article-{number}.yaml").write_text(text, encoding="utf-8")
    script = str(Path(sys.executable).with_name("immunopipe"))
    command = [script, "validate", "--no-cache", "--format", "json"]
    alone = subprocess.run([*command, "--jobs", "1"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    limited = subprocess.run(
        [*command, "--jobs", "8"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_limit_open_files,
        env={**os.environ},
    )
    assert limited.returncode == alone.returncode == 0, limited.stderr
    assert limited.stderr == ""
    assert limited.stdout == alone.stdout
    assert json.loads(limited.stdout)["files"] == 300


#: Starts a pool of two workers that sleep, prints their pids, then waits.
SLEEPING_POOL = """
import sys, time
from immunopipe.workers import run_tasks
for _index, _result in run_tasks(time.sleep, [30.0] * 4, jobs=2):
    pass
"""


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting to be reaped has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_workers_end_when_their_parent_is_killed_without_warning() -> None:
    parent = subprocess.Popen([sys.executable, "-c", SLEEPING_POOL])
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 30
        while len(workers := _children(parent.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(workers) >= 2, workers
        time.sleep(0.5)  # the workers have started their work
        parent.kill()
        parent.wait(10)
        deadline = time.monotonic() + 10
        while any(map(_alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(map(_alive, workers)), workers
    finally:
        parent.kill()
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
