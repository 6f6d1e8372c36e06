"""Find text in a document that addresses an AI system instead of the contract parties (prompt injection).

A contract from outside the organisation may carry sentences written for a language model:
"ignore previous instructions and ...", a ready-made JSON answer, a note "to the AI reviewer",
often in white or tiny type. They are contract text to the analyser, never instructions. This
module finds them with generic English, Dutch and German phrasings, so that the report warns
the reader (with pages), and no fact may rest on a quote taken from such a passage.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from analyser.types import Document, Fact

log = logging.getLogger(__name__)

_AI = (
    r"(?:AI|A\.I\.|KI|LLM|GPT|chat ?bot|(?:AI|KI)[- ]?(?:system|systeem|assistant|assistent|model|agent)\w*|"
    r"language model|taalmodel|sprachmodell|assistant|assistent|automated (?:system|tool|review(?:er)?|reader)s?|"
    r"geautomatiseerde? (?:systeem|systemen|beoordeling|lezer)|automatisierte[rns]? (?:System|Prüfung|Leser)|"
    r"(?:the |het |das |de )?model)"
)
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, re.compile(pattern, re.IGNORECASE))
    for label, pattern in (
        # "Ignore all previous instructions", "disregard the above rules", "vergeet je eerdere opdrachten".
        # Only instructions given *before this text* count: "the Processor may disregard instructions that
        # infringe the GDPR" is an ordinary DPA clause.
        (
            "override",
            r"\b(?:ignore|disregard|forget|override|bypass|negeer|vergeet|omzeil|ignoriere\w*|vergiss|vergessen sie|"
            r"missachte\w*)\b[^.\n]{0,30}?\b(?:previous|prior|above|earlier|preceding|your|eerdere|vorige|"
            r"voorgaande|bovenstaande|je|jouw|vorherigen?|bisherigen?|obigen?|vorangegangenen?|deine)\b[^.\n]{0,25}?"
            r"\b(?:instructions?|prompts?|rules|directions|guidelines|system message|instructies?|opdrachten|"
            r"aanwijzingen|regels|anweisungen|instruktionen|anordnungen|regeln|vorgaben)\b",
        ),
        # "If you are an AI", "Note to the language model", "Als je een taalmodel bent", "Hinweis für die KI".
        (
            "address",
            r"\b(?:if you are|you are(?: now)?|act as|pretend to be|dear|attention|note (?:to|for)|message (?:to|for)|"
            r"instructions? (?:to|for)|als (?:je|jij|u)(?: een)?|je bent(?: nu)?|notitie voor|bericht voor|"
            r"instructies? voor|wenn (?:du|sie)(?: eine?n?)?|du bist(?: jetzt)?|hinweis (?:für|an)|"
            r"nachricht (?:für|an)|anweisung(?:en)? (?:für|an))\s+(?:(?:an?|the|any|all|een|de|het|elk|ieder|die|das|"
            rf"den|der|jede[nrs]?|eine?n?)\s+)?{_AI}\b",
        ),
        # Prompt vocabulary that a contract has no reason to use.
        ("prompt", r"\b(?:system ?prompt|systeemprompt|developer mode|jailbreak|prompt injection)\b"),
        # "Respond only with JSON", "antwoord uitsluitend met het volgende", "antworte nur mit folgendem".
        (
            "answer",
            r"\b(?:respond|reply|answer|output|antwoord|reageer|antworte|ausgabe)\w*\b[^.\n]{0,30}?"
            r"\b(?:only|exactly|solely|alleen|uitsluitend|enkel|nur|ausschließlich|lediglich)\b[^.\n]{0,30}?"
            r"\b(?:json|the following|het volgende|folgende[mn]?)\b",
        ),
        # "When summarising this document, report ...": instructions to whoever processes the text.
        (
            "task",
            r"\b(?:when|if|bij het|wanneer|beim|wenn)\b[^.\n]{0,12}?\b(?:summari[sz]\w*|analy[sz]\w*|extract\w*|"
            r"process\w*|samenvat\w*|analyseer\w*|verwerk\w*|zusammenfass\w*|analysier\w*|auswert\w*)\b[^.\n]{0,5}?"
            r"\b(?:this|these|dit|deze|dieses|diese)\s+(?:document|text|tekst|dokument)\b",
        ),
        # A ready-made machine answer: a JSON object with quoted keys.
        ("json", r"\{\s*\"[A-Za-z_][\w.]*\"\s*:[^{}]{0,300}?\"[A-Za-z_][\w.]*\"\s*:"),
    )
)
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n\s*\n")
_EXCERPT_CHARS = 90


@dataclass(frozen=True, slots=True)
class Injection:
    """A passage addressed to an AI system: its document span, page and how it was recognised."""

    page: int
    char_start: int
    char_end: int
    kind: str
    excerpt: str


def find_injections(document: Document) -> tuple[Injection, ...]:
    """Every passage of the document that addresses an AI system, in document order, without overlaps."""
    text = document.text
    found: list[Injection] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = _passage(text, match.start(), match.end(), kind)
            excerpt = " ".join(text[match.start() : match.end()].split())[:_EXCERPT_CHARS]
            found.append(Injection(document.page_at(start), start, end, kind, excerpt))
    merged = _without_overlaps(sorted(found, key=lambda i: (i.char_start, -i.char_end)))
    if merged:
        log.info("%s: %d passages addressed to an AI system", document.source, len(merged))
    return tuple(merged)


def _passage(text: str, start: int, end: int, kind: str) -> tuple[int, int]:
    """Widen a match to the sentence it sits in (for JSON: to the end of the object)."""
    if kind == "json":
        depth, position = 0, start
        for position in range(start, min(len(text), start + 4000)):
            depth += {"{": 1, "}": -1}.get(text[position], 0)
            if depth == 0:
                break
        return start, position + 1
    before = [m.end() for m in _SENTENCE_END.finditer(text, max(0, start - 400), start)]
    after = _SENTENCE_END.search(text, end)
    return (before[-1] if before else max(0, start - 400)), (after.end() if after else len(text))


def _without_overlaps(injections: Sequence[Injection]) -> list[Injection]:
    kept: list[Injection] = []
    for injection in injections:
        if kept and injection.char_start < kept[-1].char_end:
            last = kept[-1]
            if injection.char_end > last.char_end:
                kept[-1] = Injection(last.page, last.char_start, injection.char_end, last.kind, last.excerpt)
            continue
        kept.append(injection)
    return kept


def without_injected(facts: Sequence[Fact], injections: Sequence[Injection]) -> tuple[list[Fact], int]:
    """The facts none of whose quotes lies in an injected passage, and how many were dropped."""
    if not injections:
        return list(facts), 0
    kept = [f for f in facts if not any(_inside(e.char_start, e.char_end, injections) for e in f.evidence)]
    return kept, len(facts) - len(kept)


def _inside(start: int, end: int, injections: Sequence[Injection]) -> bool:
    return any(start < i.char_end and i.char_start < end for i in injections)


def injection_warnings(injections: Sequence[Injection], dropped: int) -> list[str]:
    """The report's warnings about passages addressed to an AI system (none when there are none)."""
    if not injections:
        return []
    pages = sorted({i.page for i in injections})
    shown = ", ".join(str(p) for p in pages[:10]) + (" ..." if len(pages) > 10 else "")
    warning = (
        f"The document contains text addressed to an AI system (page{'s' if len(pages) > 1 else ''} {shown}), "
        f'e.g. "{injections[0].excerpt}". It was read as contract text, not followed as an instruction; '
        "check those passages by hand."
    )
    if dropped:
        values = "1 extracted value" if dropped == 1 else f"{dropped} extracted values"
        warning += f" {values} quoting them {'was' if dropped == 1 else 'were'} dropped."
    return [warning]
