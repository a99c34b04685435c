"""Render official forms to PDF with WeasyPrint, Liberation Serif embedded (SPEC.md §1.8)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

import motcua.core

FONT_DIR = Path(motcua.core.__file__).resolve().parent / "fonts"
FONT_FAMILY = "Motcua Liberation Serif"  # a private name: never matched to a system font
FONT_FILES = {
    ("normal", "normal"): "LiberationSerif-Regular.ttf",
    ("bold", "normal"): "LiberationSerif-Bold.ttf",
    ("normal", "italic"): "LiberationSerif-Italic.ttf",
    ("bold", "italic"): "LiberationSerif-BoldItalic.ttf",
}


def font_face_css() -> str:
    return "\n".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; '
        f'font-style: {style}; src: url("{(FONT_DIR / name).as_uri()}") format("truetype"); }}'
        for (weight, style), name in FONT_FILES.items()
    )


def _local_fetcher():
    """Forms embed only data: URIs (the QR code) and the vendored fonts; nothing else is
    fetched, whatever text an applicant typed."""
    from weasyprint.urls import URLFetcher

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file:"):
                path = Path(unquote(urlsplit(url).path)).resolve()
                if not path.is_relative_to(FONT_DIR):
                    raise ValueError(f"refused to read {url}")
            return super().fetch(url, headers)

    return LocalFetcher(allowed_protocols=("data", "file"), allow_redirects=False)


def html_to_pdf(html: str) -> bytes:
    # WeasyPrint is imported here: it is heavy, and only form rendering needs it.
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    document = HTML(string=html, base_url=FONT_DIR.as_uri() + "/", url_fetcher=_local_fetcher())
    return document.write_pdf(font_config=font_config)


def render_pdf(template: str, context: dict) -> bytes:
    context = {**context, "font_css": mark_safe(font_face_css()), "font_family": FONT_FAMILY}  # noqa: S308
    return html_to_pdf(render_to_string(template, context))
