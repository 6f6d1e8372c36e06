"""Rules-only extraction (`--backend rules`): deterministic EN/NL/DE patterns and lexicons, no model.

This is the fast mode and the baseline the model path must beat. Every fact comes from one sentence,
table row or party definition of the document and carries that span verbatim as its evidence.
Nothing here resolves conflicts: the body's 72 hours and the annex's 24 hours are both emitted, each
with the heading it sits under (`Fact.section`), and the merge stage applies the order of precedence.

The patterns are the ordinary wording of DPAs, MSAs, subprocessor lists and security pages in
English, Dutch and German; none exists because one particular document uses it.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from analyser.normalise import (
    EEA_MEMBERS,
    REGION_TOKENS,
    countries_in,
    days,
    hours,
    jurisdiction,
    number,
    to_country,
    transfer_mechanisms,
)
from analyser.types import Document, Evidence, Fact

log = logging.getLogger(__name__)

SectionKind = Literal["amendment", "annex", "body"]
FactValue = str | int | bool | dict[str, str | None] | None
Role = Literal["provider", "customer", "other"]

# =====================================================================================================
# Vocabulary shared by several fields.
# =====================================================================================================

_SUBPROCESSOR = (
    r"sub-?processors?|sub-?processing|sub-?processor's|subverwerkers?|sub-?verwerkers?|"
    r"unterauftragsverarbeiter\w*|unterauftragnehmer\w*|subunternehmer\w*|sub-?contractors?|onderaannemers?|"
    r"weitere[nr]? auftragsverarbeiter\w*"
)
_SUBPROCESSOR_RE = re.compile(rf"\b(?:{_SUBPROCESSOR})\b", re.I)
_NEGATION_RE = re.compile(
    r"\b(?:not|never|no longer|neither|nor|niet|geen|nooit|nicht|kein\w*|niemals|nie)\b|n't\b", re.I
)
_TERMINATION_RE = re.compile(
    r"\b(?:terminat\w*|expir\w*|end of (?:the |this |its )?(?:\w+ ){0,2}(?:agreement|term|contract|services?|"
    r"subscription|period|relationship)|after the end|exit|off-?boarding|cessation|beëindig\w*|einde van|"
    r"afloop|opzegging|beendigung|vertragsende|kündigung|ende des|nach ende|ablauf|laufzeitende|"
    r"(?:agreement|contract|overeenkomst|vertrag)\s+(?:\w+\s+){0,3}?(?:ends?|ended|eindigt|endet))\b",
    re.I,
)
_OUTSIDE_RE = re.compile(r"\b(?:outside|buiten|außerhalb|ausserhalb)\b(?: of)?", re.I)
_SUPERVISORY_RE = re.compile(
    r"supervisory authorit\w*|data protection authorit\w*|autoriteit persoonsgegevens|toezichthoud\w*|"
    r"aufsichtsbehörde\w*|datenschutzbehörde\w*|regulator\w*",
    re.I,
)

# A legal form closing an entity name ("GitHub, Inc.", "Nordlys Cloud AS", "Support Solutions s.r.o.").
_LEGAL_FORM = (
    r"Inc\.?|Incorporated|L\.?L\.?C\.?|LLP|L\.?P\.|Ltd\.?|Limited|Pty\.?(?: Ltd\.?)?|Corp\.?|Corporation|"
    r"Co\.|Company|PBC|plc|PLC|ULC|GmbH(?: & Co\.? KG)?|gGmbH|AG|KG|KGaA|SE|UG|e\.V\.|B\.V\.|BV|N\.V\.|NV|"
    r"mbB|PartG|GbR|OHG|e\.K\.|eG|S\.A\.R\.L\.|SARL|S\.à r\.l\.|Sàrl|SAS|S\.A\.S\.|S\.A\.|SA|S\.p\.A\.|SpA|"
    r"S\.r\.l\.|Srl|S\.L\.|SL|EOOD|OOD|EAD|Lda\.?|Ltda\.?|s\.r\.o\.|a\.s\.|[Ss]p\. z o\.o\.|ApS|A/S|"
    r"AS|ASA|AB|Oy|Oyj|K\.K\.|"
    r"d\.o\.o\.|Kft\.?|Zrt\.?|OÜ|UAB|SIA"
)
_LEGAL_FORM_RE = re.compile(rf"(?:,?\s+)(?:{_LEGAL_FORM})(?=[\s,;:)(]|$)")
_LEGAL_ONLY = re.compile(rf"^(?:Private\s+|Public\s+)?(?:{_LEGAL_FORM})(?:,?\s*(?:{_LEGAL_FORM}))*(?=[\s,;:)(]|$)")

# Words that open a sentence but never an entity name.
_NOT_A_NAME = frozenset(
    "a an the this that these those our we your you their it its if in on for to by of and or with any all "
    "each every see note where when which who customer customers provider supplier processor controller "
    "data personal if however please such some other de het een deze die dit der das ein eine wir sie "
    "verwerker kunde anbieter".split()
)

_LEADING_STOPWORDS = re.compile(rf"(?:(?:{'|'.join(sorted(_NOT_A_NAME))})\s+)*", re.I)

# =====================================================================================================
# Lines, sentences and headings.
# =====================================================================================================


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the document text, stripped, with its span."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence, clause or table row of the document text, with its span; `text` has single spaces."""

    start: int
    end: int
    text: str


def split_lines(text: str) -> list[Line]:
    """Every line of the text (blank ones included), stripped, with offsets into `text`."""
    lines: list[Line] = []
    offset = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        lines.append(Line(offset + lead, offset + lead + len(stripped), stripped))
        offset += len(raw) + 1
    return lines


_CONTAINER_WORDS = (
    r"Annex|Schedule|Exhibit|Appendix|Attachment|Bijlage|Aanhangsel|Anlage|Anhang|"
    r"ANNEX|SCHEDULE|EXHIBIT|APPENDIX|ATTACHMENT|BIJLAGE|ANLAGE|ANHANG"
)
_IDENT = r"(?:No\.?\s*|Nr\.?\s*|Number\s+|#\s*)?(?:\d+[A-Za-z]?|[IVXLC]+|[A-Z])(?:\.\d+)*"
_ORDINAL = r"First|Second|Third|Fourth|Fifth|Eerste|Tweede|Derde|Vierde|Erste[rs]?|Zweite[rs]?|Dritte[rs]?"
# "Annex A – Sub-processors", "Bijlage 2", and without a number "Bijlage – Subverwerkers".
_ANNEX_HEAD = re.compile(rf"^(?:{_CONTAINER_WORDS})(?:\s+{_IDENT}\b|(?=\s*[–—:-]\s*\S))(?P<rest>.*)$")
_AMENDMENT_HEAD = re.compile(
    rf"^(?:(?:Amendment|AMENDMENT|Wijziging|WIJZIGING|Änderung|ÄNDERUNG|Änderungsvereinbarung|Nachtrag|NACHTRAG)\s+"
    rf"(?:No\.?\s*|NO\.?\s*|Nr\.?\s*|Number\s+|#\s*)?\d+\b|(?:Addendum|ADDENDUM)\s+(?:No\.?|NO\.?|Nr\.?)\s*\d+\b"
    rf"|(?:{_ORDINAL})\s+(?:Amendment|[Ww]ijziging|Änderung|Nachtrag)\b|\d+\.\s*Nachtrag\b)(?P<rest>.*)$"
)
_KEYWORD_HEAD = re.compile(
    r"^(?:Article|Artikel|Section|Sectie|Clause|Klausel|Ziffer|Part|Deel|Teil|§)\s*\d+[a-z]?(?:\.\d+)*\.?(?P<rest>.*)$"
)
_NUMBER_HEAD = re.compile(
    r"^(?:\d{1,2}\.|\d{1,2}(?:\.\d{1,2}){1,3}\.?|[A-Z]\.(?:\d{1,2}(?:\.\d{1,2}){0,2}\.?)?)\s+(?P<rest>\S.*)$"
)
_FUNCTION_WORD_END = re.compile(
    r"\b(?:and|or|of|the|to|in|for|with|by|a|an|via|per|from|on|at|through|en|de|het|van|voor|met|bij|naar|op|"
    r"uit|door|und|oder|der|die|das|des|den|für|mit|von|zu|zur|zum|am|im|bei|über|aus|nach)$",
    re.I,
)
# A title names a topic; a clause says something ("1.1 Provider shall delete ...").
_FINITE_VERB = re.compile(
    r"\b(?:shall|will|may|must|is|are|was|were|has|have|can|should|does|do|zal|zullen|kan|kunnen|moet|wordt|worden|"
    r"heeft|hebben|wird|werden|kann|können|muss|hat|haben|sind|ist)\b",
    re.I,
)
_ITEM_START = re.compile(
    r"^(?:\(?\d{1,2}(?:\.\d{1,2})*[.)]?\s|\(?[a-z]{1,2}[.)]\s|\([ivx]+\)\s|[A-Z]\.\d+(?:\.\d+)*\.?\s|"
    r"[A-Z]\.\s|[•·▪◦\-–*]\s|§\s*\d)"
)
_TERMINAL = ".:;!?"


def _heading_rest_ok(rest: str, max_words: int) -> bool:
    """Whether the words after a heading's number read as a title, not as running text."""
    rest = rest.strip()
    if not rest:
        return True
    if rest[0] in "–—-:.":
        rest = rest[1:].strip()
    if not rest:
        return True
    words = rest.split()
    if len(words) > max_words or rest.endswith((",", ";")) or _FUNCTION_WORD_END.search(rest):
        return False
    first = words[0].lstrip("(\"'“„")
    return not first or first[0].isupper() or first[0].isdigit() or first.lower() in ("to", "zu", "bij", "van")


def container_heading(line: str) -> bool:
    """Whether a line opens an annex, schedule, appendix or amendment ("Annex A – Sub-processors")."""
    match = _ANNEX_HEAD.match(line) or _AMENDMENT_HEAD.match(line)
    return bool(match) and len(line) <= 100 and _heading_rest_ok(match.group("rest") if match else "", 14)


def clause_heading(line: str) -> bool:
    """Whether a line is a clause heading ("Artikel 3 – Locatie", "§ 5 Unterauftragsverhältnisse", "7. Exit")."""
    keyword = _KEYWORD_HEAD.match(line)
    if keyword:
        return len(line) <= 100 and _heading_rest_ok(keyword.group("rest"), 12)
    numbered = _NUMBER_HEAD.match(line)
    if not numbered or len(line) > 64:
        return False
    rest = numbered.group("rest").strip()
    words = rest.split()
    if len(words) > 8 or not rest[0].isupper() or "." in rest.rstrip(".") or rest.endswith((",", ";", ":")):
        return False
    if rest.endswith(".") and len(words) > 5:
        return False
    return not _FUNCTION_WORD_END.search(rest) and not _FINITE_VERB.search(rest)


def section_kind(section: str) -> SectionKind:
    """Classify the heading a fact sits under as amendment, annex or body (the merge stage's precedence)."""
    if _AMENDMENT_HEAD.match(section):
        return "amendment"
    if _ANNEX_HEAD.match(section):
        return "annex"
    return "body"


@dataclass(frozen=True, slots=True)
class Sections:
    """The headings of a document, to name the section any offset falls in."""

    starts: tuple[int, ...]
    titles: tuple[str, ...]
    containers: tuple[bool, ...]

    def at(self, offset: int) -> str:
        """The annex/schedule/amendment a span sits in, else the nearest heading before it."""
        index = bisect.bisect_right(self.starts, offset) - 1
        for position in range(index, -1, -1):
            if self.containers[position]:
                return self.titles[position]
        return self.titles[index] if index >= 0 else ""


def find_sections(lines: list[Line]) -> Sections:
    """Collect the heading lines (a heading is never followed by a line that continues it in lower case)."""
    starts: list[int] = []
    titles: list[str] = []
    containers: list[bool] = []
    for index, line in enumerate(lines):
        following = lines[index + 1].text if index + 1 < len(lines) else ""
        if not line.text or (following[:1].islower()):
            continue
        container = container_heading(line.text)
        if container or clause_heading(line.text):
            starts.append(line.start)
            titles.append(line.text)
            containers.append(container)
    return Sections(tuple(starts), tuple(titles), tuple(containers))


def _is_heading(text: str) -> bool:
    return container_heading(text) or clause_heading(text)


def _typical_width(lines: list[Line]) -> int:
    """The width a wrapped PDF line reaches (90th percentile of non-blank line lengths)."""
    widths = sorted(len(line.text) for line in lines if line.text)
    return widths[int(len(widths) * 0.9)] if widths else 80


def _ends_block(line: Line, following: Line, width: int) -> bool:
    """Whether a wrapped (PDF/text) line ends its paragraph before `following`."""
    if not following.text or not line.text or " | " in line.text or " | " in following.text:
        return True
    if (_is_heading(line.text) and not following.text[:1].islower()) or _is_heading(following.text):
        return True
    if _ITEM_START.match(following.text) and _opens_item(line.text, following.text, width):
        return True
    # A short line without closing punctuation followed by a capital is a title ("Hosting infrastructure").
    short = len(line.text) < 0.6 * width and line.text[-1] not in _TERMINAL + ","
    return short and following.text[:1].isupper() and not _FUNCTION_WORD_END.search(line.text)


def _opens_item(line: str, following: str, width: int) -> bool:
    """Whether a line that starts like a list item ("(3) ", "2.1 ", "b. ") really opens one.

    PDF lines also wrap right before "(30) days" or "3 years", so a number only opens an item
    after a finished line, or (when it has a dot, "2.1") before a capitalised word.
    """
    marker = _ITEM_START.match(following)
    if marker is None:
        return False
    finished = line[-1] in _TERMINAL or len(line) < 0.6 * width or _is_heading(line)
    token = marker.group(0).strip()
    if token[:1] in "•·▪◦-–*§":
        return True
    if re.fullmatch(r"\(?[a-z]{1,2}[.)]|\([ivx]+\)", token):
        return finished
    if token.startswith("("):
        last_word = line.split()[-1] if line.split() else ""
        return finished and number(last_word) is None
    after = following[marker.end() :].lstrip()
    return finished or ("." in token and after[:1].isupper())


_ABBREVIATIONS = frozenset(
    "e.g i.e etc inc ltd no nr art abs dr mr ms mrs st vs bzw z.b ca resp incl co corp cf sec civ cal u.s "
    "approx para p pp vol jr sr fig ggf usw evt bijv o.a m.b.t i.v.m cq lit nos ff vgl".split()
)


def _sentence_cuts(block: str) -> Iterator[int]:
    """Offsets in a block where a new sentence starts."""
    for match in re.finditer(r"[.!?;]['\"”’)]?\s+", block):
        following = block[match.end() : match.end() + 1]
        if match.group(0)[0] != ";" and not (following.isupper() or following.isdigit() or following in '"“„(§'):
            continue
        if match.group(0)[0] == ".":
            word = re.search(r"(\S+)\.['\"”’)]?\s+$", block[max(0, match.start() - 20) : match.end()])
            token = word.group(1).lower().strip("(\"'“") if word else ""
            token = token.rsplit("-", 1)[-1]  # "EU-U.S."
            if token in _ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)+[a-z]?|[a-z]", token):
                continue
        yield match.end()


def split_sentences(document: Document, lines: list[Line] | None = None) -> list[Sentence]:
    """Sentences and table rows with their spans; wrapped PDF lines are joined into their sentence."""
    lines = lines if lines is not None else split_lines(document.text)
    wrapped = document.media_type in ("pdf", "text")
    width = _typical_width(lines)
    sentences: list[Sentence] = []
    block_start: int | None = None
    for index, line in enumerate(lines):
        if not line.text:
            continue
        if block_start is None:
            block_start = line.start
        following = lines[index + 1] if index + 1 < len(lines) else Line(line.end, line.end, "")
        if not wrapped or _ends_block(line, following, width):
            sentences.extend(_block_sentences(document.text, block_start, line.end))
            block_start = None
    return sentences


def _block_sentences(text: str, start: int, end: int) -> Iterator[Sentence]:
    block = text[start:end]
    previous = 0
    for cut in [*_sentence_cuts(block), len(block)]:
        piece = block[previous:cut]
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            # Matched on one line: a PDF line break inside "personal data\nbreach" is only layout.
            yield Sentence(start + previous + lead, start + previous + lead + len(stripped), " ".join(stripped.split()))
        previous = cut


# =====================================================================================================
# Evidence and facts.
# =====================================================================================================


def evidence_at(document: Document, start: int, end: int) -> Evidence:
    """Evidence for `document.text[start:end]`, trimmed of surrounding whitespace: its quote is verbatim."""
    text = document.text
    start, end = max(0, start), min(end, len(text))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Evidence(quote=text[start:end], page=document.page_at(start), char_start=start, char_end=end, match="exact")


@dataclass(frozen=True, slots=True)
class Party:
    """A contract party from its definition block ("NAME, address ... ("Supplier")")."""

    name: str
    terms: tuple[str, ...]
    role: Role
    start: int
    end: int
    name_start: int


@dataclass
class _Context:
    """What every field extractor reads, and the facts they add."""

    document: Document
    lines: list[Line]
    sentences: list[Sentence]
    sections: Sections
    parties: list[Party] = field(default_factory=list)
    provider_words: re.Pattern[str] = field(default_factory=lambda: re.compile(r"(?!)"))
    customer_words: re.Pattern[str] = field(default_factory=lambda: re.compile(r"(?!)"))
    claimed: list[tuple[int, int]] = field(default_factory=list)  # table rows: not read as sentences
    facts: list[Fact] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The document text."""
        return self.document.text

    def add(self, name: str, value: FactValue, raw: str, span: tuple[int, int], confidence: float) -> None:
        """Record one fact whose evidence is the document text over `span`."""
        evidence = evidence_at(self.document, *span)
        if not evidence.quote:
            return
        self.facts.append(
            Fact(
                field=name,
                value=value,
                raw=raw.strip(),
                evidence=(evidence,),
                confidence=confidence,
                source="rules",
                section=self.sections.at(evidence.char_start),
            )
        )

    def is_claimed(self, sentence: Sentence) -> bool:
        """Whether a sentence overlaps a table row or party block already read on its own terms."""
        return any(sentence.start < end and start < sentence.end for start, end in self.claimed)

    def previous(self, sentence: Sentence) -> Sentence | None:
        """The sentence before this one, if it is close (same paragraph or the line above)."""
        index = bisect.bisect_left([s.start for s in self.sentences], sentence.start)
        if index == 0:
            return None
        before = self.sentences[index - 1]
        return before if sentence.start - before.end < 400 else None


# =====================================================================================================
# Parties and provider.
# =====================================================================================================

_PROVIDER_ROLES = frozenset(
    "supplier provider service provider processor data processor vendor contractor licensor verwerker "
    "opdrachtnemer leverancier dienstverlener auftragsverarbeiter auftragnehmer anbieter dienstleister "
    "lieferant data importer".split(" ")
) | {"service provider", "data processor", "data importer", "cloud provider"}
_CUSTOMER_ROLES = frozenset(
    "customer client controller licensee subscriber verwerkingsverantwoordelijke opdrachtgever klant afnemer "
    "verantwortlicher verantwortliche auftraggeber kunde".split()
) | {"data controller", "data exporter"}
_PROVIDER_WORDS = (
    r"supplier|provider|service provider|processor|data importer|vendor|contractor|licensor|(?-i:we|We|us)|verwerker|"
    r"opdrachtnemer|"
    r"leverancier|dienstverlener|auftragsverarbeiter[s]?|auftragnehmer[s]?|anbieter[s]?|dienstleister[s]?"
)
_CUSTOMER_WORDS = (
    r"customer|client|controller|data exporter|licensee|subscriber|verwerkingsverantwoordelijke|opdrachtgever|klant|"
    r"verantwortliche[nr]?|auftraggeber[s]?|kunde[n]?"
)
_QUOTED = r"[\"“„«'‘][^\"“”„«»'‘’\n]{1,40}[\"”“»'’]"
_QUOTED_TERM = re.compile(r"[\"“„«'‘]([^\"“”„«»'‘’\n]{1,40})[\"”“»'’]")
# ("Supplier"), (the "Customer"), ("Zephyr", "we" or "us"), hierna: "Verwerker", nachfolgend „Auftraggeber“.
_DEFINITION = re.compile(
    r"\(\s*(?:the\s+|hereinafter\s+(?:referred\s+to\s+as\s+)?|hereafter\s+|hierna\s*:?\s*(?:de\s+|het\s+)?)?"
    + _QUOTED
    + r"(?:\s*(?:,|or|and|of|en|oder|und|bzw\.?)\s*(?:the\s+|de\s+|der\s+)?"
    + _QUOTED
    + r"){0,3}\s*\)"
    r"|(?:hierna(?:\s+\w+){0,2}?(?:\s+te\s+noemen)?|hereinafter(?:\s+referred\s+to\s+as)?|nachfolgend|nachstehend|"
    r"im\s+Folgenden)\s*(?:[:–-]\s*)?(?:genannt\s+)?(?:de\s+|het\s+|the\s+|der\s+|die\s+|das\s+)?"
    r"[\"“„«'‘](?P<b>[^\"“”„«»'‘’\n]{1,40})[\"”“»'’]"
    # Unquoted roles in brackets: "Example Cloud B.V., Amsterdam (Processor)".
    r"|\((?:as\s+)?(?:the\s+)?(?-i:(?P<bare>Supplier|Provider|Service Provider|Processor|Data Processor|Controller|"
    r"Data Controller|Customer|Client|Vendor|Licensor|Licensee|Verwerker|Verwerkingsverantwoordelijke|Opdrachtgever|"
    r"Opdrachtnemer|Auftragsverarbeiter|Verantwortlicher|Auftraggeber|Auftragnehmer|Anbieter|Kunde))\)",
    re.I,
)
_PARTY_BOUNDARY = re.compile(
    r"\b(?:by and between|between|zwischen|tussen|ondergetekenden)\b\s*:?"
    r"|^\s*(?:Parties|Partijen|Parteien|Vertragsparteien|Contracting parties)\s*:?\s*$"
    r"|[)”\"]\s*[;,]\s*(?:and|en|und)?\s*$|[)”\"]\s*[;,]?\s*\b(?:and|en|und)\b\s*|;\s*(?:and|en|und)\s*$"
    r"|^\s*(?:and|en|und)(?:\s+(?:der|die|dem|the|de|het))?\s*$|^\s*\d\.\s+(?=\S)",
    re.I | re.M,
)
_ADDRESS_RE = re.compile(
    r"\b\d{4}\s?[A-Z]{2}\b|\b[A-Z]{2}\s\d{5}(?:-\d{4})?\b|\b\d{4,5}\s+[A-ZÄÖÜ][a-zäöüß]+|"
    r"\b[A-Z]\d{2}\s?[A-Z0-9]{4}\b|\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b"
)
_SEAT_WORDS = re.compile(
    r"registered office|with (?:its |their )?(?:registered )?offices? at|principal place of business|"
    r"incorporated (?:in|under)|headquartered|organi[sz]ation number|company number|chamber of commerce|"
    r"statutair gevestigd|gevestigd (?:te|aan)|kantoorhoudende|ingeschreven|handelsregister|mit sitz|"
    r"geschäftsanschrift|eingetragen|registergericht|kamer van koophandel",
    re.I,
)
# Company registers that place a company in one country (a fallback when the block names no country).
_REGISTERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Kamer van Koophandel|\bKvK\b"), "NL"),
    (re.compile(r"Amtsgericht\w*|\bHRB\s?\d"), "DE"),
    (re.compile(r"Firmenbuch\w*"), "AT"),
    (re.compile(r"Companies House|registered in England"), "GB"),
    (re.compile(r"Companies Registration Office"), "IE"),
    (re.compile(r"Kruispuntbank van Ondernemingen|Banque-Carrefour des Entreprises"), "BE"),
    (re.compile(r"Brønnøysund\w*|Foretaksregister\w*"), "NO"),
    (re.compile(r"Bolagsverket"), "SE"),
)
_TITLE_DOC_WORDS = re.compile(
    r"\b(?:sub-?processors?(?: list)?|subverwerkers?|unterauftragsverarbeiter\w*|privacy (?:policy|notice|statement)|"
    r"security(?: overview| policy| whitepaper| practices)?|data processing (?:agreement|addendum)|dpa|"
    r"terms(?: of service| and conditions)?|gdpr|trust cent(?:er|re)|cookie policy|privacyverklaring|"
    r"datenschutzerklärung)\b",
    re.I,
)


def _role(term: str) -> Role:
    folded = term.strip().casefold()
    if folded in _PROVIDER_ROLES:
        return "provider"
    if folded in _CUSTOMER_ROLES:
        return "customer"
    return "other"


def _name_like(name: str) -> bool:
    """Whether a phrase reads as a party name: short, capitalised, or closed by a legal form."""
    words = name.split()
    if not words or len(words) > 8 or not (words[0][0].isupper() or words[0][0].isdigit()):
        return False
    if words[0].lower().strip(",") in _NOT_A_NAME:
        return False
    if _LEGAL_FORM_RE.search(name):
        return True
    connectors = {"of", "the", "and", "&", "van", "de", "der", "für", "voor", "und", "en", "am", "an"}
    return all(w[0].isupper() or w[0].isdigit() or w.lower() in connectors for w in words)


_INLINE_NAME = re.compile(
    rf"(?P<name>(?:[A-Z0-9][\w&.'’-]*,?\s+){{0,5}}?[A-Z0-9][\w&.'’-]*(?:(?:,?\s+)(?:{_LEGAL_FORM}))?)\s*$"
)


def _party_from_definition(text: str, match: re.Match[str], previous_end: int) -> Party | None:
    terms = tuple(t.strip() for t in _QUOTED_TERM.findall(match.group(0))) or (match.group("bare"),)
    roles = {_role(t) for t in terms}
    role: Role = "provider" if "provider" in roles else "customer" if "customer" in roles else "other"
    window_start = max(previous_end, match.start() - 600)
    window = text[window_start : match.start()]
    boundaries = [m.end() for m in _PARTY_BOUNDARY.finditer(window)]
    if not boundaries and previous_end and window_start == previous_end:
        # Right after the other party's definition: "... ("Customer"), and CloudCo Inc., ..."
        joint = re.match(r"[\s;,–—-]*(?:(?:and|en|und)\b)?[\s:]*(?:(?:der|die|dem|the|de|het)\s+)?", window)
        boundaries = [joint.end()] if joint else []
    block_start = window_start + (boundaries[-1] if boundaries else 0)
    block = text[block_start : match.start()]
    lead = len(block) - len(block.lstrip())
    body = re.sub(r"^(?:\d+\.\s*|(?:der|die|dem|the|de|het)\s+)", "", block.strip())
    legal = _LEGAL_FORM_RE.search(body[:100])
    if legal and _name_like(body[: legal.end()]) and "\n" not in body[: legal.end()].strip():
        name = body[: legal.end()].strip()  # "Secoda, Inc.": the comma belongs to the name
    else:
        name = re.split(r",|\s\(|\s[–—-]\s|\n(?=[a-z])", body, maxsplit=1)[0].strip()
    name_start = block_start + lead + block.strip().find(name) if name else block_start
    if not boundaries or not _name_like(name) or len(block) > 500:
        inline = _INLINE_NAME.search(text[max(0, match.start() - 120) : match.start()])
        if inline is None:
            return None
        name = inline.group("name").strip().rstrip(",")
        name_start = max(0, match.start() - 120) + inline.start("name")
        block_start = name_start
        if not (_name_like(name) and (role != "other" or _LEGAL_FORM_RE.search(name))):
            return None
    elif role == "other" and not (
        _LEGAL_FORM_RE.search(name) or _ADDRESS_RE.search(block) or _SEAT_WORDS.search(block)
    ):
        return None
    return Party(name=name, terms=terms, role=role, start=block_start, end=match.end(), name_start=name_start)


def find_parties(text: str) -> list[Party]:
    """Parties defined in the text, with the role their defined term gives them."""
    parties: list[Party] = []
    previous_end = 0
    for match in _DEFINITION.finditer(text):
        party = _party_from_definition(text, match, previous_end)
        previous_end = match.end()
        if party is not None and party.name not in {p.name for p in parties}:
            parties.append(party)
    return parties


def _provider_party(parties: list[Party]) -> Party | None:
    """The provider: the party defined as supplier/processor, else the one facing a defined customer."""
    for party in parties:
        if party.role == "provider":
            return party
    for party in parties:
        # A policy naming its author: Brightdesk Ltd ("Brightdesk", "we", "us").
        if {t.casefold() for t in party.terms} & {"we", "us", "our", "wij", "wir", "ons", "uns"}:
            return party
    customers = [p for p in parties if p.role == "customer"]
    for party in parties:
        # The counterparty is defined next to the customer; a company defined pages later is someone else.
        if (
            customers
            and party.role == "other"
            and _LEGAL_FORM_RE.search(party.name)
            and any(abs(party.start - c.start) < 3000 for c in customers)
        ):
            return party
    return None


def _seat_country(block: str) -> tuple[str | None, float]:
    """The country of a party's seat from its definition block, with a confidence."""
    codes = [c for c in countries_in(block) if c not in REGION_TOKENS]
    if codes:
        return codes[0], 0.85
    for pattern, code in _REGISTERS:
        if pattern.search(block):
            return code, 0.6
    place = jurisdiction(block)
    return (place[:2], 0.5) if place else (None, 0.0)


def _address_country(ctx: _Context, name: str) -> tuple[str, tuple[int, int]] | None:
    """The country in an address printed right after the provider's name elsewhere in the document."""
    for match in re.finditer(re.escape(name), ctx.text):
        window = ctx.text[match.end() : match.end() + 260]
        address = _ADDRESS_RE.search(window)
        if address is None:
            continue
        end = min(len(ctx.text), match.end() + address.end() + 30)
        codes = [c for c in countries_in(ctx.text[match.end() : end]) if c not in REGION_TOKENS]
        if codes:
            return codes[0], (match.start(), end)
    return None


def _extract_provider(ctx: _Context) -> None:
    provider = _provider_party(ctx.parties)
    if provider is None:
        _extract_provider_from_title(ctx)
        return
    ctx.add("provider.name", provider.name, provider.name, (provider.name_start, provider.end), 0.85)
    block = ctx.text[provider.name_start + len(provider.name) : provider.end]
    country, confidence = _seat_country(block)
    if country:
        ctx.add("provider.country", country, block, (provider.name_start, provider.end), confidence)
        return
    found = _address_country(ctx, provider.name)
    if found:
        ctx.add("provider.country", found[0], ctx.text[found[1][0] : found[1][1]], found[1], 0.6)


def _extract_provider_from_title(ctx: _Context) -> None:
    """A provider's own policy or list: the company in its title, or its most frequent legal name."""
    for line in [li for li in ctx.lines if li.text][:3]:
        named = _LEGAL_FORM_RE.search(line.text)
        if named and _name_like(line.text[: named.end()].strip()):
            ctx.add("provider.name", line.text[: named.end()].strip(), line.text, (line.start, line.end), 0.5)
            return
        if _TITLE_DOC_WORDS.search(line.text):
            rest = _TITLE_DOC_WORDS.sub(" ", line.text).strip(" .:-–")
            if rest and _name_like(rest) and len(rest.split()) <= 4:
                ctx.add("provider.name", rest, line.text, (line.start, line.end), 0.45)
                return
            break
    names: dict[str, list[tuple[int, int]]] = {}
    pattern = re.compile(rf"\b(?:[A-Z][\w&'’-]*[ \t]+){{0,3}}[A-Z][\w&'’-]*,?[ \t]+(?:{_LEGAL_FORM})(?=[\s,;:.)]|$)")
    for match in pattern.finditer(ctx.text):
        # "All OpenProject GmbH employees": the sentence's first word is not part of the name.
        lead = _LEADING_STOPWORDS.match(match.group(0))
        start = match.start() + (lead.end() if lead else 0)
        name = ctx.text[start : match.end()].strip()
        if not any(s <= start < e for s, e in ctx.claimed) and _name_like(name):
            names.setdefault(name, []).append((start, match.end()))
    if names:
        name, spans = max(names.items(), key=lambda item: len(item[1]))
        ctx.add("provider.name", name, name, spans[0], 0.3)


def _role_pattern(base: str, parties: list[Party], role: Role) -> re.Pattern[str]:
    """Words for one side of the contract: the generic roles plus that side's defined terms and names."""
    extra: list[str] = []
    for party in parties:
        if party.role == role or (role == "provider" and party is _provider_party(parties)):
            extra.extend(re.escape(term) for term in party.terms)
            first = party.name.split()[0].strip(",") if party.name else ""
            if len(first) > 3 and first.lower() not in _NOT_A_NAME:
                extra.append(re.escape(first))
    alternatives = "|".join([base, *extra])
    return re.compile(rf"\b(?:{alternatives})\b(?:'s|’s|s\b)?", re.I)


# =====================================================================================================
# Locations: storage and remote access.
# =====================================================================================================

_STORAGE_RE = re.compile(
    r"\b(?:stor(?:e|ed|es|ing|age)|host(?:ed|s|ing)?|data ?cent(?:er|re)s?|regions?|back-?ups?|backed up|"
    r"disaster[- ]recovery|replicat\w*|resid(?:e|es|ency)|co-?locat\w*|opgeslagen|opslaan|opslag|slaat|gehost|"
    r"datacent\w*|uitwijk\w*|gespeichert|speicher\w*|gehostet|hosting|rechenzentr\w*|sicherungskopie\w*|"
    r"serverstandort\w*|standort(?:e|en)?|servers?|kept|bewaard|bewaart|aufbewahrt|vorgehalten)\b",
    re.I,
)
_PROCESSING_RE = re.compile(r"\b(?:process(?:es|ed)?|verwerkt|verwerken|verarbeitet|verarbeiten)\b", re.I)
_REMOTE_RE = re.compile(
    r"\b(?:remote(?:ly)?|access(?:es|ed|ing)?\b[^.;]{0,40}?\b(?:from|remotely)|support|follow[- ]the[- ]sun|"
    r"maintenance|help ?desk|service ?desk|staff|personnel|employees|engineers?|engineering|administ\w*|"
    r"troubleshoot\w*|op afstand|ondersteuning|"
    r"helpdesk|servicedesk|medewerkers|personeel|fernzugriff|fernwartung|wartung|zugriff\w*|mitarbeiter\w*)\b",
    re.I,
)
_DATA_SUBJECT_SENTENCE = re.compile(
    r"data subjects?|betrokkenen?|betroffene[nr]? person\w*|categories of (?:individuals|persons)", re.I
)
_TRANSFER_RE = re.compile(
    r"\b(?:transfer\w*|doorgifte\w*|doorgeven|doorgegeven|übermittl\w*|übermittelt|export of data)\b", re.I
)
_OPTIONAL_RE = re.compile(
    r"\b(?:on|upon) (?:request|demand)|\bop (?:verzoek|aanvraag)|\bauf (?:anfrage|wunsch)|\boptional(?:ly)?\b|"
    r"\b(?:can|may) (?:now )?(?:choose|select|elect)\b|\bat (?:the )?customer's (?:option|choice)\b|\bavailable in\b",
    re.I,
)
_NEGATED_OUTSIDE = re.compile(
    r"\b(?:not|never|no|niet|geen|nicht|keine?[nrms]?)\b[^.;]{0,60}?\b(?:outside|buiten|außerhalb|ausserhalb)\b(?: of)?"
    r"|\b(?:never|not)\b[^.;]{0,30}\b(?:leave|be transferred out of)\b|\bniet verlaten\b|\bnicht verlassen\b",
    re.I,
)
# A control applied to remote access ("session logging of remote access from outside the EEA"): the phrase
# names the kind of access a measure covers, not a place access is made from.
_SAFEGUARD_OF_ACCESS = re.compile(
    r"\b(?:logg\w*|monitor\w*|approv\w*|authori[sz]\w*|restrict\w*|record\w*|review\w*|audit\w*|"
    r"protokoll\w*|genehmig\w*|überwach\w*|goedkeuring|registratie|controle)\s+"
    r"(?:of|for|on|van|voor|op|von|für|der|des)\s+(?:all\s+|any\s+|alle[nrs]?\s+)?"
    r"(?:remote access|access|toegang(?: op afstand)?|zugriff\w*|fernzugriff\w*|fernwartung\w*)\b",
    re.I,
)
_CLAUSE_SPLIT = re.compile(r",|;|\s(?:and|while|whereas|but|en|terwijl|maar|und|während|aber)\s")
_LEGAL_REFERENCE = re.compile(
    r"\((?:EU|EC|EG|EU/EEA)\)|\b(?:EU|EEA|EU/EEA|UK|Swiss|EU-U\.S\.|Swiss-U\.S\.)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:law|laws|GDPR|Commission|Parliament|Data Privacy Framework|Privacy Shield|Standard Contractual Clauses|"
    r"SCCs?|Addendum|data protection authorit\w+)\b|\bUK GDPR\b|\bEU-US\b|\bEU-U\.S\.",
    re.I,
)


def _location_codes(text: str) -> list[str]:
    """Countries and regions a clause names as places (legal references such as "EU law" left out)."""
    codes = countries_in(_LEGAL_REFERENCE.sub(" ", text))
    members = EEA_MEMBERS if any(c in EEA_MEMBERS for c in codes) else frozenset()
    return [c for c in codes if not (c in ("EU", "EEA") and members)]


def _without_outside(text: str) -> tuple[str, list[str]]:
    """The clause without its "outside X" phrases, and NON_EEA when one is plainly "outside the EEA"."""
    kept: list[str] = []
    extra: list[str] = []  # NON_EEA for a plain "outside the EEA"
    position = 0
    for match in _OUTSIDE_RE.finditer(text):
        kept.append(text[position : match.start()])
        stop = re.search(r"[,;.()]|\b(?:but|unless|except|tenzij|sofern|es sei denn)\b", text[match.end() :])
        end = match.end() + (stop.start() if stop else len(text) - match.end())
        if countries_in(text[match.start() : end]) == ["NON_EEA"]:
            extra.append("NON_EEA")
        position = end
    kept.append(text[position:])
    return " ".join(kept), extra


def _location_modes(sentence: str) -> Iterator[tuple[str, str]]:
    """Each clause of a sentence with the kind of place it names: "storage" or "remote"."""
    mode = ""
    first = re.search(f"{_STORAGE_RE.pattern}|{_REMOTE_RE.pattern}", sentence, re.I)
    if first:
        mode = "remote" if _REMOTE_RE.fullmatch(first.group(0)) else "storage"
    for clause in _CLAUSE_SPLIT.split(sentence):
        remote = _REMOTE_RE.search(clause)
        storage = _STORAGE_RE.search(clause)
        if remote and (not storage or remote.start() > storage.start()):
            mode = "remote"
        elif storage:
            mode = "storage"
        yield mode, clause


def _extract_locations(ctx: _Context) -> None:
    for sentence in ctx.sentences:
        text = sentence.text
        if (
            ctx.is_claimed(sentence)
            or _SEAT_WORDS.search(text)
            or _is_heading(text)
            or (_DATA_SUBJECT_SENTENCE.search(text))
        ):
            continue  # addresses, headings and the people the data is about are no processing locations
        has_storage, has_remote = bool(_STORAGE_RE.search(text)), bool(_REMOTE_RE.search(text))
        weak = not has_storage and not has_remote and _provider_processes(ctx, text)
        if not (has_storage or has_remote or weak) or (weak and _TRANSFER_RE.search(text)):
            continue
        if _NEGATION_RE.search(text):
            _negated_locations(ctx, sentence)
            continue
        if has_storage and not has_remote and _OPTIONAL_RE.search(text):
            continue
        for mode, clause in _location_modes(text):
            cleaned, extra = _without_outside(clause)
            extra = [] if _SAFEGUARD_OF_ACCESS.search(clause) else extra
            codes = [*_location_codes(cleaned), *extra]
            name = "remote_access_locations" if mode == "remote" else "storage_locations"
            confidence = 0.5 if weak else 0.75
            for code in codes:
                ctx.add(name, code, clause, (sentence.start, sentence.end), confidence)


_PASSIVE_PROCESSING = re.compile(
    r"\b(?:data|gegevens|persoonsgegevens|daten)\b[^.;]{0,30}\b(?:is|are|will be|shall be|wordt|worden|wird|werden)\s+"
    r"(?:\w+\s+){0,2}(?:processed|verwerkt|verarbeitet)\b",
    re.I,
)


def _provider_processes(ctx: _Context, text: str) -> bool:
    """Whether a sentence states the provider's own processing ("GitHub processes all data in ...").

    A passive statement about the data counts too; a third party's processing ("Google may process
    data in the United States") does not.
    """
    verb = _PROCESSING_RE.search(text)
    if verb is None:
        return False
    return bool(
        _PASSIVE_PROCESSING.search(text) or ctx.provider_words.search(text[max(0, verb.start() - 60) : verb.start()])
    )


def _negated_locations(ctx: _Context, sentence: Sentence) -> None:
    """Read "shall not store data outside the EEA" as the region the data stays in (a weaker storage fact)."""
    match = _NEGATED_OUTSIDE.search(sentence.text)
    if match is None or (not _STORAGE_RE.search(sentence.text) and not _PROCESSING_RE.search(sentence.text)):
        return
    rest = sentence.text[match.end() :]
    stop = re.search(r"[;.]|\b(?:unless|except|tenzij|sofern)\b", rest)
    place = rest[: stop.start()] if stop else rest
    for code in countries_in(place):
        if code not in ("NON_EEA", "GLOBAL"):
            ctx.add("storage_locations", code, sentence.text[match.start() :], (sentence.start, sentence.end), 0.45)


# =====================================================================================================
# Governing law and courts.
# =====================================================================================================

_LAW_RE = re.compile(
    r"\bgoverned by\b|\bconstrued in accordance with\b|\bsubject to (?:the )?laws? of\b|\blaws? of\b[^.;]{0,60}"
    r"\b(?:shall )?(?:appl(?:y|ies)|govern)|\bgoverning law\b|\brecht van toepassing\b|\bbeheerst (?:door|wordt)\b|"
    r"\btoepasselijk recht\b|\bnaar \w+ recht\b|\bonderworpen aan (?:het )?\w+ recht\b|\bunterliegt\b|"
    r"\bes gilt\b[^.;]{0,40}\brecht\b|"
    r"\bgilt (?:das |ausschließlich )?\w+ recht\b|\brecht\b[^.;]{0,30}\banwendung\b|\bsubject to (?:the )?\w+ laws?\b|"
    r"\banzuwenden\w* recht\b|\banwendbares recht\b|\brechtswahl\b",
    re.I,
)
_COURT_RE = re.compile(
    r"\bcourts?\b|\b(?:exclusive|place of) jurisdiction\b|\bjurisdiction (?:of|is|lies|shall be)\b|\bvenue\b|"
    r"\btribunals?\b|\brechtbank\b|\bbevoegde rechter\b|\bforumkeuze\b|\bgerichtsstand\b|\blandgericht\w*|"
    r"\bgerichte[n]?\b|\bzuständige[sn]? gericht\w*",
    re.I,
)
_DISPUTE_RE = re.compile(
    r"disputes?|jurisdiction|venue|proceedings?|claims?|suits?|legal action|submit\w*|brought|geschil\w*|"
    r"bevoegd\w*|voorgelegd|gerichtsstand|streitigkeit\w*|zuständig\w*|rechtsstreit\w*|klage\w*",
    re.I,
)
_SCC_LAW = re.compile(
    r"\bclause (?:17|18)\b|\bthe clauses shall\b|\bSCCs?\b|standard contractual clauses|"
    r"standaardcontractbepalingen|standardvertragsklauseln",
    re.I,
)
_LAW_PLACE = re.compile(r"(?:laws? of|law in|recht(?:en)? (?:der|des|von)|recht van)\s+(?P<place>[^.;]{2,80})", re.I)
_LAW_ADJECTIVE = re.compile(r"\b[\w-]+\s+(?:law|laws|recht|rechts)\b", re.I)
_COURT_WINDOW = re.compile(
    r"(?:courts?|tribunals?|rechtbank|rechter|gerichtsstand|landgericht|gericht\w*|venue|jurisdiction)"
    r"(?P<place>[^.;]{0,90})",
    re.I,
)
# "Gerichtsstand ... ist[, soweit gesetzlich zulässig,] Leipzig": the place closes the clause after "ist".
_VERB_FINAL_PLACE = re.compile(r"[^.;]{0,160}?\b(?:ist|sind|wird|is)\b(?:,[^,.;]{0,50},)?\s+(?P<place>[^.;,]{2,60})")
_DEFINED_PLACE = re.compile(
    r"\b(?:of|in|van|der)\s+the\s+(?P<term>(?:[A-Z][a-z]+\s){0,2}(?:State|Country|Jurisdiction|Member State))\b"
)


def _defined_place(ctx: _Context, clause: str) -> str | None:
    """Resolve "the laws of the Governing State" through the cover page line that defines the term."""
    match = _DEFINED_PLACE.search(clause)
    if match is None:
        return None
    line = re.search(rf"^{re.escape(match.group('term'))}\s*:?\s+(?P<value>.+)$", ctx.text, re.M)
    return jurisdiction(line.group("value")) if line else None


def _law_value(ctx: _Context, text: str) -> tuple[str | None, str]:
    for match in [*_LAW_PLACE.finditer(text), *_LAW_ADJECTIVE.finditer(text)]:
        place = match.group("place") if match.re is _LAW_PLACE else match.group(0)
        if re.search(r"member state|lidstaat|mitgliedstaat", place, re.I):
            return _defined_place(ctx, text), place
        value = jurisdiction(place) or _defined_place(ctx, match.group(0))
        if value:
            return value, match.group(0)
    return None, ""


def _extract_law(ctx: _Context) -> None:
    for sentence in ctx.sentences:
        text = sentence.text
        if _SCC_LAW.search(text) or _SEAT_WORDS.search(text) or _is_heading(text):
            continue
        if _LAW_RE.search(text):
            value, raw = _law_value(ctx, text)
            if value:
                ctx.add("governing_law", value, raw, (sentence.start, sentence.end), 0.8)
        if (
            _COURT_RE.search(text)
            and _DISPUTE_RE.search(text)
            and not re.search(r"data exporter|datenexporteur|gegevensexporteur", text, re.I)
        ):
            for match in _COURT_WINDOW.finditer(text):
                place = match.group("place")
                value = (
                    None
                    if re.search(r"member state|lidstaat|mitgliedstaat", place, re.I)
                    else (jurisdiction(match.group(0)) or _defined_place(ctx, match.group(0)))
                )
                raw = match.group(0)
                if value is None and (tail := _VERB_FINAL_PLACE.match(text, match.start("place"))):
                    raw = text[match.start() : tail.end()]
                    value = jurisdiction(tail.group("place"))
                if value:
                    ctx.add("courts", value, raw, (sentence.start, sentence.end), 0.8)
                    break
    _extract_cover_law(ctx)


def _extract_cover_law(ctx: _Context) -> None:
    """Cover-page key terms: "Governing Law: Ireland", "Governing State The State of Delaware"."""
    for line in ctx.lines:
        match = re.match(
            r"^(?:Governing (?:Law|State)|Applicable Law|Toepasselijk recht|Anwendbares Recht)"
            r"\s*:?\s+(?P<value>.+)$",
            line.text,
        )
        if match and not _is_heading(line.text):
            value = jurisdiction(match.group("value"))
            if value:
                ctx.add("governing_law", value, match.group("value"), (line.start, line.end), 0.6)


# =====================================================================================================
# Subprocessors: tables, lists, inline enumerations and named hosting providers.
# =====================================================================================================


@dataclass(frozen=True, slots=True)
class SubprocessorRow:
    """One subprocessor as a table row, list line or inline mention states it."""

    name: str
    country: str | None
    codes: tuple[str, ...]  # every place the row names for processing (storage/remote access)
    purpose: str
    start: int
    end: int
    confidence: float


_HEADER_PHRASES: tuple[tuple[str, str], ...] = (
    (
        r"location of (?:the )?processing|processing locations?|locatie (?:van )?(?:de )?verwerking|"
        r"verwerkingslocatie|ort der verarbeitung|verarbeitungsort|data locations?|hosting locations?|"
        r"server locations?|countr(?:y|ies) of processing|processing countr(?:y|ies)|land van verwerking|"
        r"verarbeitungsland|hosting (?:country|region)|standort",
        "location",
    ),
    (
        r"corporate location|corporate|registered office|registered address|country of incorporation|"
        r"headquarters|hauptsitz|sitz|vestigingsland|vestigingsplaats|vestigingsadres|seat|address(?:es)?|"
        r"anschrift|adres|adresse",
        "seat",
    ),
    (r"countr(?:y|ies)|landen|land|länder|location|locatie|ort|region", "country"),
    (
        r"name of (?:the )?sub-?processor|sub-?processors?|subverwerkers?|unterauftragsverarbeiter\w*|"
        r"unterauftragnehmer\w*|subunternehmer\w*|sub-?contractors?|name|naam|entity|company|vendor|"
        r"dienstleister|leverancier|third party",
        "name",
    ),
    (
        r"description of (?:the )?processing|nature of (?:the )?processing|processing activit\w+|purposes?|"
        r"descriptions?|activiteit(?:en)?|leistung(?:en)?|zweck|services?|diensten|dienst|functions?|"
        r"activit(?:y|ies)|tätigkeit\w*|omschrijving|beschreibung|doel",
        "purpose",
    ),
    # Further columns of subprocessor tables, read past.
    (
        r"categor(?:y|ies) of (?:personal )?data|(?:personal )?data categories|datenkategorien|kategorie\w*|"
        r"categorie\w*|safeguards?|garanties?|garantien|transfer mechanisms?|doorgiftemechanism\w*|"
        r"übermittlungsgrundlage|websites?|contact|type|types|persoonsgegevens|personal|legal",
        "other",
    ),
)
_HEADER_FILLER = r"of|the|de|der|des|van|and|en|und|processing|verwerking|verarbeitung|data|/|&|-|–|\(s\)|\|"
_HEADER_TOKEN = re.compile(
    "(?:" + "|".join(f"(?:{pattern})" for pattern, _ in _HEADER_PHRASES) + f"|{_HEADER_FILLER})(?![\\w])", re.I
)
_HOSTING_PURPOSE = re.compile(
    r"host|data ?cent|datacent|rechenzentr|colocat|colocatie|housing|storage|opslag|speicher|back-?up|uitwijk|"
    r"disaster|cloud (?:service|infra|platform|provider|comput)|iaas|server",
    re.I,
)
_PURPOSE_START = frozenset(
    "services service cloud hosting content customer support email e-mail payment payments security monitoring "
    "analytics technical ai sms data infrastructure building monitor error transactional application "
    "website dns cdn help text sales software integration marketing".split()
)
_COUNTRY_ADJECTIVE = re.compile(r"(?:ian|ish|ese|isch|ische[nmrs]?|sche[nmrs]?|se)$", re.I)
_CLOUD_REGION_TOKEN = re.compile(r"\b[a-z]+(?:-[a-z]+)*-?\d+[a-z]?\b|\b[a-z]+(?:europe|us|asia)\d?\b")


def _header_roles(text: str) -> list[str] | None:
    """The column roles of a table header line ("Sub-processor Country Purpose"), or None."""
    folded = " ".join(text.replace("|", " | ").split())
    roles: list[str] = []
    position = 0
    while position < len(folded):
        if folded[position] == " ":
            position += 1
            continue
        match = _HEADER_TOKEN.match(folded, position)
        if match is None:
            return None
        for pattern, role in _HEADER_PHRASES:
            if re.fullmatch(pattern, match.group(0), re.I):
                if role == "country" and roles and roles[-1] in ("seat", "location"):
                    break  # "Corporate Location": one column
                if not roles or roles[-1] != role:
                    roles.append(role)
                break
        position = match.end()
    return roles


def _cell_role(roles: list[str]) -> str:
    """The role of one header cell: "Entity Country" is a country column, "Entity Name" a name column."""
    return next((r for r in ("location", "seat", "country", "purpose", "name") if r in roles), "other")


def _is_header(roles: list[str] | None) -> bool:
    return bool(roles) and "name" in (roles or []) and len(set(roles or [])) >= 2


def _split_name(text: str) -> tuple[str, int]:
    """Split a row into the entity name and the offset where the rest (purpose, country) starts."""
    legal = _LEGAL_FORM_RE.search(text[:120])
    end = 0
    if legal and _strong_row_start(text[: legal.end()]):
        end = legal.end()
        following = re.match(r"\s*(?:,?\s*(?:" + _LEGAL_FORM + r")(?=[\s,;:)(]|$))+", text[end:])
        end += following.end() if following else 0
    else:
        paren = re.match(r"((?:[A-Z0-9][\w&.'’-]*\s+){0,4}[A-Z0-9][\w&.'’-]*)\s*\([^()]{1,40}\)", text)
        if paren and _name_like(paren.group(1)):
            return text[: paren.end()].strip(), paren.end()
        return _capitalised_run(text)
    paren = re.match(r"\s*\([^()]{1,40}\)", text[end:])
    if paren:
        end += paren.end()
    return text[:end].strip().rstrip(","), end


def _capitalised_run(text: str) -> tuple[str, int]:
    """A name without legal form: the leading capitalised words, minus the one that starts the purpose."""
    words = list(re.finditer(r"\S+", text))
    run: list[re.Match[str]] = []
    for word in words:
        token = word.group(0).strip(",.;:")
        if not token or not (token[0].isupper() or token[0].isdigit() or token in ("&", "of", "the")):
            break
        if countries_in(token) and not _COUNTRY_ADJECTIVE.search(token) and run:
            break
        if word.group(0).endswith(":"):
            return "", 0  # "Effective: April 16": a label, not a name
        run.append(word)
        if word.group(0).endswith((",", ".", ";")):
            break
    if not run:
        return "", 0
    following = words[len(run)].group(0) if len(run) < len(words) else ""
    if len(run) == 1 and following[:1].islower() and not run[0].group(0).endswith(","):
        return "", 0  # "Search indexes do not ...": a sentence, not a name
    if following[:1].islower() and len(run) >= 2 and not run[-1].group(0).endswith(","):
        run = run[:-1]  # "Cloudflare Content delivery": "Content" opens the purpose
    elif not following[:1].islower():
        cut = next((i for i, w in enumerate(run) if i and w.group(0).lower().strip(",") in _PURPOSE_START), None)
        run = run[:cut] if cut else run
    end = run[-1].end()
    return text[:end].strip().rstrip(",.;:"), end


_LOCATED = ("location", "seat", "country")


@dataclass(frozen=True, slots=True)
class _Place:
    start: int
    end: int
    codes: tuple[str, ...]


def _country_groups(text: str) -> list[_Place]:
    """Runs of country names in a row ("United States, Belgium" is one cell, "Germany Germany" two)."""
    words = [w for w in re.finditer(r"[^\s,/&]+", text)]
    places: list[_Place] = []
    index = 0
    while index < len(words):
        found = None
        for length in (1, 2, 3, 4):
            if index + length > len(words):
                break
            phrase = text[words[index].start() : words[index + length - 1].end()].strip("().;:")
            if any(ch.isdigit() for ch in phrase) or (length == 1 and _COUNTRY_ADJECTIVE.search(phrase)):
                continue
            codes = [c for c in countries_in(phrase) if c not in ("NON_EEA", "GLOBAL")]
            if codes and (length == 1 or not countries_in(phrase.split(maxsplit=1)[1])):
                found = _Place(words[index].start(), words[index + length - 1].end(), tuple(codes))
                break
        if found is None:
            index += 1
            continue
        if city := re.match(r"\s*\([^()\d]{1,40}\)", text[found.end :]):
            found = _Place(found.start, found.end + city.end(), found.codes)  # "Nederland (Amsterdam)": one cell
        gap = text[places[-1].end : found.start] if places else "x"
        if places and re.fullmatch(r"[\s,/&]*(?:and|en|und|or|oder|of)?[\s,/&]*", gap) and gap.strip(" "):
            places[-1] = _Place(places[-1].start, found.end, places[-1].codes + found.codes)
        else:
            places.append(found)
        index = (
            next(i for i, w in enumerate(words) if w.start() >= found.end)
            if found.end < words[-1].end()
            else len(words)
        )
    return places


def _parse_row(text: str, roles: list[str]) -> tuple[str, str, str | None, tuple[str, ...]] | None:
    """Name, purpose, country and processing places of one table row, or None if it is no row."""
    name, rest_start = _split_name(text)
    if not name or len(name.split()) > 10:
        return None
    rest = text[rest_start:]
    located = [r for r in roles if r in _LOCATED]
    places = _country_groups(rest) if located else []
    purpose = _purpose_cell(rest, places, roles)
    by_role = dict(zip(located, places, strict=False))
    chosen = by_role.get("location") or by_role.get("country") or by_role.get("seat")
    codes = chosen.codes if chosen else ()
    regions = tuple(c for c in countries_in(" ".join(_CLOUD_REGION_TOKEN.findall(purpose))) if c not in REGION_TOKENS)
    if not purpose and not codes:
        return None
    return name, purpose, (codes[0] if codes else None), (regions or codes)


def _purpose_cell(rest: str, places: list[_Place], roles: list[str]) -> str:
    """The text in the purpose column: the stretch between the country cells where the header puts it.

    "Stuttgart, Deutschland Hosting und Betrieb Deutschland" under "Name | Anschrift | Leistung | Ort" is
    "Hosting und Betrieb": the address city before it belongs to another column.
    """
    edges = [0, *(e for p in places for e in (p.start, p.end)), len(rest)]
    segments = [rest[edges[i] : edges[i + 1]] for i in range(0, len(edges), 2)]
    if "purpose" not in roles or not places:
        return _tidy(" ".join(segments))
    slot = sum(1 for r in roles[: roles.index("purpose")] if r in _LOCATED)
    return _tidy(segments[slot]) if slot < len(segments) else ""


def _tidy(text: str) -> str:
    """Single spaces, no stray separators or unbalanced brackets at either end."""
    text = " ".join(text.split()).strip(" ,;:/")
    if text.startswith(")") or (text.startswith("(") and text.count("(") > text.count(")")):
        text = text[1:].strip()
    if text.endswith("(") or (text.endswith(")") and text.count(")") > text.count("(")):
        text = text[:-1].strip()
    return text


def _row_complete(text: str, roles: list[str]) -> bool:
    parsed = _parse_row(text, roles)
    if parsed is None:
        return False
    _name, purpose, country, _codes = parsed
    needs_place = any(r in roles for r in _LOCATED)
    return bool(purpose or "purpose" not in roles) and bool(country or not needs_place)


def _joins_country(tail: str, head: str) -> bool:
    """Whether the last word of one line and the first of the next form a country ("United" + "States")."""
    last = tail.split()[-1] if tail.split() else ""
    first = head.split()[0].strip(",.;") if head.split() else ""
    return bool(
        last and first and countries_in(f"{last} {first}") and not countries_in(last) and not countries_in(first)
    )


def _starts_with_country(text: str) -> bool:
    words = text.split()
    for length in (1, 2, 3):
        phrase = " ".join(words[:length]).strip(",.;()")
        if phrase and countries_in(phrase) and not _COUNTRY_ADJECTIVE.search(phrase.split()[0]):
            return not countries_in(" ".join(words[1:length])) if length > 1 else True
    return False


def _strong_row_start(text: str) -> bool:
    """A line that opens with a legal-form name ("Ticketwerk Inc. USA")."""
    legal = _LEGAL_FORM_RE.search(text[:80])
    if legal is None:
        return False
    name = text[: legal.end()].strip()
    # Brand names may start in lower case ("npm, Inc."); the legal form still marks the name.
    return _name_like(name[:1].upper() + name[1:]) and len(name.split()) <= 6


def _continues_row(buffer: str, line: str, following: str, roles: list[str]) -> bool:
    """Whether a wrapped PDF table line belongs to the row being read."""
    if (line[:1].islower() and not (_strong_row_start(line) and _row_complete(buffer, roles))) or line[:1] in "(,&-/)":
        return True
    if _LEGAL_ONLY.match(line):
        return True  # the legal form of a wrapped name ("Northwind Analytics India" / "Private Limited")
    if buffer.rstrip().endswith((",", "/", "&", "-", "(")) or _FUNCTION_WORD_END.search(buffer.rstrip()):
        return True
    if buffer.count("(") > buffer.count(")") or _joins_country(buffer, line):
        return True
    if _starts_with_country(line) or (len(line.split()) == 1 and _starts_with_country(f"{line} {following}")):
        return True  # a location cell, possibly wrapped ("United" / "States")
    if not _row_complete(buffer, roles):
        return not (_strong_row_start(line) and _split_name(buffer)[0] and len(buffer.split()) > 3)
    if _FUNCTION_WORD_END.search(line.rstrip()) and not _split_name(line)[0]:
        return True  # a wrapped purpose cell ("Second-Level-Support und" / "Fernwartung"): no name opens it
    if len(line.split()) <= 2 and not _strong_row_start(line) and not countries_in(line):
        # A lone word after a full row is a trailing cell (a city) when the next line opens a new row
        # and carries more cells after its name ("Lissabon" / "Postbode Mail Inc. Verenigde Staten").
        if _starts_with_country(following):
            return True  # "Fernzugriff" / "Serbien": the end of the purpose, then the location cell
        legal = _LEGAL_FORM_RE.search(following)
        return bool(legal and _strong_row_start(following) and following[legal.end() :].strip())
    return False


def _long_row(text: str, roles: list[str]) -> bool:
    """A row whose purpose cell runs long on one line: it opens with a legal-form name and holds every cell.

    A sentence naming a company ("Acme Inc. will process ...") has a finite verb; a table row has none.
    """
    return _strong_row_start(text) and _row_complete(text, roles) and not _FINITE_VERB.search(text)


def _table_header_at(lines: list[Line], index: int) -> tuple[list[str], int] | None:
    """Roles of the (possibly wrapped) table header starting at line `index`, and the line after it."""
    end = index
    while (
        end < len(lines)
        and lines[end].text
        and " | " not in lines[end].text
        and (_header_roles(lines[end].text) is not None)
    ):
        end += 1
    if end == index:
        return None
    roles = _header_roles(" ".join(line.text for line in lines[index:end]))
    return (roles, end) if roles is not None and _is_header(roles) else None


def _table_rows(ctx: _Context, start: int, roles: list[str]) -> tuple[list[SubprocessorRow], int]:
    """The rows of a PDF/text table whose header ends before line `start`; returns the line after it."""
    lines, rows = ctx.lines, []
    buffer: list[Line] = []
    index = start
    while index < len(lines):
        line = lines[index]
        if not line.text:
            index += 1
            continue
        header = _table_header_at(lines, index)
        if header is not None:
            rows += _flush_row(ctx, buffer, roles)
            buffer, roles, index = [], header[0], header[1]
            continue
        following = next((li.text for li in lines[index + 1 :] if li.text), "")
        joined = " ".join(li.text for li in buffer)
        # A long line is a row only when it holds a whole row, or ends one whose name wrapped before
        # its legal form ("Rhein-Main Colocation" / "GmbH Germany Secondary data centre ...").
        wrapped = f"{joined} {line.text}" if buffer and _LEGAL_ONLY.match(line.text) else line.text
        if (
            _is_heading(line.text)
            or _ITEM_START.match(line.text)
            or (len(line.text.split()) > 13 and not _long_row(wrapped, roles))
        ):
            break  # rows never start with a clause number or run to a full sentence
        if buffer and not _continues_row(joined, line.text, following, roles):
            rows += _flush_row(ctx, buffer, roles)
            buffer = []
        buffer.append(line)
        index += 1
    rows += _flush_row(ctx, buffer, roles)
    return rows, index


def _flush_row(ctx: _Context, buffer: list[Line], roles: list[str]) -> list[SubprocessorRow]:
    if not buffer:
        return []
    parsed = _parse_row(" ".join(line.text for line in buffer), roles)
    if parsed is None:
        return []
    name, purpose, country, codes = parsed
    return [SubprocessorRow(name, country, codes, purpose, buffer[0].start, buffer[-1].end, 0.75)]


def _pipe_rows(ctx: _Context) -> list[SubprocessorRow]:
    """Rows of tables written with " | " between cells (DOCX, HTML, Markdown)."""
    rows: list[SubprocessorRow] = []
    roles: list[str] | None = None
    for line in ctx.lines:
        if not line.text:
            continue  # HTML and Markdown tables leave blank lines between rows
        if " | " not in line.text and not line.text.startswith("|"):
            roles = None
            continue
        cells = [c.strip() for c in line.text.strip("|").split("|")]
        cell_roles = [_header_roles(c) for c in cells]
        if all(r is not None for r in cell_roles) and _is_header([r for c in cell_roles for r in c or []]):
            roles = [_cell_role(c or []) for c in cell_roles]
            continue
        if roles is None or re.fullmatch(r"[\s|:-]*", line.text):
            continue
        row = _row_from_cells(cells, roles, line)
        if row is not None:
            rows.append(row)
            ctx.claimed.append((line.start, line.end))
    return rows


def _row_from_cells(cells: list[str], roles: list[str], line: Line) -> SubprocessorRow | None:
    by_role: dict[str, str] = {}
    for role, cell in zip(roles, cells, strict=False):
        if cell and role not in by_role:
            by_role[role] = cell
    name = by_role.get("name", "")
    if not name or not name[0].isalnum():
        return None
    places = [countries_in(by_role[r]) for r in ("location", "country", "seat") if r in by_role]
    codes = next((tuple(c for c in p if c not in ("NON_EEA", "GLOBAL")) for p in places if p), ())
    purpose = by_role.get("purpose", "")
    regions = tuple(c for c in countries_in(" ".join(_CLOUD_REGION_TOKEN.findall(purpose))) if c not in REGION_TOKENS)
    country = codes[0] if codes and codes[0] not in REGION_TOKENS else None
    return SubprocessorRow(name, country, regions or codes, purpose, line.start, line.end, 0.8)


_LIST_INTRO = re.compile(
    rf"(?:{_SUBPROCESSOR})\b[^.\n]{{0,80}}(?::\s*$|\b(?:located in|based in|gevestigd in|mit sitz in)\b)|"
    rf"\b(?:following|below|volgende|hieronder|folgende[n]?|nachstehende[n]?)\b[^.]{{0,40}}(?:{_SUBPROCESSOR})",
    re.I,
)
_NOT_A_DESCRIPTION = frozenset("view see read click visit contact learn please go find check".split())
_DOTTED_NAME = re.compile(r"^(?P<name>[A-Z0-9](?:[^.\n]|\.(?=\S))*?)\.\s+(?P<rest>[A-Z].*)$")


def _list_rows(ctx: _Context, stop_at: set[int]) -> list[SubprocessorRow]:
    """Subprocessors listed one per line under a list heading ("Amazon Web Services. Cloud services provider.").

    A name may also stand on its own line with its description on the next (HTML and Markdown lists).
    """
    rows: list[SubprocessorRow] = []
    active, country = False, None
    previous = ""
    pending: Line | None = None  # a line holding only a name, waiting for its description
    for index, line in enumerate(ctx.lines):
        if not line.text:
            continue
        if index in stop_at or _ITEM_START.match(line.text) or container_heading(line.text):
            active, pending = False, None
        intro = _LIST_INTRO.search(line.text) or (
            len(line.text.split()) <= 5 and _SUBPROCESSOR_RE.search(line.text) and line.text[-1:] not in ".;"
        )
        if intro:
            active, previous, pending = True, ".", None
            located = [c for c in countries_in(line.text) if c not in REGION_TOKENS]
            country = located[0] if located else country
            continue
        if active and " | " not in line.text and (previous[-1:] in ".:" or len(previous.split()) <= 3):
            row = _list_row(pending, line, country) if pending else None
            pending = line if row is None and _only_name(line.text) else None
            row = row or (None if pending else _list_row(None, line, country))
            if row is not None:
                rows.append(row)
        previous = line.text
    return rows


def _dotted_row(text: str) -> re.Match[str] | None:
    """A list entry whose short name is closed by a full stop ("Amazon Web Services. Cloud services provider.")."""
    dotted = _DOTTED_NAME.match(text)
    name = dotted.group("name") if dotted else ""
    return dotted if name and _name_like(name) and len(name.split()) <= 6 else None


def _only_name(text: str) -> bool:
    """Whether a line holds a name and nothing else ("Amazon Web Services, Inc.", "Google Analytics")."""
    name, end = _split_name(text)
    return bool(name) and not text[end:].strip(" .") and _name_like(name) and len(name.split()) <= 6


def _list_row(name_line: Line | None, line: Line, country: str | None) -> SubprocessorRow | None:
    """A list entry: "Name. Description.", "Name Description" or a name line followed by its description."""
    if name_line is not None:
        own = _list_row(None, line, country)
        if (own is not None and len(own.name.split()) >= 2) or _dotted_row(line.text) or _strong_row_start(line.text):
            return None  # the next entry on its own line ("Monitoring" was a category heading)
        if not re.match(r"[A-Z]\S* \S", line.text):
            return None
        name, purpose = name_line.text.rstrip(), line.text
    else:
        dotted = _dotted_row(line.text)
        if dotted:
            name, purpose = dotted.group("name"), dotted.group("rest")
            legal = _LEGAL_FORM_RE.search(name + ".")
            name += "." if legal and legal.end() == len(name) + 1 else ""  # "Stripe Inc." keeps its full stop
        else:
            name, end = _split_name(line.text)
            purpose = line.text[end:].strip()
    first = purpose.split()[0].lower() if purpose.split() else ""
    if not name or not _name_like(name) or not first or first in _NOT_A_DESCRIPTION or _only_name(purpose):
        return None
    if _LEGAL_ONLY.fullmatch(name.rstrip(" ,")) or _LEGAL_ONLY.fullmatch(name.rstrip(" ,") + "."):
        return None  # "B.V. Netherlands ...": the legal form of a name wrapped onto the line above
    purpose = re.split(r"(?<=\.)\s", purpose)[0].strip(" .")
    start = name_line.start if name_line is not None else line.start
    return SubprocessorRow(name.rstrip(" ,"), country, (country,) if country else (), purpose, start, line.end, 0.6)


_INLINE_ROW = re.compile(
    r"(?P<name>[A-Z][\w.&'’-]*(?:[ \t]+[A-Z][\w.&'’-]*){0,4})\s*\((?P<place>[^;()\n]{2,40});\s*"
    r"(?P<purpose>[^()]{2,80})\)"
)


def _inline_rows(ctx: _Context) -> list[SubprocessorRow]:
    """Enumerations such as "Cloudflare (US; DNS provider), DataPacket (US/UK; hosting provider)"."""
    rows: list[SubprocessorRow] = []
    for match in _INLINE_ROW.finditer(ctx.text):
        context = ctx.text[max(0, match.start() - 400) : match.start()]
        parts = [p for p in re.split(r"/|,|\band\b|\ben\b|\bund\b", match.group("place")) if p.strip()]
        codes = [to_country(p) for p in parts]
        if not _SUBPROCESSOR_RE.search(context) or not codes or None in codes:
            continue
        found = tuple(c for c in codes if c)
        rows.append(
            SubprocessorRow(
                match.group("name"),
                found[0],
                found,
                " ".join(match.group("purpose").split()),
                match.start(),
                match.end(),
                0.7,
            )
        )
    return rows


_KEYED_NAME = re.compile(
    r"^(?:\d+\.\s*)?(?:Full legal name|Legal name|Name|Naam|Entity|Company|Firma)\s*:\s*(?P<v>\S.*)$", re.I
)
_KEYED_PLACE = re.compile(
    r"^(?P<k>(?:Location|Locatie|Standort|Ort|Country|Land|Address|Adres|Anschrift|Registered office|Sitz|Seat)"
    r"[^:]{0,40}):\s*(?P<v>\S.*)$",
    re.I,
)
_KEYED_PURPOSE = re.compile(
    r"^(?:Description of (?:the )?processing|Nature of (?:the )?processing|Purpose|Service|Activities|Doel|Dienst|"
    r"Activiteit\w*|Zweck|Leistung|Tätigkeit)[^:]{0,120}:\s*(?P<v>\S.*)$",
    re.I,
)


def _keyed_rows(ctx: _Context) -> list[SubprocessorRow]:
    """Records written as "Name: ... / Address: ... / Description of processing: ..." (SCC Annex III)."""
    rows: list[SubprocessorRow] = []
    lines = [line for line in ctx.lines if line.text]
    for index, line in enumerate(lines):
        named = _KEYED_NAME.match(line.text)
        context = " ".join([ctx.sections.at(line.start), *(li.text for li in lines[max(0, index - 3) : index])])
        if named is None or not _SUBPROCESSOR_RE.search(context) or not _name_like(named.group("v")):
            continue
        country, location, purpose, end = None, None, "", line.end
        for follower in lines[index + 1 : index + 6]:
            if _KEYED_NAME.match(follower.text) or _is_heading(follower.text):
                break
            if place := _KEYED_PLACE.match(follower.text):
                codes = [c for c in countries_in(place.group("v")) if c not in REGION_TOKENS]
                if codes and re.match(r"locat|standort|ort\b", place.group("k"), re.I):
                    location = location or codes[0]
                elif codes:
                    country = country or codes[0]
            elif described := _KEYED_PURPOSE.match(follower.text):
                purpose = _tidy(described.group("v"))
            end = follower.end
        found = location or country
        rows.append(
            SubprocessorRow(named.group("v").strip(), found, (found,) if found else (), purpose, line.start, end, 0.7)
        )
    return rows


_CLOUD_PROVIDERS = (
    r"Amazon Web Services|AWS|Microsoft Azure|Azure|Google Cloud(?: Platform)?|GCP|Oracle Cloud(?: Infrastructure)?|"
    r"IBM Cloud|Alibaba Cloud|Hetzner(?: Online)?|OVHcloud|OVH|Scaleway|IONOS|DigitalOcean|Digital Ocean|Linode|"
    r"Akamai|Vultr|Rackspace|Equinix|UpCloud|Exoscale|STACKIT|Open Telekom Cloud|Leaseweb|Cloudflare"
)
_CLOUD_FAMILY = {"aws": "amazon", "azure": "microsoft", "gcp": "google", "digitalocean": "digital"}
_PROSE_HOST = re.compile(rf"\b(?P<name>{_CLOUD_PROVIDERS})\b")


def _prose_rows(ctx: _Context) -> list[SubprocessorRow]:
    """A named cloud provider the data is hosted with, for documents without a subprocessor list."""
    rows: list[SubprocessorRow] = []
    for sentence in ctx.sentences:
        if not re.search(
            r"\bhost(?:ed|s|ing)?\b|\bgehost\w*|\bdata ?cent(?:er|re)s?\b|\brechenzentr", sentence.text, re.I
        ) or _NEGATION_RE.search(sentence.text):
            continue
        for match in _PROSE_HOST.finditer(sentence.text):
            codes = tuple(c for c in _location_codes(sentence.text) if c not in REGION_TOKENS)
            rows.append(
                SubprocessorRow(
                    match.group("name"),
                    codes[0] if codes else None,
                    codes,
                    "hosting",
                    sentence.start,
                    sentence.end,
                    0.45,
                )
            )
    return rows


_LISTED = 0.6  # rows from tables, lists and enumerations; prose mentions score below


def _name_key(name: str) -> str:
    name = re.sub(r"\([^)]*\)", " ", name)
    name = _LEGAL_FORM_RE.sub(" ", name)
    words = re.findall(r"[a-z0-9]+", name.casefold())
    return " ".join(_CLOUD_FAMILY.get(w, w) for w in words)


def _is_duplicate(row: SubprocessorRow, kept: list[SubprocessorRow]) -> bool:
    key = set(_name_key(row.name).split())
    for other in kept:
        other_key = set(_name_key(other.name).split())
        if key == other_key and row.purpose.casefold() == other.purpose.casefold():
            return True
        # A mention in prose or an enumeration repeats a listed row when one name contains the other.
        weaker = min(row.confidence, other.confidence) < 0.7
        if weaker and key and other_key and (key <= other_key or other_key <= key):
            return True
    return False


def find_subprocessor_rows(ctx: _Context) -> list[SubprocessorRow]:
    """Every subprocessor the document names, de-duplicated, in document order."""
    rows = _pipe_rows(ctx)
    table_lines: set[int] = set()
    index = 0
    while index < len(ctx.lines):
        header = _table_header_at(ctx.lines, index)
        if header is None:
            index += 1
            continue
        found, end = _table_rows(ctx, header[1], header[0])
        rows += found
        table_lines.update(range(index, end))
        ctx.claimed.append((ctx.lines[index].start, ctx.lines[max(index, end - 1)].end))
        index = max(end, index + 1)
    inline = _inline_rows(ctx) + _keyed_rows(ctx)
    rows += [r for r in _list_rows(ctx, table_lines) if not any(r.start < i.end and i.start < r.end for i in inline)]
    rows += inline
    if not rows:
        rows = _prose_rows(ctx)
    kept: list[SubprocessorRow] = []
    for row in sorted(rows, key=lambda r: r.start):
        if not _is_duplicate(row, kept):
            kept.append(row)
    return kept


def _extract_subprocessors(ctx: _Context) -> None:
    rows = find_subprocessor_rows(ctx)
    for row in rows:
        value = {"name": row.name, "country": row.country, "purpose": row.purpose or None}
        ctx.add("subprocessors", value, ctx.text[row.start : row.end], (row.start, row.end), row.confidence)
        if row.confidence < _LISTED:
            continue  # a provider named in prose: its sentence is read for locations like any other
        ctx.claimed.append((row.start, row.end))
        name = "storage_locations" if _HOSTING_PURPOSE.search(row.purpose) else "remote_access_locations"
        for code in row.codes:
            ctx.add(name, code, row.purpose or row.name, (row.start, row.end), row.confidence - 0.1)


# =====================================================================================================
# Subprocessor changes: notice period and objection right.
# =====================================================================================================

_CHANGE_RE = re.compile(
    r"\b(?:new|add\w*|addition|replac\w*|chang\w*|engag\w*|appoint\w*|intended|nieuwe?|vervang\w*|wijzig\w*|"
    r"inschakel\w*|ingeschakeld|toevoeg\w*|neue[nrms]?|hinzuzieh\w*|hinzuziehung|ersetz\w*|änderung\w*|"
    r"beauftrag\w*|einsatz)\b",
    re.I,
)
_PERIOD_RE = re.compile(
    r"(?:(?<![\w])[A-Za-zÀ-ÿ]+(?:-[A-Za-zÀ-ÿ]+)?\s+)?(?:\(\s*\d+\s*\)\s*|\d+\s*-?\s*)?"
    r"(?:(?:business|working|calendar|consecutive|full|clear)\s+|werk|kalender|Werk|Arbeits|Kalender|Geschäfts)?"
    r"(?:days?|dagen|dag|Tage[n]?|Tag|weeks?|weken|week|Wochen|Woche|months?|maanden|maand|Monate[n]?|Monat|"
    r"hours?|uur|uren|Stunden|Stunde)['’]?(?![\w])"
)
_ADVANCE_AFTER_RE = re.compile(
    r"\W*(?:(?:prior|advance|written|schriftelijk\w*|schriftlich\w*)\s+)*(?:notice|in advance|before|prior to|"
    r"ahead of|voordat|vooraf\w*|van tevoren|voor(?:dat|afgaand)|vor(?:ab|her)?\b|im voraus)",
    re.I,
)
_ADVANCE_RE = re.compile(
    r"\b(?:in advance|prior|before|advance notice|notice|notif\w*|inform\w*|voordat|vooraf|van tevoren|"
    r"voorafgaand|vor(?:ab|her)?|im voraus|mitteil\w*|ankündig\w*)\b",
    re.I,
)
_OBJECTION_RE = re.compile(
    r"\bobject(?:s|ed|ing)?\s+(?:to|within|in writing|on|by|against)\b|\bobjections?\b|"
    r"\b(?:may|can|could|shall|will|right to)\s+object\b|\bbezwaar\b|\bwidersprech\w*|\bwiderspruch\w*|"
    r"\beinspruch\w*|\beinwände\w*|\bverzet\b",
    re.I,
)
_NO_OBJECTION_RE = re.compile(
    r"\bno right to object|\bnot (?:be )?entitled to object|\b(?:may|shall|can) not object|\bcannot object|"
    r"\bgeen (?:recht (?:op|van) )?bezwaar|\bkein\w* (?:recht auf )?widerspruch\w*|\bnicht widersprechen|"
    r"widerspruchsrecht\b[^.]{0,40}\bnicht\b|\bsteht\b[^.]{0,60}\bnicht zu\b",
    re.I,
)
_DATA_SUBJECT_RE = re.compile(r"data subject|betrokkene|betroffene[nr]? person", re.I)


def periods(text: str) -> Iterator[tuple[int, int, str]]:
    """Spans of the time periods written in a text ("thirty (30) days", "vier (4) Wochen")."""
    for match in _PERIOD_RE.finditer(text):
        yield match.start(), match.end(), match.group(0)


def _extract_subprocessor_terms(ctx: _Context) -> None:
    for sentence in ctx.sentences:
        text = sentence.text
        before = ctx.previous(sentence)
        context = (before.text + " " if before else "") + text
        if before and before.text.rstrip().endswith(";") and (earlier := ctx.previous(before)):
            context = earlier.text + " " + context  # "...; ein Recht, ... zu widersprechen, steht ... nicht zu."
        if _SUBPROCESSOR_RE.search(text) and _CHANGE_RE.search(text):
            _notice_days(ctx, sentence)
        if _SUBPROCESSOR_RE.search(context) and not _DATA_SUBJECT_RE.search(text):
            _objection_right(ctx, sentence)


def _objection_right(ctx: _Context, sentence: Sentence) -> None:
    """The controller's right to object to a new subprocessor, or its explicit exclusion."""
    text, span = sentence.text, (sentence.start, sentence.end)
    if denied := _NO_OBJECTION_RE.search(text):
        ctx.add("subprocessor_objection_right", False, denied.group(0), span, 0.8)
    elif (granted := _OBJECTION_RE.search(text)) and not _NEGATION_RE.search(text[: granted.start()][-40:]):
        ctx.add("subprocessor_objection_right", True, granted.group(0), span, 0.75)


def _notice_days(ctx: _Context, sentence: Sentence) -> None:
    """The advance notice for a new subprocessor ("thirty (30) days' prior written notice", "vier Wochen vor").

    A period read straight as notice ("in advance", "before", "voordat", "vor") counts; any other period
    only in a sentence about notifying that says nothing about objecting, whose window it would be.
    """
    text = sentence.text
    for _start, end, raw in periods(text):
        value = days(raw)
        if value is None:
            continue
        if _ADVANCE_AFTER_RE.match(text[end : end + 40]) or (
            _ADVANCE_RE.search(text) and not _OBJECTION_RE.search(text)
        ):
            ctx.add("subprocessor_change_notice_days", value, raw, (sentence.start, sentence.end), 0.8)
            return


# =====================================================================================================
# Transfers.
# =====================================================================================================

_NOT_RELIED_RE = re.compile(
    r"\b(?:not|no longer) (?:rely|relied|be relied)\b|\bdoes not rely\b|\binvalid\w*\b|\bniet (?:langer )?gebaseerd\b|"
    r"\bnicht (?:mehr )?gestützt\b",
    re.I,
)


_ADEQUACY_DECISION_RE = re.compile(r"adequacy|adequaat|angemessenheits|article 45|art(?:ikel|\.)? 45", re.I)


def _mention_ends(text: str, found: list[str]) -> list[int]:
    """Where each mechanism's first mention ends: the shortest word prefix that names it."""
    cuts = [m.end() for m in re.finditer(r"\S+", text)]
    return [next((c for c in cuts if token in transfer_mechanisms(text[:c])), len(text)) for token in found]


def _mention_start(text: str, token: str, end: int) -> int:
    """Where the mention of `token` that ends at `end` starts: the shortest word suffix still naming it."""
    starts = [m.start() for m in re.finditer(r"\S+", text[:end])]
    return next((s for s in reversed(starts) if token in transfer_mechanisms(text[s:end])), 0)


# The adequacy decision named is the one on the DPF: only a short stretch without "and"/"or" between them.
_DPF_ADEQUACY = re.compile(
    r"(?:(?!\b(?:and|or|und|oder|en|sowie|as well as)\b)[^.;]){0,60}?"
    r"\b(?:for|on|under|regarding|concerning|zum|zur|für|über|voor|inzake|betreffende|over)\s+"
    r"(?:the\s+|het\s+|das\s+|dem\s+|den\s+)?(?:EU-U\.?S\.?|EU-US|EU-VS)?\s*(?:Data Privacy Framework|DPF|"
    r"Datenschutzrahmen|Data Privacy Framework)",
    re.I,
)
_NEGATED_BEFORE = re.compile(
    r"\b(?:no|not|without|neither|nor|geen|niet|zonder|keine?[nmrs]?|nicht|ohne)\s+(?:\S+\s+){0,3}$", re.I
)


_REQUIREMENT_RE = re.compile(
    r"\b(?:must|shall only|may only|only|require[sd]?|requirement|provided that|subject to|moet(?:en)?|alleen|"
    r"uitsluitend|müssen|muss|nur|sofern|vorausgesetzt)\b",
    re.I,
)


def _alternatives(text: str, found: list[str]) -> bool:
    """Whether the mechanisms are permissible options ("must use SCCs, or Binding Corporate Rules").

    A requirement listing options states no mechanism in use; "we rely on A or B" states both.
    """
    if not _REQUIREMENT_RE.search(text):
        return False
    ends = sorted(_mention_ends(text, found))
    gaps = [text[a:b] for a, b in itertools.pairwise(ends)]
    return bool(gaps) and all(
        re.search(r"\b(?:or|of|oder|either)\b", gap, re.I)
        and not re.search(r"\b(?:and|en|und|as well as|fallback|additionally|zusätzlich|aanvullend)\b", gap, re.I)
        for gap in gaps
    )


def _extract_transfers(ctx: _Context) -> None:
    for sentence in ctx.sentences:
        text = sentence.text
        found = transfer_mechanisms(text)
        if not found or _NOT_RELIED_RE.search(text) or (len(found) >= 2 and _alternatives(text, found)):
            continue  # a mechanism not relied on, or a list of permissible options, states none in use
        for token, end in zip(found, _mention_ends(text, found), strict=True):
            start = _mention_start(text, token, end)
            if _NEGATED_BEFORE.search(text[:start]):
                continue  # "not governed by an adequacy decision", "no SCCs are needed"
            if token == "ADEQUACY" and len(found) > 1 and not _ADEQUACY_DECISION_RE.search(text):
                continue  # "an adequate level of protection through the SCCs" is the SCCs' doing
            if token == "ADEQUACY" and "DPF" in found and _DPF_ADEQUACY.match(text, end):
                continue  # "the adequacy decision for the EU-U.S. Data Privacy Framework" is the DPF itself
            ctx.add("transfer_mechanisms", token, text[start:end], (sentence.start, sentence.end), 0.75)


# =====================================================================================================
# Security: key custody and encryption at rest.
# =====================================================================================================

_KEY_RE = re.compile(
    r"\b(?:keys?|encryption keys?|KEKs?|DEKs?|KMS|HSMs?|key management|key vault|BYOK|HYOK|\w*sleutel\w*|"
    r"\w*schlüssel\w*)\b",
    re.I,
)
_CRYPTO_RE = re.compile(
    r"encrypt\w*|decrypt\w*|crypt\w*|versleutel\w*|verschlüssel\w*|entschlüssel\w*|kryptogra\w*|\bHSMs?\b|\bKMS\b|"
    r"key management|key vault|sleutelbeheer\w*|schlüsselverwaltung|\bBYOK\b|\bHYOK\b|\bKEKs?\b|\bDEKs?\b|"
    r"encryptiesleutel\w*|hardware security module",
    re.I,
)
_KEY_VERBS = (
    r"held|hold|holds|controlled|control|controls|managed|manage|manages|generated|stored|owned|kept|retained|"
    r"administered|created|beheerd|beheert|gegenereerd|bewaard|verwaltet|erzeugt|gespeichert|kontrolliert|"
    r"generiert|gehalten"
)
_CUSTOMER_KEY_RE = re.compile(
    r"\bcustomer[- ](?:managed|held|controlled|supplied|provided|owned)\b|\bbring your own key|\bBYOK\b|\bHYOK\b|"
    r"\bhold your own key|\bkeep your own key|\bclient-side encryption\b",
    re.I,
)
_PROVIDER_KEY_RE = re.compile(
    r"\b(?:provider|platform|service|supplier|vendor)[- ]managed (?:encryption )?keys?\b", re.I
)
_THIRD_PARTY_KEY_RE = re.compile(
    r"\b(?:independent|third[- ]party) (?:key )?(?:custodian|escrow agent|key management (?:service|provider))|"
    r"\bkeys?\b[^.]{0,40}\bheld (?:in escrow )?by (?:an? )?(?:independent )?third[- ]part(?:y|ies)|"
    r"\bunabhängige[nr]? treuhänder|\bonafhankelijke (?:derde|bewaarder)",
    re.I,
)


def _key_holder(ctx: _Context, text: str) -> str | None:
    """Who holds the encryption keys according to one sentence, or None when it does not say."""
    if _THIRD_PARTY_KEY_RE.search(text):
        return "third_party"
    if _CUSTOMER_KEY_RE.search(text):
        return "customer"
    if _PROVIDER_KEY_RE.search(text):
        return "provider"
    for side, words in (("customer", ctx.customer_words), ("provider", ctx.provider_words)):
        who = words.pattern
        patterns = (
            rf"(?:{_KEY_RE.pattern})[^.;]{{0,90}}?\b(?:{_KEY_VERBS})\b[^.;]{{0,40}}?\b(?:by|door|durch|vom|von|beim|bij)\s+"
            rf"(?:the |de |het |den |dem |der )?(?:{who})",
            rf"(?:{who})\s+(?:own |eigene[nm]? |external |externe[nm]? )?(?:\w+ ){{0,2}}"
            rf"(?:hardware security modules?|HSMs?|key manag\w+|KMS|key vault|keys?)\b",
            rf"(?:key management|sleutelbeheer|schlüsselverwaltung|key administration)\b[^.;]{{0,40}}"
            rf"\b(?:by|door|durch|des|der|of|bij|beim|bei|with|lies with|rests with)\s+"
            rf"(?:the |de |den |dem )?(?:{who})",
            rf"(?:{_KEY_RE.pattern})[^.;]{{0,40}}\b(?:werden|worden)\s+(?:vom|von der|door)\s+(?:de |het )?(?:{who})",
            rf"\b(?:remain|remains|stay|blijven|verbleiben)\b[^.;]{{0,40}}\b(?:control of|bij|beim|bei der|bei dem)\s+"
            rf"(?:the |de |het )?(?:{who})",
            rf"(?:{who})\s+(?:generates?|manages?|holds?|controls?|beheert|verwaltet|erzeugt)\b[^.;]{{0,30}}"
            rf"(?:{_KEY_RE.pattern})",
        )
        for pattern in patterns:
            match = re.search(pattern, text, re.I)
            if match and not _NEGATION_RE.search(text[max(0, match.start() - 30) : match.end()]):
                return side
    return None


_AT_REST_RE = re.compile(
    r"encrypt\w*[^.;]{0,80}\bat rest\b|\bat rest\b[^.;]{0,60}\bencrypt\w*|\bin rust\b[^.;]{0,40}versleutel\w*|"
    r"versleutel\w*[^.;]{0,40}\bin rust\b|versleuteld opgeslagen|im ruhezustand\b[^.;]{0,60}verschlüssel\w*|"
    r"verschlüssel\w*[^.;]{0,60}\bim ruhezustand|verschlüsselt gespeichert|verschlüsselte[nr]? speicherung|"
    r"ruhende[nr]? daten[^.;]{0,40}verschlüssel\w*|\b(?:storage|disk|database|volume)[- ](?:level )?encryption|"
    r"\bencrypted (?:storage|disks?|volumes?|databases?)\b|\bstorage service encryption\b|"
    r"\bstored in encrypted form\b|\bencrypted when stored\b|\bstored\b[^.;]{0,30}\bencrypted\b|"
    r"\b(?:backups?|back-ups?)\b[^.;]{0,20}\bencrypted\b",
    re.I,
)
_NOT_AT_REST_RE = re.compile(
    r"\bnot encrypted at rest|\bunencrypted at rest|\bat rest\b[^.;]{0,20}\bnot encrypted|"
    r"\bniet (?:in rust )?versleuteld|\bonversleuteld opgeslagen|\bnicht verschlüsselt gespeichert|"
    r"\bunverschlüsselt gespeichert|\bim ruhezustand nicht verschlüsselt",
    re.I,
)


def _extract_security(ctx: _Context) -> None:
    for sentence in ctx.sentences:
        text = sentence.text
        span = (sentence.start, sentence.end)
        # A stated exception ("databases are not encrypted at rest") outweighs the rule it qualifies.
        if unencrypted := _NOT_AT_REST_RE.search(text):
            ctx.add("encryption_at_rest", False, unencrypted.group(0), span, 0.85)
        elif (encrypted := _AT_REST_RE.search(text)) and not _OPTIONAL_RE.search(text):
            ctx.add("encryption_at_rest", True, encrypted.group(0), span, 0.8)
        if _KEY_RE.search(text) and _CRYPTO_RE.search(text):
            holder = _key_holder(ctx, text)
            if holder:
                ctx.add("key_custody", holder, text, (sentence.start, sentence.end), 0.75)


# =====================================================================================================
# Breach notification.
# =====================================================================================================

_BREACH_RE = re.compile(
    r"personal data breach\w*|data breach\w*|security (?:incident|breach)\w*|breach of (?:security|personal data)|"
    r"privacy incident\w*|\bincidents? (?:involving|affecting|concerning|relating to) (?:\w+ ){0,2}data\b|"
    r"datenschutzvorf\w*|datalek\w*|inbreuk in verband met persoonsgegevens|beveiligingsincident\w*|"
    r"verletzung\w* des schutzes|datenschutzverletzung\w*|datenpanne\w*|sicherheitsvorf\w*|schutzverletzung\w*",
    re.I,
)
_NOTIFY_RE = re.compile(
    r"\b(?:notif\w*|inform\w*|report\w*|alert\w*|in kennis|meld\w*|benachrichtig\w*|unterricht\w*|mitteil\w*)\b",
    re.I,
)
_UNDUE_DELAY_RE = re.compile(
    r"without undue delay|unverzüglich|zonder onredelijke vertraging|onverwijld|ohne schuldhaftes zögern|"
    r"ohne unangemessene verzögerung|as soon as (?:reasonably )?(?:possible|practicable)",
    re.I,
)


def _extract_breach(ctx: _Context) -> None:
    for sentence in ctx.sentences:
        text = sentence.text
        if not (_BREACH_RE.search(text) and _NOTIFY_RE.search(text)) or _is_heading(text):
            continue
        stated = False
        for start, _end, raw in periods(text):
            if _SUPERVISORY_RE.search(text[max(0, start - 80) : start]):
                continue  # the controller's own deadline towards the authority
            value = hours(raw)
            if value is not None:
                ctx.add("breach_notification_hours", value, raw, (sentence.start, sentence.end), 0.8)
                stated = True
                break
        delay = _UNDUE_DELAY_RE.search(text)
        if not stated and delay:
            ctx.add("breach_notification_hours", None, delay.group(0), (sentence.start, sentence.end), 0.6)


# =====================================================================================================
# Exit: return of data, deletion period, export format, termination assistance.
# =====================================================================================================

_RETURN_RE = re.compile(
    r"\b(?:return\w*|export\w*|make (?:\w+ ){0,3}available|retriev\w*|hand(?:s|ed)? over|download\w*|"
    r"teruggeven|teruggave|terug te geven|geeft\b[^.;]{0,60}\bterug|retourne\w*|ter beschikking|overdr\w*|"
    r"herausg\w*|herauszugeben|zurückg\w*|zurückzugeben|gibt\b[^.;]{0,60}\b(?:zurück|heraus)|rückgabe|rückführung|"
    r"exportier\w*|aushändig\w*|zur verfügung|bereitstell\w*|stellt\b[^.;]{0,80}\bbereit)\b",
    re.I,
)
_DATA_WORD_RE = re.compile(
    r"\b(?:data|content|files|documents|records|persoonsgegevens|gegevens|bestanden|daten|dokumente|inhalte)\b",
    re.I,
)
_NO_RETURN_RE = re.compile(
    r"\b(?:will|shall|is) not (?:be obliged to )?return|\bno obligation to return|\bniet (?:verplicht )?(?:terug|"
    r"ter beschikking)|\bkeine (?:pflicht zur )?rückgabe|\bnicht zurück",
    re.I,
)
_DELETE_RE = re.compile(
    r"\b(?:delet\w*|destroy\w*|destruction|eras\w*|wipe\w*|purg\w*|deidentif\w*|anonymi[sz]\w*|verwijder\w*|"
    r"vernietig\w*|wissen|gewist|löschen|löscht|löschung|gelöscht|vernichten|vernichtung|vernichtet)\b",
    re.I,
)
_FORMAT_CONCRETE = (
    r"Apache Parquet|Parquet|Avro|CSV|TSV|JSON|XML|PDF/A|PDF|XLSX|XLS|ODS|ODT|DOCX|SQL[- ]dumps?|SQL|"
    r"database dumps?|MBOX|EML|ZIP|(?:S3[- ]compatible|REST(?:ful)?|SFTP|web) API|API|"
    r"original (?:file )?formats?|native formats?|oorspronkelijke (?:bestands)?formaat|originalformat\w*|"
    r"ursprünglichen format\w*"
)
_FORMAT_GENERIC = r"machine[- ]readable(?: format)?|maschinenlesbar\w*(?: format\w*)?|machineleesba\w*(?: formaat)?"
_FORMAT_RE = re.compile(
    rf"(?<![\w/])(?:(?P<concrete>{_FORMAT_CONCRETE})|(?P<generic>{_FORMAT_GENERIC}))(?![\w/])", re.I
)
_EXPORT_CONTEXT_RE = re.compile(
    r"\b(?:export\w*|return\w*|retriev\w*|download\w*|portab\w*|receive all|ter beschikking|teruggave|"
    r"teruggegeven|terug\w*|overdr\w*|herausgabe|herausg\w*|rückgabe|zurück\w*|zur verfügung|bereitstell\w*|"
    r"übergeben|übergabe)\b",
    re.I,
)
_ASSISTANCE_RE = re.compile(
    r"\b(?:termination|exit|transition|migration|off-?boarding) (?:assistance|support|services)\b|"
    r"\bassist\w*[^.;]{0,60}\b(?:migrat\w*|transition\w*|transfer\w*) (?:to|of)\b[^.;]{0,40}"
    r"\b(?:another|a new|successor|replacement|alternative|other)\b|"
    r"\bexit-?ondersteuning\b|\bmedewerking aan (?:de )?migratie\b|\bondersteuning bij (?:de )?(?:migratie|overdracht)|"
    r"\bunterstütz\w*[^.;]{0,40}\b(?:migration|rückführung|überführung)\b|\bunterstützung bei der (?:migration|"
    r"rückführung|überführung)",
    re.I,
)
_NO_ASSISTANCE_RE = re.compile(
    r"\bno (?:termination|exit|transition) (?:assistance|support)|\bnot (?:be )?(?:obliged|required) to provide "
    r"(?:any )?(?:termination |exit |transition )?assistance|\bgeen exit-?ondersteuning|\bkeine unterstützung",
    re.I,
)


def _termination_context(ctx: _Context, sentence: Sentence, *, heading: bool = True) -> bool:
    """Whether a sentence speaks about the end of the contract: itself, the sentence before, or its heading."""
    before = ctx.previous(sentence)
    return bool(
        _TERMINATION_RE.search(sentence.text)
        or (before and _TERMINATION_RE.search(before.text))
        or (heading and _TERMINATION_RE.search(ctx.sections.at(sentence.start)))
    )


def _extract_exit(ctx: _Context) -> None:
    for sentence in ctx.sentences:
        text, span = sentence.text, (sentence.start, sentence.end)
        ending = _termination_context(ctx, sentence)
        if (refused := _NO_RETURN_RE.search(text)) and ending:
            ctx.add("exit.data_return", False, refused.group(0), span, 0.75)
        elif (returned := _RETURN_RE.search(text)) and _DATA_WORD_RE.search(text):
            # "Following termination, ... . Provider will then return all data": the sentence before counts,
            # a heading alone does not (an export feature in a termination clause is no return obligation).
            if _TERMINATION_RE.search(text):
                ctx.add("exit.data_return", True, returned.group(0), span, 0.75)
            elif _termination_context(ctx, sentence, heading=False):
                ctx.add("exit.data_return", True, returned.group(0), span, 0.6)
        if _DELETE_RE.search(text) and ending:
            _deletion_days(ctx, sentence)
        _export_format(ctx, sentence)
        if no_help := _NO_ASSISTANCE_RE.search(text):
            ctx.add("exit.termination_assistance", False, no_help.group(0), span, 0.75)
        elif helps := _ASSISTANCE_RE.search(text):
            ctx.add("exit.termination_assistance", True, helps.group(0), span, 0.8)


def _deletion_days(ctx: _Context, sentence: Sentence) -> None:
    """The period after termination within which data is deleted: the period nearest the deletion verb."""
    text = sentence.text
    verbs = [m.start() for m in _DELETE_RE.finditer(text)]
    candidates = []
    for start, _end, raw in periods(text):
        value = days(raw)
        if value is None or re.search(r"\b(?:retain\w*|bewaard|aufbewahr\w*|for a period of)\W*$", text[:start], re.I):
            continue
        distance = min(abs(start - v) for v in verbs)
        candidates.append((distance, value, raw))
    if candidates:
        _distance, value, raw = min(candidates)
        ctx.add("exit.deletion_days", value, raw, (sentence.start, sentence.end), 0.75)


def _export_format(ctx: _Context, sentence: Sentence) -> None:
    """File formats named for the return or export of data, as written ("CSV and Apache Parquet")."""
    text = sentence.text
    before = ctx.previous(sentence)
    context = (before.text if before else "") + " " + text
    matches = list(_FORMAT_RE.finditer(text))
    if not matches or not _EXPORT_CONTEXT_RE.search(context):
        return
    concrete = [m for m in matches if m.group("concrete")]
    chosen = concrete or matches
    first = chosen[0]
    last = first
    for match in chosen[1:]:
        if match.start() - last.end() > 40 or re.search(r"[.;:]", text[last.end() : match.start()]):
            break
        last = match
    phrase = text[first.start() : last.end()]
    ctx.add("exit.export_format", phrase, phrase, (sentence.start, sentence.end), 0.7 if concrete else 0.5)


# =====================================================================================================
# Entry point.
# =====================================================================================================


def _context(document: Document) -> _Context:
    lines = split_lines(document.text)
    ctx = _Context(
        document=document, lines=lines, sentences=split_sentences(document, lines), sections=find_sections(lines)
    )
    ctx.parties = find_parties(document.text)
    ctx.provider_words = _role_pattern(_PROVIDER_WORDS, ctx.parties, "provider")
    ctx.customer_words = _role_pattern(_CUSTOMER_WORDS, ctx.parties, "customer")
    ctx.claimed.extend((p.start, p.end) for p in ctx.parties)
    return ctx


def extract(document: Document) -> list[Fact]:
    """Every candidate fact the rules find in the document, in field order, each with verbatim evidence."""
    ctx = _context(document)
    _extract_subprocessors(ctx)
    _extract_provider(ctx)
    _extract_locations(ctx)
    _extract_law(ctx)
    _extract_subprocessor_terms(ctx)
    _extract_transfers(ctx)
    _extract_security(ctx)
    _extract_breach(ctx)
    _extract_exit(ctx)
    log.info("rules: %d facts from %s", len(ctx.facts), document.source)
    return _unique(ctx.facts)


def _unique(facts: Iterable[Fact]) -> list[Fact]:
    """Drop exact repeats (same field, value and span), keeping the first."""
    seen: set[tuple[str, str, int, int]] = set()
    kept: list[Fact] = []
    for fact in facts:
        key = (fact.field, repr(fact.value), fact.evidence[0].char_start, fact.evidence[0].char_end)
        if key not in seen:
            seen.add(key)
            kept.append(fact)
    return kept
