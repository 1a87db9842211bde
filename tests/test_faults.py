"""Faults during an export: kills, full disks, refused writes, concurrent runs, changing content.

A library of four articles is exported once (version A); the next export (version B) changes
every article, drops one and adds one, so it rewrites every JSON file and most CSV files and
removes a stale one. Each
fault hits that second export. Whatever happens, every exported file must afterwards be whole,
A's or B's, ``json/index.json`` and ``csv/datapackage.json`` must name only files that exist,
no temporary file may outlive the next export, and no traceback may reach the user.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from filelock import FileLock

import immunopipe.validate
from immunopipe.cli import main
from immunopipe.files.write import LOCK_NAME, TEMP_SUFFIX

SEED_ID = "immune-system-medicine"
LIBRARY_A = (SEED_ID, "second-article", "third-article", "fourth-article")
LIBRARY_B = (SEED_ID, "second-article", "third-article", "fifth-article")
STALE = "json/fourth-article.json"
EXPORT = ("export", "--to", "json", "--to", "csv", "--no-cache", "--jobs", "1", "--prune")
#: How many times an export is killed, at evenly spread random moments around its writing.
KILL_RUNS = 24
#: Seconds each slowed file operation sleeps, so that kills and a second export land mid-write.
PAUSE = 0.004
#: How many real exports race a process rewriting and deleting their content file.
RACE_RUNS = 8
#: What happens to a content file between its validation and its export.
CHANGES = ("edited", "deleted")

#: Runs the real command line with every write, flush and delete slowed down and time-stamped on stderr.
SLOWED_EXPORT = """
import os, sys, time
from immunopipe.cli import main

def slowed(operation):
    def slow(*args, **kwargs):
        os.write(2, f"io {time.monotonic():.6f}\\n".encode())  # one write: files are synced from several threads
        time.sleep(PAUSE)
        return operation(*args, **kwargs)
    return slow

os.replace, os.fsync, os.unlink = slowed(os.replace), slowed(os.fsync), slowed(os.unlink)
main(sys.argv[1:])
""".replace("PAUSE", repr(PAUSE))


# --- the two versions of the library -----------------------------------------------------------


def library(seed_text: str, ids: tuple[str, ...], minutes: int) -> dict[str, str]:
    """Content files: the seed article under each id, read in ``minutes`` minutes."""
    text = re.sub(r"^reading_time_minutes: \d+$", f"reading_time_minutes: {minutes}", seed_text, flags=re.M)
    assert text != seed_text or f"reading_time_minutes: {minutes}\n" in seed_text
    files = {}
    for article_id in ids:
        assert text.count(f"\nid: {SEED_ID}\n") == 1
        files[f"{article_id}.yaml"] = text.replace(f"\nid: {SEED_ID}\n", f"\nid: {article_id}\n")
    return files


def write_library(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by relative path, hidden ones included."""
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def exported(root: Path) -> dict[str, bytes]:
    """The export files under ``root``: no lock file, no temporary files."""
    return {name: data for name, data in snapshot(root).items() if not Path(name).name.startswith(".")}


def temp_files(root: Path) -> list[str]:
    return [name for name in snapshot(root) if name.endswith(TEMP_SUFFIX)]


@dataclass(frozen=True)
class Versions:
    """A work folder with both libraries, and the complete export of each."""

    folder: Path
    a: dict[str, bytes]
    b: dict[str, bytes]

    def start_from_a(self, out: Path) -> Path:
        """``out`` holding export A, as a finished earlier run left it."""
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(self.folder / "export-a", out)
        return out

    def check_whole(self, out: Path) -> str:
        """Check that ``out`` holds only whole files of A or B with consistent listings; say which."""
        files = exported(out)
        for name, data in files.items():
            assert data in (self.a.get(name), self.b.get(name)), f"{name} is neither A's nor B's"
        index = json.loads(files["json/index.json"])
        for entry in index["articles"]:
            named = files.get(f"json/{entry['file']}")
            assert named is not None, f"index.json names missing {entry['file']}"
            if files["json/index.json"] == self.b["json/index.json"]:
                assert hashlib.sha256(named).hexdigest() == entry["sha256"], entry["file"]
        package = json.loads(files["csv/datapackage.json"])
        assert all(f"csv/{resource['path']}" in files for resource in package["resources"])
        return "A" if files == self.a else "B" if files == self.b else "mixed"


def invoke(folder: Path, *args: str) -> Result:
    with contextlib.chdir(folder):
        return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def versions(seed_text: str, tmp_path_factory: pytest.TempPathFactory) -> Versions:
    folder = tmp_path_factory.mktemp("versions")
    write_library(folder / "content-a", library(seed_text, LIBRARY_A, 3))
    write_library(folder / "content-b", library(seed_text, LIBRARY_B, 4))
    for name in ("a", "b"):
        result = invoke(folder, *EXPORT, "--out", f"export-{name}", f"content-{name}")
        assert result.exit_code == 0, result.output
    a, b = exported(folder / "export-a"), exported(folder / "export-b")
    assert STALE in a and STALE not in b
    assert all(a[name] != b[name] for name in a.keys() & b.keys() if name.startswith("json/"))
    return Versions(folder, a, b)


# --- SIGKILL at random moments ---------------------------------------------------------------


def slowed_export(folder: Path, content: str, out: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", SLOWED_EXPORT, *EXPORT, "--out", out, content],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def io_times(stderr: str) -> list[float]:
    return [float(line.split()[1]) for line in stderr.splitlines() if line.startswith("io ")]


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_killed_at_random_moments_every_file_stays_whole_and_listed(versions: Versions) -> None:
    folder, out = versions.folder, versions.folder / "killed"
    versions.start_from_a(out)
    started = time.monotonic()
    calibration = slowed_export(folder, "content-b", "killed")
    _, stderr = calibration.communicate(timeout=120)
    assert calibration.returncode == 0, stderr
    assert exported(out) == versions.b
    times = io_times(stderr)
    first, last = times[0] - started, times[-1] - started
    margin = 0.1 * (last - first) + 0.02
    window = (first - margin, last - first + 2 * margin)

    seed = random.randrange(1 << 32)
    rng = random.Random(seed)
    states = []
    # Kills spread over the calibrated window; on a busy machine the export runs later than
    # calibrated, so further rounds (at most KILL_RUNS more) run until two kills landed mid-replace.
    for run in range(2 * KILL_RUNS):
        if run >= KILL_RUNS and states.count("mixed") >= 2:
            break
        versions.start_from_a(out)
        started = time.monotonic()
        child = slowed_export(folder, "content-b", "killed")
        delay = window[0] + window[1] * (run % KILL_RUNS + rng.random()) / KILL_RUNS
        time.sleep(max(0.0, started + delay - time.monotonic()))
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=60)
        states.append(versions.check_whole(out))
    assert states.count("mixed") >= 2, (seed, states)  # some kills landed between two replacements

    result = invoke(folder, *EXPORT, "--out", "killed", "content-b")
    assert result.exit_code == 0, result.output
    assert exported(out) == versions.b
    assert temp_files(out) == []


# --- a full disk, refused writes, a read-only folder --------------------------------------------


@dataclass(frozen=True)
class Fault:
    """An ``OSError`` raised by one call of an ``os`` function, on the nth call whose path matches."""

    function: str
    error: int
    nth: int = 1
    matches: Callable[[str], bool] = lambda path: True
    #: Whether the fault comes before any file is replaced, so the earlier export must stay byte for byte.
    before_replacing: bool = True
    #: Export into a folder that does not exist yet.
    fresh_folder: bool = False

    @property
    def id(self) -> str:
        return f"{self.function}-{errno.errorcode[self.error]}-{self.nth}"

    def install(self, monkeypatch: pytest.MonkeyPatch) -> list[str]:
        """Patch ``os``; return the list the failing call's path is appended to."""
        real = getattr(os, self.function)
        seen: list[str] = []
        failed: list[str] = []

        def failing(*args: Any, **kwargs: Any) -> Any:
            path = str(args[0]) if args and isinstance(args[0], str | os.PathLike) else ""
            if not failed and self.matches(path):
                seen.append(path)
                if len(seen) == self.nth:
                    failed.append(path)
                    raise OSError(self.error, os.strerror(self.error), path or None)
            return real(*args, **kwargs)

        monkeypatch.setattr(os, self.function, failing)
        return failed


def is_temp(path: str) -> bool:
    return path.endswith(TEMP_SUFFIX)


def is_lock(path: str) -> bool:
    return path.endswith(LOCK_NAME)


DISK_ERRORS = (errno.ENOSPC, errno.EACCES, errno.EROFS, errno.EDQUOT)
REFUSALS = (errno.EACCES, errno.EROFS)
FAULTS = [
    *(Fault("open", error, nth, is_temp) for error in DISK_ERRORS for nth in (1, 5)),
    *(Fault("fsync", error, nth) for error in (errno.ENOSPC, errno.EDQUOT, errno.EIO) for nth in (1, 5)),
    *(Fault("chmod", error, 1, is_temp) for error in (errno.EACCES, errno.EPERM)),
    *(Fault("open", error, 1, is_lock) for error in REFUSALS),
    *(Fault("replace", error, nth, before_replacing=nth == 1) for error in DISK_ERRORS[:3] for nth in (1, 5)),
    *(Fault("unlink", error, 1, lambda path: path.endswith(STALE), before_replacing=False) for error in REFUSALS),
    *(Fault("mkdir", error, 1, fresh_folder=True) for error in (*REFUSALS, errno.ENOSPC)),
]
HINTS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "quota",
    errno.EACCES: "permissions",
    errno.EPERM: "permissions",
    errno.EROFS: "read-only",
    errno.EIO: "Input/output error",
}


@pytest.mark.parametrize("fault", FAULTS, ids=lambda fault: fault.id)
def test_a_failing_write_is_a_clear_exit_2_and_leaves_whole_files(
    fault: Fault, versions: Versions, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = versions.folder / f"fault-{fault.id}"
    if not fault.fresh_folder:
        versions.start_from_a(out)
    failed = fault.install(monkeypatch)
    result = invoke(versions.folder, *EXPORT, "--out", out.name, "content-b")
    monkeypatch.undo()
    assert failed, "the fault was never reached"
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    assert result.stderr.startswith(f"Error: cannot write exports to {out.name}: "), result.stderr
    assert HINTS[fault.error] in result.stderr
    assert temp_files(out) == []
    if fault.fresh_folder:
        assert exported(out) == {}
    elif fault.before_replacing:
        assert exported(out) == versions.a
    else:
        versions.check_whole(out)
    again = invoke(versions.folder, *EXPORT, "--out", out.name, "content-b")
    assert again.exit_code == 0, again.output
    assert exported(out) == versions.b


# --- two exports at once ---------------------------------------------------------------------


def test_concurrent_exports_take_turns_and_leave_one_whole_export(versions: Versions) -> None:
    out = versions.folder / "shared"
    shutil.rmtree(out, ignore_errors=True)
    runs = {name: slowed_export(versions.folder, f"content-{name}", "shared") for name in ("a", "b")}
    results = {name: child.communicate(timeout=120) for name, child in runs.items()}
    assert [runs[name].returncode for name in runs] == [0, 0], results
    spans = {name: (min(io_times(stderr)), max(io_times(stderr))) for name, (_, stderr) in results.items()}
    first, second = sorted(spans, key=lambda name: spans[name][0])
    assert spans[first][1] < spans[second][0], f"writes interleaved: {spans}"
    assert exported(out) == {"a": versions.a, "b": versions.b}[second]
    assert temp_files(out) == []


def test_an_export_waiting_too_long_for_the_lock_fails_clearly(versions: Versions) -> None:
    out = versions.start_from_a(versions.folder / "locked")
    impatient = (
        "import sys\nfrom immunopipe.files import write\nfrom immunopipe.cli import main\n"
        "write.LOCK_TIMEOUT_SECONDS = 0.3\nmain(sys.argv[1:])\n"
    )
    with FileLock(out / LOCK_NAME):
        result = subprocess.run(
            [sys.executable, "-c", impatient, *EXPORT, "--out", "locked", "content-b"],
            cwd=versions.folder,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2, result.stderr
    assert "another export" in result.stderr and "Traceback" not in result.stderr
    assert exported(out) == versions.a
    assert temp_files(out) == []


# --- content that changes under the export ---------------------------------------------------


def change_after_validation(content: Path, change: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Edit or delete the last content file as soon as the export's validation is done; return it."""
    victim = sorted(content.iterdir())[-1]  # the last file the export reads
    real_validate = immunopipe.validate.validate_files

    def validate_then_change(*args: Any, **kwargs: Any) -> Any:
        outcome = real_validate(*args, **kwargs)
        if change == "deleted":
            victim.unlink()
        else:
            victim.write_text(victim.read_text("utf-8") + "# edited\n", encoding="utf-8")
        return outcome

    monkeypatch.setattr(immunopipe.validate, "validate_files", validate_then_change)
    return victim


@pytest.mark.parametrize("change", CHANGES)
def test_content_changed_after_validation_stops_a_handout_export_cleanly(
    change: str, versions: Versions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = tmp_path / "content-b"
    shutil.copytree(versions.folder / "content-b", content)
    victim = change_after_validation(content, change, monkeypatch)
    out = versions.start_from_a(tmp_path / "exports")
    before = snapshot(out)
    # A handout is rendered from the file read again, which must still hold the bytes validated.
    result = invoke(tmp_path, "export", "--to", "pdf", "--no-cache", "--jobs", "1", "--out", "exports", "content-b")
    assert result.exit_code == 2, result.output
    assert "run the export again" in result.stderr and victim.name in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(out) == before
    assert temp_files(out) == []


@pytest.mark.parametrize("change", CHANGES)
def test_content_changed_after_validation_leaves_json_and_csv_as_validated(
    change: str, versions: Versions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = tmp_path / "content-b"
    shutil.copytree(versions.folder / "content-b", content)
    change_after_validation(content, change, monkeypatch)
    out = versions.start_from_a(tmp_path / "exports")
    # The validation renders the JSON and CSV from the bytes it checked: the export is the
    # library as validated, whatever happened to a file since.
    result = invoke(tmp_path, *EXPORT, "--out", "exports", "content-b")
    assert result.exit_code == 0, result.output
    assert exported(out) == versions.b
    assert temp_files(out) == []


@pytest.mark.slow
def test_content_rewritten_and_deleted_during_real_exports_never_crashes(seed_text: str, tmp_path: Path) -> None:
    versions_of = {minutes: library(seed_text, (SEED_ID,), minutes)[f"{SEED_ID}.yaml"] for minutes in (3, 4)}
    content = tmp_path / "content"
    target = content / f"{SEED_ID}.yaml"
    expected = {}
    for minutes, text in versions_of.items():
        write_library(content, {target.name: text})
        assert invoke(tmp_path, *EXPORT, "--out", f"expected-{minutes}", "content").exit_code == 0
        expected[minutes] = exported(tmp_path / f"expected-{minutes}")
    stop = threading.Event()
    rng = random.Random()

    def churn() -> None:
        """Replace the file atomically with either version, or delete it, every few milliseconds."""
        while not stop.is_set():
            choice = rng.choice([3, 4, None])
            if choice is None:
                target.unlink(missing_ok=True)
            else:
                temp = content / ".next"
                temp.write_text(versions_of[choice], encoding="utf-8")
                os.replace(temp, target)
            time.sleep(rng.uniform(0.001, 0.02))

    churner = threading.Thread(target=churn)
    churner.start()
    try:
        for _ in range(RACE_RUNS):
            script = Path(sys.executable).with_name("immunopipe")
            result = subprocess.run(
                [str(script), *EXPORT, "--out", "exports", "content"],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert "Traceback" not in result.stderr, result.stderr
            assert result.returncode in (0, 1, 2), result.stderr
            files = exported(tmp_path / "exports")
            for name, data in files.items():
                assert data in (expected[3].get(name), expected[4].get(name)), name
    finally:
        stop.set()
        churner.join()


# --- SIGINT and SIGTERM during a PDF export ---------------------------------------------------

HANDOUTS = tuple(f"handout-{number}" for number in range(8))


def cached_handouts(folder: Path) -> list[Path]:
    return sorted((folder / ".immunopipe-cache" / "pdf").glob("*.pdf"))


def own_files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` but immunopipe's cache."""
    return {name: data for name, data in snapshot(folder).items() if not name.startswith(".immunopipe-cache/")}


@pytest.mark.parametrize(("signum", "whole_group"), [(signal.SIGINT, True), (signal.SIGTERM, False)])
def test_an_interrupted_pdf_export_stops_quietly_and_a_rerun_continues(
    seed_text: str, tmp_path: Path, signum: int, whole_group: bool
) -> None:
    """Ctrl-C reaches every process of the group; SIGTERM (``kill``) only the command itself."""
    write_library(tmp_path / "content", library(seed_text, HANDOUTS, 3))
    script = str(Path(sys.executable).with_name("immunopipe"))
    earlier = subprocess.run([script, "export", "--to", "json", "-q"], cwd=tmp_path, capture_output=True, timeout=120)
    assert earlier.returncode == 0, earlier.stderr
    before = own_files(tmp_path)
    process = subprocess.Popen(
        [script, "export", "--to", "pdf", "--jobs", "2", "-q"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while not cached_handouts(tmp_path) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert process.poll() is None, "the export ended before it could be interrupted"
    if whole_group:
        os.killpg(process.pid, signum)
    else:
        process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signum
    assert stderr == ""
    assert own_files(tmp_path) == before
    assert temp_files(tmp_path) == []
    kept = cached_handouts(tmp_path)
    assert 1 <= len(kept) < len(HANDOUTS)
    rerun = subprocess.run([script, "export", "--to", "pdf", "-q"], cwd=tmp_path, capture_output=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert set(kept) <= set(cached_handouts(tmp_path))
    assert len(list((tmp_path / "exports" / "pdf").glob("*.pdf"))) == len(HANDOUTS)
