"""The only way a handout render may load anything: a closed list of the package's own assets.

WeasyPrint's default fetcher follows ``file://``, ``http(s)://``, ``data:`` and redirects, so a
``<link rel="attachment" href="file:///...">`` would embed any local file into the PDF and an
``<img src="http://...">`` would make a request. :class:`AssetFetcher` answers only the exact
URLs it was given, each mapped to a packaged file, and refuses every other URL before any I/O
happens. Refused URLs, and assets that cannot be read, are recorded so the renderer can fail
the render (WeasyPrint itself only logs a warning and carries on without them).

Importing this module imports WeasyPrint; import it only when a PDF is rendered.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from weasyprint.urls import URLFetcher, URLFetcherResponse


class RefusedURL(ValueError):
    """A render asked for a URL that is not one of the package's own assets."""


class AssetFetcher(URLFetcher):
    """Serve registered package assets by exact URL; refuse everything else without I/O."""

    def __init__(self, assets: Mapping[str, tuple[Path, str]]) -> None:
        """``assets`` maps a URL to ``(file, media type)``; nothing else can ever be loaded."""
        super().__init__(allowed_protocols=(), allow_redirects=False)
        self._assets = dict(assets)
        self.refused: list[str] = []
        #: Why registered assets could not be read, one message each.
        self.failed: list[str] = []

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        """Return the asset at ``url``, or record the URL and raise :class:`RefusedURL`."""
        if url not in self._assets:
            self.refused.append(url)
            raise RefusedURL(f"not a packaged asset: {url}")
        path, media_type = self._assets[url]
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.failed.append(f"cannot read {path}: {exc.strerror or exc}")
            raise
        return URLFetcherResponse(url, data, {"Content-Type": media_type})
