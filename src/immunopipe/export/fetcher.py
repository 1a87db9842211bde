"""The only way a handout render may load anything: a closed list of the package's own assets.

WeasyPrint's default fetcher follows ``file://``, ``http(s)://``, ``data:`` and redirects, so a
``<link rel="attachment" href="file:///...">`` would embed any local file into the PDF and an
``<img src="http://...">`` would make a request. :class:`AssetFetcher` answers only the exact
URLs it was given, each mapped to a packaged file, and refuses every other URL before any I/O
happens. Refused URLs are recorded so the renderer can fail the render.

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

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        """Return the asset at ``url``, or record the URL and raise :class:`RefusedURL`."""
        if url not in self._assets:
            self.refused.append(url)
            raise RefusedURL(f"not a packaged asset: {url}")
        path, media_type = self._assets[url]
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": media_type})
