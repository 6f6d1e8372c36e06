"""Write reports: per-document JSON (atomic) and the published JSON Schema."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from analyser.types import SCHEMA_VERSION, DocumentReport

SCHEMA_ID = f"https://analyser.local/schema/document-report-{SCHEMA_VERSION}.json"


def report_schema() -> dict[str, Any]:
    """The JSON Schema of a document report, generated from the pydantic types."""
    schema = DocumentReport.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def report_json(report: DocumentReport) -> str:
    """The report as pretty, stable JSON (keys in schema order, UTF-8 kept readable)."""
    return json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def safe_stem(name: str) -> str:
    """A file-name stem that cannot escape the output folder or carry control characters."""
    stem = Path(name).stem if Path(name).suffix else Path(name).name
    stem = re.sub(r"[\x00-\x1f\x7f/\\]+", "_", stem).strip(". ") or "document"
    return stem[:150]


def write_atomic(path: Path, text: str) -> None:
    """Write text so that a crash leaves either the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_report(report: DocumentReport, out_dir: Path, stem: str | None = None) -> Path:
    """Write DIR/<stem>.json for one document and return its path."""
    path = out_dir / f"{stem or safe_stem(report.document)}.json"
    write_atomic(path, report_json(report))
    return path
