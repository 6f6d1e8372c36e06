"""Ask the model for each field group's facts, validate the answer, ground it, normalise it.

One call per field group. The passages come first in the prompt and are the same for every
group of a document, so the backend's prompt cache reads them once. A reply cut off at the
token limit or failing validation is asked again once; after that the group is recorded
as failed and the document goes on.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError

from analyser import normalise, prompts
from analyser.chunking import section_at
from analyser.errors import BackendError
from analyser.grounding import Grounder
from analyser.llm.base import LLMBackend, LLMRequest, Message
from analyser.types import (
    ANSWER_FIELDS,
    ANSWER_TYPES,
    Chunk,
    Cited,
    Document,
    ExitAnswer,
    Fact,
    FactValue,
    LawAnswer,
    LocationsAnswer,
    PartiesAnswer,
    SecurityAnswer,
    SubprocessorsAnswer,
    answer_schema,
)

log = logging.getLogger(__name__)

# "Without undue delay" and its kin: a deadline stated without a number of hours.
_NO_NUMBER_DEADLINE = re.compile(
    r"undue delay|without delay|promptly|immediately|as soon as|unverzüglich|umgehend|ohne schuldhaftes zögern|"
    r"onverwijld|onmiddellijk|zo spoedig mogelijk|zonder (?:onredelijke )?vertraging",
    re.I,
)
# A model answer stands only if its quoted sentence talks about the field at all: a 1.5B
# model sometimes pairs a value with an unrelated quote.
FIELD_CUES: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.I)
    for name, pattern in {
        "encryption_at_rest": r"encrypt|versleutel|verschlüssel|crypt|aes",
        "key_custody": r"\bkeys?\b|sleutel|schlüssel|hsm|kms|byok|hyok",
        "subprocessor_objection_right": r"object|bezwaar|widersp|einspruch|einwand",
        "subprocessor_change_notice_days": (
            r"sub.?processor|subverwerker|unterauftrag|sub.?contractor|onderaannemer|notif|inform|mitteil"
        ),
        "breach_notification_hours": (
            r"breach|incident|datalek|inbreuk|verletzung|datenpanne|vorfall|notif|inform|meld"
        ),
        "exit.data_return": (
            r"return|export|retriev|ter beschikking|terug|overdr|herausg|zurück|rückgabe|übergabe|bereitstell"
        ),
        "exit.deletion_days": r"delet|destroy|eras|verwijder|vernietig|wis|lösch|vernicht",
        "exit.export_format": r"\b(csv|json|xml|pdf|parquet|sql|xlsx?|api|format|formaat)\b",
        "exit.termination_assistance": (
            r"terminat|expir|end of (?:the|this)|exit|beëindig|afloop|einde|beendigung|vertragsende|kündigung|"
            r"vertragsablauf"
        ),
        "provider.country": (
            r"regist|incorporat|organi[sz]ed under|seat|office|headquarter|established|principal place|"
            r"statutair|gevestigd|kantoorhoud|vestiging|kamer van koophandel|chamber of commerce|sitz|ansässig|"
            r"eingetragen|handelsregister|geschäftsanschrift"
        ),
        "transfer_mechanisms": (
            r"clause|contractbepaling|vertragsklausel|datenschutzklausel|framework|binding|adequa|addendum|bcr|scc|dpf|"
            r"angemessen|adequaat"
        ),
    }.items()
}
# A field is worth a model call only if the passages retrieved for its group mention it at all:
# the value cues above (an answer whose quote lacks them is rejected anyway), plus the words that
# any statement of the other fields has to use. A field whose passages never mention it is "not
# stated" without spending generated tokens on it, which is also where a small model invents most.
ASK_CUES: dict[str, re.Pattern[str]] = {
    **FIELD_CUES,
    "governing_law": re.compile(r"\blaws?\b|governed|recht\b|rechts?|toepasselijk|anwendbar|gesetz", re.I),
    "courts": re.compile(
        r"court|tribunal|jurisdiction|rechter|rechtbank|gericht|gerichtsstand|arbitra|forum|geschil|streit", re.I
    ),
    "subprocessors": re.compile(
        r"sub.?processor|subverwerker|sub-?verwerker|unterauftrag|sub.?contractor|onderaannemer|subunternehm|"
        r"third part|derde|dritte|vendor|leverancier",
        re.I,
    ),
}
# Location fields need a place: a country, a region or a city the normaliser knows.
_PLACE_FIELDS = ("storage_locations", "remote_access_locations")


def askable_fields(
    fields: Mapping[str, Sequence[str]], passages: Mapping[str, Sequence[Chunk]]
) -> dict[str, tuple[str, ...]]:
    """Per group, the wanted fields that its passages mention at all; groups with none are omitted."""
    out: dict[str, tuple[str, ...]] = {}
    for group, names in fields.items():
        text = "\n".join(chunk.text for chunk in passages.get(group, ()))
        keep = tuple(name for name in names if text and _mentions(name, text))
        if keep:
            out[group] = keep
    return out


def _mentions(name: str, text: str) -> bool:
    if name in _PLACE_FIELDS:
        return bool(normalise.countries_in(text))
    cue = ASK_CUES.get(name)
    return cue is None or cue.search(text) is not None


FIELD_GROUPS = ("parties", "locations", "law", "subprocessors", "security", "exit")
GROUP_FIELDS: dict[str, tuple[str, ...]] = {
    "parties": ("provider.name", "provider.country"),
    "locations": ("storage_locations", "remote_access_locations"),
    "law": ("governing_law", "courts"),
    "subprocessors": ("subprocessors", "subprocessor_change_notice_days", "subprocessor_objection_right"),
    "security": ("transfer_mechanisms", "encryption_at_rest", "key_custody", "breach_notification_hours"),
    "exit": ("exit.data_return", "exit.deletion_days", "exit.export_format", "exit.termination_assistance"),
}


def open_fields(facts: Sequence[Fact]) -> dict[str, tuple[str, ...]]:
    """Per field group, the fields that no fact states yet (groups with none left are omitted)."""
    stated = {f.field for f in facts}
    gaps = {g: tuple(name for name in GROUP_FIELDS[g] if name not in stated) for g in FIELD_GROUPS}
    return {g: names for g, names in gaps.items() if names}


MAX_TOKENS = {"parties": 120, "locations": 260, "law": 140, "subprocessors": 900, "security": 260, "exit": 240}


@dataclass
class ExtractionRun:
    """The facts from all groups of one document, with cost and problems."""

    facts: list[Fact] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    calls: int = 0
    tokens_read: int = 0
    tokens_generated: int = 0
    tokens_cached: int = 0
    seconds: float = 0.0
    prompt_refs: dict[str, str] = field(default_factory=dict)
    ungrounded: int = 0


def render_passages(chunks: Sequence[Chunk]) -> str:
    """The passages block of a prompt: each chunk labelled with its page and heading."""
    blocks = []
    for number, chunk in enumerate(chunks, start=1):
        pages = (
            f"page {chunk.page_start}"
            if chunk.page_start == chunk.page_end
            else f"pages {chunk.page_start}-{chunk.page_end}"
        )
        heading = f"; {chunk.heading}" if chunk.heading else ""
        blocks.append(f"### Passage {number} ({pages}{heading})\n{chunk.text}")
    return "PASSAGES:\n\n" + "\n\n".join(blocks)


class ModelExtractor:
    """Runs the field-group prompts of one document against a backend."""

    def __init__(self, backend: LLMBackend) -> None:
        self.backend = backend
        self.system = prompts.load("system")

    def extract(
        self,
        document: Document,
        passages: Mapping[str, Sequence[Chunk]],
        fields: Mapping[str, Sequence[str]] | None = None,
    ) -> ExtractionRun:
        """Extract every group that has passages (only `fields` of it, if given); no passages means "not stated"."""
        run = ExtractionRun(prompt_refs={"system": self.system.ref})
        grounder = Grounder(document)
        started = time.perf_counter()
        for group in FIELD_GROUPS:
            chunks = passages.get(group) or ()
            template = prompts.load(group)
            run.prompt_refs[group] = template.ref
            if not chunks:
                continue
            wanted = fields.get(group, ()) if fields is not None else GROUP_FIELDS[group]
            if not wanted:
                continue
            answer = self._ask(group, [ANSWER_FIELDS[group][name] for name in wanted], chunks, run)
            if answer is not None:
                spans = [(c.char_start, c.char_end) for c in chunks]
                facts = answer_to_facts(group, answer, grounder, spans, template.ref, self.backend.model_id)
                run.facts.extend(facts.facts)
                run.ungrounded += facts.ungrounded
        run.seconds = time.perf_counter() - started
        if run.ungrounded:
            run.warnings.append(
                f"{run.ungrounded} model answers were dropped: the quote is not in the document or does not "
                "support the value."
            )
        return run

    def _ask(self, group: str, properties: list[str], chunks: Sequence[Chunk], run: ExtractionRun) -> object | None:
        answer_type = ANSWER_TYPES[group]
        schema = answer_schema(group, properties)
        user = prompts.load(group).render(passages=render_passages(chunks), fields=", ".join(properties))
        messages = [Message("system", self.system.system), Message("user", user)]
        max_tokens = MAX_TOKENS[group]
        for attempt in (1, 2):
            request = LLMRequest(
                messages=tuple(messages),
                json_schema=schema,
                max_tokens=max_tokens,
                prompt_id=group,
            )
            try:
                result = self.backend.complete_json(request)
            except BackendError as exc:
                run.errors.append(f"{group}: the model failed ({exc}).")
                return None
            run.calls += 1
            log.debug("group %s reply (%s): %s", group, result.finish_reason, result.text)
            run.tokens_read += result.usage.prompt_tokens - result.usage.cached_tokens
            run.tokens_cached += result.usage.cached_tokens
            run.tokens_generated += result.usage.completion_tokens
            try:
                return answer_type.model_validate_json(result.text)
            except ValidationError as exc:
                problem = _describe(exc, result.finish_reason)
                log.info("group %s attempt %d invalid: %s", group, attempt, problem)
                if result.finish_reason == "length":
                    max_tokens *= 2  # cut off at the limit: give it room once
                else:
                    messages += [
                        Message("assistant", result.text),
                        Message(
                            "user",
                            f"That answer is invalid: {problem}. Answer again with JSON that matches the schema.",
                        ),
                    ]
        run.errors.append(f"{group}: no valid answer after a second try; these fields are left unknown.")
        return None


def _describe(exc: ValidationError, finish_reason: str) -> str:
    if finish_reason == "length":
        return "the answer was cut off at the token limit"
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "answer"
    return f"{where}: {first['msg']}"


@dataclass
class _Facts:
    facts: list[Fact] = field(default_factory=list)
    ungrounded: int = 0


class _FactBuilder:
    """Grounds cited answers and turns them into normalised Facts for one group."""

    def __init__(self, grounder: Grounder, spans: list[tuple[int, int]], prompt_ref: str, model_id: str) -> None:
        self.grounder = grounder
        self.spans = spans
        self.prompt_ref = prompt_ref
        self.model_id = model_id
        self.out = _Facts()

    def locate(self, quote: str) -> tuple[object, str] | None:
        for span in self.spans:
            evidence = self.grounder.locate(quote, near=span)
            if evidence and span[0] <= evidence.char_start < span[1]:
                return evidence, self.grounder.sentence_around(evidence)
        evidence = self.grounder.locate(quote)
        return (evidence, self.grounder.sentence_around(evidence)) if evidence else None

    def add(self, name: str, cited: Cited | None, convert: object, *, keep_null: bool = False) -> None:
        """Ground `cited`, convert its value (and, failing that, its quote) and record the fact."""
        if cited is None or not cited.quote.strip() or (cited.value is None and not keep_null):
            return
        found = self.locate(cited.quote)
        if found is None:
            self.out.ungrounded += 1
            return
        evidence, sentence = found
        cue = FIELD_CUES.get(name)
        if cue and not cue.search(sentence):
            self.out.ungrounded += 1
            return
        values = convert(cited.value, sentence)  # type: ignore[operator]
        for value in values:
            self.emit(name, value, cited.value or "", evidence)

    def emit(self, name: str, value: FactValue, raw: str, evidence: object) -> None:
        document = self.grounder.document
        self.out.facts.append(
            Fact(
                field=name,
                value=value,
                raw=raw,
                evidence=(evidence,),  # type: ignore[arg-type]
                confidence=0.7 if evidence.match != "fuzzy" else 0.5,  # type: ignore[attr-defined]
                source="model",
                section=section_at(document.text, evidence.char_start),  # type: ignore[attr-defined]
                prompt_ref=self.prompt_ref,
                model_id=self.model_id,
            )
        )


def _countries(value: str | None, sentence: str) -> list[str]:
    """Codes named in the value, kept only where the quoted sentence supports them."""
    from_value = normalise.countries_in(value or "") or ([c] if (c := normalise.to_country(value)) else [])
    supported = set(normalise.countries_in(sentence))
    if from_value:
        return [c for c in from_value if c in supported or _region_supported(c, sentence)]
    return []


def _region_supported(code: str, sentence: str) -> bool:
    return normalise.jurisdiction(sentence) == code


def _jurisdiction(value: str | None, sentence: str) -> list[str]:
    code = normalise.jurisdiction(value) or normalise.to_country(value)
    if code and (
        code == normalise.jurisdiction(sentence)
        or code in normalise.countries_in(sentence)
        or code.split("-")[0] in normalise.countries_in(sentence)
    ):
        return [code]
    return []


def _days(value: str | None, sentence: str) -> list[int]:
    """A period in days, kept only when the quoted sentence states the same period."""
    found = normalise.days(value)
    return [found] if found is not None and found in _periods(sentence, normalise.days) else []


def _hours(value: str | None, sentence: str) -> list[int | None]:
    """A deadline in hours; None ("without undue delay") only when the sentence gives no number."""
    found = normalise.hours(value)
    if found is None:
        stated_without_number = normalise.hours(sentence) is None and _NO_NUMBER_DEADLINE.search(sentence)
        return [None] if stated_without_number else []
    return [found] if found in _periods(sentence, normalise.hours) else []


def _periods(sentence: str, convert: Callable[[str], int | None]) -> set[int]:
    """Every period the sentence states, converted (a sentence may give several)."""
    found = set()
    for part in re.split(r"[,;()]| and | or | en | of | und | oder ", sentence):
        value = convert(part)
        if value is not None:
            found.add(value)
    whole = convert(sentence)
    return found | ({whole} if whole is not None else set())


def _boolean(value: str | None, sentence: str) -> list[bool]:
    found = normalise.boolean_answer(value)
    return [found] if found is not None else []


def _text(value: str | None, sentence: str) -> list[str]:
    return [value.strip()] if value and value.strip() else []


def _mechanisms(value: str | None, sentence: str) -> list[str]:
    return normalise.transfer_mechanisms(f"{value or ''} {sentence}") if value else []


def answer_to_facts(
    group: str, answer: object, grounder: Grounder, spans: list[tuple[int, int]], prompt_ref: str, model_id: str
) -> _Facts:
    """Turn one group's validated answer into grounded, normalised facts."""
    build = _FactBuilder(grounder, spans, prompt_ref, model_id)
    if isinstance(answer, PartiesAnswer):
        _provider(build, answer)
    elif isinstance(answer, LocationsAnswer):
        for cited in answer.storage:
            build.add("storage_locations", cited, _countries)
        for cited in answer.remote_access:
            build.add("remote_access_locations", cited, _countries)
    elif isinstance(answer, LawAnswer):
        build.add("governing_law", answer.governing_law, _jurisdiction)
        build.add("courts", answer.courts, _jurisdiction)
    elif isinstance(answer, SubprocessorsAnswer):
        _subprocessors(build, answer)
    elif isinstance(answer, SecurityAnswer):
        for cited in answer.transfer_mechanisms:
            build.add("transfer_mechanisms", cited, _mechanisms)
        build.add("encryption_at_rest", answer.encryption_at_rest, _boolean)
        custody = answer.key_custody
        if custody.value != "not_stated":
            build.add("key_custody", Cited(quote=custody.quote, value=custody.value), _text)
        build.add("breach_notification_hours", answer.breach_notification, _hours)
    elif isinstance(answer, ExitAnswer):
        build.add("exit.data_return", answer.data_return, _boolean)
        build.add("exit.deletion_days", answer.deletion_period, _days)
        build.add("exit.export_format", answer.export_format, _text)
        build.add("exit.termination_assistance", answer.termination_assistance, _boolean)
    return build.out


def _provider(build: _FactBuilder, answer: PartiesAnswer) -> None:
    name = answer.provider_name
    if name.value and name.quote.strip():
        located = build.locate(name.value)  # the name itself must be in the document
        quoted = build.locate(name.quote)
        if located and quoted:
            build.emit("provider.name", located[0].quote, name.value, quoted[0])  # type: ignore[attr-defined]
        else:
            build.out.ungrounded += 1
    build.add("provider.country", answer.provider_country, _countries)


def _subprocessors(build: _FactBuilder, answer: SubprocessorsAnswer) -> None:
    for item in answer.subprocessors:
        located = build.locate(item.name)
        if located is None:
            build.out.ungrounded += 1
            continue
        evidence, sentence = located
        codes = _countries(item.country, sentence) if item.country else []
        country = codes[0] if codes else None
        value = {"name": evidence.quote, "country": country, "purpose": item.purpose}  # type: ignore[attr-defined]
        build.emit("subprocessors", value, item.name, evidence)
    build.add("subprocessor_change_notice_days", answer.notice_period, _days)
    build.add("subprocessor_objection_right", answer.objection_right, _boolean)


def answer_json(answer: object) -> str:
    """Compact JSON of an answer, for logs and tests."""
    return json.dumps(answer.model_dump() if hasattr(answer, "model_dump") else answer, ensure_ascii=False)
