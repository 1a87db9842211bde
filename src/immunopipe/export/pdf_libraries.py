"""WeasyPrint's system libraries found from one reading of the dynamic linker's cache.

WeasyPrint looks for each of its C libraries (Pango, HarfBuzz, Fontconfig, ...) under several
names, Windows' and macOS' first; for each name that does not load as given, cffi asks
``ctypes.util.find_library``, which on Linux starts ``ldconfig -p``, then ``gcc`` and ``ld``, as
new processes: 26 lookups and a few dozen processes, a third or more of ``import weasyprint``,
paid by every PDF export before its first handout. While WeasyPrint is imported,
:func:`quick_library_lookup` answers those lookups from one run of ``ldconfig -p``, exactly as the
first of those steps would. A name the cache does not list is not found (the ``gcc`` and ``ld``
steps are skipped): WeasyPrint then loads the library by its file name (``libpango-1.0.so.0``)
through the dynamic linker's own search, ``LD_LIBRARY_PATH`` included, so the same files load.
Where there is no ``ldconfig`` (macOS, Windows), nothing changes.
"""

from __future__ import annotations

import ctypes.util
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

LDCONFIG = "/sbin/ldconfig"

#: ``ldconfig -p``'s name of this machine's C library ABI, as ``ctypes.util`` maps it.
_ABI_TYPES = {
    "x86_64-64": "libc6,x86-64",
    "ppc64-64": "libc6,64bit",
    "sparc64-64": "libc6,64bit",
    "s390x-64": "libc6,64bit",
    "ia64-64": "libc6,IA-64",
}


@contextmanager
def quick_library_lookup() -> Iterator[None]:
    """Within the block, ``ctypes.util.find_library`` answers from one reading of the linker cache (Linux)."""
    listing = linker_cache() if sys.platform.startswith("linux") else None
    if listing is None:
        yield
        return
    original = ctypes.util.find_library
    ctypes.util.find_library = lambda name: cached_soname(listing, name)
    try:
        yield
    finally:
        ctypes.util.find_library = original


@cache
def linker_cache() -> bytes | None:
    """The output of ``ldconfig -p`` (read once per process), or None where it cannot be run."""
    try:
        result = subprocess.run(
            [LDCONFIG, "-p"],
            stdin=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            env={"LC_ALL": "C", "LANG": "C"},
            check=False,
        )
    except OSError:
        return None
    return result.stdout if result.returncode == 0 else None


def cached_soname(listing: bytes, name: str) -> str | None:
    """The file name ``ldconfig -p`` lists for library ``name`` (``pango-1.0`` -> ``libpango-1.0.so.0``), or None."""
    pattern = rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({_abi_type()}"
    found = re.search(os.fsencode(pattern), listing)
    return os.fsdecode(found.group(1)) if found else None


def _abi_type() -> str:
    bits = "64" if sys.maxsize > 2**32 else "32"
    return _ABI_TYPES.get(f"{os.uname().machine}-{bits}", "libc6")
