"""Risk assessment: a table over every rule (fires / does not fire / unknown), levels, policy, evidence, goldens."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pycountry
import pytest

from analyser.errors import ConfigError
from analyser.export import report_schema
from analyser.policy import LoadedPolicy, Policy, default_policy, parse_policy
from analyser.risk import assess, load_rules, risk_markdown
from analyser.risk.regions import adequacy_list, in_eea, matches_region
from analyser.risk.rulebook import parse_rules
from analyser.risk.situation import group_key
from analyser.types import DocumentReport, Evidence, ExitTerms, FieldReview, Provider, SubProcessor
from tests.golden import check_golden

DATA = Path(__file__).parent / "data" / "risk"
EXAMPLES = ("en_dpa_cloudhost", "nl_verwerkersovereenkomst_schoolcloud")

# A contract that meets the default policy everywhere; only KEY-04 (customer-held keys, a mitigation) fires.
BASELINE: dict[str, Any] = {
    "document": "baseline.pdf",
    "provider": Provider(name="Polder Cloud B.V.", country="NL"),
    "storage_locations": ("NL",),
    "remote_access_locations": ("NL",),
    "governing_law": "NL",
    "courts": "NL",
    "subprocessors": (SubProcessor(name="Amstel Colo B.V.", country="NL"),),
    "subprocessor_change_notice_days": 30,
    "subprocessor_objection_right": True,
    "transfer_mechanisms": (),
    "key_custody": "customer",
    "encryption_at_rest": True,
    "breach_notification_hours": 24,
    "exit": ExitTerms(data_return=True, deletion_days=30, export_format="CSV", termination_assistance=True),
}
US_SUB = (SubProcessor(name="MailRelay Inc.", country="US"),)
IN_SUB = (SubProcessor(name="Pune Support Pvt Ltd", country="IN"),)
US_GROUP = {
    "provider": Provider(name="Northwind Analytics Europe B.V.", country="NL"),
    "subprocessors": (SubProcessor(name="Northwind Analytics, Inc.", country="US"),),
    "transfer_mechanisms": ("SCC",),
}
UNDUE_DELAY = {"breach_notification_hours": FieldReview(status="found", raw="without undue delay")}


def report(**changes: Any) -> DocumentReport:
    """The baseline report with some facts changed."""
    return DocumentReport(**{**BASELINE, **changes})


def policy(**changes: Any) -> LoadedPolicy:
    """The default policy with some thresholds changed."""
    lines = [f"{key} = {json.dumps(value)}" for key, value in {"name": "test", **changes}.items()]
    return parse_policy("\n".join(lines), "test.toml")


def fired(doc: DocumentReport, used: LoadedPolicy | None = None) -> set[str]:
    return {f.rule_id for f in assess(doc, used).findings}


# (case, report changes, policy changes, exact rule ids expected)
CASES: list[tuple[str, dict[str, Any], dict[str, Any], set[str]]] = [
    ("baseline", {}, {}, {"KEY-04"}),
    (
        "GEO-01 fires: US storage",
        {"storage_locations": ("US",), "transfer_mechanisms": ("SCC",)},
        {},
        {"GEO-01", "KEY-04"},
    ),
    ("GEO-01 fires: CH not allowed", {"storage_locations": ("CH",)}, {}, {"GEO-01", "KEY-04"}),
    (
        "GEO-01 not: CH allowed",
        {"storage_locations": ("CH",)},
        {"allowed_storage_regions": ["EEA", "ADEQUATE"]},
        {"KEY-04"},
    ),
    ("GEO-01 not: EU token", {"storage_locations": ("EU",)}, {}, {"KEY-04"}),
    ("GEO-02 fires", {"storage_locations": ("GLOBAL",), "transfer_mechanisms": ("SCC",)}, {}, {"GEO-02", "KEY-04"}),
    ("GEO-02+05 fire", {"storage_locations": ("NON_EEA",)}, {}, {"GEO-02", "GEO-05", "KEY-04"}),
    (
        "GEO-02 not: GLOBAL allowed",
        {"storage_locations": ("GLOBAL",), "transfer_mechanisms": ("SCC",)},
        {"allowed_storage_regions": ["GLOBAL"]},
        {"KEY-04"},
    ),
    ("GEO-03 unknown", {"storage_locations": ()}, {}, {"GEO-03", "KEY-04"}),
    ("GEO-04 fires", {"remote_access_locations": ("IN",), "transfer_mechanisms": ("SCC",)}, {}, {"GEO-04", "KEY-04"}),
    ("GEO-04 not: CH adequate", {"remote_access_locations": ("CH",)}, {}, {"KEY-04"}),
    (
        "GEO-04 not: US allowed",
        {"remote_access_locations": ("US",), "transfer_mechanisms": ("SCC",)},
        {"allowed_access_regions": ["EEA", "US"]},
        {"KEY-04"},
    ),
    ("GEO-05 fires", {"remote_access_locations": ("IN",)}, {}, {"GEO-04", "GEO-05", "KEY-04"}),
    ("GEO-05 not: JP adequate", {"remote_access_locations": ("JP",)}, {}, {"KEY-04"}),
    (
        "GEO-05 not: US with DPF",
        {"subprocessors": US_SUB, "transfer_mechanisms": ("DPF",)},
        {},
        {"GEO-06", "JUR-03", "SUB-05", "KEY-04"},
    ),
    ("GEO-05 fires: US without DPF", {"subprocessors": US_SUB}, {}, {"GEO-05", "JUR-03", "SUB-05", "KEY-04"}),
    (
        "GEO-06 not: SCC fallback",
        {"subprocessors": US_SUB, "transfer_mechanisms": ("DPF", "SCC")},
        {},
        {"JUR-03", "SUB-05", "KEY-04"},
    ),
    ("GEO-07 fires", {"storage_locations": ("DE",)}, {"allowed_storage_regions": ["NL"]}, {"GEO-07", "KEY-04"}),
    ("GEO-07 not", {"storage_locations": ("NL",)}, {"allowed_storage_regions": ["NL"]}, {"KEY-04"}),
    ("JUR-01 fires: US seat", {"provider": Provider(name="Acme Cloud Inc.", country="US")}, {}, {"JUR-01", "KEY-04"}),
    ("JUR-01 fires: US group", US_GROUP, {}, {"JUR-01", "SUB-05", "KEY-04"}),
    (
        "JUR-02 fires: policy accepts",
        {"provider": Provider(name="Acme Cloud Inc.", country="US")},
        {"data_classification": "internal"},
        {"JUR-02", "KEY-04"},
    ),
    (
        "JUR-03 not: policy accepts",
        {"subprocessors": US_SUB, "transfer_mechanisms": ("SCC",)},
        {"data_classification": "internal"},
        {"SUB-05", "KEY-04"},
    ),
    ("JUR-04 fires", {"governing_law": "US-DE"}, {}, {"JUR-04", "KEY-04"}),
    ("JUR-04 not: trusted", {"governing_law": "US-DE"}, {"trusted_jurisdictions": ["EEA", "US"]}, {"KEY-04"}),
    ("JUR-05 fires", {"courts": "GB"}, {}, {"JUR-05", "KEY-04"}),
    ("JUR-05 not: trusted", {"courts": "GB-ENG"}, {"trusted_jurisdictions": ["EEA", "GB"]}, {"KEY-04"}),
    ("JUR-06 unknown", {"governing_law": None}, {}, {"JUR-06", "KEY-04"}),
    ("JUR-07 unknown", {"provider": Provider(name="Polder Cloud B.V.")}, {}, {"JUR-07", "KEY-04"}),
    (
        "KEY-01 fires",
        {"key_custody": "provider", "remote_access_locations": ("US",), "transfer_mechanisms": ("SCC",)},
        {},
        {"GEO-04", "KEY-01"},
    ),
    (
        "KEY-01 fires: third party",
        {"key_custody": "third_party", "storage_locations": ("NL", "GLOBAL"), "transfer_mechanisms": ("SCC",)},
        {},
        {"GEO-02", "KEY-01"},
    ),
    ("KEY-01 not: no exposure", {"key_custody": "provider"}, {}, set()),
    (
        "KEY-02 fires",
        {"key_custody": "not_stated", "remote_access_locations": ("US",), "transfer_mechanisms": ("SCC",)},
        {},
        {"GEO-04", "KEY-02"},
    ),
    ("KEY-02 not: no exposure", {"key_custody": "not_stated"}, {}, set()),
    ("KEY-03 fires", {"key_custody": "provider"}, {"required_key_custody": "customer"}, {"KEY-03"}),
    ("KEY-03 not: any", {"key_custody": "provider"}, {"required_key_custody": "any"}, set()),
    ("KEY-05 unknown", {"encryption_at_rest": None}, {}, {"KEY-04", "KEY-05"}),
    ("KEY-06 fires", {"encryption_at_rest": False}, {}, {"KEY-04", "KEY-06"}),
    ("SUB-01 fires", {"subprocessor_objection_right": False}, {}, {"SUB-01", "KEY-04"}),
    ("SUB-02 unknown", {"subprocessor_objection_right": None}, {}, {"SUB-02", "KEY-04"}),
    ("SUB-03 unknown", {"subprocessor_change_notice_days": None}, {}, {"SUB-03", "KEY-04"}),
    ("SUB-04 fires", {"subprocessor_change_notice_days": 14}, {}, {"SUB-04", "KEY-04"}),
    (
        "SUB-04 not: policy 14",
        {"subprocessor_change_notice_days": 14},
        {"min_subprocessor_notice_days": 14},
        {"KEY-04"},
    ),
    ("SUB-05 fires", {"subprocessors": IN_SUB, "transfer_mechanisms": ("SCC",)}, {}, {"SUB-05", "KEY-04"}),
    ("SUB-06 unknown", {"subprocessors": ()}, {}, {"SUB-06", "KEY-04"}),
    (
        "EXIT-01 fires",
        {"exit": ExitTerms(data_return=False, deletion_days=30, export_format="CSV", termination_assistance=True)},
        {},
        {"EXIT-01", "KEY-04"},
    ),
    (
        "EXIT-02 unknown",
        {"exit": ExitTerms(deletion_days=30, export_format="CSV", termination_assistance=True)},
        {},
        {"EXIT-02", "KEY-04"},
    ),
    (
        "EXIT-03 unknown",
        {"exit": ExitTerms(data_return=True, deletion_days=30, termination_assistance=True)},
        {},
        {"EXIT-03", "KEY-04"},
    ),
    (
        "EXIT-04 unknown",
        {"exit": ExitTerms(data_return=True, export_format="CSV", termination_assistance=True)},
        {},
        {"EXIT-04", "KEY-04"},
    ),
    (
        "EXIT-05 fires",
        {"exit": ExitTerms(data_return=True, deletion_days=90, export_format="CSV", termination_assistance=True)},
        {},
        {"EXIT-05", "KEY-04"},
    ),
    (
        "EXIT-05 not: policy 90",
        {"exit": ExitTerms(data_return=True, deletion_days=90, export_format="CSV", termination_assistance=True)},
        {"max_deletion_days": 90},
        {"KEY-04"},
    ),
    (
        "EXIT-06 fires",
        {"exit": ExitTerms(data_return=True, deletion_days=30, export_format="CSV", termination_assistance=False)},
        {},
        {"EXIT-06", "KEY-04"},
    ),
    (
        "EXIT-07 unknown",
        {"exit": ExitTerms(data_return=True, deletion_days=30, export_format="CSV")},
        {},
        {"EXIT-07", "KEY-04"},
    ),
    ("INC-01 fires", {"breach_notification_hours": 72}, {}, {"INC-01", "KEY-04"}),
    ("INC-02 fires", {"breach_notification_hours": 60}, {}, {"INC-02", "KEY-04"}),
    ("INC-02 not: at the maximum", {"breach_notification_hours": 48}, {}, {"KEY-04"}),
    (
        "INC-02 fires: strict policy",
        {"breach_notification_hours": 36},
        {"max_breach_notification_hours": 24},
        {"INC-02", "KEY-04"},
    ),
    ("INC-03 fires", {"breach_notification_hours": None, "facts": UNDUE_DELAY}, {}, {"INC-03", "KEY-04"}),
    ("INC-04 unknown", {"breach_notification_hours": None}, {}, {"INC-04", "KEY-04"}),
]


@pytest.mark.parametrize(("case", "changes", "policy_changes", "expected"), CASES, ids=[c[0] for c in CASES])
def test_rule_table(case: str, changes: dict[str, Any], policy_changes: dict[str, Any], expected: set[str]) -> None:
    risk = assess(report(**changes), policy(**policy_changes))
    assert {f.rule_id for f in risk.findings} == expected
    for finding in risk.findings:
        for text in (finding.explanation, finding.explanation_nl, finding.action, finding.action_nl):
            assert "$" not in text, (finding.rule_id, text)


def test_every_rule_fires_in_the_table() -> None:
    fired_ids = {rule_id for _, _, _, expected in CASES for rule_id in expected}
    assert fired_ids == {rule.id for rule in load_rules()}


def test_rule_files_are_complete() -> None:
    rules = load_rules()
    assert len(rules) == 37
    assert len({r.id for r in rules}) == len(rules)
    for rule in rules:
        assert rule.legal_basis and rule.title.nl and rule.explanation.nl and rule.action.nl
        assert rule.id.split("-")[0] == {"geographic": "GEO", "jurisdiction": "JUR", "key_custody": "KEY"}.get(
            rule.dimension, {"subprocessors": "SUB", "exit": "EXIT", "incident": "INC"}.get(rule.dimension)
        )


def test_a_rule_naming_an_unknown_predicate_is_a_config_error() -> None:
    raw = {"rule": [{"id": "GEO-99", "dimension": "geographic", "severity": "high", "when": "os.system",
                     "title": {"en": "t", "nl": "t"}, "legal_basis": [{"instrument": "GDPR"}],
                     "explanation": {"en": "e", "nl": "e"}, "action": {"en": "a", "nl": "a"}}]}  # fmt: skip
    with pytest.raises(ConfigError, match=r"Risk rule 0 in x.toml is invalid: when: .*unknown predicate 'os.system'"):
        parse_rules(raw, "x.toml")


def test_not_stated_everywhere_gives_unknown_levels() -> None:
    risk = assess(DocumentReport(document="empty.pdf"))
    assert {name: d.level for name, d in risk.dimensions.items()} == dict.fromkeys(risk.dimensions, "unknown")
    assert risk.overall == "unknown"
    assert risk.dimensions["exit"].explanation == (
        "Unknown: the document does not say what happens to your data at the end of the contract: "
        "whether it is returned to you or deleted."
    )
    assert {f.kind for f in risk.findings} == {"not_stated"}
    assert all(f.evidence == () for f in risk.findings)
    assert risk.sovereignty_level == "SEAL-1"


def test_levels_follow_severity_and_mitigation() -> None:
    risk = assess(report(key_custody="customer", remote_access_locations=("US",), transfer_mechanisms=("SCC",)))
    assert risk.dimensions["key_custody"].level == "low"
    assert risk.dimensions["key_custody"].explanation == "Low: You hold the encryption keys."
    assert risk.dimensions["geographic"].level == "medium"
    assert risk.overall == "medium"
    assert risk.overall_explanation == "Medium overall, driven by geography."
    assert risk.overall_explanation_nl == "Middel in totaal, door geografie."


def test_policy_changes_levels_and_is_recorded() -> None:
    us = report(provider=Provider(name="Acme Cloud Inc.", country="US"), exit=BASELINE["exit"].model_copy(
        update={"deletion_days": 90}))  # fmt: skip
    strict = assess(us, policy())
    lenient = assess(us, policy(data_classification="internal", max_deletion_days=90))
    assert (strict.dimensions["jurisdiction"].level, lenient.dimensions["jurisdiction"].level) == ("high", "medium")
    assert (strict.dimensions["exit"].level, lenient.dimensions["exit"].level) == ("medium", "low")
    assert (strict.overall, lenient.overall) == ("high", "medium")
    assert lenient.policy.name == "test"
    assert lenient.policy.data_classification == "internal"
    assert len(lenient.policy.sha256) == 64 and lenient.policy.sha256 != strict.policy.sha256
    assert assess(us).policy == default_policy().ref


def test_finding_carries_the_evidence_it_rests_on() -> None:
    quote = "Customer Data is stored in data centres in Virginia, United States."
    evidence = Evidence(quote=quote, page=3, char_start=10, char_end=10 + len(quote), match="exact")
    other = Evidence(quote="Backups are kept in Amsterdam.", page=4, char_start=90, char_end=120, match="exact")
    facts = {"storage_locations": FieldReview(status="found", evidence=(evidence, other))}
    risk = assess(report(storage_locations=("US", "NL"), transfer_mechanisms=("SCC",), facts=facts))
    finding = next(f for f in risk.findings if f.rule_id == "GEO-01")
    assert [(e.quote, e.page, e.field) for e in finding.evidence] == [(quote, 3, "storage_locations")]
    assert [b.cite() for b in finding.legal_basis][:3] == ["GDPR Art. 44", "GDPR Art. 45", "GDPR Art. 46"]
    assert finding.explanation.startswith("The document places your data in US, outside the EEA")
    assert finding.explanation_nl.startswith("Het document plaatst uw gegevens in US, buiten de EER")


def test_us_group_company_is_read_from_subprocessor_names() -> None:
    quote = "Northwind Analytics, Inc. United States Second-line support"
    facts = {
        "subprocessors": FieldReview(
            status="found",
            evidence=(Evidence(quote=quote, page=4, char_start=0, char_end=len(quote), match="exact"),),
        )
    }
    risk = assess(report(**US_GROUP, facts=facts))
    finding = next(f for f in risk.findings if f.rule_id == "JUR-01")
    assert finding.severity == "high"
    assert "Northwind Analytics, Inc. is seated in the United States" in finding.explanation
    assert [b.cite() for b in finding.legal_basis][:2] == [
        "US CLOUD Act 18 U.S.C. §2713",
        "FISA Section 702 (50 U.S.C. §1881a)",
    ]
    assert [(e.page, e.field) for e in finding.evidence] == [(4, "subprocessors")]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Northwind Analytics Europe Limited", "northwind"),
        ("CloudHost Inc.", "cloudhost"),
        ("The Data Company B.V.", None),
        ("AWS", None),
        (None, None),
    ],
)
def test_group_key(name: str | None, key: str | None) -> None:
    assert group_key(name) == key


@pytest.mark.parametrize(
    ("changes", "seal", "objectives"),
    [
        ({}, "SEAL-4", ("SEAL-4", "SEAL-4", "SEAL-4")),
        ({"key_custody": "provider"}, "SEAL-3", ("SEAL-4", "SEAL-3", "SEAL-4")),
        ({"storage_locations": ("US",), "transfer_mechanisms": ("SCC",)}, "SEAL-0", ("SEAL-2", "SEAL-0", "SEAL-2")),
        ({**US_GROUP, "key_custody": "provider"}, "SEAL-1", ("SEAL-1", "SEAL-1", "SEAL-1")),
        ({"subprocessors": IN_SUB, "transfer_mechanisms": ("SCC",)}, "SEAL-2", ("SEAL-2", "SEAL-2", "SEAL-2")),
        (
            {"provider": Provider(name="Acme Inc.", country="US"), "governing_law": "US-CA"},
            "SEAL-0",
            ("SEAL-0", "SEAL-2", "SEAL-1"),
        ),
    ],
)
def test_sovereignty_indication(changes: dict[str, Any], seal: str, objectives: tuple[str, ...]) -> None:
    indication = assess(report(**changes)).sovereignty
    assert indication.level == seal
    assert tuple(o.level for o in indication.objectives) == objectives
    assert [o.objective for o in indication.objectives] == ["SOV-2", "SOV-3", "SOV-4"]
    assert "not a certification" in indication.label


def test_regions_and_adequacy_list() -> None:
    listing = adequacy_list()
    assert listing.as_of == "2025-10-01"
    for decision in listing.decisions:
        assert pycountry.countries.get(alpha_2=decision.country) is not None
        assert not in_eea(decision.country)
    assert sum(in_eea(c.alpha_2) for c in pycountry.countries) == 30
    assert matches_region("US-CA", ["US"]) and not matches_region("US", ["ADEQUATE"])
    assert matches_region("GB", ["ADEQUATE"]) and matches_region("EU", ["EEA"]) and not matches_region("GLOBAL", ["US"])


@pytest.mark.parametrize("name", EXAMPLES)
def test_golden_risk_of_example_documents(name: str) -> None:
    doc = DocumentReport.model_validate_json((DATA / f"{name}.report.json").read_text(encoding="utf-8"))
    risk = assess(doc)
    check_golden(f"risk/{name}.json", json.dumps(risk.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")


def test_golden_markdown_in_dutch() -> None:
    doc = DocumentReport.model_validate_json((DATA / f"{EXAMPLES[0]}.report.json").read_text(encoding="utf-8"))
    check_golden(f"risk/{EXAMPLES[0]}.nl.md", risk_markdown(assess(doc), "nl"))


def test_report_with_risk_validates_against_the_published_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    doc = report(storage_locations=("US",), transfer_mechanisms=("SCC",))
    payload = doc.model_copy(update={"risk": assess(doc)}).model_dump(mode="json")
    schema = report_schema()
    jsonschema.validate(payload, schema)
    risk = schema["$defs"]["Risk"]["properties"]
    assert {"overall", "dimensions", "sovereignty_level", "findings"} <= set(risk)
    finding = schema["$defs"]["Finding"]["properties"]
    assert {"rule_id", "dimension", "severity", "title", "legal_basis", "explanation", "action", "evidence"} <= set(
        finding
    )


def test_policy_model_defaults_match_the_default_file() -> None:
    assert default_policy().policy.model_dump(exclude={"name", "description"}) == Policy(name="x").model_dump(
        exclude={"name", "description"}
    )


def test_dutch_texts_name_the_key_holder_in_dutch() -> None:
    doc = report(key_custody="provider", remote_access_locations=("US",), transfer_mechanisms=("SCC",))
    finding = next(f for f in assess(doc).findings if f.rule_id == "KEY-01")
    assert finding.explanation.startswith("The provider manages the encryption keys while the data is exposed to US.")
    assert finding.explanation_nl.startswith(
        "De sleutels worden beheerd door de leverancier, terwijl de gegevens blootstaan aan US."
    )
