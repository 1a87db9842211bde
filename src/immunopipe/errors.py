"""User-facing errors and exit codes: the vocabulary of the one error boundary in :mod:`immunopipe.cli`.

Every failure ends one of four ways:

* a content problem is a :class:`~immunopipe.diagnostics.Diagnostic`, never an exception (exit 1);
* a problem with paths, settings, files, signals or the installation raises an
  :class:`ImmunopipeError` (exit 2), shown as one line ``Error: ...``;
* an interruption (SIGINT, SIGTERM) ends the run quietly with 128 + the signal number;
* anything else is a bug: one line saying so and where to report it, exit :data:`EXIT_BUG`.
"""

from __future__ import annotations

import errno

from immunopipe.safe_text import printable, shortened

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
#: A bug in immunopipe (sysexits.h ``EX_SOFTWARE``): never 1, which means "content invalid".
EXIT_BUG = 70
#: 128 + the signal number, as shells report a process ended by a signal.
EXIT_SIGINT = 130
EXIT_SIGTERM = 143

#: Where a bug is reported (the one line printed for one says so).
BUG_REPORTS = "the issue tracker of the repository immunopipe was installed from"

#: Set to 1 to see the traceback of a bug as well as its one line.
TRACEBACK_VARIABLE = "IMMUNOPIPE_TRACEBACK"

#: ``OSError`` numbers that mean the system refused a process or a file for now: run with fewer workers.
RESOURCE_ERRNOS = frozenset({errno.EMFILE, errno.ENFILE, errno.EAGAIN, errno.ENOMEM})


class ImmunopipeError(Exception):
    """A problem with paths, settings, files or the installation rather than content: exit 2.

    The message is a complete sentence for the user: what is wrong, where, and how to proceed.
    """


def is_resource_shortage(exc: BaseException) -> bool:
    """True when ``exc`` says the system refused a file or process (too many open, no memory)."""
    return isinstance(exc, OSError) and exc.errno in RESOURCE_ERRNOS


def describe_os_error(exc: OSError) -> str:
    """An ``OSError`` as one line: the system's reason and the file(s) it is about."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    names = [name for name in (exc.filename, exc.filename2) if name is not None]
    if not names:
        return reason
    shown = " -> ".join(shortened(printable(name)) for name in names)
    return f"{shown}: {reason}"
