"""Domain types shared by the pipeline stages.

Offsets: a `Document` has one text, the pages joined by `PAGE_SEPARATOR`. Every
character offset in the analyser (chunks, evidence) is an offset into that text, and
`Document.page_at` maps any offset back to its 1-based page number.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

PAGE_SEPARATOR = "\n\n"

MediaType = Literal["pdf", "docx", "html", "markdown", "text"]


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a document: its 1-based number, repaired text and span in the document text."""

    number: int
    text: str
    char_start: int

    @property
    def char_end(self) -> int:
        """Offset just past the last character of this page in the document text."""
        return self.char_start + len(self.text)


@dataclass(frozen=True, slots=True)
class Document:
    """A document read from a file, with per-page text and provenance."""

    sha256: str
    source: str
    media_type: MediaType
    language: str
    pages: tuple[Page, ...]
    size_bytes: int
    warnings: tuple[str, ...] = ()
    text: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if not self.text and self.pages:
            object.__setattr__(self, "text", PAGE_SEPARATOR.join(p.text for p in self.pages))

    def page_at(self, offset: int) -> int:
        """Return the 1-based page number holding the character at `offset`."""
        if not self.pages:
            raise ValueError("document has no pages")
        starts = [p.char_start for p in self.pages]
        index = bisect.bisect_right(starts, offset) - 1
        return self.pages[max(index, 0)].number

    def page(self, number: int) -> Page:
        """Return the page with this 1-based number."""
        return self.pages[number - 1]


def build_pages(texts: list[str]) -> tuple[Page, ...]:
    """Number page texts from 1 and compute their offsets in the joined document text."""
    pages: list[Page] = []
    offset = 0
    for number, text in enumerate(texts, start=1):
        pages.append(Page(number=number, text=text, char_start=offset))
        offset += len(text) + len(PAGE_SEPARATOR)
    return tuple(pages)


@dataclass(frozen=True, slots=True)
class Chunk:
    """A contiguous span of the document text sent to retrieval and the model."""

    id: str
    page_start: int
    page_end: int
    char_start: int
    char_end: int
    text: str
    heading: str = ""


@dataclass(frozen=True, slots=True)
class ScoredChunk:
    """A chunk with its retrieval score for one query group."""

    chunk: Chunk
    score: float


# --- Extraction -------------------------------------------------------------------------
# Serialised types are pydantic models (frozen, no extra fields); their JSON Schema is
# published with the report.


MatchKind = Literal["exact", "normalized", "fuzzy"]
FactValue = str | int | bool | dict[str, str | None] | None
FactSource = Literal["model", "rules"]


class Evidence(BaseModel):
    """A verbatim quote located in the document: page, character span and how it matched.

    `char_start`/`char_end` are offsets in the document text (pages joined by
    PAGE_SEPARATOR); `document.text[char_start:char_end]` is the located passage.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    quote: str
    page: int
    char_start: int
    char_end: int
    match: MatchKind


class Fact(BaseModel):
    """One extracted value for one field, with the evidence it rests on.

    `field` uses the report's dotted names ("governing_law", "exit.deletion_days",
    "subprocessors"); `value` is already normalised (ISO codes, days, hours, booleans);
    `raw` keeps the wording the value came from ("vier Wochen", "without undue delay").
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str
    value: FactValue
    raw: str = ""
    evidence: tuple[Evidence, ...] = ()
    confidence: float = 0.5
    source: FactSource = "rules"
    chunk_id: str | None = None
    section: str = ""
    prompt_ref: str | None = None
    model_id: str | None = None


# --- Model answers ----------------------------------------------------------------------
# One pydantic model per field group. Their JSON Schema constrains the model's decoding, and
# property order is generation order: the quote comes before the value.


QuoteText = Annotated[str, Field(max_length=160)]


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Cited(_Answer):
    """A value with the quote that supports it; quote "" and value null mean "not stated"."""

    quote: QuoteText
    value: Annotated[str, Field(max_length=120)] | None


class CitedSubprocessor(_Answer):
    """One subprocessor as the model read it."""

    quote: QuoteText
    name: Annotated[str, Field(max_length=120)]
    country: Annotated[str, Field(max_length=60)] | None
    purpose: Annotated[str, Field(max_length=100)] | None


_NOT_STATED = Cited(quote="", value=None)


class PartiesAnswer(_Answer):
    provider_name: Cited = _NOT_STATED
    provider_country: Cited = _NOT_STATED


class LocationsAnswer(_Answer):
    storage: Annotated[list[Cited], Field(max_length=12)] = []
    remote_access: Annotated[list[Cited], Field(max_length=12)] = []


class LawAnswer(_Answer):
    governing_law: Cited = _NOT_STATED
    courts: Cited = _NOT_STATED


class SubprocessorsAnswer(_Answer):
    subprocessors: Annotated[list[CitedSubprocessor], Field(max_length=60)] = []
    notice_period: Cited = _NOT_STATED
    objection_right: Cited = _NOT_STATED


class KeyCustodyCited(_Answer):
    quote: QuoteText
    value: Literal["customer", "provider", "third_party", "not_stated"]


class SecurityAnswer(_Answer):
    transfer_mechanisms: Annotated[list[Cited], Field(max_length=6)] = []
    encryption_at_rest: Cited = _NOT_STATED
    key_custody: KeyCustodyCited = KeyCustodyCited(quote="", value="not_stated")
    breach_notification: Cited = _NOT_STATED


class ExitAnswer(_Answer):
    data_return: Cited = _NOT_STATED
    deletion_period: Cited = _NOT_STATED
    export_format: Cited = _NOT_STATED
    termination_assistance: Cited = _NOT_STATED


# The answer property that carries each report field, per group: the model is asked only
# for the fields still open, which keeps its (slow) output short.
ANSWER_FIELDS: dict[str, dict[str, str]] = {
    "parties": {"provider.name": "provider_name", "provider.country": "provider_country"},
    "locations": {"storage_locations": "storage", "remote_access_locations": "remote_access"},
    "law": {"governing_law": "governing_law", "courts": "courts"},
    "subprocessors": {
        "subprocessors": "subprocessors",
        "subprocessor_change_notice_days": "notice_period",
        "subprocessor_objection_right": "objection_right",
    },
    "security": {
        "transfer_mechanisms": "transfer_mechanisms",
        "encryption_at_rest": "encryption_at_rest",
        "key_custody": "key_custody",
        "breach_notification_hours": "breach_notification",
    },
    "exit": {
        "exit.data_return": "data_return",
        "exit.deletion_days": "deletion_period",
        "exit.export_format": "export_format",
        "exit.termination_assistance": "termination_assistance",
    },
}


def answer_schema(group: str, properties: Sequence[str]) -> dict[str, object]:
    """The JSON Schema of a group's answer restricted to some of its properties, all required."""
    schema = ANSWER_TYPES[group].model_json_schema()
    schema["properties"] = {k: v for k, v in schema["properties"].items() if k in properties}
    for value in schema["properties"].values():
        value.pop("default", None)
    schema["required"] = [k for k in schema["properties"]]
    return schema


ANSWER_TYPES: dict[str, type[_Answer]] = {
    "parties": PartiesAnswer,
    "locations": LocationsAnswer,
    "law": LawAnswer,
    "subprocessors": SubprocessorsAnswer,
    "security": SecurityAnswer,
    "exit": ExitAnswer,
}


# --- Report -----------------------------------------------------------------------------
# The per-document JSON. Its top level carries exactly the fields of the evaluation gold
# schema, then what a reviewer needs: per-field confidence, candidates, warnings, run info.

SCHEMA_VERSION = "1.0"
KeyCustody = Literal["customer", "provider", "third_party", "not_stated"]
Status = Literal["ok", "partial", "failed"]
JsonScalar = str | int | bool | None


class Provider(BaseModel):
    """The provider's legal entity and the ISO code of its seat."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = None
    country: str | None = None


class SubProcessor(BaseModel):
    """A subprocessor as stated: name as written, country code, purpose, and the page it is on."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    country: str | None = None
    purpose: str | None = None
    page: int | None = None


class ExitTerms(BaseModel):
    """What happens to the data at the end of the contract."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    data_return: bool | None = None
    deletion_days: int | None = None
    export_format: str | None = None
    termination_assistance: bool | None = None


class Candidate(BaseModel):
    """One value the document gives for a field, and whether it was chosen."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: JsonScalar | dict[str, str | None]
    raw: str = ""
    quote: str
    page: int
    section: str = ""
    source: FactSource = "rules"
    chosen: bool = False


class FieldReview(BaseModel):
    """What a reviewer needs for one field: status, confidence, evidence, rivals and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: Literal["found", "not_stated"]
    confidence: float = 0.0
    raw: str = ""
    evidence: tuple[Evidence, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    reason: str = ""


class RunInfo(BaseModel):
    """How the result was produced, for reproducibility and cost accounting."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    analyser_version: str
    backend: str
    strategy: str
    model_id: str | None = None
    model_sha256: str | None = None
    embedder_id: str | None = None
    prompt_versions: dict[str, str] = Field(default_factory=dict)
    model_calls: int = 0
    tokens_read: int = 0
    tokens_cached: int = 0
    tokens_generated: int = 0
    seconds: dict[str, float] = Field(default_factory=dict)
    started_at: str = ""


ReviewAction = Literal["accept", "correct", "reject"]
ReviewValue = JsonScalar | list[str] | list[dict[str, str | int | None]]


class ReviewDecision(BaseModel):
    """One reviewer decision on one field, kept in the report's audit trail.

    `original` is the value the analyser gave, `value` the value after the decision (the same
    for accept, empty for reject); `decided_at` is an ISO 8601 UTC time.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str
    action: ReviewAction
    original: ReviewValue = None
    value: ReviewValue = None
    note: str = ""
    reviewer: str
    decided_at: str


class DocumentReport(BaseModel):
    """Everything the analyser found in one document."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: str = SCHEMA_VERSION
    document: str
    sha256: str = ""
    language: str = "unknown"
    media_type: str = ""
    pages: int = 0
    status: Status = "ok"
    errors: tuple[str, ...] = ()
    provider: Provider = Provider()
    storage_locations: tuple[str, ...] = ()
    remote_access_locations: tuple[str, ...] = ()
    governing_law: str | None = None
    courts: str | None = None
    subprocessors: tuple[SubProcessor, ...] = ()
    subprocessor_change_notice_days: int | None = None
    subprocessor_objection_right: bool | None = None
    transfer_mechanisms: tuple[str, ...] = ()
    key_custody: KeyCustody = "not_stated"
    encryption_at_rest: bool | None = None
    breach_notification_hours: int | None = None
    exit: ExitTerms = ExitTerms()
    evidence: dict[str, tuple[Evidence, ...]] = Field(default_factory=dict)
    facts: dict[str, FieldReview] = Field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    risk: Risk | None = None
    run: RunInfo | None = None
    # Reviewer decisions in the order they were made; the values above already include them.
    review: tuple[ReviewDecision, ...] = ()


# --- Vendor profiles --------------------------------------------------------------------
# A batch groups documents by vendor (sub-folder, --vendor-map or the provider they name) and
# merges their facts. Every value keeps the document and page it comes from.

VENDOR_SCHEMA_VERSION = "1.0"
VendorGrouping = Literal["folder", "map", "provider", "document"]


class SourcedValue(BaseModel):
    """One document's value for a field, where it stands there, and whether the profile uses it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: JsonScalar | tuple[str, ...]
    document: str
    report: str
    page: int | None = None
    quote: str = ""
    confidence: float = 0.0
    chosen: bool = False


class VendorSubProcessor(BaseModel):
    """A subprocessor of the vendor, with the document and page that names it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    country: str | None = None
    purpose: str | None = None
    document: str
    report: str
    page: int | None = None
    quote: str = ""


class VendorDocument(BaseModel):
    """One document of the vendor and its report file in the output folder."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    document: str
    report: str
    sha256: str = ""
    status: Status = "ok"
    pages: int = 0
    errors: tuple[str, ...] = ()
    risk_level: RiskLevel | None = None  # the document's own overall level, when assessed


class VendorProfile(BaseModel):
    """Everything known about one vendor across its documents; `sources` shows where each value comes from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: str = VENDOR_SCHEMA_VERSION
    vendor: str
    grouped_by: VendorGrouping
    documents: tuple[VendorDocument, ...]
    provider: Provider = Provider()
    storage_locations: tuple[str, ...] = ()
    remote_access_locations: tuple[str, ...] = ()
    governing_law: str | None = None
    courts: str | None = None
    subprocessors: tuple[VendorSubProcessor, ...] = ()
    subprocessor_change_notice_days: int | None = None
    subprocessor_objection_right: bool | None = None
    transfer_mechanisms: tuple[str, ...] = ()
    key_custody: KeyCustody = "not_stated"
    encryption_at_rest: bool | None = None
    breach_notification_hours: int | None = None
    exit: ExitTerms = ExitTerms()
    sources: dict[str, tuple[SourcedValue, ...]] = Field(default_factory=dict)
    conflicts: tuple[str, ...] = ()
    # The merged terms assessed as one contract (a DPA silent on the law the MSA states is no gap),
    # and for each finding the documents its quotes come from.
    risk: Risk | None = None
    finding_documents: dict[str, tuple[str, ...]] = Field(default_factory=dict)


# --- Risk assessment --------------------------------------------------------------------
# Computed from a report's facts alone (analyser.risk.assess), so a reviewer's corrections
# and batch runs can recompute it. English texts are the default; Dutch ones sit beside them.

RiskLevel = Literal["low", "medium", "high", "unknown"]
Severity = Literal["low", "medium", "high"]
RiskDimension = Literal["geographic", "jurisdiction", "key_custody", "subprocessors", "exit", "incident"]
RISK_DIMENSIONS: tuple[RiskDimension, ...] = (
    "geographic",
    "jurisdiction",
    "key_custody",
    "subprocessors",
    "exit",
    "incident",
)
# risk: something the text says is a problem; not_stated: the text is silent where the law
# expects an answer; mitigation: something the text says lowers the risk.
FindingKind = Literal["risk", "not_stated", "mitigation"]
SealLevel = Literal["SEAL-0", "SEAL-1", "SEAL-2", "SEAL-3", "SEAL-4"]
SovereigntyObjective = Literal["SOV-2", "SOV-3", "SOV-4"]


class LegalBasis(BaseModel):
    """One legal source a finding rests on: the instrument and the article or section."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    instrument: str
    article: str = ""

    def cite(self) -> str:
        """The citation as one line, e.g. "GDPR Art. 28(2)"."""
        return f"{self.instrument} {self.article}".strip()


class FindingEvidence(BaseModel):
    """A quote (with its page) that a finding rests on, and the report field it supports."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    quote: str
    page: int
    field: str


class Finding(BaseModel):
    """One fired risk rule: what is wrong, why it matters legally, what to do, and the quotes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule_id: str
    dimension: RiskDimension
    severity: Severity
    kind: FindingKind = "risk"
    title: str
    legal_basis: tuple[LegalBasis, ...]
    explanation: str
    action: str
    evidence: tuple[FindingEvidence, ...] = ()
    fields: tuple[str, ...] = ()
    title_nl: str = ""
    explanation_nl: str = ""
    action_nl: str = ""


class DimensionRisk(BaseModel):
    """The level of one risk dimension, explained in one sentence."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    level: RiskLevel
    explanation: str
    explanation_nl: str = ""


class ObjectiveIndication(BaseModel):
    """The indicative SEAL level for one sovereignty objective, with the reason."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    objective: SovereigntyObjective
    name: str
    level: SealLevel
    reason: str
    reason_nl: str = ""


class SovereigntyIndication(BaseModel):
    """An indicative EU Cloud Sovereignty Framework level read from the contract text (not a certification)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    level: SealLevel
    objectives: tuple[ObjectiveIndication, ...]
    label: str
    label_nl: str = ""


class PolicyRef(BaseModel):
    """Which organisation policy the risk was assessed against (name and sha256 of its TOML)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    sha256: str
    data_classification: str


class Risk(BaseModel):
    """The risk summary of one document: levels per dimension, findings, sovereignty indication."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    overall: RiskLevel
    overall_explanation: str
    overall_explanation_nl: str = ""
    dimensions: dict[RiskDimension, DimensionRisk]
    sovereignty_level: SealLevel
    sovereignty: SovereigntyIndication
    findings: tuple[Finding, ...] = ()
    policy: PolicyRef


DocumentReport.model_rebuild()
VendorProfile.model_rebuild()
