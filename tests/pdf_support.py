"""Helpers shared by the tests that prove a handout fetches, attaches and leaks nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import ClassVar

import pypdf


class RequestLog(BaseHTTPRequestHandler):
    """Records every request to a local test server (in ``paths``) and answers 404."""

    paths: ClassVar[list[str]]

    def do_GET(self) -> None:
        self.paths.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


def pdf_streams(pdf: bytes) -> Iterator[bytes]:
    """The decoded data of every stream in ``pdf``: page contents, fonts, metadata, any attachment."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    for generation, numbers in reader.xref.items():
        for number in numbers:
            obj = reader.get_object(pypdf.generic.IndirectObject(number, generation, reader))
            if isinstance(obj, pypdf.generic.StreamObject):
                yield obj.get_data()
