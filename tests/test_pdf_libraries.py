"""WeasyPrint's libraries found from one reading of the linker cache: the same files, found as ctypes finds them."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys

import pytest

from immunopipe.export import pdf_libraries

#: Names WeasyPrint asks for, found and not found (its Windows and macOS names, a library not installed).
ASKED = ("pango-1.0", "gobject-2.0", "harfbuzz", "fontconfig", "pangoft2-1.0", "libpango-1.0-0", "harfbuzz-subset-0.0")

#: Which of WeasyPrint's libraries a process has loaded, by file name.
LOADED = """
import sys
{prepare}
import weasyprint
names = ("pango", "harfbuzz", "fontconfig", "gobject")
print(sorted({{line.split()[-1] for line in open("/proc/self/maps") if any(name in line for name in names)}}))
"""

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux") or pdf_libraries.linker_cache() is None, reason="needs ldconfig"
)


@linux_only
def test_the_cache_answers_as_ctypes_does() -> None:
    listing = pdf_libraries.linker_cache()
    assert listing is not None
    answers = {name: ctypes.util.find_library(name) for name in ASKED}
    assert answers["pango-1.0"] and answers["libpango-1.0-0"] is None
    assert {name: pdf_libraries.cached_soname(listing, name) for name in ASKED} == answers


@linux_only
def test_weasyprint_loads_the_same_library_files() -> None:
    def loaded(prepare: str) -> str:
        script = LOADED.format(prepare=prepare)
        return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout

    quick = "from immunopipe.export.pdf_libraries import quick_library_lookup\nquick_library_lookup().__enter__()"
    assert loaded(quick) == loaded("") != "[]\n"


def test_find_library_is_restored_after_the_block_even_on_an_error() -> None:
    original = ctypes.util.find_library
    with pytest.raises(ImportError), pdf_libraries.quick_library_lookup():
        raise ImportError("a library is missing")
    assert ctypes.util.find_library is original


def test_nothing_changes_without_ldconfig(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_libraries, "LDCONFIG", "/nonexistent/ldconfig")
    pdf_libraries.linker_cache.cache_clear()
    try:
        assert pdf_libraries.linker_cache() is None
        original = ctypes.util.find_library
        with pdf_libraries.quick_library_lookup():
            assert ctypes.util.find_library is original
    finally:
        pdf_libraries.linker_cache.cache_clear()


def test_a_name_not_listed_is_not_found() -> None:
    listing = b"\tlibpango-1.0.so.0 (libc6,x86-64) => /usr/lib/libpango-1.0.so.0\n"
    assert pdf_libraries.cached_soname(listing, "harfbuzz-subset") is None
    assert pdf_libraries.cached_soname(listing, "pango.1") is None  # a dot is not a wildcard
