"""The upload gate: every file a user sends is checked here before anything is stored.

Documents and evidence (`check_document`: proposal documents, consent and certification
evidence) and spreadsheet imports (`check_spreadsheet`) go through the same rules:
- the type comes from the first bytes, never from the name or the browser's content type;
- a name carrying folders is refused (the original name is only ever displayed);
- PDFs with active content are refused: JavaScript (also as an /OpenAction or /AA),
  launch and import actions, embedded files, rich media, XFA forms — the names found
  plainly, hex-escaped (`/J#61vaScript`) or inside Flate-compressed streams (object
  streams included);
- polyglots are refused: a ZIP directory inside a PDF or an image, HTML or script inside
  an image (after its end or in its metadata), a PDF header inside an image;
- images whose declared dimensions are absurd (decompression bombs) are refused;
- spreadsheets are real XLSX (no macros, no zip bombs) or CSV text, nothing else.
Every refusal is a `DomainError` with a Portuguese message; the caller stores nothing.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

from portal.core.errors import DomainError
from portal.core.spreadsheets import check_xlsx_container

PDF = (b"%PDF-", "application/pdf", ".pdf")
PNG = (b"\x89PNG\r\n\x1a\n", "image/png", ".png")
JPEG = (b"\xff\xd8\xff", "image/jpeg", ".jpg")
DOCUMENT_TYPES = (PDF, PNG, JPEG)

MAX_PIXELS = 60_000_000  # ~ 60 megapixels: more than any phone photo of a document
MAX_SIDE = 30_000  # pixels on either side (a long receipt scan stays well below)
MAX_INFLATED_BYTES = 100 * 1024 * 1024  # what a PDF's compressed streams may expand to

PATH_IN_NAME = "Nome de arquivo com caminho de pastas não é aceito: envie apenas o arquivo."
ZIP_INSIDE = "Arquivos compactados (ZIP) ou disfarçados não são aceitos."
PDF_ACTIVE = "PDF com conteúdo ativo (scripts, ações automáticas ou arquivos anexados) não é aceito."
PDF_BROKEN = "PDF incompleto ou corrompido."
PDF_TOO_DENSE = "PDF com conteúdo compactado grande demais para ser verificado."
IMAGE_HIDDEN = "Imagem com conteúdo escondido (HTML, script ou outro arquivo embutido) não é aceita."
IMAGE_DIMENSIONS = "Imagem com dimensões inválidas ou grandes demais."
SHEET_TYPE = "Envie uma planilha .xlsx ou .csv (o conteúdo foi verificado, não o nome)."
SHEET_MACROS = "Planilha com macros não é aceita: salve-a como .xlsx comum."
SHEET_ENCRYPTED = "Planilha protegida por senha: remova a senha no Excel e envie de novo."
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")  # Office password protection (OLE)

_ACTIVE_NAME = rb"(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA|GoToE|ImportData)(?![A-Za-z0-9_])"
_PDF_ACTIVE = re.compile(rb"/" + _ACTIVE_NAME)
_ACTIVE_DECODED = re.compile(_ACTIVE_NAME)
# A PDF name: "/" then regular characters (anything but white space and delimiters).
# Any of them may be written "#xx" (two hex digits), e.g. /J#61vaScript = /JavaScript.
_NAME_CHAR = rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]"
_ESCAPED_NAME = re.compile(rb"/(" + _NAME_CHAR + rb"*#[0-9A-Fa-f]{2}" + _NAME_CHAR + rb"*)")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM_START = re.compile(rb"stream(?:\r\n|\n|\r)")
# Markup a browser would run if the file were ever served as HTML (long enough markers
# that compressed pixel data never contains them by chance).
_MARKUP = re.compile(
    rb"<(script|html|body|iframe|object|embed|meta|svg|\?php|!doctype)[\s>/]|javascript:|on(load|error)\s*=",
    re.IGNORECASE,
)
_PNG_END = b"IEND\xaeB`\x82"


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    extension: str


def sniff(
    data: bytes, allowed: tuple[tuple[bytes, str, str], ...], message: str, field: str
) -> tuple[str, str]:
    """(content type, extension) from the magic bytes, or DomainError(`message`)."""
    for magic, content_type, extension in allowed:
        if data.startswith(magic):
            return content_type, extension
    raise DomainError(message, field=field)


def refuse_path_in_name(name: str | None, field: str = "file") -> None:
    """A browser sends a bare file name; one with folders ("../", "C:\\...") is an attack
    or a broken client, and is refused rather than silently cleaned."""
    if name and ("/" in name or "\\" in name):
        raise DomainError(PATH_IN_NAME, field=field)


def _refuse_basic(data: bytes, filename: str | None, max_bytes: int, messages: dict[str, str], field: str):
    refuse_path_in_name(filename, field)
    if not data:
        raise DomainError(messages["empty"], field=field)
    if len(data) > max_bytes:
        raise DomainError(messages["too_big"], field=field)


def check_document(
    data: bytes,
    filename: str | None,
    *,
    max_bytes: int,
    messages: dict[str, str],
    field: str = "file",
    allowed: tuple[tuple[bytes, str, str], ...] = DOCUMENT_TYPES,
) -> CheckedUpload:
    """The gate for documents and evidence; `messages` has "empty", "too_big", "type"."""
    _refuse_basic(data, filename, max_bytes, messages, field)
    content_type, extension = sniff(data[:16], allowed, messages["type"], field)
    if zipfile.is_zipfile(io.BytesIO(data)):
        raise DomainError(ZIP_INSIDE, field=field)
    if content_type == PDF[1]:
        _check_pdf(data, field)
    elif content_type in (PNG[1], JPEG[1]):
        _check_image(data, content_type, field)
    return CheckedUpload(content_type, extension)


# ---------------------------------------------------------------------------- PDF


def decode_pdf_name(raw: bytes) -> bytes:
    """A PDF name with its "#xx" escapes decoded (the name as a PDF reader sees it)."""
    return _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)


def _has_active_names(data: bytes) -> bool:
    if _PDF_ACTIVE.search(data):
        return True
    return any(_ACTIVE_DECODED.match(decode_pdf_name(m.group(1))) for m in _ESCAPED_NAME.finditer(data))


def _inflated_streams(data: bytes, field: str):
    """The content of every Flate-compressed stream, within a total budget (a PDF that
    would inflate beyond it is refused rather than left unchecked)."""
    budget = MAX_INFLATED_BYTES
    for match in _STREAM_START.finditer(data):
        start = match.end()
        end = data.find(b"endstream", start)
        if end < 0:
            end = len(data)
        inflater = zlib.decompressobj()
        try:
            chunk = inflater.decompress(data[start:end], budget + 1)
        except zlib.error:
            continue  # not Flate (an image's DCT data, say): nothing to inflate
        budget -= len(chunk)
        if budget < 0:
            raise DomainError(PDF_TOO_DENSE, field=field)
        yield chunk


def _check_pdf(data: bytes, field: str) -> None:
    if b"%%EOF" not in data[-2048:]:
        raise DomainError(PDF_BROKEN, field=field)
    if _has_active_names(data) or any(_has_active_names(s) for s in _inflated_streams(data, field)):
        raise DomainError(PDF_ACTIVE, field=field)


# ------------------------------------------------------------------------- images


def _png_size(data: bytes, field: str) -> tuple[int, int]:
    """Declared dimensions; also walks the chunks so nothing may follow IEND."""
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise DomainError("Imagem PNG corrompida.", field=field)
    end = data.find(_PNG_END)
    if end < 0:
        raise DomainError("Imagem PNG incompleta ou corrompida.", field=field)
    if data[end + len(_PNG_END) :].strip(b"\x00\r\n\t "):
        raise DomainError(IMAGE_HIDDEN, field=field)
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _jpeg_size(data: bytes, field: str) -> tuple[int, int]:
    """Dimensions from the first SOF marker (walks the segment headers only)."""
    pos = 2
    while pos + 9 < len(data):
        if data[pos] != 0xFF:
            pos += 1
            continue
        marker = data[pos + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
            pos += 1 if marker == 0xFF else 2
            continue
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height
        pos += 2 + length
    raise DomainError("Imagem JPEG corrompida.", field=field)


def _check_image(data: bytes, content_type: str, field: str) -> None:
    width, height = _png_size(data, field) if content_type == PNG[1] else _jpeg_size(data, field)
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE and width * height <= MAX_PIXELS):
        raise DomainError(IMAGE_DIMENSIONS, field=field)
    if _MARKUP.search(data) or PDF[0] in data:
        raise DomainError(IMAGE_HIDDEN, field=field)


# ------------------------------------------------------------------- spreadsheets

_SHEET_MESSAGES = {"empty": "O arquivo está vazio.", "too_big": "Arquivo muito grande."}
_NOT_TEXT = re.compile(rb"[\x00-\x08\x0e-\x1f]")  # control characters no CSV holds
_OTHER_FORMATS = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\xd0\xcf\x11\xe0", b"Rar!", b"\x1f\x8b")


def check_spreadsheet(
    data: bytes,
    filename: str | None,
    *,
    max_bytes: int,
    messages: dict[str, str] | None = None,
    field: str = "file",
    allow_html: bool = False,
) -> str:
    """The gate for spreadsheet imports: "xlsx", "csv" (or "html": a table saved as .xls,
    when `allow_html`), or DomainError. A password-protected XLSX is named as such.

    XLSX: a ZIP holding a workbook, no macros, inflating to a sane size and ratio
    (`spreadsheets.check_xlsx_container`). CSV: text, not HTML nor another binary format."""
    _refuse_basic(data, filename, max_bytes, messages or _SHEET_MESSAGES, field)
    if data.startswith(b"PK\x03\x04"):
        names = check_xlsx_container(data)
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            raise DomainError(SHEET_MACROS, field=field)
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0") and _ENCRYPTED_PACKAGE in data:
        raise DomainError(SHEET_ENCRYPTED, field=field)
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text (Excel's "Unicode text")
        head = head.decode("utf-16", errors="replace").encode("utf-8")
    text_head = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    looks_html = re.match(rb"\s*<", text_head) and re.search(rb"<table[\s>]", data[: 1 << 20], re.IGNORECASE)
    if allow_html and looks_html:
        if re.search(rb"<script[\s>]|javascript:", data, re.IGNORECASE):
            raise DomainError(SHEET_TYPE, field=field)
        return "html"
    if (
        text_head.startswith(_OTHER_FORMATS)
        or _NOT_TEXT.search(text_head)
        or _MARKUP.search(text_head)
        or re.match(rb"\s*<", text_head)
    ):
        raise DomainError(SHEET_TYPE, field=field)
    return "csv"
