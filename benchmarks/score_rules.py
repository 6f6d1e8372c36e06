"""Score the rules-only backend on the shared corpus.

Runs `analyser.rules.extract` on every corpus PDF, writes one prediction JSON per document in the
gold schema, then runs the corpus scorer on them.

    python benchmarks/score_rules.py [--out DIR] [--corpus DIR] [--merge] [--show-facts STEM]

Without `--merge` the per-document JSON is built the simple way: a list field is the unique values
in first-seen order (a region dropped when a country inside it is named); a scalar field is the
candidate from the highest-precedence section (amendment > annex > body, a later amendment first),
then the most confident (as the merge stage ranks), then the first; `--first-candidate` skips the
confidence step. With `--merge` the project's merge stage (`analyser.merge.merge`) chooses instead.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from analyser.ingest import read_document  # noqa: E402
from analyser.normalise import EEA_MEMBERS  # noqa: E402
from analyser.rules import extract, section_kind  # noqa: E402
from analyser.types import Document, Fact  # noqa: E402

LIST_FIELDS = ("storage_locations", "remote_access_locations", "transfer_mechanisms")
SCALAR_FIELDS = (
    "provider.name",
    "provider.country",
    "governing_law",
    "courts",
    "subprocessor_change_notice_days",
    "subprocessor_objection_right",
    "key_custody",
    "encryption_at_rest",
    "breach_notification_hours",
    "exit.data_return",
    "exit.deletion_days",
    "exit.export_format",
    "exit.termination_assistance",
)
_RANK = {"amendment": 3, "annex": 2, "body": 1}


def _rank(fact: Fact, by_confidence: bool = True) -> tuple[int, int, float, int]:
    """Precedence first (a later amendment over an earlier one), then confidence, then the earliest."""
    kind = section_kind(fact.section)
    start = fact.evidence[0].char_start
    return (_RANK[kind], start if kind == "amendment" else 0, fact.confidence if by_confidence else 0.0, -start)


def _most_specific(values: list[str]) -> list[str]:
    """Drop EU/EEA when a country inside it is also named (the gold records the most specific place)."""
    european = any(v in EEA_MEMBERS for v in values)
    return [v for v in values if not (v in ("EU", "EEA") and european)]


def simple_prediction(facts: Sequence[Fact], by_confidence: bool = True) -> dict[str, object]:
    """The gold-schema values and evidence chosen from rule facts without the merge stage."""
    values: dict[str, object] = {}
    evidence: dict[str, list[str]] = {}
    for name in LIST_FIELDS:
        chosen = [f for f in facts if f.field == name and f.value is not None]
        kept = _most_specific(list(dict.fromkeys(str(f.value) for f in chosen)))
        values[name] = kept
        evidence[name] = list(dict.fromkeys(f.evidence[0].quote for f in chosen if str(f.value) in kept))
    for name in SCALAR_FIELDS:
        candidates = [f for f in facts if f.field == name]
        best = max(candidates, key=lambda f: _rank(f, by_confidence)) if candidates else None
        values[name] = best.value if best else ("not_stated" if name == "key_custody" else None)
        if best:
            evidence[name] = [best.evidence[0].quote]
    rows = [f for f in facts if f.field == "subprocessors" and isinstance(f.value, dict)]
    values["subprocessors"] = [dict(f.value) for f in rows if isinstance(f.value, dict)]
    evidence["subprocessors"] = [f.evidence[0].quote for f in rows]
    return {"values": values, "evidence": {k: v for k, v in evidence.items() if v}}


def merged_prediction(facts: Sequence[Fact], document: Document) -> dict[str, object]:
    """The gold-schema values and evidence as the project's merge stage chooses them."""
    from analyser.merge import merge

    merged = merge(list(facts), document)
    values = dict(merged.values)
    entries = merged.values.get("subprocessors", [])
    assert isinstance(entries, list)
    values["subprocessors"] = [{k: v for k, v in entry.items() if k != "page"} for entry in entries]
    evidence = {name: [e.quote for e in items] for name, items in merged.evidence.items() if items}
    return {"values": values, "evidence": evidence}


def gold_shape(document: str, chosen: dict[str, object]) -> dict[str, object]:
    """Nest dotted fields the way the gold files do ("exit.deletion_days" → {"exit": {...}})."""
    values = chosen["values"]
    assert isinstance(values, dict)
    prediction: dict[str, object] = {"document": document}
    for name, value in values.items():
        target = prediction
        *parents, leaf = name.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})  # type: ignore[assignment]
        target[leaf] = value
    prediction["evidence"] = chosen["evidence"]
    return prediction


def main(argv: Sequence[str] | None = None) -> int:
    """Predict every corpus PDF into OUT and print the scorer's report."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--out", type=Path, default=None, help="prediction folder (default: a temporary one)")
    parser.add_argument("--merge", action="store_true", help="choose values with analyser.merge instead")
    parser.add_argument("--first-candidate", action="store_true", help="within a section, take the first candidate")
    parser.add_argument("--show-facts", metavar="STEM", help="print every fact of one document")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="rules-pred-"))
    out.mkdir(parents=True, exist_ok=True)
    for pdf in sorted((args.corpus / "docs").glob("*.pdf")):
        document = read_document(pdf)
        facts = extract(document)
        if args.show_facts and args.show_facts in pdf.stem:
            for fact in facts:
                print(
                    f"{fact.field:32} {fact.value!r:40} {fact.confidence:.2f} [{fact.section[:40]}] "
                    f"{fact.evidence[0].quote[:90]!r}"
                )
        if args.merge:
            chosen = merged_prediction(facts, document)
        else:
            chosen = simple_prediction(facts, by_confidence=not args.first_candidate)
        prediction = gold_shape(pdf.name, chosen)
        (out / f"{pdf.stem}.json").write_text(json.dumps(prediction, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"predictions: {out}", file=sys.stderr)
    scorer = args.corpus.parent / "eval" / "score.py"
    command = [sys.executable, str(scorer), str(args.corpus / "gold"), str(out), "--json", str(out / "_score.json")]
    return subprocess.call(command)


if __name__ == "__main__":
    raise SystemExit(main())
