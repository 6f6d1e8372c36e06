"""The rules backend: per-field sentence tables in English, Dutch and German, with a negative case each.

The sentences are written for these tests (not taken from the corpus), so they check the patterns
generalise rather than that they remember a document.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analyser.rules import extract, find_sections, section_kind, split_lines, split_sentences
from analyser.types import Document, Fact, build_pages


def document(text: str, media_type: str = "text") -> Document:
    """A one-page document holding `text` (PDF-like wrapping rules apply to "text")."""
    return Document(
        sha256="0" * 64,
        source="test.txt",
        media_type=media_type,  # type: ignore[arg-type]
        language="en",
        pages=build_pages([text]),
        size_bytes=len(text),
    )


def facts(text: str, field: str, media_type: str = "text") -> list[Fact]:
    """The facts of one field the rules find in `text`."""
    return [f for f in extract(document(text, media_type)) if f.field == field]


def values(text: str, field: str, media_type: str = "text") -> list[object]:
    """The values of one field, in document order."""
    return [f.value for f in facts(text, field, media_type)]


# --- Locations --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Customer Data is stored in data centres in Frankfurt, Germany.", ["DE"]),
        ("All backups are replicated to a secondary region in Ireland.", ["IE"]),
        ("The Service is hosted in the European Union.", ["EU"]),
        ("Servers are located in Stockholm, Sweden (EU).", ["SE"]),
        ("Provider shall not store Customer Data outside the European Economic Area.", ["EEA"]),
        ("De gegevens worden opgeslagen in een datacenter in België.", ["BE"]),
        ("Back-ups worden bewaard op een uitwijklocatie in Duitsland.", ["DE"]),
        ("Die Daten werden in einem Rechenzentrum in Österreich gespeichert.", ["AT"]),
        ("Sicherungskopien werden in der Schweiz gespeichert.", ["CH"]),
        # Negatives: a transfer permission, an optional offer, a location given up, an address.
        ("Provider may transfer personal data outside the EEA subject to appropriate safeguards.", []),
        ("We also offer hosting in Switzerland on request.", []),
        ("Customer Data is no longer hosted in France.", []),
        ("Provider has its registered office in Dublin, Ireland, where its data centre team sits.", []),
    ],
)
def test_storage_locations(sentence: str, expected: list[str]) -> None:
    assert values(sentence, "storage_locations") == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Support staff located in India may access Customer Data remotely.", ["IN"]),
        ("Second-line support is provided from Canada.", ["CA"]),
        ("Ondersteuning op afstand wordt geleverd vanuit Polen.", ["PL"]),
        ("Die Fernwartung erfolgt durch Mitarbeiter in Rumänien.", ["RO"]),
        # Negatives: the people the data is about are not a processing location; a control over access
        # "from outside the EEA" names the kind of access it covers, not a place access is made from.
        ("Data subjects located in Spain may exercise their right of access.", []),
        ("Mandatory approval and logging of remote access from outside the EEA.", []),
        ("Monitoring of all access from outside the European Economic Area by the security team.", []),
    ],
)
def test_remote_access_locations(sentence: str, expected: list[str]) -> None:
    assert values(sentence, "remote_access_locations") == expected


def test_one_sentence_can_name_storage_and_remote_access() -> None:
    text = "Customer Data is hosted in Sweden, and support is provided by engineers in Estonia."
    assert values(text, "storage_locations") == ["SE"]
    assert values(text, "remote_access_locations") == ["EE"]


# --- Governing law and courts -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("This Agreement shall be governed by the laws of the State of New York.", ["US-NY"]),
        ("This DPA is governed by and construed in accordance with the laws of Ireland.", ["IE"]),
        ("This DPA is governed by English law.", ["GB-ENG"]),
        ("Op deze overeenkomst is Belgisch recht van toepassing.", ["BE"]),
        ("Dieser Vertrag unterliegt österreichischem Recht.", ["AT"]),
        ("Es gilt das Recht der Bundesrepublik Deutschland.", ["DE"]),
        # Negatives: the SCCs' pointer to the exporter's Member State, a reference to the law in general.
        ("The Clauses shall be governed by the law of the Member State in which the data exporter is established.", []),
        ("Processing is governed by applicable data protection law.", []),
    ],
)
def test_governing_law(sentence: str, expected: list[str]) -> None:
    assert values(sentence, "governing_law") == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The courts of Amsterdam shall have exclusive jurisdiction over any dispute.", ["NL"]),
        ("Any dispute shall be submitted to the courts of England and Wales.", ["GB-ENG"]),
        ("Geschillen worden voorgelegd aan de bevoegde rechter te Rotterdam.", ["NL"]),
        ("Gerichtsstand ist München.", ["DE"]),
        ("Für Streitigkeiten ist das Landgericht Hamburg zuständig.", ["DE"]),
        # German puts the place last, after a long "für alle Streitigkeiten ..." and a proviso.
        (
            "Ausschließlicher Gerichtsstand für sämtliche Streitigkeiten aus oder im Zusammenhang mit dieser "
            "Vereinbarung und ihren Anlagen ist, soweit rechtlich zulässig, Stuttgart.",
            ["DE"],
        ),
        # Negatives: a court order is no forum clause; the exporter's Member State is no fixed place.
        ("Provider will comply with a binding order of a court in the United States.", []),
        (
            "The dispute may be referred to the courts in the Member State in which the data exporter is established.",
            [],
        ),
    ],
)
def test_courts(sentence: str, expected: list[str]) -> None:
    assert values(sentence, "courts") == expected


def test_cover_page_term_resolves_a_defined_jurisdiction() -> None:
    text = (
        "Key Terms\nGoverning State The State of Delaware, United States\n\n"
        "11. Governing Law\nThis DPA will be governed by the laws of the Governing State, and the parties submit to "
        "the exclusive jurisdiction of the courts of the Governing State."
    )
    assert "US-DE" in values(text, "governing_law")
    assert values(text, "courts") == ["US-DE"]


# --- Subprocessor changes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Provider will give at least thirty (30) days' notice before engaging a new sub-processor.", [30]),
        ("We will notify you of any new subprocessor 2 weeks in advance.", [14]),
        (
            "Supplier shall inform Customer of intended changes to its subprocessors at least 10 business days prior.",
            [10],
        ),
        (
            "Verwerker informeert de opdrachtgever ten minste twee weken voordat een nieuwe subverwerker wordt "
            "ingeschakeld.",
            [14],
        ),
        (
            "Der Auftragnehmer teilt die Beauftragung eines neuen Unterauftragsverarbeiters mindestens sechs Wochen "
            "vorher mit.",
            [42],
        ),
        # Negative: the window to object is not the notice period.
        ("Customer may object to a new sub-processor within ten (10) days after the notice.", []),
    ],
)
def test_subprocessor_change_notice_days(sentence: str, expected: list[int]) -> None:
    assert values(sentence, "subprocessor_change_notice_days") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Customer may object to the appointment of a new sub-processor on reasonable grounds.", [True]),
        ("Provider will announce new subprocessors. Customer may raise objections within 14 days.", [True]),
        ("De opdrachtgever kan bezwaar maken tegen de inzet van een nieuwe subverwerker.", [True]),
        ("Der Auftraggeber kann der Beauftragung eines neuen Unterauftragsverarbeiters widersprechen.", [True]),
        ("Customer has no right to object to new sub-processors.", [False]),
        ("Tegen de inzet van subverwerkers kan de opdrachtgever geen bezwaar maken.", [False]),
        ("Ein Widerspruchsrecht gegen neue Unterauftragsverarbeiter steht dem Auftraggeber nicht zu.", [False]),
        # A sentence split at ";" reads with its first half, which names the subprocessor.
        (
            "Neue Unterauftragsverarbeiter zeigt der Auftragnehmer zwei Wochen vorher an. Die Anzeige dient der "
            "Information; ein Recht, dem Einsatz zu widersprechen, steht dem Auftraggeber nicht zu.",
            [False],
        ),
        # Negative: a data subject's objection has nothing to do with subprocessors.
        ("Data subjects may object to the processing of their personal data.", []),
    ],
)
def test_subprocessor_objection_right(text: str, expected: list[bool]) -> None:
    assert values(text, "subprocessor_objection_right") == expected


# --- Transfers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Transfers to the United States are made under the Standard Contractual Clauses.", ["SCC"]),
        ("Provider is certified under the EU-U.S. Data Privacy Framework.", ["DPF"]),
        ("For transfers from the United Kingdom, the UK Addendum applies.", ["UK_ADDENDUM"]),
        ("Transfers within the Provider group are covered by Binding Corporate Rules.", ["BCR"]),
        ("Op de doorgifte zijn de standaardcontractbepalingen van toepassing.", ["SCC"]),
        (
            "Die Übermittlung erfolgt auf Grundlage eines Angemessenheitsbeschlusses der Europäischen Kommission.",
            ["ADEQUACY"],
        ),
        ("The transfer relies on the Data Privacy Framework and, as a fallback, the SCCs.", ["DPF", "SCC"]),
        # The adequacy decision on the DPF is the DPF, not a second mechanism.
        (
            "Die Übermittlung stützt sich auf den Angemessenheitsbeschluss der Kommission zum EU-U.S. Data "
            "Privacy Framework.",
            ["DPF"],
        ),
        (
            "Transfers rely on the adequacy decision for the EU-U.S. Data Privacy Framework.",
            ["DPF"],
        ),
        (
            "Transfers to Japan rely on an adequacy decision, and transfers to the US on the Data Privacy Framework.",
            ["ADEQUACY", "DPF"],
        ),
        # Negatives: a decision that does not exist, a list of options, a framework not relied on.
        ("Where no adequacy decision exists, the parties will agree on other safeguards.", []),
        ("Onward transfers require Standard Contractual Clauses or Binding Corporate Rules.", []),
        ("Provider does not rely on the Data Privacy Framework for transfers.", []),
    ],
)
def test_transfer_mechanisms(sentence: str, expected: list[str]) -> None:
    assert values(sentence, "transfer_mechanisms") == expected


# --- Security -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Customer Data is encrypted with customer-managed keys (BYOK).", ["customer"]),
        ("The encryption keys are held exclusively by the Customer in its own HSM.", ["customer"]),
        ("De encryptiesleutels worden beheerd door de opdrachtgever.", ["customer"]),
        ("Die kryptografischen Schlüssel verbleiben beim Kunden.", ["customer"]),
        ("Encryption keys are managed by the Supplier in its key management service.", ["provider"]),
        ("De encryptiesleutels worden beheerd door Verwerker.", ["provider"]),
        ("Die Schlüssel zur Verschlüsselung werden vom Auftragsverarbeiter verwaltet.", ["provider"]),
        ("Encryption keys are held by an independent third-party escrow agent.", ["third_party"]),
        # Negatives: API keys are not encryption keys; a denial says nothing about who holds them.
        ("Customer is responsible for keeping its API keys confidential.", []),
        ("The Supplier never stores the encryption keys.", []),
    ],
)
def test_key_custody(sentence: str, expected: list[str]) -> None:
    assert values(sentence, "key_custody") == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("All Customer Data is encrypted at rest using AES-256.", [True]),
        ("Persoonsgegevens worden in rust versleuteld.", [True]),
        ("Alle Daten werden verschlüsselt gespeichert.", [True]),
        ("Our analytics database is not encrypted at rest.", [False]),
        # Negatives: transport encryption, an optional feature.
        ("Data is encrypted in transit using TLS 1.3.", []),
        ("Encryption at rest is available as an optional add-on.", []),
    ],
)
def test_encryption_at_rest(sentence: str, expected: list[bool]) -> None:
    assert values(sentence, "encryption_at_rest") == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Supplier shall notify Customer of a Personal Data Breach within 24 hours.", [24]),
        (
            "Provider will notify Customer of a security incident no later than seventy-two (72) hours after "
            "discovery.",
            [72],
        ),
        ("Verwerker meldt een datalek binnen 36 uur aan de opdrachtgever.", [36]),
        ("Der Auftragnehmer meldet Datenpannen innerhalb von 2 Tagen.", [48]),
        ("Provider shall notify Customer without undue delay after becoming aware of a Personal Data Breach.", [None]),
        # Negatives: the controller's deadline towards the authority; a support incident.
        ("Customer shall notify the supervisory authority of a personal data breach within 72 hours.", []),
        ("Support incidents are answered within 4 hours.", []),
    ],
)
def test_breach_notification_hours(sentence: str, expected: list[int | None]) -> None:
    assert values(sentence, "breach_notification_hours") == expected


def test_undue_delay_keeps_its_wording() -> None:
    text = "Processor will inform Controller of any data breach without undue delay."
    found = facts(text, "breach_notification_hours")
    assert [(f.value, f.raw) for f in found] == [(None, "without undue delay")]


# --- Exit -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Upon termination, Provider will return all Customer Data to Customer.", [True]),
        ("Na beëindiging van de overeenkomst geeft Verwerker alle persoonsgegevens terug.", [True]),
        ("Nach Vertragsende gibt der Auftragnehmer sämtliche Daten an den Auftraggeber heraus.", [True]),
        ("After termination Provider shall not return Customer Data.", [False]),
        ("This Agreement ends on 31 December. Provider will then return all Customer Data.", [True]),
        # Negative: the customer hands back the provider's confidential information.
        ("Upon termination, Customer shall return all Confidential Information.", []),
    ],
)
def test_data_return(sentence: str, expected: list[bool]) -> None:
    assert values(sentence, "exit.data_return") == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Provider will delete all Customer Data within sixty (60) days after termination.", [60]),
        ("Binnen dertig dagen na het einde van de overeenkomst verwijdert Verwerker alle gegevens.", [30]),
        ("Nach Vertragsende löscht der Auftragnehmer die Daten innerhalb von vier Wochen.", [28]),
        # Negatives: a backup retention period, a deletion on request.
        ("Backups are retained for 35 days and then overwritten.", []),
        ("Provider will delete personal data within 30 days of a deletion request.", []),
    ],
)
def test_deletion_days(sentence: str, expected: list[int]) -> None:
    assert values(sentence, "exit.deletion_days") == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Upon termination, Customer may export its data in CSV or JSON format.", ["CSV or JSON"]),
        ("Bij beëindiging worden de gegevens teruggegeven in XML-formaat.", ["XML"]),
        ("Die Herausgabe der Daten erfolgt als SQL-Dump.", ["SQL-Dump"]),
        ("At the end of the term Customer can retrieve all files in their original format.", ["original format"]),
        # Negatives: a format named outside any export or return.
        ("The user manual is published as a PDF.", []),
        ("Logs are stored in JSON format for 90 days.", []),
    ],
)
def test_export_format(sentence: str, expected: list[str]) -> None:
    assert values(sentence, "exit.export_format") == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Provider shall provide reasonable transition assistance for up to six months.", [True]),
        ("Verwerker verleent exit-ondersteuning tegen het geldende uurtarief.", [True]),
        ("Der Auftragnehmer unterstützt den Auftraggeber bei der Migration zu einem anderen Anbieter.", [True]),
        ("Provider is not obliged to provide any termination assistance.", [False]),
        # Negative: moving data between the provider's own regions is no exit help.
        ("Provider will migrate Customer Data to the new region.", []),
    ],
)
def test_termination_assistance(sentence: str, expected: list[bool]) -> None:
    assert values(sentence, "exit.termination_assistance") == expected


# --- Provider ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "country"),
    [
        (
            "This DPA is made between Acme Widgets Ltd, 1 High Street, London EC1A 1BB, United Kingdom (the "
            '"Customer"), and CloudCo Inc., a Delaware corporation, 500 Market Street, San Francisco, CA 94105, USA '
            '("CloudCo" or "Processor").',
            "CloudCo Inc.",
            "US",
        ),
        (
            'Partijen:\n1. Gemeente Zandvoort, hierna: "Opdrachtgever";\n2. Wolkwerk B.V., gevestigd te Zwolle, '
            'ingeschreven bij de Kamer van Koophandel onder nummer 12345678, hierna: "Opdrachtnemer".',
            "Wolkwerk B.V.",
            "NL",
        ),
        (
            "zwischen der Stadtwerke Musterstadt GmbH (im Folgenden „Auftraggeber“)\nund der\nDatenfels Hosting AG, "
            "Bahnhofstraße 5, 8001 Zürich, Schweiz (im Folgenden „Auftragnehmer“)",
            "Datenfels Hosting AG",
            "CH",
        ),
    ],
)
def test_provider_from_party_definitions(text: str, name: str, country: str) -> None:
    assert values(text, "provider.name") == [name]
    assert values(text, "provider.country") == [country]


def test_provider_named_with_unquoted_role_and_as_we() -> None:
    text = (
        "This agreement is made between Gemeente Oost (Controller) and Datawolk B.V., Arnhem, Netherlands (Processor)."
    )
    assert (values(text, "provider.name"), values(text, "provider.country")) == (["Datawolk B.V."], ["NL"])
    policy = (
        'Brightdesk Ltd ("Brightdesk", "we", "us") is a company registered in England and Wales with its registered '
        "office at 20 Station Road, Cambridge CB1 2JD, United Kingdom."
    )
    assert (values(policy, "provider.name"), values(policy, "provider.country")) == (["Brightdesk Ltd"], ["GB"])


def test_provider_of_a_policy_page_has_no_invented_country() -> None:
    text = "Nimbus Mail subprocessors\nNimbus Mail uses the following subprocessors:\nExample Corp. Hosting."
    assert values(text, "provider.name") == ["Nimbus Mail"]
    assert values(text, "provider.country") == []


def test_no_provider_without_a_party_or_title() -> None:
    assert values("Personal data is processed lawfully and fairly.", "provider.name") == []


# --- Subprocessors ----------------------------------------------------------------------------------------

_WRAPPED_TABLE = """Annex 2 – Sub-processors
Sub-processor Country Purpose
Bluefin Hosting
GmbH
Germany Colocation of the primary data centre
Helpline Services
Sp. z o.o.
Poland First-line support (remote
access)
Mailrelay Inc. United
States
Transactional e-mail
Annex 3 – Security measures
"""


def test_subprocessors_from_a_wrapped_pdf_table() -> None:
    found = values(_WRAPPED_TABLE, "subprocessors")
    assert found == [
        {"name": "Bluefin Hosting GmbH", "country": "DE", "purpose": "Colocation of the primary data centre"},
        {"name": "Helpline Services Sp. z o.o.", "country": "PL", "purpose": "First-line support (remote access)"},
        {"name": "Mailrelay Inc.", "country": "US", "purpose": "Transactional e-mail"},
    ]
    # Hosting rows give storage locations, the others remote access.
    assert values(_WRAPPED_TABLE, "storage_locations") == ["DE"]
    assert values(_WRAPPED_TABLE, "remote_access_locations") == ["PL", "US"]
    assert {f.section for f in facts(_WRAPPED_TABLE, "subprocessors")} == {"Annex 2 – Sub-processors"}


# Long rows on one line, names wrapped before their legal form, purposes wrapped after a function word,
# a city in brackets after the country.
_WRAPPED_TABLE_2 = """Annex 4 – Approved sub-processors
Sub-processor Country of processing Purpose
Tallow Systems Inc. United States Round-the-clock third-line support, vulnerability monitoring and forensic analysis
Kestrel Racks
B.V. Netherlands Housing of the primary compute cluster in Rotterdam
Elbtal Storage
GmbH Germany Tertiary storage site in Dresden for archives and long-term retention copies
Lindqvist Support AB Sweden (Malmö) Second-line support and
incident handling
Annex 5 – Security measures
"""


def test_subprocessors_from_a_pdf_table_with_long_rows_and_wrapped_legal_forms() -> None:
    assert values(_WRAPPED_TABLE_2, "subprocessors") == [
        {
            "name": "Tallow Systems Inc.",
            "country": "US",
            "purpose": "Round-the-clock third-line support, vulnerability monitoring and forensic analysis",
        },
        {
            "name": "Kestrel Racks B.V.",
            "country": "NL",
            "purpose": "Housing of the primary compute cluster in Rotterdam",
        },
        {
            "name": "Elbtal Storage GmbH",
            "country": "DE",
            "purpose": "Tertiary storage site in Dresden for archives and long-term retention copies",
        },
        {"name": "Lindqvist Support AB", "country": "SE", "purpose": "Second-line support and incident handling"},
    ]


_WRAPPED_TABLE_3 = """Anlage 3 – Unterauftragsverarbeiter
Unterauftragsverarbeiter Sitz Ort der Verarbeitung Leistung
Nordhafen IT GmbH Deutschland Kiel, Deutschland Betrieb der Datenbankserver
Adriasoft d.o.o. Kroatien
Split,
Kroatien
(Fernzugriff)
Anwendungsbetreuung und
Fehleranalyse
Pingpost Inc. USA USA Versand von Push-Nachrichten
Anlage 4 – Technische und organisatorische Maßnahmen
"""


def test_wrapped_purpose_cell_after_a_complete_row_stays_in_that_row() -> None:
    assert values(_WRAPPED_TABLE_3, "subprocessors") == [
        {"name": "Nordhafen IT GmbH", "country": "DE", "purpose": "Betrieb der Datenbankserver"},
        {"name": "Adriasoft d.o.o.", "country": "HR", "purpose": "Anwendungsbetreuung und Fehleranalyse"},
        {"name": "Pingpost Inc.", "country": "US", "purpose": "Versand von Push-Nachrichten"},
    ]


def test_subprocessors_from_a_table_with_cells() -> None:
    text = (
        "Subverwerkers\nNaam | Activiteit | Vestigingsland | Locatie verwerking\n"
        "Rekenhal B.V. | Hosting | Nederland | Nederland\n"
        "Klantcontact S.L. | Helpdesk | Spanje | Portugal\n"
    )
    assert values(text, "subprocessors", media_type="docx") == [
        {"name": "Rekenhal B.V.", "country": "NL", "purpose": "Hosting"},
        {"name": "Klantcontact S.L.", "country": "PT", "purpose": "Helpdesk"},
    ]


def test_subprocessors_listed_one_per_line() -> None:
    text = (
        "Subprocessors located in Canada:\nNorthmail. Email delivery service.\nMaple Cloud Inc. Cloud hosting "
        "provider.\n"
    )
    assert values(text, "subprocessors") == [
        {"name": "Northmail", "country": "CA", "purpose": "Email delivery service"},
        {"name": "Maple Cloud Inc.", "country": "CA", "purpose": "Cloud hosting provider"},
    ]


def test_subprocessors_enumerated_inline() -> None:
    text = "Approved Subprocessors: Fjordnet (NO; hosting provider), Paybox (FR/BE; payment processor)."
    assert values(text, "subprocessors") == [
        {"name": "Fjordnet", "country": "NO", "purpose": "hosting provider"},
        {"name": "Paybox", "country": "FR", "purpose": "payment processor"},
    ]
    assert values(text, "storage_locations") == ["NO"]


def test_subprocessors_as_keyed_records() -> None:
    text = (
        "ANNEX III – LIST OF SUB-PROCESSORS\n1. Name: Fjellsky AS\nAddress: Storgata 1, 0155 Oslo, Norway\n"
        "Description of processing: Hosting of the production environment\n2. Name: Helpwise Ltd\n"
        "Address: 1 Quay Street, Dublin 2, Ireland\nDescription of processing: Customer support\n"
    )
    assert values(text, "subprocessors") == [
        {"name": "Fjellsky AS", "country": "NO", "purpose": "Hosting of the production environment"},
        {"name": "Helpwise Ltd", "country": "IE", "purpose": "Customer support"},
    ]


def test_subprocessor_table_prefers_the_processing_location_column() -> None:
    text = (
        "Entity Name | Purpose | Entity Country | Data Location\n"
        "Nimbus Storage Inc. | Cloud hosting | United States | Germany\n"
    )
    assert values(text, "subprocessors", media_type="html") == [
        {"name": "Nimbus Storage Inc.", "country": "DE", "purpose": "Cloud hosting"}
    ]
    assert values(text, "storage_locations", media_type="html") == ["DE"]


def test_a_cloud_provider_named_in_prose_is_a_subprocessor() -> None:
    text = "The platform is hosted on Microsoft Azure in the Netherlands."
    assert values(text, "subprocessors") == [{"name": "Microsoft Azure", "country": "NL", "purpose": "hosting"}]


def test_no_subprocessor_from_ordinary_prose() -> None:
    text = "Sub-processors\nProvider may engage sub-processors. Customer Personal Data remains protected at all times."
    assert values(text, "subprocessors") == []


# --- Sentences, headings and sections ---------------------------------------------------------------------


def test_wrapped_pdf_lines_form_one_sentence_and_numbered_clauses_start_new_ones() -> None:
    text = "1.1 Provider shall delete the data within thirty\n(30) days after termination.\n1.2 Next clause."
    assert [s.text for s in split_sentences(document(text))] == [
        "1.1 Provider shall delete the data within thirty (30) days after termination.",
        "1.2 Next clause.",
    ]


def test_sentences_keep_their_spans() -> None:
    doc = document("Intro line.\nSecond sentence here. Third one!")
    for sentence in split_sentences(doc):
        assert " ".join(doc.text[sentence.start : sentence.end].split()) == sentence.text


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Annex A – Data Processing Agreement", "annex"),
        ("Schedule 2 – Encryption and Key Management", "annex"),
        ("Bijlage 2 – Subverwerkers", "annex"),
        ("Anlage 1 – Technische und organisatorische Maßnahmen", "annex"),
        ("Amendment No. 1 to the Services Agreement", "amendment"),
        ("Nachtrag Nr. 2 zum Hauptvertrag", "amendment"),
        ("AMENDMENT NO. 3", "amendment"),
        ("Wijziging 1 – Hostinglocatie", "amendment"),
        ("Artikel 3 – Locatie van de verwerking", "body"),
        ("7. Governing Law", "body"),
        ("", "body"),
    ],
)
def test_section_kind(heading: str, kind: str) -> None:
    assert section_kind(heading) == kind


def test_facts_carry_the_section_they_sit_in() -> None:
    text = (
        "3. Security Incidents\n3.1 Supplier shall notify Customer of a security incident within 72 hours.\n\n"
        "Annex A – Data Processing Terms\nA.1 Scope\nA.1.1 Supplier shall notify Customer of a personal data breach "
        "within 24 hours.\n\nAmendment No. 1\n1. Supplier shall notify Customer of a personal data breach within "
        "12 hours.\n"
    )
    found = [(f.value, f.section) for f in facts(text, "breach_notification_hours")]
    assert found == [
        (72, "3. Security Incidents"),
        (24, "Annex A – Data Processing Terms"),
        (12, "Amendment No. 1"),
    ]


def test_running_text_is_no_heading() -> None:
    lines = split_lines(
        "5.2 Verwerker informeert de opdrachtgever ten minste dertig (30)\ndagen voordat een nieuwe subverwerker\n"
        "Annex I(B) on the Cover Page describes the subject matter, nature, purpose, and\nduration of processing."
    )
    assert find_sections(lines).titles == ()


# --- Evidence ---------------------------------------------------------------------------------------------


def test_every_fact_quotes_the_document_verbatim() -> None:
    doc = document(_WRAPPED_TABLE + "\nAll data is encrypted at rest.\nThis DPA is governed by the laws of Ireland.")
    found = extract(doc)
    assert found
    for fact in found:
        evidence = fact.evidence[0]
        assert doc.text[evidence.char_start : evidence.char_end] == evidence.quote
        assert (evidence.page, evidence.match, fact.source) == (1, "exact", "rules")
        assert 0.3 <= fact.confidence <= 0.9


def test_tiny_pdf_end_to_end(tiny_pdf: Path) -> None:
    from analyser.ingest import read_document

    found = sorted((f.field, f.value, f.evidence[0].page) for f in extract(read_document(tiny_pdf)))
    assert found == [
        ("courts", "NL", 3),
        ("encryption_at_rest", True, 2),
        ("governing_law", "NL", 3),
        ("key_custody", "provider", 2),
        ("provider.country", "NL", 1),
        ("provider.name", "Example Cloud B.V.", 1),
        ("storage_locations", "DE", 2),
        ("storage_locations", "NL", 2),
        ("subprocessor_change_notice_days", 30, 1),
    ]


@pytest.mark.corpus
def test_corpus_evidence_is_verbatim(corpus: Path) -> None:
    from analyser.ingest import read_document

    for path in sorted((corpus / "docs").glob("*.pdf")):
        doc = read_document(path)
        for fact in extract(doc):
            evidence = fact.evidence[0]
            assert doc.text[evidence.char_start : evidence.char_end] == evidence.quote, (path.name, fact.field)
            assert 0.3 <= fact.confidence <= 0.9, (path.name, fact.field, fact.confidence)
