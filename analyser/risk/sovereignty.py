"""An indicative EU Cloud Sovereignty Framework level (SEAL-0 to SEAL-4) read from contract facts.

The framework (European Commission, DG DIGIT, v1.2.1, October 2025) scores eight objectives
from evidence about the service and its provider. A contract shows only part of that: this
module rates the three objectives a contract speaks to (SOV-2 legal and jurisdictional, SOV-3
data and AI, SOV-4 operational) and takes the weakest, as the framework does. It is an
indication for a first conversation, never a certification, and it does not depend on the
organisation policy.
"""

from __future__ import annotations

from dataclasses import dataclass

from analyser.risk.regions import UNSPECIFIED_OUTSIDE, in_eea, is_adequate
from analyser.risk.situation import Situation
from analyser.types import DocumentReport, ObjectiveIndication, SealLevel, SovereigntyIndication

SEAL_NAMES: dict[int, tuple[str, str]] = {
    0: ("no sovereignty", "geen soevereiniteit"),
    1: ("jurisdictional sovereignty", "juridische soevereiniteit"),
    2: ("data sovereignty", "datasoevereiniteit"),
    3: ("digital resilience", "digitale weerbaarheid"),
    4: ("full digital sovereignty", "volledige digitale soevereiniteit"),
}


@dataclass(frozen=True, slots=True)
class _Rating:
    level: int
    reason: str
    reason_nl: str


def _seal(level: int) -> SealLevel:
    return f"SEAL-{level}"  # type: ignore[return-value]


def _eea_or_adequate(code: str) -> bool:
    return in_eea(code) or (code not in UNSPECIFIED_OUTSIDE and is_adequate(code))


def legal_rating(report: DocumentReport, situation: Situation) -> _Rating:
    """SOV-2: who can legally compel access, and which law and courts govern the contract."""
    seat, law, courts = report.provider.country, report.governing_law, report.courts
    if seat and not in_eea(seat) and (law is None or not in_eea(law)):
        return _Rating(
            0,
            "The provider is seated outside the EEA under non-EEA law.",
            "De leverancier is buiten de EER gevestigd, onder niet-EER-recht.",
        )
    if situation.us_group:
        return _Rating(
            1,
            "EEA law may apply, but the provider or its group is subject to US law (CLOUD Act).",
            "EER-recht kan gelden, maar de leverancier of zijn concern valt onder Amerikaans recht (CLOUD Act).",
        )
    if not seat or not law or not in_eea(seat) or not in_eea(law):
        return _Rating(
            1,
            "The contract does not show an EEA provider under EEA law.",
            "Het contract toont geen EER-leverancier onder EER-recht.",
        )
    if situation.exposed_locations:
        return _Rating(
            2,
            "EEA provider and law, but parties in third countries can reach the data.",
            "EER-leverancier en -recht, maar partijen in derde landen kunnen bij de gegevens.",
        )
    if not courts or not in_eea(courts) or any(not in_eea(c) for c in _locations(report)):
        return _Rating(
            3,
            "EEA provider and law; courts not stated in the EEA or parties in adequate countries.",
            "EER-leverancier en -recht; rechter niet in de EER vermeld of partijen in adequate landen.",
        )
    return _Rating(
        4,
        "EEA provider, law and courts; no party outside the EEA is named.",
        "EER-leverancier, -recht en -rechter; geen partij buiten de EER genoemd.",
    )


def _locations(report: DocumentReport) -> list[str]:
    codes = [*report.storage_locations, *report.remote_access_locations]
    return codes + [s.country for s in report.subprocessors if s.country]


def data_rating(report: DocumentReport, situation: Situation) -> _Rating:
    """SOV-3: where the data is stored and who can decrypt it."""
    storage = report.storage_locations
    if any(not _eea_or_adequate(c) for c in storage):
        return _Rating(
            0, "Data is stored outside the EEA or anywhere.", "Gegevens worden buiten de EER of overal opgeslagen."
        )
    if not storage:
        return _Rating(
            1,
            "The contract does not say where data is stored.",
            "Het contract zegt niet waar gegevens worden opgeslagen.",
        )
    customer_keys = report.key_custody == "customer"
    if situation.exposed and not customer_keys:
        return _Rating(
            1,
            "Data is stored in the EEA, but is exposed to a third country and the supplier can decrypt it.",
            "Gegevens staan in de EER, maar staan bloot aan een derde land en de leverancier kan ze ontsleutelen.",
        )
    if situation.exposed or not all(in_eea(c) for c in storage):
        return _Rating(
            2,
            "Data is stored in the EEA or an adequate country; customer-held keys limit third-country exposure.",
            "Gegevens staan in de EER of een adequaat land; sleutels in eigen beheer beperken blootstelling.",
        )
    if not customer_keys:
        return _Rating(
            3,
            "Data stays in the EEA; the supplier holds the keys.",
            "Gegevens blijven in de EER; de leverancier beheert de sleutels.",
        )
    return _Rating(
        4,
        "Data stays in the EEA and the customer holds the keys.",
        "Gegevens blijven in de EER en de klant beheert de sleutels.",
    )


def _exit_complete(report: DocumentReport) -> bool:
    terms = report.exit
    return bool(terms.data_return and terms.export_format and terms.termination_assistance)


def operational_rating(report: DocumentReport, situation: Situation) -> _Rating:
    """SOV-4: who operates and supports the service, and whether you can leave."""
    access = report.remote_access_locations
    if any(c in UNSPECIFIED_OUTSIDE for c in access):
        return _Rating(0, "The service may be operated from anywhere.", "De dienst kan van overal worden beheerd.")
    if any(not _eea_or_adequate(c) for c in access) or situation.us_group:
        return _Rating(
            1,
            "Operations or support run from a third country or a US group company.",
            "Beheer of ondersteuning vindt plaats vanuit een derde land of een Amerikaans concernbedrijf.",
        )
    if situation.exposed_locations:
        return _Rating(
            2,
            "Operated from the EEA, but subprocessors in third countries take part.",
            "Beheerd vanuit de EER, maar subverwerkers in derde landen doen mee.",
        )
    if not access or not _exit_complete(report):
        return _Rating(
            3,
            "Operated in the EEA as far as stated; remote access or exit terms are incomplete.",
            "Beheerd in de EER voor zover vermeld; toegang op afstand of exitvoorwaarden zijn onvolledig.",
        )
    return _Rating(
        4,
        "Operated in the EEA, with data return, an export format and exit assistance.",
        "Beheerd in de EER, met teruggave, een exportformaat en exitondersteuning.",
    )


OBJECTIVES = (
    ("SOV-2", "Legal and jurisdictional sovereignty", legal_rating),
    ("SOV-3", "Data and AI sovereignty", data_rating),
    ("SOV-4", "Operational sovereignty", operational_rating),
)


def indicate(report: DocumentReport, situation: Situation) -> SovereigntyIndication:
    """The indicative SEAL level: the weakest of SOV-2, SOV-3 and SOV-4 as read from the contract."""
    objectives: list[ObjectiveIndication] = []
    for code, name, rate in OBJECTIVES:
        rating = rate(report, situation)
        objectives.append(
            ObjectiveIndication(
                objective=code,  # type: ignore[arg-type]
                name=name,
                level=_seal(rating.level),
                reason=rating.reason,
                reason_nl=rating.reason_nl,
            )
        )
    level = min(int(o.level[-1]) for o in objectives)
    name, name_nl = SEAL_NAMES[level]
    return SovereigntyIndication(
        level=_seal(level),
        objectives=tuple(objectives),
        label=f"Indicative SEAL-{level} ({name}) for SOV-2, SOV-3 and SOV-4, read from the contract text only: "
        "not a certification or an assessment under the EU Cloud Sovereignty Framework.",
        label_nl=f"Indicatief SEAL-{level} ({name_nl}) voor SOV-2, SOV-3 en SOV-4, alleen afgeleid uit de "
        "contracttekst: geen certificering of beoordeling volgens het EU Cloud Sovereignty Framework.",
    )
