"""Work spread over processes: never more than useful, fewer when the system refuses, never a hang.

:func:`run_tasks` is the one process pool of the package (validating many files, rendering
handouts). It starts no more workers than there are CPUs or pieces of work. When the system
refuses a process or a file descriptor (``EMFILE``, ``EAGAIN``...) or a worker dies, the pool is
stopped at once and the unfinished work runs again in half as many processes, and finally in this
one. Workers leave SIGINT to this process and die quietly on SIGTERM; when this process is
interrupted it kills them rather than wait for them.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from immunopipe.errors import is_resource_shortage

T = TypeVar("T")
R = TypeVar("R")

#: How long a killed worker is waited for before it is left to the system.
KILL_WAIT_SECONDS = 5.0


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the system has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def useful_workers(jobs: int, pieces: int) -> int:
    """Processes worth starting for ``pieces`` of work when ``jobs`` are allowed: never more than CPUs."""
    return max(1, min(jobs, pieces, available_cpus()))


def run_tasks(
    function: Callable[[T], R],
    items: Sequence[T],
    *,
    jobs: int,
    chunk: int = 1,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Generator[tuple[int, R], None, None]:
    """Yield ``(index, function(items[index]))`` for every item, in the order of ``items``.

    Items go to up to ``jobs`` processes in chunks of ``chunk``; ``initializer(*initargs)`` runs
    once in each process that calls ``function`` (this one too, when it does the work itself).
    ``function`` and the items must be picklable. Exceptions ``function`` raises propagate.
    """
    remaining = list(range(len(items)))
    workers = useful_workers(jobs, -(-len(items) // max(1, chunk)))
    while remaining and workers > 1:
        finished: set[int] = set()
        try:
            for index, result in _in_pool(function, items, remaining, workers, chunk, initializer, initargs):
                finished.add(index)
                yield index, result
            return
        except (OSError, BrokenProcessPool) as exc:
            if isinstance(exc, OSError) and not is_resource_shortage(exc):
                raise
            remaining = [index for index in remaining if index not in finished]
            workers //= 2
    if initializer is not None:
        initializer(*initargs)
    for index in remaining:
        yield index, function(items[index])


def _in_pool(
    function: Callable[[T], R],
    items: Sequence[T],
    indexes: list[int],
    workers: int,
    chunk: int,
    initializer: Callable[..., None] | None,
    initargs: tuple[Any, ...],
) -> Iterator[tuple[int, R]]:
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(initializer, initargs))
    try:
        futures: dict[Future[list[R]], list[int]] = {}
        for start in range(0, len(indexes), chunk):
            part = indexes[start : start + chunk]
            futures[pool.submit(_run_chunk, function, [items[index] for index in part])] = part
        for future, part in futures.items():  # in order, so the first failing item is the one reported
            yield from zip(part, future.result(), strict=True)
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown()


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop ``pool`` now: drop queued work and kill its workers instead of waiting for them."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.kill()
    for process in processes:
        process.join(KILL_WAIT_SECONDS)


def _start_worker(initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    """Leave Ctrl-C to the parent (it stops the pool) and let SIGTERM end the worker without a word.

    A worker also ends when its parent dies without stopping it (``kill -9``), where the system
    can say so (Linux), instead of waiting for work that never comes.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _end_with_parent()
    if initializer is not None:
        initializer(*initargs)


#: ``prctl`` option: the signal a process gets when its parent dies (Linux).
PR_SET_PDEATHSIG = 1


def _end_with_parent() -> None:
    """Ask Linux for SIGTERM when the parent process dies; end now if it died already."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl: the worker ends when its work queue closes
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _run_chunk(function: Callable[[T], R], chunk: list[T]) -> list[R]:
    return [function(item) for item in chunk]
