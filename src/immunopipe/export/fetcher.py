"""The only way a handout render may load anything: a closed list of assets, by exact URL.

WeasyPrint's default fetcher follows ``file://``, ``http(s)://``, ``data:`` and redirects, so a
``<link rel="attachment" href="file:///...">`` would embed any local file into the PDF and an
``<img src="http://...">`` would make a request. :class:`AssetFetcher` answers only the exact
URLs it was given, each mapped to a packaged file (or to bytes already checked, such as a
clinic's logo), and refuses every other URL before any I/O
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

    def __init__(self, assets: Mapping[str, tuple[Path | bytes, str]]) -> None:
        """``assets`` maps a URL to ``(file or bytes, media type)``; nothing else can ever be loaded.

        Bytes are served as given: a clinic's logo is read and checked once, when its profile is
        loaded (:mod:`immunopipe.validate.profile`), and the render sees exactly those bytes.
        """
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
        source, media_type = self._assets[url]
        if isinstance(source, bytes):
            return URLFetcherResponse(url, source, {"Content-Type": media_type})
        try:
            data = source.read_bytes()
        except OSError as exc:
            self.failed.append(f"cannot read {source}: {exc.strerror or exc}")
            raise
        return URLFetcherResponse(url, data, {"Content-Type": media_type})
