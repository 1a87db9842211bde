"""Atomic, contained writing of export files: permissions, failures mid-write, unsafe paths, the lock."""

from __future__ import annotations

import ast
import errno
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pytest

from immunopipe.files import write
from immunopipe.files.write import (
    NOT_A_FILE,
    TEMP_NAME,
    TEMP_SUFFIX,
    ExportFile,
    Staging,
    WriteError,
    contained_path,
    describe_os_error,
    file_sha256,
    locked,
    new_temp_file,
    remove_stray_temp_files,
    replace_atomically,
    write_files,
)

OLD = [
    ExportFile(PurePosixPath("json/a.json"), b'{"old": "a"}\n'),
    ExportFile(PurePosixPath("json/b.json"), b'{"old": "b"}\n'),
    ExportFile(PurePosixPath("csv/c.csv"), b"old,c\r\n"),
]
NEW = [ExportFile(file.path, file.data.replace(b"old", b"new, and longer")) for file in OLD]


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (hidden ones included) by relative path."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(TEMP_SUFFIX)]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A resolved output folder holding an earlier export (:data:`OLD`)."""
    out = (tmp_path / "exports").resolve()
    out.mkdir()
    write_files(out, OLD)
    return out


@pytest.fixture
def umask() -> Iterator[None]:
    """Restore the process umask after a test that changes it."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def fail_on_call(number: int, real: object) -> object:
    """A stand-in for ``real`` that raises ENOSPC on its ``number``-th call."""
    calls = 0

    def stand_in(*args: object) -> object:
        nonlocal calls
        calls += 1
        if calls == number:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args)  # type: ignore[operator]

    return stand_in


def test_writes_new_files_and_replaces_old_ones(root: Path) -> None:
    assert snapshot(root) == {str(f.path): f.data for f in OLD}
    assert write_files(root, NEW) == [f.path for f in NEW]
    assert snapshot(root) == {str(f.path): f.data for f in NEW}


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_new_files_get_usual_permissions_respecting_umask(tmp_path: Path, umask: None, mask: int, mode: int) -> None:
    os.umask(mask)
    write_files(tmp_path.resolve(), NEW)
    assert {(tmp_path / f.path).stat().st_mode & 0o777 for f in NEW} == {mode}


def test_unchanged_files_are_left_untouched(root: Path) -> None:
    before = (root / "json/a.json").stat()
    assert write_files(root, [OLD[0], NEW[1]]) == [NEW[1].path]
    after = (root / "json/a.json").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_failure_while_staging_leaves_every_old_file_and_no_temp_files(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(root)
    monkeypatch.setattr(os, "fsync", fail_on_call(2, os.fsync))
    with pytest.raises(OSError, match="No space"):
        write_files(root, NEW)
    assert snapshot(root) == before
    assert temp_files(root) == []


def test_failure_while_replacing_leaves_whole_files_and_no_temp_files(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "replace", fail_on_call(2, os.replace))
    with pytest.raises(OSError):
        write_files(root, NEW)
    after = snapshot(root)
    assert after[str(NEW[0].path)] == NEW[0].data
    assert after[str(OLD[1].path)] == OLD[1].data
    assert after[str(OLD[2].path)] == OLD[2].data
    assert temp_files(root) == []


def test_interrupt_mid_write_removes_its_temp_file(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_files(root, NEW)
    assert temp_files(root) == []
    assert snapshot(root) == {str(f.path): f.data for f in OLD}


def test_streamed_files_replace_nothing_until_commit_and_unchanged_ones_are_dropped(root: Path) -> None:
    before = snapshot(root)
    staging = Staging(root)
    try:
        for file in (OLD[0], NEW[2]):
            streamed = staging.open(file.path)
            for start in range(0, len(file.data), 4):
                streamed.handle.write(file.data[start : start + 4])
            staging.close(streamed)
        assert [p.parent.name for p in temp_files(root)] == ["csv"]  # only the changed file is staged
        assert {name: data for name, data in snapshot(root).items() if TEMP_SUFFIX not in name} == before
        assert staging.commit() == [NEW[2].path]
    finally:
        staging.discard()
    assert staging.paths == [OLD[0].path, NEW[2].path]
    assert snapshot(root) == {**before, str(NEW[2].path): NEW[2].data}


def test_dropped_and_abandoned_files_leave_nothing_behind(root: Path) -> None:
    before = snapshot(root)
    staging = Staging(root)
    dropped = staging.open(NEW[0].path)
    dropped.handle.write(NEW[0].data)
    staging.drop(dropped)
    abandoned = staging.open(NEW[1].path)
    abandoned.handle.write(b"half of it")
    staging.add(NEW[2].path, NEW[2].data)
    assert len(temp_files(root)) == 2
    staging.discard()
    assert staging.paths == [NEW[1].path, NEW[2].path]
    assert temp_files(root) == []
    assert snapshot(root) == before


@pytest.mark.parametrize(
    "relative",
    ["../escape.json", "/etc/passwd", "json/../../escape.json", ".hidden", "json/.hidden", "a\\..\\b", "."],
)
def test_paths_that_could_leave_the_folder_are_refused(root: Path, relative: str) -> None:
    with pytest.raises(WriteError, match="refusing"):
        contained_path(root, PurePosixPath(relative))
    with pytest.raises(WriteError):
        write_files(root, [ExportFile(PurePosixPath(relative), b"x")])


def test_symlinked_folder_pointing_outside_is_refused(tmp_path: Path) -> None:
    root, outside = (tmp_path / "exports").resolve(), (tmp_path / "elsewhere").resolve()
    root.mkdir()
    outside.mkdir()
    (root / "json").symlink_to(outside, target_is_directory=True)
    with pytest.raises(WriteError, match="outside"):
        write_files(root, [ExportFile(PurePosixPath("json/a.json"), b"x")])
    assert list(outside.iterdir()) == []


def test_a_target_symlinked_outside_is_refused_and_left_alone(root: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    (root / "json/a.json").unlink()
    (root / "json/a.json").symlink_to(victim)
    with pytest.raises(WriteError, match="outside"):
        write_files(root, [NEW[0]])
    assert victim.read_bytes() == b"precious"


def test_a_target_symlinked_inside_is_replaced_not_followed(root: Path) -> None:
    (root / "json/a.json").unlink()
    (root / "json/a.json").symlink_to(root / "csv/c.csv")
    write_files(root, [NEW[0]])
    assert not (root / "json/a.json").is_symlink()
    assert (root / "json/a.json").read_bytes() == NEW[0].data
    assert (root / "csv/c.csv").read_bytes() == OLD[2].data


def test_stray_temp_files_are_removed_and_nothing_else(root: Path) -> None:
    handle, stray = new_temp_file(root / "json" / "a.json")
    with handle:
        handle.write(b"half")
    assert TEMP_NAME.fullmatch(stray.name)
    keep = [
        root / "json" / "notes.tmp",
        root / "json" / ".gitkeep",
        root / "json" / f".notes.txt.draft1{TEMP_SUFFIX}",  # a user's file: the random part is not ours
        root / "json" / f".a.json.k2x9{TEMP_SUFFIX}",
        root / "json" / f".a.json.{'0123456789ABCDEF'}{TEMP_SUFFIX}",  # not lowercase hex
    ]
    for path in keep:
        path.write_bytes(b"mine")
    lookalike_folder = root / "json" / f".a.json.{'0' * 16}{TEMP_SUFFIX}"
    lookalike_folder.mkdir()
    lookalike_link = root / "json" / f".b.json.{'1' * 16}{TEMP_SUFFIX}"
    lookalike_link.symlink_to(root / "csv" / "c.csv")
    assert remove_stray_temp_files(root / "json") == 1
    assert not stray.exists()
    assert all(path.read_bytes() == b"mine" for path in keep)
    assert lookalike_folder.is_dir() and lookalike_link.is_symlink()
    assert remove_stray_temp_files(root / "missing") == 0


def test_discard_removes_a_temp_file_whose_last_bytes_cannot_be_written(root: Path) -> None:
    staging = Staging(root)
    staged = staging.open(PurePosixPath("json/big.json"))
    staged.handle.write(b"buffered, not yet on disk")
    os.close(staged.handle.fileno())  # the flush on close now fails, as on a full disk
    staging.discard()
    assert temp_files(root) == []


def test_lock_is_exclusive(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(write, "LOCK_TIMEOUT_SECONDS", 0.05)
    with locked(root), pytest.raises(WriteError, match="another export"), locked(root):
        pass
    with locked(root):  # released again
        pass


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (errno.EACCES, "permission"),
        (errno.ENOSPC, "disk is full"),
        (errno.EROFS, "read-only"),
        (errno.ENOTDIR, "a file stands where a folder is needed"),
    ],
)
def test_os_errors_are_explained(number: int, expected: str) -> None:
    message = describe_os_error(OSError(number, os.strerror(number), "exports/json"), Path("exports"))
    assert message.startswith("cannot write exports to exports: ")
    assert "exports/json" in message
    assert expected in message


def test_staging_records_what_was_on_disk_and_what_will_be(root: Path) -> None:
    staging = Staging(root)
    try:
        staging.add(OLD[0].path, OLD[0].data)  # unchanged
        staging.add(NEW[1].path, NEW[1].data)  # changed
        staging.add(PurePosixPath("json/new.json"), b"{}\n")  # new
        os.mkfifo(root / "json" / "pipe.json")
        staging.add(PurePosixPath("json/pipe.json"), b"{}\n")  # something else in the way
        streamed = staging.open(NEW[2].path)
        streamed.handle.write(NEW[2].data)
        staging.close(streamed)
    finally:
        staging.discard()
    assert staging.found == {
        OLD[0].path: hashlib.sha256(OLD[0].data).hexdigest(),
        NEW[1].path: hashlib.sha256(OLD[1].data).hexdigest(),
        PurePosixPath("json/new.json"): None,
        PurePosixPath("json/pipe.json"): NOT_A_FILE,
        NEW[2].path: hashlib.sha256(OLD[2].data).hexdigest(),
    }
    assert staging.sha256[NEW[1].path] == hashlib.sha256(NEW[1].data).hexdigest()
    assert staging.sha256[NEW[2].path] == hashlib.sha256(NEW[2].data).hexdigest()


def test_file_sha256_never_follows_links_or_opens_fifos(root: Path) -> None:
    (root / "link.json").symlink_to(root / "json" / "a.json")
    os.mkfifo(root / "fifo.json")
    assert file_sha256(root / "json" / "a.json") == hashlib.sha256(OLD[0].data).hexdigest()
    assert file_sha256(root / "link.json") == NOT_A_FILE
    assert file_sha256(root / "fifo.json") == NOT_A_FILE
    assert file_sha256(root / "json") == NOT_A_FILE
    assert file_sha256(root / "missing.json") is None


def test_replace_atomically_writes_hidden_names_and_leaves_no_temp_files(root: Path) -> None:
    replace_atomically(root / "json" / ".manifest", b"one")
    replace_atomically(root / "json" / ".manifest", b"two")
    assert (root / "json" / ".manifest").read_bytes() == b"two"
    assert temp_files(root) == []


def test_files_and_validate_never_import_export() -> None:
    """The writer sits below every layer: the caches and exporters use it, it uses none of them."""
    package = Path(write.__file__).parents[1]
    offenders = []
    for folder, forbidden in (("files", "immunopipe."), ("validate", "immunopipe.export")):
        for module in (package / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(module.read_text("utf-8"))):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                names += [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
                # immunopipe.errors is the base of every user-facing error, below every layer.
                allowed = ("immunopipe.files", "immunopipe.errors")
                if any(name.startswith(forbidden) and not name.startswith(allowed) for name in names):
                    offenders.append(f"{module.relative_to(package)} imports {names}")
    assert offenders == []
