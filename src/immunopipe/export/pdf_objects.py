"""A handout's PDF objects turned into bytes once, just before the file is written (a ``write_pdf`` finisher).

pydyf turns every object into bytes twice when the file has an identifier (``/ID``, which
PDF/UA files carry): once to write it, and once more to hash every object for the identifier,
compressing each stream again at zlib's slowest level. WeasyPrint also compresses the same whole
font files for every handout. :func:`serialise_objects` replaces each object by its bytes,
computed once, and compresses each font file once per process: about a twentieth of a handout's
time. The file written is byte for byte the one pydyf writes from the objects themselves
(``tests/test_pdf_objects.py`` writes both).
"""

from __future__ import annotations

import zlib
from functools import lru_cache
from typing import Any

import pydyf

#: Font file streams compressed once per process, by their bytes: the handout typeface's four
#: files, a few script fonts, and room for the subsets a handout with foreign characters makes.
FONT_CACHE_SIZE = 16

#: The entries of a font descriptor that name its embedded font file.
FONT_FILE_KEYS = ("FontFile", "FontFile2", "FontFile3")


class SerialisedObject(pydyf.Object):
    """A PDF object already turned into bytes: written as it was, whatever pydyf asks."""

    def __init__(self, original: Any) -> None:
        super().__init__()
        self.number = original.number
        self.generation = original.generation
        self.free = original.free
        self._compressible = original.compressible
        self._data = original.data

    @property
    def data(self) -> bytes:
        return self._data

    @property
    def compressible(self) -> bool:
        return self._compressible


def serialise_objects(pdf: Any) -> None:
    """Replace each object of ``pdf`` (a ``pydyf.PDF`` about to be written) by its bytes, computed once."""
    _compress_font_files_once(pdf)
    pdf.objects[1:] = [SerialisedObject(item) if item.free == "n" else item for item in pdf.objects[1:]]


def _compress_font_files_once(pdf: Any) -> None:
    """Give each embedded font file its compressed bytes from the per-process cache, as pydyf would make them."""
    for item in pdf.objects:
        if not (isinstance(item, pydyf.Dictionary) and item.get("Type") == "/FontDescriptor"):
            continue
        for key in FONT_FILE_KEYS:
            reference = item.get(key)
            if not (isinstance(reference, bytes) and reference.endswith(b" 0 R")):
                continue
            stream = pdf.objects[int(reference.split()[0])]
            if _whole_uncompressed_file(stream):
                stream.stream = [_deflated(stream.stream[0])]
                stream.extra["Filter"] = "/FlateDecode"
                stream.compress = False


def _whole_uncompressed_file(stream: Any) -> bool:
    """True for a stream of one piece of bytes that pydyf is still to compress."""
    return (
        isinstance(stream, pydyf.Stream)
        and stream.compress
        and "Filter" not in stream.extra
        and len(stream.stream) == 1
        and isinstance(stream.stream[0], bytes)
    )


@lru_cache(maxsize=FONT_CACHE_SIZE)
def _deflated(content: bytes) -> bytes:
    """``content`` compressed exactly as pydyf compresses a stream."""
    compressor = zlib.compressobj(level=9)
    return compressor.compress(content) + compressor.flush()
