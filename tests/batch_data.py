"""Small vendor folders for the batch, export and diff tests, written as Markdown the rules backend reads."""

from __future__ import annotations

from pathlib import Path

DPA = """# Data Processing Agreement

{provider} ("Provider") stores Customer Personal Data only in data centres in {storage}.

## Governing law

This Agreement is governed by the laws of {law}.

Reference: {marker}
"""

SUBPROCESSORS = """# {provider}: subprocessor list

{provider} uses the following subprocessors to provide the Service.

| Subprocessor | Purpose | Location |
|---|---|---|
{rows}

Reference: {marker}
"""


def subprocessor_list(provider: str, rows: list[tuple[str, str, str]], marker: str = "v1") -> str:
    """A subprocessor list as a Markdown table: (name, purpose, country name) per row."""
    table = "\n".join(f"| {name} | {purpose} | {country} |" for name, purpose, country in rows)
    return SUBPROCESSORS.format(provider=provider, rows=table, marker=marker)


ACME_SUBPROCESSORS = [
    ("Hetzner Online GmbH", "Hosting", "Germany"),
    ("Mailgun Technologies Inc.", "Transactional email", "United States"),
    ("Zendesk Inc.", "Customer support", "Ireland"),
]


def vendor_tree(root: Path) -> Path:
    """suppliers/acme/{dpa,subprocessors}.md, suppliers/globex/dpa.md, a broken PDF and an unsupported file."""
    suppliers = root / "suppliers"
    (suppliers / "acme").mkdir(parents=True)
    (suppliers / "globex").mkdir()
    (suppliers / "acme" / "dpa.md").write_text(
        DPA.format(provider="Acme Cloud B.V.", storage="the Netherlands", law="the Netherlands", marker="acme-dpa")
    )
    (suppliers / "acme" / "subprocessors.md").write_text(subprocessor_list("Acme Cloud B.V.", ACME_SUBPROCESSORS))
    (suppliers / "globex" / "dpa.md").write_text(
        DPA.format(provider="Globex GmbH", storage="Germany", law="Germany", marker="globex-dpa")
    )
    (suppliers / "broken.pdf").write_bytes(b"%PDF-1.7 truncated")
    (suppliers / "notes.xyz").write_text("not a document")
    return suppliers


def many_documents(folder: Path, count: int) -> Path:
    """`count` distinct small DPAs in two vendor folders (distinct bytes, so distinct cache keys)."""
    for number in range(count):
        vendor = folder / ("north" if number % 2 else "south")
        vendor.mkdir(parents=True, exist_ok=True)
        text = DPA.format(provider="North Data B.V.", storage="Belgium", law="Belgium", marker=f"doc-{number}")
        (vendor / f"dpa_{number:03d}.md").write_text(text * 20)
    return folder
