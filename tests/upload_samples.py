"""Hostile files every upload route must refuse, with the words its message must carry
(written by hand from what an attacker sends: active PDFs, polyglots, pixel bombs)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from tests.pipeline_helpers import jpeg, minimal_pdf, png


def _catalog_with(extra: bytes) -> bytes:
    return minimal_pdf().replace(b"/Type/Catalog", b"/Type/Catalog" + extra)


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _png_with_text_chunk(text: bytes) -> bytes:
    """A valid PNG whose tEXt metadata (before IEND) carries `text`."""
    data = png()
    chunk_data = b"Comment\x00" + text
    chunk = (
        struct.pack(">I", len(chunk_data))
        + b"tEXt"
        + chunk_data
        + struct.pack(">I", zlib.crc32(b"tEXt" + chunk_data))
    )
    iend = data.rindex(b"\x00\x00\x00\x00IEND")
    return data[:iend] + chunk + data[iend:]


def _pdf_with_compressed_object_stream(content: bytes) -> bytes:
    """JavaScript hidden in a Flate-compressed object stream (invisible in the raw bytes)."""
    packed = zlib.compress(content)
    stream = b"9 0 obj<</Type/ObjStm/N 1/First 4/Filter/FlateDecode/Length %d>>stream\n" % len(packed)
    pdf = minimal_pdf()
    return pdf.replace(b"trailer", stream + packed + b"\nendstream endobj\ntrailer")


ACTIVE = "conteúdo ativo"
HIDDEN = "conteúdo escondido"
ZIPPED = "compactados"
DIMENSIONS = "dimensões"

HOSTILE = {
    "pdf-openaction-js": (_catalog_with(b"/OpenAction<</S/JavaScript/JS(app.alert(1))>>"), "a.pdf", ACTIVE),
    "pdf-js-key": (_catalog_with(b"/AA<</O<</S/JS /JS (app.alert(1))>>>>"), "b.pdf", ACTIVE),
    "pdf-launch": (_catalog_with(b"/OpenAction<</S/Launch/F(cmd.exe)>>"), "c.pdf", ACTIVE),
    "pdf-embedded-file": (
        _catalog_with(b"/Names<</EmbeddedFiles<</Names[(x.exe)<</Type/EmbeddedFile>>]>>>>"),
        "d.pdf",
        ACTIVE,
    ),
    "pdf-hex-escaped": (_catalog_with(b"/OpenAction<</S/J#61vaScript/J#53(app.alert(1))>>"), "e.pdf", ACTIVE),
    "pdf-compressed-js": (
        _pdf_with_compressed_object_stream(b"10 0 <</S/JavaScript/JS(app.alert(1))>>"),
        "f.pdf",
        ACTIVE,
    ),
    "pdf-zip-polyglot": (minimal_pdf() + _zip({"payload.exe": b"MZ" * 100}), "g.pdf", ZIPPED),
    "png-html-polyglot": (png() + b"<html><script>alert(document.cookie)</script></html>", "h.png", HIDDEN),
    "png-html-in-metadata": (_png_with_text_chunk(b"<script>alert(1)</script>"), "i.png", HIDDEN),
    "jpeg-html-polyglot": (jpeg() + b"<svg onload=alert(1)>", "j.jpg", HIDDEN),
    "png-65536-square": (png(65_536, 65_536), "k.png", DIMENSIONS),
    "jpeg-65535-square": (jpeg(65_535, 65_535), "l.jpg", DIMENSIONS),
}
