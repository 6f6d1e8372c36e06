"""Ingestion: page provenance, repairs, type detection and every bad-input case."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

import pikepdf
import pytest
from docx import Document as DocxDocument
from fpdf import FPDF

from analyser.config import Limits
from analyser.errors import IngestError
from analyser.ingest import detect_media_type, parse_bytes, read_document
from analyser.textrepair import repair_page_text


def test_tiny_pdf_pages_language_and_offsets(tiny_pdf: Path) -> None:
    doc = read_document(tiny_pdf)
    assert doc.media_type == "pdf"
    assert doc.language == "en"
    assert [p.number for p in doc.pages] == [1, 2, 3]
    assert doc.sha256 == hashlib.sha256(tiny_pdf.read_bytes()).hexdigest()
    for page in doc.pages:
        assert doc.text[page.char_start : page.char_end] == page.text
        assert doc.page_at(page.char_start) == page.number
        assert doc.page_at(page.char_end - 1) == page.number


def test_tiny_pdf_repairs_ligature_and_line_end_hyphen(tiny_pdf: Path) -> None:
    doc = read_document(tiny_pdf)
    assert "notifications of new subprocessors" in doc.page(1).text
    assert "\ufb01" not in doc.text
    assert "A disaster-recovery copy" in doc.page(2).text.replace("\n", " ")


@pytest.mark.parametrize(
    ("raw", "repaired"),
    [
        ("noti\ufb01cations", "notifications"),
        ("e\ufb00ect and \ufb02ow", "effect and flow"),
        ("in-\napp", "in-app"),
        ("UN-\nKaufrechts", "UN-Kaufrechts"),
        ("verwerk\u00ad\ningen", "verwerkingen"),
        ("a  b\u00a0\u00a0c", "a b c"),
        ("line  \n  next", "line\nnext"),
        ("one\n\n\n\ntwo", "one\n\ntwo"),
        ("Article 5 -\n6", "Article 5 -\n6"),
        ("zero\u200bwidth", "zerowidth"),
    ],
)
def test_repair_page_text(raw: str, repaired: str) -> None:
    assert repair_page_text(raw) == repaired


def test_input_file_is_not_modified(tiny_pdf: Path) -> None:
    before = (tiny_pdf.read_bytes(), tiny_pdf.stat().st_mtime_ns)
    read_document(tiny_pdf)
    assert (tiny_pdf.read_bytes(), tiny_pdf.stat().st_mtime_ns) == before


def _pdf_bytes(pages: list[str]) -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def _encrypted(data: bytes, user: str, owner: str) -> bytes:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(user=user, owner=owner, R=6))
    return out.getvalue()


def _image_only_pdf() -> bytes:
    from PIL import Image

    image = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(image, format="PNG")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(io.BytesIO(image.getvalue()), x=10, y=10, w=100)
    return bytes(pdf.output())


ENGLISH = "This Data Processing Agreement is governed by the laws of Ireland. " * 5


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("empty.pdf", lambda: b"", "empty"),
        ("random.pdf", lambda: os.urandom(4096), "corrupt"),
        ("truncated.pdf", lambda: _pdf_bytes([ENGLISH])[:300], "corrupt"),
        ("locked.pdf", lambda: _encrypted(_pdf_bytes([ENGLISH]), user="secret", owner="owner"), "encrypted"),
        ("scan.pdf", _image_only_pdf, "no_text_layer"),
        ("archive.zip", lambda: _zip({"a.txt": b"hello"}), "unsupported_type"),
        ("picture.png", lambda: b"\x89PNG\r\n\x1a\n" + os.urandom(100), "unsupported_type"),
        ("old.doc", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(100), "unsupported_type"),
        ("blob.bin", lambda: b"\x00\x01\x02" * 100, "unsupported_type"),
        ("bad.docx", lambda: b"PK\x03\x04" + os.urandom(200), "corrupt"),
        ("blank.txt", lambda: b"   \n\n  ", "no_text"),
    ],
)
def test_bad_input_gives_specific_error(tmp_path: Path, name: str, content, code: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    data = content()
    path.write_bytes(data)
    with pytest.raises(IngestError) as caught:
        read_document(path)
    assert caught.value.code == code
    assert caught.value.source == name
    assert path.read_bytes() == data  # nothing the user gave is altered


def test_encrypted_with_empty_password_is_read(tmp_path: Path) -> None:
    path = tmp_path / "owner-only.pdf"
    path.write_bytes(_encrypted(_pdf_bytes([ENGLISH]), user="", owner="owner"))
    doc = read_document(path)
    assert "governed by the laws of Ireland" in doc.text


def test_size_and_page_limits(tmp_path: Path) -> None:
    path = tmp_path / "long.pdf"
    path.write_bytes(_pdf_bytes([ENGLISH] * 4))
    with pytest.raises(IngestError) as caught:
        read_document(path, Limits(max_pages=3))
    assert caught.value.code == "too_many_pages"
    assert "4 pages" in caught.value.reason
    with pytest.raises(IngestError) as caught:
        read_document(path, Limits(max_file_mb=0.0001))
    assert caught.value.code == "too_large"


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as caught:
        read_document(tmp_path / "nope.pdf")
    assert caught.value.code == "not_found"
    with pytest.raises(IngestError) as caught:
        read_document(tmp_path)
    assert caught.value.code == "not_a_file"


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.txt"
    path.write_text(ENGLISH)

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)  # as root, chmod 0 would not stop the read
    with pytest.raises(IngestError) as caught:
        read_document(path)
    assert caught.value.code == "unreadable"
    assert "permission denied" in caught.value.reason


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _docx_bytes() -> bytes:
    document = DocxDocument()
    document.add_heading("Verwerkersovereenkomst", 1)
    document.add_paragraph("Artikel 1 – Locatie. Verwerker slaat de persoonsgegevens op in Nederland.")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ["Naam", "Land", "Doel"], strict=True):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["Backupkluis B.V.", "Nederland", "back-up"], strict=True):
        cell.text = text
    document.add_page_break()
    document.add_paragraph("Artikel 2 – Recht. Op deze overeenkomst is Nederlands recht van toepassing.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_pages_and_table_rows() -> None:
    doc = parse_bytes(_docx_bytes(), "vo.docx")
    assert doc.media_type == "docx"
    assert doc.language == "nl"
    assert len(doc.pages) == 2
    assert "Backupkluis B.V. | Nederland | back-up" in doc.page(1).text
    assert "Nederlands recht van toepassing" in doc.page(2).text


def test_type_comes_from_content_not_extension() -> None:
    doc = parse_bytes(_docx_bytes(), "mislabelled.pdf")
    assert doc.media_type == "docx"
    assert any("named .pdf" in w for w in doc.warnings)
    assert detect_media_type(b"%PDF-1.7\n...", "x.txt") == "pdf"


def test_html_scripts_dropped_and_tables_kept() -> None:
    html = (
        b"<html><head><script>alert('x')</script><link rel=stylesheet href='https://example.com/x.css'></head>"
        b"<body><h1>Subprocessors</h1><p>Das Vertragsverh\xc3\xa4ltnis unterliegt deutschem Recht und "
        b"der Gerichtsstand ist M\xc3\xbcnchen.</p><table><tr><th>Name</th><th>Land</th></tr>"
        b"<tr><td>Hetzner Online GmbH</td><td>Deutschland</td></tr></table></body></html>"
    )
    doc = parse_bytes(html, "page.html")
    assert doc.media_type == "html"
    assert "alert" not in doc.text
    assert "Hetzner Online GmbH | Deutschland" in doc.text
    assert doc.language == "de"


def test_markdown_rendered_to_plain_text() -> None:
    md = "# Annex 2\n\n**Customer Data** is hosted in *Ireland*.\n\n| Name | Country |\n|---|---|\n| AWS | IE |\n"
    doc = parse_bytes(md.encode(), "annex.md")
    assert doc.media_type == "markdown"
    assert "Customer Data is hosted in Ireland." in doc.text
    assert "AWS | IE" in doc.text
    assert "**" not in doc.text


def test_non_utf8_text_is_read_with_a_warning() -> None:
    data = "Die Daten werden in Deutschland gespeichert und gelöscht.\n".encode("cp1252") * 3
    data += "Gerichtsstand ist Köln.\n".encode()
    doc = parse_bytes(data, "avv.txt")
    assert "gelöscht" in doc.text and "Köln" in doc.text
    assert any("not valid UTF-8" in w for w in doc.warnings)


def test_text_form_feeds_are_page_breaks() -> None:
    doc = parse_bytes(f"{ENGLISH}\f{ENGLISH}".encode(), "two.txt")
    assert len(doc.pages) == 2
