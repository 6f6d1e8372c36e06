"""Write reports: per-document and per-vendor JSON (atomic) and their published JSON Schemas."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from analyser.types import SCHEMA_VERSION, VENDOR_SCHEMA_VERSION, DocumentReport, VendorProfile
from analyser.vendors import vendor_file_stem

SCHEMA_ID = f"https://analyser.local/schema/document-report-{SCHEMA_VERSION}.json"
VENDOR_SCHEMA_ID = f"https://analyser.local/schema/vendor-profile-{VENDOR_SCHEMA_VERSION}.json"


def report_schema() -> dict[str, Any]:
    """The JSON Schema of a document report, generated from the pydantic types."""
    schema = DocumentReport.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def vendor_schema() -> dict[str, Any]:
    """The JSON Schema of a vendor profile (DIR/vendors/<vendor>.json)."""
    schema = VendorProfile.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": VENDOR_SCHEMA_ID, **schema}


def report_json(report: DocumentReport) -> str:
    """The report as pretty, stable JSON (keys in schema order, UTF-8 kept readable)."""
    return json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def safe_stem(name: str) -> str:
    """A file-name stem that cannot escape the output folder or carry control characters."""
    return safe_name(Path(name).stem if Path(name).suffix else Path(name).name)


def safe_name(text: str) -> str:
    """`text` made safe as a file name: no separators or control characters, no leading dot, bounded."""
    stem = re.sub(r"[\x00-\x1f\x7f/\\]+", "_", text).strip(". ") or "document"
    # Bounded in UTF-8 bytes, not characters: file systems allow 255 bytes, and the atomic writer adds a
    # prefix and suffix to its temporary name (150 CJK characters would be 450 bytes and fail the batch).
    return stem.encode()[:150].decode(errors="ignore")


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Read once at import (os.umask is process-wide, so never toggle it while threads write files).
_UMASK = _current_umask()


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside `path`; when the block succeeds it replaces `path` in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp's 0600 would hide reports from colleagues sharing the folder
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, text: str) -> None:
    """Write text so that a crash leaves either the old file or the new one, never half of one."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_report(report: DocumentReport, out_dir: Path, stem: str | None = None) -> Path:
    """Write DIR/<stem>.json for one document and return its path."""
    path = out_dir / f"{stem or safe_stem(report.document)}.json"
    write_atomic(path, report_json(report))
    return path


def write_report_if_changed(report: DocumentReport, out_dir: Path, stem: str) -> Path:
    """Write DIR/<stem>.json unless it already holds exactly this report (a cached rerun touches nothing)."""
    path = out_dir / f"{stem}.json"
    text = report_json(report)
    try:
        if path.read_text(encoding="utf-8") == text:
            return path
    except (OSError, UnicodeDecodeError):
        pass
    write_atomic(path, text)
    return path


def vendor_json(profile: VendorProfile) -> str:
    """A vendor profile as pretty, stable JSON."""
    return json.dumps(profile.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def vendor_files(profiles: list[VendorProfile]) -> dict[str, str]:
    """The file name of each vendor's profile ("GitHub, Inc." -> "GitHub-Inc.json"), unique per batch."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for profile in profiles:
        stem, number = vendor_file_stem(profile.vendor), 2
        candidate = stem
        while candidate.casefold() in used:
            candidate, number = f"{stem}-{number}", number + 1
        used.add(candidate.casefold())
        names[profile.vendor] = f"{candidate}.json"
    return names


def write_vendor_profiles(profiles: list[VendorProfile], vendors_dir: Path) -> list[Path]:
    """Write one JSON file per vendor and remove profiles of vendors this batch no longer has."""
    names = vendor_files(profiles)
    written = []
    for profile in profiles:
        path = vendors_dir / names[profile.vendor]
        write_atomic(path, vendor_json(profile))
        written.append(path)
    for stale in vendors_dir.glob("*.json"):
        if stale not in written:
            stale.unlink(missing_ok=True)
    return written
