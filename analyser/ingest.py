"""Read a file into a `Document`: detect its type from content, extract per-page text, repair it.

Input files are opened read-only and never modified. Every failure a user can meet is an
`IngestError` with a plain-language reason and a hint, never a traceback.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from analyser import sandbox
from analyser.config import Limits
from analyser.errors import IngestError
from analyser.language import detect_language
from analyser.textrepair import repair_page_text
from analyser.types import Document, MediaType, build_pages

log = logging.getLogger(__name__)

# Below this many characters per page on average a PDF is treated as having no text layer.
_MIN_CHARS_PER_PAGE = 20
# A DOCX may not unpack to more than this many times the limit on input files.
_MAX_UNZIP_FACTOR = 20
_EXTENSIONS: dict[str, MediaType] = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
}
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")
_HTML_HINT = re.compile(rb"<\s*(!doctype\s+html|html|head|body|div|p|table|h[1-6])\b", re.I)
_MARKDOWN_HINT = re.compile(r"^(#{1,6} \S|\|.*\|\s*$|[-*] \S|\d+\. \S)", re.M)


def read_document(path: Path, limits: Limits | None = None, *, source: str | None = None) -> Document:
    """Read the file at `path` into a Document, or raise IngestError saying why not."""
    limits = limits or Limits()
    name = source or path.name
    data = _read_bytes(path, name, limits)
    return parse_bytes(data, name, limits)


def parse_bytes(data: bytes, name: str, limits: Limits | None = None) -> Document:
    """Build a Document from file content already in memory (used by the app's uploads).

    The parsing itself runs in a child process bounded by `limits.timeout_s` and
    `limits.max_memory_mb` (see `analyser.sandbox`), so no file can hang or exhaust the caller.
    """
    limits = limits or Limits()
    _check_size(len(data), name, limits)
    if limits.isolate:
        extracted = sandbox.run_bounded(
            extract_pages, data, name, limits, name=name, timeout_s=limits.timeout_s, memory_mb=limits.max_memory_mb
        )
    else:
        extracted = extract_pages(data, name, limits)
    pages = build_pages(list(extracted.page_texts))
    warnings = list(extracted.warnings)
    text = "\n\n".join(extracted.page_texts)
    language = detect_language(text)
    if language not in ("en", "nl", "de"):
        warnings.append(
            f"Language detected as '{language}': the analyser is built for English, Dutch and German; "
            "results may be incomplete."
        )
    log.info(
        "ingested %s: %s, %d pages, %d chars, language %s", name, extracted.media_type, len(pages), len(text), language
    )
    return Document(
        sha256=hashlib.sha256(data).hexdigest(),
        source=name,
        media_type=extracted.media_type,
        language=language,
        pages=pages,
        size_bytes=len(data),
        warnings=tuple(warnings),
    )


@dataclass(frozen=True, slots=True)
class Extracted:
    """Repaired per-page text of one file and what the reader noticed; what the child process returns."""

    media_type: MediaType
    page_texts: tuple[str, ...]
    warnings: tuple[str, ...]


def extract_pages(data: bytes, name: str, limits: Limits) -> Extracted:
    """Detect the type, extract and repair per-page text, and enforce the text limits (no isolation)."""
    media_type = detect_media_type(data, name)
    warnings: list[str] = []
    claimed = _EXTENSIONS.get(Path(name).suffix.lower())
    if claimed and claimed != media_type and not {claimed, media_type} <= {"text", "markdown"}:
        warnings.append(f"The file is named {Path(name).suffix} but its content is {media_type}; read as {media_type}.")
    page_texts = _EXTRACTORS[media_type](data, name, limits, warnings)
    # Checked before repair too, so a 50 MB single line is refused before any regex runs over it.
    _check_chars(sum(len(t) for t in page_texts), name, limits)
    page_texts = [repair_page_text(t) for t in page_texts]
    total = sum(len(t) for t in page_texts)
    _check_chars(total, name, limits)
    if total == 0:
        raise IngestError(name, "contains no readable text.", code="no_text")
    return Extracted(media_type, tuple(page_texts), tuple(warnings))


def _check_chars(total: int, name: str, limits: Limits) -> None:
    if total > limits.max_chars:
        raise IngestError(
            name,
            f"holds {total:,} characters of text, more than the limit of {limits.max_chars:,}.",
            code="too_large",
            hint="Split the document, or raise ANALYSER_MAX_CHARS.",
        )


def _read_bytes(path: Path, name: str, limits: Limits) -> bytes:
    try:
        if path.is_symlink() and not path.exists():
            raise IngestError(
                name,
                "is a symbolic link that loops or points nowhere.",
                code="broken_link",
                hint="Point the link at the document itself.",
            )
        if not path.exists():
            raise FileNotFoundError(path)
        if not path.is_file():
            what = "a folder" if path.is_dir() else "not a regular file"
            raise IngestError(name, f"is {what}, not a document.", code="not_a_file")
        _check_size(path.stat().st_size, name, limits)
        with path.open("rb") as handle:
            return handle.read(_max_bytes(limits) + 1)
    except FileNotFoundError as exc:
        raise IngestError(name, "does not exist.", code="not_found") from exc
    except PermissionError as exc:
        raise IngestError(
            name, "cannot be read: permission denied.", code="unreadable", hint="Check the file's permissions."
        ) from exc
    except OSError as exc:
        raise IngestError(name, f"cannot be read: {exc.strerror or exc}.", code="unreadable") from exc


def _max_bytes(limits: Limits) -> int:
    return int(limits.max_file_mb * 1024 * 1024)


def _check_size(size: int, name: str, limits: Limits) -> None:
    if size == 0:
        raise IngestError(name, "is empty (0 bytes).", code="empty", hint="Check that the upload or copy completed.")
    if size > _max_bytes(limits):
        raise IngestError(
            name,
            f"is {size / 1024 / 1024:.1f} MB, larger than the limit of {limits.max_file_mb:g} MB.",
            code="too_large",
            hint="Split the document, or raise ANALYSER_MAX_FILE_MB.",
        )


def detect_media_type(data: bytes, name: str) -> MediaType:
    """Decide the document type from the bytes themselves; the file name is only a hint."""
    head = data[:2048]
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data, name)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise IngestError(
            name,
            "is an old Word (.doc) or other Office binary file.",
            code="unsupported_type",
            hint="Save it as .docx or PDF and try again.",
        )
    if head.startswith(_IMAGE_MAGIC):
        raise IngestError(
            name,
            "is an image, not a text document.",
            code="unsupported_type",
            hint="Scanned documents need OCR first; export a PDF with a text layer.",
        )
    if _looks_binary(head):
        suffix = Path(name).suffix.lower()
        if suffix == ".pdf":
            raise IngestError(
                name,
                "is named .pdf but is not a PDF (it has no PDF header); it is damaged or mislabelled.",
                code="corrupt",
                hint="Export the PDF again from its source.",
            )
        raise IngestError(
            name,
            "is not a supported document (binary content of unknown type).",
            code="unsupported_type",
            hint="Supported: PDF, DOCX, HTML, Markdown, plain text.",
        )
    if _HTML_HINT.search(head):
        return "html"
    sample = decode_text(data[:8192])[0]
    if Path(name).suffix.lower() in (".md", ".markdown") or _MARKDOWN_HINT.search(sample):
        return "markdown"
    return "text"


def _zip_kind(data: bytes, name: str) -> MediaType:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile as exc:
        raise IngestError(
            name, "is a damaged ZIP/DOCX file.", code="corrupt", hint="Save the document again from Word."
        ) from exc
    if "word/document.xml" in names:
        return "docx"
    raise IngestError(
        name,
        "is a ZIP archive, not a Word document.",
        code="unsupported_type",
        hint="Unpack it and analyse the documents inside.",
    )


def _looks_binary(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 text with a byte-order mark
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return control > len(head) * 0.05


def decode_text(data: bytes) -> tuple[str, str | None]:
    """Decode text bytes; return the text and a warning when it was not clean UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    lines = []
    for line in data.split(b"\n"):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(line.decode("cp1252", errors="replace"))
    return "\n".join(lines), "The text is not valid UTF-8; lines that were not were read as Windows-1252."


def _extract_pdf(data: bytes, name: str, limits: Limits, warnings: list[str]) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, LimitReachedError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not _decrypt_with_empty_password(reader):
            raise IngestError(
                name,
                "is an encrypted PDF that needs a password.",
                code="encrypted",
                hint="Ask the supplier for an unprotected copy, or remove the password and retry.",
            )
        count = len(reader.pages)
    except IngestError:
        raise
    except LimitReachedError as exc:
        raise _bomb(name) from exc
    except RecursionError as exc:
        raise IngestError(
            name,
            "is a malformed PDF: its objects are nested too deeply or refer to each other in a loop.",
            code="corrupt",
            hint="Export or download the PDF again.",
        ) from exc
    except DependencyError as exc:
        raise IngestError(
            name,
            f"uses a PDF feature this installation cannot read ({exc}).",
            code="unsupported_type",
            hint="Reinstall with `make install`.",
        ) from exc
    except Exception as exc:
        raise IngestError(
            name,
            f"is a damaged or truncated PDF ({_reader_detail(exc)}).",
            code="corrupt",
            hint="Export or download the PDF again.",
        ) from exc
    if count == 0:
        raise IngestError(name, "is a PDF without pages.", code="corrupt")
    if count > limits.max_pages:
        raise IngestError(
            name,
            f"has {count:,} pages, more than the limit of {limits.max_pages:,}.",
            code="too_many_pages",
            hint="Split the document, or raise ANALYSER_MAX_PAGES.",
        )
    _warn_active_content(reader, warnings)
    texts, unreadable = [], []
    for number, page in enumerate(reader.pages, start=1):
        try:
            texts.append(page.extract_text() or "")
        except LimitReachedError as exc:
            raise _bomb(name) from exc
        except Exception:
            log.warning("page %d of %s could not be read", number, name, exc_info=True)
            texts.append("")
            unreadable.append(number)
    if unreadable:
        warnings.append(f"Pages {_page_list(unreadable)} could not be read and are left out.")
    _check_text_layer(texts, name, warnings)
    return texts


def _reader_detail(exc: Exception) -> str:
    """pypdf's own reason when it is short and specific ("Detected cyclic page references"), else the error type."""
    detail = str(exc).strip().rstrip(".")
    if not detail or len(detail) > 80 or detail.lower() == "error reading pdf file":
        return type(exc).__name__
    return detail


def _bomb(name: str) -> IngestError:
    return IngestError(
        name,
        "holds a compressed stream that unpacks to far more data than any document needs (a decompression bomb?).",
        code="decompression_bomb",
        hint="This PDF is not safe to open; ask for a clean export.",
    )


def _warn_active_content(reader: object, warnings: list[str]) -> None:
    """Note JavaScript, launch actions and attachments: they are never run or opened, only reported."""
    try:
        root = reader.trailer["/Root"]  # type: ignore[attr-defined]
        names = root.get("/Names") or {}
        action = root.get("/OpenAction")
        action = action.get_object() if action is not None else None
        # An open action is usually just "show page 1 at this zoom"; only script and launch actions matter.
        scripted = isinstance(action, dict) and action.get("/S") in ("/JavaScript", "/Launch")
        found = [
            label
            for label, present in (
                ("JavaScript", "/JavaScript" in names or scripted),
                ("embedded files", "/EmbeddedFiles" in names),
            )
            if present
        ]
    except Exception:  # noqa: BLE001 - a broken catalogue only means there is nothing to report
        return
    if found:
        what = " and ".join(found)
        warnings.append(f"The PDF contains {what}: ignored (never run or opened); only its text is read.")


def _decrypt_with_empty_password(reader: object) -> bool:
    try:
        return bool(reader.decrypt(""))  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - unsupported encryption is reported as "needs a password"
        return False


def _check_text_layer(texts: list[str], name: str, warnings: list[str]) -> None:
    stripped = [len(t.strip()) for t in texts]
    if sum(stripped) < _MIN_CHARS_PER_PAGE * len(texts) and max(stripped, default=0) < 200:
        raise IngestError(
            name,
            "has no readable text layer: it looks like a scanned document (or its page content is malformed).",
            code="no_text_layer",
            hint="OCR is not supported yet; ask for a text PDF or run OCR first.",
        )
    empty = [n for n, size in enumerate(stripped, start=1) if size == 0]
    if empty:
        warnings.append(f"Pages {_page_list(empty)} have no text (scanned images?) and cannot be analysed.")


def _page_list(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:10])
    return shown + (f" and {len(numbers) - 10} more" if len(numbers) > 10 else "")


def _extract_docx(data: bytes, name: str, limits: Limits, warnings: list[str]) -> list[str]:
    import docx
    from docx.oxml.ns import qn

    _check_zip_bomb(data, name, limits)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise IngestError(
            name,
            f"is a damaged Word document ({type(exc).__name__}).",
            code="corrupt",
            hint="Open and save it again in Word, or export a PDF.",
        ) from exc
    pages: list[list[str]] = [[]]
    body = document.element.body
    for block in body.iterchildren():
        if block.tag == qn("w:p"):
            text = "".join(node.text or "" for node in block.iter(qn("w:t"), qn("w:tab")) if node is not None)
            pages[-1].append(text)
            if any(br.get(qn("w:type")) == "page" for br in block.iter(qn("w:br"))):
                pages.append([])
        elif block.tag == qn("w:tbl"):
            for row in block.iter(qn("w:tr")):
                cells = ["".join(t.text or "" for t in cell.iter(qn("w:t"))) for cell in row.iter(qn("w:tc"))]
                pages[-1].append(" | ".join(c.strip() for c in cells))
    texts = ["\n".join(lines) for lines in pages]
    if len(texts) > 1 and not texts[-1].strip():
        texts.pop()
    if len(texts) == 1:
        warnings.append("Word documents have no fixed pages; the whole document is reported as page 1.")
    return texts


def _check_zip_bomb(data: bytes, name: str, limits: Limits) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > _max_bytes(limits) * _MAX_UNZIP_FACTOR:
        raise IngestError(
            name,
            f"would unpack to {unpacked / 1024 / 1024:,.0f} MB (a ZIP bomb?).",
            code="too_large",
            hint="This Word file is not safe to open.",
        )


def _extract_html(data: bytes, name: str, limits: Limits, warnings: list[str]) -> list[str]:
    text, warning = decode_text(data)
    if warning:
        warnings.append(warning)
    return [html_to_text(text)]


def html_to_text(markup: str) -> str:
    """Visible text of an HTML page; scripts and styles dropped, table rows kept on one line."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "head"]):
        tag.decompose()
    for row in soup.find_all("tr"):
        cells = [cell.get_text(" ", strip=True) for cell in row.find_all(["td", "th"])]
        row.replace_with(soup.new_string("\n" + " | ".join(cells) + "\n"))
    for br in soup.find_all("br"):
        br.replace_with(soup.new_string("\n"))
    blocks = (
        "p",
        "div",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "article",
        "table",
        "tr",
        "pre",
        "blockquote",
        "dt",
        "dd",
    )
    for block in soup.find_all(blocks):
        block.insert_before(soup.new_string("\n"))
        block.insert_after(soup.new_string("\n"))
    return soup.get_text()


def _extract_markdown(data: bytes, name: str, limits: Limits, warnings: list[str]) -> list[str]:
    from markdown_it import MarkdownIt

    text, warning = decode_text(data)
    if warning:
        warnings.append(warning)
    renderer = MarkdownIt("commonmark", {"html": False}).enable("table")
    return [html_to_text(renderer.render(text))]


def _extract_text(data: bytes, name: str, limits: Limits, warnings: list[str]) -> list[str]:
    text, warning = decode_text(data)
    if warning:
        warnings.append(warning)
    return text.split("\f") if "\f" in text else [text]


_EXTRACTORS = {
    "pdf": _extract_pdf,
    "docx": _extract_docx,
    "html": _extract_html,
    "markdown": _extract_markdown,
    "text": _extract_text,
}
