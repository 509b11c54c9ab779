"""HTML → PDF with WeasyPrint, checked with poppler's pdftotext."""

import shutil
import subprocess
import time

import pytest

from portal.core.pdf import render_pdf

HTML = """<!doctype html>
<html lang="pt-BR"><head><meta charset="utf-8"><link rel="stylesheet" href="estilo.css">
<title>Extrato</title></head>
<body><h1>Extrato de Comissão</h1>
<p>Período: 01/01/2024 a 31/01/2024 — Corretor: João Araújo</p>
<table><tr><td>Total a receber</td><td>R$ 1.234,56</td></tr></table>
<img src="file:///etc/hostname"></body></html>"""


def _pdftotext():
    deadline = time.monotonic() + 180  # poppler-utils may still be installing
    while True:
        found = shutil.which("pdftotext")
        if found or time.monotonic() > deadline:
            return found
        time.sleep(5)


def test_render_pdf_produces_a_real_pdf_with_portuguese_text(tmp_path):
    (tmp_path / "estilo.css").write_text("h1 { font-size: 20pt }", encoding="utf-8")
    pdf = render_pdf(HTML, base_url=str(tmp_path))
    assert pdf.startswith(b"%PDF")
    tool = _pdftotext()
    if tool is None:
        pytest.fail("pdftotext (poppler-utils) não está instalado")
    path = tmp_path / "extrato.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        [tool, "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Extrato de Comissão" in text
    assert "João Araújo" in text
    assert "R$ 1.234,56" in text


def test_resources_outside_base_url_are_not_fetched(tmp_path):
    fetched = []

    # WeasyPrint's own fetcher (the portal's scoped one delegates to it once a URL passes).
    from weasyprint import URLFetcher

    original = URLFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    URLFetcher.fetch = spy
    try:
        (tmp_path / "estilo.css").write_text("h1 { color: red }", encoding="utf-8")
        render_pdf(HTML, base_url=str(tmp_path))
    finally:
        URLFetcher.fetch = original
    assert any(url.endswith("/estilo.css") for url in fetched)
    assert not any("hostname" in url for url in fetched)
