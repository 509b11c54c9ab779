"""HTML → PDF with WeasyPrint.

Templates are rendered by the web layer; this module only turns the resulting HTML
into PDF bytes. Resources (CSS, images, fonts) are fetched only from ``data:`` URIs or
from below ``base_url``, so user-supplied HTML can never make the server read arbitrary
local files or call other hosts.

WeasyPrint is imported on the first render, not at import: loading it (Pango through
cffi, fontTools, its default stylesheets) costs about a second that every command, worker
boot and test process would otherwise pay.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

__all__ = ["render_pdf"]


@lru_cache(maxsize=1)
def _fetcher_class() -> type:
    """The scoped fetcher, built on WeasyPrint's on first use."""
    from weasyprint import URLFetcher

    class ScopedFetcher(URLFetcher):
        """URL fetcher limited to ``data:`` URIs and URLs under one base URL."""

        def __init__(self, base_url: str | None) -> None:
            super().__init__(timeout=10, allow_redirects=False)
            self._prefix = _directory_of(base_url) if base_url else ""

        def fetch(self, url: str, headers: Any = None) -> Any:
            allowed = url.startswith("data:") or (
                bool(self._prefix) and url.startswith(self._prefix) and "/../" not in url
            )
            if not allowed:
                raise ValueError(f"Recurso externo bloqueado no PDF: {url[:100]}")
            return super().fetch(url, headers)

    return ScopedFetcher


def render_pdf(html: str, base_url: str | None = None) -> bytes:
    """Render an HTML document to PDF bytes.

    ``base_url`` resolves relative links (e.g. the static folder as a ``file://`` URL or
    a directory path); resources outside it are skipped.
    """
    from weasyprint import HTML

    fetcher = _fetcher_class()(_as_url(base_url))
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf()
    return pdf


def _directory_of(url: str) -> str:
    """``http://h/static/a.css`` → ``http://h/static/``; ``https://h`` → ``https://h/``."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if not path.endswith("/"):
        path = path.rsplit("/", 1)[0] + "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _as_url(base_url: str | None) -> str | None:
    if not base_url or "://" in base_url:
        return base_url
    path = Path(base_url).resolve()
    uri = path.as_uri()
    return uri + "/" if path.is_dir() else uri
