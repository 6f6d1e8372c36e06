"""Interface labels in English and Dutch for the app (field names, buttons, messages)."""

from __future__ import annotations

from typing import Literal, get_args

Lang = Literal["en", "nl"]
LANGUAGES: tuple[Lang, ...] = get_args(Lang)

# Report fields as a reviewer knows them; keys are the report's dotted field names.
FIELD_LABELS: dict[str, dict[Lang, str]] = {
    "provider.name": {"en": "Provider", "nl": "Leverancier"},
    "provider.country": {"en": "Provider's seat", "nl": "Vestigingsland leverancier"},
    "storage_locations": {"en": "Storage locations", "nl": "Opslaglocaties"},
    "remote_access_locations": {"en": "Remote access from", "nl": "Toegang op afstand vanuit"},
    "governing_law": {"en": "Governing law", "nl": "Toepasselijk recht"},
    "courts": {"en": "Competent courts", "nl": "Bevoegde rechter"},
    "subprocessors": {"en": "Subprocessors", "nl": "Subverwerkers"},
    "subprocessor_change_notice_days": {
        "en": "Notice of new subprocessors (days)",
        "nl": "Aankondiging nieuwe subverwerkers (dagen)",
    },
    "subprocessor_objection_right": {"en": "Right to object to subprocessors", "nl": "Recht van bezwaar"},
    "transfer_mechanisms": {"en": "Transfer mechanisms", "nl": "Doorgiftemechanismen"},
    "key_custody": {"en": "Encryption keys held by", "nl": "Sleutelbeheer bij"},
    "encryption_at_rest": {"en": "Encryption at rest", "nl": "Versleuteling in rust"},
    "breach_notification_hours": {"en": "Breach notification (hours)", "nl": "Melding datalek (uren)"},
    "exit.data_return": {"en": "Data returned at exit", "nl": "Teruggave gegevens bij exit"},
    "exit.deletion_days": {"en": "Deletion after exit (days)", "nl": "Verwijdering na exit (dagen)"},
    "exit.export_format": {"en": "Export format", "nl": "Exportformaat"},
    "exit.termination_assistance": {"en": "Termination assistance", "nl": "Exitondersteuning"},
}

LABELS: dict[str, dict[Lang, str]] = {
    "title": {"en": "Contract and DPA review", "nl": "Beoordeling contracten en verwerkersovereenkomsten"},
    "intro": {
        "en": "Everything runs on this machine: uploaded files stay in memory and a temporary folder "
        "that is removed after the analysis.",
        "nl": "Alles draait op deze computer: geüploade bestanden blijven in het geheugen en in een "
        "tijdelijke map die na de analyse wordt verwijderd.",
    },
    "settings": {"en": "Settings", "nl": "Instellingen"},
    "language": {"en": "Interface language", "nl": "Taal van de interface"},
    "reviewer": {"en": "Reviewer name", "nl": "Naam beoordelaar"},
    "backend": {"en": "Analysis engine", "nl": "Analysemethode"},
    "backend.llama": {"en": "Local model (llama.cpp)", "nl": "Lokaal model (llama.cpp)"},
    "backend.rules": {"en": "Patterns only (no model, fast)", "nl": "Alleen patronen (geen model, snel)"},
    "backend.openai": {"en": "Own model server (OpenAI-compatible)", "nl": "Eigen modelserver (OpenAI-compatibel)"},
    "model": {"en": "Model", "nl": "Model"},
    "base_url": {"en": "Server URL", "nl": "Server-URL"},
    "policy": {"en": "Policy", "nl": "Beleid"},
    "no_policy": {"en": "No policy files found.", "nl": "Geen beleidsbestanden gevonden."},
    "upload": {
        "en": "Upload contracts (PDF, DOCX, HTML, Markdown, text), or a saved analysis (JSON) to continue its review",
        "nl": "Upload contracten (PDF, DOCX, HTML, Markdown, tekst), of een opgeslagen analyse (JSON) om verder te "
        "beoordelen",
    },
    "analysing": {"en": "Analysing", "nl": "Bezig met analyseren"},
    "stage.start": {"en": "reading the file", "nl": "bestand lezen"},
    "stage.model": {"en": "loading the model (once per session)", "nl": "model laden (eenmaal per sessie)"},
    "stage.rules": {"en": "finding facts with patterns", "nl": "feiten zoeken met patronen"},
    "stage.retrieve": {"en": "selecting relevant passages", "nl": "relevante passages selecteren"},
    "stage.extract": {"en": "asking the model", "nl": "het model raadplegen"},
    "stage.risk": {"en": "assessing risk", "nl": "risico beoordelen"},
    "stage.done": {"en": "done", "nl": "klaar"},
    "failed": {"en": "Could not analyse", "nl": "Kon niet analyseren"},
    "partial": {"en": "Analysed with problems", "nl": "Geanalyseerd met problemen"},
    "clear": {"en": "Clear all results", "nl": "Alle resultaten wissen"},
    "risk_summary": {"en": "Risk summary", "nl": "Risicosamenvatting"},
    "risk_unavailable": {
        "en": "Risk assessment is not available in this installation.",
        "nl": "Risicobeoordeling is in deze installatie niet beschikbaar.",
    },
    "overall": {"en": "Overall", "nl": "Totaal"},
    "sovereignty": {"en": "Indicative sovereignty level", "nl": "Indicatief soevereiniteitsniveau"},
    "findings": {"en": "Findings", "nl": "Bevindingen"},
    "no_findings": {"en": "No findings.", "nl": "Geen bevindingen."},
    "legal_basis": {"en": "Legal basis", "nl": "Juridische grondslag"},
    "action": {"en": "Suggested action", "nl": "Voorgestelde actie"},
    "facts": {"en": "Facts", "nl": "Feiten"},
    "field": {"en": "Fact", "nl": "Feit"},
    "value": {"en": "Value", "nl": "Waarde"},
    "confidence": {"en": "Confidence", "nl": "Betrouwbaarheid"},
    "quote": {"en": "Quote", "nl": "Citaat"},
    "page": {"en": "Page", "nl": "Pagina"},
    "review_status": {"en": "Review", "nl": "Beoordeling"},
    "not_stated": {"en": "not stated", "nl": "niet vermeld"},
    "evidence": {"en": "Evidence and review", "nl": "Bewijs en beoordeling"},
    "select_fact": {"en": "Fact to inspect", "nl": "Feit om te bekijken"},
    "no_quote": {"en": "No quote for this fact.", "nl": "Geen citaat voor dit feit."},
    "quote_not_on_page": {
        "en": "The quote could not be located on the rendered page.",
        "nl": "Het citaat kon niet op de pagina worden gevonden.",
    },
    "no_pdf": {
        "en": "Page images are shown for PDF files only.",
        "nl": "Pagina-afbeeldingen zijn alleen beschikbaar voor PDF-bestanden.",
    },
    "decision": {"en": "Decision", "nl": "Besluit"},
    "decision.accept": {"en": "Accept", "nl": "Akkoord"},
    "decision.correct": {"en": "Correct", "nl": "Corrigeren"},
    "decision.reject": {"en": "Reject", "nl": "Afwijzen"},
    "new_value": {"en": "Corrected value", "nl": "Gecorrigeerde waarde"},
    "new_value_help": {
        "en": "Lists: separate with ';'. Subprocessors: 'Name (CC)'. Yes/no: yes or no. Empty: not stated.",
        "nl": "Lijsten: scheiden met ';'. Subverwerkers: 'Naam (CC)'. Ja/nee: ja of nee. Leeg: niet vermeld.",
    },
    "note": {"en": "Note", "nl": "Toelichting"},
    "save_decision": {"en": "Record decision", "nl": "Besluit vastleggen"},
    "need_reviewer": {
        "en": "Enter your name in the sidebar to record review decisions.",
        "nl": "Vul uw naam in de zijbalk in om besluiten vast te leggen.",
    },
    "decision_saved": {"en": "Decision recorded.", "nl": "Besluit vastgelegd."},
    "invalid_value": {"en": "Invalid value", "nl": "Ongeldige waarde"},
    "audit_trail": {"en": "Audit trail", "nl": "Audittrail"},
    "no_decisions": {"en": "No review decisions yet.", "nl": "Nog geen besluiten."},
    "original": {"en": "Original value", "nl": "Oorspronkelijke waarde"},
    "time": {"en": "Time", "nl": "Tijdstip"},
    "downloads": {"en": "Downloads", "nl": "Downloads"},
    "download.json": {"en": "JSON report (with review)", "nl": "JSON-rapport (met beoordeling)"},
    "download.csv": {"en": "CSV", "nl": "CSV"},
    "download.xlsx": {"en": "Excel (XLSX)", "nl": "Excel (XLSX)"},
    "download.md": {"en": "Readable report (Markdown)", "nl": "Leesbaar rapport (Markdown)"},
    "comparison": {"en": "Comparison of vendors", "nl": "Vergelijking van leveranciers"},
    "register": {
        "en": "Register of all documents (the same files as `analyser batch`)",
        "nl": "Register van alle documenten (dezelfde bestanden als `analyser batch`)",
    },
    "comparison_hint": {
        "en": "Click a column header to sort.",
        "nl": "Klik op een kolomkop om te sorteren.",
    },
    "sort_by": {"en": "Sort by", "nl": "Sorteren op"},
    "vendor": {"en": "Vendor", "nl": "Leverancier"},
    "document": {"en": "Document", "nl": "Document"},
    "warnings": {"en": "Warnings", "nl": "Waarschuwingen"},
    "yes": {"en": "yes", "nl": "ja"},
    "no": {"en": "no", "nl": "nee"},
    "status.unreviewed": {"en": "not reviewed", "nl": "niet beoordeeld"},
    "status.accept": {"en": "accepted", "nl": "geaccepteerd"},
    "status.correct": {"en": "corrected", "nl": "gecorrigeerd"},
    "status.reject": {"en": "rejected", "nl": "afgewezen"},
    "level.low": {"en": "low", "nl": "laag"},
    "level.medium": {"en": "medium", "nl": "middel"},
    "level.high": {"en": "high", "nl": "hoog"},
    "level.critical": {"en": "critical", "nl": "kritiek"},
    "level.unknown": {"en": "unknown", "nl": "onbekend"},
    "dim.geographic": {"en": "Geography", "nl": "Geografie"},
    "dim.jurisdiction": {"en": "Jurisdiction", "nl": "Rechtsmacht"},
    "dim.key_custody": {"en": "Key custody", "nl": "Sleutelbeheer"},
    "dim.subprocessors": {"en": "Subprocessors", "nl": "Subverwerkers"},
    "dim.exit": {"en": "Exit", "nl": "Exit"},
    "dim.incident": {"en": "Incidents", "nl": "Incidenten"},
    "kind.risk": {"en": "risk", "nl": "risico"},
    "kind.not_stated": {"en": "not stated", "nl": "niet geregeld"},
    "kind.mitigation": {"en": "mitigation", "nl": "mitigatie"},
    "severity": {"en": "Severity", "nl": "Ernst"},
    "risk_of": {"en": "Risk", "nl": "Risico"},
    "dimension": {"en": "Dimension", "nl": "Dimensie"},
    "rule": {"en": "Rule", "nl": "Regel"},
    "title_col": {"en": "Finding", "nl": "Bevinding"},
    "explanation": {"en": "Explanation", "nl": "Toelichting"},
    "policy.default": {"en": "Built-in default policy", "nl": "Ingebouwd standaardbeleid"},
    "policy.upload": {"en": "Or upload a policy file (TOML)", "nl": "Of upload een beleidsbestand (TOML)"},
    "policy.used": {"en": "Assessed against policy", "nl": "Beoordeeld volgens beleid"},
}


def t(key: str, lang: Lang) -> str:
    """The label for `key` in `lang`; the key itself when no label exists (visible, never a crash)."""
    entry = LABELS.get(key)
    return entry[lang] if entry else key


def field_label(field: str, lang: Lang) -> str:
    """A report field's name as a reviewer reads it."""
    entry = FIELD_LABELS.get(field)
    return entry[lang] if entry else field


def as_lang(value: str) -> Lang:
    """Normalise a language code to a supported interface language (English by default)."""
    return "nl" if value.lower().startswith("nl") else "en"


def localised(english: str, dutch: str, lang: Lang) -> str:
    """A text the analyser gives in both languages: the Dutch one when asked for and present."""
    return dutch if lang == "nl" and dutch else english
